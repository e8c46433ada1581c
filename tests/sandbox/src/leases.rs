//! Many real leases, fast, on the active node, over a few kept-open connections: tokens with
//! a TTL under `auth/token/create/<role>` (as a CI system's tokens would be), AppRole logins
//! under `auth/<mount>/login`, and dynamic secrets (PKI certificates with `generate_lease`)
//! under `<mount>/issue/<role>`. Each is a lease under that path in `sys/leases/lookup`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use serde_json::json;

use crate::vault::{VaultCall, VaultConn, VaultHttp};

/// Connections (so requests in flight) while flooding: enough to keep the server's raft
/// batches full, few enough for a 2-core machine.
const CONNECTIONS: usize = 16;
const TIMEOUT: Duration = Duration::from_secs(30);
/// Tries per token while the cluster elects a new leader, and the pause that grows with each.
const RETRIES: u32 = 8;
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// The address of the node that answers `sys/leader` with `is_self`.
pub async fn active_node(http: &VaultHttp, nodes: &[SocketAddr]) -> Result<SocketAddr> {
    for addr in nodes {
        if let Ok((200, v)) = http
            .call(
                *addr,
                VaultCall::new("GET", "sys/leader"),
                Duration::from_secs(5),
            )
            .await
            && v["is_self"] == true
        {
            return Ok(*addr);
        }
    }
    bail!("no active node among {nodes:?}")
}

/// Creates the token role `role` (orphan tokens, so revoking one never takes others along)
/// and `count` tokens under it that live for `ttl`. Returns how many were created.
pub async fn flood(
    http: &VaultHttp,
    addr: SocketAddr,
    token: &str,
    role: &str,
    count: usize,
    ttl: &str,
) -> Result<usize> {
    if role.is_empty() || role.contains('/') {
        bail!("role {role:?}: a token role name has no slashes");
    }
    let body = json!({"orphan": true, "allowed_policies": ["default"]});
    let (code, v) = http
        .call(
            addr,
            VaultCall::new("POST", &format!("auth/token/roles/{role}"))
                .token(token)
                .body(&body),
            TIMEOUT,
        )
        .await?;
    if code >= 300 {
        bail!("create token role {role}: {code} {v}");
    }
    let path = format!("auth/token/create/{role}");
    let body = json!({"ttl": ttl, "policies": ["default"]});
    exactly(
        http,
        addr,
        token,
        VaultCall::new("POST", &path).token(token).body(&body),
        count,
    )
    .await
}

/// Enables the AppRole method at `auth/<mount>` (unless it is there), a role whose tokens live
/// for `ttl`, and logs in `count` times: each login is a lease under `auth/<mount>/login/`, a
/// second mount beside the token store's, as an application fleet's logins would be.
pub async fn flood_approle(
    http: &VaultHttp,
    addr: SocketAddr,
    token: &str,
    mount: &str,
    count: usize,
    ttl: &str,
) -> Result<usize> {
    let write = |path: String, body: serde_json::Value| async move {
        let (code, v) = http
            .call(
                addr,
                VaultCall::new("POST", &path).token(token).body(&body),
                TIMEOUT,
            )
            .await?;
        Ok::<_, anyhow::Error>((code, v))
    };
    let (code, v) = write(format!("sys/auth/{mount}"), json!({"type": "approle"})).await?;
    if code >= 300 && !v.to_string().contains("path is already in use") {
        bail!("enable approle at {mount}: {code} {v}");
    }
    let role = format!("auth/{mount}/role/flood");
    let body = json!({"token_ttl": ttl, "token_max_ttl": ttl, "token_policies": ["default"]});
    let (code, v) = write(role.clone(), body).await?;
    if code >= 300 {
        bail!("{role}: {code} {v}");
    }
    let (code, v) = http
        .call(
            addr,
            VaultCall::new("GET", &format!("{role}/role-id")).token(token),
            TIMEOUT,
        )
        .await?;
    let role_id = v["data"]["role_id"].as_str().map(str::to_string);
    let (code2, v2) = write(format!("{role}/secret-id"), json!({})).await?;
    let secret_id = v2["data"]["secret_id"].as_str().map(str::to_string);
    let (Some(role_id), Some(secret_id)) = (role_id, secret_id) else {
        bail!("{role}: no role_id/secret_id ({code} {v}; {code2})");
    };
    let login = json!({"role_id": role_id, "secret_id": secret_id});
    let path = format!("auth/{mount}/login");
    exactly(
        http,
        addr,
        token,
        VaultCall::new("POST", &path).body(&login),
        count,
    )
    .await
}

/// Creates `count` leases under the lease path `path`, setting up what it needs first:
/// `auth/token/create/<role>` (a token role), `auth/<mount>/login` (an AppRole mount and role)
/// or `<mount>/issue/<role>` (a PKI mount, its CA and a role with `generate_lease`).
pub async fn flood_path(
    http: &VaultHttp,
    addr: SocketAddr,
    token: &str,
    path: &str,
    count: usize,
    ttl: &str,
) -> Result<usize> {
    let path = path.trim_matches('/');
    if let Some(role) = path.strip_prefix("auth/token/create/") {
        return flood(http, addr, token, role, count, ttl).await;
    }
    if let Some(mount) = path
        .strip_prefix("auth/")
        .and_then(|p| p.strip_suffix("/login"))
        .filter(|m| !m.is_empty())
    {
        return flood_approle(http, addr, token, mount, count, ttl).await;
    }
    if let Some((mount, role)) = path.rsplit_once("/issue/")
        && !mount.is_empty()
        && !mount.starts_with("auth/")
        && !role.is_empty()
        && !role.contains('/')
    {
        return flood_pki(http, addr, token, mount, role, count, ttl).await;
    }
    bail!(
        "lease path {path:?}: expected auth/token/create/ROLE, auth/MOUNT/login or MOUNT/issue/ROLE"
    )
}

/// Mounts the PKI engine at `mount` (unless it is there) with a root CA of its own (unless it
/// has an issuer), a role `role` whose certificates are leases (`generate_lease`), and issues
/// `count` certificates: real dynamic-secret leases under `<mount>/issue/<role>/`.
pub async fn flood_pki(
    http: &VaultHttp,
    addr: SocketAddr,
    token: &str,
    mount: &str,
    role: &str,
    count: usize,
    ttl: &str,
) -> Result<usize> {
    let call = |method: &'static str, path: String, body: Option<serde_json::Value>| async move {
        let mut c = VaultCall::new(method, &path).token(token);
        if let Some(b) = &body {
            c = c.body(b);
        }
        http.call(addr, c, TIMEOUT)
            .await
            .with_context(|| format!("{method} {path}"))
    };
    let (code, v) = call(
        "POST",
        format!("sys/mounts/{mount}"),
        Some(json!({"type": "pki", "config": {"max_lease_ttl": "87600h"}})),
    )
    .await?;
    if code >= 300 && !v.to_string().contains("path is already in use") {
        bail!("enable pki at {mount}: {code} {v}");
    }
    let (code, _) = call("LIST", format!("{mount}/issuers"), None).await?;
    if code != 200 {
        // EC keys: generating one per certificate stays cheap on a small machine.
        let body = json!({"common_name": "vault-sandbox lease flood", "key_type": "ec", "key_bits": 256, "ttl": "87600h"});
        let (code, v) = call(
            "POST",
            format!("{mount}/root/generate/internal"),
            Some(body),
        )
        .await?;
        if code >= 300 {
            bail!("generate a root CA at {mount}: {code} {v}");
        }
    }
    let (code, v) = call("GET", format!("{mount}/roles/{role}"), None).await?;
    match code {
        // A role a test set up is left as it is, if it makes leases.
        200 if v["data"]["generate_lease"] == true => {}
        200 => bail!(
            "{mount}/roles/{role} exists without generate_lease=true: its certificates are no leases"
        ),
        _ => {
            let body = json!({"allow_any_name": true, "generate_lease": true, "key_type": "ec",
                              "key_bits": 256, "ttl": ttl, "max_ttl": ttl});
            let (code, v) = call("POST", format!("{mount}/roles/{role}"), Some(body)).await?;
            if code >= 300 {
                bail!("create {mount}/roles/{role}: {code} {v}");
            }
        }
    }
    let path = format!("{mount}/issue/{role}");
    let body = json!({"common_name": "flood.vault-sandbox.test", "ttl": ttl});
    exactly(
        http,
        addr,
        token,
        VaultCall::new("POST", &path).token(token).body(&body),
        count,
    )
    .await
}

/// Makes `count` more leases under `call.path` with [`many`], then trims what a retry doubled:
/// a create that timed out on a loaded machine may have happened anyway, and its retry made
/// one more. Tests compare exact counts, so the surplus is revoked (with the root `token`).
async fn exactly(
    http: &VaultHttp,
    addr: SocketAddr,
    token: &str,
    call: VaultCall<'_>,
    count: usize,
) -> Result<usize> {
    let dir = format!("{}/", call.path.trim_matches('/'));
    let before = self::count(http, addr, token, &dir).await?;
    many(http, addr, call, count).await?;
    let want = before + count as u64;
    let have = self::count(http, addr, token, &dir).await?;
    if have > want {
        let (code, v) = http
            .call(
                addr,
                VaultCall::new("LIST", &format!("sys/leases/lookup/{dir}")).token(token),
                TIMEOUT,
            )
            .await?;
        if code != 200 {
            bail!("list sys/leases/lookup/{dir}: {code} {v}");
        }
        let keys: Vec<&str> = v["data"]["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str())
            .filter(|k| !k.ends_with('/'))
            .take((have - want) as usize)
            .collect();
        for k in keys {
            let lease = json!({"lease_id": format!("{dir}{k}")});
            let (code, v) = http
                .call(
                    addr,
                    VaultCall::new("PUT", "sys/leases/revoke")
                        .token(token)
                        .body(&lease),
                    TIMEOUT,
                )
                .await?;
            if code >= 300 {
                bail!("revoke a surplus lease under {dir}: {code} {v}");
            }
        }
    }
    Ok(count)
}

/// Sends `call` `count` times over [`CONNECTIONS`] kept-open connections, each sending one
/// request after another, and each request retried while the cluster elects a leader.
async fn many(
    http: &VaultHttp,
    addr: SocketAddr,
    call: VaultCall<'_>,
    count: usize,
) -> Result<usize> {
    let path = call.path;
    let next = &AtomicUsize::new(0);
    let worker = move || async move {
        let mut errors = Vec::new();
        let mut conn = None;
        while next.fetch_add(1, Ordering::Relaxed) < count {
            if let Err(e) = once(http, addr, call, &mut conn).await {
                errors.push(e);
            }
        }
        errors
    };
    let errors: Vec<anyhow::Error> = futures::future::join_all((0..CONNECTIONS).map(|_| worker()))
        .await
        .into_iter()
        .flatten()
        .collect();
    if let Some(first) = errors.first() {
        bail!(
            "{} of {count} requests to {path} failed; the first error: {first:#}",
            errors.len()
        );
    }
    Ok(count)
}

/// One request of [`many`] on `conn` (opened, or opened again after an error, as needed).
async fn once(
    http: &VaultHttp,
    addr: SocketAddr,
    call: VaultCall<'_>,
    conn: &mut Option<VaultConn>,
) -> Result<()> {
    // A busy 2-core machine can cost the leader its lease mid-flood ("leadership lost while
    // committing log"); the write did not happen, so try again once the cluster has a leader
    // (standbys forward to it; one that has just lost the lease answers 307 until it knows
    // the new active node).
    let mut attempt = 0;
    loop {
        attempt += 1;
        let answer = match conn.take() {
            Some(c) => Ok(c),
            None => http.connect(addr, TIMEOUT).await,
        };
        let answer = match answer {
            Ok(mut c) => {
                let a = c.call(call, TIMEOUT).await;
                if a.is_ok() {
                    *conn = Some(c);
                }
                a
            }
            Err(e) => Err(e),
        };
        let (code, v) = match answer {
            Ok(answer) => answer,
            Err(_) if attempt < RETRIES => {
                tokio::time::sleep(RETRY_PAUSE * attempt).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        let transient = code >= 500
            || code == 307
            || (code == 400 && v.to_string().contains("leadership lost"));
        if transient && attempt < RETRIES {
            tokio::time::sleep(RETRY_PAUSE * attempt).await;
            continue;
        }
        if code >= 300 {
            return Err(anyhow!("{}: {code} {v}", call.path));
        }
        return Ok(());
    }
}

/// How many leases are under `prefix` (a recursive `LIST sys/leases/lookup/…`), counted
/// straight through the API: the independent count tests compare the plugin with.
pub async fn count(http: &VaultHttp, addr: SocketAddr, token: &str, prefix: &str) -> Result<u64> {
    let mut stack = vec![format!("{}/", prefix.trim_matches('/'))];
    if stack[0] == "/" {
        stack[0].clear();
    }
    let mut total = 0;
    while let Some(dir) = stack.pop() {
        let (code, v) = http
            .call(
                addr,
                VaultCall::new("LIST", &format!("sys/leases/lookup/{dir}")).token(token),
                TIMEOUT,
            )
            .await
            .with_context(|| format!("list sys/leases/lookup/{dir}"))?;
        match code {
            404 => continue,
            200 => {}
            _ => bail!("list sys/leases/lookup/{dir}: {code} {v}"),
        }
        for k in v["data"]["keys"].as_array().into_iter().flatten() {
            let k = k.as_str().unwrap_or_default();
            if k.ends_with('/') {
                stack.push(format!("{dir}{k}"));
            } else {
                total += 1;
            }
        }
    }
    Ok(total)
}
