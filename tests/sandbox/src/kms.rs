//! A KMS for auto-unseal sandboxes: an OpenBao dev server with the transit engine (the real
//! `seal "transit"`), reached by the pods through a proxy the sandbox can cut, so a KMS outage
//! looks like one: connections refused, pods that restart cannot configure their seal.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::sync::watch;

use crate::cluster::Cluster;
use crate::procs::{self, Proc};
use crate::vault::{VaultCall, VaultHttp};

pub const KEY_NAME: &str = "autounseal";

pub struct Kms {
    pub proc: Proc,
    /// What the pods' seal stanza names: the proxy.
    pub addr: SocketAddr,
    pub token: String,
    up: watch::Sender<bool>,
}

impl Kms {
    pub fn set_reachable(&self, up: bool) {
        let _ = self.up.send(up);
    }

    pub fn reachable(&self) -> bool {
        *self.up.borrow()
    }

    /// The `seal` stanza of the pods' configuration.
    pub fn seal_stanza(&self) -> String {
        format!(
            "\nseal \"transit\" {{\n  address         = \"http://{}\"\n  token           = \"{}\"\n  key_name        = \"{KEY_NAME}\"\n  mount_path      = \"transit/\"\n  disable_renewal = \"true\"\n}}\n",
            self.addr, self.token
        )
    }
}

/// Starts the KMS on 127.a.b.6 and its proxy on the node address, where pods reach it.
pub async fn start(c: &Arc<Cluster>) -> Result<Arc<Kms>> {
    let [a, b, d] = c.cfg.subnet;
    let server: SocketAddr = (Ipv4Addr::new(a, b, d, 6), 8200).into();
    let front: SocketAddr = (c.cfg.node_ip(), 8200).into();
    let token = format!("kms{}", hex::encode(rand::random::<[u8; 12]>()));
    let home = c.cfg.dir.join("kms");
    std::fs::create_dir_all(&home)?;
    let log = std::fs::File::create(c.cfg.dir.join("kms.log"))?;
    let mut cmd = Command::new(&c.cfg.server_bin);
    cmd.args(["server", "-dev", "-dev-no-store-token"])
        .arg(format!("-dev-listen-address={server}"))
        .current_dir(&home)
        .env_clear()
        .env("HOME", &home)
        // Not -dev-root-token-id: argv is visible to every user in `ps`.
        .env("BAO_DEV_ROOT_TOKEN_ID", &token)
        .env("VAULT_DEV_ROOT_TOKEN_ID", &token)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log));
    let proc = Proc::supervise(procs::spawn(cmd).await.context("start the KMS")?);

    let http = VaultHttp::plain();
    let call = |method: &'static str, path: &'static str, body: serde_json::Value| {
        let http = http.clone();
        let token = token.clone();
        async move {
            http.call(
                server,
                VaultCall::new(method, path).token(&token).body(&body),
                Duration::from_secs(10),
            )
            .await
        }
    };
    let start = Instant::now();
    loop {
        match call("POST", "sys/mounts/transit", json!({"type": "transit"})).await {
            Ok((code, _)) if code < 300 => break,
            Ok((code, body)) => bail!("enable transit on the KMS: {code} {body}"),
            Err(_) if start.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => return Err(e.context("the KMS did not start")),
        }
    }
    let (code, body) = call("POST", "transit/keys/autounseal", json!({})).await?;
    if code >= 300 {
        bail!("create the transit key: {code} {body}");
    }

    let (up, rx) = watch::channel(true);
    tokio::spawn(proxy(c.clone(), front, server, rx));
    Ok(Arc::new(Kms {
        proc,
        addr: front,
        token,
        up,
    }))
}

/// Forwards `front` to `server` while up; while down, nothing listens on `front` and open
/// connections are cut.
async fn proxy(
    c: Arc<Cluster>,
    front: SocketAddr,
    server: SocketAddr,
    mut up: watch::Receiver<bool>,
) {
    let shutdown = c.shut_down();
    tokio::pin!(shutdown);
    loop {
        if !*up.borrow_and_update() {
            tokio::select! {
                r = up.changed() => if r.is_err() { return },
                _ = &mut shutdown => return,
            }
            continue;
        }
        let Ok(listener) = TcpListener::bind(front).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        loop {
            tokio::select! {
                conn = listener.accept() => {
                    let Ok((mut inbound, _)) = conn else { continue };
                    let mut cut = up.clone();
                    tokio::spawn(async move {
                        let Ok(mut outbound) = tokio::net::TcpStream::connect(server).await else { return };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                            _ = cut.wait_for(|u| !*u) => {}
                        }
                    });
                }
                r = up.changed() => {
                    if r.is_err() { return }
                    if !*up.borrow() { break }
                }
                _ = &mut shutdown => return,
            }
        }
    }
}
