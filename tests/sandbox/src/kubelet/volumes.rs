//! The pod's Secret and ConfigMap volumes (the TLS Secret at `/vault/userconfig/vault-tls`,
//! the server configuration at `/vault/config`), written when the container starts and kept
//! in step with their objects while the pod runs, as the kubelet's sync does: a change
//! reaches running pods within about a second; the server only uses it once it reloads or
//! restarts.
//!
//! Each volume is written as the kubelet's atomic writer does: the files in a timestamped
//! directory `..<time>`, a `..data` symlink to it swapped by rename, and one symlink per key
//! into `..data/`. A reader in the pod (through a bind mount of the volume's directory) sees
//! the old set of files or the new one, never a mix.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine;
use serde_json::Value;

use super::PodRun;
use super::rootfs::{Source, VolumeMount, own_volume_dir, volume_mounts};
use crate::cluster::Cluster;

/// How often running pods' Secret and ConfigMap volumes are compared with their objects.
const SYNC_PERIOD: Duration = Duration::from_secs(1);
const DATA: &str = "..data";

/// A volume's files: name and content.
type Files = Vec<(String, Vec<u8>)>;

/// The object behind a Secret or ConfigMap volume, its kind's name, and the files it projects.
fn projection(
    c: &Cluster,
    run: &PodRun,
    m: &VolumeMount,
) -> Option<Result<(String, Files), String>> {
    let (plural, kind, name) = match &m.source {
        Source::Secret(name) => ("secrets", "secret", name),
        Source::ConfigMap(name) => ("configmaps", "configmap", name),
        _ => return None,
    };
    let Some(obj) = c.store.get(plural, &run.namespace, name) else {
        return Some(Err(format!(
            "MountVolume.SetUp failed for volume \"{}\": {kind} \"{name}\" not found",
            m.volume
        )));
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut files: Files = Vec::new();
    let (text, binary) = match m.source {
        Source::Secret(_) => ("stringData", "data"),
        _ => ("data", "binaryData"),
    };
    for (k, v) in obj[binary].as_object().into_iter().flatten() {
        if let Some(bytes) = v.as_str().and_then(|s| b64.decode(s).ok()) {
            files.push((k.clone(), bytes));
        }
    }
    for (k, v) in obj[text].as_object().into_iter().flatten() {
        if let Some(s) = v.as_str() {
            files.push((k.clone(), s.as_bytes().to_vec()));
        }
    }
    let rv = obj["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default();
    Some(Ok((rv.to_string(), files)))
}

/// The mode of a volume's files: its `defaultMode`, 0644 when the spec says none.
fn default_mode(pod: &Value, volume: &str) -> u32 {
    pod["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["name"] == volume)
        .and_then(|v| {
            v["secret"]["defaultMode"]
                .as_u64()
                .or(v["configMap"]["defaultMode"].as_u64())
        })
        .map_or(0o644, |m| m as u32)
}

/// Writes the pod's Secret and ConfigMap volumes whose objects changed since `written` (the
/// resourceVersion last written per volume; all of them when empty). Fails when an object is
/// missing, as the kubelet's MountVolume.SetUp does.
pub(super) fn write_projected(
    c: &Cluster,
    run: &PodRun,
    written: &mut Vec<(String, String)>,
) -> Result<(), String> {
    let pod = run
        .object(c)
        .ok_or_else(|| format!("pod {} not found", run.name))?;
    for m in volume_mounts(&pod) {
        let Some(projected) = projection(c, run, &m) else {
            continue;
        };
        let (rv, files) = projected?;
        let seen = written.iter().find(|(v, _)| *v == m.volume).map(|(_, r)| r);
        if seen == Some(&rv) {
            continue;
        }
        atomic_write(
            &own_volume_dir(c, run, &m.volume),
            &files,
            default_mode(&pod, &m.volume),
        )?;
        written.retain(|(v, _)| *v != m.volume);
        written.push((m.volume, rv));
    }
    Ok(())
}

/// Replaces the files of volume directory `dir` with `files`, atomically (see the module's
/// comment).
pub(super) fn atomic_write(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    mode: u32,
) -> Result<(), String> {
    let err = |what: &str, p: &Path, e: std::io::Error| format!("{what} {}: {e}", p.display());
    std::fs::create_dir_all(dir).map_err(|e| err("create", dir, e))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let stamp = format!("..{}.{:09}", now.as_secs(), now.subsec_nanos());
    let new = dir.join(&stamp);
    std::fs::create_dir(&new).map_err(|e| err("create", &new, e))?;
    for (key, data) in files {
        replace_file(&new.join(key), data, mode)?;
    }
    let link = dir.join("..data_tmp");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&stamp, &link).map_err(|e| err("link", &link, e))?;
    std::fs::rename(&link, dir.join(DATA)).map_err(|e| err("swap", &link, e))?;
    for (key, _) in files {
        let user = dir.join(key);
        if std::fs::symlink_metadata(&user).is_err() {
            std::os::unix::fs::symlink(format!("{DATA}/{key}"), &user)
                .map_err(|e| err("link", &user, e))?;
        }
    }
    // What the new set no longer has: old timestamped directories, keys gone from the object.
    for entry in std::fs::read_dir(dir).map_err(|e| err("read", dir, e))? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy().to_string();
        if name == DATA || name == stamp {
            continue;
        }
        if name.starts_with("..") {
            let _ = std::fs::remove_dir_all(entry.path());
        } else if !files.iter().any(|(k, _)| *k == name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Writes `data` beside `path` and renames it into place, so a reader never sees half a file.
pub(super) fn replace_file(path: &Path, data: &[u8], mode: u32) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let partial = path.with_extension("partial");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(mode)
        .open(&partial)
        .map_err(|e| format!("write {}: {e}", partial.display()))?;
    f.write_all(data).map_err(|e| e.to_string())?;
    std::fs::rename(&partial, path).map_err(|e| format!("write {}: {e}", path.display()))
}

/// Keeps the pod's Secret and ConfigMap volumes and its service-account token current while
/// the pod lives.
pub(super) async fn sync_loop(c: Arc<Cluster>, run: Arc<PodRun>) {
    let mut written = Vec::new();
    while !run.finished.load(Ordering::SeqCst) && !c.is_shutting_down() {
        tokio::time::sleep(SYNC_PERIOD).await;
        if run.current().is_none() {
            continue;
        }
        let _ = write_projected(&c, &run, &mut written);
        if crate::tokens::unix_now() >= run.token_renewal.load(Ordering::SeqCst)
            && let Ok(next) = super::service_account::write(&c, &run)
        {
            run.token_renewal.store(next, Ordering::SeqCst);
        }
    }
}
