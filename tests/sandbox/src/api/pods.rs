//! The pod subresources the kubelet serves through the API: `log`, `exec`, `portforward`.

use hyper::body::Incoming;
use hyper::{Request, Response};

use super::request::Query;
use super::{Body, Call, logs, streams};
use crate::cluster::Cluster;
use crate::status::ApiError;

fn check_container(c: &Cluster, q: &Query, pod: &str) -> Result<(), ApiError> {
    match q.get("container") {
        None | Some("") => Ok(()),
        Some(name) if name == c.variant().container() => Ok(()),
        Some(other) => Err(ApiError::bad_request(format!(
            "container {other} is not valid for pod {pod}"
        ))),
    }
}

fn pod_running(c: &Cluster, ns: &str, name: &str) -> Result<(), ApiError> {
    let pod = c
        .store
        .get_shared("pods", ns, name)
        .ok_or_else(|| ApiError::not_found("pods", name))?;
    if pod["status"]["phase"] != "Running" {
        return Err(ApiError::bad_request(format!(
            "unable to upgrade connection: pod {name} is not running (phase {})",
            pod["status"]["phase"].as_str().unwrap_or("Unknown")
        )));
    }
    Ok(())
}

pub async fn log(call: &Call) -> Result<Response<Body>, ApiError> {
    let name = call.route.target.name();
    let q = &call.q;
    call.c
        .store
        .get_shared("pods", call.route.ns(), name)
        .ok_or_else(|| ApiError::not_found("pods", name))?;
    // Only the pods of Vault StatefulSets ever run.
    let key = crate::kubelet::run_key(&call.c, call.route.ns(), name);
    if call.route.ns() != call.c.ns() && call.c.kubelet.get(&key).is_none() {
        return Err(ApiError::bad_request(format!(
            "container \"{}\" in pod \"{name}\" is waiting to start: ContainerCreating",
            call.c.variant().container()
        )));
    }
    check_container(&call.c, q, name)?;
    let body = logs::logs(
        call.c.clone(),
        &key,
        logs::LogParams {
            tail_lines: q.get("tailLines").and_then(|v| v.parse().ok()),
            limit_bytes: q.get("limitBytes").and_then(|v| v.parse().ok()),
            follow: q.flag("follow"),
            previous: q.flag("previous"),
        },
    )
    .await?;
    Ok(Response::builder()
        .header("content-type", "text/plain")
        .body(body)
        .expect("log response"))
}

pub fn exec(call: &Call, req: &mut Request<Incoming>) -> Result<Response<Body>, ApiError> {
    let name = call.route.target.name();
    pod_running(&call.c, call.route.ns(), name)?;
    check_container(&call.c, &call.q, name)?;
    let command = call.q.all("command");
    if command.is_empty() {
        return Err(ApiError::bad_request(
            "you must specify at least one command for the container",
        ));
    }
    streams::exec(
        call.c.clone(),
        req,
        &crate::kubelet::run_key(&call.c, call.route.ns(), name),
        streams::ExecParams {
            command,
            stdin: call.q.flag("stdin"),
            tty: call.q.flag("tty"),
        },
    )
}

pub fn portforward(call: &Call, req: &mut Request<Incoming>) -> Result<Response<Body>, ApiError> {
    let name = call.route.target.name();
    pod_running(&call.c, call.route.ns(), name)?;
    let ports = call
        .q
        .all("ports")
        .iter()
        .flat_map(|p| p.split(',').map(str::to_string).collect::<Vec<_>>())
        .map(|p| {
            p.trim()
                .parse::<u16>()
                .map_err(|_| ApiError::bad_request(format!("invalid port {p:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let key = crate::kubelet::run_key(&call.c, call.route.ns(), name);
    streams::portforward(call.c.clone(), req, &key, ports)
}
