//! `resize`: new memory/CPU for the Vault container, rolled out by the plugin itself.
//!
//! Patching the StatefulSet alone rolls nothing on the chart's default `OnDelete` strategy,
//! and with `RollingUpdate` the controller would restart pods that then stay sealed. So the
//! plugin patches the template (holding a `RollingUpdate` StatefulSet at `OnDelete` while it
//! works) and restarts the pods one at a time with the shared rolling restart: standbys
//! first, the active node last after a step-down, each unsealed and Ready before the next.

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value, json};
use vault_shared::Exit;
use vault_shared::cluster;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::k8s_openapi::api::apps::v1::StatefulSet;
use vault_shared::k8s_openapi::api::core::v1::Pod;
use vault_shared::keys;
use vault_shared::output::{Format, Progress};
use vault_shared::podmetrics::parse_quantity;
use vault_shared::procedures::restart::{Restart, order, rolling_restart};
use vault_shared::session::Session;

use crate::ResizeArgs;

/// What the token must be allowed, checked before anything changes: stepping the active
/// node down (and reading the seal status, which every token may).
const CAPABILITIES: &[(&str, &str)] = &[("sys/step-down", "update")];

/// A CPU quantity in millicores (`500m`, `2`, `1.5`).
fn parse_cpu(s: &str) -> Option<u64> {
    let s = s.trim();
    let milli = match s.strip_suffix('m') {
        Some(m) => m.parse::<f64>().ok()?,
        None => s.parse::<f64>().ok()? * 1000.0,
    };
    (milli.is_finite() && milli >= 0.0).then_some(milli.round() as u64)
}

/// The container's resources with the flags applied, or why they cannot be.
fn resized(current: &Value, args: &ResizeArgs) -> Result<Value> {
    let mut res = current.clone();
    if !res.is_object() {
        res = json!({});
    }
    let set = |res: &mut Value, part: &str, key: &str, v: &str| {
        res[part][key] = Value::String(v.to_string());
    };
    let changes = [
        ("limits", "memory", &args.memory),
        ("requests", "memory", &args.memory_request),
        ("limits", "cpu", &args.cpu),
        ("requests", "cpu", &args.cpu_request),
    ];
    if changes.iter().all(|(_, _, v)| v.is_none()) {
        bail!("say what to change: --memory, --memory-request, --cpu and/or --cpu-request");
    }
    for (part, key, v) in changes {
        if let Some(v) = v {
            let ok = match key {
                "memory" => parse_quantity(v).is_some_and(|b| b > 0),
                _ => parse_cpu(v).is_some_and(|m| m > 0),
            };
            if !ok {
                bail!(
                    "--{} {v:?} is not a {key} quantity (e.g. 512Mi, 4Gi; 500m, 2)",
                    if part == "limits" {
                        key.to_string()
                    } else {
                        format!("{key}-request")
                    }
                );
            }
            set(&mut res, part, key, v);
        }
    }
    // A request above its limit is invalid; an unchanged request above a lowered limit
    // would make the patch fail half-way, so it follows the limit down.
    for (key, parse) in [
        ("memory", parse_quantity as fn(&str) -> Option<u64>),
        ("cpu", parse_cpu),
    ] {
        let get = |part: &str| res[part][key].as_str().and_then(parse);
        if let (Some(req), Some(lim)) = (get("requests"), get("limits"))
            && req > lim
        {
            let explicit = match key {
                "memory" => args.memory_request.is_some(),
                _ => args.cpu_request.is_some(),
            };
            if explicit {
                bail!("the {key} request would be above its limit");
            }
            res["requests"][key] = res["limits"][key].clone();
        }
    }
    Ok(res)
}

fn describe(res: &Value) -> String {
    let mut parts = Vec::new();
    for part in ["limits", "requests"] {
        for key in ["memory", "cpu"] {
            if let Some(v) = res[part][key].as_str() {
                parts.push(format!("{part}.{key}={v}"));
            }
        }
    }
    if parts.is_empty() {
        "(none)".into()
    } else {
        parts.join(" ")
    }
}

/// The StatefulSet of the selected pods (the session keeps only pods of one StatefulSet, whose
/// ownership it has checked) and one of them, for the container that runs Vault.
fn owner(session: &Session) -> Result<(String, &Pod)> {
    let pod = session
        .pod_refs()
        .into_iter()
        .find_map(|(name, _)| session.pod(name))
        .context("no Vault pod selected")?;
    let sts = cluster::owner_statefulset(pod).context("the Vault pods have no StatefulSet")?;
    Ok((sts.to_string(), pod))
}

/// The index and resources of the container that runs Vault in the StatefulSet's template.
fn vault_container(sts: &StatefulSet, name: &str) -> Result<(String, Value)> {
    let containers = &sts
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .context("the StatefulSet has no pod template")?
        .containers;
    let c = containers
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| anyhow!("the StatefulSet's template has no container {name:?}"))?;
    let res = serde_json::to_value(c.resources.clone().unwrap_or_default())?;
    Ok((c.name.clone(), res))
}

pub async fn run(session: &Session, args: &ResizeArgs) -> Result<Exit> {
    let kube = &session.kube;
    // Inputs and permissions first: nothing changes until all of them are in hand.
    let (sts_name, sample) = owner(session)?;
    let container = cluster::vault_container(sample)
        .map(|c| c.name.clone())
        .context("no container in the pods runs Vault")?;
    let sts = kube.statefulset(&sts_name).await?;
    let (container, current) = vault_container(&sts, &container)?;
    let wanted = resized(&current, args)?;
    // A rerun after a roll that stopped half-way finds the template patched: it restarts
    // only the pods still running the old resources.
    let patch_needed = wanted != current;
    let running = |pod: &str| {
        session
            .pod(pod)
            .and_then(cluster::vault_container)
            .and_then(|c| c.resources.clone())
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .unwrap_or_else(|| json!({}))
    };
    let outdated: Vec<String> = session
        .pod_refs()
        .into_iter()
        .map(|(name, _)| name.to_string())
        .filter(|name| running(name) != wanted)
        .collect();
    if !patch_needed && outdated.is_empty() {
        println!(
            "StatefulSet {sts_name}: container {container} already has {} in the template and in every pod; nothing to do",
            describe(&current)
        );
        return Ok(Exit::Healthy);
    }
    let views = session.views().await;
    let unhealthy: Vec<String> = views
        .iter()
        .filter(|v| !v.reachable || !v.unsealed())
        .map(|v| {
            format!(
                "{} ({})",
                v.pod,
                v.error
                    .as_deref()
                    .unwrap_or(if v.reachable { "sealed" } else { "unreachable" })
            )
        })
        .collect();
    if !unhealthy.is_empty() {
        bail!(
            "every pod must be unsealed before a rolling resize, and {} is not: fix that first (kubectl vault-unseal, kubectl vault-raft status); nothing was changed",
            unhealthy.join(", ")
        );
    }
    session.require_token("stepping the active node down during a resize")?;
    let leader = session.leader(&views)?;
    session
        .require_capabilities(leader, "resize", CAPABILITIES)
        .await?;
    let shamir = views
        .iter()
        .any(|v| v.seal_type.as_deref() == Some("shamir"));
    let loaded = if shamir {
        keys::load(&args.keys, Some(kube)).await?
    } else {
        None
    };
    let keys_missing = shamir && loaded.is_none();
    if keys_missing && !args.confirm.dry_run {
        bail!(
            "the pods use Shamir seals, so each restarted pod must be unsealed: give --keys-file or --keys-secret; nothing was changed"
        );
    }
    let shares = if let Some(shares) = loaded {
        let threshold = views.iter().find_map(|v| v.threshold).unwrap_or(1) as usize;
        if shares.len() < threshold {
            bail!(
                "{} share(s) given, the threshold is {threshold}: a restarted pod could not be unsealed; nothing was changed",
                shares.len()
            );
        }
        Some(shares)
    } else {
        None
    };
    let strategy = sts
        .spec
        .as_ref()
        .and_then(|s| s.update_strategy.clone())
        .unwrap_or_default();
    let rolling = strategy.type_.as_deref() != Some("OnDelete");
    let pods: Vec<String> = views.iter().map(|v| v.pod.clone()).collect();
    let ordered = order(&outdated, &views);

    let mut plan = Plan::new(format!(
        "resize container {container} of StatefulSet {sts_name} and restart its pods"
    ));
    let rolling = rolling && patch_needed;
    if patch_needed {
        plan.step(format!(
            "patch the pod template: {} -> {}{}",
            describe(&current),
            describe(&wanted),
            if rolling {
                " (updateStrategy held at OnDelete while the plugin rolls, so the controller does not restart pods it cannot unseal)"
            } else {
                ""
            }
        ));
    } else {
        plan.step(format!(
            "the pod template already has {}: restart the pods still running the old resources",
            describe(&wanted)
        ));
    }
    for p in &ordered {
        let active = leader.name == *p;
        plan.step(format!(
            "restart {p}{}: delete, wait until recreated, {}Ready (stop here if not)",
            if active {
                " (active: step down first)"
            } else {
                ""
            },
            if shamir { "unseal, " } else { "" }
        ));
    }
    if rolling {
        plan.step("restore updateStrategy RollingUpdate");
    }
    if keys_missing {
        plan.warn("the pods use Shamir seals: the real run needs --keys-file or --keys-secret");
    }
    if !args.confirm.confirm(&plan)? {
        if session.format == Format::Table {
            plan.print_dry_run();
        }
        return Ok(Exit::Healthy);
    }
    // Read again after the prompt: the StatefulSet and the pods as they are now.
    let again = session.views().await;
    if let Some(v) = again.iter().find(|v| !v.reachable || !v.unsealed()) {
        bail!(
            "{} is no longer unsealed and reachable since the plan was made; nothing was changed",
            v.pod
        );
    }
    if patch_needed {
        let rv = sts.metadata.resource_version.clone().unwrap_or_default();
        let mut patch = json!({
            "metadata": {"resourceVersion": rv},
            "spec": {"template": {"spec": {"containers": [{"name": container, "resources": wanted}]}}},
        });
        if rolling {
            patch["spec"]["updateStrategy"] = json!({"type": "OnDelete", "rollingUpdate": null});
        }
        kube.patch_statefulset(&sts_name, &patch)
            .await
            .map_err(|e| anyhow!("{e:#} (if the StatefulSet changed since it was read, run resize again); nothing was changed"))?;
        let note = format!(
            "kubectl-vault resized container {container}: {} -> {}",
            describe(&current),
            describe(&wanted)
        );
        session
            .record_on(&sts, Note::normal("Resized", "Resize", &note))
            .await;
    }

    let how = Restart {
        shares: shares.as_deref(),
        timeout: args.timeout,
        why: "kubectl-vault restarts the pod with its new resources",
        only_unhealthy: false,
    };
    let restarted = rolling_restart(session, &ordered, &how, &Progress::new()).await;
    let restore = || async {
        if rolling {
            let mut back = Map::new();
            back.insert(
                "type".into(),
                json!(strategy.type_.as_deref().unwrap_or("RollingUpdate")),
            );
            if let Some(r) = &strategy.rolling_update {
                back.insert("rollingUpdate".into(), serde_json::to_value(r)?);
            }
            kube.patch_statefulset(&sts_name, &json!({"spec": {"updateStrategy": back}}))
                .await?;
        }
        anyhow::Ok(())
    };
    let done = match restarted {
        Ok(done) => done,
        Err(stopped) => {
            let held = if rolling {
                format!(
                    " The StatefulSet stays at updateStrategy OnDelete until the roll is finished: rerun `kubectl vault-leases resize` with the same flags, or `kubectl patch statefulset {sts_name} -p '{{\"spec\":{{\"updateStrategy\":{{\"type\":\"RollingUpdate\"}}}}}}'`."
                )
            } else {
                String::new()
            };
            bail!(
                "the pod template is patched, but the roll stopped: {stopped}. Fix {} and rerun `kubectl vault-leases resize` with the same flags: it restarts only what is left.{held}",
                stopped.pod
            );
        }
    };
    restore().await?;
    // What the pods run now, read back from the cluster.
    let mut rows = Vec::new();
    let mut exit = Exit::Healthy;
    for p in &pods {
        let pod = kube.pod(p).await?;
        let now = pod
            .as_ref()
            .and_then(cluster::vault_container)
            .and_then(|c| c.resources.clone())
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .unwrap_or_default();
        let ok = now == wanted && pod.as_ref().is_some_and(cluster::is_ready);
        if !ok {
            exit = Exit::Attention;
        }
        rows.push(json!({"pod": p, "resources": now, "ready": pod.as_ref().is_some_and(cluster::is_ready), "restarted": done.contains(p)}));
    }
    match session.format {
        Format::Table => {
            println!(
                "Resized StatefulSet {sts_name} container {container}: {}",
                describe(&wanted)
            );
            for r in &rows {
                println!(
                    "  {}: {}{}",
                    r["pod"].as_str().unwrap_or(""),
                    describe(&r["resources"]),
                    if r["ready"] == true {
                        ", Ready"
                    } else {
                        ", NOT Ready"
                    }
                );
            }
        }
        f => vault_shared::output::print_data(
            f,
            &json!({"statefulset": sts_name, "container": container, "before": current, "after": wanted, "pods": rows, "exit_code": exit.code()}),
        )?,
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(memory: Option<&str>, request: Option<&str>) -> ResizeArgs {
        ResizeArgs {
            memory: memory.map(String::from),
            memory_request: request.map(String::from),
            ..ResizeArgs::default()
        }
    }

    #[test]
    fn cpu_quantities() {
        assert_eq!(parse_cpu("500m"), Some(500));
        assert_eq!(parse_cpu("2"), Some(2000));
        assert_eq!(parse_cpu("1.5"), Some(1500));
        assert_eq!(parse_cpu("lots"), None);
    }

    #[test]
    fn a_request_follows_a_lowered_limit_unless_given() {
        let cur = json!({"limits": {"memory": "1Gi"}, "requests": {"memory": "768Mi"}});
        let r = resized(&cur, &args(Some("512Mi"), None)).unwrap();
        assert_eq!(
            r,
            json!({"limits": {"memory": "512Mi"}, "requests": {"memory": "512Mi"}})
        );
        assert!(resized(&cur, &args(Some("512Mi"), Some("600Mi"))).is_err());
        assert!(resized(&cur, &args(Some("lots"), None)).is_err());
        assert!(resized(&cur, &args(None, None)).is_err());
        let r = resized(&json!({}), &args(Some("4Gi"), None)).unwrap();
        assert_eq!(r, json!({"limits": {"memory": "4Gi"}}));
    }
}
