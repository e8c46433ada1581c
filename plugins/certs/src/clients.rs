//! `clients`: the client certificates the mTLS set-up depends on — TLS Secrets in the given
//! namespaces that Vault's CA issued, the certificates the `cert` auth method trusts — with
//! their expiry, and what the PKI engine lists as issued.

use anyhow::{Context, Result, anyhow};
use http::Method;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use serde::Serialize;
use vault_shared::findings::{self, Finding};
use vault_shared::output::{self, Styled, Tone};
use vault_shared::session::Session;
use vault_shared::vault::{Body, ErrorKind};
use vault_shared::{Exit, fanout};

use crate::ClientsArgs;
use crate::x509;

const DAY: i64 = 86_400;

vault_shared::finding_kinds! {
    /// What `clients` flags; serialised to the names the README documents.
    pub enum ClientFinding {
        Expired => "expired",
        ExpiresSoon => "expires_soon",
        ExpiresCritical => "expires_critical",
        Unreadable => "unreadable",
    }
}

#[derive(Debug, Serialize)]
pub struct ClientCert {
    /// `secret` (a TLS Secret) or `auth_cert` (trusted by the cert auth method).
    pub source: &'static str,
    /// `NS/NAME` for a Secret, the cert role's name for the auth method.
    pub name: String,
    pub subject: String,
    pub serial: String,
    pub not_after: String,
    pub days_left: i64,
    /// Whether the PKI engine lists this serial as issued by it.
    pub in_pki: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct PkiSummary {
    pub mount: String,
    /// Certificates the engine lists (issued and not tidied).
    pub issued: usize,
    /// Of those, still valid and expiring inside --warn.
    pub expiring_soon: usize,
    pub expired: usize,
}

#[derive(Debug, Serialize)]
pub struct Clients {
    pub namespaces: Vec<String>,
    pub warn_days: i64,
    pub critical_days: i64,
    pub certificates: Vec<ClientCert>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pki: Option<PkiSummary>,
    pub findings: Vec<Finding<ClientFinding>>,
}

fn colon_serial(s: &str) -> String {
    s.replace('-', ":").to_ascii_lowercase()
}

/// Seconds since the epoch of an OpenBao `not_after` (RFC 3339 text or a number).
fn unix_of(v: &serde_json::Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        v.as_str()?
            .parse::<jiff::Timestamp>()
            .ok()
            .map(|t| t.as_second())
    })
}

pub async fn run(session: &Session, args: &ClientsArgs) -> Result<Exit> {
    let now = jiff::Timestamp::now().as_second();
    let warn = args.warn.as_secs() as i64 / DAY;
    let critical = args.critical.as_secs() as i64 / DAY;
    let mut findings = Vec::new();
    let mut unreadable = |subject: &str, what: String| {
        findings.push(Finding::new(ClientFinding::Unreadable, subject, what, None))
    };
    let views = session.views().await;
    let leader = session.leader(&views)?;
    // Vault's CA: the PKI engine's (and --ca-cert), to tell its certificates from others.
    let mut ca_pem = match &session.vault_args().ca_cert {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("read --ca-cert {}", p.display()))?
        }
        None => String::new(),
    };
    let pki_ca_path = format!("{}/ca/pem", args.pki_mount.trim_matches('/'));
    match leader
        .client
        .send(Method::GET, &pki_ca_path, Body::Empty, false)
        .await
    {
        Ok((200, pem)) => ca_pem.push_str(&String::from_utf8_lossy(&pem)),
        Ok((status, _)) if ca_pem.is_empty() => {
            return Err(anyhow!(
                "{pki_ca_path} answered {status}: no CA to tell Vault's certificates from others; give --ca-cert"
            ));
        }
        Ok(_) => {}
        Err(e) => return Err(session.explain(e, "read the PKI engine's CA")),
    }

    // The PKI engine's own list (needs a token).
    let mut pki_serials = Vec::new();
    let pki = match session.token() {
        Ok(Some(_)) => match leader.client.pki_certs_detailed(&args.pki_mount).await {
            Ok(list) => {
                let mut s = PkiSummary {
                    mount: args.pki_mount.clone(),
                    issued: list.len(),
                    ..PkiSummary::default()
                };
                for (serial, info) in &list {
                    pki_serials.push(colon_serial(serial));
                    if let Some(t) = unix_of(&info["not_after"]) {
                        let days = (t - now).div_euclid(DAY);
                        if t < now {
                            s.expired += 1;
                        } else if days < warn {
                            s.expiring_soon += 1;
                        }
                    }
                }
                Some(s)
            }
            Err(e) => {
                unreadable(
                    &args.pki_mount,
                    format!("LIST {}/certs/detailed: {e}", args.pki_mount),
                );
                None
            }
        },
        _ => {
            unreadable(
                &args.pki_mount,
                "no Vault token: the PKI engine's list and the cert auth method were not read"
                    .into(),
            );
            None
        }
    };

    let mut certs = Vec::new();
    let entry = |source, name: String, der: &[u8], pki: &[String]| -> Result<ClientCert> {
        let info = x509::parse(der)?;
        Ok(ClientCert {
            source,
            in_pki: pki.contains(&colon_serial(&info.serial)),
            name,
            subject: info.subject,
            serial: info.serial,
            not_after: info.not_after,
            days_left: (info.not_after_unix - now).div_euclid(DAY),
        })
    };
    // The cert auth method's trusted certificates.
    if session.token().ok().flatten().is_some() {
        match leader.client.cert_auth_certs(&args.cert_mount).await {
            Ok(list) => {
                for (name, pem) in list {
                    match x509::first_pem(&pem)
                        .and_then(|d| entry("auth_cert", name.clone(), &d, &pki_serials))
                    {
                        Ok(c) => certs.push(c),
                        Err(e) => unreadable(
                            &name,
                            format!("auth/{}/certs/{name}: {e:#}", args.cert_mount),
                        ),
                    }
                }
            }
            // No cert auth method mounted there: nothing of it to check.
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => unreadable(
                &args.cert_mount,
                format!("LIST auth/{}/certs: {e}", args.cert_mount),
            ),
        }
    }

    // TLS Secrets in the namespaces, kept when Vault's CA issued them.
    let namespaces = if args.secret_namespace.is_empty() {
        vec![session.kube.namespace.clone()]
    } else {
        args.secret_namespace.clone()
    };
    let lists = fanout::each(&namespaces, |ns| async move {
        let api: Api<Secret> = Api::namespaced(session.kube.client.clone(), ns);
        session
            .kube
            .call(
                &format!("list secrets in namespace {ns}"),
                api.list(&ListParams::default()),
            )
            .await
    })
    .await;
    // Read once for every Secret; a CA that cannot be read vouches for none of them.
    let trust = x509::Trust::new(&ca_pem);
    for (ns, list) in namespaces.iter().zip(lists) {
        let list = match list {
            Ok(l) => l,
            Err(e) => {
                unreadable(ns, format!("{e:#}"));
                continue;
            }
        };
        for s in list.items {
            if s.type_.as_deref() != Some("kubernetes.io/tls") {
                continue;
            }
            let name = format!("{ns}/{}", s.metadata.name.as_deref().unwrap_or("?"));
            let Some(pem) = s
                .data
                .as_ref()
                .and_then(|d| d.get("tls.crt"))
                .and_then(|b| String::from_utf8(b.0.clone()).ok())
            else {
                continue;
            };
            let Ok(chain) = x509::chain_of(&pem) else {
                continue;
            };
            let ours = trust
                .as_ref()
                .is_ok_and(|t| t.verify(&chain).is_ok() || t.verify_client(&chain).is_ok());
            if ours {
                match entry("secret", name.clone(), &chain[0], &pki_serials) {
                    Ok(c) => certs.push(c),
                    Err(e) => unreadable(&name, format!("{name}: {e:#}")),
                }
            }
        }
    }

    for c in &certs {
        let (kind, what) = if c.days_left < 0 {
            (
                ClientFinding::Expired,
                format!("expired {} days ago", -c.days_left),
            )
        } else if c.days_left < critical {
            (
                ClientFinding::ExpiresCritical,
                format!(
                    "expires in {} days (critical under {critical} days)",
                    c.days_left
                ),
            )
        } else if c.days_left < warn {
            (
                ClientFinding::ExpiresSoon,
                format!(
                    "expires in {} days (warning under {warn} days)",
                    c.days_left
                ),
            )
        } else {
            continue;
        };
        let next = match c.source {
            "secret" => {
                let (ns, secret) = c.name.split_once('/').unwrap_or(("", &c.name));
                format!(
                    "kubectl vault-certs issue-client NAME --secret-namespace {ns} --secret {secret} --yes"
                )
            }
            _ => format!(
                "write a new certificate to auth/{}/certs/{}",
                args.cert_mount, c.name
            ),
        };
        findings.push(Finding::new(
            kind,
            &c.name,
            format!("{}: the client certificate {what}", c.name),
            Some(next),
        ));
    }
    let report = Clients {
        namespaces,
        warn_days: warn,
        critical_days: critical,
        certificates: certs,
        pki,
        findings,
    };
    output::print(session.format, &report, |r| {
        let rows = r
            .certificates
            .iter()
            .map(|c| {
                let tone = if c.days_left < r.critical_days {
                    Tone::Bad
                } else if c.days_left < r.warn_days {
                    Tone::Warn
                } else {
                    Tone::Good
                };
                vec![
                    Styled::new(c.source, Tone::Plain),
                    Styled::new(&c.name, Tone::Plain),
                    Styled::new(format!("{}d", c.days_left), tone),
                    Styled::new(&c.not_after, Tone::Plain),
                    Styled::new(&c.subject, Tone::Plain),
                    output::bool_cell(Some(c.in_pki)),
                ]
            })
            .collect();
        println!(
            "{}",
            output::table(
                &[
                    "SOURCE",
                    "NAME",
                    "DAYS LEFT",
                    "NOT AFTER",
                    "SUBJECT",
                    "IN PKI"
                ],
                rows
            )
        );
        if let Some(p) = &r.pki {
            println!(
                "PKI engine {}: {} issued certificates listed, {} expiring inside {} days, {} expired.",
                p.mount, p.issued, p.expiring_soon, r.warn_days, p.expired
            );
        }
        findings::print(&r.findings);
    })?;
    Ok(findings::exit(&report.findings))
}
