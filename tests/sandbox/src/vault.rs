//! A minimal Vault HTTP client for the sandbox itself: bootstrapping (init, unseal, join), the
//! readiness probe, faults, and tests that check the cluster through a path independent of
//! the plugins' own client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use serde_json::Value;

/// One Vault API call (`method` on `/v1/<path>`, the token header when there is a token, the
/// JSON body), as every call function of the sandbox takes it.
#[derive(Clone, Copy, Debug)]
pub struct VaultCall<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub token: Option<&'a str>,
    pub body: Option<&'a Value>,
}

impl<'a> VaultCall<'a> {
    /// `method path` without a token or a body.
    pub fn new(method: &'a str, path: &'a str) -> VaultCall<'a> {
        VaultCall {
            method,
            path,
            token: None,
            body: None,
        }
    }

    pub fn token(self, token: &'a str) -> VaultCall<'a> {
        VaultCall {
            token: Some(token),
            ..self
        }
    }

    pub fn body(self, body: &'a Value) -> VaultCall<'a> {
        VaultCall {
            body: Some(body),
            ..self
        }
    }

    fn uri(&self) -> String {
        format!("/v1/{}", self.path.trim_start_matches('/'))
    }

    fn header(&self) -> Option<(&'static str, String)> {
        self.token.map(|t| ("X-Vault-Token", t.to_string()))
    }
}

#[derive(Clone)]
pub struct VaultHttp {
    /// None for a plain-HTTP server (the transit KMS of the auto-unseal sandbox).
    tls: Option<tokio_rustls::TlsConnector>,
}

pub fn client_config(ca_pem: &str) -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.context("parse CA PEM")?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl VaultHttp {
    pub fn new(ca_pem: &str) -> Result<VaultHttp> {
        Ok(VaultHttp {
            tls: Some(tokio_rustls::TlsConnector::from(Arc::new(client_config(
                ca_pem,
            )?))),
        })
    }

    pub fn plain() -> VaultHttp {
        VaultHttp { tls: None }
    }

    /// One request to `https://addr/v1/<path>` with the certificate verified for `server_name`.
    pub async fn call_as(
        &self,
        addr: SocketAddr,
        server_name: &str,
        call: VaultCall<'_>,
        timeout: Duration,
    ) -> Result<(u16, Value)> {
        let name = ServerName::try_from(server_name.to_string())
            .map_err(|_| anyhow!("{server_name:?} is not a valid TLS server name"))?;
        let (method, uri) = (call.method, call.uri());
        tokio::time::timeout(
            timeout,
            self.request_inner(addr, Some(name), method, &uri, call.header(), call.body),
        )
        .await
        .map_err(|_| anyhow!("{method} {uri} on {addr}: timed out after {timeout:?}"))?
    }

    /// One request to `https://addr/v1/<path>`: the HTTP status and the JSON body (Null when empty).
    pub async fn call(
        &self,
        addr: SocketAddr,
        call: VaultCall<'_>,
        timeout: Duration,
    ) -> Result<(u16, Value)> {
        let uri = call.uri();
        self.request(addr, call.method, &uri, call.header(), call.body, timeout)
            .await
    }

    /// One HTTPS request with an optional extra header (any server signed by the CA).
    pub async fn request(
        &self,
        addr: SocketAddr,
        method: &str,
        uri: &str,
        header: Option<(&str, String)>,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Result<(u16, Value)> {
        tokio::time::timeout(
            timeout,
            self.request_inner(addr, None, method, uri, header, body),
        )
        .await
        .map_err(|_| anyhow!("{method} {uri} on {addr}: timed out after {timeout:?}"))?
    }

    async fn request_inner(
        &self,
        addr: SocketAddr,
        server_name: Option<ServerName<'static>>,
        method: &str,
        uri: &str,
        header: Option<(&str, String)>,
        body: Option<&Value>,
    ) -> Result<(u16, Value)> {
        let mut conn = self.open(addr, server_name).await?;
        conn.send(method, uri, header, body).await
    }

    /// A connection to `addr` kept open for many requests, one after another (HTTP/1.1
    /// keep-alive): a flood of thousands of requests then costs a few TLS handshakes, not one
    /// each.
    pub async fn connect(&self, addr: SocketAddr, timeout: Duration) -> Result<VaultConn> {
        tokio::time::timeout(timeout, self.open(addr, None))
            .await
            .map_err(|_| anyhow!("connect to {addr}: timed out after {timeout:?}"))?
    }

    async fn open(
        &self,
        addr: SocketAddr,
        server_name: Option<ServerName<'static>>,
    ) -> Result<VaultConn> {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .with_context(|| format!("connect to {addr}"))?;
        let send = match &self.tls {
            Some(tls) => {
                let name = server_name.unwrap_or(ServerName::IpAddress(addr.ip().into()));
                let stream = tls.connect(name, tcp).await.context("TLS handshake")?;
                let (send, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
                tokio::spawn(conn);
                send
            }
            None => {
                let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
                tokio::spawn(conn);
                send
            }
        };
        Ok(VaultConn { addr, send })
    }
}

/// An open connection to one Vault server (see [`VaultHttp::connect`]).
pub struct VaultConn {
    addr: SocketAddr,
    send: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
}

impl VaultConn {
    /// One call on this connection. After an error the connection is unusable: open another.
    pub async fn call(&mut self, call: VaultCall<'_>, timeout: Duration) -> Result<(u16, Value)> {
        let (method, uri, addr) = (call.method, call.uri(), self.addr);
        tokio::time::timeout(timeout, self.send(method, &uri, call.header(), call.body))
            .await
            .map_err(|_| anyhow!("{method} {uri} on {addr}: timed out after {timeout:?}"))?
    }

    async fn send(
        &mut self,
        method: &str,
        uri: &str,
        header: Option<(&str, String)>,
        body: Option<&Value>,
    ) -> Result<(u16, Value)> {
        self.send.ready().await?;
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", self.addr.to_string());
        if let Some((name, value)) = header {
            req = req.header(name, value);
        }
        let payload = body.map(|b| b.to_string()).unwrap_or_default();
        let resp = self
            .send
            .send_request(req.body(Full::new(Bytes::from(payload)))?)
            .await?;
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await?.to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Ok((status, json))
    }
}
