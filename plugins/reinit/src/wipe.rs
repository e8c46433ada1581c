//! Deleting the Vault pods' data: the PVCs are deleted (each gets an Event first), then the
//! pods, so the pvc-protection finalizer lets the claims go and the StatefulSet recreates
//! each pod with a fresh, empty volume. Asked for by typing the namespace.

use std::time::{Duration, Instant};

use crate::journal::Journal;
use anyhow::{Result, anyhow, bail};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::{Api, DeleteParams};
use vault_shared::cluster::{self, Kube};
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output::Task;
use vault_shared::procedures::steps::{Step, StepLog};
use vault_shared::session::Session;
use vault_shared::volumes;

/// A pod and its data claim as they were before the wipe.
#[derive(Debug, Clone)]
pub struct Doomed {
    pub pod: String,
    pub pod_uid: String,
    pub claim: String,
    pub claim_uid: Option<String>,
}

/// The pods' data claims, or which pod has none (nothing to wipe there is an error: the
/// cluster is not what the plan assumes).
pub async fn doomed(kube: &Kube, pods: &[Pod]) -> Result<Vec<Doomed>> {
    let api = claims_api(kube);
    let mut out = Vec::new();
    for p in pods {
        let name = cluster::name(p);
        let claim = volumes::data_volume(p)
            .ok_or_else(|| anyhow!("pod {name} mounts no PVC: there is no data volume to wipe"))?
            .claim;
        let found = kube
            .call(&format!("get PVC {claim}"), api.get_opt(&claim))
            .await?;
        out.push(Doomed {
            pod: name.to_string(),
            pod_uid: cluster::uid(p).to_string(),
            claim,
            claim_uid: found.and_then(|c| c.metadata.uid),
        });
    }
    Ok(out)
}

fn claims_api(kube: &Kube) -> Api<PersistentVolumeClaim> {
    Api::namespaced(kube.client.clone(), &kube.namespace)
}

/// The typed confirmation a wipe needs: `--yes` for scripts, else the namespace typed on
/// the terminal. Without a terminal and without `--yes`, nothing is deleted.
pub fn confirm_namespace(ns: &str, yes: bool) -> Result<()> {
    crate::confirm_typed(
        ns,
        &format!("deleting every Vault PVC in namespace {ns} (all data there is lost)"),
        yes,
    )
}

/// Wipes (see [`wipe`]), then connects anew (the pods are new objects) and waits until every
/// pod's Vault answers.
pub async fn wipe_and_reconnect(
    common: &vault_shared::cli::CommonArgs,
    session: &Session,
    doomed: &[Doomed],
    timeout: Duration,
    task: &Task,
) -> Result<Session> {
    wipe(session, doomed, timeout, task).await?;
    let fresh = Session::connect(common, &[]).await?;
    wait_answering(&fresh, timeout, task).await?;
    Ok(fresh)
}

/// The wipe's step and warning in a confirmation plan (none when nothing is to be wiped).
pub fn plan(plan: &mut Plan, doomed: &[Doomed]) {
    if !doomed.is_empty() {
        let claims: Vec<&str> = doomed.iter().map(|d| d.claim.as_str()).collect();
        plan.step(format!(
            "delete PVCs {} and their pods; wait for fresh volumes",
            claims.join(", ")
        ));
        plan.warn("every byte of Vault data in these volumes is lost");
    }
}

/// A wipe as one step of a procedure: the connection flags, the pods and claims to wipe, how
/// long each wait may take, and where its progress shows.
pub struct Wiper<'a> {
    common: &'a vault_shared::cli::CommonArgs,
    doomed: &'a [Doomed],
    timeout: Duration,
    task: &'a Task,
}

impl<'a> Wiper<'a> {
    pub fn new(
        common: &'a vault_shared::cli::CommonArgs,
        doomed: &'a [Doomed],
        timeout: Duration,
        task: &'a Task,
    ) -> Wiper<'a> {
        Wiper {
            common,
            doomed,
            timeout,
            task,
        }
    }

    /// [`wipe_and_reconnect`] as `step` of `log` and of the journal: the new session, and the
    /// claims that were wiped.
    pub async fn step<S: Step>(
        &self,
        journal: &Journal,
        log: &mut StepLog<S>,
        step: S,
        session: &Session,
    ) -> Result<(Session, Vec<String>)> {
        let wipe = wipe_and_reconnect(self.common, session, self.doomed, self.timeout, self.task);
        let fresh = journal.step("wipe", log.run(step, wipe)).await?;
        Ok((fresh, self.doomed.iter().map(|d| d.claim.clone()).collect()))
    }
}

/// Waits until every pod's Vault answers (a recreated pod's server takes a moment to listen).
pub async fn wait_answering(session: &Session, timeout: Duration, task: &Task) -> Result<()> {
    let start = Instant::now();
    loop {
        let views = session.views().await;
        let silent: Vec<&str> = views
            .iter()
            .filter(|v| !v.reachable)
            .map(|v| v.pod.as_str())
            .collect();
        if silent.is_empty() {
            return Ok(());
        }
        if start.elapsed() > timeout {
            bail!(
                "Vault did not answer on {} within {timeout:?}",
                silent.join(", ")
            );
        }
        task.step(&format!(
            "waiting for Vault to answer on {} ({:.0}s)",
            silent.join(", "),
            start.elapsed().as_secs_f64()
        ));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Deletes the claims and pods of `doomed` and waits (within `timeout`) until every pod runs
/// again on a new, bound claim.
pub async fn wipe(
    session: &Session,
    doomed: &[Doomed],
    timeout: Duration,
    task: &Task,
) -> Result<()> {
    let kube = &session.kube;
    let api = claims_api(kube);
    for d in doomed {
        task.step(&format!("deleting PVC {}", d.claim));
        if let Some(c) = kube
            .call(&format!("get PVC {}", d.claim), api.get_opt(&d.claim))
            .await?
        {
            session
                .record_on(
                    &c,
                    Note::warning(
                        "DataWiped",
                        "DeleteClaim",
                        &format!(
                            "kubectl-vault reinit deleted this claim (the raft data of {}) to re-initialise Vault",
                            d.pod
                        ),
                    ),
                )
                .await;
            kube.call(
                &format!("delete PVC {}", d.claim),
                api.delete(&d.claim, &DeleteParams::default()),
            )
            .await?;
        }
    }
    for d in doomed {
        task.step(&format!("deleting pod {} to release its volume", d.pod));
        match kube.pod(&d.pod).await? {
            Some(p) if cluster::uid(&p) == d.pod_uid => kube.delete_pod(&d.pod).await?,
            _ => {}
        }
    }
    let start = Instant::now();
    loop {
        let mut waiting = Vec::new();
        for d in doomed {
            let claim = kube
                .call(&format!("get PVC {}", d.claim), api.get_opt(&d.claim))
                .await?;
            let fresh_claim = claim.as_ref().is_some_and(|c| {
                c.metadata.uid != d.claim_uid
                    && c.metadata.deletion_timestamp.is_none()
                    && c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound")
            });
            let pod = kube.pod(&d.pod).await?;
            let fresh_pod = pod
                .as_ref()
                .is_some_and(|p| cluster::uid(p) != d.pod_uid && cluster::phase(p) == "Running");
            if !fresh_claim {
                waiting.push(format!("PVC {} not recreated and Bound", d.claim));
            } else if !fresh_pod {
                waiting.push(format!("pod {} not recreated and Running", d.pod));
            }
        }
        if waiting.is_empty() {
            return Ok(());
        }
        if start.elapsed() > timeout {
            bail!(
                "the pods did not come back on fresh volumes within {timeout:?}: {}",
                waiting.join("; ")
            );
        }
        task.step(&format!(
            "waiting for fresh volumes ({:.0}s): {}",
            start.elapsed().as_secs_f64(),
            waiting.join("; ")
        ));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
