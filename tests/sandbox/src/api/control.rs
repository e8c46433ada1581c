//! The sandbox's own endpoints (`/sandbox/v1/...`: status, faults, shutdown) and the node
//! proxy's kubelet stats summary.

use std::sync::Arc;

use serde_json::{Value, json};

use hyper::Method;

use super::auth::Identity;
use super::request::Attributes;
use crate::cluster::{ApiFaults, Cluster};
use crate::faults::{self, Fault};
use crate::objects;
use crate::status::ApiError;
use crate::time;

/// `/sandbox/v1/...`, for the sandbox's own admin only (not another user, not the admin
/// impersonating someone).
pub async fn handle(
    c: &Arc<Cluster>,
    who: &Identity,
    method: &Method,
    path: &str,
    rest: &[String],
    body: Value,
) -> Result<Value, ApiError> {
    if !who.admin {
        let a = Attributes::non_resource(method, path);
        return Err(a.forbidden(&who.subject.name, ""));
    }
    match rest.first().map(String::as_str) {
        Some("status") => Ok(status(c)),
        Some("faults") => {
            let kind = body["kind"].as_str().unwrap_or_default();
            if kind.starts_with("api-") {
                return api_fault(c, kind, &body).map(|message| json!({"message": message}));
            }
            let pod = body["pod"].as_str().unwrap_or_default();
            if kind == "slow" {
                let ms = body["delay_ms"].as_u64().ok_or_else(|| {
                    ApiError::bad_request("fault slow needs delay_ms (--delay MS)")
                })?;
                let message = faults::slow(c, pod, std::time::Duration::from_millis(ms))
                    .await
                    .map_err(ApiError::bad_request)?;
                return Ok(json!({"message": message}));
            }
            let fault: Fault = kind.parse().map_err(ApiError::bad_request)?;
            let message = faults::inject(c, fault, pod)
                .await
                .map_err(ApiError::bad_request)?;
            Ok(json!({"message": message}))
        }
        Some("shutdown") => {
            let _ = c.shutdown.send(true);
            Ok(json!({"message": "shutting down"}))
        }
        _ => Err(ApiError::not_found("sandbox endpoint", &rest.join("/"))),
    }
}

/// `api-error`, `api-delay` and `api-clear`: faults of the API server itself.
fn api_fault(c: &Cluster, kind: &str, body: &Value) -> Result<String, ApiError> {
    let path = body["path"].as_str().unwrap_or("").to_string();
    let mut faults = c
        .api_faults
        .lock()
        .map_err(|_| ApiError::internal("the API faults are poisoned"))?;
    let what = if path.is_empty() {
        "every request".to_string()
    } else {
        format!("requests whose path contains {path:?}")
    };
    match kind {
        "api-error" => {
            let status = body["status"].as_u64().unwrap_or(0) as u16;
            let count = body["count"].as_u64().map(|n| n as u32);
            faults
                .add_error(status, &path, count)
                .map_err(ApiError::bad_request)?;
            let times = count.map_or("until cleared".to_string(), |n| format!("{n} time(s)"));
            Ok(format!("the API answers {status} to {what}, {times}"))
        }
        "api-delay" => {
            let seconds = body["seconds"].as_f64().unwrap_or(-1.0);
            faults
                .add_delay(seconds, &path)
                .map_err(ApiError::bad_request)?;
            Ok(format!("the API answers {what} {seconds} s late"))
        }
        "api-clear" => {
            *faults = ApiFaults::default();
            Ok("the API answers normally again".into())
        }
        other => Err(ApiError::bad_request(format!(
            "unknown fault {other:?}: expected api-error, api-delay or api-clear"
        ))),
    }
}

/// The answer to a request an `api-error` fault fails, as the API server (or its overload
/// protection, for 429) words it.
pub fn injected_error(status: u16) -> ApiError {
    match status {
        429 => ApiError::plain(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
        ),
        503 => ApiError::new(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        ),
        _ => ApiError::internal("injected fault: the sandbox API was told to fail this request"),
    }
}

pub fn status(c: &Cluster) -> Value {
    let (pods, _) = c.store.list("pods", Some(c.ns()), |_| true);
    let pods: Vec<Value> = pods
        .iter()
        .map(|p| {
            let name = p["metadata"]["name"].as_str().unwrap_or_default();
            let run = c.kubelet.get(name);
            json!({
                "name": name,
                "uid": p["metadata"]["uid"],
                "ip": p["status"]["podIP"],
                "phase": p["status"]["phase"],
                "ready": p["status"]["conditions"].as_array().is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True")),
                "sealed": p["metadata"]["labels"][c.variant().registration_label("sealed")],
                "pid": run.as_ref().and_then(|r| r.current()).map(|p| p.pid),
                "restarts": run.as_ref().map(|r| r.restarts()).unwrap_or(0),
            })
        })
        .collect();
    json!({
        "api": format!("https://{}", c.cfg.api_addr),
        "namespace": c.ns(),
        "dir": c.cfg.dir,
        "supervisor_pid": std::process::id(),
        "pods": pods,
    })
}

/// Parses a Kubernetes quantity such as `10Gi`, `500M` or `1024`.
pub fn parse_quantity(q: &str) -> Option<u64> {
    const SUFFIXES: [(&str, f64); 8] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
    ];
    let (num, mult) = SUFFIXES
        .iter()
        .find_map(|(suffix, mult)| q.strip_suffix(suffix).map(|n| (n, *mult)))
        .unwrap_or((q, 1.0));
    let n: f64 = num.parse().ok()?;
    (n >= 0.0).then_some((n * mult) as u64)
}

/// `GET /api/v1/nodes/{node}/proxy/stats/summary`: the kubelet's summary with each pod's PVC
/// usage, measured with statfs on the volume's filesystem as the pod has it mounted.
pub async fn node_proxy(c: &Arc<Cluster>, node: &str, rest: &[String]) -> Result<Value, ApiError> {
    if node != objects::NODE_NAME {
        return Err(ApiError::not_found("nodes", node));
    }
    if rest != ["stats", "summary"] {
        return Err(ApiError::not_found("node proxy path", &rest.join("/")));
    }
    let (pods, _) = c.store.list("pods", None, |_| true);
    let now = time::now();
    let mut out = Vec::new();
    for p in &pods {
        let ns = p["metadata"]["namespace"].as_str().unwrap_or_default();
        let mut volumes = Vec::new();
        for v in p["spec"]["volumes"].as_array().into_iter().flatten() {
            let Some(claim) = v["persistentVolumeClaim"]["claimName"].as_str() else {
                continue;
            };
            if c.store.get("persistentvolumeclaims", ns, claim).is_none() {
                continue;
            }
            // Only volumes mounted in a running container are measured, as the kubelet does.
            let pod = p["metadata"]["name"].as_str().unwrap_or_default();
            let Some(u) = crate::kubelet::volume_usage(c, ns, pod, claim) else {
                continue;
            };
            volumes.push(json!({
                "time": now, "name": v["name"],
                "capacityBytes": u.capacity, "usedBytes": u.used, "availableBytes": u.available,
                "inodes": u.inodes, "inodesUsed": u.inodes - u.inodes_free, "inodesFree": u.inodes_free,
                "pvcRef": {"name": claim, "namespace": ns},
            }));
        }
        out.push(json!({
            "podRef": {"name": p["metadata"]["name"], "namespace": ns, "uid": p["metadata"]["uid"]},
            "startTime": p["status"]["startTime"],
            "volume": volumes,
        }));
    }
    Ok(json!({"node": {"nodeName": node, "startTime": now}, "pods": out}))
}
