//! A typed client for the parts of the Vault HTTP API the suite uses. It works the same
//! against Vault and OpenBao; errors carry Vault's `errors` array and name the pod.

mod kv;
mod leases;
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
use crate::transport::{Connector, Sender};

pub use kv::KvRead;
pub use leases::{LeaseInfo, lease_dir, prometheus_samples, prometheus_value};
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

impl VaultError {
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
    token: Option<Token>,
    timeout: Duration,
}

impl VaultClient {
    pub fn new(target: impl Into<String>, connector: Connector, timeout: Duration) -> VaultClient {
        VaultClient {
            target: target.into(),
            connector,
            conn: tokio::sync::Mutex::new(None),
            token: None,
            timeout,
        }
    }

    pub fn set_token(&mut self, token: Option<Token>) {
        self.token = token;
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
            if auth && let Some(t) = &self.token {
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
