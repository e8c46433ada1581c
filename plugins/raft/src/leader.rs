//! `leader`: which pod is the active node, as every pod sees it (the runbook's
//! `vault status | grep "HA Mode"` on each pod). Unauthenticated: no token needed.

use anyhow::Result;
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::ha::{self, LeaderState, NodeView};
use vault_shared::output::{self, Format};

use crate::Cli;
use crate::status;
use vault_shared::session::Session;

#[derive(Serialize)]
struct Report<'a> {
    namespace: &'a str,
    leader: &'a LeaderState,
    pods: &'a [NodeView],
    exit_code: u8,
}

pub async fn run(cli: &Cli) -> Result<Exit> {
    let session = Session::connect(&cli.common, &[]).await?;
    let views = session.views().await;
    let state = ha::leader_state(&views);
    let exit = if state.active().is_some() {
        Exit::Healthy
    } else {
        Exit::Attention
    };
    match session.format {
        Format::Table => {
            let rows = views
                .iter()
                .map(|v| {
                    let sees = if !v.reachable {
                        format!("unreachable: {}", v.error.as_deref().unwrap_or("no answer"))
                    } else if v.sealed != Some(false) {
                        "sealed".to_string()
                    } else if v.is_self {
                        "itself".to_string()
                    } else {
                        v.leader_pod
                            .clone()
                            .or(v.leader_address.clone())
                            .unwrap_or_else(|| "none".into())
                    };
                    vec![v.pod.clone().into(), sees.into()]
                })
                .collect();
            output::print_table(&["pod", "sees leader"], rows);
            println!();
            println!("{}", status::leader_line(&state));
        }
        f => output::print_data(
            f,
            &Report {
                namespace: &session.kube.namespace,
                leader: &state,
                pods: &views,
                exit_code: exit.code(),
            },
        )?,
    }
    Ok(exit)
}
