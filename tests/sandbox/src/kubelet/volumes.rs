//! The pod's Secret volume (the TLS Secret at `/vault/userconfig/vault-tls`), written when the
//! container starts and kept in step with the Secret while the pod runs, as the kubelet's sync
//! does: a changed Secret reaches running pods within about a second; the server only uses it
//! once it reloads or restarts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::PodRun;
use crate::cluster::Cluster;
use crate::objects::{self, TLS_SECRET};

/// How often running pods' Secret volumes are compared with the Secret.
const SYNC_PERIOD: Duration = Duration::from_secs(1);

pub(super) fn secret_dir(c: &Cluster, pod: &str) -> PathBuf {
    c.cfg
        .pod_dir(pod)
        .join("root/vault/userconfig")
        .join(TLS_SECRET)
}

/// Writes the Secret's keys into the pod's volume; returns the resourceVersion written.
pub(super) fn write_tls_secret(c: &Cluster, run: &PodRun) -> Result<String, String> {
    let pod = run.key.as_str();
    let secret = c.store.get("secrets", &run.namespace, TLS_SECRET).ok_or_else(|| {
        format!("MountVolume.SetUp failed for volume \"userconfig-{TLS_SECRET}\": secret \"{TLS_SECRET}\" not found")
    })?;
    let dir = secret_dir(c, pod);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    for key in ["tls.crt", "tls.key", "ca.crt"] {
        let data = objects::decode_secret_data(&secret, key)
            .ok_or_else(|| format!("secret {TLS_SECRET} has no key {key}"))?;
        replace_private(&dir.join(key), &data)?;
    }
    Ok(secret["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// Writes `data` beside `path` and renames it into place, so a reader never sees half a file.
fn replace_private(path: &Path, data: &[u8]) -> Result<(), String> {
    replace_file(path, data, 0o600)
}

/// [`replace_private`] with the file's mode.
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

/// Keeps the pod's Secret volume current while the pod lives.
pub(super) async fn sync_loop(c: Arc<Cluster>, run: Arc<PodRun>) {
    let mut written = String::new();
    while !run.finished.load(Ordering::SeqCst) && !c.is_shutting_down() {
        tokio::time::sleep(SYNC_PERIOD).await;
        if run.current().is_none() {
            continue;
        }
        let rv = c
            .store
            .get("secrets", &run.namespace, TLS_SECRET)
            .and_then(|s| {
                s["metadata"]["resourceVersion"]
                    .as_str()
                    .map(str::to_string)
            });
        if rv.as_deref().is_some_and(|rv| rv != written)
            && let Ok(rv) = write_tls_secret(&c, &run)
        {
            written = rv;
        }
        if crate::tokens::unix_now() >= run.token_renewal.load(Ordering::SeqCst)
            && let Ok(next) = super::service_account::write(&c, &run)
        {
            run.token_renewal.store(next, Ordering::SeqCst);
        }
    }
}
