//! `debug`: the runbook's `vault debug` + `kubectl cp`, as one archive on the operator's
//! machine. From every pod at once: seal status, health, leader, metrics, host info, the
//! sanitized configuration, (with `--pprof`) heap and goroutine profiles, the last logs of the
//! current and the previous container, its Events and its object; and the StatefulSet. No
//! Secret is read; environment values whose names look secret are replaced; the archive is
//! written 0600 and never over an existing file without `--force`.

use std::time::Duration;

use anyhow::{Result, anyhow};
use http::Method;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use vault_shared::Exit;
use vault_shared::cluster;
use vault_shared::fanout;
use vault_shared::output::{self, Format};
use vault_shared::procedures::secret_file::SecretFile;
use vault_shared::session::Session;
use vault_shared::target::Target;
use vault_shared::vault::Body;

use crate::DebugArgs;

/// How long one pod's whole collection may take.
const POD_DEADLINE: Duration = Duration::from_secs(60);

/// One file of the archive.
struct Entry {
    path: String,
    bytes: Vec<u8>,
}

/// What the manifest says of each file, and of what could not be collected.
#[derive(Serialize)]
struct Listed {
    path: String,
    bytes: usize,
    sha256: String,
}

#[derive(Serialize)]
struct Skipped {
    path: String,
    why: String,
}

#[derive(Default)]
struct Collected {
    entries: Vec<Entry>,
    skipped: Vec<Skipped>,
}

impl Collected {
    fn add(&mut self, path: String, got: Result<Vec<u8>>) {
        match got {
            Ok(bytes) => self.entries.push(Entry { path, bytes }),
            Err(e) => self.skipped.push(Skipped {
                path,
                why: output::printable(&format!("{e:#}")),
            }),
        }
    }
}

/// Environment values whose names suggest a secret are not copied.
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "KEY",
        "CREDENTIAL",
        "AUTH",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// The object with every secret-looking inline env value replaced, and managed fields
/// dropped (noise).
fn redacted(mut v: Value) -> Value {
    if let Some(meta) = v["metadata"].as_object_mut() {
        meta.remove("managedFields");
    }
    for at in ["/spec", "/spec/template/spec"] {
        if let Some(spec) = v.pointer_mut(at) {
            scrub_env(spec);
        }
    }
    v
}

fn scrub_env(spec: &mut Value) {
    for list in ["containers", "initContainers"] {
        for c in spec[list].as_array_mut().into_iter().flatten() {
            for e in c["env"].as_array_mut().into_iter().flatten() {
                let name = e["name"].as_str().unwrap_or("").to_string();
                if secret_name(&name) && e.get("value").is_some() {
                    e["value"] = json!("<redacted>");
                }
            }
        }
    }
}

fn pretty(v: &impl Serialize) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec_pretty(v)?)
}

/// One Vault API read, as the bytes Vault sent (JSON, or a profile).
async fn vault_read(t: &Target, path: &str, auth: bool) -> Result<Vec<u8>> {
    let (status, bytes) = t
        .client
        .send(Method::GET, path, Body::Empty, auth)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    // Health answers with its state as the status code (429 standby, 503 sealed, …).
    if status >= 400 && !path.starts_with("sys/health") {
        let text = String::from_utf8_lossy(&bytes);
        return Err(anyhow!("HTTP {status}: {}", text.trim()));
    }
    Ok(bytes.to_vec())
}

async fn collect_pod(
    session: &Session,
    t: &Target,
    args: &DebugArgs,
    authed: bool,
) -> Result<Collected> {
    let kube = &session.kube;
    let pod = &t.name;
    let mut c = Collected::default();
    let mut api = vec![
        ("seal-status.json", "sys/seal-status", false),
        ("health.json", "sys/health", false),
        ("leader.json", "sys/leader", false),
    ];
    if authed {
        api.extend([
            ("metrics.json", "sys/metrics", true),
            ("host-info.json", "sys/host-info", true),
            ("config-sanitized.json", "sys/config/state/sanitized", true),
        ]);
        if args.pprof {
            api.extend([
                ("heap.pprof", "sys/pprof/heap", true),
                ("goroutine.pprof", "sys/pprof/goroutine", true),
            ]);
        }
    }
    let reads =
        futures::future::join_all(api.iter().map(|(_, path, auth)| vault_read(t, path, *auth)))
            .await;
    for ((file, _, _), got) in api.iter().zip(reads) {
        c.add(format!("{pod}/{file}"), got);
    }
    let (logs, previous, events) = tokio::join!(
        kube.logs(pod, args.tail, false),
        kube.logs(pod, args.tail, true),
        kube.events_for(pod)
    );
    c.add(format!("{pod}/logs.txt"), logs.map(String::into_bytes));
    c.add(
        format!("{pod}/logs-previous.txt"),
        previous.map(String::into_bytes),
    );
    c.add(
        format!("{pod}/events.json"),
        events.and_then(|e| pretty(&e)),
    );
    let object = kube.pod(pod).await.and_then(|p| {
        let p = p.ok_or_else(|| anyhow!("pod {pod} is gone"))?;
        pretty(&redacted(serde_json::to_value(p)?))
    });
    c.add(format!("{pod}/pod.json"), object);
    Ok(c)
}

/// The archive: a gzipped tar of the entries, each 0600, under one top directory.
fn archive(top: &str, entries: &[Entry]) -> Result<Vec<u8>> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let now = jiff::Timestamp::now().as_second().max(0) as u64;
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(e.bytes.len() as u64);
        h.set_mode(0o600);
        h.set_mtime(now);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, format!("{top}/{}", e.path), e.bytes.as_slice())?;
    }
    Ok(tar.into_inner()?.finish()?)
}

pub async fn run(session: &Session, args: &DebugArgs) -> Result<Exit> {
    let kube = &session.kube;
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let top = format!("vault-debug-{}-{stamp}", kube.namespace);
    let path = args
        .file
        .clone()
        .unwrap_or_else(|| format!("{top}.tar.gz").into());
    // The file first: an existing one stops the run before anything is collected.
    let mut file = SecretFile::create(&path, args.force)?;
    let authed = match session.token()? {
        Some(_) => true,
        None => {
            output::warn(
                "no Vault token: collecting only what Vault answers without one (seal status, health, leader); give --token-file for metrics, host info, the configuration and profiles",
            );
            false
        }
    };
    let per_pod = fanout::each_pod(&session.targets, POD_DEADLINE, |t| {
        collect_pod(session, t, args, authed)
    })
    .await;
    let mut all = Collected::default();
    let mut unreachable = Vec::new();
    for (pod, got) in per_pod {
        match got {
            Ok(c) => {
                all.entries.extend(c.entries);
                all.skipped.extend(c.skipped);
            }
            Err(e) => {
                unreachable.push(pod.clone());
                all.skipped.push(Skipped {
                    path: format!("{pod}/"),
                    why: output::printable(&format!("{e:#}")),
                });
            }
        }
    }
    // The session keeps only pods of one StatefulSet.
    let owner = session
        .pod_refs()
        .into_iter()
        .find_map(|(name, _)| session.pod(name))
        .and_then(cluster::owner_statefulset)
        .map(str::to_string);
    if let Some(sts) = owner {
        let got = kube
            .statefulset(&sts)
            .await
            .and_then(|s| pretty(&redacted(serde_json::to_value(s)?)));
        all.add(format!("statefulset-{sts}.json"), got);
    }
    let listed: Vec<Listed> = all
        .entries
        .iter()
        .map(|e| Listed {
            path: e.path.clone(),
            bytes: e.bytes.len(),
            sha256: hex::encode(Sha256::digest(&e.bytes)),
        })
        .collect();
    let manifest = json!({
        "created": jiff::Timestamp::now().to_string(),
        "namespace": kube.namespace,
        "pods": session.pod_refs().iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        "files": listed,
        "skipped": all.skipped,
        "redaction": "no Secret objects are read; inline env values whose names contain TOKEN, SECRET, PASSWORD, PASSWD, KEY, CREDENTIAL or AUTH are replaced by <redacted>; Vault never returns tokens or keys from the endpoints read",
    });
    all.entries.push(Entry {
        path: "manifest.json".into(),
        bytes: pretty(&manifest)?,
    });
    let bytes = archive(&top, &all.entries)?;
    file.writer().write_all(&bytes).await?;
    let written = file.commit().await?;
    let exit = if unreachable.is_empty() {
        Exit::Healthy
    } else {
        Exit::Attention
    };
    match session.format {
        Format::Table => {
            println!(
                "Wrote {} ({} bytes, mode 0600): {} file(s) from {} pod(s)",
                written.display(),
                bytes.len(),
                listed.len(),
                session.pod_refs().len()
            );
            for s in manifest["skipped"].as_array().into_iter().flatten() {
                println!(
                    "  skipped {}: {}",
                    s["path"].as_str().unwrap_or(""),
                    s["why"].as_str().unwrap_or("")
                );
            }
        }
        f => output::print_data(
            f,
            &json!({"archive": written, "bytes": bytes.len(), "manifest": manifest, "exit_code": exit.code()}),
        )?,
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_looking_env_values_are_replaced() {
        let pod = json!({"metadata": {"managedFields": [1]}, "spec": {"containers": [{"env": [
            {"name": "VAULT_ADDR", "value": "https://x"},
            {"name": "VAULT_TOKEN", "value": "s.abc"},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db"}}}
        ]}]}});
        let r = redacted(pod);
        let env = &r["spec"]["containers"][0]["env"];
        assert_eq!(env[0]["value"], "https://x");
        assert_eq!(env[1]["value"], "<redacted>");
        assert!(env[2].get("value").is_none());
        assert!(r["metadata"].get("managedFields").is_none());
        assert!(r["spec"].get("template").is_none(), "nothing added");
    }
}
