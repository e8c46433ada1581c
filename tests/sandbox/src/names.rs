//! Names as the cluster DNS gives them to the chart's pods: `<pod>.<statefulset>-internal`
//! under the headless service, the Services (`vault`, `vault-active`, `vault-standby`,
//! `vault-internal`) and `kubernetes.default`, each also with `.<ns>`, `.<ns>.svc` and
//! `.<ns>.svc.cluster.local`. There is no DNS server and no kube-proxy: every pod gets an
//! /etc/hosts and /etc/resolv.conf of its own (bind-mounted in its mount namespace, rewritten
//! in place as pods come, go and change roles) where a Service name stands for the IPs of the
//! pods it selects (the active pod first); the sandbox resolves the same names itself.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::cluster::Cluster;
use crate::kubelet::PodRun;

/// `name` in each form a pod's DNS search path reaches it by.
fn forms(name: &str, ns: &str) -> [String; 4] {
    [
        name.to_string(),
        format!("{name}.{ns}"),
        format!("{name}.{ns}.svc"),
        format!("{name}.{ns}.svc.cluster.local"),
    ]
}

/// Every address and its names, the active Vault pod first.
pub fn entries(c: &Cluster) -> Vec<(Ipv4Addr, Vec<String>)> {
    let mut runs = c.kubelet.running();
    let v = c.variant();
    let active_label = v.registration_label("active");
    let active = |r: &Arc<PodRun>| {
        r.object(c)
            .is_some_and(|p| p["metadata"]["labels"][&active_label] == "true")
    };
    runs.sort_by_key(|r| (!active(r), r.name.clone()));
    let mut out: Vec<(Ipv4Addr, Vec<String>)> = runs
        .iter()
        .map(|r| {
            let ns = r.namespace.as_str();
            let mut names = Vec::new();
            if !r.statefulset.is_empty() {
                names.extend(forms(&format!("{}.{}-internal", r.name, r.statefulset), ns));
            }
            if ns == c.ns() && r.statefulset == v.statefulset() {
                let [main, internal, active, standby] = v.service_names();
                let role = match r.object(c) {
                    Some(p) if p["metadata"]["labels"][&active_label] == "true" => Some(active),
                    Some(p) if p["metadata"]["labels"][&active_label] == "false" => Some(standby),
                    _ => None,
                };
                for svc in [internal, main].into_iter().chain(role) {
                    names.extend(forms(&svc, ns));
                }
            }
            (r.ip, names)
        })
        .filter(|(_, names)| !names.is_empty())
        .collect();
    out.push((c.cfg.node_ip(), forms("kubernetes", "default").to_vec()));
    out
}

/// The address `name` resolves to (its first, as `getent hosts` answers), for the sandbox's
/// own clients.
pub fn resolve(c: &Cluster, name: &str) -> Option<Ipv4Addr> {
    let name = name.trim_end_matches('.');
    if let Ok(ip) = name.parse() {
        return Some(ip);
    }
    entries(c)
        .into_iter()
        .find(|(_, names)| names.iter().any(|n| n == name))
        .map(|(ip, _)| ip)
}

/// The pod's /etc/hosts, as the kubelet writes it (localhost, the pod's own names), with the
/// cluster's names after it.
fn hosts_file(run: &PodRun, entries: &[(Ipv4Addr, Vec<String>)]) -> String {
    let mut s = String::from(
        "# Kubernetes-managed hosts file (vault-sandbox: cluster names included).\n\
         127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
    );
    s.push_str(&format!(
        "{}\t{}.{}-internal.{}.svc.cluster.local\t{}\n",
        run.ip, run.name, run.statefulset, run.namespace, run.name
    ));
    for (ip, names) in entries {
        s.push_str(&format!("{ip}\t{}\n", names.join(" ")));
    }
    s
}

fn resolv_conf(c: &Cluster, run: &PodRun) -> String {
    let ns = &run.namespace;
    format!(
        "search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver {}\noptions ndots:5\n",
        c.cfg.node_ip()
    )
}

/// The host files behind pod `run`'s /etc/hosts and /etc/resolv.conf.
pub fn files(c: &Cluster, run: &PodRun) -> (PathBuf, PathBuf) {
    let dir = c.cfg.pod_dir(&run.key);
    (dir.join("etc-hosts"), dir.join("etc-resolv.conf"))
}

/// Rewrites `path` in place (same inode: it is bind-mounted) when its content changes.
fn write_in_place(path: &Path, content: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content)
}

/// Brings every running pod's /etc/hosts and /etc/resolv.conf up to date.
pub fn refresh(c: &Cluster) {
    let entries = entries(c);
    for run in c.kubelet.running() {
        let (hosts, resolv) = files(c, &run);
        if let Some(dir) = hosts.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = write_in_place(&hosts, &hosts_file(&run, &entries));
        let _ = write_in_place(&resolv, &resolv_conf(c, &run));
    }
}

/// Keeps the pods' name files current (roles change without the kubelet knowing).
pub async fn refresh_loop(c: Arc<Cluster>) {
    let shutdown = c.shut_down();
    tokio::pin!(shutdown);
    loop {
        refresh(&c);
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = &mut shutdown => return,
        }
    }
}
