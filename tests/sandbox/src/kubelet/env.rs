//! The container's environment, mapped from the pod spec as the kubelet does.

use tokio::process::Command;

use super::PodRun;
use crate::cluster::Cluster;
use crate::objects;

/// The container's environment as the pod spec declares it (the pod's own paths and
/// addresses: nothing is rewritten).
pub fn pod_env(c: &Cluster, run: &PodRun) -> Vec<(String, String)> {
    let ip = run.ip.to_string();
    let name = run.name.as_str();
    let mut env: Vec<(String, String)> = Vec::new();
    let template = c
        .store
        .get("statefulsets", &run.namespace, &run.statefulset)
        .map(|s| s["spec"]["template"].clone())
        .unwrap_or_else(|| objects::pod_template(c.variant()));
    for e in template["spec"]["containers"][0]["env"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let Some(key) = e["name"].as_str() else {
            continue;
        };
        let value = if let Some(v) = e["value"].as_str() {
            v.to_string()
        } else {
            match e["valueFrom"]["fieldRef"]["fieldPath"].as_str() {
                Some("status.podIP") => ip.clone(),
                Some("status.hostIP") => c.cfg.node_ip().to_string(),
                Some("metadata.name") => name.to_string(),
                Some("metadata.namespace") => run.namespace.clone(),
                _ => continue,
            }
        };
        env.push((key.to_string(), value));
    }
    // $(VAR) references, as the kubelet expands them.
    let snapshot = env.clone();
    for (_, v) in env.iter_mut() {
        for (k, val) in &snapshot {
            *v = v.replace(&format!("$({k})"), val);
        }
    }
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut extra = vec![
        ("PATH".to_string(), super::rootfs::PATH.to_string()),
        // As the container runtime sets it.
        ("HOSTNAME".to_string(), name.to_string()),
        // The API's in-cluster address, as the kubelet gives every container.
        (
            "KUBERNETES_SERVICE_HOST".to_string(),
            c.cfg.node_ip().to_string(),
        ),
        (
            "KUBERNETES_SERVICE_PORT".to_string(),
            crate::sandbox::API_PORT.to_string(),
        ),
        (
            "KUBERNETES_SERVICE_PORT_HTTPS".to_string(),
            crate::sandbox::API_PORT.to_string(),
        ),
    ];
    // OpenBao reads BAO_*; Vault reads VAULT_*. Pods of the Vault chart set the VAULT_ ones
    // (the image's `vault` is OpenBao's CLI): give the server and CLI their BAO_ twins. Pods
    // of the OpenBao chart set BAO_ ones only.
    if get("BAO_ADDR").is_none()
        && let Some(addr) = get("VAULT_ADDR")
    {
        extra.push(("BAO_ADDR".into(), addr));
    }
    let bao_ca = get("BAO_CACERT");
    if let Some(ca) = bao_ca.clone().or_else(|| get("VAULT_CACERT")) {
        if bao_ca.is_none() {
            extra.push(("BAO_CACERT".into(), ca.clone()));
        }
        // Outgoing TLS from the server (raft join) trusts the cluster CA, as a CA bundle in
        // the image would make it.
        extra.push(("SSL_CERT_FILE".into(), ca));
    }
    // The raft join targets the leader's cluster port (8201) with the server's own
    // certificates; with TLS disabled on 8200 nothing else needs a CA.
    env.retain(|(k, _)| {
        ![
            "VAULT_CLUSTER_ADDR",
            "VAULT_API_ADDR",
            "VAULT_RAFT_NODE_ID",
            "BAO_CLUSTER_ADDR",
            "BAO_API_ADDR",
            "BAO_RAFT_NODE_ID",
        ]
        .contains(&k.as_str())
    });
    env.extend(extra);
    env
}

/// The command an exec request runs for pod `name`, in the pod, with the pod's environment.
pub fn exec_command(c: &Cluster, name: &str, argv: &[String]) -> Result<Command, String> {
    let not_found = || {
        format!(
            "unable to upgrade connection: container not found (\"{}\")",
            c.variant().container()
        )
    };
    let run = c.kubelet.get(name).ok_or_else(not_found)?;
    let server = run
        .current()
        .and_then(|p| super::server_pid(&p))
        .ok_or_else(not_found)?;
    if argv.is_empty() {
        return Err("you must specify at least one command for the container".to_string());
    }
    // Into the server's PID, mount, network and UTS namespaces and its root and working
    // directory: the command sees the pod's processes, paths and listeners only.
    let mut cmd = Command::new("nsenter");
    cmd.arg(format!("--target={server}"))
        .args(["--pid", "--mount", "--net", "--uts", "--root", "--wd", "--"])
        .args(argv)
        .env_clear()
        .envs(pod_env(c, &run));
    Ok(cmd)
}
