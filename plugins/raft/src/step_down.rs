//! `step-down [--all | POD]`: the runbook's "If No Leader Exists — force a new election",
//! without the blind `sleep 10`: step down, then watch every pod until they agree on a
//! leader, and say which one and how long it took.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::fanout;
use vault_shared::ha::{self, LeaderState};
use vault_shared::output::{self, Format, Progress};
use vault_shared::vault::{ErrorKind, VaultError};

use crate::status;
use crate::{Cli, StepDownArgs};
use vault_shared::events::Note;
use vault_shared::session::Session;

#[derive(Debug, Serialize)]
struct Asked {
    pod: String,
    /// stepped_down, standby (it was not active: nothing to step down) or failed.
    result: &'static str,
    error: Option<String>,
}

/// A standby answers step-down with a redirect to the active node, or, mid-election, with
/// "not active"; neither is a failure of `--all`.
fn is_standby_answer(e: &VaultError) -> bool {
    e.kind() == ErrorKind::Standby
}

/// The voters other than `leader` that autopilot calls healthy and that answer unsealed: who
/// can take over. Only evidence counts: an unreadable configuration or autopilot state is an
/// error. Autopilot's first rounds after an election may not have judged the standbys yet,
/// so it is asked again for a few seconds before the answer is "none".
async fn healthy_standbys(session: &Session, leader: &str) -> Result<Vec<String>> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let g = status::gather(session).await;
        let config = g.require_config()?;
        let standbys: Vec<String> = match &g.autopilot {
            Some(_) => status::peers(session.pods(), &g)
                .into_iter()
                .filter(|p| p.server.voter && p.healthy == Some(true))
                .filter_map(|p| p.pod)
                .filter(|pod| pod != leader)
                .filter(|pod| g.views.iter().any(|v| v.pod == *pod && v.unsealed()))
                .collect(),
            None if Instant::now() >= deadline => bail!(
                "cannot read autopilot's health of the standbys ({}), so no standby is known to be able to take over",
                g.raft_error.as_deref().unwrap_or("no autopilot state")
            ),
            None => Vec::new(),
        };
        if !standbys.is_empty() {
            return Ok(standbys);
        }
        if Instant::now() >= deadline {
            bail!(
                "no healthy standby can take over ({} voter(s) in the raft configuration, none healthy and unsealed besides {leader}): the cluster would have no leader until {leader} wins the election again",
                config.voters()
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[derive(Debug, Serialize)]
struct Report {
    namespace: String,
    previous_leader: Option<String>,
    stepped_down: Vec<Asked>,
    /// The leader once the pods agreed, null if they did not within the timeout.
    leader: Option<String>,
    seconds: f64,
    exit_code: u8,
}

pub async fn run(cli: &Cli, args: &StepDownArgs) -> Result<Exit> {
    let session = Session::connect(&cli.common, &[]).await?;
    session.require_token("step-down")?;
    let views = session.views().await;
    let state = ha::leader_state(&views);
    let previous = ha::term_of(&views);
    let pods: Vec<String> = if args.all {
        let up: Vec<String> = views
            .iter()
            .filter(|v| v.unsealed())
            .map(|v| v.pod.clone())
            .collect();
        if up.is_empty() {
            bail!("no unsealed pod to step down: unseal them first (`kubectl vault-unseal`)");
        }
        up
    } else {
        match (&args.pod, &state) {
            (Some(pod), LeaderState::Active { pod: leader }) if pod != leader => {
                // Validate the name first, for a clearer error on a typo.
                session.known_pod(pod)?;
                bail!(
                    "{pod} is not the leader ({leader} is); step-down acts on the active node: run `kubectl vault-raft step-down` (or `--all` to force an election everywhere)"
                )
            }
            (Some(pod), LeaderState::Active { .. }) | (None, LeaderState::Active { pod }) => {
                vec![pod.clone()]
            }
            (_, other) => bail!(
                "no active leader to step down ({}); to force an election on every pod: kubectl vault-raft step-down --all",
                crate::status::leader_line(other).trim_start_matches("Leader: ")
            ),
        }
    };
    // A token that may not step down is found out before any pod is asked.
    if let Some(t) = pods.first().and_then(|p| session.target(p).ok()) {
        session
            .require_capabilities(t, "step-down", &[("sys/step-down", "update")])
            .await?;
    }
    if let LeaderState::Active { pod: leader } = &state {
        match healthy_standbys(&session, leader).await {
            Ok(standbys) => output::debug(&format!("healthy standbys: {}", standbys.join(", "))),
            Err(why) if args.force => output::warn(&format!("--force: {why:#}")),
            Err(why) => bail!(
                "refusing to step down {leader}: {why:#}; nothing was changed (add --force to step down anyway)"
            ),
        }
    }
    if args.dry_run {
        match session.format {
            Format::Table => println!(
                "Would ask {} to step down.\nDry run: nothing was changed.",
                pods.join(", ")
            ),
            f => output::print_data(
                f,
                &serde_json::json!({
                    "namespace": session.kube.namespace,
                    "dry_run": true,
                    "would_step_down": pods,
                    "exit_code": 0,
                }),
            )?,
        }
        return Ok(Exit::Healthy);
    }
    let progress = Progress::new();
    let task = progress.task("step-down");
    task.step(&format!("asking {} to step down", pods.join(", ")));
    let asked: Vec<Asked> = fanout::each(&pods, |pod| async {
        let (result, error) = match session.target(pod) {
            Ok(t) => match t.client.step_down().await {
                Ok(()) => ("stepped_down", None),
                Err(e) if args.all && is_standby_answer(&e) => ("standby", None),
                Err(e) => (
                    "failed",
                    Some(format!("{:#}", session.explain(e, "step down"))),
                ),
            },
            Err(e) => ("failed", Some(format!("{e:#}"))),
        };
        Asked {
            pod: pod.clone(),
            result,
            error,
        }
    })
    .await;
    let ok: Vec<String> = asked
        .iter()
        .filter(|a| a.result == "stepped_down")
        .map(|a| a.pod.clone())
        .collect();
    let failed: Vec<&Asked> = asked.iter().filter(|a| a.result == "failed").collect();
    if ok.is_empty() && !failed.is_empty() {
        bail!(
            "step-down failed: {}",
            failed[0].error.as_deref().unwrap_or_default()
        );
    }
    for a in &failed {
        output::warn(&format!(
            "{}: {}",
            a.pod,
            a.error.as_deref().unwrap_or_default()
        ));
    }
    session
        .record_all(
            &ok,
            Note::normal(
                "RaftStepDown",
                "RaftStepDown",
                "kubectl-vault asked Vault to step down (force a new leader election)",
            ),
        )
        .await;
    // The election is timed from when the step-downs were answered.
    let start = Instant::now();
    let step = |m: &str| task.step(m);
    let silent: Vec<String> = views
        .iter()
        .filter(|v| !v.reachable)
        .map(|v| v.pod.clone())
        .collect();
    let waited = ha::wait_for_leader(
        &session.targets,
        &silent,
        args.timeout,
        previous.as_ref(),
        &step,
    )
    .await;
    let seconds = (start.elapsed().as_secs_f64() * 100.0).round() / 100.0;
    let (leader, exit) = match &waited {
        Ok((leader, _)) => {
            task.finish(&format!("{leader} is the leader ({seconds:.2}s)"));
            // A pod that could not be asked still needs a look.
            let exit = if failed.is_empty() {
                Exit::Healthy
            } else {
                Exit::Attention
            };
            (Some(leader.clone()), exit)
        }
        Err(_) => {
            task.finish("no leader yet");
            (None, Exit::Attention)
        }
    };
    let report = Report {
        namespace: session.kube.namespace.clone(),
        previous_leader: previous.map(|p| p.0),
        stepped_down: asked,
        leader: leader.clone(),
        seconds,
        exit_code: exit.code(),
    };
    match session.format {
        Format::Table => match (&leader, &report.previous_leader) {
            (Some(l), Some(p)) => {
                println!("New leader: {l} (elected {seconds:.2}s after the step-down; was {p})")
            }
            (Some(l), None) => {
                println!("New leader: {l} (elected {seconds:.2}s after the step-down)")
            }
            (None, _) => println!(
                "No leader {seconds:.1}s after the step-down: check `kubectl vault-raft status` (runbook: Leader Election Failure, step 1)"
            ),
        },
        f => output::print_data(f, &report)?,
    }
    Ok(exit)
}
