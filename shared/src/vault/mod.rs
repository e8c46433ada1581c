//! A typed client for the parts of the Vault HTTP API the suite uses. It works the same
//! against Vault and OpenBao; errors carry Vault's `errors` array and name the pod.

mod kv;
mod raft;
mod seal;

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::{BodyExt, Full};
use serde::de::DeserializeOwned;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::keys::Token;

/// The Vault token of a run, shared by every client and filled when first needed.
pub type TokenCell = std::sync::Arc<std::sync::OnceLock<Token>>;
use crate::transport::{Connector, Sender};

pub use kv::KvRead;
pub use raft::*;
pub use seal::{Health, Leader, SealStatus};

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
}

impl Body {
    fn into_bytes(self) -> Bytes {
        match self {
            Body::Empty => Bytes::new(),
            Body::Json(v) => Bytes::from(v.to_string()),
            Body::Secret(s) => Bytes::from_owner(SecretBytes(s)),
            Body::Raw(b) => b,
        }
    }
}

/// One Vault node (a pod through its port-forward, or a direct address).
pub struct VaultClient {
    /// The pod name or address, used in every message.
    pub target: String,
    connector: Connector,
    conn: tokio::sync::Mutex<Option<Sender>>,
    /// Filled once a command needs a token; sent only on requests that ask for it.
    token: TokenCell,
    timeout: Duration,
}

impl VaultClient {
    pub fn new(target: impl Into<String>, connector: Connector, timeout: Duration) -> VaultClient {
        VaultClient {
            target: target.into(),
            connector,
            conn: tokio::sync::Mutex::new(None),
            token: TokenCell::default(),
            timeout,
        }
    }

    /// Shares `cell` as this client's token: one token, loaded once, for every client.
    pub fn with_token(mut self, cell: TokenCell) -> VaultClient {
        self.token = cell;
        self
    }

    fn unreachable(&self, message: impl Into<String>) -> VaultError {
        VaultError::Unreachable {
            target: self.target.clone(),
            message: message.into(),
        }
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

    /// Sends one request and returns the status and the raw body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Body,
        auth: bool,
    ) -> Result<(u16, Bytes), VaultError> {
        let fut = async {
            let mut guard = self.sender().await?;
            let sender = guard.as_mut().expect("connected");
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
            let body = body.into_bytes();
            if !body.is_empty() {
                req = req.header(header::CONTENT_TYPE, "application/json");
            }
            let req = req
                .body(Full::new(body))
                .map_err(|e| self.unreachable(format!("build request: {e}")))?;
            let resp = sender.send_request(req).await.map_err(|e| {
                *guard = None;
                self.unreachable(format!(
                    "{method} {path}: {e} (the pod may have restarted or been deleted)"
                ))
            })?;
            let status = resp.status().as_u16();
            let bytes = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| self.unreachable(format!("read the answer to {path}: {e}")))?
                .to_bytes();
            Ok((status, bytes))
        };
        tokio::time::timeout(self.timeout, fut)
            .await
            .map_err(|_| VaultError::Timeout {
                target: self.target.clone(),
                secs: self.timeout.as_secs(),
            })?
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
        let value: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|_| VaultError::Protocol {
                target: self.target.clone(),
                status,
                message: format!(
                    "not JSON (is this a Vault server?): {}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(120)]).replace('\n', " ")
                ),
            })?
        };
        if status >= 400 {
            let errors = value["errors"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            return Err(VaultError::Api {
                target: self.target.clone(),
                status,
                errors,
            });
        }
        Ok(value)
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
}
