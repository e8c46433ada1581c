//! Bringing a fresh cluster up the way an operator would: initialise vault-0, unseal it, join
//! the other pods to raft through the API, unseal them, and wait for N ready voters.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::vault::VaultCall;

/// What `vault operator init -format=json` prints (the same keys in the same order). With an
/// auto-unseal seal the shares are recovery keys.
pub fn init_json(resp: &Value, shares: u32, threshold: u32, auto: bool) -> String {
    let list = |v: &Value| -> String {
        let items: Vec<String> = v
            .as_array()
            .map(|a| a.iter().map(|k| format!("    {k}")).collect())
            .unwrap_or_default();
        format!("[\n{}\n  ]", items.join(",\n"))
    };
    if auto {
        return format!(
            "{{\n  \"unseal_keys_b64\": [],\n  \"unseal_keys_hex\": [],\n  \"unseal_shares\": 1,\n  \"unseal_threshold\": 1,\n  \"recovery_keys_b64\": {},\n  \"recovery_keys_hex\": {},\n  \"recovery_keys_shares\": {shares},\n  \"recovery_keys_threshold\": {threshold},\n  \"root_token\": {}\n}}\n",
            list(&resp["recovery_keys_base64"]),
            list(&resp["recovery_keys"]),
            resp["root_token"],
        );
    }
    format!(
        "{{\n  \"unseal_keys_b64\": {},\n  \"unseal_keys_hex\": {},\n  \"unseal_shares\": {shares},\n  \"unseal_threshold\": {threshold},\n  \"recovery_keys_b64\": null,\n  \"recovery_keys_hex\": null,\n  \"recovery_keys_shares\": 0,\n  \"recovery_keys_threshold\": 0,\n  \"root_token\": {}\n}}\n",
        list(&resp["keys_base64"]),
        list(&resp["keys"]),
        resp["root_token"],
    )
}

async fn until<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let start = Instant::now();
    let mut last_err = None;
    loop {
        match f().await {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => {}
            Err(e) => last_err = Some(e),
        }
        if start.elapsed() > timeout {
            return Err(match last_err {
                Some(e) => e.context(format!("timed out waiting for {what}")),
                None => anyhow!("timed out waiting for {what}"),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn call(c: &Cluster, ordinal: u32, call: VaultCall<'_>) -> Result<(u16, Value)> {
    c.vault_call(ordinal, call, Duration::from_secs(30)).await
}

/// Waits for pod `ordinal`'s server to answer a real seal status (200 with `sealed`): any
/// HTTP answer is not enough before `sys/init` (over plain HTTP nothing like a handshake
/// stands for "the server is up").
async fn listening(c: &Cluster, ordinal: u32) -> Result<()> {
    until(
        &format!("{} to listen", c.pod_name(ordinal)),
        Duration::from_secs(60),
        || async {
            Ok(call(c, ordinal, VaultCall::new("GET", "sys/seal-status"))
                .await
                .ok()
                .filter(|(code, body)| *code == 200 && body["sealed"].is_boolean())
                .map(|_| ()))
        },
    )
    .await
}

pub async fn unseal(c: &Cluster, ordinal: u32, keys: &[String]) -> Result<()> {
    for key in keys {
        let (code, body) = call(
            c,
            ordinal,
            VaultCall::new("PUT", "sys/unseal").body(&json!({"key": key})),
        )
        .await?;
        if code >= 300 {
            bail!("unseal {}: {code} {body}", c.pod_name(ordinal));
        }
        if body["sealed"] == false {
            return Ok(());
        }
    }
    // A node that has just joined raft stays sealed until it has fetched the cluster's keys.
    until(
        &format!("{} to unseal", c.pod_name(ordinal)),
        Duration::from_secs(60),
        || async {
            let (_, st) = call(c, ordinal, VaultCall::new("GET", "sys/seal-status")).await?;
            Ok((st["sealed"] == false).then_some(()))
        },
    )
    .await
}

/// Initialises and unseals the cluster; writes `init.json`. Returns the init response.
/// With `auto` (a KMS seal) the shares are recovery keys and the pods unseal themselves.
pub async fn initialize(
    c: &Arc<Cluster>,
    shares: u32,
    threshold: u32,
    auto: bool,
) -> Result<Value> {
    listening(c, 0).await?;
    let request = if auto {
        json!({"recovery_shares": shares, "recovery_threshold": threshold})
    } else {
        json!({"secret_shares": shares, "secret_threshold": threshold})
    };
    let (code, init) = call(c, 0, VaultCall::new("PUT", "sys/init").body(&request)).await?;
    if code >= 300 {
        bail!("initialise {}: {code} {init}", c.pod_name(0));
    }
    crate::sandbox::write_private(
        &c.cfg.dir.join("init.json"),
        init_json(&init, shares, threshold, auto).as_bytes(),
    )?;
    // Auto-unseal: no unseal keys; the pods unseal themselves through the KMS.
    let keys: Vec<String> = init["keys_base64"]
        .as_array()
        .context("init response without keys")?
        .iter()
        .take(threshold as usize)
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    let token = init["root_token"]
        .as_str()
        .context("init response without root token")?
        .to_string();
    unseal(c, 0, &keys).await?;
    until(
        "vault-0 to become active",
        Duration::from_secs(60),
        || async {
            let (_, leader) = call(c, 0, VaultCall::new("GET", "sys/leader")).await?;
            Ok((leader["is_self"] == true).then_some(()))
        },
    )
    .await?;
    // Promote new voters after 2 s instead of autopilot's default 10 s: a sandbox tuning.
    let (code, body) = call(
        c,
        0,
        VaultCall::new("POST", "sys/storage/raft/autopilot/configuration")
            .token(&token)
            .body(&json!({"server_stabilization_time": "2s"})),
    )
    .await?;
    if code >= 300 {
        bail!("configure autopilot: {code} {body}");
    }
    let replicas = c.cfg.replicas;
    let joins = (1..replicas).map(|ordinal| {
        let keys = keys.clone();
        let c = c.clone();
        async move {
            listening(&c, ordinal).await?;
            let v = c.variant();
            let leader = format!(
                "{}://{}.{}:8200",
                v.scheme(),
                c.pod_name(0),
                v.internal_service()
            );
            let body = if v.tls {
                json!({"leader_api_addr": leader, "leader_ca_cert": c.cfg.ca_pem})
            } else {
                json!({"leader_api_addr": leader})
            };
            // A loaded machine's new leader may not answer the raft challenge yet ("failed
            // to get raft challenge", 500), and with `retry_join` in the configuration the
            // server may refuse an explicit join until its own attempt gives way. A failed
            // join changes nothing: retry for up to a minute.
            until(
                &format!("{} to join raft", c.pod_name(ordinal)),
                Duration::from_secs(60),
                || async {
                    let (code, resp) = call(
                        &c,
                        ordinal,
                        VaultCall::new("POST", "sys/storage/raft/join").body(&body),
                    )
                    .await?;
                    if code >= 300 || resp["joined"] != true {
                        bail!("{} failed to join raft: {code} {resp}", c.pod_name(ordinal));
                    }
                    Ok(Some(()))
                },
            )
            .await?;
            unseal(&c, ordinal, &keys).await
        }
    });
    futures::future::try_join_all(joins).await?;
    wait_voters(c, &token, replicas).await?;
    Ok(init)
}

/// Waits until the raft configuration has `n` voters and every pod is Ready.
pub async fn wait_voters(c: &Arc<Cluster>, token: &str, n: u32) -> Result<()> {
    until(
        &format!("{n} raft voters"),
        Duration::from_secs(90),
        || async {
            let (code, body) = call(
                c,
                0,
                VaultCall::new("GET", "sys/storage/raft/configuration").token(token),
            )
            .await?;
            if code >= 300 {
                return Ok(None);
            }
            let servers = body["data"]["config"]["servers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let voters = servers.iter().filter(|s| s["voter"] == true).count();
            Ok((voters as u32 >= n).then_some(()))
        },
    )
    .await?;
    // Autopilot's own view lags the configuration by an update round: let it catch up, so the
    // cluster handed over is settled as a real one would be.
    let expected = (n.saturating_sub(1) / 2) as i64;
    until(
        "autopilot to count every voter",
        Duration::from_secs(30),
        || async {
            let (_, body) = call(
                c,
                0,
                VaultCall::new("GET", "sys/storage/raft/autopilot/state").token(token),
            )
            .await?;
            let tolerance = body["data"]["failure_tolerance"].as_i64().unwrap_or(-1);
            Ok((tolerance >= expected).then_some(()))
        },
    )
    .await?;
    until("every pod to be Ready", Duration::from_secs(30), || async {
        let (pods, _) = c.store.list("pods", Some(c.ns()), |_| true);
        let ready = pods
            .iter()
            .filter(|p| {
                p["status"]["conditions"].as_array().is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
                })
            })
            .count();
        Ok((ready as u32 >= n).then_some(()))
    })
    .await
}
