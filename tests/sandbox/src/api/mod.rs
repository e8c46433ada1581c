//! The Kubernetes API server: HTTPS on loopback, bearer-token users, discovery, CRUD with
//! selectors and watches, Table output, and the pod subresources (log, exec, portforward).

pub mod control;
mod events_v1;
mod logs;
mod metrics;
mod patch;
mod protobuf;
pub mod resources;
mod streams;
pub mod table;
mod watch;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::cluster::{Cluster, User};
use crate::controller;
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use resources::Resource;
use table::Include;

pub type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

pub fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// A streaming body fed through a channel; the channel closes when the client goes away.
pub fn channel_body() -> (mpsc::Sender<Bytes>, Body) {
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::io::Error>(Frame::data(b)), rx))
    });
    (tx, StreamBody::new(stream).boxed())
}

fn json_response(code: u16, v: &Value) -> Response<Body> {
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(full(v.to_string()))
        .expect("response")
}

fn error_response(e: &ApiError) -> Response<Body> {
    json_response(e.code, &e.to_json())
}

pub async fn serve(c: Arc<Cluster>, listener: TcpListener, tls: tokio_rustls::TlsAcceptor) {
    let shutdown = c.shut_down();
    tokio::pin!(shutdown);
    loop {
        let (tcp, _) = tokio::select! {
            r = listener.accept() => match r { Ok(x) => x, Err(_) => continue },
            _ = &mut shutdown => return,
        };
        let c = c.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let Ok(stream) = tls.accept(tcp).await else {
                return;
            };
            let svc = service_fn(move |req| {
                let c = c.clone();
                async move { Ok::<_, Infallible>(handle(c, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .with_upgrades()
                .await;
        });
    }
}

/// Query parameters; `command` and `ports` may repeat.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(q: Option<&str>) -> Query {
        Query(
            form_urlencoded::parse(q.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
    fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("true" | "1"))
    }
}

enum Target {
    Collection,
    Object(String),
    Sub(String, String, Vec<String>),
}

struct Route {
    resource: &'static Resource,
    namespace: Option<String>,
    target: Target,
}

/// Parses `/api/v1/...` and `/apis/{group}/{version}/...` resource paths.
fn route(segs: &[&str]) -> Option<Result<Route, ApiError>> {
    let (group, version, rest) = match segs {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    if rest.is_empty() {
        return None;
    }
    let (namespace, rest) = match rest {
        ["namespaces", ns, res, tail @ ..]
            if resources::find(group, version, res).is_some_and(|r| r.namespaced) =>
        {
            (Some(ns.to_string()), [&[*res][..], tail].concat())
        }
        other => (None, other.to_vec()),
    };
    let Some(resource) = resources::find(group, version, rest[0]) else {
        return Some(Err(ApiError::not_found("resource", rest[0])));
    };
    let target = match &rest[1..] {
        [] => Target::Collection,
        [name] => Target::Object(name.to_string()),
        [name, sub, more @ ..] => Target::Sub(
            name.to_string(),
            sub.to_string(),
            more.iter().map(|s| s.to_string()).collect(),
        ),
    };
    Some(Ok(Route {
        resource,
        namespace,
        target,
    }))
}

fn verb(method: &Method, target: &Target, q: &Query) -> &'static str {
    match (method, target) {
        (&Method::GET, Target::Collection) if q.flag("watch") => "watch",
        (&Method::GET, Target::Collection) => "list",
        (&Method::GET, _) => "get",
        (&Method::POST, _) => "create",
        (&Method::PUT, _) => "update",
        (&Method::PATCH, _) => "patch",
        (&Method::DELETE, Target::Collection) => "deletecollection",
        (&Method::DELETE, _) => "delete",
        _ => "unknown",
    }
}

fn forbidden(user: &User, verb: &str, r: &Route, resource: &str) -> ApiError {
    let named = match &r.target {
        Target::Object(n) | Target::Sub(n, _, _) => format!("{} \"{n}\"", r.resource.plural),
        Target::Collection => r.resource.plural.to_string(),
    };
    let scope = match &r.namespace {
        Some(ns) => format!(" in the namespace \"{ns}\""),
        None => " at the cluster scope".into(),
    };
    ApiError::new(
        403,
        "Forbidden",
        format!(
            "{named} is forbidden: User \"{}\" cannot {verb} resource \"{resource}\" in API group \"{}\"{scope}",
            user.name, r.resource.group
        ),
    )
}

async fn handle(c: Arc<Cluster>, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_string();
    let faults = c.api_faults.lock().map(|f| f.clone()).unwrap_or_default();
    if let Some((_, delay)) = faults
        .delay_paths
        .iter()
        .find(|(p, _)| path.contains(p.as_str()))
    {
        tokio::time::sleep(*delay).await;
    }
    if faults.fail_paths.iter().any(|p| path.contains(p.as_str())) {
        return error_response(&ApiError::internal(
            "injected fault: the sandbox API was told to fail this request",
        ));
    }
    match handle_inner(c, req).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    }
}

async fn handle_inner(
    c: Arc<Cluster>,
    mut req: Request<Incoming>,
) -> Result<Response<Body>, ApiError> {
    let path = req.uri().path().trim_end_matches('/').to_string();
    let q = Query::parse(req.uri().query());
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if matches!(segs.as_slice(), ["healthz"] | ["livez"] | ["readyz"]) {
        return Ok(Response::new(full("ok")));
    }
    let token = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string();
    let user = c
        .user_by_token(&token)
        .ok_or_else(|| ApiError::new(401, "Unauthorized", "Unauthorized"))?;

    if let Some(answer) = metrics::handle(&c, &segs, q.get("labelSelector"), |verb| {
        user.allows(verb, "pods")
    }) {
        return answer.map(|v| json_response(200, &v));
    }
    let server = format!("{}", c.cfg.api_addr);
    let doc = match segs.as_slice() {
        ["version"] => Some(resources::version()),
        ["api"] => Some(resources::api_versions(&server)),
        ["apis"] => Some(metrics::with_group(resources::api_group_list())),
        ["api", v] => resources::api_resource_list("", v),
        ["apis", g] => resources::api_group(g),
        ["apis", g, v] => resources::api_resource_list(g, v),
        ["openapi", "v3"] => Some(resources::openapi_v3_root()),
        ["openapi", "v3", rest @ ..] => resources::openapi_v3(&rest.join("/")),
        ["sandbox", "v1", rest @ ..] => {
            let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            let body = read_json(req).await.unwrap_or(Value::Null);
            return control::handle(&c, &rest, body)
                .await
                .map(|v| json_response(200, &v));
        }
        _ => None,
    };
    if let Some(doc) = doc {
        return Ok(json_response(200, &doc));
    }
    let r = match route(&segs) {
        Some(r) => r?,
        None => return Err(ApiError::not_found("path", &path)),
    };
    let method = req.method().clone();
    let v = verb(&method, &r.target, &q);
    let checked_resource = match &r.target {
        Target::Sub(_, sub, _) => format!("{}/{sub}", r.resource.plural),
        _ => r.resource.plural.to_string(),
    };
    let checked_verb = match (&r.target, v) {
        (Target::Sub(_, sub, _), _) if sub == "exec" || sub == "portforward" => "create",
        _ => v,
    };
    if !user.allows(checked_verb, &checked_resource) {
        return Err(forbidden(&user, checked_verb, &r, &checked_resource));
    }
    let ns = r.namespace.clone().unwrap_or_default();
    let res = r.resource;
    let accept = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let as_table = table::wants_table(&accept).then(|| Include::parse(q.get("includeObject")));

    match (&method, &r.target) {
        (&Method::GET, Target::Collection) => {
            let labels = LabelSelector::parse(q.get("labelSelector").unwrap_or(""))
                .map_err(ApiError::bad_request)?;
            let fields = FieldSelector::parse(&events_v1::field_selector(
                res,
                q.get("fieldSelector").unwrap_or(""),
            ))
            .map_err(ApiError::bad_request)?;
            let ns_filter = r.namespace.as_deref();
            if q.flag("watch") {
                let rv = q
                    .get("resourceVersion")
                    .filter(|v| !v.is_empty() && *v != "0")
                    .map(|v| {
                        v.parse::<u64>().map_err(|_| {
                            ApiError::bad_request(format!("invalid resourceVersion {v:?}"))
                        })
                    })
                    .transpose()?;
                let timeout = q
                    .get("timeoutSeconds")
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(1800);
                let body = watch::watch(
                    c.clone(),
                    watch::WatchParams {
                        resource: res,
                        namespace: r.namespace.clone(),
                        labels,
                        fields,
                        rv,
                        timeout: Duration::from_secs(timeout),
                        table: as_table,
                        send_initial_events: q.flag("sendInitialEvents"),
                    },
                );
                return Ok(Response::builder()
                    .header("content-type", "application/json")
                    .header("transfer-encoding", "chunked")
                    .body(body)
                    .expect("watch response"));
            }
            let (mut items, rv) = c.store.list(res.plural, ns_filter, |o| {
                labels.matches(o["metadata"].get("labels")) && fields.matches(o)
            });
            if res.plural == "events" {
                items.sort_by(|a, b| {
                    a["lastTimestamp"]
                        .as_str()
                        .cmp(&b["lastTimestamp"].as_str())
                });
            }
            if let Some(include) = as_table {
                return Ok(json_response(
                    200,
                    &table::table(res.plural, &items, Some(rv), include),
                ));
            }
            for item in items.iter_mut() {
                *item = events_v1::outbound(res, item.take());
                item["kind"] = json!(res.kind);
                item["apiVersion"] = json!(res.api_version());
            }
            Ok(json_response(
                200,
                &json!({
                    "kind": format!("{}List", res.kind), "apiVersion": res.api_version(),
                    "metadata": {"resourceVersion": rv.to_string()}, "items": items,
                }),
            ))
        }
        (&Method::GET, Target::Object(name)) => {
            let obj = c
                .store
                .get(res.plural, &ns, name)
                .ok_or_else(|| ApiError::not_found(res.plural, name))?;
            match as_table {
                Some(include) => Ok(json_response(
                    200,
                    &table::table(res.plural, &[obj], None, include),
                )),
                None => Ok(json_response(200, &events_v1::outbound(res, obj))),
            }
        }
        (&Method::POST, Target::Collection) => {
            let mut obj = read_json(req).await?;
            if res.plural == "tokenreviews" {
                return Err(ApiError::method_not_allowed(
                    "tokenreviews are not served by this sandbox version",
                ));
            }
            obj["kind"] = json!(res.kind);
            obj["apiVersion"] = json!(res.api_version());
            let obj = events_v1::inbound(res, obj)?;
            if q.get("dryRun") == Some("All") {
                return Ok(json_response(201, &events_v1::outbound(res, obj)));
            }
            let created = c.store.create(res.plural, &ns, obj)?;
            c.reconcile.notify_one();
            Ok(json_response(201, &events_v1::outbound(res, created)))
        }
        (&Method::PUT | &Method::PATCH, Target::Object(name) | Target::Sub(name, _, _)) => {
            let ct = req
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let scale = matches!(&r.target, Target::Sub(_, sub, _) if sub == "scale");
            let body = read_json(req).await?;
            let change = |cur: &mut Value| -> Result<(), ApiError> {
                if method == Method::PUT {
                    *cur = body.clone();
                    Ok(())
                } else {
                    patch::apply(cur, &ct, &body)
                }
            };
            let dry_run = q.get("dryRun") == Some("All");
            let updated = if scale {
                let sts = write(&c, res, &ns, name, dry_run, |sts| {
                    let mut s = scale_of(sts);
                    change(&mut s)?;
                    sts["spec"]["replicas"] = s["spec"]["replicas"].clone();
                    Ok(())
                })?;
                scale_of(&sts)
            } else {
                write(
                    &c,
                    res,
                    &ns,
                    name,
                    dry_run,
                    events_v1::in_shape(res, change),
                )?
            };
            Ok(json_response(200, &events_v1::outbound(res, updated)))
        }
        (&Method::DELETE, Target::Object(name)) => {
            let body = read_json(req).await.unwrap_or(Value::Null);
            delete(&c, res, &ns, name, &body, q.get("dryRun") == Some("All"))
        }
        (&Method::GET, Target::Sub(name, sub, _)) if res.plural == "pods" && sub == "log" => {
            c.pod(name)
                .filter(|_| ns == c.ns())
                .ok_or_else(|| ApiError::not_found("pods", name))?;
            check_container(&q, name)?;
            let body = logs::logs(
                c.clone(),
                name,
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
        (&Method::GET | &Method::POST, Target::Sub(name, sub, _))
            if res.plural == "pods" && sub == "exec" =>
        {
            pod_running(&c, &ns, name)?;
            check_container(&q, name)?;
            let command = q.all("command");
            if command.is_empty() {
                return Err(ApiError::bad_request(
                    "you must specify at least one command for the container",
                ));
            }
            streams::exec(
                c.clone(),
                &mut req,
                name,
                streams::ExecParams {
                    command,
                    stdin: q.flag("stdin"),
                    tty: q.flag("tty"),
                },
            )
        }
        (&Method::GET | &Method::POST, Target::Sub(name, sub, _))
            if res.plural == "pods" && sub == "portforward" =>
        {
            pod_running(&c, &ns, name)?;
            let ports = q
                .all("ports")
                .iter()
                .flat_map(|p| p.split(',').map(str::to_string).collect::<Vec<_>>())
                .map(|p| {
                    p.trim()
                        .parse::<u16>()
                        .map_err(|_| ApiError::bad_request(format!("invalid port {p:?}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            streams::portforward(c.clone(), &mut req, name, ports)
        }
        (&Method::GET, Target::Sub(name, sub, rest)) if res.plural == "nodes" && sub == "proxy" => {
            control::node_proxy(&c, name, rest)
                .await
                .map(|v| json_response(200, &v))
        }
        (&Method::GET, Target::Sub(name, sub, _)) if sub == "status" || sub == "scale" => {
            let obj = c
                .store
                .get(res.plural, &ns, name)
                .ok_or_else(|| ApiError::not_found(res.plural, name))?;
            if sub == "scale" {
                return Ok(json_response(200, &scale_of(&obj)));
            }
            Ok(json_response(200, &obj))
        }
        _ => Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({method} {path})"
        ))),
    }
}

fn check_container(q: &Query, pod: &str) -> Result<(), ApiError> {
    match q.get("container") {
        None | Some("") | Some(crate::objects::CONTAINER) => Ok(()),
        Some(other) => Err(ApiError::bad_request(format!(
            "container {other} is not valid for pod {pod}"
        ))),
    }
}

fn pod_running(c: &Cluster, ns: &str, name: &str) -> Result<(), ApiError> {
    let pod = c
        .store
        .get("pods", ns, name)
        .ok_or_else(|| ApiError::not_found("pods", name))?;
    if pod["status"]["phase"] != "Running" {
        return Err(ApiError::bad_request(format!(
            "unable to upgrade connection: pod {name} is not running (phase {})",
            pod["status"]["phase"].as_str().unwrap_or("Unknown")
        )));
    }
    Ok(())
}

fn scale_of(sts: &Value) -> Value {
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": sts["metadata"]["name"], "namespace": sts["metadata"]["namespace"],
                     "resourceVersion": sts["metadata"]["resourceVersion"], "uid": sts["metadata"]["uid"]},
        "spec": {"replicas": sts["spec"]["replicas"]},
        "status": {"replicas": sts["status"]["replicas"], "selector": "app.kubernetes.io/instance=vault,app.kubernetes.io/name=vault,component=server"},
    })
}

/// Writes through PUT or PATCH: bumps a StatefulSet's generation when its spec changes and
/// wakes the controller.
fn write(
    c: &Arc<Cluster>,
    res: &Resource,
    ns: &str,
    name: &str,
    dry_run: bool,
    change: impl FnOnce(&mut Value) -> Result<(), ApiError>,
) -> Result<Value, ApiError> {
    let apply = |cur: &mut Value| -> Result<(), ApiError> {
        let before_spec = cur["spec"].clone();
        let before_status = cur["status"].clone();
        change(cur)?;
        if res.plural == "statefulsets" {
            // Status belongs to the controller.
            cur["status"] = before_status;
            if cur["spec"] != before_spec {
                let g = cur["metadata"]["generation"].as_i64().unwrap_or(1);
                cur["metadata"]["generation"] = json!(g + 1);
            }
        }
        cur["kind"] = json!(res.kind);
        cur["apiVersion"] = json!(res.api_version());
        Ok(())
    };
    if dry_run {
        let mut obj = c
            .store
            .get(res.plural, ns, name)
            .ok_or_else(|| ApiError::not_found(res.plural, name))?;
        apply(&mut obj)?;
        return Ok(obj);
    }
    let updated = c.store.update(res.plural, ns, name, apply)?;
    c.reconcile.notify_one();
    Ok(updated)
}

fn delete(
    c: &Arc<Cluster>,
    res: &Resource,
    ns: &str,
    name: &str,
    opts: &Value,
    dry_run: bool,
) -> Result<Response<Body>, ApiError> {
    let obj = c
        .store
        .get(res.plural, ns, name)
        .ok_or_else(|| ApiError::not_found(res.plural, name))?;
    if dry_run {
        return Ok(json_response(200, &obj));
    }
    if res.plural == "pods" && ns == c.ns() {
        let grace = opts["gracePeriodSeconds"]
            .as_u64()
            .or_else(|| obj["spec"]["terminationGracePeriodSeconds"].as_u64())
            .unwrap_or(30);
        controller::mark_deleting(c, name, Duration::from_secs(grace));
        let obj = c.store.get(res.plural, ns, name).unwrap_or(obj);
        return Ok(json_response(200, &obj));
    }
    let deleted = c.store.delete(res.plural, ns, name)?;
    c.reconcile.notify_one();
    Ok(json_response(200, &deleted))
}

async fn read_json(req: Request<Incoming>) -> Result<Value, ApiError> {
    let protobuf = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/vnd.kubernetes.protobuf"));
    let bytes = req
        .into_body()
        .collect()
        .await
        .map_err(|e| ApiError::bad_request(format!("read body: {e}")))?
        .to_bytes();
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    if protobuf {
        return protobuf::decode(&bytes).map_err(|e| ApiError::new(415, "UnsupportedMediaType", e));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("the request body is not valid JSON: {e}")))
}
