//! `login`: a real login as a service account, with a freshly minted token; a refusal is
//! followed by the same checks as `check`, narrowed to this role and token, to name the cause.

use anyhow::{Context, Result, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::events::Note;
use vault_shared::findings::{self, Finding, Kind as _};
use vault_shared::output::{self, Format};
use vault_shared::session::Session;
use vault_shared::vault::auth::KubernetesRole;
use zeroize::Zeroizing;

use crate::check::{self, Findings, Kind};
use crate::cluster::{self, Review};
use crate::{LoginArgs, split_sa};

/// Lifetime of the minted token: long enough for one login, the API's minimum.
const TOKEN_SECONDS: i64 = 600;

#[derive(Debug, Serialize)]
pub struct LoginReport {
    pub mount: String,
    pub role: String,
    pub service_account: String,
    pub success: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<i64>,
    pub revoked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vault_error: Option<String>,
    pub findings: Findings,
}

fn read_jwt(path: &std::path::Path) -> Result<Zeroizing<String>> {
    use std::io::Read;
    let mut s = Zeroizing::new(String::new());
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut s)
            .context("read the service-account token from stdin")?;
    } else {
        s =
            Zeroizing::new(std::fs::read_to_string(path).with_context(|| {
                format!("read the service-account token from {}", path.display())
            })?);
    }
    let t = Zeroizing::new(s.trim().to_string());
    if t.is_empty() {
        bail!("{} holds no token", path.display());
    }
    Ok(t)
}

pub async fn run(session: &Session, args: &LoginArgs) -> Result<Exit> {
    let (ns, sa) = split_sa(&args.service_account)?;
    let mount = &args.check.mount;
    session.require_token("reading the auth method's role")?;
    let leader = session.leader(&session.views().await)?;
    let role = leader
        .client
        .kubernetes_role(mount, &args.role)
        .await
        .map_err(|e| session.explain(e, &format!("read auth/{mount}/role/{}", args.role)))?;
    let audience = args
        .audience
        .clone()
        .or_else(|| (!role.audience.is_empty()).then(|| role.audience.clone()));
    let jwt = match &args.jwt_file {
        Some(p) => read_jwt(p)?,
        None => cluster::mint(&session.kube, &ns, &sa, audience.as_deref(), TOKEN_SECONDS).await?,
    };
    let mut report = LoginReport {
        mount: mount.clone(),
        role: args.role.clone(),
        service_account: format!("{ns}/{sa}"),
        success: false,
        policies: Vec::new(),
        ttl_seconds: None,
        revoked: false,
        vault_error: None,
        findings: Findings::new(),
    };
    match leader
        .client
        .kubernetes_login(mount, &args.role, &jwt)
        .await
    {
        Ok(info) => {
            report.success = true;
            report.policies = info.policies;
            report.ttl_seconds = Some(info.lease_duration);
            if !args.keep {
                leader
                    .client
                    .revoke_accessor(&info.accessor)
                    .await
                    .map_err(|e| session.explain(e, "revoke the Vault token the login made"))?;
                report.revoked = true;
            }
        }
        Err(e) => {
            report.vault_error = Some(e.to_string());
            report.findings = diagnose(session, args, &ns, &sa, &role, &jwt).await?;
        }
    }
    drop(jwt);
    let note = if report.success {
        format!(
            "login to auth/{mount} role {} as {ns}/{sa} succeeded",
            args.role
        )
    } else {
        format!(
            "login to auth/{mount} role {} as {ns}/{sa} failed: {}",
            args.role,
            report
                .findings
                .first()
                .map(|f| f.kind.as_str().to_string())
                .unwrap_or_else(|| "cause not found".into())
        )
    };
    let n = if report.success {
        Note::normal("AuthLoginChecked", "Login", &note)
    } else {
        Note::warning("AuthLoginFailed", "Login", &note)
    };
    session.record(&leader.name, n).await;
    print(session, &report)?;
    Ok(if report.success {
        Exit::Healthy
    } else {
        Exit::Failed
    })
}

fn print(session: &Session, r: &LoginReport) -> Result<()> {
    if session.format != Format::Table {
        return output::print_data(session.format, r);
    }
    if r.success {
        println!(
            "Login to auth/{} as role {} with service account {} succeeded: policies [{}], TTL {}s{}",
            r.mount,
            r.role,
            r.service_account,
            r.policies.join(", "),
            r.ttl_seconds.unwrap_or_default(),
            if r.revoked {
                " (token revoked)"
            } else {
                " (token kept)"
            }
        );
        return Ok(());
    }
    println!(
        "Login to auth/{} as role {} with service account {} FAILED ({})",
        r.mount,
        r.role,
        r.service_account,
        r.vault_error.as_deref().unwrap_or("")
    );
    if r.findings.is_empty() {
        println!(
            "  every check passed, so the cause is not one this verb knows: read Vault's log at debug level"
        );
    } else {
        println!("Cause:");
        findings::print(&r.findings);
    }
    Ok(())
}

/// Why Vault refused: the token itself, then the role's bindings, then the config.
async fn diagnose(
    session: &Session,
    args: &LoginArgs,
    ns: &str,
    sa: &str,
    role: &KubernetesRole,
    jwt: &str,
) -> Result<Findings> {
    let mut f = Findings::new();
    let subject = format!("{ns}/{sa}");
    let claims = cluster::claims(jwt)?;
    let now = jiff::Timestamp::now().as_second();
    if claims.exp != 0 && claims.exp <= now {
        f.push(Finding::new(
            Kind::TokenExpired,
            &subject,
            format!("the service-account token expired {}s ago", now - claims.exp),
            Some("use a fresh token (projected tokens are refreshed by the kubelet; read the file again)".into()),
        ));
    }
    let token_aud = claims.aud.list();
    if !role.audience.is_empty() && !token_aud.contains(&role.audience) {
        f.push(Finding::new(
            Kind::AudienceMismatch,
            &format!("role/{}", args.role),
            format!(
                "role {} wants audience {:?} but the token carries [{}]",
                args.role,
                role.audience,
                token_aud.join(", ")
            ),
            Some(format!("mint the token with --audience {}", role.audience)),
        ));
    }
    let (token_ns, token_sa) = claims
        .sub
        .strip_prefix("system:serviceaccount:")
        .and_then(|s| s.split_once(':'))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .unwrap_or((ns.to_string(), sa.to_string()));
    let names = &role.bound_service_account_names;
    if !names.iter().any(|n| n == "*" || *n == token_sa) {
        f.push(Finding::new(
            Kind::ServiceAccountNotBound,
            &format!("role/{}", args.role),
            format!(
                "role {} is bound to service account(s) [{}], not {token_sa}",
                args.role,
                names.join(", ")
            ),
            Some(format!(
                "add {token_sa} to bound_service_account_names of role {}, or log in with a role bound to it",
                args.role
            )),
        ));
    }
    let namespaces = &role.bound_service_account_namespaces;
    if !namespaces.iter().any(|n| n == "*" || *n == token_ns) {
        f.push(Finding::new(
            Kind::NamespaceNotBound,
            &format!("role/{}", args.role),
            format!(
                "role {} is bound to namespace(s) [{}], not {token_ns}",
                args.role,
                namespaces.join(", ")
            ),
            Some(format!(
                "add {token_ns} to bound_service_account_namespaces of role {}",
                args.role
            )),
        ));
    }
    // The independent check of the token: what the API itself says of it.
    let review_aud: Vec<String> = if role.audience.is_empty() {
        Vec::new()
    } else {
        vec![role.audience.clone()]
    };
    if let Review::Rejected { why } = cluster::review(&session.kube, jwt, &review_aud).await? {
        f.push(Finding::new(
            Kind::TokenRejected,
            &subject,
            format!("the cluster's TokenReview rejects the token: {why}"),
            None,
        ));
    }
    let leader = session.leader(&session.views().await)?;
    let config = leader
        .client
        .kubernetes_config(&args.check.mount)
        .await
        .map_err(|e| session.explain(e, "read the auth method's config"))?;
    let (config_findings, _) =
        check::config_findings(session, &config, args.check.reviewer.as_deref()).await?;
    f.extend(config_findings);
    Ok(f)
}
