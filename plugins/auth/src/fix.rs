//! `fix`: rewrite the mount's config with what `check` found right (the API's address, its
//! CA, its issuer, a fresh reviewer token), after showing the change and asking.
//!
//! A config write replaces every field, and Vault never returns the reviewer JWT: a config
//! with one set cannot be rewritten without a new one, so `fix` then needs `--reviewer`, or
//! `--local-token` to drop it (Vault then reviews with its pods' own token).

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use vault_shared::Exit;
use vault_shared::events::Note;
use vault_shared::findings;
use vault_shared::output::{self, Format};
use vault_shared::session::Session;
use vault_shared::vault::auth::KubernetesConfig;

use crate::check::{self, Kind};
use crate::{FixArgs, cluster, split_sa};

/// The fields of the config `fix` may change (the reviewer JWT is never shown).
fn same(a: &KubernetesConfig, b: &KubernetesConfig) -> bool {
    a.kubernetes_host == b.kubernetes_host
        && check::pem_certs(&a.kubernetes_ca_cert) == check::pem_certs(&b.kubernetes_ca_cert)
        && a.issuer == b.issuer
        && a.disable_iss_validation == b.disable_iss_validation
        && a.token_reviewer_jwt_set == b.token_reviewer_jwt_set
        && a.disable_local_ca_jwt == b.disable_local_ca_jwt
}

/// A CA bundle named by the SHA-256 of its first certificate, as `openssl x509 -fingerprint`
/// would show it (short form).
fn ca_name(pem: &str) -> String {
    let certs = check::pem_certs(pem);
    let Some(first) = certs.first() else {
        return "(none)".into();
    };
    use base64::Engine;
    match base64::engine::general_purpose::STANDARD.decode(first) {
        Ok(der) => {
            let d = Sha256::digest(der);
            let hex: Vec<String> = d.iter().take(8).map(|b| format!("{b:02X}")).collect();
            format!(
                "{} certificate(s), first SHA-256 {}…",
                certs.len(),
                hex.join(":")
            )
        }
        Err(_) => "(unreadable PEM)".into(),
    }
}

pub async fn run(session: &Session, args: &FixArgs) -> Result<Exit> {
    session.require_token("rewriting the auth method's config")?;
    let reviewer = args.check.reviewer.as_deref().map(split_sa).transpose()?;
    let leader = session.leader(&session.views().await)?;
    let mount = &args.check.mount;
    let read = || async {
        leader
            .client
            .kubernetes_config(mount)
            .await
            .map_err(|e| session.explain(e, &format!("read auth/{mount}/config")))
    };
    let before = read().await?;
    let (found, cluster_issuer) =
        check::config_findings(session, &before, args.check.reviewer.as_deref()).await?;
    if let Some(f) = found
        .iter()
        .find(|f| matches!(f.kind, Kind::ReviewerMissing | Kind::ReviewerForbidden))
    {
        bail!(
            "{}; fix that in the cluster first ({}), then run fix again",
            f.message,
            f.next.as_deref().unwrap_or("")
        );
    }
    // Local-token mode: the pods' own account reviews; it must be allowed to before we write.
    let local_reviewer = if args.local_token {
        let (ns, name) = check::pods_service_account(session);
        if let Some(f) = check::reviewer_findings(
            session,
            &ns,
            &name,
            "the Vault pods' own service account (the reviewer in local-token mode)",
        )
        .await?
        .first()
        {
            bail!(
                "{}; fix that in the cluster first ({}), then run fix again",
                f.message,
                f.next.as_deref().unwrap_or("")
            );
        }
        Some(format!("{ns}/{name}"))
    } else {
        None
    };
    if before.token_reviewer_jwt_set && reviewer.is_none() && !args.local_token {
        bail!(
            "auth/{mount}/config has a token_reviewer_jwt, which Vault never returns and a config write drops: \
name its service account with --reviewer NS/NAME so fix writes a fresh token for it, or use --local-token"
        );
    }
    let has = |k: Kind| found.iter().any(|f| f.kind == k);

    let mut after = before.clone();
    let mut plan = vault_shared::confirm::Plan::new(format!("rewrite auth/{mount}/config"));
    // The kubeconfig's server, as kubectl shows it (the client adds a trailing slash).
    let server = session.kube.server().trim_end_matches('/').to_string();
    let host = match &args.kubernetes_host {
        Some(h) => Some(h.clone()),
        None if has(Kind::HostMismatch) => Some(server.clone()),
        None => None,
    };
    if let Some(h) = host.filter(|h| *h != before.kubernetes_host) {
        plan.step(format!(
            "kubernetes_host: {:?} -> {h:?}",
            before.kubernetes_host
        ));
        after.kubernetes_host = h;
    }
    if args.ca_from_cluster || has(Kind::CaMissing) || has(Kind::CaMismatch) {
        let ca = cluster::root_ca(&session.kube)
            .await?
            .context("the ConfigMap kube-root-ca.crt is missing: no CA to write")?;
        if check::pem_certs(&ca) != check::pem_certs(&before.kubernetes_ca_cert) {
            plan.step(format!(
                "kubernetes_ca_cert: {} -> {} (ConfigMap kube-root-ca.crt)",
                ca_name(&before.kubernetes_ca_cert),
                ca_name(&ca)
            ));
            after.kubernetes_ca_cert = ca;
        }
    }
    if has(Kind::IssuerMismatch) {
        plan.step(format!(
            "issuer: {:?} -> {cluster_issuer:?} (the cluster's service-account issuer)",
            before.issuer
        ));
        after.issuer = cluster_issuer;
    }
    if let Some(pods_account) = &local_reviewer {
        if before.token_reviewer_jwt_set {
            plan.step(format!(
                "token_reviewer_jwt: removed (local-token mode: Vault reviews tokens with its pods' own service account {pods_account})"
            ));
        }
        if before.disable_local_ca_jwt {
            plan.step("disable_local_ca_jwt: true -> false (local-token mode)".to_string());
        }
        after.token_reviewer_jwt_set = false;
        after.disable_local_ca_jwt = false;
    }
    if let Some((ns, name)) = &reviewer {
        plan.step(format!(
            "token_reviewer_jwt: a new token for service account {ns}/{name}, valid {}h (not shown)",
            args.reviewer_ttl.as_secs() / 3600
        ));
        after.token_reviewer_jwt_set = true;
    }
    if plan.steps.is_empty() {
        let left = findings::exit(&found);
        println!(
            "auth/{mount}/config: nothing to fix{}",
            if left == Exit::Healthy {
                ""
            } else {
                " (the findings left need a change in the cluster or the roles; see `check`)"
            }
        );
        return Ok(left);
    }
    plan.warn(
        "every field is written (a write replaces the whole config); the roles are not touched",
    );
    if !args.confirm.confirm(&plan)? {
        if session.format == Format::Table {
            plan.print_dry_run();
        }
        return Ok(Exit::Healthy);
    }
    // Someone may have changed the config while we asked.
    if !same(&read().await?, &before) {
        bail!(
            "auth/{mount}/config changed since it was read: nothing was written; run fix again to see the new plan"
        );
    }
    let jwt = match &reviewer {
        Some((ns, name)) => Some(
            cluster::mint(
                &session.kube,
                ns,
                name,
                None,
                args.reviewer_ttl.as_secs() as i64,
            )
            .await?,
        ),
        None => None,
    };
    leader
        .client
        .write_kubernetes_config(mount, &after, jwt.as_deref().map(String::as_str))
        .await
        .map_err(|e| session.explain(e, &format!("write auth/{mount}/config")))?;
    let note = format!(
        "kubectl-vault rewrote auth/{mount}/config: {}",
        plan.steps.join("; ")
    );
    session
        .record(&leader.name, Note::normal("AuthConfigFixed", "Fix", &note))
        .await;
    // What the method now holds, checked the way `check` does.
    let written = read().await?;
    let (left, _) =
        check::config_findings(session, &written, args.check.reviewer.as_deref()).await?;
    match session.format {
        Format::Table => {
            println!("Rewrote auth/{mount}/config:");
            for s in &plan.steps {
                println!("  {s}");
            }
            findings::print(&left);
        }
        f => output::print_data(
            f,
            &serde_json::json!({
                "mount": mount,
                "changed": plan.steps,
                "findings": left,
            }),
        )?,
    }
    Ok(findings::exit(&left))
}
