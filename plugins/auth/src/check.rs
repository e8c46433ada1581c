//! `check`: the auth method's config and roles, each compared with the cluster.

use anyhow::Result;
use futures::StreamExt;
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::findings::{self, Finding};
use vault_shared::output::{self, Format};
use vault_shared::session::Session;
use vault_shared::transport;
use vault_shared::vault::VaultClient;
use vault_shared::vault::auth::{KubernetesConfig, KubernetesRole};

use crate::cluster;
use crate::{CheckArgs, split_sa};

vault_shared::finding_kinds! {
    pub enum Kind {
        HostMismatch => "host_mismatch",
        CaMissing => "ca_missing",
        CaMismatch => "ca_mismatch",
        IssuerMismatch => "issuer_mismatch",
        ReviewerMissing => "reviewer_missing",
        ReviewerForbidden => "reviewer_forbidden",
        NamespaceMissing => "namespace_missing",
        BindsNothing => "binds_nothing",
        WildcardBinding => "wildcard_binding",
        // Found by `login` only.
        TokenExpired => "token_expired",
        TokenRejected => "token_rejected",
        AudienceMismatch => "audience_mismatch",
        ServiceAccountNotBound => "service_account_not_bound",
        NamespaceNotBound => "namespace_not_bound",
    }
}

pub type Findings = Vec<Finding<Kind>>;

/// How long the TLS handshake with the API server may take.
const HANDSHAKE: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(Debug, Serialize)]
pub struct Report {
    pub mount: String,
    pub kubernetes_host: String,
    pub api_server: String,
    pub issuer: String,
    pub reviewer_jwt_set: bool,
    pub roles: Vec<String>,
    pub findings: Findings,
}

/// The mount's config and every role, read concurrently (one connection per request).
pub async fn read(
    client: &VaultClient,
    mount: &str,
) -> Result<(KubernetesConfig, Vec<(String, KubernetesRole)>)> {
    let roles_client = client.another_connection();
    let (config, names) = tokio::join!(
        client.kubernetes_config(mount),
        roles_client.kubernetes_roles(mount)
    );
    let config = config?;
    let roles: Vec<Result<(String, KubernetesRole)>> = futures::stream::iter(names?)
        .map(|name| {
            let c = client.another_connection();
            async move {
                let role = c.kubernetes_role(mount, &name).await?;
                Ok((name, role))
            }
        })
        .buffered(8)
        .collect()
        .await;
    Ok((config, roles.into_iter().collect::<Result<_>>()?))
}

fn same_url(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().trim_end_matches('/').to_ascii_lowercase();
    norm(a) == norm(b)
}

/// Whether `host` is the API's in-cluster service name (what Vault's pods use in a real
/// cluster).
fn in_cluster_name(host: &str) -> bool {
    let h = host.trim_end_matches('/').to_ascii_lowercase();
    [
        "https://kubernetes.default.svc",
        "https://kubernetes.default.svc.cluster.local",
        "https://kubernetes.default.svc:443",
        "https://kubernetes.default.svc.cluster.local:443",
    ]
    .contains(&h.as_str())
}

/// The certificates of a PEM bundle, as their base64 bodies without whitespace.
pub fn pem_certs(pem: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in pem.lines().map(str::trim) {
        if line.starts_with("-----BEGIN CERTIFICATE") {
            cur = Some(String::new());
        } else if line.starts_with("-----END CERTIFICATE") {
            out.extend(cur.take());
        } else if let Some(c) = cur.as_mut() {
            c.push_str(line);
        }
    }
    out
}

/// The config compared with the cluster: host, CA, issuer and (when named) the reviewer.
pub async fn config_findings(
    session: &Session,
    config: &KubernetesConfig,
    reviewer: Option<&str>,
) -> Result<(Findings, String)> {
    let kube = &session.kube;
    let mut f = Findings::new();
    let server = kube.server().to_string();
    if !same_url(&config.kubernetes_host, &server) && !in_cluster_name(&config.kubernetes_host) {
        f.push(Finding::new(
            Kind::HostMismatch,
            "config",
            format!(
                "kubernetes_host is {:?}, not this cluster's API ({server}) nor its in-cluster name: Vault sends its TokenReviews elsewhere",
                config.kubernetes_host
            ),
            Some(format!(
                "vault write auth/<mount>/config kubernetes_host={server} (or https://kubernetes.default.svc from inside the cluster)"
            )),
        ));
    }
    let (root_ca, issuer) = tokio::join!(cluster::root_ca(kube), cluster::issuer(kube));
    match root_ca? {
        None => output::warn("the ConfigMap kube-root-ca.crt is missing: the CA was not checked"),
        Some(ca) => {
            let cluster_certs = pem_certs(&ca);
            let configured = pem_certs(&config.kubernetes_ca_cert);
            if configured.is_empty() {
                f.push(Finding::new(
                    Kind::CaMissing,
                    "config",
                    "kubernetes_ca_cert is empty: outside local-token mode Vault cannot verify the API's certificate".into(),
                    Some("kubectl vault-auth fix --ca-from-cluster, or write kube-root-ca.crt's ca.crt as kubernetes_ca_cert".into()),
                ));
            } else if !configured.iter().any(|c| cluster_certs.contains(c)) {
                f.push(Finding::new(
                    Kind::CaMismatch,
                    "config",
                    "kubernetes_ca_cert is not the CA that signs the API server's certificate (ConfigMap kube-root-ca.crt): Vault's TLS handshake to the API fails".into(),
                    Some("write the ca.crt of ConfigMap kube-root-ca.crt as kubernetes_ca_cert".into()),
                ));
            }
        }
    }
    // The CA against the API server itself: a handshake with the kubeconfig's server (the same
    // API the in-cluster name reaches), verified with the configured CA only.
    let same_api =
        same_url(&config.kubernetes_host, &server) || in_cluster_name(&config.kubernetes_host);
    let ca_flagged = f
        .iter()
        .any(|x| matches!(x.kind, Kind::CaMissing | Kind::CaMismatch));
    if same_api && !ca_flagged && !config.kubernetes_ca_cert.trim().is_empty() {
        match transport::verify_handshake(&server, &config.kubernetes_ca_cert, HANDSHAKE).await {
            Ok(Ok(())) => {}
            Ok(Err(why)) => f.push(Finding::new(
                Kind::CaMismatch,
                "config",
                format!("the API server's certificate does not verify against kubernetes_ca_cert (TLS handshake with {server}: {why})"),
                Some("kubectl vault-auth fix --ca-from-cluster, or write the CA that signs the API server's certificate as kubernetes_ca_cert".into()),
            )),
            Err(e) => output::warn(&format!(
                "no TLS handshake with the API ({e:#}): kubernetes_ca_cert was compared with kube-root-ca.crt only"
            )),
        }
    }
    let issuer = issuer?;
    if !config.issuer.is_empty()
        && !config.disable_iss_validation
        && !same_url(&config.issuer, &issuer)
    {
        f.push(Finding::new(
            Kind::IssuerMismatch,
            "config",
            format!(
                "issuer is {:?} but the cluster's service-account issuer is {issuer:?}",
                config.issuer
            ),
            Some(format!(
                "vault write auth/<mount>/config issuer={issuer} (or leave it empty)"
            )),
        ));
    }
    if let Some(r) = reviewer {
        let (ns, name) = split_sa(r)?;
        if !cluster::service_account_exists(kube, &ns, &name).await? {
            f.push(Finding::new(
                Kind::ReviewerMissing,
                &format!("{ns}/{name}"),
                format!("the reviewer service account {ns}/{name} does not exist: its token_reviewer_jwt no longer authenticates, every login fails"),
                Some("configure a reviewer that exists (a token for an account bound to system:auth-delegator), or local-token mode".into()),
            ));
        } else if !cluster::may_review_tokens(kube, &ns, &name).await? {
            f.push(Finding::new(
                Kind::ReviewerForbidden,
                &format!("{ns}/{name}"),
                format!("the reviewer {ns}/{name} may not create tokenreviews: every login fails"),
                Some(format!(
                    "kubectl create clusterrolebinding vault-reviewer --clusterrole=system:auth-delegator --serviceaccount={ns}:{name}"
                )),
            ));
        }
    } else if config.token_reviewer_jwt_set {
        output::warn(
            "a token_reviewer_jwt is set but Vault never shows it: name its service account with --reviewer NS/NAME to check it",
        );
    }
    Ok((f, issuer))
}

/// One role's bindings compared with the cluster.
pub async fn role_findings(
    session: &Session,
    name: &str,
    role: &KubernetesRole,
) -> Result<Findings> {
    let kube = &session.kube;
    let mut f = Findings::new();
    let subject = format!("role/{name}");
    let wild_ns = role
        .bound_service_account_namespaces
        .iter()
        .any(|n| n == "*");
    let wild_sa = role.bound_service_account_names.iter().any(|n| n == "*");
    if wild_ns || wild_sa {
        f.push(Finding::new(
            Kind::WildcardBinding,
            &subject,
            format!(
                "role {name} binds {} in {}: any such token logs in",
                if wild_sa {
                    "every service account".to_string()
                } else {
                    role.bound_service_account_names.join(", ")
                },
                if wild_ns {
                    "every namespace".to_string()
                } else {
                    role.bound_service_account_namespaces.join(", ")
                }
            ),
            Some("bind the role to the service accounts and namespaces that need it".into()),
        ));
    }
    let mut live_ns = Vec::new();
    for ns in role
        .bound_service_account_namespaces
        .iter()
        .filter(|n| *n != "*")
    {
        if cluster::namespace_exists(kube, ns).await? {
            live_ns.push(ns.clone());
        } else {
            f.push(Finding::new(
                Kind::NamespaceMissing,
                &subject,
                format!("role {name} is bound to namespace {ns}, which does not exist"),
                Some("fix bound_service_account_namespaces".into()),
            ));
        }
    }
    if !wild_sa && !wild_ns {
        let mut any = false;
        for sa in &role.bound_service_account_names {
            for ns in &live_ns {
                if cluster::service_account_exists(kube, ns, sa).await? {
                    any = true;
                }
            }
        }
        if !any {
            f.push(Finding::new(
                Kind::BindsNothing,
                &subject,
                format!(
                    "role {name} binds service accounts [{}] in namespaces [{}]: none of them exists, so no token can log in",
                    role.bound_service_account_names.join(", "),
                    role.bound_service_account_namespaces.join(", ")
                ),
                Some(format!(
                    "vault write auth/<mount>/role/{name} bound_service_account_names=<sa> bound_service_account_namespaces=<ns>"
                )),
            ));
        }
    }
    Ok(f)
}

pub async fn run(session: &Session, args: &CheckArgs) -> Result<Exit> {
    session.require_token("reading the auth method's config")?;
    let leader = session.leader(&session.views().await)?;
    let (config, roles) = read(&leader.client, &args.mount)
        .await
        .map_err(|e| anyhow::anyhow!("read auth/{}: {e:#}", args.mount))?;
    let (mut all, issuer) = config_findings(session, &config, args.reviewer.as_deref()).await?;
    let per_role = futures::future::join_all(
        roles
            .iter()
            .map(|(name, role)| role_findings(session, name, role)),
    )
    .await;
    for r in per_role {
        all.extend(r?);
    }
    let report = Report {
        mount: args.mount.clone(),
        kubernetes_host: config.kubernetes_host.clone(),
        api_server: session.kube.server().to_string(),
        issuer,
        reviewer_jwt_set: config.token_reviewer_jwt_set,
        roles: roles.iter().map(|(n, _)| n.clone()).collect(),
        findings: all,
    };
    if session.format != Format::Table {
        output::print_data(session.format, &report)?;
    } else {
        println!(
            "auth/{}: kubernetes_host {} (API {}), {} role(s), reviewer JWT {}",
            report.mount,
            report.kubernetes_host,
            report.api_server,
            report.roles.len(),
            if report.reviewer_jwt_set {
                "set"
            } else {
                "not set (local-token mode)"
            }
        );
        findings::print(&report.findings);
    }
    Ok(findings::exit(&report.findings))
}

#[cfg(test)]
mod tests {
    #[test]
    fn certificates_compare_without_whitespace() {
        let a = "-----BEGIN CERTIFICATE-----\nAAA\nBBB\n-----END CERTIFICATE-----\n";
        let b = "-----BEGIN CERTIFICATE-----\r\nAAABBB\r\n-----END CERTIFICATE-----";
        assert_eq!(super::pem_certs(a), super::pem_certs(b));
        assert!(super::pem_certs("junk").is_empty());
    }

    #[test]
    fn hosts_compare_as_urls() {
        assert!(super::same_url(
            "https://127.0.0.1:6443/",
            "https://127.0.0.1:6443"
        ));
        assert!(super::in_cluster_name("https://kubernetes.default.svc"));
        assert!(!super::in_cluster_name("https://example.com"));
    }
}
