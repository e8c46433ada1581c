//! `status`: the certificate each pod serves, from a real TLS handshake through a
//! port-forward, judged against the trusted CA, the names in use and the TLS Secret.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use futures::FutureExt;
use k8s_openapi::api::core::v1::{Pod, Secret};
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use vault_shared::cli::VaultArgs;
use vault_shared::cluster::Kube;
use vault_shared::findings::{self, Finding};
use vault_shared::output::{self, Styled, Tone};
use vault_shared::session::Session;
use vault_shared::target::Target;
use vault_shared::transport::{self, CaReads, CaSource, PeerChain};
use vault_shared::{Exit, cluster, fanout};

use crate::cert_manager::{self, Owner};
use crate::x509::{self, CertInfo};
use crate::{StatusArgs, renew};

/// How long one pod's handshake and reads may take.
const POD_DEADLINE: Duration = Duration::from_secs(15);

const DAY: i64 = 86_400;

vault_shared::finding_kinds! {
    /// What `status` flags; serialised to the names the README documents.
    pub enum CertFinding {
        Expired => "expired",
        ExpiresSoon => "expires_soon",
        ExpiresCritical => "expires_critical",
        SanGap => "san_gap",
        NotReloaded => "renewed_not_reloaded",
        UntrustedChain => "untrusted_chain",
        CaExpiresSoon => "ca_expires_soon",
        Unreadable => "unreadable",
        CertificateNotReady => "certificate_not_ready",
        CertificateIssuanceFailed => "certificate_issuance_failed",
    }
}

#[derive(Debug, Default, Serialize)]
pub struct PodCert {
    pub pod: String,
    pub server_name: String,
    pub port: u16,
    /// The pod's listener serves plain HTTP (its VAULT_ADDR/BAO_ADDR is `http://`, the
    /// charts' `global.tlsDisable`): no certificate to check.
    pub plain_http: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub served: Option<CertInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    /// Whether the served chain verifies against the trusted CA (`chain_error` says why not).
    pub chain_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain_error: Option<String>,
    pub names_in_use: Vec<String>,
    pub names_missing: Vec<String>,
    /// The TLS Secret mounted in the pod, and whether the pod serves its certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_sha256: Option<String>,
    pub serves_secret: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca: Option<CertInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_days_left: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Status {
    pub warn_days: i64,
    pub critical_days: i64,
    pub pods: Vec<PodCert>,
    /// cert-manager Certificates that own the pods' TLS Secrets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cert_manager: Vec<Owner>,
    pub findings: Vec<Finding<CertFinding>>,
}

/// Handshakes started before the session was set up, by pod name (see [`start_handshakes`]).
pub type Handshakes = std::sync::Mutex<BTreeMap<String, PeerChain>>;

/// Starts the TLS handshake with each of `pods` (what [`run`] would ask each for), each on its
/// own task; a pod whose handshake cannot be started is left to [`run`], and a plain-HTTP pod
/// gets none (it has no certificate to show). The ConfigMaps the pods mount (the server
/// configuration [`run`] reads) are read meanwhile, into `reads`.
pub fn start_handshakes(
    kube: &Kube,
    reads: &Arc<CaReads>,
    pods: &[Pod],
    vault: &VaultArgs,
    args: &StatusArgs,
) -> Handshakes {
    let mut maps: Vec<&str> = pods.iter().flat_map(cluster::config_maps).collect();
    maps.sort();
    maps.dedup();
    for m in maps {
        let (kube, reads, m) = (kube.clone(), reads.clone(), m.to_string());
        tokio::spawn(async move {
            let _ = reads.config_map(&kube, &m).await;
        });
    }
    let (api, namespace) = (kube.pods(), kube.namespace.as_str());
    let started = pods
        .iter()
        .filter_map(|pod| {
            let name = cluster::name(pod);
            let ep = transport::endpoint(pod, vault);
            if !ep.https {
                return None;
            }
            let port = ep.port;
            let sni = server_name_in(namespace, pod, args);
            let chain = PeerChain::start(api.clone(), name, port, &sni, POD_DEADLINE).ok()?;
            Some((name.to_string(), chain))
        })
        .collect();
    std::sync::Mutex::new(started)
}

pub async fn run(session: &Session, args: &StatusArgs, early: Handshakes) -> Result<Exit> {
    let ca_flag = match &session.vault_args().ca_cert {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("read --ca-cert {}", p.display()))?,
        ),
        None => None,
    };
    let now = jiff::Timestamp::now().as_second();
    // The handshakes, the TLS Secrets (trusted CA, stored certificate, cert-manager owner; each
    // read once, however many pods mount it) and the server configuration do not depend on
    // each other: one round of waiting, not one after another. Each pod is judged as soon as
    // its own handshake is over (and the reads are in), while the others' still run.
    let read = async {
        let (config, secrets) = tokio::join!(server_config(session), tls_secrets(session));
        vault_shared::timing::mark("configuration and TLS Secrets read");
        Arc::new((config, secrets))
    }
    .shared();
    let judging = Judging {
        ca_flag: ca_flag.as_deref(),
        now,
        trusts: x509::Trusts::default(),
    };
    let judged = session.targets.iter().map(|t| {
        let (read, early, judging) = (read.clone(), &early, &judging);
        async move {
            let served = fanout::each_pod(std::slice::from_ref(t), POD_DEADLINE, |t| {
                served(session, t, args, early)
            });
            let (name, served) = served.await.pop().expect("one pod in, one result out");
            let read = read.await;
            let (config, secrets) = &*read;
            served
                .and_then(|s| pod_cert(session, s, args, judging, config, secrets))
                .unwrap_or_else(|e| PodCert {
                    pod: name,
                    error: Some(format!("{e:#}")),
                    ..PodCert::default()
                })
        }
    });
    let (pods, read): (Vec<PodCert>, _) = tokio::join!(futures::future::join_all(judged), read);
    let secrets = &read.1;
    // The owners of the Secrets that the pods whose certificate could be read mount.
    let owners = secrets
        .iter()
        .filter(|(name, _)| pods.iter().any(|p| p.secret.as_ref() == Some(*name)))
        .filter_map(|(_, s)| s.owner.clone())
        .collect();
    let mut status = Status {
        warn_days: args.warn.as_secs() as i64 / DAY,
        critical_days: args.critical.as_secs() as i64 / DAY,
        pods,
        cert_manager: owners,
        findings: Vec::new(),
    };
    status.findings = findings_of(&status, args);
    vault_shared::timing::mark("judged");
    output::print(session.format, &status, |s| {
        println!("{}", table(s));
        let plain: Vec<&str> = s
            .pods
            .iter()
            .filter(|p| p.plain_http)
            .map(|p| p.pod.as_str())
            .collect();
        if !plain.is_empty() {
            println!(
                "No TLS: {} serve{} plain HTTP (VAULT_ADDR/BAO_ADDR is http://): no certificate to check.",
                plain.join(", "),
                if plain.len() == 1 { "s" } else { "" }
            );
        }
        for o in &s.cert_manager {
            println!("{}", o.line());
        }
        findings::print(&s.findings);
    })?;
    Ok(findings::exit(&status.findings))
}

/// The names a pod's certificate must cover: its own DNS names under the headless Service,
/// the Service names clients use, the host in its VAULT_ADDR, the retry_join leaders and
/// the host of the configuration's `api_addr` (other nodes and redirected clients call it).
pub(crate) fn names_in_use(
    pod: &Pod,
    ns: &str,
    release: &str,
    config: &ServerConfig,
) -> Vec<String> {
    let name = cluster::name(pod);
    let sts = cluster::owner_statefulset(pod).unwrap_or(release);
    // Each name also in its fully qualified form (the default cluster domain), as the chart's
    // TLS guide issues them: clients in other namespaces and Go resolvers use it.
    let mut names = vec![
        format!("{name}.{sts}-internal"),
        format!("{name}.{sts}-internal.{ns}.svc"),
        format!("{name}.{sts}-internal.{ns}.svc.cluster.local"),
        release.to_string(),
        format!("{release}.{ns}"),
        format!("{release}.{ns}.svc"),
        format!("{release}.{ns}.svc.cluster.local"),
    ];
    if let Some(host) = cluster::env_value(pod, &["VAULT_ADDR", "BAO_ADDR"])
        .and_then(|a| a.parse::<http::Uri>().ok())
        .and_then(|u| u.host().map(|h| h.trim_matches(['[', ']']).to_string()))
    {
        names.push(host);
    }
    names.extend(config.retry_join.iter().cloned());
    if let Some(api) = &config.api_addr {
        // The chart's entrypoint puts the pod's IP for POD_IP and its name for HOSTNAME (also
        // as $(POD_IP), $(HOSTNAME)): `https://HOSTNAME.vault-internal:8200` is this pod's name.
        let ip = cluster::pod_ip(pod).unwrap_or("POD_IP");
        let addr = api
            .replace("$(POD_IP)", ip)
            .replace("POD_IP", ip)
            .replace("$(HOSTNAME)", name)
            .replace("HOSTNAME", name);
        if let Some(h) = host_of(&addr) {
            names.push(h);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

/// What the certificate checks need from the server configuration in the ConfigMaps the pods
/// mount.
#[derive(Debug, Default, Clone)]
pub(crate) struct ServerConfig {
    /// Hosts of `leader_api_addr` in retry_join blocks.
    pub retry_join: Vec<String>,
    /// `api_addr`, as written (POD_IP not yet substituted).
    pub api_addr: Option<String>,
    /// The listener's `tls_cert_file`.
    pub tls_cert_file: Option<String>,
}

fn host_of(addr: &str) -> Option<String> {
    let uri = addr.trim().trim_matches('"').parse::<http::Uri>().ok()?;
    uri.host().map(|h| h.trim_matches(['[', ']']).to_string())
}

/// The value of `key = "value"` on a configuration line.
fn setting<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(key)?.trim_start();
    Some(rest.strip_prefix('=')?.trim().trim_matches('"'))
}

/// Reads [`ServerConfig`] from the ConfigMaps the pods mount (empty parts when the
/// configuration has none); each read once for the run (see [`start_handshakes`]).
pub(crate) async fn server_config(session: &Session) -> ServerConfig {
    let mut config = ServerConfig::default();
    let mut maps: Vec<&str> = session
        .all_pods
        .iter()
        .flat_map(cluster::config_maps)
        .collect();
    maps.sort();
    maps.dedup();
    for m in maps {
        let Ok(Some(cm)) = session.reads().config_map(&session.kube, m).await else {
            continue;
        };
        for text in cm.data.iter().flat_map(|d| d.values()) {
            for line in text.lines() {
                let line = line.trim();
                if let Some(h) = setting(line, "leader_api_addr").and_then(host_of) {
                    config.retry_join.push(h);
                }
                if let Some(a) = setting(line, "api_addr") {
                    config.api_addr.get_or_insert_with(|| a.to_string());
                }
                if let Some(f) = setting(line, "tls_cert_file") {
                    config.tls_cert_file.get_or_insert_with(|| f.to_string());
                }
            }
        }
    }
    config
}

/// The Secret volume mounted over the directory of `path` in `pod`.
pub(crate) fn mounted_secret(pod: &Pod, path: &str) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let mount = spec
        .containers
        .iter()
        .flat_map(|c| c.volume_mounts.iter().flatten())
        .filter(|m| path.starts_with(&format!("{}/", m.mount_path.trim_end_matches('/'))))
        .max_by_key(|m| m.mount_path.len())?;
    spec.volumes
        .iter()
        .flatten()
        .find(|v| v.name == mount.name)?
        .secret
        .as_ref()?
        .secret_name
        .clone()
}

fn days_left(info: &CertInfo, now: i64) -> i64 {
    (info.not_after_unix - now).div_euclid(DAY)
}

/// A TLS Secret the pods mount, read once for all of them.
struct TlsSecret {
    secret: Result<Secret, String>,
    /// The cert-manager Certificate that owns it, if one does.
    owner: Option<Owner>,
}

/// The TLS Secrets mounted where the selected pods' VAULT_CACERT points, by name.
async fn tls_secrets(session: &Session) -> BTreeMap<String, TlsSecret> {
    let names: BTreeSet<String> = session
        .reachable()
        .filter_map(|t| t.pod.as_ref())
        .filter_map(|pod| {
            let ep = transport::endpoint(pod, session.vault_args());
            mounted_secret(pod, ep.ca_path.as_deref()?)
        })
        .collect();
    let reads = names.into_iter().map(|name| async move {
        // The read that found the CA, when there was one: the Secret is not read twice.
        let secret =
            tokio::time::timeout(POD_DEADLINE, session.reads().secret(&session.kube, &name))
                .await
                .map_err(|_| format!("get secret {name}: no answer within {POD_DEADLINE:?}"))
                .and_then(|r| r);
        let owner = match &secret {
            Ok(s) => cert_manager::status_of(session, s).await,
            Err(_) => None,
        };
        (name, TlsSecret { secret, owner })
    });
    futures::future::join_all(reads).await.into_iter().collect()
}

/// What a pod serves: its chain from the handshake; and the CA it trusts when that comes
/// from a ConfigMap rather than from its TLS Secret.
struct Served<'a> {
    target: &'a Target,
    pod: &'a Pod,
    /// None: the listener is plain HTTP (no handshake was tried).
    chain: Option<Vec<CertificateDer<'static>>>,
    ca_in_config_map: Option<Result<String, String>>,
}

async fn served<'a>(
    session: &Session,
    t: &'a Target,
    args: &StatusArgs,
    early: &Handshakes,
) -> Result<Served<'a>> {
    let pod = t
        .pod
        .as_ref()
        .with_context(|| format!("{}: no pod", t.name))?;
    let ep = transport::endpoint(pod, session.vault_args());
    if !ep.https {
        return Ok(Served {
            target: t,
            pod,
            chain: None,
            ca_in_config_map: None,
        });
    }
    let server_name = server_name(session, pod, args);
    let config_map_ca = async {
        let path = ep.ca_path.as_deref()?;
        match transport::ca_source(pod, path) {
            Ok(CaSource::ConfigMap { .. }) if session.vault_args().ca_cert.is_none() => Some(
                session
                    .reads()
                    .discover(&session.kube, pod, path)
                    .await
                    .map_err(|e| format!("{e:#}")),
            ),
            _ => None,
        }
    };
    let started = early.lock().ok().and_then(|mut e| e.remove(&t.name));
    let chain = async {
        match started {
            Some(handshake) => handshake.chain().await,
            None => {
                transport::peer_chain(&session.kube, &t.name, ep.port, &server_name, POD_DEADLINE)
                    .await
            }
        }
    };
    let (chain, ca_in_config_map) = tokio::join!(chain, config_map_ca);
    Ok(Served {
        target: t,
        pod,
        chain: Some(chain?),
        ca_in_config_map,
    })
}

/// The chart names the StatefulSet and the Service after the release.
fn release(pod: &Pod) -> String {
    cluster::owner_statefulset(pod)
        .unwrap_or("vault")
        .to_string()
}

/// The TLS server name (SNI) to ask `pod` for.
fn server_name(session: &Session, pod: &Pod, args: &StatusArgs) -> String {
    server_name_in(&session.kube.namespace, pod, args)
}

fn server_name_in(namespace: &str, pod: &Pod, args: &StatusArgs) -> String {
    args.server_name
        .clone()
        .unwrap_or_else(|| format!("{}.{namespace}.svc", release(pod)))
}

/// What every pod is judged with: the CA given on the command line, the time, and the CA
/// bundles already read (most pods trust the same one).
struct Judging<'a> {
    ca_flag: Option<&'a str>,
    now: i64,
    trusts: x509::Trusts,
}

/// Judges what a pod serves against the CA it trusts, the names in use and its TLS Secret.
fn pod_cert(
    session: &Session,
    s: Served<'_>,
    args: &StatusArgs,
    judging: &Judging<'_>,
    config: &ServerConfig,
    secrets: &BTreeMap<String, TlsSecret>,
) -> Result<PodCert> {
    let (ca_flag, now) = (judging.ca_flag, judging.now);
    let Served {
        target: t,
        pod,
        chain,
        ca_in_config_map,
    } = s;
    let ns = session.kube.namespace.as_str();
    let ep = transport::endpoint(pod, session.vault_args());
    let Some(chain) = chain else {
        return Ok(PodCert {
            pod: t.name.clone(),
            port: ep.port,
            plain_http: true,
            ..PodCert::default()
        });
    };
    let mut out = PodCert {
        pod: t.name.clone(),
        server_name: server_name(session, pod, args),
        port: ep.port,
        names_in_use: names_in_use(pod, ns, &release(pod), config),
        ..PodCert::default()
    };
    let ca = match (ca_flag, &ep.ca_path) {
        (Some(pem), _) => Ok(pem.to_string()),
        (None, Some(path)) => trusted_ca(pod, path, secrets, ca_in_config_map),
        (None, None) => Err("the pod sets no VAULT_CACERT: give --ca-cert".to_string()),
    };
    // The Secret holding the pod's certificate: the one mounted where VAULT_CACERT points.
    let secret_name = ep.ca_path.as_deref().and_then(|p| mounted_secret(pod, p));
    let stored = secret_name
        .as_ref()
        .map(|name| stored_fingerprint(name, secrets));
    let served = x509::parse(&chain[0])?;
    out.days_left = Some(days_left(&served, now));
    out.names_missing = out
        .names_in_use
        .iter()
        .filter(|n| !x509::covers(&served.sans, n))
        .cloned()
        .collect();
    let mut errors = Vec::new();
    let ca = ca.map_err(|e| errors.push(e)).ok();
    if let Some(ca) = &ca {
        match &*judging.trusts.get(ca) {
            Ok(trust) => {
                match trust.verify(&chain) {
                    Ok(()) => out.chain_verified = Some(true),
                    Err(e) => {
                        out.chain_verified = Some(false);
                        out.chain_error = Some(e);
                    }
                }
                match &trust.first {
                    Ok(info) => {
                        out.ca_days_left = Some(days_left(info, now));
                        out.ca = Some(info.clone());
                    }
                    Err(e) => errors.push(e.clone()),
                }
            }
            Err(e) => {
                out.chain_verified = Some(false);
                out.chain_error = Some(e.clone());
                errors.push(e.clone());
            }
        }
    }
    match stored {
        Some(Ok(fp)) => {
            out.serves_secret = fp.as_ref().map(|fp| *fp == served.sha256);
            out.secret_sha256 = fp;
        }
        Some(Err(e)) => errors.push(e),
        None => {}
    }
    out.secret = secret_name;
    out.served = Some(served);
    if !errors.is_empty() {
        out.error = Some(errors.join("; "));
    }
    Ok(out)
}

/// The CA `pod` trusts at VAULT_CACERT `path`: a key of its TLS Secret (read once for every
/// pod) or of a ConfigMap (read with the handshake).
fn trusted_ca(
    pod: &Pod,
    path: &str,
    secrets: &BTreeMap<String, TlsSecret>,
    ca_in_config_map: Option<Result<String, String>>,
) -> Result<String, String> {
    let ca = match transport::ca_source(pod, path) {
        Err(e) => Err(format!("{e:#}")),
        Ok(CaSource::Secret { name, key }) => match secrets.get(&name).map(|s| &s.secret) {
            Some(Ok(secret)) => {
                transport::ca_in_secret(secret, &key, path).map_err(|e| format!("{e:#}"))
            }
            Some(Err(e)) => Err(e.clone()),
            None => Err(format!("secret {name} was not read")),
        },
        Ok(CaSource::ConfigMap { name, .. }) => {
            ca_in_config_map.unwrap_or_else(|| Err(format!("configmap {name} was not read")))
        }
    };
    ca.map_err(|e| format!("trusted CA: {e}"))
}

/// The SHA-256 fingerprint of `tls.crt` in Secret `name` (None when it is not a PEM
/// certificate).
fn stored_fingerprint(
    name: &str,
    secrets: &BTreeMap<String, TlsSecret>,
) -> Result<Option<String>, String> {
    let s = match secrets.get(name).map(|s| &s.secret) {
        Some(Ok(s)) => s,
        Some(Err(e)) => return Err(e.clone()),
        None => return Err(format!("secret {name} was not read")),
    };
    if !s.data.as_ref().is_some_and(|d| d.contains_key("tls.crt")) {
        return Err(format!("secret {name} has no tls.crt"));
    }
    Ok(renew::pem_of(s, "tls.crt").and_then(|pem| renew::sha256_of_pem(&pem)))
}

fn expiry_finding(
    p: &PodCert,
    days: i64,
    status: &Status,
    what: &str,
    soon: CertFinding,
) -> Option<Finding<CertFinding>> {
    let next = Some(format!(
        "issue a new certificate into Secret {}, then reload each pod (SIGHUP to its server)",
        p.secret.as_deref().unwrap_or("the TLS Secret")
    ));
    if days < 0 {
        let kind = if soon == CertFinding::CaExpiresSoon {
            CertFinding::CaExpiresSoon
        } else {
            CertFinding::Expired
        };
        Some(Finding::new(
            kind,
            &p.pod,
            format!("{}: the {what} expired {} days ago", p.pod, -days),
            next,
        ))
    } else if days < status.critical_days {
        let kind = if soon == CertFinding::CaExpiresSoon {
            soon
        } else {
            CertFinding::ExpiresCritical
        };
        Some(Finding::new(
            kind,
            &p.pod,
            format!(
                "{}: the {what} expires in {days} days (critical under {} days)",
                p.pod, status.critical_days
            ),
            next,
        ))
    } else if days < status.warn_days {
        Some(Finding::new(
            soon,
            &p.pod,
            format!(
                "{}: the {what} expires in {days} days (warning under {} days)",
                p.pod, status.warn_days
            ),
            next,
        ))
    } else {
        None
    }
}

fn findings_of(s: &Status, _args: &StatusArgs) -> Vec<Finding<CertFinding>> {
    let mut out = Vec::new();
    for p in &s.pods {
        // Plain HTTP is the listener's configuration, not a certificate problem.
        if p.plain_http {
            continue;
        }
        let Some(served) = &p.served else {
            out.push(Finding::new(
                CertFinding::Unreadable,
                &p.pod,
                format!(
                    "{}: its certificate could not be read: {}",
                    p.pod,
                    p.error.as_deref().unwrap_or("unknown error")
                ),
                Some(format!("kubectl describe pod {}", p.pod)),
            ));
            continue;
        };
        if let Some(d) = p.days_left {
            out.extend(expiry_finding(
                p,
                d,
                s,
                "certificate it serves",
                CertFinding::ExpiresSoon,
            ));
        }
        if !p.names_missing.is_empty() {
            out.push(Finding::new(
                CertFinding::SanGap,
                &p.pod,
                format!(
                    "{}: the certificate it serves does not cover {} (its names: {})",
                    p.pod,
                    p.names_missing.join(", "),
                    served.sans.join(", ")
                ),
                Some(format!(
                    "issue a certificate naming all of {} and reload the pods",
                    p.names_in_use.join(", ")
                )),
            ));
        }
        if p.chain_verified == Some(false) {
            out.push(Finding::new(
                CertFinding::UntrustedChain,
                &p.pod,
                format!(
                    "{}: the chain it serves does not verify against the trusted CA: {}",
                    p.pod,
                    p.chain_error.as_deref().unwrap_or("unknown error")
                ),
                None,
            ));
        }
        if p.serves_secret == Some(false) {
            out.push(Finding::new(
                CertFinding::NotReloaded,
                &p.pod,
                format!(
                    "{}: renewed but not reloaded: it serves {} while Secret {} holds {}",
                    p.pod,
                    short(&served.sha256),
                    p.secret.as_deref().unwrap_or("?"),
                    short(p.secret_sha256.as_deref().unwrap_or("?"))
                ),
                Some(format!(
                    "kill -HUP the server process in {} (or restart it and unseal)",
                    p.pod
                )),
            ));
        }
        if let Some(d) = p.ca_days_left
            && !out.iter().any(|f| f.kind == CertFinding::CaExpiresSoon)
        {
            out.extend(expiry_finding(
                p,
                d,
                s,
                "trusted CA",
                CertFinding::CaExpiresSoon,
            ));
        }
        if let Some(e) = &p.error {
            out.push(Finding::new(
                CertFinding::Unreadable,
                &p.pod,
                format!("{}: not everything could be checked: {e}", p.pod),
                None,
            ));
        }
    }
    out.extend(owner_findings(s));
    out
}

/// A Certificate that cannot be read, or is not Ready, needs attention.
fn owner_findings(s: &Status) -> Vec<Finding<CertFinding>> {
    let mut out = Vec::new();
    for o in &s.cert_manager {
        let subject = format!("Certificate/{}", o.certificate);
        if let Some(e) = &o.error {
            out.push(Finding::new(
                CertFinding::Unreadable,
                &subject,
                format!(
                    "Secret {} names a cert-manager Certificate that could not be read: {e}",
                    o.secret
                ),
                Some(format!("kubectl get certificate {} -o yaml", o.certificate)),
            ));
        } else if let Some(failed) = &o.issuing_failure {
            out.push(Finding::new(
                CertFinding::CertificateIssuanceFailed,
                &subject,
                format!(
                    "cert-manager could not reissue Certificate {} (Secret {}): {failed}",
                    o.certificate, o.secret
                ),
                Some(format!("kubectl describe certificate {}", o.certificate)),
            ));
        }
        if o.error.is_none() && o.ready.as_deref() != Some("True") {
            out.push(Finding::new(
                CertFinding::CertificateNotReady,
                &subject,
                format!(
                    "cert-manager Certificate {} (Secret {}) is not Ready ({}{})",
                    o.certificate,
                    o.secret,
                    o.ready.as_deref().unwrap_or("no Ready condition"),
                    o.message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ),
                Some(format!("kubectl describe certificate {}", o.certificate)),
            ));
        }
    }
    out
}

fn short(fp: &str) -> String {
    fp.chars().take(16).collect()
}

fn table(s: &Status) -> String {
    let rows = s
        .pods
        .iter()
        .map(|p| {
            let dash = || Styled::new("-", Tone::Plain);
            let row = match &p.served {
                Some(c) => {
                    let days = p.days_left.unwrap_or(0);
                    let tone = if days < s.critical_days {
                        Tone::Bad
                    } else if days < s.warn_days {
                        Tone::Warn
                    } else {
                        Tone::Good
                    };
                    vec![
                        Styled::new(&p.pod, Tone::Plain),
                        Styled::new(format!("{days}d"), tone),
                        Styled::new(&c.not_after, Tone::Plain),
                        output::bool_cell(p.chain_verified),
                        Styled::new(
                            if p.names_missing.is_empty() {
                                "all".to_string()
                            } else {
                                format!("missing {}", p.names_missing.join(","))
                            },
                            if p.names_missing.is_empty() {
                                Tone::Good
                            } else {
                                Tone::Bad
                            },
                        ),
                        output::bool_cell(p.serves_secret),
                        Styled::new(short(&c.sha256), Tone::Plain),
                        Styled::new(&c.serial, Tone::Plain),
                    ]
                }
                None if p.plain_http => vec![
                    Styled::new(&p.pod, Tone::Plain),
                    dash(),
                    dash(),
                    dash(),
                    Styled::new("no TLS (plain HTTP)", Tone::Warn),
                    dash(),
                    dash(),
                    dash(),
                ],
                None => vec![
                    Styled::new(&p.pod, Tone::Plain),
                    dash(),
                    dash(),
                    dash(),
                    dash(),
                    dash(),
                    dash(),
                    dash(),
                ],
            };
            (row, p.error.clone())
        })
        .collect();
    output::table_with_errors(
        &[
            "POD",
            "DAYS LEFT",
            "NOT AFTER",
            "CHAIN OK",
            "NAMES",
            "= SECRET",
            "SHA-256",
            "SERIAL",
        ],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_addr_with_hostname_names_the_pod_itself() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "vault-1"},
            "status": {"podIP": "10.0.0.7"},
        }))
        .unwrap();
        let config = ServerConfig {
            api_addr: Some("https://HOSTNAME.vault-internal:8200".into()),
            ..Default::default()
        };
        let names = names_in_use(&pod, "vault", "vault", &config);
        assert!(
            names.contains(&"vault-1.vault-internal".to_string()),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n.contains("HOSTNAME")), "{names:?}");
        let config = ServerConfig {
            api_addr: Some("https://$(POD_IP):8200".into()),
            ..Default::default()
        };
        assert!(names_in_use(&pod, "vault", "vault", &config).contains(&"10.0.0.7".to_string()));
    }
}
