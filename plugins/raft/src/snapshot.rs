//! `snapshot save FILE` / `snapshot restore FILE`: the runbook's "Create backup first" and
//! "restore from the latest backup", through the leader's API (a standby redirects, which
//! fails over a port-forward) instead of `exec … snapshot save` + `kubectl cp`.
//! Saving streams into a new 0600 file and never overwrites one without `--force`; restoring
//! confirms first and afterwards checks that there is a leader and every pod is unsealed.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Read;
use vault_shared::Exit;
use vault_shared::confirm::{ConfirmArgs, Plan};
use vault_shared::ha::{self, NodeView};
use vault_shared::output::{self, Format, Progress};
use vault_shared::procedures::secret_file::SecretFile;

use vault_shared::vault::snapshot::{SnapshotError, looks_like_snapshot};
use vault_shared::vault::{ErrorKind, VaultError};

use crate::{Cli, SnapshotCmd};
use vault_shared::events::Note;
use vault_shared::session::Session;

pub async fn run(cli: &Cli, cmd: &SnapshotCmd) -> Result<Exit> {
    match cmd {
        SnapshotCmd::Save { file, force } => save(cli, file, *force).await,
        SnapshotCmd::Restore {
            file,
            force,
            confirm,
            timeout,
        } => restore(cli, file, *force, confirm, *timeout).await,
    }
}

#[derive(Serialize)]
struct Saved {
    namespace: String,
    file: String,
    leader: String,
    bytes: u64,
    sha256: String,
    seconds: f64,
    exit_code: u8,
}

async fn save(cli: &Cli, file: &Path, force: bool) -> Result<Exit> {
    // Checked before anything else, and streamed into a hidden partial file: an interrupted
    // save must not leave a truncated backup under the name an operator will restore from.
    let mut out = SecretFile::create(file, force)?;
    let session = Session::connect(&cli.common, &[]).await?;
    session.require_token("snapshot save")?;
    let views = session.views().await;
    let leader = session.leader(&views)?;
    let progress = Progress::new();
    let task = progress.task(&leader.name);
    task.step("streaming the snapshot");
    let start = Instant::now();
    let digest = leader
        .client
        .snapshot_save(out.writer(), session.vault_args().vault_timeout)
        .await
        .map_err(|e| {
            match e {
                SnapshotError::Vault(v) => session.explain(v, "take a raft snapshot"),
                other => anyhow!("{other}"),
            }
            .context(format!("no snapshot written to {}", file.display()))
        })?;
    out.commit().await?;
    let seconds = (start.elapsed().as_secs_f64() * 100.0).round() / 100.0;
    task.finish(&format!("saved {} bytes ({seconds:.2}s)", digest.bytes));
    session
        .record(
            &leader.name,
            Note::normal(
                "RaftSnapshotSaved",
                "RaftSnapshotSaved",
                &format!(
                    "kubectl-vault saved a raft snapshot ({} bytes, sha256 {})",
                    digest.bytes, digest.sha256
                ),
            ),
        )
        .await;
    let report = Saved {
        namespace: session.kube.namespace.clone(),
        file: file.display().to_string(),
        leader: leader.name.clone(),
        bytes: digest.bytes,
        sha256: digest.sha256,
        seconds,
        exit_code: 0,
    };
    match session.format {
        Format::Table => println!(
            "Saved a snapshot from the leader {} to {}: {} bytes, sha256 {}",
            report.leader, report.file, report.bytes, report.sha256
        ),
        f => output::print_data(f, &report)?,
    }
    Ok(Exit::Healthy)
}

#[derive(Serialize)]
struct Restored {
    namespace: String,
    file: String,
    bytes: u64,
    sha256: String,
    dry_run: bool,
    leader: Option<String>,
    autopilot_healthy: Option<bool>,
    sealed: Vec<String>,
    unreachable: Vec<String>,
    seconds: f64,
    exit_code: u8,
}

/// Vault's reasons for refusing a snapshot, as what the user should know.
fn refusal(session: &Session, e: VaultError, file: &Path) -> anyhow::Error {
    let f = file.display();
    match e.kind() {
        ErrorKind::ForeignSnapshot => anyhow!(
            "{f} was taken on another cluster (or under other unseal keys): restoring it replaces this cluster's keys and root token with that cluster's; add --force to restore it anyway. The cluster was not changed"
        ),
        ErrorKind::CorruptSnapshot => anyhow!(
            "{f} is truncated or corrupt ({}); the cluster was not changed",
            e.errors().join("; ")
        ),
        // The upload may have reached Vault before the answer was lost: unknown is not "no".
        ErrorKind::Timeout | ErrorKind::Unreachable => anyhow!(
            "restore {f}: no answer ({e}); the snapshot may have been applied, or not. Before retrying, check: `kubectl vault-raft status` (leader, commit indexes), and read a value written after the snapshot was taken (gone if it was applied)"
        ),
        _ => session.explain(e, &format!("restore {f}")),
    }
}

async fn restore(
    cli: &Cli,
    file: &Path,
    force: bool,
    confirm: &ConfirmArgs,
    timeout: Duration,
) -> Result<Exit> {
    let (bytes, sha256) = inspect(file)?;
    let session = Session::connect(&cli.common, &[]).await?;
    session.require_token("snapshot restore")?;
    let views = session.views().await;
    let leader = session.leader(&views)?;
    let path = if force {
        "sys/storage/raft/snapshot-force"
    } else {
        "sys/storage/raft/snapshot"
    };
    session
        .require_capabilities(leader, "snapshot restore", &[(path, "update")])
        .await?;
    let mut plan = Plan::new(format!("restore {}", file.display()));
    plan.step(format!(
        "restore {} ({bytes} bytes, sha256 {sha256}) through the leader {}",
        file.display(),
        leader.name
    ));
    plan.step("wait for a leader and check that every pod is unsealed");
    plan.warn("everything written since the snapshot was taken is lost");
    if force {
        plan.warn("--force: a snapshot from another cluster brings that cluster's unseal keys and root token; this cluster's keys stop working");
    }
    let go = confirm.confirm(&plan)?;
    let start = Instant::now();
    let mut report = Restored {
        namespace: session.kube.namespace.clone(),
        file: file.display().to_string(),
        bytes,
        sha256,
        dry_run: !go,
        leader: None,
        autopilot_healthy: None,
        sealed: Vec::new(),
        unreachable: Vec::new(),
        seconds: 0.0,
        exit_code: 0,
    };
    let mut exit = Exit::Healthy;
    if go {
        let progress = Progress::new();
        let task = progress.task(&leader.name);
        task.step("uploading the snapshot");
        if let Err(e) = leader
            .client
            .snapshot_restore(open(file).await?, bytes, force, timeout)
            .await
        {
            return Err(refusal(&session, e, file));
        }
        session
            .record(
                &leader.name,
                Note::warning(
                    "RaftSnapshotRestored",
                    "RaftSnapshotRestored",
                    &format!(
                        "kubectl-vault restored a raft snapshot ({bytes} bytes, sha256 {}){}",
                        report.sha256,
                        if force { " with --force" } else { "" }
                    ),
                ),
            )
            .await;
        task.step("restored; waiting for a leader and every pod unsealed");
        let (views, healthy) = settle(&session, timeout).await;
        report.autopilot_healthy = healthy;
        report.leader = ha::leader_state(&views).active().map(str::to_string);
        report.sealed = views
            .iter()
            .filter(|v| v.sealed == Some(true))
            .map(|v| v.pod.clone())
            .collect();
        report.unreachable = views
            .iter()
            .filter(|v| !v.reachable)
            .map(|v| v.pod.clone())
            .collect();
        if report.leader.is_none()
            || healthy != Some(true)
            || !report.sealed.is_empty()
            || !report.unreachable.is_empty()
        {
            exit = Exit::Attention;
        }
        task.finish(if exit == Exit::Healthy {
            "restored; cluster healthy"
        } else {
            "restored; needs attention"
        });
    }
    report.seconds = (start.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    report.exit_code = exit.code();
    match session.format {
        Format::Table => {
            if !go {
                plan.print_dry_run();
            } else {
                println!(
                    "Restored {} through {} ({:.1}s).",
                    report.file, leader.name, report.seconds
                );
                match &report.leader {
                    Some(l) => println!("Leader: {l}"),
                    None => println!(
                        "No leader yet: check `kubectl vault-raft status` (runbook: Leader Election Failure)"
                    ),
                }
                if !report.sealed.is_empty() {
                    println!(
                        "Sealed after the restore: {}. Unseal them with the keys of the cluster the snapshot was taken on: kubectl vault-unseal --keys-file …",
                        report.sealed.join(", ")
                    );
                }
                if !report.unreachable.is_empty() {
                    println!(
                        "Not answering: {} (check `kubectl get pods` and their logs)",
                        report.unreachable.join(", ")
                    );
                }
                if report.autopilot_healthy != Some(true) && report.leader.is_some() {
                    println!(
                        "Autopilot does not call the cluster healthy yet: check `kubectl vault-raft status`"
                    );
                }
                if exit == Exit::Healthy {
                    println!("Every pod is unsealed and autopilot reports the cluster healthy.");
                }
            }
        }
        f => output::print_data(f, &report)?,
    }
    Ok(exit)
}

/// Waits until there is an agreed leader, every pod is unsealed and autopilot calls the
/// cluster healthy (followers reinstall the restored data first), or `timeout`. Returns the
/// last views and autopilot's verdict.
async fn settle(session: &Session, timeout: Duration) -> (Vec<NodeView>, Option<bool>) {
    let start = Instant::now();
    loop {
        let views = session.views().await;
        let mut healthy = None;
        if let Ok(l) = session.leader(&views) {
            healthy = l.client.autopilot_state().await.ok().map(|s| s.healthy);
        }
        let ok = healthy == Some(true) && views.iter().all(|v| v.sealed == Some(false));
        if ok || start.elapsed() >= timeout {
            return (views, healthy);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The size and sha256 of a snapshot file, read in chunks; refuses what is not a snapshot.
fn inspect(file: &Path) -> Result<(u64, String)> {
    let mut f = std::fs::File::open(file).with_context(|| format!("read {}", file.display()))?;
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| format!("read {}", file.display()))?;
        if n == 0 {
            break;
        }
        if head.len() < 18 {
            head.extend_from_slice(&buf[..n.min(18 - head.len())]);
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    if bytes == 0 {
        bail!("{} is empty: not a snapshot", file.display());
    }
    if !looks_like_snapshot(&head) {
        bail!(
            "{} is not a raft snapshot (a snapshot is gzip data; this file starts with {:02x?}); the cluster was not changed",
            file.display(),
            &head[..head.len().min(4)]
        );
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

async fn open(file: &Path) -> Result<tokio::fs::File> {
    tokio::fs::File::open(file)
        .await
        .with_context(|| format!("read {}", file.display()))
}
