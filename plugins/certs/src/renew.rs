//! `renew` (and `--rollback`): a new server certificate from Vault's PKI engine (or signed here
//! with a CA key pair held in a Secret, `--ca-secret`) into the TLS Secret, the previous
//! contents kept in a backup Secret, then every pod reloaded by SIGHUP to
//! its server process — standbys first, the active node last — and checked, by a TLS
//! handshake, to serve the new certificate before the next. `--restart` restarts and unseals
//! the pods one at a time instead. A Secret that cert-manager owns is renewed through
//! cert-manager instead (`reissue`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, PostParams};
use serde::Serialize;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output::{self, Format, Progress, Task};
use vault_shared::procedures::restart::{self, Restart};
use vault_shared::procedures::steps::{Step, StepLog};
use vault_shared::session::Session;
use vault_shared::vault::pki::IssueRequest;
use vault_shared::{Exit, cluster, exec, keys, transport};
use zeroize::Zeroizing;

use crate::RenewArgs;
use crate::status::{self, ServerConfig};
use crate::{ca_secret, cert_manager, reissue, x509};

/// How long one exec or handshake may take.
const CALL: Duration = Duration::from_secs(15);
/// How long a pod may take to serve the new certificate after its SIGHUP.
const AFTER_SIGHUP: Duration = Duration::from_secs(20);
/// Labels the backup Secret with the Secret it keeps.
const BACKUP_OF: &str = "vault.kubectl-vault.io/backup-of";

/// The certificate, its key and where it goes: what the steps write.
struct NewCert {
    /// PEM written as tls.crt (the certificate and the CAs above it, without the trusted root).
    chain_pem: String,
    key_pem: Zeroizing<String>,
    info: x509::CertInfo,
}

/// What the plan is made of, read again after the confirmation.
#[derive(PartialEq)]
pub(crate) struct State {
    pub secret_name: String,
    /// The Secret's resourceVersion: a change by someone else refuses the write.
    pub secret_version: Option<String>,
    pub secret_sha256: Option<String>,
    /// Where the pods' listener reads its certificate.
    pub cert_file: String,
    pub names: Vec<String>,
    /// Pods with their UIDs, in reload order: standbys first, the active node last.
    pub pods: Vec<(String, String)>,
    pub active: String,
}

#[derive(Debug, Serialize)]
pub struct PodReload {
    pub pod: String,
    /// The pid of the server process the SIGHUP went to (inside the pod).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_pid: Option<u32>,
    pub serves_new: bool,
    pub seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub action: &'static str,
    pub secret: String,
    /// Where the previous contents are (none when cert-manager wrote the Secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
    /// The cert-manager Certificate that issued it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    pub serial: String,
    pub sha256: String,
    pub not_after: String,
    pub names: Vec<String>,
    pub method: &'static str,
    pub pods: Vec<PodReload>,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum RenewStep {
    Issue,
    Verify,
    Backup,
    Write,
    Reload,
}

impl Step for RenewStep {
    fn label(self) -> &'static str {
        match self {
            RenewStep::Issue => "issue the certificate",
            RenewStep::Verify => "check it against the trusted CA",
            RenewStep::Backup => "back up the Secret",
            RenewStep::Write => "write the Secret",
            RenewStep::Reload => "reload the pods",
        }
    }
    fn next(self, subject: &str) -> String {
        match self {
            RenewStep::Issue | RenewStep::Verify | RenewStep::Backup => {
                format!("nothing changed in {subject}: fix the cause and run renew again")
            }
            RenewStep::Write => format!("check Secret {subject}, then run renew again"),
            RenewStep::Reload => format!(
                "`kubectl vault-certs status` shows which pods serve the new certificate; reload the others with `kubectl vault-certs renew --restart` (from the Secret as it is now) or put the old one back with `kubectl vault-certs renew --rollback` ({subject})"
            ),
        }
    }
    fn number(self) -> usize {
        self as usize + 1
    }
}

fn backup_name(secret: &str) -> String {
    format!("{secret}-backup")
}

fn secrets(session: &Session) -> Api<Secret> {
    Api::namespaced(session.kube.client.clone(), &session.kube.namespace)
}

pub(crate) fn pem_of(secret: &Secret, key: &str) -> Option<String> {
    let b = secret.data.as_ref()?.get(key)?;
    String::from_utf8(b.0.clone()).ok()
}

pub(crate) fn sha256_of_pem(pem: &str) -> Option<String> {
    x509::first_pem(pem).ok().map(|d| x509::fingerprint(&d))
}

/// Reads the pods, the leader, the names in use and the TLS Secret; refuses what it cannot
/// read (fail closed).
pub(crate) async fn gather(session: &Session, args: &RenewArgs) -> Result<(State, Secret)> {
    let ns = session.kube.namespace.clone();
    let pods = session.kube.vault_pods(&[]).await?;
    if pods.is_empty() {
        bail!("no Vault pods in namespace {ns}");
    }
    // A listener without TLS (the charts' `global.tlsDisable`) serves no certificate: writing
    // one into a Secret would change nothing the pods serve.
    let plain: Vec<&str> = pods
        .iter()
        .filter(|p| !transport::endpoint(p, session.vault_args()).https)
        .map(cluster::name)
        .collect();
    if !plain.is_empty() {
        bail!(
            "{} serve{} plain HTTP (VAULT_ADDR/BAO_ADDR is http://, TLS disabled on the listener): there is no certificate to renew; enable TLS on the listener first. Nothing was changed",
            plain.join(", "),
            if plain.len() == 1 { "s" } else { "" }
        );
    }
    let config: ServerConfig = status::server_config(session).await;
    let mut names = Vec::new();
    let mut mounted = Vec::new();
    for pod in &pods {
        let release = cluster::owner_statefulset(pod)
            .unwrap_or("vault")
            .to_string();
        names.extend(status::names_in_use(pod, &ns, &release, &config));
        let ep = transport::endpoint(pod, session.vault_args());
        mounted.push(
            ep.ca_path
                .as_deref()
                .and_then(|p| status::mounted_secret(pod, p)),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
    let secret_name = match &args.secret {
        Some(s) => s.clone(),
        None => {
            let first = mounted[0].clone().ok_or_else(|| {
                anyhow!(
                    "{}: no TLS Secret is mounted where VAULT_CACERT points; name it with --secret",
                    cluster::name(&pods[0])
                )
            })?;
            if let Some(i) = mounted.iter().position(|m| m.as_ref() != Some(&first)) {
                bail!(
                    "the pods mount different TLS Secrets ({first} in {}, {:?} in {}); name the one to renew with --secret",
                    cluster::name(&pods[0]),
                    mounted[i],
                    cluster::name(&pods[i])
                );
            }
            first
        }
    };
    let secret = session.kube.secret(&secret_name).await?;
    let cert_file = config
        .tls_cert_file
        .clone()
        .unwrap_or_else(|| "/vault/userconfig/vault-tls/tls.crt".to_string());
    // The reload order needs the active node: no leader, no renewal.
    let views = session.views().await;
    let unreachable: Vec<&str> = views
        .iter()
        .filter(|v| !v.reachable)
        .map(|v| v.pod.as_str())
        .collect();
    if !unreachable.is_empty() {
        bail!(
            "cannot reach {}: every pod must answer before its certificate is replaced",
            unreachable.join(", ")
        );
    }
    let active = session.leader(&views)?.name.clone();
    let all: Vec<String> = pods.iter().map(|p| cluster::name(p).to_string()).collect();
    let uid: BTreeMap<&str, &str> = pods
        .iter()
        .map(|p| (cluster::name(p), cluster::uid(p)))
        .collect();
    let order = restart::order(&all, &views)
        .into_iter()
        .map(|p| {
            let u = uid.get(p.as_str()).copied().unwrap_or_default().to_string();
            (p, u)
        })
        .collect();
    let state = State {
        secret_name,
        secret_version: secret.metadata.resource_version.clone(),
        secret_sha256: pem_of(&secret, "tls.crt").and_then(|p| sha256_of_pem(&p)),
        cert_file,
        names,
        pods: order,
        active,
    };
    Ok((state, secret))
}

/// The CA the pods and clients trust: --ca-cert, else ca.crt of the Secret.
pub(crate) fn trusted_ca(session: &Session, secret: &Secret) -> Result<String> {
    match &session.vault_args().ca_cert {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("read --ca-cert {}", p.display()))
        }
        None => pem_of(secret, "ca.crt").ok_or_else(|| {
            anyhow!(
                "Secret {} has no ca.crt to check the new certificate against; give --ca-cert",
                secret.metadata.name.as_deref().unwrap_or("?")
            )
        }),
    }
}

pub async fn run(session: &Session, args: &RenewArgs) -> Result<Exit> {
    let (state, secret) = gather(session, args).await?;
    let ca_pem = trusted_ca(session, &secret)?;
    if let Some(certificate) = cert_manager::owner_name(&secret) {
        return reissue::run(session, args, state, ca_pem, certificate).await;
    }
    if args.role.is_none() && args.ca_secret.is_none() && !args.rollback {
        bail!(
            "Secret {} is not owned by cert-manager: say where the new certificate comes from, --role ROLE (Vault's PKI engine) or --ca-secret NAME (a CA key pair in a Secret)",
            state.secret_name
        );
    }
    let backup = backup_name(&state.secret_name);
    let existing_backup = secrets(session)
        .get_opt(&backup)
        .await
        .with_context(|| format!("read Secret {backup}"))?;
    let leader = session.target(&state.active)?;
    let (dns, ips): (Vec<String>, Vec<String>) = state
        .names
        .iter()
        .cloned()
        .partition(|n| n.parse::<std::net::IpAddr>().is_err());
    let role = args.role.clone().unwrap_or_default();
    let cn = dns
        .iter()
        .find(|n| n.ends_with(".svc"))
        .or(dns.first())
        .cloned()
        .unwrap_or_default();
    // Everything the steps need is checked before the first change.
    let local_ca = match &args.ca_secret {
        Some(name) => Some(load_local_ca(session, args, name, &ca_pem, &cn, &dns, &ips).await?),
        None => None,
    };
    let rollback_pem = if args.rollback {
        let b = existing_backup.as_ref().ok_or_else(|| {
            anyhow!("there is no backup Secret {backup} to roll back to; nothing was changed")
        })?;
        let pem = pem_of(b, "tls.crt")
            .filter(|_| pem_of(b, "tls.key").is_some())
            .ok_or_else(|| {
                anyhow!("backup Secret {backup} has no tls.crt and tls.key; nothing was changed")
            })?;
        Some(pem)
    } else if local_ca.is_some() {
        None
    } else {
        session.require_token("renew")?;
        let issue = format!("{}/issue/{role}", args.pki_mount.trim_matches('/'));
        session
            .require_capabilities(leader, "renew", &[(issue.as_str(), "update")])
            .await?;
        None
    };
    // The Kubernetes rights the steps use, asked before anything changes.
    let mut needed = vec![
        ("", "update", "secrets", Some(state.secret_name.as_str())),
        ("", "get", "pods/exec", None),
        ("", "create", "events", None),
    ];
    if !args.rollback {
        needed.push(if existing_backup.is_some() {
            ("", "update", "secrets", Some(backup.as_str()))
        } else {
            ("", "create", "secrets", None)
        });
    }
    if args.restart {
        needed.push(("", "delete", "pods", None));
    }
    require_rights(session, &needed).await?;
    let shares = restart_keys(session, args).await?;

    let order: Vec<&str> = state.pods.iter().map(|(p, _)| p.as_str()).collect();
    let mut plan = Plan::new(if args.rollback {
        format!("roll back Secret {} from {backup}", state.secret_name)
    } else {
        format!("renew the certificate in Secret {}", state.secret_name)
    });
    if let Some(pem) = &rollback_pem {
        let info = x509::first_pem(pem).and_then(|d| x509::parse(&d))?;
        plan.step(format!(
            "check the saved certificate (serial {}, not after {}) against the trusted CA",
            info.serial, info.not_after
        ));
        plan.step(format!("write it back into Secret {}", state.secret_name));
    } else {
        plan.step(match (&args.ca_secret, &local_ca) {
            (Some(name), Some((ca, _))) => format!(
                "sign a certificate with the CA in Secret {name} ({}, not after {}; ttl {}) for {}",
                ca.info.subject,
                ca.info.not_after,
                args.ttl,
                state.names.join(", ")
            ),
            _ => format!(
                "issue a certificate from {}/issue/{role} (ttl {}) for {}",
                args.pki_mount,
                args.ttl,
                state.names.join(", ")
            ),
        });
        plan.step("check its chain against the trusted CA and that it covers every name");
        plan.step(match &existing_backup {
            Some(_) => format!(
                "save Secret {} as {backup} (replacing the older backup)",
                state.secret_name
            ),
            None => format!("save Secret {} as {backup}", state.secret_name),
        });
        plan.step(format!(
            "write the new certificate and key into Secret {}",
            state.secret_name
        ));
    }
    if !confirm_with_reload(session, args, plan, &order)? {
        return Ok(Exit::Healthy);
    }
    // What the plan was made of must still hold.
    let (now, secret) = gather(session, args).await?;
    if now != state {
        bail!(
            "the cluster changed while waiting for the confirmation (pods, the active node or Secret {}); nothing was changed: run the command again to see the new plan",
            state.secret_name
        );
    }

    let progress = Progress::new();
    let task = progress.task(&state.secret_name);
    let mut log: StepLog<RenewStep> = StepLog::new(
        if args.rollback {
            "rollback of"
        } else {
            "renewal of"
        },
        &state.secret_name,
        5,
        task,
    );
    let new = if let Some(pem) = &rollback_pem {
        let b = existing_backup.as_ref().expect("checked above");
        let key = Zeroizing::new(pem_of(b, "tls.key").unwrap_or_default());
        let info = x509::first_pem(pem).and_then(|d| x509::parse(&d))?;
        NewCert {
            chain_pem: pem.clone(),
            key_pem: key,
            info,
        }
    } else if let (Some(name), Some((before, ttl))) = (&args.ca_secret, &local_ca) {
        log.run(RenewStep::Issue, async {
            // Read again after the confirmation: the CA signing is the one the plan named.
            let ca = ca_secret::load(name, session.kube.secret(name).await?)?;
            if ca.info.sha256 != before.info.sha256 {
                bail!("the CA in Secret {name} changed while waiting for the confirmation; run the command again to see the new plan");
            }
            let signed = ca.sign(&cn, &dns, &ips, *ttl)?;
            let chain_pem = chain_for(&signed.cert_pem, &x509::pem_blocks(&ca.cert_pem), &ca_pem);
            let info = x509::first_pem(&chain_pem).and_then(|d| x509::parse(&d))?;
            Ok(NewCert {
                chain_pem,
                key_pem: signed.key_pem,
                info,
            })
        })
        .await?
    } else {
        let issued = log
            .run(RenewStep::Issue, async {
                leader
                    .client
                    .pki_issue(
                        &args.pki_mount,
                        &role,
                        &IssueRequest {
                            common_name: &cn,
                            dns_names: &dns,
                            ip_sans: &ips,
                            ttl: &args.ttl,
                        },
                    )
                    .await
                    .map_err(|e| session.explain(e, "issue the certificate"))
            })
            .await?;
        let chain_pem = chain_for(&issued.certificate, &issued.ca_chain, &ca_pem);
        let info = x509::first_pem(&chain_pem).and_then(|d| x509::parse(&d))?;
        NewCert {
            chain_pem,
            key_pem: issued.private_key,
            info,
        }
    };
    log.run(RenewStep::Verify, async {
        let chain = x509::chain_of(&new.chain_pem)?;
        x509::verify_chain(&chain, &ca_pem)
            .map_err(|e| anyhow!("the new chain does not verify against the trusted CA: {e}"))?;
        let missing: Vec<&str> = state
            .names
            .iter()
            .filter(|n| !x509::covers(&new.info.sans, n))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            bail!(
                "the new certificate does not cover {} (it names {})",
                missing.join(", "),
                new.info.sans.join(", ")
            );
        }
        if new.info.not_after_unix <= jiff::Timestamp::now().as_second() {
            bail!(
                "the new certificate is already expired ({})",
                new.info.not_after
            );
        }
        Ok(())
    })
    .await?;
    if !args.rollback {
        log.run(RenewStep::Backup, write_backup(session, &secret, &backup))
            .await?;
    }
    log.run(RenewStep::Write, write_secret(session, &secret, &new))
        .await?;
    session
        .record_on(
            &secret,
            Note::normal(
                if args.rollback { "CertificateRolledBack" } else { "CertificateRenewed" },
                "Renew",
                &format!(
                    "tls.crt now holds serial {} (sha256 {}, not after {}); previous contents in {backup}",
                    new.info.serial, new.info.sha256, new.info.not_after
                ),
            ),
        )
        .await;

    log.start(RenewStep::Reload);
    let reloads = reload_all(
        session,
        args,
        &order,
        shares.as_deref(),
        &new.info.sha256,
        &state.cert_file,
        &progress,
    )
    .await
    .map_err(|e| log.failed(RenewStep::Reload, e))?;
    let report = Report {
        action: if args.rollback { "rollback" } else { "renew" },
        secret: state.secret_name.clone(),
        backup: Some(backup),
        certificate: None,
        serial: new.info.serial.clone(),
        sha256: new.info.sha256.clone(),
        not_after: new.info.not_after.clone(),
        names: new.info.sans.clone(),
        method: if args.restart { "restart" } else { "sighup" },
        pods: reloads,
    };
    print_report(session, &report)?;
    Ok(Exit::Healthy)
}

/// Refuses, before anything changes, when the user may not do one of `needed`: (API group,
/// verb, resource, name), asked by SelfSubjectAccessReview.
pub(crate) async fn require_rights(
    session: &Session,
    needed: &[(&str, &str, &str, Option<&str>)],
) -> Result<()> {
    let mut missing = Vec::new();
    for (group, verb, resource, name) in needed {
        if !session
            .kube
            .can_i_in_group(group, verb, resource, *name)
            .await?
        {
            let resource = if group.is_empty() {
                resource.to_string()
            } else {
                format!("{resource}.{group}")
            };
            missing.push(format!(
                "{verb} {resource}{}",
                name.map(|n| format!(" {n}")).unwrap_or_default()
            ));
        }
    }
    if !missing.is_empty() {
        bail!(
            "not allowed in namespace {}: {}; nothing was changed (ask for these RBAC permissions)",
            session.kube.namespace,
            missing.join(", ")
        );
    }
    Ok(())
}

/// The unseal keys `--restart` needs (required on a Shamir seal); None without --restart.
pub(crate) async fn restart_keys(
    session: &Session,
    args: &RenewArgs,
) -> Result<Option<Vec<keys::Share>>> {
    if !args.restart {
        return Ok(None);
    }
    let shamir = session
        .views()
        .await
        .iter()
        .any(|v| v.seal_type.as_deref().is_none_or(|t| t == "shamir"));
    let shares = keys::load(&args.keys, Some(&session.kube)).await?;
    if shamir && shares.is_none() {
        bail!(
            "--restart on a Shamir-sealed cluster needs the unseal keys (--keys-file or --keys-secret); nothing was changed"
        );
    }
    Ok(shares)
}

/// Makes every pod in `order` serve the certificate `sha256`: SIGHUP to its server one pod at
/// a time (stopping at the first that does not pick it up), or with --restart the shared
/// rolling restart; then each is checked by a fresh handshake.
pub(crate) async fn reload_all(
    session: &Session,
    args: &RenewArgs,
    order: &[&str],
    shares: Option<&[keys::Share]>,
    sha256: &str,
    cert_file: &str,
    progress: &Progress,
) -> Result<Vec<PodReload>> {
    let mut out = Vec::new();
    if args.restart {
        let names: Vec<String> = order.iter().map(|s| s.to_string()).collect();
        let how = Restart {
            shares,
            timeout: args.timeout,
            why: "kubectl-vault restarts the pod to load the renewed TLS certificate",
            only_unhealthy: false,
        };
        restart::rolling_restart(session, &names, &how, progress)
            .await
            .map_err(|s| anyhow!(s))?;
        for p in order {
            let started = Instant::now();
            await_fingerprint(session, p, args, sha256, args.timeout).await?;
            out.push(PodReload {
                pod: p.to_string(),
                server_pid: None,
                serves_new: true,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        return Ok(out);
    }
    for (i, p) in order.iter().enumerate() {
        let task = progress.task(p);
        match reload(session, p, args, cert_file, sha256, &task).await {
            Ok(r) => {
                task.finish(&format!("serves the new certificate ({:.1}s)", r.seconds));
                session
                    .record(p, Note::normal("CertificateReloaded", "Reload", &format!("SIGHUP to its Vault server (pid {} in the pod); it serves sha256 {sha256}", r.server_pid.unwrap_or(0))))
                    .await;
                out.push(r);
            }
            Err(e) => {
                task.clear();
                session
                    .record(
                        p,
                        Note::warning("CertificateReloadFailed", "Reload", &format!("{e:#}")),
                    )
                    .await;
                let list = |pods: &[&str]| {
                    if pods.is_empty() {
                        "none".to_string()
                    } else {
                        pods.join(", ")
                    }
                };
                bail!(
                    "{p}: {e:#}; reloaded before it: {}; not reloaded: {}",
                    list(&order[..i]),
                    list(&order[i + 1..])
                );
            }
        }
    }
    Ok(out)
}

/// Adds the reload step to `plan` and asks for it: false when the answer is no or a dry run
/// (the plan is then printed).
pub(crate) fn confirm_with_reload(
    session: &Session,
    args: &RenewArgs,
    mut plan: Plan,
    order: &[&str],
) -> Result<bool> {
    if args.restart {
        plan.step(format!(
            "restart the pods one at a time, unsealing each: {} (the active node last, after a step-down)",
            order.join(", ")
        ));
    } else {
        plan.step(format!(
            "for each pod in turn ({}; the active node last): wait until its volume holds the new certificate, send SIGHUP to its Vault server process, check it serves the new certificate; stop at the first that does not",
            order.join(", ")
        ));
    }
    if !args.confirm.confirm(&plan)? {
        if session.format == Format::Table {
            plan.print_dry_run();
        } else {
            output::print_data(session.format, &plan)?;
        }
        return Ok(false);
    }
    Ok(true)
}

pub(crate) fn print_report(session: &Session, report: &Report) -> Result<()> {
    output::print(session.format, report, |r| {
        println!(
            "Secret {} holds serial {} (sha256 {}, not after {}){}.",
            r.secret,
            r.serial,
            short(&r.sha256),
            r.not_after,
            match (&r.backup, &r.certificate) {
                (Some(b), _) => format!("; the previous one is in {b}"),
                (None, Some(c)) => format!(", issued by cert-manager for Certificate {c}"),
                (None, None) => String::new(),
            }
        );
        for p in &r.pods {
            println!(
                "  {}: serves the new certificate ({}, {:.1}s)",
                p.pod, r.method, p.seconds
            );
        }
    })?;
    Ok(())
}

pub(crate) fn short(fp: &str) -> &str {
    &fp[..fp.len().min(16)]
}

/// tls.crt: the leaf and the CAs above it, without those the clients already trust.
fn chain_for(leaf: &str, cas: &[String], trusted_pem: &str) -> String {
    let trusted: Vec<String> = ca_fingerprints(trusted_pem);
    let mut chain_pem = leaf.trim().to_string();
    for ca in cas {
        if sha256_of_pem(ca).is_some_and(|f| !trusted.contains(&f)) {
            chain_pem.push('\n');
            chain_pem.push_str(ca.trim());
        }
    }
    chain_pem.push('\n');
    chain_pem
}

/// The CA of `--ca-secret`, checked before anything changes: a CA whose key matches it, and
/// whose certificates (a probe signed for `names`, discarded) verify against the trusted CA.
#[allow(clippy::too_many_arguments)]
async fn load_local_ca(
    session: &Session,
    args: &RenewArgs,
    name: &str,
    trusted_pem: &str,
    cn: &str,
    dns: &[String],
    ips: &[String],
) -> Result<(ca_secret::LocalCa, Duration)> {
    let ttl = vault_shared::cli::parse_duration(&args.ttl)
        .map_err(|e| anyhow!("--ttl: {e}; nothing was changed"))?;
    let secret = secrets(session)
        .get_opt(name)
        .await
        .with_context(|| format!("read the CA Secret {name}"))?
        .ok_or_else(|| {
            anyhow!(
                "there is no CA Secret {name} in namespace {}; nothing was changed",
                session.kube.namespace
            )
        })?;
    let ca = ca_secret::load(name, secret).map_err(|e| anyhow!("{e:#}; nothing was changed"))?;
    let probe = ca.sign(cn, dns, ips, ttl)?;
    let chain = x509::chain_of(&chain_for(
        &probe.cert_pem,
        &x509::pem_blocks(&ca.cert_pem),
        trusted_pem,
    ))?;
    x509::verify_chain(&chain, trusted_pem).map_err(|e| {
        anyhow!(
            "certificates signed by the CA in Secret {name} ({}) do not verify against the CA the pods and clients trust: {e}; nothing was changed",
            ca.info.subject
        )
    })?;
    Ok((ca, ttl))
}

fn ca_fingerprints(pem: &str) -> Vec<String> {
    x509::chain_of(pem)
        .map(|c| c.iter().map(|d| x509::fingerprint(d)).collect())
        .unwrap_or_default()
}

/// Saves the Secret's data as `<secret>-backup` (replacing an older backup).
async fn write_backup(session: &Session, secret: &Secret, name: &str) -> Result<()> {
    let api = secrets(session);
    let mut labels = BTreeMap::new();
    labels.insert(
        BACKUP_OF.to_string(),
        secret.metadata.name.clone().unwrap_or_default(),
    );
    let mut backup = Secret {
        data: secret.data.clone(),
        type_: secret.type_.clone(),
        ..Secret::default()
    };
    backup.metadata.name = Some(name.to_string());
    backup.metadata.labels = Some(labels);
    match api
        .get_opt(name)
        .await
        .with_context(|| format!("read Secret {name}"))?
    {
        Some(old) => {
            backup.metadata.resource_version = old.metadata.resource_version;
            session
                .kube
                .call(
                    &format!("replace Secret {name}"),
                    api.replace(name, &PostParams::default(), &backup),
                )
                .await?;
        }
        None => {
            session
                .kube
                .call(
                    &format!("create Secret {name}"),
                    api.create(&PostParams::default(), &backup),
                )
                .await?;
        }
    }
    Ok(())
}

/// Writes tls.crt and tls.key, on the version read after the confirmation (a concurrent change
/// is a conflict, not overwritten).
async fn write_secret(session: &Session, secret: &Secret, new: &NewCert) -> Result<()> {
    let name = secret.metadata.name.clone().unwrap_or_default();
    let mut updated = secret.clone();
    let data = updated.data.get_or_insert_with(BTreeMap::new);
    data.insert(
        "tls.crt".into(),
        ByteString(new.chain_pem.as_bytes().to_vec()),
    );
    data.insert(
        "tls.key".into(),
        ByteString(new.key_pem.as_bytes().to_vec()),
    );
    updated.metadata.managed_fields = None;
    session
        .kube
        .call(
            &format!("write Secret {name}"),
            secrets(session).replace(&name, &PostParams::default(), &updated),
        )
        .await?;
    // The copy in `updated` held the key: clear it.
    if let Some(d) = updated.data.as_mut()
        && let Some(k) = d.get_mut("tls.key")
    {
        zeroize::Zeroize::zeroize(&mut k.0);
    }
    Ok(())
}

fn container(pod: &Pod) -> Option<String> {
    cluster::vault_container(pod).map(|c| c.name.clone())
}

/// Finds the Vault server process inside the pod (not assumed to be PID 1): the process whose
/// command is `vault server …` or `bao server …`.
const FIND_SERVER: &str = r#"for d in /proc/[0-9]*; do
  [ -r "$d/cmdline" ] || continue
  set -- $(tr '\000' ' ' < "$d/cmdline" 2>/dev/null)
  case "${1##*/}" in vault|bao) [ "$2" = server ] && echo "${d#/proc/}" ;; esac
done"#;

/// One pod: its volume shows the new certificate, SIGHUP to its server, then it must serve
/// the new fingerprint (and still be unsealed).
async fn reload(
    session: &Session,
    pod: &str,
    args: &RenewArgs,
    cert_file: &str,
    sha256: &str,
    task: &Task,
) -> Result<PodReload> {
    let started = Instant::now();
    let kube = &session.kube;
    let p = kube
        .pod(pod)
        .await?
        .ok_or_else(|| anyhow!("pod {pod} is gone"))?;
    let c = container(&p);
    task.step("waiting until its volume holds the new certificate");
    let deadline = Instant::now() + args.timeout;
    loop {
        let out = exec::run(kube, pod, c.as_deref(), &["cat", cert_file], CALL).await?;
        if out.success && sha256_of_pem(&out.stdout).as_deref() == Some(sha256) {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "its volume did not show the new certificate at {cert_file} within {:?} (the kubelet syncs Secret volumes; --timeout waits longer)",
                args.timeout
            );
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    task.step("finding its Vault server process");
    let out = exec::run(kube, pod, c.as_deref(), &["sh", "-c", FIND_SERVER], CALL).await?;
    if !out.success {
        bail!(
            "could not list its processes: {}",
            out.message.unwrap_or_else(|| out.stderr.trim().to_string())
        );
    }
    let pids: Vec<u32> = out
        .stdout
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    let pid = match pids.as_slice() {
        [one] => *one,
        [] => bail!("no `vault server` or `bao server` process is visible in the pod"),
        many => bail!(
            "more than one Vault server process in the pod ({many:?}); not guessing which to signal"
        ),
    };
    task.step(&format!("SIGHUP to pid {pid}"));
    let arg = pid.to_string();
    let out = exec::run(
        kube,
        pod,
        c.as_deref(),
        &["sh", "-c", "kill -HUP \"$1\"", "sh", &arg],
        CALL,
    )
    .await?;
    if !out.success {
        bail!(
            "kill -HUP {pid} failed: {}",
            out.message.unwrap_or_else(|| out.stderr.trim().to_string())
        );
    }
    task.step("checking what it serves");
    await_fingerprint(session, pod, args, sha256, AFTER_SIGHUP)
        .await
        .map_err(|e| anyhow!("{e:#}: it did not pick up the new certificate on SIGHUP"))?;
    let sealed = session
        .target(pod)?
        .client
        .seal_status()
        .await
        .map(|s| s.sealed);
    match sealed {
        Ok(false) => {}
        Ok(true) => bail!("it is sealed after the reload"),
        Err(e) => bail!("its seal status could not be read after the reload: {e}"),
    }
    Ok(PodReload {
        pod: pod.to_string(),
        server_pid: Some(pid),
        serves_new: true,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Waits until a fresh TLS handshake with `pod` shows the certificate `sha256`.
pub(crate) async fn await_fingerprint(
    session: &Session,
    pod: &str,
    args: &RenewArgs,
    sha256: &str,
    within: Duration,
) -> Result<()> {
    let p = session
        .kube
        .pod(pod)
        .await?
        .ok_or_else(|| anyhow!("pod {pod} is gone"))?;
    let ep = transport::endpoint(&p, session.vault_args());
    let ns = &session.kube.namespace;
    let release = cluster::owner_statefulset(&p).unwrap_or("vault");
    let sni = args
        .server_name
        .clone()
        .unwrap_or_else(|| format!("{release}.{ns}.svc"));
    let deadline = Instant::now() + within;
    loop {
        let served = transport::peer_chain(&session.kube, pod, ep.port, &sni, CALL)
            .await
            .map(|c| x509::fingerprint(&c[0]));
        match served {
            Ok(fp) if fp == sha256 => return Ok(()),
            Ok(fp) if Instant::now() > deadline => {
                bail!("after {within:?} it still serves sha256 {}", short(&fp))
            }
            Err(e) if Instant::now() > deadline => return Err(e),
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}
