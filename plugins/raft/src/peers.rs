//! `peers`: the raft configuration from the leader (the runbook's `vault operator raft
//! list-peers`), with the pod behind each peer and autopilot's view of it.

use anyhow::Result;
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::output::{self, Format, Styled, Tone};

use crate::Cli;
use crate::status::{self, Peer, RaftFinding};
use vault_shared::session::Session;

#[derive(Serialize)]
struct Report<'a> {
    namespace: &'a str,
    read_from: Option<&'a str>,
    peers: &'a [Peer],
    failure_tolerance: Option<i64>,
    findings: &'a [status::Finding],
    exit_code: u8,
}

pub async fn run(cli: &Cli) -> Result<Exit> {
    let session = Session::connect(&cli.common, &[]).await?;
    session.require_token("peers (it reads the raft configuration)")?;
    let g = status::gather(&session).await;
    if g.config.is_none() {
        anyhow::bail!(
            "{}",
            g.raft_error
                .as_deref()
                .unwrap_or("the raft configuration could not be read")
        );
    }
    let peers = status::peers(session.pods(), &g);
    // Only what is about the peers themselves: status reports the rest.
    let findings: Vec<status::Finding> = status::findings(session.pods(), &g, &peers, false)
        .into_iter()
        .filter(|f| {
            matches!(
                f.kind,
                RaftFinding::StalePeer
                    | RaftFinding::NodeIdDrift
                    | RaftFinding::AddressDrift
                    | RaftFinding::Unhealthy
                    | RaftFinding::NonVoter
                    | RaftFinding::Lagging
            )
        })
        .collect();
    let exit = if findings.is_empty() {
        Exit::Healthy
    } else {
        Exit::Attention
    };
    match session.format {
        Format::Table => {
            let rows = peers
                .iter()
                .map(|p| {
                    let s = &p.server;
                    vec![
                        s.node_id.clone().into(),
                        s.address.clone().into(),
                        if s.leader {
                            Styled::new("leader", Tone::Good)
                        } else if s.voter {
                            Styled::new("follower", Tone::Plain)
                        } else {
                            Styled::new("non-voter", Tone::Warn)
                        },
                        s.voter.to_string().into(),
                        match &p.pod {
                            Some(pod) => Styled::new(pod.clone(), Tone::Plain),
                            None => Styled::new("<none>", Tone::Bad),
                        },
                        output::bool_cell(p.healthy),
                        p.last_contact
                            .as_deref()
                            .map(status::short_duration)
                            .unwrap_or_else(|| "-".into())
                            .into(),
                        p.last_index
                            .map(|i| i.to_string())
                            .unwrap_or_else(|| "-".into())
                            .into(),
                    ]
                })
                .collect();
            output::print_table(
                &[
                    "node",
                    "address",
                    "state",
                    "voter",
                    "pod",
                    "healthy",
                    "last contact",
                    "last index",
                ],
                rows,
            );
            if !findings.is_empty() {
                println!();
                status::print_findings(&findings);
            }
        }
        f => output::print_data(
            f,
            &Report {
                namespace: &session.kube.namespace,
                read_from: g.read_from.as_deref(),
                peers: &peers,
                failure_tolerance: g.autopilot.as_ref().map(|a| a.failure_tolerance),
                findings: &findings,
                exit_code: exit.code(),
            },
        )?,
    }
    Ok(exit)
}
