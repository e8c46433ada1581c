//! The pod's projected service-account volume: `token`, `ca.crt` and `namespace` at
//! `/var/run/secrets/kubernetes.io/serviceaccount/` inside the pod's own mount namespace.
//!
//! The files live in the pod's directory on the host and are bind-mounted (read-only) into the
//! pod's root, so neither the host nor another pod sees them there. The token is what the
//! kubelet asks TokenRequest for: the pod's service account, the API's audience, bound to the
//! pod, renewed once 80% of its lifetime has passed.

use std::path::{Path, PathBuf};

use super::volumes::replace_file as replace;

use super::PodRun;
use crate::api::tokens::grant;
use crate::cluster::Cluster;
use crate::tokens::{Bound, unix_now};

/// Where a container finds its service-account files.
pub const MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// What the kubelet asks for (`expirationSeconds` of its TokenRequest).
const TOKEN_SECONDS: i64 = 3607;

/// The host directory behind the pod's service-account mount (outside the pod's root).
pub(super) fn dir(c: &Cluster, run: &PodRun) -> PathBuf {
    c.cfg.pod_dir(&run.key).join("serviceaccount")
}

/// Writes `ca.crt`, `namespace` and a fresh token for the pod; returns when the token should
/// be renewed (unix seconds). Without the pod or its service account there is no token to
/// mint: the token file is removed (a real API server would not have admitted the pod).
pub(super) fn write(c: &Cluster, run: &PodRun) -> Result<i64, String> {
    let dir = dir(c, run);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    replace(&dir.join("ca.crt"), c.cfg.api_ca_pem.as_bytes(), 0o644)?;
    replace(&dir.join("namespace"), run.namespace.as_bytes(), 0o644)?;
    let token = run.object(c).and_then(|pod| {
        let sa = pod["spec"]["serviceAccountName"]
            .as_str()
            .unwrap_or("default");
        let bound = Bound {
            kind: "Pod".into(),
            name: run.name.clone(),
            uid: pod["metadata"]["uid"].as_str().unwrap_or_default().into(),
        };
        let g = grant(c, &run.namespace, sa, vec![], TOKEN_SECONDS, Some(bound)).ok()?;
        Some((c.issuer.mint(&g).ok()?, g))
    });
    let now = unix_now();
    match token {
        Some((jwt, g)) => {
            replace(&dir.join("token"), jwt.as_bytes(), 0o600)?;
            Ok(g.issued_at + (g.expires_at - g.issued_at) * 4 / 5)
        }
        None => {
            let _ = std::fs::remove_file(dir.join("token"));
            // Try again soon: the account may be created later.
            Ok(now + 5)
        }
    }
}

/// The launch script's step that mounts `dir` read-only at [`MOUNT_PATH`] in the pod's root
/// (under its own `/run`).
pub(super) fn mount_step(dir: &Path) -> String {
    use super::rootfs::{ROOT_VAR, quote};
    format!(
        "mkdir -p \"${ROOT_VAR}\"{MOUNT_PATH}; mount --bind {} \"${ROOT_VAR}\"{MOUNT_PATH}; \
         mount -o remount,bind,ro \"${ROOT_VAR}\"{MOUNT_PATH}\n",
        quote(&dir.display().to_string())
    )
}
