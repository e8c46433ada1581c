//! `join POD`: the runbook's "If Node is Not Joined", through the Vault API instead of
//! `kubectl exec … vault operator raft join`: the leader's address and the cluster's CA are
//! found, not typed, and with keys the pod is unsealed and watched until it
//! is a healthy voter (the shared join procedure, which `rejoin` uses too).

use std::time::Instant;

use anyhow::{Result, anyhow, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::output::{self, Format, Progress};
use vault_shared::procedures::join::{self, shares, threshold};
use vault_shared::session::Session;
use vault_shared::unseal::Outcome;

use crate::status;
use crate::{Cli, JoinArgs};

#[derive(Serialize)]
struct Report {
    namespace: String,
    pod: String,
    leader: String,
    leader_api_addr: String,
    joined: bool,
    unseal: Option<Outcome>,
    voter: bool,
    seconds: f64,
    exit_code: u8,
}

pub async fn run(cli: &Cli, args: &JoinArgs) -> Result<Exit> {
    let session = Session::connect(&cli.common, &[]).await?;
    session.require_token("join (it checks the raft configuration)")?;
    let pod = session.known_pod(&args.pod)?.clone();
    let t = session.target(&args.pod)?;
    let g = status::gather(&session).await;
    let view = g
        .views
        .iter()
        .find(|v| v.pod == args.pod)
        .ok_or_else(|| anyhow!("no view of pod {}", args.pod))?;
    if !view.reachable {
        bail!(
            "{} does not answer: {} (check `kubectl get pod {}` and its logs)",
            args.pod,
            view.error.as_deref().unwrap_or("no answer"),
            args.pod
        );
    }
    // "Not a member" must come from a configuration that was read.
    g.require_config()?;
    let member = status::peers(session.pods(), &g)
        .iter()
        .any(|p| p.pod.as_deref() == Some(&args.pod));
    match (view.initialized, view.sealed, member) {
        (Some(true), Some(false), true) => {
            match session.format {
                Format::Table => println!(
                    "{} is already a raft member and unsealed: nothing to do.",
                    args.pod
                ),
                f => output::print_data(
                    f,
                    &serde_json::json!({
                        "namespace": session.kube.namespace, "pod": args.pod,
                        "joined": true, "already_member": true, "exit_code": 0,
                    }),
                )?,
            }
            return Ok(Exit::Healthy);
        }
        (Some(true), _, true) => bail!(
            "{0} is already a raft member, but sealed: unseal it (`kubectl vault-unseal {0}`)",
            args.pod
        ),
        (Some(true), _, false) => bail!(
            "{0} holds raft data from an earlier membership but is not in the raft configuration: a join would not take effect; `kubectl vault-raft rejoin {0}` clears that data and joins it",
            args.pod
        ),
        _ => {}
    }
    let leader = session.leader(&g.views);
    let (leader_name, leader_addr) = match (&args.leader, &leader) {
        (Some(url), _) => (url.clone(), url.clone()),
        (None, Ok(l)) => {
            let addr = g
                .views
                .iter()
                .find(|v| v.pod == l.name)
                .and_then(|v| v.leader_address.clone())
                .ok_or_else(|| {
                    anyhow!(
                        "the leader {} does not say its API address; give --leader URL",
                        l.name
                    )
                })?;
            (l.name.clone(), addr)
        }
        (None, Err(e)) => bail!("{e:#} (or give --leader URL)"),
    };
    let shares = shares(&session, &args.keys, threshold(&g.views)).await?;
    let progress = Progress::new();
    let task = progress.task(&args.pod);
    let start = Instant::now();
    task.step(&format!("joining the raft cluster at {leader_addr}"));
    let tls_name = args.leader_tls_server_name.as_deref();
    let mut unseal = None;
    let mut voter = false;
    if let Some(shares) = &shares {
        unseal = Some(
            join::join_unseal_await_voter(
                &session,
                t,
                &pod,
                &leader_addr,
                tls_name,
                shares,
                args.timeout,
                &task,
            )
            .await?,
        );
        voter = true;
        task.finish(&format!(
            "joined, unsealed and a healthy voter ({:.1}s)",
            start.elapsed().as_secs_f64()
        ));
    } else {
        join::join(&session, t, &pod, &leader_addr, tls_name).await?;
        task.finish("joined; still sealed");
    }
    let exit = if voter {
        Exit::Healthy
    } else {
        Exit::Attention
    };
    let seconds = (start.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    match session.format {
        Format::Table => {
            if voter {
                println!(
                    "{} joined the raft cluster (leader {leader_name}), was unsealed, and is a healthy voter ({seconds:.1}s).",
                    args.pod
                );
            } else {
                println!(
                    "{0} joined the raft cluster (leader {leader_name}); it stays sealed until unsealed: kubectl vault-unseal {0} --keys-file …",
                    args.pod
                );
            }
        }
        f => output::print_data(
            f,
            &Report {
                namespace: session.kube.namespace.clone(),
                pod: args.pod.clone(),
                leader: leader_name,
                leader_api_addr: leader_addr,
                joined: true,
                unseal,
                voter,
                seconds,
                exit_code: exit.code(),
            },
        )?,
    }
    Ok(exit)
}
