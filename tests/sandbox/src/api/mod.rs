//! The Kubernetes API server: HTTPS on loopback, bearer-token users and impersonation, RBAC,
//! discovery, objects with the API server's write semantics, selectors, paging and watches,
//! Table output, reviews, and the pod subresources (log, exec, portforward).
//!
//! A request goes through the same steps as in the API server: injected faults, then
//! authentication, then authorization of what the path asks for, then one handler per verb
//! or subresource.

mod auth;
pub mod control;
mod delete;
pub mod discovery;
mod events_v1;
mod logs;
mod metrics;
mod paging;
mod patch;
mod pods;
pub mod policy;
mod protobuf;
pub mod rbac;
mod read;
pub mod registry;
pub mod request;
pub mod resources;
mod reviews;
mod streams;
pub mod table;
pub mod tokens;
mod validate;
mod watch;
mod write;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::cluster::Cluster;
use crate::status::ApiError;
use auth::Identity;
use request::{Attributes, Query, Route, Target};
use table::Include;

pub use watch::BOOKMARK_EVERY;

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
    if e.plain {
        let mut r = Response::builder()
            .status(e.code)
            .header("content-type", "text/plain; charset=utf-8");
        if e.code == 429 {
            r = r.header("retry-after", "1");
        }
        return r.body(full(format!("{}\n", e.message))).expect("response");
    }
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
        // Go's net package (the kube-apiserver's) turns Nagle off on every TCP connection:
        // without it small TLS records through exec and port-forward streams wait for
        // delayed ACKs (tens of ms each) that a real cluster does not add.
        let _ = tcp.set_nodelay(true);
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

/// One resource request, authenticated and authorized, on its way to its handler.
pub struct Call {
    pub c: Arc<Cluster>,
    pub route: Route,
    pub q: Query,
    pub who: Identity,
    /// The client asked for a Table (`kubectl get`).
    pub table: Option<Include>,
}

impl Call {
    /// The object the request names (404 when there is none).
    fn object(&self) -> Result<Arc<Value>, ApiError> {
        let res = self.route.resource;
        let name = self.route.target.name();
        self.c
            .store
            .get_shared(res.plural, self.route.ns(), name)
            .ok_or_else(|| ApiError::not_found(res.plural, name))
    }
}

async fn handle(c: Arc<Cluster>, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_string();
    // The sandbox's own endpoints stay reachable, so that a test can end a fault.
    if !path.starts_with("/sandbox/") {
        let (delay, error) = c
            .api_faults
            .lock()
            .map(|mut f| f.take(&path))
            .unwrap_or_default();
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        if let Some(status) = error {
            return error_response(&control::injected_error(status));
        }
    }
    match handle_inner(c, req).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    }
}

fn authorize(c: &Cluster, who: &Identity, a: &Attributes) -> Result<(), ApiError> {
    let d = rbac::authorize(&c.store, &who.subject, a);
    if d.allowed {
        Ok(())
    } else {
        Err(a.forbidden(&who.subject.name, &d.reason))
    }
}

async fn handle_inner(c: Arc<Cluster>, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    let path = req.uri().path().trim_end_matches('/').to_string();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if matches!(segs.as_slice(), ["healthz"] | ["livez"] | ["readyz"]) {
        return Ok(Response::new(full("ok")));
    }
    // The issuer's discovery documents may be read without credentials (RBAC decides).
    let issuer_discovery = matches!(
        segs.as_slice(),
        [".well-known", "openid-configuration"] | ["openid", "v1", "jwks"]
    );
    let who = if issuer_discovery && !req.headers().contains_key("authorization") {
        auth::anonymous()
    } else {
        auth::authenticate(&c, req.headers())?
    };
    if issuer_discovery {
        authorize(&c, &who, &Attributes::non_resource(req.method(), &path))?;
        let (doc, content_type) = match segs.as_slice() {
            ["openid", ..] => (c.issuer.jwks(), "application/jwk-set+json"),
            _ => (c.issuer.openid_configuration(), "application/json"),
        };
        return Ok(Response::builder()
            .status(200)
            .header("content-type", content_type)
            .body(full(doc.to_string()))
            .expect("response"));
    }
    if let ["sandbox", "v1", rest @ ..] = segs.as_slice() {
        let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
        let method = req.method().clone();
        let body = read_json(req).await.unwrap_or(Value::Null);
        return control::handle(&c, &who, &method, &path, &rest, body)
            .await
            .map(|v| json_response(200, &v));
    }
    // metrics.k8s.io is an aggregated API (metrics-server's): answered here, authorized by RBAC.
    let metrics_ns = match segs.as_slice() {
        ["apis", metrics::GROUP, _, "namespaces", ns, ..] => ns.to_string(),
        _ => String::new(),
    };
    let selector = Query::parse(req.uri().query())
        .get("labelSelector")
        .map(str::to_string);
    if let Some(answer) = metrics::handle(&c, &segs, selector.as_deref(), |verb| {
        let a = Attributes {
            verb: verb.into(),
            resource_request: true,
            namespace: metrics_ns.clone(),
            group: metrics::GROUP.into(),
            resource: "pods".into(),
            ..Default::default()
        };
        authorize(&c, &who, &a).is_ok()
    }) {
        return answer.map(|v| json_response(200, &v));
    }
    let route = match request::route(&segs) {
        Some(r) => r?,
        None => return non_resource(&c, &who, req.method(), &path, &segs),
    };
    let q = Query::parse(req.uri().query());
    let verb = request::verb(req.method(), &route.target, &q);
    let (_, fields) = match route.target {
        Target::Collection if matches!(verb, "list" | "watch" | "deletecollection") => {
            q.selectors(route.resource)?
        }
        _ => Default::default(),
    };
    let attrs = Attributes::of_route(&route, verb, fields.name());
    authorize(&c, &who, &attrs)?;
    let accept = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let call = Call {
        table: table::wants_table(accept).then(|| Include::parse(q.get("includeObject"))),
        c,
        route,
        q,
        who,
    };
    dispatch(call, verb, req).await
}

/// Discovery documents and other paths outside the resource tree.
fn non_resource(
    c: &Cluster,
    who: &Identity,
    method: &Method,
    path: &str,
    segs: &[&str],
) -> Result<Response<Body>, ApiError> {
    authorize(c, who, &Attributes::non_resource(method, path))?;
    let server = c.cfg.api_addr.to_string();
    let doc = match segs {
        ["version"] => Some(discovery::version()),
        ["api"] => Some(discovery::api_versions(&server)),
        ["apis"] => Some(metrics::with_group(discovery::api_group_list())),
        ["api", v] => discovery::api_resource_list("", v),
        ["apis", g] => discovery::api_group(g),
        ["apis", g, v] => discovery::api_resource_list(g, v),
        ["openapi", "v3"] => Some(discovery::openapi_v3_root()),
        ["openapi", "v3", rest @ ..] => discovery::openapi_v3(&rest.join("/")),
        _ => None,
    };
    doc.map(|d| json_response(200, &d))
        .ok_or_else(request::no_such_resource)
}

fn not_allowed(method: &Method, path: &str) -> ApiError {
    ApiError::method_not_allowed(format!(
        "the server does not allow this method on the requested resource ({method} {path})"
    ))
}

async fn dispatch(
    call: Call,
    verb: &str,
    mut req: Request<Incoming>,
) -> Result<Response<Body>, ApiError> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let res = call.route.resource;
    let sub = call.route.target.subresource().to_string();
    if sub.is_empty() && !res.allows(verb) {
        return Err(not_allowed(&method, &path));
    }
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    match (&method, sub.as_str(), &call.route.target) {
        (&Method::GET, "", Target::Collection) if call.q.flag("watch") => read::watch(&call),
        (&Method::GET, "", Target::Collection) => read::list(&call),
        (&Method::GET, "", Target::Object(_)) => read::get(&call),
        (&Method::POST, "", Target::Collection) => {
            let body = read_json(req).await?;
            if res.stored {
                write::create(&call, body)
            } else {
                reviews::review(&call, body)
            }
        }
        (
            &Method::PUT | &Method::PATCH,
            "" | "status" | "scale",
            Target::Object(_) | Target::Sub(..),
        ) => {
            let body = read_json(req).await?;
            write::update(&call, &method, &content_type, body)
        }
        (&Method::DELETE, "", Target::Object(_)) => {
            let body = read_json(req).await.unwrap_or(Value::Null);
            delete::one(&call, &body)
        }
        (&Method::DELETE, "", Target::Collection) => {
            let body = read_json(req).await.unwrap_or(Value::Null);
            delete::collection(&call, &body)
        }
        (&Method::GET, "status", _) => read::get(&call),
        (&Method::GET, "scale", _) => write::get_scale(&call),
        (&Method::POST, "token", _) => {
            let body = read_json(req).await?;
            tokens::request(&call, body)
        }
        (&Method::GET, "log", _) => pods::log(&call).await,
        (&Method::GET | &Method::POST, "exec", _) => pods::exec(&call, &mut req),
        (&Method::GET | &Method::POST, "portforward", _) => pods::portforward(&call, &mut req),
        (&Method::GET, "proxy", Target::Sub(name, _, rest)) => {
            control::node_proxy(&call.c, name, rest)
                .await
                .map(|v| json_response(200, &v))
        }
        _ => Err(not_allowed(&method, &path)),
    }
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
