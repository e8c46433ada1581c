//! `restore`: bringing a cluster whose data is lost (or a new, empty one) back from a
//! snapshot with the keys of the cluster it was taken from. A drill of the same snapshot with
//! the same keys must pass first, on a scratch copy; then the volumes are wiped (with
//! `--wipe`), the first pod gets the snapshot ([`restore_snapshot`]), every other pod joins
//! and is unsealed with the old keys, and the cluster is checked through the old token.

use std::time::Instant;

use anyhow::{Result, anyhow, bail, ensure};
use serde::Serialize;
use serde_json::json;
use vault_shared::Exit;
use vault_shared::cli::{CommonArgs, KeyArgs};
use vault_shared::cluster;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::keys::{self, Share};
use vault_shared::output::{self, Progress};
use vault_shared::procedures::steps::{Step, StepLog};
use vault_shared::session::Session;
use vault_shared::vault::KvRead;

use crate::RestoreArgs;
use crate::bring_up;
use crate::drill::{self, DrillReport};
use crate::journal::Journal;
use crate::restore_snapshot;
use crate::snapshot_file;
use crate::wipe;

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum RestoreStep {
    Drill,
    Wipe,
    Restore,
    Unseal,
    Join,
    Verify,
}

impl Step for RestoreStep {
    fn label(self) -> &'static str {
        match self {
            RestoreStep::Drill => "drill the restore on a scratch copy",
            RestoreStep::Wipe => "delete the data volumes",
            RestoreStep::Restore => "restore the snapshot onto the first pod",
            RestoreStep::Unseal => "unseal the first pod with the old keys",
            RestoreStep::Join => "join and unseal the other pods",
            RestoreStep::Verify => "verify the restored cluster",
        }
    }

    fn next(self, subject: &str) -> String {
        match self {
            RestoreStep::Drill => "nothing was changed; check the snapshot and the keys with `kubectl vault-reinit drill`".into(),
            RestoreStep::Wipe | RestoreStep::Restore => format!(
                "`kubectl vault-reinit assess -n {subject}`, then run restore again (with --wipe)"
            ),
            RestoreStep::Unseal | RestoreStep::Join => format!(
                "`kubectl vault-unseal -n {subject} --keys-file OLD_KEYS`, then `kubectl vault-raft join POD -n {subject} --keys-file OLD_KEYS` for each pod not in the cluster"
            ),
            RestoreStep::Verify => format!("`kubectl vault-raft status -n {subject}`"),
        }
    }

    fn number(self) -> usize {
        self as usize + 1
    }
}

#[derive(Debug, Serialize)]
struct Report {
    namespace: String,
    snapshot: String,
    drill: Option<DrillReport>,
    wiped: Vec<String>,
    restored_on: String,
    unsealed: Vec<String>,
    voters: usize,
    verify: Option<drill::VerifyResult>,
    journal: String,
    seconds: f64,
    exit_code: u8,
}

/// The keys of the snapshot's cluster, from --keys-file or --keys-secret (never a prompt:
/// the drill and the restore need them more than once).
pub async fn old_keys(session: &Session, args: &KeyArgs) -> Result<Vec<Share>> {
    keys::load(args, Some(&session.kube)).await?.ok_or_else(|| {
        anyhow!(
            "give the keys of the cluster the snapshot was taken from: --keys-file FILE or --keys-secret NAME"
        )
    })
}

pub async fn run(common: &CommonArgs, a: &RestoreArgs) -> Result<Exit> {
    let info = snapshot_file::inspect(&a.from.snapshot);
    if !info.readable {
        bail!(
            "{}: {}; nothing was changed",
            a.from.snapshot.display(),
            info.error.as_deref().unwrap_or("not readable")
        );
    }
    let mut session = Session::connect(common, &[]).await?;
    let old = old_keys(&session, &a.from.keys).await?;
    session.require_token(
        "restore (a token of the snapshot's cluster, to check the restored voters)",
    )?;
    let ns = session.kube.namespace.clone();
    let pods = session.all_pods.clone();
    let first = cluster::name(&pods[0]).to_string();
    let views = session.views().await;
    let state = crate::init::refuse_unless_ready(&views, a.wipe)?;
    let doomed = if a.wipe {
        wipe::doomed(&session.kube, &pods).await?
    } else {
        Vec::new()
    };
    let scratch = a
        .from
        .namespace_for_drill
        .clone()
        .unwrap_or_else(|| drill::default_namespace(&ns));
    let mut plan = Plan::new(format!(
        "restore Vault in namespace {ns} from {}",
        a.from.snapshot.display()
    ));
    if a.skip_drill {
        plan.warn(
            "no drill first: the snapshot and keys are not proven before the data is touched",
        );
    } else {
        plan.step(format!(
            "drill: restore the snapshot onto a one-pod copy in namespace {scratch}, unseal it with the keys given, delete the copy; stop here unless it passes"
        ));
    }
    wipe::plan(&mut plan, &doomed);
    plan.step(format!(
        "initialise {first} with a throw-away key (memory only), force-restore the snapshot, unseal it with the old keys"
    ));
    plan.step("join and unseal every other pod with the old keys; wait until all are healthy voters and Ready");
    if !a.confirm.confirm(&plan)? {
        plan.print_dry_run();
        return Ok(Exit::Healthy);
    }
    if a.wipe {
        wipe::confirm_namespace(&ns, a.confirm.yes)?;
    }
    if a.skip_drill {
        crate::confirm_typed(
            "skip-drill",
            "restoring without a drill first",
            a.confirm.yes,
        )?;
    }
    let journal = Journal::create(a.from.journal.as_deref(), "restore")?;
    journal.note(
        "plan",
        "confirmed",
        json!({"namespace": ns, "steps": plan.steps, "wipe": a.wipe, "snapshot": a.from.snapshot.display().to_string()}),
    );
    let start = Instant::now();
    let progress = Progress::new();
    let task = progress.task(&format!("restore {ns}"));
    let work = progress.task("pods");
    let mut log: StepLog<RestoreStep> = StepLog::new("restore", &ns, 6, task);

    let mut drill_report = None;
    if !a.skip_drill {
        log.start(RestoreStep::Drill);
        let r = drill::drill(
            common,
            &session,
            (&a.from).into(),
            &old,
            &scratch,
            &journal,
            &work,
        )
        .await;
        if !r.passed {
            let why = r.error.clone().unwrap_or_default();
            output::print(session.format, &r, drill::print_table)?;
            return Err(log.failed(RestoreStep::Drill, anyhow!("the drill failed: {why}")));
        }
        log.done.push(RestoreStep::Drill);
        drill_report = Some(r);
    }
    // What was read before the prompt and the drill is read again before anything changes.
    let now = crate::init::refuse_unless_ready(&session.views().await, a.wipe)?;
    if now != state {
        bail!(
            "the cluster changed meanwhile ({state} → {now}): nothing was changed; run restore again"
        );
    }
    let mut wiped = Vec::new();
    if a.wipe {
        let wiper = wipe::Wiper::new(common, &doomed, a.from.timeout, &work);
        (session, wiped) = wiper
            .step(&journal, &mut log, RestoreStep::Wipe, &session)
            .await?;
        session.require_token("restore")?;
    }
    let t0 = session.target(&first)?;
    journal
        .step(
            "restore",
            log.run(
                RestoreStep::Restore,
                restore_snapshot::onto_empty_node(
                    &session,
                    t0,
                    &a.from.snapshot,
                    &old,
                    a.from.timeout,
                    &work,
                ),
            ),
        )
        .await?;
    // The first pod was restarted: new clients, with the old cluster's token again.
    session = Session::connect(common, &[]).await?;
    session.require_token("restore")?;
    session
        .record(
            &first,
            Note::normal(
                "SnapshotRestored",
                "Restore",
                &format!(
                    "kubectl-vault reinit restored snapshot {} onto this pod",
                    a.from.snapshot.display()
                ),
            ),
        )
        .await;
    let unsealed = journal
        .step(
            "unseal and join",
            bring_up::bring_up(
                &session,
                &mut log,
                (RestoreStep::Unseal, RestoreStep::Join),
                &work,
                &first,
                &old,
                a.from.timeout,
            ),
        )
        .await?;
    let (voters, verify) = journal
        .step(
            "verify",
            log.run(RestoreStep::Verify, async {
                let views = session.views().await;
                let leader = session.leader(&views)?;
                let conf = leader
                    .client
                    .raft_configuration()
                    .await
                    .map_err(|e| session.explain(e, "read the raft configuration"))?;
                ensure!(
                    conf.voters() == pods.len(),
                    "{} voters in the raft configuration, {} pods",
                    conf.voters(),
                    pods.len()
                );
                let verify = match &a.from.verify {
                    Some(path) => {
                        let result = leader
                            .client
                            .kv_readable(path)
                            .await
                            .map_err(|e| session.explain(e, &format!("read {path}")))?;
                        ensure!(
                            result == KvRead::Found,
                            "{path} is not readable in the restored cluster ({result:?})"
                        );
                        Some(drill::VerifyResult {
                            path: path.clone(),
                            result,
                        })
                    }
                    None => None,
                };
                Ok((conf.voters(), verify))
            }),
        )
        .await?;
    work.clear();
    log.task.finish(&format!(
        "restored; {} pods unsealed and healthy voters",
        unsealed.len()
    ));
    let report = Report {
        namespace: ns,
        snapshot: a.from.snapshot.display().to_string(),
        drill: drill_report,
        wiped,
        restored_on: first,
        unsealed,
        voters,
        verify,
        journal: journal.path().display().to_string(),
        seconds: (start.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        exit_code: 0,
    };
    journal.note("finished", "done", json!({"exit_code": 0}));
    output::print(session.format, &report, |r| {
        println!(
            "Vault in namespace {} restored from {} ({:.1}s).",
            r.namespace, r.snapshot, r.seconds
        );
        if let Some(d) = &r.drill {
            println!("Drill in {}: passed ({:.1}s).", d.namespace, d.seconds);
        }
        if !r.wiped.is_empty() {
            println!("Deleted data volumes: {}", r.wiped.join(", "));
        }
        println!(
            "Unsealed with the old keys, healthy voters and Ready: {} ({} voters)",
            r.unsealed.join(", "),
            r.voters
        );
        if let Some(v) = &r.verify {
            println!("{}: {:?}", v.path, v.result);
        }
        println!("Journal: {}", r.journal);
    })?;
    Ok(Exit::Healthy)
}
