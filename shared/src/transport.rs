//! How bytes reach a pod's Vault listener: a port-forward stream through the Kubernetes API
//! (no exec, no `vault` binary in the pod), or a direct TCP address; TLS on top (rustls),
//! verified against a CA discovered from the pod spec or given with `--ca-cert`; then HTTP/1.1.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::Api;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime, pem::PemObject};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::cli::VaultArgs;
use crate::cluster::{self, Kube};

/// A request body: whole, or streamed from a file.
pub type ReqBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

pub type Sender = SendRequest<ReqBody>;

/// What the pod spec says about its Vault listener.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub https: bool,
    pub port: u16,
    /// The host in the pod's VAULT_ADDR (the chart sets https://127.0.0.1:8200).
    pub host: String,
    /// VAULT_CACERT inside the pod, if set.
    pub ca_path: Option<String>,
}

/// Reads the listener from the pod's env (VAULT_ADDR/BAO_ADDR, VAULT_CACERT/BAO_CACERT) and
/// container ports; flags override.
pub fn endpoint(pod: &Pod, args: &VaultArgs) -> Endpoint {
    let addr = cluster::env_value(pod, &["VAULT_ADDR", "BAO_ADDR"]);
    let (https, host, port) = match addr.as_deref().and_then(|a| a.parse::<http::Uri>().ok()) {
        Some(uri) => (
            uri.scheme_str() != Some("http"),
            uri.host()
                .unwrap_or("127.0.0.1")
                .trim_matches(['[', ']'])
                .to_string(),
            uri.port_u16().unwrap_or(8200),
        ),
        None => {
            // No VAULT_ADDR: a port named http/https, else Vault's default.
            let ports = pod
                .spec
                .as_ref()
                .map(|s| {
                    s.containers
                        .iter()
                        .flat_map(|c| c.ports.iter().flatten())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            let named = ports
                .iter()
                .find(|p| matches!(p.name.as_deref(), Some("https" | "http")));
            let https = named
                .map(|p| p.name.as_deref() == Some("https"))
                .unwrap_or(true);
            let port = named.map(|p| p.container_port as u16).unwrap_or(8200);
            (https, "127.0.0.1".to_string(), port)
        }
    };
    Endpoint {
        https,
        port: args.vault_port.unwrap_or(port),
        host,
        ca_path: cluster::env_value(pod, &["VAULT_CACERT", "BAO_CACERT"]),
    }
}

/// Finds the CA the pod itself trusts: the volume mounted over VAULT_CACERT's directory, and
/// the key of its Secret (or ConfigMap) that the file comes from.
pub async fn discover_ca(kube: &Kube, pod: &Pod, ca_path: &str) -> Result<String> {
    read_ca(kube, &ca_source(pod, ca_path)?, ca_path).await
}

async fn read_ca(kube: &Kube, source: &CaSource, ca_path: &str) -> Result<String> {
    match source {
        CaSource::Secret { name, key } => {
            let secret = kube.secret(name).await?;
            ca_in_secret(&secret, key, ca_path)
        }
        CaSource::ConfigMap { name, key } => {
            let cm = kube
                .config_map(name)
                .await?
                .with_context(|| format!("configmap {name} not found"))?;
            ca_in_config_map(&cm, key)
        }
    }
}

/// The CA PEM under `key` of ConfigMap `cm`.
fn ca_in_config_map(cm: &k8s_openapi::api::core::v1::ConfigMap, key: &str) -> Result<String> {
    let name = cm.metadata.name.as_deref().unwrap_or_default();
    cm.data
        .as_ref()
        .and_then(|d| d.get(key))
        .cloned()
        .with_context(|| format!("configmap {name} has no key {key}"))
}

/// [`discover_ca`] for pods set up together, and the Secrets and ConfigMaps a verb reads
/// while it sets them up: the pods of a StatefulSet mount the same CA, so each object is read
/// once per run, not once per pod (on HTTP/1 each concurrent read would also open its own
/// connection to the API), and a verb that needs the whole TLS Secret (`vault-certs status`)
/// takes the one already read for the CA instead of reading it again.
#[derive(Default)]
pub struct CaReads(Mutex<HashMap<ObjectRef, ObjectRead>>);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ObjectRef {
    Secret(String),
    ConfigMap(String),
}

enum Object {
    Secret(Secret),
    /// None: there is no such ConfigMap.
    ConfigMap(Option<k8s_openapi::api::core::v1::ConfigMap>),
}

type ObjectRead = Arc<tokio::sync::OnceCell<Result<Arc<Object>, String>>>;

impl CaReads {
    /// The object `what` names, read from the API the first time it is asked for (a read in
    /// flight is shared, not repeated).
    async fn read(&self, kube: &Kube, what: ObjectRef) -> Result<Arc<Object>, String> {
        let cell = match self.0.lock() {
            Ok(mut m) => m.entry(what.clone()).or_default().clone(),
            Err(_) => return Err("object reads poisoned".into()),
        };
        cell.get_or_init(|| async {
            let read = match &what {
                ObjectRef::Secret(name) => kube.secret(name).await.map(Object::Secret),
                ObjectRef::ConfigMap(name) => kube.config_map(name).await.map(Object::ConfigMap),
            };
            read.map(Arc::new).map_err(|e| format!("{e:#}"))
        })
        .await
        .clone()
    }

    /// Secret `name` of the namespace, read once for the run.
    pub async fn secret(&self, kube: &Kube, name: &str) -> Result<Secret, String> {
        match &*self.read(kube, ObjectRef::Secret(name.to_string())).await? {
            Object::Secret(s) => Ok(s.clone()),
            Object::ConfigMap(_) => Err(format!("secret {name}: not a Secret")),
        }
    }

    /// ConfigMap `name` of the namespace (None: there is none), read once for the run.
    pub async fn config_map(
        &self,
        kube: &Kube,
        name: &str,
    ) -> Result<Option<k8s_openapi::api::core::v1::ConfigMap>, String> {
        match &*self
            .read(kube, ObjectRef::ConfigMap(name.to_string()))
            .await?
        {
            Object::ConfigMap(c) => Ok(c.clone()),
            Object::Secret(_) => Err(format!("configmap {name}: not a ConfigMap")),
        }
    }

    /// [`discover_ca`], reading each Secret or ConfigMap once for the run.
    pub async fn discover(&self, kube: &Kube, pod: &Pod, ca_path: &str) -> Result<String> {
        match ca_source(pod, ca_path)? {
            CaSource::Secret { name, key } => {
                let secret = self.secret(kube, &name).await.map_err(|e| anyhow!(e))?;
                ca_in_secret(&secret, &key, ca_path)
            }
            CaSource::ConfigMap { name, key } => {
                let cm = self
                    .config_map(kube, &name)
                    .await
                    .map_err(|e| anyhow!(e))?
                    .with_context(|| format!("configmap {name} not found"))?;
                ca_in_config_map(&cm, &key)
            }
        }
    }

    /// Starts now, all at once, the reads [`Connector::for_pod`] will need for `pods` (the CA
    /// each one's listener is to be verified against), so that setting the pods up later
    /// finds them done; a read that fails is reported then, for the pods that need it.
    pub async fn prefetch(&self, kube: &Kube, pods: &[Pod], args: &VaultArgs) {
        let reads = pods.iter().filter_map(|pod| {
            let path = discovered_ca_path(&endpoint(pod, args), args)?;
            Some(async move {
                let _ = self.discover(kube, pod, &path).await;
            })
        });
        futures::future::join_all(reads).await;
    }
}

/// Where the CA to verify a pod's listener is read from, when it is read from the cluster at
/// all: HTTPS, no `--ca-cert`, no `--tls-skip-verify`, and VAULT_CACERT set in the pod.
fn discovered_ca_path(ep: &Endpoint, args: &VaultArgs) -> Option<String> {
    match (ep.https, &args.ca_cert, args.tls_skip_verify) {
        (true, None, false) => ep.ca_path.clone(),
        _ => None,
    }
}

/// Where the file at VAULT_CACERT comes from: a key of a Secret or of a ConfigMap.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CaSource {
    Secret { name: String, key: String },
    ConfigMap { name: String, key: String },
}

/// The volume mounted over VAULT_CACERT's directory in `pod`, and the key its file comes
/// from; nothing is read.
pub fn ca_source(pod: &Pod, ca_path: &str) -> Result<CaSource> {
    let spec = pod.spec.as_ref().context("pod has no spec")?;
    let mount = spec
        .containers
        .iter()
        .flat_map(|c| c.volume_mounts.iter().flatten())
        .filter(|m| ca_path.starts_with(&format!("{}/", m.mount_path.trim_end_matches('/'))))
        .max_by_key(|m| m.mount_path.len())
        .with_context(|| format!("VAULT_CACERT={ca_path} is not on a mounted volume"))?;
    let file = ca_path[mount.mount_path.trim_end_matches('/').len() + 1..].to_string();
    let volume = spec
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name == mount.name)
        .with_context(|| format!("volume {} not found in the pod spec", mount.name))?;
    // A projected `items` list may map a key to another file name.
    let key_for = |items: Option<&Vec<k8s_openapi::api::core::v1::KeyToPath>>| {
        items
            .and_then(|items| items.iter().find(|i| i.path == file).map(|i| i.key.clone()))
            .unwrap_or_else(|| file.clone())
    };
    if let Some(src) = &volume.secret {
        let name = src
            .secret_name
            .clone()
            .context("secret volume without a name")?;
        return Ok(CaSource::Secret {
            name,
            key: key_for(src.items.as_ref()),
        });
    }
    if let Some(src) = &volume.config_map {
        return Ok(CaSource::ConfigMap {
            name: src.name.clone(),
            key: key_for(src.items.as_ref()),
        });
    }
    bail!(
        "VAULT_CACERT={ca_path} comes from volume {}, which is neither a Secret nor a ConfigMap",
        mount.name
    )
}

/// The CA PEM under `key` of `secret`, the Secret mounted where VAULT_CACERT (`ca_path`) points.
pub fn ca_in_secret(secret: &Secret, key: &str, ca_path: &str) -> Result<String> {
    let name = secret.metadata.name.as_deref().unwrap_or_default();
    let data = secret
        .data
        .as_ref()
        .and_then(|d| d.get(key))
        .with_context(|| format!("secret {name} has no key {key} (VAULT_CACERT={ca_path})"))?;
    String::from_utf8(data.0.clone()).context("the CA in the secret is not text")
}

/// Accepts any certificate (`--tls-skip-verify`), still checking handshake signatures.
#[derive(Debug)]
struct SkipVerify(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for SkipVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A rustls client config trusting `ca_pem` (or the system bundle), or nothing at all with
/// `skip_verify`.
pub fn tls_config(ca_pem: Option<&str>, skip_verify: bool) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?;
    let config = if skip_verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(SkipVerify(provider)))
            .with_no_client_auth()
    } else {
        let pem = match ca_pem {
            Some(p) => p.to_string(),
            None => system_bundle()?,
        };
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            roots.add(cert.context("parse the CA certificate")?)?;
        }
        if roots.is_empty() {
            bail!("the CA bundle holds no PEM certificate");
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(config)
}

fn system_bundle() -> Result<String> {
    let candidates = [
        std::env::var("SSL_CERT_FILE").ok(),
        Some("/etc/ssl/certs/ca-certificates.crt".into()),
        Some("/etc/pki/tls/certs/ca-bundle.crt".into()),
        Some("/etc/ssl/cert.pem".into()),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .context("no CA to verify Vault's certificate: give --ca-cert (or --tls-skip-verify)")
}

#[derive(Clone)]
enum Route {
    PortForward {
        pods: Box<Api<Pod>>,
        pod: String,
        port: u16,
    },
    Direct {
        host: String,
        port: u16,
    },
}

/// Opens HTTP/1.1 connections to one Vault listener.
#[derive(Clone)]
pub struct Connector {
    route: Route,
    tls: Option<(tokio_rustls::TlsConnector, ServerName<'static>)>,
    timeout: Duration,
}

/// TLS for one listener: `--ca-cert` first, else the CA found for it (`discovered`), else the
/// system bundle; the server name is `--tls-server-name` or the listener's host.
fn tls_connector(
    args: &VaultArgs,
    discovered: Option<String>,
    host: &str,
) -> Result<(tokio_rustls::TlsConnector, ServerName<'static>)> {
    let ca = match &args.ca_cert {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("read --ca-cert {}", path.display()))?,
        ),
        None => discovered,
    };
    let config = tls_config(ca.as_deref(), args.tls_skip_verify)?;
    let sni = args.tls_server_name.as_deref().unwrap_or(host);
    Ok((
        tokio_rustls::TlsConnector::from(Arc::new(config)),
        server_name(sni)?,
    ))
}

/// Whether `host` is this machine (a name or address only it answers to).
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(crate) fn server_name(name: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(name.to_string())
        .map_err(|_| anyhow!("{name:?} is not a valid TLS server name"))
}

impl Connector {
    /// A connector to `pod`'s listener through a port-forward; the CA it trusts comes through
    /// `cas`, shared with the pods set up with it.
    pub async fn for_pod(
        kube: &Kube,
        pod: &Pod,
        args: &VaultArgs,
        cas: &CaReads,
    ) -> Result<Connector> {
        let ep = endpoint(pod, args);
        let name = cluster::name(pod).to_string();
        let tls = if ep.https {
            let ca = match (&args.ca_cert, args.tls_skip_verify, &ep.ca_path) {
                (Some(_), _, _) | (None, true, _) => None,
                (None, false, Some(path)) => Some(cas.discover(kube, pod, path).await.with_context(|| {
                    format!("find the CA of pod {name} (give --ca-cert, or --tls-skip-verify at your own risk)")
                })?),
                (None, false, None) => bail!(
                    "pod {name} serves HTTPS but sets no VAULT_CACERT: give --ca-cert (or --tls-skip-verify at your own risk)"
                ),
            };
            Some(tls_connector(args, ca, &ep.host)?)
        } else {
            None
        };
        Ok(Connector {
            route: Route::PortForward {
                pods: Box::new(kube.pods()),
                pod: name,
                port: ep.port,
            },
            tls,
            timeout: args.vault_timeout,
        })
    }

    /// A connector to `--vault-addr`.
    pub fn direct(addr: &str, args: &VaultArgs) -> Result<Connector> {
        let uri: http::Uri = addr
            .parse()
            .with_context(|| format!("--vault-addr {addr:?} is not a URL"))?;
        let https = uri.scheme_str() != Some("http");
        let host = uri
            .host()
            .context("--vault-addr has no host")?
            .trim_matches(['[', ']'])
            .to_string();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tls = if https {
            Some(tls_connector(args, None, &host)?)
        } else {
            if !is_loopback(&host) {
                crate::output::warn(&format!(
                    "--vault-addr {addr}: plain http to another machine; keys and tokens cross the network unencrypted and could reach an impostor (a port-forward rides the API server's TLS, this does not)"
                ));
            }
            None
        };
        Ok(Connector {
            route: Route::Direct { host, port },
            tls,
            timeout: args.vault_timeout,
        })
    }

    /// Opens a connection; errors are one line saying which hop failed.
    pub async fn connect(&self) -> Result<Sender, String> {
        tokio::time::timeout(self.timeout, self.connect_inner())
            .await
            .map_err(|_| {
                format!(
                    "Vault did not answer within {}s while connecting",
                    self.timeout.as_secs()
                )
            })?
    }

    async fn connect_inner(&self) -> Result<Sender, String> {
        match &self.route {
            Route::Direct { host, port } => {
                let tcp = tokio::net::TcpStream::connect((host.as_str(), *port))
                    .await
                    .map_err(|e| format!("connect to {host}:{port}: {e}"))?;
                self.handshake(tcp, None).await
            }
            Route::PortForward { pods, pod, port } => {
                let (stream, error) = port_forward(pods, pod, *port).await?;
                self.handshake(stream, Some(error)).await
            }
        }
    }

    async fn handshake<S>(
        &self,
        io: S,
        pf_error: Option<Arc<Mutex<Option<String>>>>,
    ) -> Result<Sender, String>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let explain = |what: String| async move {
            // The kubelet reports why a port-forward failed (nothing listening, …) on its
            // error channel; give it a moment to arrive.
            if let Some(slot) = &pf_error {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if let Some(msg) = slot.lock().ok().and_then(|s| s.clone()) {
                    return format!("{what}: {msg}");
                }
            }
            what
        };
        match &self.tls {
            Some((connector, name)) => match connector.connect(name.clone(), io).await {
                Ok(tls) => http1(tls).await,
                Err(e) => {
                    // rustls lists every name the certificate holds; the first clause says enough.
                    let msg = e.to_string();
                    let msg = match msg.split_once("; certificate is only valid for") {
                        Some((head, _)) => format!("{head} (check --tls-server-name)"),
                        None => msg,
                    };
                    Err(explain(format!("TLS handshake: {msg}")).await)
                }
            },
            None => http1(io).await,
        }
    }
}

/// The kubelet's verdict on a port-forward stream (nothing listening, …), once it arrives.
pub(crate) type StreamError = Arc<Mutex<Option<String>>>;

/// Opens one port-forward stream to `pod:port`; the second value fills with the kubelet's
/// error message if the stream fails.
pub(crate) async fn port_forward(
    pods: &Api<Pod>,
    pod: &str,
    port: u16,
) -> Result<
    (
        impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
        StreamError,
    ),
    String,
> {
    let mut pf = pods
        .portforward(pod, &[port])
        .await
        .map_err(|e| format!("port-forward to {pod}:{port}: {}", kube_error(&e)))?;
    let stream = pf
        .take_stream(port)
        .ok_or("port-forward opened no stream")?;
    let error = Arc::new(Mutex::new(None::<String>));
    if let Some(err) = pf.take_error(port) {
        let slot = error.clone();
        tokio::spawn(async move {
            if let Some(msg) = err.await
                && let Ok(mut s) = slot.lock()
            {
                *s = Some(msg);
            }
        });
    }
    tokio::spawn(async move {
        let _ = pf.join().await;
    });
    Ok((stream, error))
}

/// Whether the TLS server at `url` (`https://host[:port]`, reached directly) presents a
/// certificate that verifies against `ca_pem` for its host name. `Ok(Err(why))` is the server's
/// certificate refused; `Err` is the server not reached (nothing was learnt).
pub async fn verify_handshake(
    url: &str,
    ca_pem: &str,
    timeout: Duration,
) -> Result<std::result::Result<(), String>> {
    let uri: http::Uri = url.parse().with_context(|| format!("parse {url:?}"))?;
    let host = uri
        .host()
        .with_context(|| format!("{url:?} has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = uri.port_u16().unwrap_or(443);
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config(Some(ca_pem), false)?));
    let name = server_name(&host)?;
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .with_context(|| format!("connect to {host}:{port}"))?;
        Ok(connector
            .connect(name, tcp)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()))
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .map_err(|_| anyhow!("TLS handshake with {host}:{port}: timed out after {timeout:?}"))?
}

/// The certificate chain `pod` serves on `port` to a client asking for `server_name` (SNI),
/// leaf first, from a TLS handshake through a port-forward. Nothing is verified here: the
/// caller judges the chain against the CA it trusts.
pub async fn peer_chain(
    kube: &Kube,
    pod: &str,
    port: u16,
    server_name: &str,
    timeout: Duration,
) -> Result<Vec<CertificateDer<'static>>> {
    PeerChain::start(kube.pods(), pod, port, server_name, timeout)?
        .chain()
        .await
}

/// A [`peer_chain`] under way: the port-forward and the handshake run on their own task, so
/// the handshakes of several pods proceed on all the runtime's threads, not in turn on the
/// caller's, and may be started before the caller is ready to wait for them. Dropped, the
/// handshake is abandoned.
pub struct PeerChain(AbortOnDrop<Result<Vec<CertificateDer<'static>>>>);

impl PeerChain {
    pub fn start(
        pods: Api<Pod>,
        pod: &str,
        port: u16,
        server_name: &str,
        timeout: Duration,
    ) -> Result<PeerChain> {
        let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config(None, true)?));
        let name = self::server_name(server_name)?;
        let pod = pod.to_string();
        let task = tokio::spawn(async move {
            let handshake = async {
                let (stream, error) = port_forward(&pods, &pod, port)
                    .await
                    .map_err(|e| anyhow!(e))?;
                crate::timing::mark(&format!("{pod}: port-forward open"));
                match connector.connect(name, stream).await {
                    Ok(tls) => Ok(tls
                        .get_ref()
                        .1
                        .peer_certificates()
                        .map(|c| c.iter().map(|c| c.clone().into_owned()).collect())
                        .unwrap_or_default()),
                    Err(e) => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        match error.lock().ok().and_then(|s| s.clone()) {
                            Some(msg) => bail!("TLS handshake with {pod}:{port}: {e}: {msg}"),
                            None => bail!("TLS handshake with {pod}:{port}: {e}"),
                        }
                    }
                }
            };
            let chain: Vec<CertificateDer<'static>> = tokio::time::timeout(timeout, handshake)
                .await
                .map_err(|_| {
                    anyhow!("{pod}:{port} did not finish a TLS handshake within {timeout:?}")
                })??;
            crate::timing::mark(&format!("{pod}: handshake done"));
            if chain.is_empty() {
                bail!("{pod}:{port} presented no certificate");
            }
            Ok(chain)
        });
        Ok(PeerChain(AbortOnDrop(task)))
    }

    /// The chain, once the handshake is over.
    pub async fn chain(mut self) -> Result<Vec<CertificateDer<'static>>> {
        (&mut self.0.0)
            .await
            .map_err(|e| anyhow!("the TLS handshake task failed: {e}"))?
    }
}

/// Aborts a spawned task when its handle is dropped before it finishes.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The most a connection's read buffer grows to. hyper's default (about 400 KiB) lets a
/// long body that arrives faster than it is read swell each connection's buffer to that
/// size; a body is streamed in chunks anyway, and Vault's headers are far smaller.
const READ_BUF_MAX: usize = 16 * 1024;

async fn http1<S>(io: S) -> Result<Sender, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(READ_BUF_MAX)
        .handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("HTTP handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

fn kube_error(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => format!("{} ({})", s.message, s.code),
        other => {
            let mut msg = other.to_string();
            let mut src = std::error::Error::source(other);
            while let Some(s) = src {
                msg = format!("{msg}: {s}");
                src = s.source();
            }
            msg
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Container, EnvVar, PodSpec};

    fn pod_with_env(env: &[(&str, &str)]) -> Pod {
        Pod {
            spec: Some(PodSpec {
                containers: vec![Container {
                    name: "vault".into(),
                    env: Some(
                        env.iter()
                            .map(|(k, v)| EnvVar {
                                name: k.to_string(),
                                value: Some(v.to_string()),
                                ..Default::default()
                            })
                            .collect(),
                    ),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn endpoint_from_chart_env() {
        let pod = pod_with_env(&[
            ("VAULT_ADDR", "https://127.0.0.1:8200"),
            ("VAULT_CACERT", "/vault/userconfig/vault-tls/ca.crt"),
        ]);
        let ep = endpoint(&pod, &VaultArgs::default());
        assert_eq!(
            ep,
            Endpoint {
                https: true,
                port: 8200,
                host: "127.0.0.1".into(),
                ca_path: Some("/vault/userconfig/vault-tls/ca.crt".into())
            }
        );
        let plain = endpoint(
            &pod_with_env(&[("BAO_ADDR", "http://localhost:8300")]),
            &VaultArgs::default(),
        );
        assert!(!plain.https);
        assert_eq!(plain.port, 8300);
    }
}
