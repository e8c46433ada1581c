//! A listener on 127.0.0.1 whose connections are forwarded, each through its own kube
//! port-forward stream, to one pod's port: what a program the plugin starts (an operator's
//! script, the `vault` CLI) reaches the pod through, as `kubectl port-forward` would do.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::cluster::Kube;
use crate::transport;

/// The listener; it stops (and drops its open connections) when this is dropped.
pub struct LocalForward {
    pub addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl LocalForward {
    /// Listens on a free loopback port and forwards every connection to `pod:port`.
    pub async fn start(kube: &Kube, pod: &str, port: u16) -> Result<LocalForward> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("listen on 127.0.0.1")?;
        let addr = listener.local_addr()?;
        let pods = kube.pods();
        let pod = pod.to_string();
        let accept = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((mut local, _)) = listener.accept().await {
                let pods = pods.clone();
                let pod = pod.clone();
                conns.spawn(async move {
                    // A stream that cannot open closes the client's connection: the client
                    // reports the failure in its own words.
                    if let Ok((mut remote, _)) = transport::port_forward(&pods, &pod, port).await {
                        let _ = tokio::io::copy_bidirectional(&mut local, &mut remote).await;
                    }
                });
                while conns.try_join_next().is_some() {}
            }
        });
        Ok(LocalForward { addr, accept })
    }

    /// Whether a TLS client trusting `ca_pem` and asking for `name` accepts what the pod
    /// serves through this listener; `Err` says why not.
    pub async fn verifies(&self, ca_pem: &str, name: &str, timeout: Duration) -> Result<()> {
        let config = transport::tls_config(Some(ca_pem), false)?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let server = transport::server_name(name)?;
        let attempt = async {
            let tcp = tokio::net::TcpStream::connect(self.addr)
                .await
                .with_context(|| format!("connect to {}", self.addr))?;
            connector
                .connect(server, tcp)
                .await
                .map(|_| ())
                .map_err(|e| anyhow!("TLS handshake for {name}: {e}"))
        };
        tokio::time::timeout(timeout, attempt)
            .await
            .map_err(|_| anyhow!("TLS handshake for {name}: no answer within {timeout:?}"))?
    }
}

impl Drop for LocalForward {
    fn drop(&mut self) {
        self.accept.abort();
    }
}
