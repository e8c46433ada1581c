//! A typed client for the parts of the Vault HTTP API the suite uses, one file per API area
//! (`seal`, `raft`, `autopilot`, `snapshot`, `metrics`, `kv`, `leases`, `auth`, `audit`, `token`), all over the one request path
//! here: JSON, no-content, raw and streamed bodies in both directions, a standby's redirect
//! followed to the active node, timeouts, Vault's error text tidied, and the token sent only
//! on requests that ask for it. It works the same against Vault and OpenBao; errors carry
//! Vault's `errors` array, name the pod, and say what kind of failure they are.

pub mod audit;
pub mod auth;
pub mod autopilot;
pub mod database;
pub mod init;
pub mod kv;
pub mod leases;
pub mod list_scan;
pub mod metrics;
pub mod pki;
pub mod policy;
pub mod raft;
pub mod seal;
pub mod snapshot;
pub mod token;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;
use http::{Method, Request, Response, header};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use serde::de::DeserializeOwned;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::keys::Token;
use crate::transport::{Connector, ReqBody, Sender};

pub use kv::KvRead;
pub use raft::host_of;
pub use seal::{Health, Leader, SealStatus};

/// The Vault token of a run, shared by every client and filled when first needed.
pub type TokenCell = Arc<OnceLock<Token>>;

/// A node of the cluster a standby's redirect may name.
#[derive(Clone)]
pub struct Peer {
    pub name: String,
    pub ip: Option<String>,
    pub connector: Connector,
}

/// The cluster's nodes, shared by their clients and filled once they all exist.
pub type Redirects = Arc<OnceLock<Vec<Peer>>>;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("{target}: Vault answered {status}: {}", if .errors.is_empty() { "(no message)".to_string() } else { .errors.join("; ") })]
    Api {
        target: String,
        status: u16,
        errors: Vec<String>,
    },
    #[error("{target}: cannot reach Vault: {message}")]
    Unreachable { target: String, message: String },
    #[error("{target}: Vault did not answer within {secs}s")]
    Timeout { target: String, secs: u64 },
    #[error("{target}: unexpected answer from Vault ({status}): {message}")]
    Protocol {
        target: String,
        status: u16,
        message: String,
    },
}

/// What a Vault error means for the caller: read once here, from the status and Vault's
/// `errors`, so that no caller has to search a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 403: the token may not do this.
    PermissionDenied,
    /// 503 from a sealed node.
    Sealed,
    NotFound,
    /// A combination of unseal shares that does not decrypt the keyring.
    WrongShares,
    /// A joining node could not decrypt the leader's raft challenge: the shares are another
    /// cluster's.
    SharesOfAnotherCluster,
    /// A standby answered: a redirect, or "not active" mid-election.
    Standby,
    /// A snapshot taken on another cluster (other unseal keys).
    ForeignSnapshot,
    /// A snapshot Vault cannot read.
    CorruptSnapshot,
    Unreachable,
    Timeout,
    /// Anything else Vault refused, or an answer that is not Vault's.
    Other,
}

impl VaultError {
    pub fn kind(&self) -> ErrorKind {
        let said = |words: &[&str]| {
            self.errors().iter().any(|m| {
                let m = m.to_lowercase();
                words.iter().any(|w| m.contains(w))
            })
        };
        match (self, self.status()) {
            (VaultError::Unreachable { .. }, _) => ErrorKind::Unreachable,
            (VaultError::Timeout { .. }, _) => ErrorKind::Timeout,
            (_, Some(307)) => ErrorKind::Standby,
            (_, Some(403)) => ErrorKind::PermissionDenied,
            (_, Some(404)) => ErrorKind::NotFound,
            (_, Some(503)) if said(&["sealed"]) => ErrorKind::Sealed,
            _ if said(&["decrypting challenge"]) => ErrorKind::SharesOfAnotherCluster,
            (_, Some(400))
                if said(&[
                    "failed to decrypt",
                    "invalid key",
                    "message authentication failed",
                ]) =>
            {
                ErrorKind::WrongShares
            }
            _ if said(&["different set of unseal keys", "could not verify hash"]) => {
                ErrorKind::ForeignSnapshot
            }
            _ if said(&[
                "failed to read snapshot",
                "decompress",
                "unexpected eof",
                "checksum",
                "sha256",
            ]) =>
            {
                ErrorKind::CorruptSnapshot
            }
            (_, Some(500)) if said(&["not active"]) => ErrorKind::Standby,
            _ => ErrorKind::Other,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            VaultError::Api { status, .. } | VaultError::Protocol { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn errors(&self) -> &[String] {
        match self {
            VaultError::Api { errors, .. } => errors,
            _ => &[],
        }
    }
}

/// A request body that wipes itself when hyper is done with it (for bodies holding keys).
struct SecretBytes(Zeroizing<Vec<u8>>);

impl AsRef<[u8]> for SecretBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

pub enum Body {
    Empty,
    Json(Value),
    Secret(Zeroizing<Vec<u8>>),
    Raw(Bytes),
    /// A file streamed as it is read, never held whole in memory.
    File {
        file: tokio::fs::File,
        len: u64,
    },
}

impl Body {
    fn content_type(&self) -> Option<&'static str> {
        match self {
            Body::Empty => None,
            Body::Json(_) | Body::Secret(_) => Some("application/json"),
            Body::Raw(_) | Body::File { .. } => Some("application/octet-stream"),
        }
    }

    /// The bytes of a body that can be sent again (to follow a redirect); None for a stream.
    fn bytes(self) -> Result<Bytes, Body> {
        match self {
            Body::Empty => Ok(Bytes::new()),
            Body::Json(v) => Ok(Bytes::from(v.to_string())),
            Body::Secret(s) => Ok(Bytes::from_owner(SecretBytes(s))),
            Body::Raw(b) => Ok(b),
            stream => Err(stream),
        }
    }
}

fn full(b: Bytes) -> ReqBody {
    Full::new(b)
        .map_err(|never: std::convert::Infallible| match never {})
        .boxed()
}

/// Vault's multi-error text (`1 error occurred:\n\t* failed …\n\n`) as one line.
fn tidy(msg: &str) -> String {
    // Vault's text reaches a terminal: no control sequences in it.
    let msg = crate::output::printable(msg);
    let one = msg.split_whitespace().collect::<Vec<_>>().join(" ");
    let rest = match one.split_once(" occurred: ") {
        Some((head, rest)) if head.ends_with("error") || head.ends_with("errors") => rest,
        _ => &one,
    };
    rest.trim_start_matches("* ").replace(" * ", "; ")
}

/// One Vault node (a pod through its port-forward, or a direct address).
pub struct VaultClient {
    /// The pod name or address, used in every message.
    pub target: String,
    connector: Connector,
    conn: tokio::sync::Mutex<Option<Sender>>,
    /// Filled once a command needs a token; sent only on requests that ask for it.
    token: TokenCell,
    /// The other nodes, by their addresses, for a standby's redirect.
    redirects: Redirects,
    timeout: Duration,
}

impl VaultClient {
    pub fn new(target: impl Into<String>, connector: Connector, timeout: Duration) -> VaultClient {
        VaultClient {
            target: target.into(),
            connector,
            conn: tokio::sync::Mutex::new(None),
            token: TokenCell::default(),
            redirects: Redirects::default(),
            timeout,
        }
    }

    /// Shares `cell` as this client's token: one token, loaded once, for every client.
    pub fn with_token(mut self, cell: TokenCell) -> VaultClient {
        self.token = cell;
        self
    }

    /// Shares the map of the cluster's nodes a redirect may be followed to.
    pub fn with_redirects(mut self, redirects: Redirects) -> VaultClient {
        self.redirects = redirects;
        self
    }

    pub fn connector(&self) -> &Connector {
        &self.connector
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    fn unreachable(&self, message: impl Into<String>) -> VaultError {
        VaultError::Unreachable {
            target: self.target.clone(),
            message: message.into(),
        }
    }

    fn timed_out(&self, d: Duration) -> VaultError {
        VaultError::Timeout {
            target: self.target.clone(),
            secs: d.as_secs(),
        }
    }

    fn redirected(&self, path: &str) -> VaultError {
        VaultError::Protocol {
            target: self.target.clone(),
            status: 307,
            message: format!(
                "{path}: this node is a standby and redirected the request to the active node; send it to the leader"
            ),
        }
    }

    /// The request as every call builds it; the token only when `auth` asks for it.
    fn build(
        &self,
        method: &Method,
        path: &str,
        content_type: Option<&str>,
        len: Option<u64>,
        body: ReqBody,
        auth: bool,
    ) -> Result<Request<ReqBody>, VaultError> {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(format!("/v1/{}", path.trim_start_matches('/')))
            .header(header::HOST, "vault")
            .header("X-Vault-Request", "true");
        if auth && let Some(t) = self.token.get() {
            let mut value = http::HeaderValue::from_str(t.expose()).map_err(|_| {
                self.unreachable("the Vault token holds characters a header cannot carry")
            })?;
            value.set_sensitive(true);
            req = req.header("X-Vault-Token", value);
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        if let Some(len) = len {
            req = req.header(header::CONTENT_LENGTH, len);
        }
        req.body(body)
            .map_err(|e| self.unreachable(format!("build request: {e}")))
    }

    /// Sends one request on `sender` (the kept connection, or one to a redirect's node).
    async fn round_trip(
        &self,
        sender: &mut Sender,
        req: Request<ReqBody>,
    ) -> Result<Response<Incoming>, String> {
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        sender.send_request(req).await.map_err(|e| {
            format!("{method} {path}: {e} (the pod may have restarted or been deleted)")
        })
    }

    /// Sends one request and returns the answer's head, its body still streaming. A
    /// standby's 307 is followed once to the node it names when that node is one of the
    /// cluster's (a streamed body cannot be sent twice: its redirect is returned). `timeout`
    /// bounds the wait for the answer's head.
    pub async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Body,
        auth: bool,
        timeout: Duration,
    ) -> Result<Response<Incoming>, VaultError> {
        let content_type = body.content_type();
        let (first, again, len) = match body.bytes() {
            Ok(bytes) => (full(bytes.clone()), Some(bytes), None),
            Err(Body::File { file, len }) => {
                let stream = tokio_util::io::ReaderStream::new(file).map_ok(Frame::data);
                (StreamBody::new(stream).boxed(), None, Some(len))
            }
            Err(_) => unreachable!("only streams have no bytes"),
        };
        let req = self.build(&method, path, content_type, len, first, auth)?;
        let resp = tokio::time::timeout(timeout, async {
            let mut guard = self.sender().await?;
            let sender = guard.as_mut().expect("connected");
            self.round_trip(sender, req).await.map_err(|m| {
                *guard = None;
                self.unreachable(m)
            })
        })
        .await
        .map_err(|_| self.timed_out(timeout))??;
        if resp.status() != http::StatusCode::TEMPORARY_REDIRECT {
            return Ok(resp);
        }
        let Some((bytes, to)) = again.zip(self.redirect_target(&resp)) else {
            return Err(self.redirected(path));
        };
        let req = self.build(&method, path, content_type, None, full(bytes), auth)?;
        tokio::time::timeout(timeout, async {
            let mut sender = to.connect().await.map_err(|m| self.unreachable(m))?;
            self.round_trip(&mut sender, req)
                .await
                .map_err(|m| self.unreachable(m))
        })
        .await
        .map_err(|_| self.timed_out(timeout))?
    }

    /// The connector of the node a redirect's `Location` names, when it is a known node
    /// other than this one.
    fn redirect_target(&self, resp: &Response<Incoming>) -> Option<Connector> {
        let location = resp.headers().get(header::LOCATION)?.to_str().ok()?;
        let peers = self.redirects.get()?;
        let name = crate::ha::pod_for_address(
            location,
            peers.iter().map(|p| (p.name.as_str(), p.ip.as_deref())),
        )?;
        peers
            .iter()
            .find(|p| p.name == name && p.name != self.target)
            .map(|p| p.connector.clone())
    }

    /// A ready connection: the kept one if it is still open, else a new one.
    async fn sender(&self) -> Result<tokio::sync::MutexGuard<'_, Option<Sender>>, VaultError> {
        let mut guard = self.conn.lock().await;
        if let Some(s) = guard.as_mut()
            && s.ready().await.is_ok()
        {
            return Ok(guard);
        }
        *guard = Some(
            self.connector
                .connect()
                .await
                .map_err(|m| self.unreachable(m))?,
        );
        Ok(guard)
    }

    /// Sends one request and returns the status and the whole body, within the timeout.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Body,
        auth: bool,
    ) -> Result<(u16, Bytes), VaultError> {
        tokio::time::timeout(self.timeout, async {
            let resp = self
                .exchange(method, path, body, auth, self.timeout)
                .await?;
            self.collect(resp, path).await
        })
        .await
        .map_err(|_| self.timed_out(self.timeout))?
    }

    /// The status and the whole body of an answer.
    async fn collect(
        &self,
        resp: Response<Incoming>,
        path: &str,
    ) -> Result<(u16, Bytes), VaultError> {
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| self.unreachable(format!("read the answer to {path}: {e}")))?
            .to_bytes();
        Ok((status, bytes))
    }

    /// An error answer (4xx/5xx) with Vault's `errors`, tidied into one line each.
    fn api_error(&self, status: u16, bytes: &[u8]) -> VaultError {
        VaultError::Api {
            target: self.target.clone(),
            status,
            errors: serde_json::from_slice::<Value>(bytes)
                .ok()
                .and_then(|v| {
                    v["errors"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|e| e.as_str()).map(tidy).collect())
                })
                .unwrap_or_default(),
        }
    }

    /// Sends a request and decodes a JSON answer; any status of 400 or more is an error
    /// carrying Vault's `errors`.
    pub async fn json(
        &self,
        method: Method,
        path: &str,
        body: Body,
        auth: bool,
    ) -> Result<Value, VaultError> {
        let (status, bytes) = self.send(method, path, body, auth).await?;
        if status >= 400 {
            return Err(self.api_error(status, &bytes));
        }
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).map_err(|_| VaultError::Protocol {
            target: self.target.clone(),
            status,
            message: format!(
                "not JSON (is this a Vault server?): {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(120)]).replace('\n', " ")
            ),
        })
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str, auth: bool) -> Result<T, VaultError> {
        let v = self.json(Method::GET, path, Body::Empty, auth).await?;
        self.decode(v, path)
    }

    fn decode<T: DeserializeOwned>(&self, v: Value, path: &str) -> Result<T, VaultError> {
        serde_json::from_value(v).map_err(|e| VaultError::Protocol {
            target: self.target.clone(),
            status: 200,
            message: format!("{path}: {e} (is this a Vault server?)"),
        })
    }

    /// The `data` of an authenticated JSON answer. An empty answer (what a standby's
    /// redirect leaves) is reported as such rather than as "not JSON".
    async fn data<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Body,
    ) -> Result<T, VaultError> {
        let v = self.json(method, path, body, true).await?;
        if v.is_null() {
            return Err(self.redirected(path));
        }
        self.decode(v["data"].clone(), path)
    }

    /// The `keys` of an authenticated LIST; a path with nothing under it is an empty list
    /// (Vault answers a bare 404).
    async fn list_keys(&self, path: &str) -> Result<Vec<String>, VaultError> {
        let list = Method::from_bytes(b"LIST").expect("LIST is a method");
        let v: Value = match self.data(list, path, Body::Empty).await {
            Ok(v) => v,
            Err(e) if e.kind() == ErrorKind::NotFound && e.errors().is_empty() => {
                return Ok(Vec::new());
            }
            Err(e) => return Err(e),
        };
        Ok(v["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect())
    }

    /// An authenticated request that answers no JSON: Ok for 2xx, Api for 4xx/5xx.
    async fn no_content(&self, method: Method, path: &str, body: Body) -> Result<(), VaultError> {
        let (status, bytes) = self.send(method, path, body, true).await?;
        self.check(status, &bytes, path)
    }

    fn check(&self, status: u16, bytes: &[u8], path: &str) -> Result<(), VaultError> {
        match status {
            200..=299 => Ok(()),
            300..=399 => Err(self.redirected(path)),
            _ => Err(self.api_error(status, bytes)),
        }
    }

    /// Streams the body of an authenticated GET into `each` chunk by chunk: `idle` bounds
    /// the wait for each chunk, not the whole transfer. Returns the bytes streamed.
    async fn download(
        &self,
        path: &str,
        idle: Duration,
        each: impl AsyncFnMut(Bytes) -> Result<(), VaultError>,
    ) -> Result<u64, VaultError> {
        self.stream(Method::GET, path, idle, each).await
    }

    /// `download` for any bodiless method (LIST, …).
    async fn stream(
        &self,
        method: Method,
        path: &str,
        idle: Duration,
        mut each: impl AsyncFnMut(Bytes) -> Result<(), VaultError>,
    ) -> Result<u64, VaultError> {
        let resp = self
            .exchange(method, path, Body::Empty, true, self.timeout)
            .await?;
        let status = resp.status().as_u16();
        let mut body = resp.into_body();
        if status >= 300 {
            let bytes = tokio::time::timeout(self.timeout, body.collect())
                .await
                .map_err(|_| self.timed_out(self.timeout))?
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            self.check(status, &bytes, path)?;
            return Err(self.redirected(path));
        }
        let mut total: u64 = 0;
        loop {
            let frame = match tokio::time::timeout(idle, body.frame()).await {
                Err(_) => return Err(self.timed_out(idle)),
                Ok(None) => return Ok(total),
                Ok(Some(Err(e))) => {
                    return Err(self.unreachable(format!(
                        "the stream of {path} broke after {total} bytes: {e}"
                    )));
                }
                Ok(Some(Ok(f))) => f,
            };
            if let Ok(chunk) = frame.into_data() {
                total += chunk.len() as u64;
                each(chunk).await?;
            }
        }
    }

    /// Uploads `file` (`len` bytes) to `path` as it is read; `timeout` bounds the whole upload.
    async fn upload(
        &self,
        path: &str,
        file: tokio::fs::File,
        len: u64,
        timeout: Duration,
    ) -> Result<(), VaultError> {
        let (status, bytes) = tokio::time::timeout(timeout, async {
            let body = Body::File { file, len };
            let resp = self
                .exchange(Method::POST, path, body, true, timeout)
                .await?;
            self.collect(resp, path).await
        })
        .await
        .map_err(|_| self.timed_out(timeout))??;
        self.check(status, &bytes, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_errors_become_one_line() {
        assert_eq!(
            tidy("1 error occurred:\n\t* failed to read snapshot file: unexpected EOF\n\n"),
            "failed to read snapshot file: unexpected EOF"
        );
        assert_eq!(tidy("permission denied"), "permission denied");
        assert_eq!(tidy("2 errors occurred:\n\t* a\n\t* b\n"), "a; b");
    }

    /// A plain HTTP server on `ip` answering every request with `answer(path)`.
    pub(super) async fn server(
        listener: tokio::net::TcpListener,
        answer: impl Fn() -> Response<Full<Bytes>> + Clone + Send + Sync + 'static,
    ) {
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let answer = answer.clone();
                let svc = hyper::service::service_fn(move |_req: Request<Incoming>| {
                    let answer = answer.clone();
                    async move { Ok::<_, std::convert::Infallible>(answer()) }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc),
                );
            }
        });
    }

    #[tokio::test]
    async fn a_standby_redirect_is_followed_to_the_active_node() {
        let bind = |ip: &'static str| tokio::net::TcpListener::bind((ip, 0));
        let (active_listener, standby_listener) = (
            bind("127.0.0.3").await.unwrap(),
            bind("127.0.0.2").await.unwrap(),
        );
        let active = active_listener.local_addr().unwrap();
        let standby = standby_listener.local_addr().unwrap();
        server(active_listener, || {
            Response::new(Full::new(Bytes::from(
                r#"{"data": {"answered_by": "active"}}"#,
            )))
        })
        .await;
        // The standby names the active node by its address, as Vault does.
        let location = format!("http://{active}/v1/sys/storage/raft/configuration");
        server(standby_listener, move || {
            Response::builder()
                .status(307)
                .header(header::LOCATION, location.clone())
                .body(Full::new(Bytes::new()))
                .unwrap()
        })
        .await;
        let args = crate::cli::VaultArgs::default();
        let connector = |addr: std::net::SocketAddr| {
            Connector::direct(&format!("http://{addr}"), &args).unwrap()
        };
        let peers = vec![
            Peer {
                name: "vault-0".into(),
                ip: Some("127.0.0.2".into()),
                connector: connector(standby),
            },
            Peer {
                name: "vault-1".into(),
                ip: Some("127.0.0.3".into()),
                connector: connector(active),
            },
        ];
        let timeout = Duration::from_secs(5);
        let alone = VaultClient::new("vault-0", connector(standby), timeout);
        let err = alone
            .data::<Value>(Method::GET, "sys/storage/raft/configuration", Body::Empty)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Standby, "{err}");
        let redirects = Redirects::default();
        let _ = redirects.set(peers);
        let client =
            VaultClient::new("vault-0", connector(standby), timeout).with_redirects(redirects);
        let v: Value = client
            .data(Method::GET, "sys/storage/raft/configuration", Body::Empty)
            .await
            .unwrap();
        assert_eq!(v["answered_by"], "active");
    }
}
