//! Faults injected on purpose, to reproduce the runbook's incidents.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::cluster::Cluster;
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
    /// The pod's data volume is filled (one preallocated file), so writes fail with ENOSPC.
    DiskFull,
    /// … and that file removed again.
    FreeDisk,
    /// The pod's traffic to and from the other pods is cut (its API stays reachable through
    /// port-forward, and its own localhost).
    Partition,
    /// … and flows again.
    Heal,
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
    ("disk-full", Fault::DiskFull),
    ("free-disk", Fault::FreeDisk),
    ("partition", Fault::Partition),
    ("heal", Fault::Heal),
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
        Fault::DiskFull => {
            let taken = kubelet::fill_data_volume(c, pod)?;
            note(
                "FaultInjected",
                "sandbox fault: data volume full (writes fail with ENOSPC)",
            );
            Ok(format!(
                "{pod}: data volume full ({} MiB taken by {}/{}); undo with free-disk",
                taken / (1024 * 1024),
                c.variant().data_dir(),
                kubelet::DISK_FILLER
            ))
        }
        Fault::FreeDisk => Ok(if kubelet::free_data_volume(c, pod)? {
            format!("{pod}: data volume freed")
        } else {
            format!("{pod}: the data volume was not filled by disk-full")
        }),
        Fault::Partition | Fault::Heal => {
            let on = fault == Fault::Partition;
            let was = {
                let mut cut = c.partitioned.lock().map_err(|_| "partition lock")?;
                if on {
                    !cut.insert(pod.to_string())
                } else {
                    cut.remove(pod)
                }
            };
            let pid = c
                .kubelet
                .get(pod)
                .and_then(|r| r.netns_pid())
                .ok_or_else(|| format!("pod {pod} has no network namespace"))?;
            if on || was {
                crate::network::partition(pid, c.cfg.pod_net(), on).await?;
            }
            if on {
                note(
                    "FaultInjected",
                    "sandbox fault: network partition from the other pods",
                );
                Ok(format!(
                    "{pod}: cut off from the other pods (its API stays reachable through port-forward)"
                ))
            } else {
                Ok(format!("{pod}: reaches the other pods again"))
            }
        }
        Fault::LoseVolume => {
            let run = c.kubelet.get(pod).ok_or("pod is not running")?;
            let proc = run.current().ok_or("pod has no running container")?;
            // Stop first so the server cannot write while the data goes away.
            proc.signal(libc::SIGSTOP);
            let volume = kubelet::data_view(c, pod)?;
            if let Ok(entries) = std::fs::read_dir(&volume) {
                // What a fresh ext4 filesystem holds stays.
                for e in entries.flatten().filter(|e| e.file_name() != "lost+found") {
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

/// The `slow` fault: pod `pod`'s Vault API answers `delay` late (zero: on time again).
/// Through port-forward always (each chunk a client sends waits that long); to the other pods
/// too where the kernel has tc netem (a delay on the pod's interface).
pub async fn slow(c: &Arc<Cluster>, pod: &str, delay: Duration) -> Result<String, String> {
    if delay > Duration::from_secs(60) {
        return Err(format!(
            "--delay must be at most 60000 ms (got {})",
            delay.as_millis()
        ));
    }
    let obj = c
        .pod(pod)
        .ok_or_else(|| format!("pod {pod:?} not found in namespace {:?}", c.ns()))?;
    let pid = c
        .kubelet
        .get(pod)
        .and_then(|r| r.netns_pid())
        .ok_or_else(|| format!("pod {pod} is not running"))?;
    {
        let mut slow = c.slow.lock().map_err(|_| "slow lock")?;
        if delay.is_zero() {
            slow.remove(pod);
        } else {
            slow.insert(pod.to_string(), delay);
        }
    }
    let netem = crate::network::netem_delay(pid, (!delay.is_zero()).then_some(delay)).await;
    if delay.is_zero() {
        return Ok(format!("{pod}: its Vault API answers on time again"));
    }
    c.record(
        &obj,
        "Warning",
        "FaultInjected",
        &format!("sandbox fault: slow API ({} ms)", delay.as_millis()),
        "vault-sandbox",
    );
    let ms = delay.as_millis();
    Ok(if netem {
        format!(
            "{pod}: its Vault API answers {ms} ms late, through port-forward and to other pods (tc netem)"
        )
    } else {
        format!(
            "{pod}: its Vault API answers {ms} ms late through port-forward (port-forward streams opened from now on; no tc netem in this kernel, so pod-to-pod traffic is not delayed)"
        )
    })
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
    let v = c.variant();
    if !v.tls {
        return Err(
            "the pods' listener has TLS disabled (--tls-disable): no certificate to replace".into(),
        );
    }
    let secret = v.tls_secret();
    let ca = c
        .vault_ca
        .lock()
        .map_err(|_| "CA lock")?
        .clone()
        .ok_or("the sandbox has no Vault CA")?;
    let issued = ca
        .vault_cert(v, c.ns(), &c.cfg.pod_ips(), cert)
        .map_err(|e| format!("issue a certificate: {e:#}"))?;
    let b64 = |s: &str| json!(base64::engine::general_purpose::STANDARD.encode(s));
    c.store
        .update("secrets", c.ns(), &secret, |s| {
            s["data"]["tls.crt"] = b64(&issued.cert_pem);
            s["data"]["tls.key"] = b64(&issued.key_pem);
            Ok(())
        })
        .map_err(|e| format!("update secret {secret}: {}", e.message))?;
    let what = match cert {
        VaultCert::Expired => "an expired certificate",
        _ => "a certificate without the Service names",
    };
    Ok(format!(
        "secret {secret} now holds {what}; pods serve it after a reload (SIGHUP) or a restart"
    ))
}
