//! `audit-enable`: a file audit device, through the API where the server allows it (Vault),
//! else (OpenBao refuses API-enabled audit devices) as an `audit` stanza added to the server
//! configuration's ConfigMap, with the pods restarted one at a time and unsealed (the shared
//! rolling restart). Checked afterwards: listed by `sys/audit`, every pod unsealed, and a
//! request written to the new file.

use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, PostParams};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output::{self, Progress};
use vault_shared::procedures::restart::{Restart, rolling_restart};
use vault_shared::session::Session;
use vault_shared::{cluster, exec, keys, volumes};

use crate::AuditEnableArgs;

const RAW_WARNING: &str = "--log-raw writes every secret, token and password in clear into the audit file, readable by anyone who can exec into the pods or read the volume";

#[derive(Debug, Serialize)]
pub struct AuditEnableReport {
    pub name: String,
    pub file_path: String,
    pub log_raw: bool,
    /// `api` or `configuration` (ConfigMap and rolling restart).
    pub via: &'static str,
    pub restarted: Vec<String>,
    pub listed: bool,
    pub all_unsealed: bool,
    /// A request made afterwards is in the new file.
    pub request_logged: bool,
    pub dry_run: bool,
}

fn stanza(name: &str, path: &str, raw: bool) -> String {
    format!(
        "\naudit \"file\" \"{name}\" {{\n  options {{\n    file_path = \"{path}\"{}\n  }}\n}}\n",
        if raw {
            "\n    log_raw   = \"true\""
        } else {
            ""
        }
    )
}

/// The ConfigMap and key holding the server configuration (the one with a `listener`).
async fn server_config(session: &Session) -> Result<(ConfigMap, String)> {
    let pod = session
        .all_pods
        .first()
        .ok_or_else(|| anyhow!("no Vault pod to read the configuration of"))?;
    for name in cluster::config_maps(pod) {
        if let Some(cm) = session.kube.config_map(name).await? {
            let key = cm
                .data
                .iter()
                .flatten()
                .find(|(_, v)| v.contains("listener"))
                .map(|(k, _)| k.clone());
            if let Some(k) = key {
                return Ok((cm, k));
            }
        }
    }
    bail!(
        "no ConfigMap mounted by {} holds the server configuration (a listener stanza); nothing was changed",
        cluster::name(pod)
    )
}

/// The file the device writes when `--path` is not given: on the chart's audit volume
/// (`server.auditStorage`, /vault/audit or /openbao/audit), so it survives the restarts. No
/// audit volume: refuse, since a path on the container's own filesystem would be lost with
/// the pod or, where the directory does not exist, keep the server from starting.
fn default_path(pods: &[Pod]) -> Result<String> {
    let pod = pods
        .first()
        .ok_or_else(|| anyhow!("no Vault pods selected"))?;
    let dir = volumes::audit_volume(pod).ok_or_else(|| {
        anyhow!(
            "{} mounts no audit volume (the chart's server.auditStorage): give --path with a file on a persistent volume; nothing was changed",
            cluster::name(pod)
        )
    })?;
    Ok(format!("{}/audit-detailed.log", dir.trim_end_matches('/')))
}

pub async fn run(session: &Session, args: &AuditEnableArgs) -> Result<Exit> {
    let name = args.name.trim_matches('/').to_string();
    let path = match &args.path {
        Some(p) => p.clone(),
        None => default_path(&session.all_pods)?,
    };
    if !path.starts_with('/') || path.contains('"') {
        bail!("--path must be an absolute file path inside the pods");
    }
    let shares = keys::load(&args.keys, Some(&session.kube)).await?;
    // Both rolls below (the pods, then standbys that loaded the old audit table) alike.
    let roll = |why| Restart {
        shares: shares.as_deref(),
        timeout: args.timeout,
        why,
        only_unhealthy: false,
    };
    session.require_token("enabling an audit device")?;
    let leader = session.leader(&session.views().await)?;
    let devices = leader
        .client
        .audit_devices()
        .await
        .map_err(|e| session.explain(e, "list the audit devices (sys/audit, needs sudo)"))?;
    if devices.iter().any(|d| d.path == name) {
        bail!("an audit device {name}/ is already enabled; nothing was changed");
    }
    let mut report = AuditEnableReport {
        name: name.clone(),
        file_path: path.clone(),
        log_raw: args.log_raw,
        via: "configuration",
        restarted: Vec::new(),
        listed: false,
        all_unsealed: false,
        request_logged: false,
        dry_run: args.confirm.dry_run,
    };
    let (cm, key) = server_config(session).await?;
    let cm_name = cm.metadata.name.clone().unwrap_or_default();
    let pods: Vec<String> = session
        .all_pods
        .iter()
        .map(|p| cluster::name(p).to_string())
        .collect();
    let shamir = session
        .views()
        .await
        .iter()
        .any(|v| v.seal_type.as_deref() == Some("shamir"));
    let mut plan = Plan::new(format!("enable file audit device {name}/ writing {}", path));
    plan.step(format!(
        "try sys/audit/{name} through the API (Vault); OpenBao refuses it, then:"
    ));
    plan.step(format!(
        "add to {key} of ConfigMap {cm_name}:{}",
        stanza(&name, &path, args.log_raw).trim_end()
    ));
    plan.step(format!("restart the pods one at a time, standbys first, each unsealed and Ready before the next: {}; then once more the standbys restarted before the device was in the active node's table", restart_order(session, &pods).await.join(", ")));
    plan.step("check: sys/audit lists it, every pod is unsealed, a request is in the new file");
    if args.log_raw {
        plan.warn(RAW_WARNING);
    }
    if shamir && shares.is_none() {
        plan.warn("the pods seal with Shamir keys: give --keys-file or --keys-secret to unseal them after the restart");
    }
    let go = if args.log_raw {
        args.confirm.confirm_typed(&plan, &session.kube.namespace)?
    } else {
        args.confirm.confirm(&plan)?
    };
    if !go {
        if session.format == output::Format::Table {
            plan.print_dry_run();
        }
        return print(session, &report, Exit::Healthy);
    }
    if args.log_raw {
        output::warn(RAW_WARNING);
    }
    let api = leader
        .client
        .enable_file_audit(&name, &path, args.log_raw)
        .await;
    match api {
        Ok(()) => report.via = "api",
        Err(e)
            if e.errors().iter().any(|m| {
                m.contains("declarative") || m.contains("cannot enable audit device via API")
            }) =>
        {
            if shamir && shares.is_none() {
                bail!(
                    "the server refuses audit devices through the API, and restarting Shamir-sealed pods needs their keys (--keys-file or --keys-secret); nothing was changed"
                );
            }
            // The configuration may have changed since it was read.
            let (fresh, _) = server_config(session).await?;
            if fresh.metadata.resource_version != cm.metadata.resource_version {
                bail!(
                    "ConfigMap {cm_name} changed while waiting for confirmation; nothing was changed"
                );
            }
            let mut new = cm.clone();
            let text = new
                .data
                .as_mut()
                .and_then(|d| d.get_mut(&key))
                .ok_or_else(|| anyhow!("{key} vanished"))?;
            text.push_str(&stanza(&name, &path, args.log_raw));
            let cms: Api<ConfigMap> =
                Api::namespaced(session.kube.client.clone(), &session.kube.namespace);
            session
                .kube
                .call(
                    &format!("update configmap {cm_name}"),
                    cms.replace(&cm_name, &PostParams::default(), &new),
                )
                .await?;
            let how = roll("kubectl-vault restarts the pod to load a new audit device");
            report.restarted = rolling_restart(session, &pods, &how, &Progress::new())
                .await
                .map_err(|s| anyhow!("{s}; the ConfigMap already has the audit stanza"))?;
        }
        Err(e) => return Err(session.explain(e, &format!("enable the audit device {name}"))),
    }
    // The last pod restarted was the active node: wait for the election it caused.
    let views = views_with_a_leader(session, args.timeout).await;
    // OpenBao's standbys serve reads themselves and audit them with the devices of the table
    // they loaded when unsealed: a standby restarted before the new active node added the
    // declared device to the table audits only to the old ones. Restart those again, now that
    // the table has it.
    let views = match report.restarted.split_last() {
        Some((_, earlier)) if !earlier.is_empty() => {
            let active = session.leader(&views).ok().map(|l| l.name.clone());
            let again: Vec<String> = earlier
                .iter()
                .filter(|p| Some(*p) != active.as_ref())
                .cloned()
                .collect();
            if again.is_empty() {
                views
            } else {
                let how =
                    roll("kubectl-vault restarts the standby so that it audits to the new device");
                rolling_restart(session, &again, &how, &Progress::new())
                    .await
                    .map_err(|s| anyhow!("{s}; the audit device is declared and active"))?;
                report.restarted.extend(again);
                views_with_a_leader(session, args.timeout).await
            }
        }
        _ => views,
    };
    report.all_unsealed = !views.is_empty() && views.iter().all(|v| v.sealed == Some(false));
    let leader = session.leader(&views)?;
    report.listed = leader
        .client
        .audit_devices()
        .await
        .map_err(|e| session.explain(e, "list the audit devices again"))?
        .iter()
        .any(|d| d.path == name);
    // A request now: it is written to the new file on the active node.
    let marker = format!("kubectl-vault-audit-check-{}", std::process::id());
    let _ = leader.client.audit_hash(&name, &marker).await;
    let mut seen = false;
    let container = leader
        .pod
        .as_ref()
        .and_then(cluster::vault_container)
        .map(|c| c.name.clone());
    let out = exec::each_line(
        &session.kube,
        &leader.name,
        container.as_deref(),
        &["cat", &path],
        Duration::from_secs(30),
        |line| {
            seen |= line
                .windows(b"sys/audit-hash/".len())
                .any(|w| w == b"sys/audit-hash/")
        },
    )
    .await;
    report.request_logged = seen && out.is_ok_and(|o| o.success);
    session
        .record(
            &leader.name,
            Note::warning(
                "AuditDeviceEnabled",
                "EnableAudit",
                &format!(
                    "file audit device {name}/ writing {}{} ({})",
                    path,
                    if args.log_raw { " with log_raw" } else { "" },
                    report.via
                ),
            ),
        )
        .await;
    let exit = if report.listed && report.all_unsealed && report.request_logged {
        Exit::Healthy
    } else {
        Exit::Attention
    };
    print(session, &report, exit)
}

async fn restart_order(session: &Session, pods: &[String]) -> Vec<String> {
    vault_shared::procedures::restart::order(pods, &session.views().await)
}

fn print(session: &Session, report: &AuditEnableReport, exit: Exit) -> Result<Exit> {
    output::print(session.format, report, |r| {
        if r.dry_run {
            return;
        }
        println!(
            "Audit device {}/ ({}, via {}): listed {}, all pods unsealed {}, a request logged {}",
            r.name, r.file_path, r.via, r.listed, r.all_unsealed, r.request_logged
        );
    })?;
    Ok(exit)
}

/// The pods' views once one of them answers as the active node (or `timeout` has passed).
async fn views_with_a_leader(
    session: &Session,
    timeout: Duration,
) -> Vec<vault_shared::ha::NodeView> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let views = session.views().await;
        if session.leader(&views).is_ok() || std::time::Instant::now() > deadline {
            return views;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
