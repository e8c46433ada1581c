//! `autopilot [--set key=value,…]`: the runbook's "Check autopilot status", and its
//! "Review cluster autopilot settings" follow-up (e.g. dead-server cleanup) behind a plan and
//! a confirmation.

use anyhow::{Result, anyhow, bail};
use serde::Serialize;
use serde_json::{Map, Value, json};
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::output::{self, Format};
use vault_shared::vault::autopilot::{AutopilotConfig, AutopilotState};

use crate::status;
use crate::{AutopilotArgs, Cli};
use vault_shared::events::Note;
use vault_shared::session::Session;

/// The type of each settable autopilot field, to check `key=value` before sending it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    Bool,
    Count,
    Duration,
}

pub const AUTOPILOT_SETTINGS: &[(&str, SettingKind)] = &[
    ("cleanup_dead_servers", SettingKind::Bool),
    ("dead_server_last_contact_threshold", SettingKind::Duration),
    ("last_contact_threshold", SettingKind::Duration),
    ("max_trailing_logs", SettingKind::Count),
    ("min_quorum", SettingKind::Count),
    ("server_stabilization_time", SettingKind::Duration),
];

/// Parses `key=value` into the JSON autopilot takes, or says what is wrong with it.
pub fn autopilot_setting(key: &str, value: &str) -> Result<Value, String> {
    let key = key.trim().replace('-', "_");
    let Some((_, kind)) = AUTOPILOT_SETTINGS.iter().find(|(k, _)| *k == key) else {
        let known: Vec<&str> = AUTOPILOT_SETTINGS.iter().map(|(k, _)| *k).collect();
        return Err(format!(
            "unknown autopilot setting {key:?} (settable: {})",
            known.join(", ")
        ));
    };
    let value = value.trim();
    match kind {
        SettingKind::Bool => match value {
            "true" => Ok(json!(true)),
            "false" => Ok(json!(false)),
            _ => Err(format!("{key} takes true or false, not {value:?}")),
        },
        SettingKind::Count => value
            .parse::<u64>()
            .map(|n| json!(n))
            .map_err(|_| format!("{key} takes a whole number, not {value:?}")),
        SettingKind::Duration => {
            let ok = !value.is_empty()
                && value.starts_with(|c: char| c.is_ascii_digit())
                && value
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                    .split(|c: char| c.is_ascii_digit() || c == '.')
                    .all(|u| matches!(u, "" | "ns" | "us" | "ms" | "s" | "m" | "h"))
                && !value.ends_with(|c: char| c.is_ascii_digit() || c == '.');
            if ok {
                Ok(json!(value))
            } else {
                Err(format!(
                    "{key} takes a duration such as 10s, 5m or 24h, not {value:?}"
                ))
            }
        }
    }
}

fn config_rows(c: &AutopilotConfig) -> Vec<(String, String)> {
    let mut rows = vec![
        (
            "cleanup_dead_servers".into(),
            c.cleanup_dead_servers.to_string(),
        ),
        (
            "dead_server_last_contact_threshold".into(),
            c.dead_server_last_contact_threshold.clone(),
        ),
        (
            "last_contact_threshold".into(),
            c.last_contact_threshold.clone(),
        ),
        ("max_trailing_logs".into(), c.max_trailing_logs.to_string()),
        ("min_quorum".into(), c.min_quorum.to_string()),
        (
            "server_stabilization_time".into(),
            c.server_stabilization_time.clone(),
        ),
    ];
    for (k, v) in &c.other {
        rows.push((k.clone(), v.to_string()));
    }
    rows
}

fn current(c: &AutopilotConfig, key: &str) -> String {
    config_rows(c)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// Parses `--set` into the JSON body, rejecting unknown keys and bad values before anything
/// is sent.
fn settings(set: &[String]) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for item in set.iter().filter(|s| !s.trim().is_empty()) {
        let (k, v) = item
            .split_once('=')
            .ok_or_else(|| anyhow!("--set {item:?}: expected key=value"))?;
        let value = autopilot_setting(k, v).map_err(|e| anyhow!("--set: {e}"))?;
        out.insert(k.trim().replace('-', "_"), value);
    }
    if out.is_empty() {
        bail!("--set needs at least one key=value");
    }
    Ok(out)
}

fn print_state(state: &AutopilotState, config: &AutopilotConfig) {
    println!(
        "Autopilot: {}; failure tolerance {}; leader {}; voters {}",
        if state.healthy {
            "healthy"
        } else {
            "unhealthy"
        },
        state.failure_tolerance,
        if state.leader.is_empty() {
            "-"
        } else {
            &state.leader
        },
        state.voters.join(", ")
    );
    println!();
    let rows = state
        .servers
        .values()
        .map(|s| {
            vec![
                s.id.clone().into(),
                s.address.clone().into(),
                s.status.clone().into(),
                s.node_status.clone().into(),
                output::bool_cell(Some(s.healthy)),
                s.last_contact
                    .as_deref()
                    .map(status::short_duration)
                    .unwrap_or_else(|| "-".into())
                    .into(),
                s.last_term.to_string().into(),
                s.last_index.to_string().into(),
            ]
        })
        .collect();
    output::print_table(
        &[
            "node",
            "address",
            "status",
            "node status",
            "healthy",
            "last contact",
            "term",
            "index",
        ],
        rows,
    );
    println!();
    output::print_table(
        &["setting", "value"],
        config_rows(config)
            .into_iter()
            .map(|(k, v)| vec![k.into(), v.into()])
            .collect(),
    );
}

#[derive(Serialize)]
struct Report<'a> {
    namespace: &'a str,
    state: &'a AutopilotState,
    configuration: &'a AutopilotConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    changed: Option<&'a Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dry_run: Option<bool>,
    exit_code: u8,
}

pub async fn run(cli: &Cli, args: &AutopilotArgs) -> Result<Exit> {
    let wanted = if args.set.is_empty() {
        None
    } else {
        Some(settings(&args.set)?)
    };
    let session = Session::connect(&cli.common, &[]).await?;
    session.require_token("autopilot")?;
    let views = session.views().await;
    let leader = session.leader(&views)?;
    let session = &session;
    let read = |what: &'static str| move |e| session.explain(e, what);
    let mut config = leader
        .client
        .autopilot_config()
        .await
        .map_err(read("read the autopilot configuration"))?;
    let mut changed = None;
    let mut dry_run = None;
    if let Some(wanted) = &wanted {
        // Vault's own rule, checked here so the refusal says what to add.
        let cleanup = wanted
            .get("cleanup_dead_servers")
            .and_then(Value::as_bool)
            .unwrap_or(config.cleanup_dead_servers);
        let min_quorum = wanted
            .get("min_quorum")
            .and_then(Value::as_u64)
            .unwrap_or(config.min_quorum);
        if cleanup && min_quorum < 3 {
            bail!(
                "cleanup_dead_servers=true needs min_quorum of at least 3 (now {min_quorum}), so cleanup never shrinks the cluster below a safe size: add min_quorum=N to --set"
            );
        }
        let mut plan = Plan::new("change the autopilot configuration");
        for (k, v) in wanted {
            let new = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            plan.step(format!("{k}: {} → {new}", current(&config, k)));
        }
        if wanted.get("cleanup_dead_servers") == Some(&Value::Bool(true)) {
            plan.warn(
                "dead-server cleanup removes voters that stay unreachable past dead_server_last_contact_threshold; keep min_quorum at the cluster's size so it never drops below quorum",
            );
        }
        let go = args.confirm.confirm(&plan)?;
        dry_run = Some(!go);
        if go {
            leader
                .client
                .set_autopilot_config(wanted)
                .await
                .map_err(read("change the autopilot configuration"))?;
            let summary: Vec<String> = plan.steps.clone();
            session
                .record(
                    &leader.name,
                    Note::normal(
                        "AutopilotConfigured",
                        "AutopilotConfigured",
                        &format!(
                            "kubectl-vault changed the autopilot configuration: {}",
                            summary.join("; ")
                        ),
                    ),
                )
                .await;
            config = leader
                .client
                .autopilot_config()
                .await
                .map_err(read("read the autopilot configuration"))?;
            changed = Some(wanted);
        } else if session.format == Format::Table {
            plan.print_dry_run();
            return Ok(Exit::Healthy);
        }
    }
    let state = leader
        .client
        .autopilot_state()
        .await
        .map_err(read("read the autopilot state"))?;
    let exit = if state.healthy {
        Exit::Healthy
    } else {
        Exit::Attention
    };
    let report = Report {
        namespace: &session.kube.namespace,
        state: &state,
        configuration: &config,
        changed,
        dry_run,
        exit_code: exit.code(),
    };
    output::print(session.format, &report, |r| {
        print_state(r.state, r.configuration)
    })?;
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autopilot_settings_are_checked() {
        assert_eq!(
            autopilot_setting("cleanup_dead_servers", "true"),
            Ok(json!(true))
        );
        assert_eq!(autopilot_setting("min-quorum", "3"), Ok(json!(3)));
        assert_eq!(
            autopilot_setting("dead_server_last_contact_threshold", "1m30s"),
            Ok(json!("1m30s"))
        );
        assert!(autopilot_setting("min_quorum", "three").is_err());
        assert!(autopilot_setting("last_contact_threshold", "10").is_err());
        assert!(autopilot_setting("last_contact_threshold", "10 parsecs").is_err());
        let err = autopilot_setting("cleanup", "true").unwrap_err();
        assert!(err.contains("settable: cleanup_dead_servers"), "{err}");
    }
}
