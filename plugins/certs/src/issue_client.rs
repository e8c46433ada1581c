//! `issue-client`: the runbook's "renew client certificates" — a client certificate from
//! Vault's PKI engine written as a `kubernetes.io/tls` Secret (with `ca.crt`) in the
//! application's namespace. The key goes from Vault's answer into the Secret, nowhere else.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow, bail};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output::{self, Format};
use vault_shared::session::Session;
use vault_shared::vault::pki::IssueRequest;

use crate::IssueClientArgs;
use crate::x509;

#[derive(Debug, Serialize)]
pub struct Issued {
    pub name: String,
    pub namespace: String,
    pub secret: String,
    pub serial: String,
    pub sha256: String,
    pub not_after: String,
    /// Whether an existing Secret was replaced.
    pub replaced: bool,
}

fn self_signed(pem: &str) -> bool {
    x509::first_pem(pem)
        .and_then(|d| x509::parse(&d))
        .is_ok_and(|i| i.subject == i.issuer)
}

pub async fn run(session: &Session, args: &IssueClientArgs) -> Result<Exit> {
    let ns = args
        .secret_namespace
        .clone()
        .unwrap_or_else(|| session.kube.namespace.clone());
    let api: Api<Secret> = Api::namespaced(session.kube.client.clone(), &ns);
    let secret_name = &args.secret;
    // Everything the write needs is checked before Vault issues anything.
    let existing = session
        .kube
        .call(
            &format!("get secret {secret_name} in namespace {ns}"),
            api.get_opt(secret_name),
        )
        .await?;
    if let Some(s) = &existing
        && s.type_.as_deref() != Some("kubernetes.io/tls")
    {
        bail!(
            "Secret {secret_name} in namespace {ns} exists and is not of type kubernetes.io/tls ({}); not replacing it",
            s.type_.as_deref().unwrap_or("Opaque")
        );
    }
    session.require_token("issue-client")?;
    let views = session.views().await;
    let leader = session.leader(&views)?;
    let issue = format!("{}/issue/{}", args.pki_mount.trim_matches('/'), args.role);
    session
        .require_capabilities(leader, "issue-client", &[(issue.as_str(), "update")])
        .await?;

    let mut plan = Plan::new(format!(
        "issue client certificate {} into Secret {ns}/{secret_name}",
        args.name
    ));
    plan.step(format!(
        "issue a certificate for {} from {issue} (ttl {})",
        args.name, args.ttl
    ));
    plan.step(match &existing {
        Some(_) => {
            format!("replace Secret {secret_name} in namespace {ns} (tls.crt, tls.key, ca.crt)")
        }
        None => format!(
            "create Secret {secret_name} in namespace {ns} (kubernetes.io/tls, with ca.crt)"
        ),
    });
    // Creating a Secret loses nothing; replacing one asks first.
    let go = if existing.is_some() || args.confirm.dry_run {
        args.confirm.confirm(&plan)?
    } else {
        true
    };
    if !go {
        if session.format == Format::Table {
            plan.print_dry_run();
        } else {
            output::print_data(session.format, &plan)?;
        }
        return Ok(Exit::Healthy);
    }

    let issued = leader
        .client
        .pki_issue(
            &args.pki_mount,
            &args.role,
            &IssueRequest {
                common_name: &args.name,
                dns_names: &[],
                ip_sans: &[],
                ttl: &args.ttl,
            },
        )
        .await
        .map_err(|e| session.explain(e, "issue the client certificate"))?;
    let (roots, intermediates): (Vec<&String>, Vec<&String>) =
        issued.ca_chain.iter().partition(|c| self_signed(c));
    let mut tls_crt = issued.certificate.trim().to_string();
    for c in &intermediates {
        tls_crt.push('\n');
        tls_crt.push_str(c.trim());
    }
    tls_crt.push('\n');
    let ca_crt = match roots.as_slice() {
        [] => intermediates
            .last()
            .map(|c| c.trim().to_string() + "\n")
            .ok_or_else(|| anyhow!("Vault returned no CA chain with the certificate"))?,
        rs => rs.iter().map(|c| c.trim().to_string() + "\n").collect(),
    };
    let chain = x509::chain_of(&tls_crt)?;
    x509::verify_client_chain(&chain, &ca_crt).map_err(|e| {
        anyhow!("the issued chain does not verify against its CA: {e}; nothing was written")
    })?;
    let info = x509::parse(&chain[0])?;

    let mut data = BTreeMap::new();
    data.insert("tls.crt".to_string(), ByteString(tls_crt.into_bytes()));
    data.insert(
        "tls.key".to_string(),
        ByteString(issued.private_key.as_bytes().to_vec()),
    );
    data.insert("ca.crt".to_string(), ByteString(ca_crt.into_bytes()));
    let mut secret = Secret {
        type_: Some("kubernetes.io/tls".into()),
        data: Some(data),
        ..Secret::default()
    };
    secret.metadata.name = Some(secret_name.clone());
    secret.metadata.namespace = Some(ns.clone());
    let written = match &existing {
        Some(old) => {
            secret.metadata.resource_version = old.metadata.resource_version.clone();
            secret.metadata.labels = old.metadata.labels.clone();
            secret.metadata.annotations = old.metadata.annotations.clone();
            session
                .kube
                .call(
                    &format!("replace secret {secret_name} in namespace {ns}"),
                    api.replace(secret_name, &PostParams::default(), &secret),
                )
                .await
        }
        None => {
            session
                .kube
                .call(
                    &format!("create secret {secret_name} in namespace {ns}"),
                    api.create(&PostParams::default(), &secret),
                )
                .await
        }
    };
    // The local copy held the key: clear it whatever happened.
    if let Some(k) = secret.data.as_mut().and_then(|d| d.get_mut("tls.key")) {
        zeroize::Zeroize::zeroize(&mut k.0);
    }
    let written = written?;
    session
        .record_on(
            &written,
            Note::normal(
                "ClientCertificateIssued",
                "Issue",
                &format!(
                    "client certificate {} from {issue}: serial {}, not after {}",
                    args.name, info.serial, info.not_after
                ),
            ),
        )
        .await;
    let report = Issued {
        name: args.name.clone(),
        namespace: ns,
        secret: secret_name.clone(),
        serial: info.serial,
        sha256: info.sha256,
        not_after: info.not_after,
        replaced: existing.is_some(),
    };
    output::print(session.format, &report, |r| {
        println!(
            "Secret {}/{} {} a client certificate for {} (serial {}, not after {}).",
            r.namespace,
            r.secret,
            if r.replaced { "now holds" } else { "holds" },
            r.name,
            r.serial,
            r.not_after
        );
    })?;
    Ok(Exit::Healthy)
}
