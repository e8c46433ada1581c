//! `kv`: a leaked secret's versions destroyed (KV v2 `destroy`) or its whole history deleted
//! (`metadata delete`, or the secret itself on KV v1), after the versions are shown and the
//! path typed on a terminal for what cannot be undone; checked through a fresh read.

use anyhow::{Result, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output;
use vault_shared::session::Session;
use vault_shared::target::Target;
use vault_shared::vault::kv::{KvMetadata, KvMount};

use crate::KvArgs;

#[derive(Debug, Serialize)]
pub struct KvReport {
    pub path: String,
    pub mount: KvMount,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<KvMetadata>,
    /// `destroy` (versions) or `delete_all` (metadata and every version; the secret on v1).
    pub action: &'static str,
    pub versions: Vec<u64>,
    pub dry_run: bool,
    pub done: bool,
    pub plan: Plan,
}

/// Which versions `--versions` names among those that still hold data.
fn pick(spec: &str, md: &KvMetadata, path: &str) -> Result<Vec<u64>> {
    let live: Vec<u64> = md
        .versions
        .iter()
        .filter(|(_, v)| !v.destroyed)
        .filter_map(|(n, _)| n.parse().ok())
        .collect();
    if spec == "all" {
        if live.is_empty() {
            bail!("{path}: every version is already destroyed; nothing to do");
        }
        return Ok(live);
    }
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim) {
        let n: u64 = part.parse().map_err(|_| {
            anyhow::anyhow!("--versions {spec:?}: expected all or version numbers such as 1,3")
        })?;
        match md.versions.get(&n.to_string()) {
            None => bail!(
                "{path} has no version {n} (versions: {}); nothing was changed",
                md.versions.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
            Some(v) if v.destroyed => {
                bail!("{path}: version {n} is already destroyed; nothing was changed")
            }
            Some(_) => out.push(n),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

async fn state(
    session: &Session,
    via: &Target,
    m: &KvMount,
    path: &str,
) -> Result<Option<KvMetadata>> {
    if m.version == 2 {
        let md = via
            .client
            .kv_metadata(m)
            .await
            .map_err(|e| session.explain(e, &format!("read the metadata of {path}")))?;
        match md {
            Some(md) => Ok(Some(md)),
            None => bail!("{path} does not exist (no metadata); nothing was changed"),
        }
    } else {
        let found = via
            .client
            .kv_read_secret(m)
            .await
            .map_err(|e| session.explain(e, &format!("read {path}")))?;
        if found.is_none() {
            bail!("{path} does not exist; nothing was changed");
        }
        Ok(None)
    }
}

pub async fn run(session: &Session, args: &KvArgs) -> Result<Exit> {
    let report = execute(session, args).await?;
    print(session, &report)
}

/// Shows, confirms and removes; the report says what was done (nothing printed).
pub async fn execute(session: &Session, args: &KvArgs) -> Result<KvReport> {
    let path = args.path.trim_matches('/').to_string();
    if args.versions.is_none() && !args.delete_metadata {
        bail!(
            "say what to remove: --versions all|N,M (destroy versions) or --delete-metadata (the whole history)"
        );
    }
    session.require_token("destroying a secret")?;
    let leader = session.leader(&session.views().await)?;
    let m = leader
        .client
        .kv_mount(&path)
        .await
        .map_err(|e| session.explain(e, &format!("find the KV mount of {path}")))?;
    let md = state(session, leader, &m, &path).await?;
    let (action, versions, needed) = match (&md, args.delete_metadata) {
        (Some(md), false) => (
            "destroy",
            pick(args.versions.as_deref().unwrap_or("all"), md, &path)?,
            (m.api("destroy"), "update"),
        ),
        (Some(md), true) => (
            "delete_all",
            md.versions.keys().filter_map(|k| k.parse().ok()).collect(),
            (m.api("metadata"), "delete"),
        ),
        (None, _) if args.versions.as_deref().is_some_and(|v| v != "all") => {
            bail!(
                "{path} is on a KV v1 mount ({}): it has no versions; use --versions all or --delete-metadata to delete it",
                m.mount
            )
        }
        (None, _) => ("delete_all", Vec::new(), (m.api("data"), "delete")),
    };
    session
        .require_capabilities(
            leader,
            &format!("removing {path}"),
            &[(&needed.0, needed.1)],
        )
        .await?;
    let mut plan = Plan::new(format!("remove {path}"));
    if let Some(md) = &md {
        for (n, v) in &md.versions {
            plan.step(format!(
                "version {n}: created {}{}{}",
                v.created_time,
                if v.deletion_time.is_empty() {
                    String::new()
                } else {
                    format!(", deleted {}", v.deletion_time)
                },
                if v.destroyed { ", destroyed" } else { "" }
            ));
        }
    }
    match (action, m.version) {
        ("destroy", _) => plan.step(format!(
            "destroy version(s) {} of {path} ({}/destroy): their data is gone for good",
            versions.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
            m.mount
        )),
        (_, 2) => plan.step(format!(
            "delete the metadata and every version of {path} ({}/metadata): permanent, the history is gone",
            m.mount
        )),
        _ => plan.step(format!("delete {path} (KV v1: no history to keep)")),
    };
    let mut report = KvReport {
        path: path.clone(),
        mount: m.clone(),
        metadata: md.clone(),
        action,
        versions: versions.clone(),
        dry_run: args.confirm.dry_run,
        done: false,
        plan: plan.clone(),
    };
    let go = if action == "delete_all" {
        args.confirm.confirm_typed(&plan, &path)?
    } else {
        args.confirm.confirm(&plan)?
    };
    if !go {
        return Ok(report);
    }
    // Someone may have written a version (or removed the secret) while the prompt waited.
    let now = state(session, leader, &m, &path).await?;
    if now.as_ref().map(|m| m.current_version) != md.as_ref().map(|m| m.current_version) {
        bail!(
            "{path} changed while waiting for confirmation; nothing was changed: run again to see the new versions"
        );
    }
    let done = if action == "destroy" {
        leader.client.kv_destroy(&m, &versions).await
    } else {
        leader.client.kv_delete_all(&m).await
    };
    done.map_err(|e| session.explain(e, &format!("remove {path}")))?;
    report.done = true;
    session
        .record(
            &leader.name,
            Note::warning(
                "SecretDestroyed",
                "DestroySecret",
                &format!("{action} {path} versions {versions:?}"),
            ),
        )
        .await;
    Ok(report)
}

fn print(session: &Session, report: &KvReport) -> Result<Exit> {
    output::print(session.format, report, |r| {
        if r.dry_run {
            r.plan.print_dry_run();
        } else if r.action == "destroy" {
            println!("{}: destroyed version(s) {:?}", r.path, r.versions);
        } else {
            println!("{}: deleted with its whole history", r.path);
        }
    })?;
    Ok(Exit::Healthy)
}
