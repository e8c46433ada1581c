//! `metrics.k8s.io/v1beta1`, as metrics-server serves it, so `kubectl top pod` and the
//! plugins' memory checks work against the sandbox: PodMetrics and NodeMetrics read from each
//! pod's real processes in /proc (resident memory as the working set; CPU as the average over
//! the process's life, where metrics-server averages over its scrape window).

use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::selector::LabelSelector;
use crate::status::ApiError;
use crate::{objects, procs, time};

pub const GROUP: &str = "metrics.k8s.io";
const VERSION: &str = "v1beta1";

fn group_entry() -> Value {
    let gv = json!({"groupVersion": format!("{GROUP}/{VERSION}"), "version": VERSION});
    json!({"name": GROUP, "versions": [gv.clone()], "preferredVersion": gv})
}

/// `/apis` with the metrics group listed, as an aggregated API server adds it.
pub fn with_group(mut list: Value) -> Value {
    if let Some(groups) = list["groups"].as_array_mut() {
        groups.push(group_entry());
    }
    list
}

/// Answers a request under `/apis/metrics.k8s.io`, or None for any other path.
pub fn handle(
    c: &Cluster,
    segs: &[&str],
    label_selector: Option<&str>,
    allowed: impl Fn(&str) -> bool,
) -> Option<Result<Value, ApiError>> {
    let rest = match segs {
        ["apis", GROUP] => {
            let mut g = group_entry();
            g["kind"] = json!("APIGroup");
            g["apiVersion"] = json!("v1");
            return Some(Ok(g));
        }
        ["apis", GROUP, VERSION, rest @ ..] => rest,
        ["apis", GROUP, ..] => return Some(Err(ApiError::not_found("path", &segs.join("/")))),
        _ => return None,
    };
    let verb = if rest.len() % 2 == 0 { "get" } else { "list" };
    if !rest.is_empty() && !allowed(verb) {
        return Some(Err(ApiError::new(
            403,
            "Forbidden",
            format!("cannot {verb} resource \"pods\" in API group \"{GROUP}\""),
        )));
    }
    let selector = match LabelSelector::parse(label_selector.unwrap_or("")) {
        Ok(s) => s,
        Err(e) => return Some(Err(ApiError::bad_request(e))),
    };
    Some(match rest {
        [] => Ok(resource_list()),
        ["pods"] => Ok(list("PodMetricsList", pods(c, None, &selector))),
        ["namespaces", ns, "pods"] => Ok(list("PodMetricsList", pods(c, Some(ns), &selector))),
        ["namespaces", ns, "pods", name] => pods(c, Some(ns), &selector)
            .into_iter()
            .find(|m| m["metadata"]["name"] == *name)
            .ok_or_else(|| ApiError::not_found("pods.metrics.k8s.io", name)),
        ["nodes"] => Ok(list("NodeMetricsList", vec![node(c)])),
        ["nodes", name] => Some(node(c))
            .filter(|n| n["metadata"]["name"] == *name)
            .ok_or_else(|| ApiError::not_found("nodes.metrics.k8s.io", name)),
        _ => Err(ApiError::not_found("path", &segs.join("/"))),
    })
}

fn resource_list() -> Value {
    let r = |name: &str, kind: &str, namespaced: bool| json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": ["get", "list"]});
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": format!("{GROUP}/{VERSION}"),
           "resources": [r("nodes", "NodeMetrics", false), r("pods", "PodMetrics", true)]})
}

fn list(kind: &str, items: Vec<Value>) -> Value {
    json!({"kind": kind, "apiVersion": format!("{GROUP}/{VERSION}"), "metadata": {}, "items": items})
}

/// The working set (bytes, [`procs::working_set`]) and CPU seconds of a process and its
/// children, and how long it has lived.
fn usage(pid: u32) -> (u64, f64, f64) {
    let mut pids = vec![pid];
    pids.extend(procs::children(pid));
    let ticks = 100.0; // USER_HZ on Linux
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    let (mut cpu, mut age) = (0.0, 0.0_f64);
    for p in pids {
        let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, r)| r.split_whitespace().collect())
            .unwrap_or_default();
        // After the command: state is field 3, utime 14, stime 15, starttime 22 (1-based).
        let num = |i: usize| {
            fields
                .get(i - 3)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        cpu += (num(14) + num(15)) / ticks;
        age = age.max(uptime - num(22) / ticks);
    }
    (procs::working_set(pid), cpu, age)
}

fn pods(c: &Cluster, ns: Option<&str>, selector: &LabelSelector) -> Vec<Value> {
    let (items, _) = c.store.list("pods", ns, |p| {
        selector.matches(p["metadata"].get("labels"))
    });
    let now = time::now();
    items
        .iter()
        .filter_map(|pod| {
            let name = pod["metadata"]["name"].as_str()?;
            let proc = c.kubelet.get(name)?.current()?;
            let (rss, cpu, age) = usage(proc.pid);
            let nanocores = if age > 0.0 { cpu / age * 1e9 } else { 0.0 };
            Some(json!({
                "kind": "PodMetrics", "apiVersion": format!("{GROUP}/{VERSION}"),
                "metadata": {"name": name, "namespace": pod["metadata"]["namespace"],
                             "labels": pod["metadata"]["labels"], "creationTimestamp": now},
                "timestamp": now, "window": format!("{}s", age.round().max(1.0)),
                "containers": [{"name": c.variant().container(),
                                "usage": {"cpu": format!("{}n", nanocores.round()), "memory": format!("{}Ki", rss / 1024)}}],
            }))
        })
        .collect()
}

/// The one node: the sum of its pods.
fn node(c: &Cluster) -> Value {
    let (mut mem, mut cpu) = (0u64, 0u64);
    for p in pods(c, None, &LabelSelector::default()) {
        for ct in p["containers"].as_array().into_iter().flatten() {
            let u = &ct["usage"];
            mem += u["memory"]
                .as_str()
                .and_then(|m| m.trim_end_matches("Ki").parse::<u64>().ok())
                .unwrap_or(0)
                * 1024;
            cpu += u["cpu"]
                .as_str()
                .and_then(|m| m.trim_end_matches('n').parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    let now = time::now();
    json!({
        "kind": "NodeMetrics", "apiVersion": format!("{GROUP}/{VERSION}"),
        "metadata": {"name": objects::NODE_NAME, "creationTimestamp": now},
        "timestamp": now, "window": "30s",
        "usage": {"cpu": format!("{cpu}n"), "memory": format!("{}Ki", mem / 1024)},
    })
}
