//! The container's environment, mapped from the pod spec as the kubelet does.

use std::path::Path;

use tokio::process::Command;

use super::PodRun;
use crate::cluster::Cluster;
use crate::objects;

/// The container's environment as the pod spec declares it, with the sandbox's addresses and
/// paths substituted: `127.0.0.1` inside a pod is the pod's own address here.
pub fn pod_env(c: &Cluster, run: &PodRun, root: &Path) -> Vec<(String, String)> {
    let ip = c.cfg.pod_ip(run.ordinal).to_string();
    let name = run.name.as_str();
    let mut env: Vec<(String, String)> = Vec::new();
    let template = c
        .store
        .get("statefulsets", &run.namespace, &run.statefulset)
        .map(|s| s["spec"]["template"].clone())
        .unwrap_or_else(objects::pod_template);
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
        *v = rewrite_paths(&v.replace("127.0.0.1", &ip), root);
    }
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut extra = vec![
        (
            "PATH".to_string(),
            format!("{}:/usr/local/bin:/usr/bin:/bin", c.cfg.bin_dir().display()),
        ),
        ("TMPDIR".to_string(), root.join("tmp").display().to_string()),
        // The API's in-cluster address, as the kubelet gives every container.
        (
            "KUBERNETES_SERVICE_HOST".to_string(),
            c.cfg.api_addr.ip().to_string(),
        ),
        (
            "KUBERNETES_SERVICE_PORT".to_string(),
            c.cfg.api_addr.port().to_string(),
        ),
        (
            "KUBERNETES_SERVICE_PORT_HTTPS".to_string(),
            c.cfg.api_addr.port().to_string(),
        ),
    ];
    // OpenBao reads BAO_*; Vault reads VAULT_*. Pods of the chart set the VAULT_ ones.
    if let Some(addr) = get("VAULT_ADDR") {
        extra.push(("BAO_ADDR".into(), addr));
    }
    if let Some(ca) = get("VAULT_CACERT") {
        extra.push(("BAO_CACERT".into(), ca.clone()));
        // Outgoing TLS from the server (raft join) trusts the cluster CA, as a CA bundle in
        // the image would make it.
        extra.push(("SSL_CERT_FILE".into(), ca));
    }
    env.retain(|(k, _)| {
        k != "VAULT_CLUSTER_ADDR" && k != "VAULT_API_ADDR" && k != "VAULT_RAFT_NODE_ID"
    });
    env.extend(extra);
    env
}

/// Maps the container's paths (`/vault/...`, `/home/vault`, `/tmp`) onto the pod's directory,
/// wherever a path starts in `s` (at the start, or after whitespace, `=`, `@`, quotes or `:`).
pub fn rewrite_paths(s: &str, root: &Path) -> String {
    const PREFIXES: [&str; 3] = ["/vault", "/home/vault", "/tmp"];
    let root = root.display().to_string();
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let at_boundary = i == 0 || b" \t\n=@\"':(>,".contains(&bytes[i - 1]);
        let hit = at_boundary
            .then(|| {
                PREFIXES.iter().find(|p| {
                    s[i..].starts_with(**p)
                        && s[i + p.len()..].chars().next().is_none_or(|c| {
                            c == '/' || !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
                        })
                })
            })
            .flatten();
        match hit {
            Some(p) => {
                out.push_str(&root);
                out.push_str(p);
                i += p.len();
            }
            None => {
                let ch = s[i..].chars().next().expect("char");
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// The command an exec request runs for pod `name`, with the pod's environment and paths.
pub fn exec_command(c: &Cluster, name: &str, argv: &[String]) -> Result<Command, String> {
    let not_found = || {
        format!(
            "unable to upgrade connection: container not found (\"{}\")",
            objects::CONTAINER
        )
    };
    let run = c.kubelet.get(name).ok_or_else(not_found)?;
    let server = run
        .current()
        .and_then(|p| super::server_pid(&p))
        .ok_or_else(not_found)?;
    let root = c.cfg.pod_dir(&run.key).join("root");
    let args: Vec<String> = argv.iter().map(|a| rewrite_paths(a, &root)).collect();
    if args.is_empty() {
        return Err("you must specify at least one command for the container".to_string());
    }
    // Into the server's PID and mount namespaces: the command sees the pod's processes only.
    let mut cmd = Command::new("nsenter");
    cmd.arg(format!("--target={server}"))
        .args(["--pid", "--mount"])
        .arg(format!("--wd={}", root.display()))
        .arg("--")
        .args(&args)
        .current_dir(&root)
        .env_clear()
        .envs(pod_env(c, &run, &root));
    Ok(cmd)
}
