//! The chart's variants: the OpenBao chart (pods `openbao-N` under `openbao-internal`, its
//! audit volume mounted before the data volume) and a listener without TLS. `status` and
//! `storage` are checked against the Vault API straight to each pod and kubectl.

use super::*;
use support::pod_row;
use vault_sandbox::chart::Chart;

/// `status` names every pod and the leader the Vault API names, with every voter.
fn status_matches_the_api(r: &Raft, pods: &[&str]) {
    let (out, v) = r.json(&["status"]);
    assert_exit(&out, 0);
    let leader = r.leader();
    let listed: Vec<&str> = v["pods"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["pod"].as_str())
        .collect();
    assert_eq!(listed, pods, "{v:#}");
    assert_eq!(
        pod_row(&v, pods[leader as usize])["role"],
        "leader",
        "{v:#}"
    );
    let servers = r.servers(&(0..pods.len() as u32).collect::<Vec<_>>());
    assert_eq!(v["raft"]["voters"], json!(servers.len()), "{v:#}");
    for s in &servers {
        let id = s["node_id"].as_str().unwrap();
        assert_eq!(pod_row(&v, id)["node_id"], id, "{v:#}");
        assert_eq!(pod_row(&v, id)["voter"], s["voter"], "{v:#}");
    }
}

#[test]
fn status_and_storage_on_the_openbao_chart_read_the_data_claim() {
    let r = start_with(
        "raft-variant-openbao",
        Options {
            nodes: 3,
            chart: Chart::Openbao,
            // The chart's audit volume, mounted first: `storage` must not measure it.
            audit: true,
            ..Default::default()
        },
    );
    let pods = ["openbao-0", "openbao-1", "openbao-2"];
    status_matches_the_api(&r, &pods);

    // Make the data volume differ from the audit one: 8 MiB more in raft's directory.
    let k = &r.e.kubectl;
    k.ok([
        "exec",
        "openbao-1",
        "--",
        "dd",
        "if=/dev/zero",
        "of=/openbao/data/ballast",
        "bs=1M",
        "count=8",
    ])
    .expect("write in the data volume");
    let (out, v) = r.json(&["storage"]);
    assert_exit(&out, 0);
    for (i, pod) in pods.iter().enumerate() {
        let row = pod_row(&v, pod);
        assert_eq!(row["pvc"], format!("data-{pod}"), "{v:#}");
        assert_eq!(row["mount_path"], "/openbao/data", "{v:#}");
        // Independently: the pod's own df of /openbao/data (1K blocks).
        let df = k
            .ok(["exec", pod, "--", "df", "-P", "/openbao/data"])
            .unwrap();
        let used_kib: u64 = df
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .nth(2)
            .unwrap()
            .parse()
            .unwrap();
        let used = row["used_bytes"].as_u64().unwrap();
        if i == 1 {
            assert!(used >= 8 * 1024 * 1024, "the ballast not counted: {v:#}");
        }
        // Within 2 MiB of df (raft writes between the two reads).
        assert!(
            used.abs_diff(used_kib * 1024) < 2 * 1024 * 1024,
            "{pod}: plugin {used} B, df {used_kib} KiB"
        );
    }
}

#[test]
fn status_on_pods_whose_listener_is_plain_http() {
    let r = start_with(
        "raft-variant-http",
        Options {
            nodes: 3,
            tls_disable: true,
            ..Default::default()
        },
    );
    status_matches_the_api(&r, &["vault-0", "vault-1", "vault-2"]);
}
