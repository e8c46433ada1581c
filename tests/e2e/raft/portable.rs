//! Portable end-to-end tests of vault-raft: written against [`Cluster`], so they run on the
//! sandbox and, with `VAULT_E2E_KUBECONFIG`, on a real cluster. Outcomes are checked through
//! each pod's Vault API, never through the plugin's report.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use serde_json::Value;

use super::PLUGIN;
use super::support::cluster::Cluster;
use super::support::{assert_exit, show, stdout};

/// Status is healthy; a step-down makes an election happen (a new active node or a new term,
/// seen by the pods themselves); a snapshot is saved privately.
pub fn status_step_down_snapshot(c: &Cluster) {
    let token = c.token_file();
    let token = token.to_str().expect("path");
    let o = c.plugin("vault-raft", &["--token-file", token, "-o", "json"]);
    assert_exit(&o, 0);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert!(v.is_object(), "{v:#}");

    let active = |c: &Cluster| {
        c.leaders()
            .into_iter()
            .find(|(_, is_self, _, _)| *is_self)
            .map(|(p, _, _, t)| (p, t))
    };
    let before = active(c).expect("an active node");
    let o = c.plugin("vault-raft", &["--token-file", token, "step-down"]);
    assert_exit(&o, 0);
    c.wait_until("a new election", Duration::from_secs(60), || {
        active(c).is_some_and(|now| now != before)
    });

    let file = c.dir.join("portable.snap");
    let o = c.plugin(
        "vault-raft",
        &[
            "--token-file",
            token,
            "snapshot",
            "save",
            file.to_str().expect("path"),
        ],
    );
    assert_exit(&o, 0);
    let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}\n{}", show(&o)));
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "a gzip snapshot");
    let mode = std::fs::metadata(&file)
        .expect("snapshot")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn portable_status_step_down_snapshot() {
    let c = Cluster::start("portable-raft", 3, PLUGIN);
    status_step_down_snapshot(&c);
}

/// The existing-cluster driver against a sandbox started on its own.
#[test]
fn portable_existing_cluster_driver_against_a_separate_sandbox() {
    Cluster::against_a_separate_sandbox("portable-raft", PLUGIN, status_step_down_snapshot);
}
