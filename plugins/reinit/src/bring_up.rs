//! Bringing a cluster up around its first pod: unseal it, wait until it leads, then join
//! and unseal every other pod at once and wait until each is a healthy voter and Ready — the
//! end of a re-initialisation and of a restore.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, ensure};
use vault_shared::fanout;
use vault_shared::ha;
use vault_shared::keys::{self, Share};
use vault_shared::output::Task;
use vault_shared::procedures::join;
use vault_shared::procedures::steps::{Step, StepLog};
use vault_shared::session::Session;
use vault_shared::target::Target;
use vault_shared::unseal::{self, Outcome};

/// Unseals the first pod, waits for it to lead, then joins and unseals every other pod at
/// once and waits until each is a healthy voter and Ready. Returns the pods unsealed.
pub async fn bring_up<S: Step>(
    session: &Session,
    log: &mut StepLog<S>,
    (unseal_step, join_step): (S, S),
    task: &Task,
    first: &str,
    shares: &[Share],
    timeout: Duration,
) -> Result<Vec<String>> {
    let t0 = session.target(first)?;
    let others: Vec<&Target> = session.reachable().filter(|t| t.name != first).collect();
    let skip: Vec<String> = others.iter().map(|t| t.name.clone()).collect();
    let leader_addr = log
        .run(unseal_step, async {
            let outcome = unseal::unseal(&t0.client, shares, unseal::Options::default(), &|m| {
                task.step(m)
            })
            .await
            .map_err(|e| anyhow!("{}", keys::redact(&e.to_string(), shares)))?;
            ensure!(
                matches!(outcome, Outcome::Unsealed { .. } | Outcome::AlreadyUnsealed),
                "{first} was not unsealed: {outcome:?}"
            );
            let (leader, _) =
                ha::wait_for_leader(&session.targets, &skip, timeout, None, &|m| task.step(m))
                    .await
                    .map_err(|_| {
                        anyhow!("{first} did not become the active node within {timeout:?}")
                    })?;
            ensure!(leader == first, "{leader} leads, not {first}");
            t0.client
                .leader()
                .await
                .map_err(|e| session.explain(e, "read the leader's address"))
                .map(|l| l.leader_address)
        })
        .await?;
    let joined = log
        .run(join_step, async {
            let results = fanout::each(&others, |t| {
                let leader_addr = leader_addr.clone();
                async move {
                    let pod = t
                        .pod
                        .as_ref()
                        .ok_or_else(|| anyhow!("{} has no pod", t.name))?;
                    join::join_unseal_await_voter(
                        session,
                        t,
                        pod,
                        &leader_addr,
                        None,
                        shares,
                        timeout,
                        task,
                    )
                    .await
                    .with_context(|| t.name.clone())
                }
            })
            .await;
            let failed: Vec<String> = results
                .iter()
                .filter_map(|r| r.as_ref().err().map(|e| format!("{e:#}")))
                .collect();
            ensure!(failed.is_empty(), "{}", failed.join("; "));
            join::wait_voter(session, first, timeout, task).await?;
            Ok(())
        })
        .await;
    joined?;
    let mut all = vec![first.to_string()];
    all.extend(others.iter().map(|t| t.name.clone()));
    Ok(all)
}
