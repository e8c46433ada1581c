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

/// Whether Vault reviews tokens with its pods' own service-account token (no reviewer JWT,
/// local token and CA not disabled): then the pods' `ca.crt` is the CA when none is set.
pub fn local_token_mode(config: &KubernetesConfig) -> bool {
    !config.token_reviewer_jwt_set && !config.disable_local_ca_jwt
}

/// The CA a Vault pod's own service-account volume holds (what Vault uses in local-token mode
/// when kubernetes_ca_cert is empty), read in the first reachable pod; None when unreadable.
async fn pod_ca(session: &Session) -> Option<String> {
    let path = format!("{}/ca.crt", cluster::SERVICE_ACCOUNT_DIR);
    let Some(pod) = session.reachable().next().map(|t| t.name.clone()) else {
        output::warn(&format!(
            "no Vault pod to read {path} from: the CA Vault uses was not checked"
        ));
        return None;
    };
    match vault_shared::exec::run(&session.kube, &pod, None, &["cat", &path], HANDSHAKE).await {
        Ok(out) if out.success && !pem_certs(&out.stdout).is_empty() => Some(out.stdout),
        Ok(out) => {
            output::warn(&format!(
                "{path} in pod {pod} is not readable ({}): the CA Vault uses was not checked",
                out.message.unwrap_or_else(|| out.stderr.trim().to_string())
            ));
            None
        }
        Err(e) => {
            output::warn(&format!(
                "{path} in pod {pod} is not readable ({e:#}): the CA Vault uses was not checked"
            ));
            None
        }
    }
}

/// The reviewer `ns/name` (`who` says which one, for the messages) checked to exist and to be
/// allowed to create tokenreviews.
pub async fn reviewer_findings(
    session: &Session,
    ns: &str,
    name: &str,
    who: &str,
) -> Result<Findings> {
    let kube = &session.kube;
    let mut f = Findings::new();
    if !cluster::service_account_exists(kube, ns, name).await? {
        f.push(Finding::new(
            Kind::ReviewerMissing,
            &format!("{ns}/{name}"),
            format!("{who} {ns}/{name} does not exist: its token no longer authenticates, every login fails"),
            Some("configure a reviewer that exists (a token for an account bound to system:auth-delegator), or local-token mode".into()),
        ));
    } else if !cluster::may_review_tokens(kube, ns, name).await? {
        f.push(Finding::new(
            Kind::ReviewerForbidden,
            &format!("{ns}/{name}"),
            format!("{who} {ns}/{name} may not create tokenreviews: every login fails"),
            Some(format!(
                "kubectl create clusterrolebinding {name}-token-reviewer --clusterrole=system:auth-delegator --serviceaccount={ns}:{name}"
            )),
        ));
    }
    Ok(f)
}

/// The local-token reviewer: the Vault pods' own service account (their spec's, which is the
/// StatefulSet's pod template's).
pub fn pods_service_account(session: &Session) -> (String, String) {
    let pod = session.all_pods.first();
    let ns = pod
        .and_then(|p| p.metadata.namespace.clone())
        .unwrap_or_else(|| session.kube.namespace.clone());
    let sa = pod
        .and_then(|p| p.spec.as_ref())
        .and_then(|s| s.service_account_name.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".to_string());
    (ns, sa)
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
    let local = local_token_mode(config);
    let (root_ca, issuer) = tokio::join!(cluster::root_ca(kube), cluster::issuer(kube));
    // In local-token mode without a configured CA, Vault trusts its pods' ca.crt.
    let pod_ca = if local && pem_certs(&config.kubernetes_ca_cert).is_empty() {
        pod_ca(session).await
    } else {
        None
    };
    let ca_source = if pod_ca.is_some() {
        "the Vault pods' service-account ca.crt (local-token mode, no kubernetes_ca_cert)"
    } else {
        "kubernetes_ca_cert"
    };
    let ca_used = pod_ca
        .clone()
        .unwrap_or_else(|| config.kubernetes_ca_cert.clone());
    match root_ca? {
        None => output::warn("the ConfigMap kube-root-ca.crt is missing: the CA was not checked"),
        Some(ca) => {
            let cluster_certs = pem_certs(&ca);
            let configured = pem_certs(&ca_used);
            if configured.is_empty() && local {
                // Not read (warned above): nothing to compare.
            } else if configured.is_empty() {
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
                    format!("{ca_source} is not the CA that signs the API server's certificate (ConfigMap kube-root-ca.crt): Vault's TLS handshake to the API fails"),
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
    if same_api && !ca_flagged && !ca_used.trim().is_empty() {
        match transport::verify_handshake(&server, &ca_used, HANDSHAKE).await {
            Ok(Ok(())) => {}
            Ok(Err(why)) => f.push(Finding::new(
                Kind::CaMismatch,
                "config",
                format!("the API server's certificate does not verify against {ca_source} (TLS handshake with {server}: {why})"),
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
        f.extend(
            reviewer_findings(
                session,
                &ns,
                &name,
                "the reviewer service account (token_reviewer_jwt)",
            )
            .await?,
        );
    } else if local {
        let (ns, name) = pods_service_account(session);
        f.extend(
            reviewer_findings(
                session,
                &ns,
                &name,
                "the reviewer in local-token mode, the Vault pods' own service account",
            )
            .await?,
        );
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
