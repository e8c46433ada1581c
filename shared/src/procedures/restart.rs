//! Restarting Vault pods one at a time: standbys (and pods that are down) first, the active
//! node last after it stepped down; each pod deleted, recreated by its StatefulSet, unsealed
//! (with the shares given, or by its auto-unseal seal) and Ready before the next. The first
//! pod that does not come back stops the walk, so a cause that is still there (a KMS out of
//! reach, wrong keys) costs one pod, not all of them.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};

use crate::cluster;
use crate::events::Note;
use crate::ha::{self, NodeView};
use crate::keys::Share;
use crate::output::{Progress, Task};
use crate::session::Session;
use crate::unseal::{self, Outcome};

/// How to restart.
pub struct Restart<'a> {
    /// Shamir seals: the shares each restarted pod is unsealed with. None: its auto-unseal
    /// seal unseals it, and the walk only waits.
    pub shares: Option<&'a [Share]>,
    /// How long each wait may take (recreated, unsealed and Ready; a new leader).
    pub timeout: Duration,
    /// Why, for the Event recorded on each pod.
    pub why: &'a str,
    /// Restart a pod only while it is unhealthy: one that is unsealed and Ready when its turn
    /// comes is left alone (a restart to recover pods). False: every pod is restarted (a
    /// restart to roll out a new pod template).
    pub only_unhealthy: bool,
}

/// Where a rolling restart stopped.
#[derive(Debug, thiserror::Error)]
#[error("{pod}: {error:#}. Stopped here{}", if .not_restarted.is_empty() { String::new() } else { format!("; not restarted: {}", .not_restarted.join(", ")) })]
pub struct Stopped {
    pub pod: String,
    pub error: anyhow::Error,
    /// The pods after it, left as they were.
    pub not_restarted: Vec<String>,
}

/// The order to restart `pods` in: every pod that is not the active node first (in the
/// order given), the active node last.
pub fn order(pods: &[String], views: &[NodeView]) -> Vec<String> {
    let active = ha::leader_state(views).active().map(str::to_string);
    let (last, mut first): (Vec<String>, Vec<String>) = pods
        .iter()
        .cloned()
        .partition(|p| Some(p) == active.as_ref());
    first.extend(last);
    first
}

/// Restarts `pods` one at a time (see the module); returns the pods restarted.
pub async fn rolling_restart(
    session: &Session,
    pods: &[String],
    how: &Restart<'_>,
    progress: &Progress,
) -> Result<Vec<String>, Stopped> {
    let views = session.views().await;
    let ordered = order(pods, &views);
    let mut done = Vec::new();
    for (i, pod) in ordered.iter().enumerate() {
        let task = progress.task(pod);
        let stopped = |error| Stopped {
            pod: pod.clone(),
            error,
            not_restarted: ordered[i + 1..].to_vec(),
        };
        let healthy = if how.only_unhealthy {
            recovered(session, pod).await
        } else {
            Ok(false)
        };
        match healthy {
            Ok(true) => {
                task.finish("recovered since the plan: unsealed and Ready, not restarted");
                continue;
            }
            Ok(false) => {}
            Err(error) => {
                task.clear();
                return Err(stopped(error));
            }
        }
        // Leadership may have moved while the pods before this one restarted (a pod made anew
        // comes back on a new IP, and its peers reach it once its name resolves there): whether
        // this pod is the active node is read again now, not taken from the plan.
        let now = if i == 0 {
            views.clone()
        } else {
            session.views().await
        };
        if let Err(error) = restart_one(session, pod, how, &now, &task).await {
            task.clear();
            return Err(stopped(error));
        }
        task.finish("restarted, unsealed and Ready");
        done.push(pod.clone());
    }
    Ok(done)
}

/// Read again right before its restart (a prompt may have waited long): whether the pod is
/// unsealed and Ready now. A pod that cannot be read is an error, not a reason to restart.
async fn recovered(session: &Session, pod: &str) -> Result<bool> {
    let current = session
        .kube
        .pod(pod)
        .await?
        .ok_or_else(|| anyhow!("pod {pod} is gone"))?;
    if !cluster::is_ready(&current) {
        return Ok(false);
    }
    let t = session.target(pod)?;
    match t.client.seal_status().await {
        Ok(s) => Ok(!s.sealed),
        Err(e) => bail!(
            "the plugin cannot reach its Vault ({e}), but Kubernetes reports the pod Ready: not restarted on a guess"
        ),
    }
}

async fn restart_one(
    session: &Session,
    pod: &str,
    how: &Restart<'_>,
    views: &[NodeView],
    task: &Task,
) -> Result<()> {
    let kube = &session.kube;
    // A cluster of one has nobody to hand over to: its restart is the outage it always is.
    let alone = views.iter().all(|v| v.pod == pod);
    if ha::leader_state(views).active() == Some(pod) && !alone {
        if let Some(why) = no_successor(pod, views) {
            bail!("{pod} is the active node and {why}: not stepping it down");
        }
        task.step("stepping down: it is the active node");
        let previous = ha::term_of(views);
        session
            .target(pod)?
            .client
            .step_down()
            .await
            .map_err(|e| session.explain(e, "step down"))?;
        let step = |m: &str| task.step(m);
        ha::wait_for_leader(&session.targets, &[], how.timeout, previous.as_ref(), &step)
            .await
            .map_err(|_| anyhow!("no other pod became the leader within {:?}", how.timeout))?;
    }
    task.step("deleting the pod");
    let current = kube
        .pod(pod)
        .await?
        .ok_or_else(|| anyhow!("pod {pod} is gone"))?;
    session
        .record_on(&current, Note::normal("Restart", "Restart", how.why))
        .await;
    kube.delete_pod(pod).await?;
    task.step("waiting for the new pod");
    let fresh = kube
        .wait_recreated(pod, cluster::uid(&current), how.timeout)
        .await?;
    if let Some(shares) = how.shares {
        task.step("unsealing");
        let t = session.fresh_target(fresh.clone()).await?;
        let deadline = Instant::now() + how.timeout;
        // The server needs a moment to listen.
        while t.client.seal_status().await.is_err() {
            if Instant::now() > deadline {
                bail!("its Vault API did not answer within {:?}", how.timeout);
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let step = |m: &str| task.step(m);
        match unseal::unseal(&t.client, shares, unseal::Options::default(), &step).await? {
            Outcome::Unsealed { .. } | Outcome::AlreadyUnsealed => {}
            other => bail!("not unsealed: {other:?}"),
        }
    }
    task.step("waiting until it is unsealed and Ready");
    kube.wait_ready(pod, how.timeout).await
}

/// Why no other pod could take over from the active node `pod`, if none can: a step-down
/// then leaves the cluster without a leader.
fn no_successor(pod: &str, views: &[NodeView]) -> Option<String> {
    let others: Vec<&NodeView> = views.iter().filter(|v| v.pod != pod).collect();
    (!others.iter().any(|v| v.unsealed())).then(|| {
        let names: Vec<&str> = others.iter().map(|v| v.pod.as_str()).collect();
        format!(
            "no other pod is unsealed to take over ({})",
            names.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_active_node_is_not_stepped_down_without_an_unsealed_successor() {
        let mut views = vec![
            view("vault-0", true),
            view("vault-1", false),
            view("vault-2", false),
        ];
        assert_eq!(no_successor("vault-0", &views), None);
        views[1].sealed = Some(true);
        assert_eq!(
            no_successor("vault-0", &views),
            None,
            "vault-2 can take over"
        );
        views[2].sealed = None;
        views[2].reachable = false;
        assert_eq!(
            no_successor("vault-0", &views).as_deref(),
            Some("no other pod is unsealed to take over (vault-1, vault-2)")
        );
    }

    fn view(pod: &str, active: bool) -> NodeView {
        let mut v = NodeView::unknown(pod, String::new(), None);
        v.reachable = true;
        v.error = None;
        v.initialized = Some(true);
        v.sealed = Some(false);
        v.is_self = active;
        v.leader_pod = Some("vault-0".into());
        v
    }

    #[test]
    fn the_active_node_goes_last() {
        let views = [
            view("vault-0", true),
            view("vault-1", false),
            view("vault-2", false),
        ];
        let pods: Vec<String> = ["vault-0", "vault-1", "vault-2"].map(String::from).into();
        assert_eq!(order(&pods, &views), ["vault-1", "vault-2", "vault-0"]);
        let stopped = Stopped {
            pod: "vault-1".into(),
            error: anyhow!("boom"),
            not_restarted: vec!["vault-2".into()],
        };
        assert_eq!(
            stopped.to_string(),
            "vault-1: boom. Stopped here; not restarted: vault-2"
        );
    }
}
