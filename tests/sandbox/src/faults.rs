//! Faults injected on purpose, to reproduce the runbook's incidents.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::cluster::Cluster;
use crate::objects::TLS_SECRET;
use crate::pki::VaultCert;
use crate::{controller, kubelet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `sys/seal` through the API, with the root token.
    Seal,
    /// The server process dies (SIGKILL); the container restarts sealed, restartCount+1.
    Kill,
    /// SIGSTOP: a hung node that still holds its sockets.
    Stop,
    /// SIGCONT after `stop`.
    Resume,
    /// As `kubectl delete pod`: the controller recreates it with a new UID, sealed.
    Delete,
    /// The pod's volume is lost: the process dies, its data directory is emptied, and the
    /// container restarts uninitialised, no longer a raft member.
    LoseVolume,
    /// The transit KMS of an auto-unseal sandbox becomes unreachable (connections refused).
    KmsDown,
    /// … and reachable again.
    KmsUp,
    /// The container is killed as the kernel's OOM killer does (exit 137, `OOMKilled`) and
    /// restarts sealed.
    Oom,
    /// The pod's open exec and port-forward streams are cut, as a broken connection would.
    DropStreams,
    /// The `vault-tls` Secret gets an expired certificate; pods serve it once they reload
    /// (SIGHUP) or restart.
    ExpireCert,
    /// The `vault-tls` Secret gets a certificate without the Service names.
    WrongSan,
}

pub const KINDS: &[(&str, Fault)] = &[
    ("seal", Fault::Seal),
    ("kill", Fault::Kill),
    ("stop", Fault::Stop),
    ("resume", Fault::Resume),
    ("delete", Fault::Delete),
    ("lose-volume", Fault::LoseVolume),
    ("kms-down", Fault::KmsDown),
    ("kms-up", Fault::KmsUp),
    ("oom", Fault::Oom),
    ("drop-streams", Fault::DropStreams),
    ("expire-cert", Fault::ExpireCert),
    ("wrong-san", Fault::WrongSan),
];

impl Fault {
    /// Whether the fault targets a pod (the KMS and certificate faults do not).
    pub fn needs_pod(self) -> bool {
        !matches!(
            self,
            Fault::KmsDown | Fault::KmsUp | Fault::ExpireCert | Fault::WrongSan
        )
    }
}

impl std::str::FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Fault, String> {
        KINDS
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let names: Vec<&str> = KINDS.iter().map(|(n, _)| *n).collect();
                format!("unknown fault {s:?}: expected one of {}", names.join(", "))
            })
    }
}

pub async fn inject(c: &Arc<Cluster>, fault: Fault, pod: &str) -> Result<String, String> {
    if let Some(cert) = match fault {
        Fault::ExpireCert => Some(VaultCert::Expired),
        Fault::WrongSan => Some(VaultCert::WrongSan),
        _ => None,
    } {
        return install_cert(c, cert);
    }
    if !fault.needs_pod() {
        let kms = c
            .kms()
            .ok_or("this sandbox has no KMS (start it with --seal transit)")?;
        let up = fault == Fault::KmsUp;
        kms.set_reachable(up);
        return Ok(format!(
            "the KMS at {} is {}",
            kms.addr,
            if up { "reachable again" } else { "unreachable" }
        ));
    }
    let obj = c
        .pod(pod)
        .ok_or_else(|| format!("pod {pod:?} not found in namespace {:?}", c.ns()))?;
    let ordinal = c
        .kubelet
        .get(pod)
        .map(|r| r.ordinal)
        .ok_or_else(|| format!("pod {pod} is not running"))?;
    let note = |reason: &str, msg: &str| c.record(&obj, "Warning", reason, msg, "vault-sandbox");
    match fault {
        Fault::Seal => {
            let token = root_token(c)
                .ok_or("the sandbox holds no root token (it was started uninitialised)")?;
            let (code, body) = c
                .vault_call(
                    ordinal,
                    crate::vault::VaultCall::new("PUT", "sys/seal").token(&token),
                    Duration::from_secs(10),
                )
                .await
                .map_err(|e| format!("seal {pod}: {e:#}"))?;
            if code >= 300 {
                return Err(format!("seal {pod}: Vault answered {code}: {body}"));
            }
            Ok(format!("{pod} sealed through sys/seal"))
        }
        Fault::Kill | Fault::Oom => {
            let run = c.kubelet.get(pod).ok_or("pod is not running")?;
            let before = run.restarts();
            let oom = fault == Fault::Oom;
            kubelet::kill_container(c, pod, oom)?;
            if !oom {
                note("FaultInjected", "sandbox fault: container process killed");
            }
            // Return once the container runs again, so what comes next sees the restart.
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while run.restarts() == before || run.current().is_none() {
                if std::time::Instant::now() > deadline {
                    return Err(format!("{pod}: the container did not restart within 30s"));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(format!(
                "{pod}: {}; the container restarted sealed",
                if oom {
                    "OOMKilled (exit 137)"
                } else {
                    "server process killed"
                }
            ))
        }
        Fault::Stop => {
            kubelet::signal_container(c, pod, libc::SIGSTOP)?;
            note(
                "FaultInjected",
                "sandbox fault: container process stopped (SIGSTOP)",
            );
            Ok(format!("{pod}: server process stopped (SIGSTOP)"))
        }
        Fault::DropStreams => {
            let n = kubelet::drop_streams(c, pod)?;
            note(
                "FaultInjected",
                "sandbox fault: exec and port-forward streams dropped",
            );
            Ok(format!("{pod}: {n} exec/port-forward streams cut"))
        }
        Fault::Resume => {
            kubelet::signal_container(c, pod, libc::SIGCONT)?;
            Ok(format!("{pod}: server process resumed (SIGCONT)"))
        }
        Fault::Delete => {
            let grace = obj["spec"]["terminationGracePeriodSeconds"]
                .as_u64()
                .unwrap_or(30);
            controller::mark_deleting(c, pod, Duration::from_secs(grace));
            Ok(format!("{pod}: deleted; the StatefulSet recreates it"))
        }
        Fault::KmsDown | Fault::KmsUp | Fault::ExpireCert | Fault::WrongSan => {
            unreachable!("faults without a pod return before the pod lookup")
        }
        Fault::LoseVolume => {
            let run = c.kubelet.get(pod).ok_or("pod is not running")?;
            let proc = run.current().ok_or("pod has no running container")?;
            // Stop first so the server cannot write while the data goes away.
            proc.signal(libc::SIGSTOP);
            let volume = c.cfg.volume_dir(&format!("data-{pod}"));
            if let Ok(entries) = std::fs::read_dir(&volume) {
                for e in entries.flatten() {
                    let p = e.path();
                    let _ = if p.is_dir() {
                        std::fs::remove_dir_all(&p)
                    } else {
                        std::fs::remove_file(&p)
                    };
                }
            }
            proc.signal(libc::SIGKILL);
            proc.wait().await;
            note("FaultInjected", "sandbox fault: data volume lost");
            Ok(format!(
                "{pod}: data volume wiped; the container restarts uninitialised"
            ))
        }
    }
}

pub fn root_token(c: &Cluster) -> Option<String> {
    let init = std::fs::read_to_string(c.cfg.dir.join("init.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&init).ok()?;
    v["root_token"].as_str().map(str::to_string)
}

/// Replaces the certificate and key in the `vault-tls` Secret (as an operator's botched
/// rotation would); the kubelet brings the new files into the running pods.
fn install_cert(c: &Cluster, cert: VaultCert) -> Result<String, String> {
    use base64::Engine;
    let ca = c
        .vault_ca
        .lock()
        .map_err(|_| "CA lock")?
        .clone()
        .ok_or("the sandbox has no Vault CA")?;
    let issued = ca
        .vault_cert(c.ns(), &c.cfg.pod_ips(), cert)
        .map_err(|e| format!("issue a certificate: {e:#}"))?;
    let b64 = |s: &str| json!(base64::engine::general_purpose::STANDARD.encode(s));
    c.store
        .update("secrets", c.ns(), TLS_SECRET, |s| {
            s["data"]["tls.crt"] = b64(&issued.cert_pem);
            s["data"]["tls.key"] = b64(&issued.key_pem);
            Ok(())
        })
        .map_err(|e| format!("update secret {TLS_SECRET}: {}", e.message))?;
    let what = match cert {
        VaultCert::Expired => "an expired certificate",
        _ => "a certificate without the Service names",
    };
    Ok(format!(
        "secret {TLS_SECRET} now holds {what}; pods serve it after a reload (SIGHUP) or a restart"
    ))
}
