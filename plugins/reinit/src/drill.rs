//! `drill`: proves a snapshot can be restored with the keys at hand, without touching the
//! cluster: a one-pod copy of the Vault StatefulSet (same image, configuration, TLS Secret)
//! in a scratch namespace, initialised with a throw-away key, the snapshot force-restored,
//! unsealed with the given keys, probed — and everything it made deleted again, pass or fail.
//! The copy's configuration loses its `retry_join` blocks: a scratch node must never join
//! the real cluster.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, PostParams};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::cli::CommonArgs;
use vault_shared::cluster::{self, Kube};
use vault_shared::events::Note;
use vault_shared::keys::Share;
use vault_shared::output::{self, Progress, Task};
use vault_shared::session::Session;
use vault_shared::vault::KvRead;

use crate::journal::Journal;
use crate::restore_snapshot;
use crate::snapshot_file;
use crate::{DrillArgs, SnapshotArgs};

/// What a drill found.
#[derive(Debug, Clone, Serialize)]
pub struct DrillReport {
    pub snapshot: String,
    pub namespace: String,
    pub passed: bool,
    /// The raft servers of the restored copy (read with the token, when one is given).
    pub raft_servers: Vec<String>,
    pub verify: Option<VerifyResult>,
    pub seconds: f64,
    /// Seconds each phase took: copy, restore, probe, clean-up.
    pub timings: Vec<(String, f64)>,
    /// Whether every object the drill made is gone again.
    pub cleaned_up: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyResult {
    pub path: String,
    pub result: KvRead,
}

/// The scratch namespace's name when none is given.
pub fn default_namespace(ns: &str) -> String {
    let suffix: String = jiff::Timestamp::now()
        .as_millisecond()
        .to_string()
        .chars()
        .rev()
        .take(6)
        .collect();
    format!("{ns}-drill-{suffix}")
}

pub async fn run(common: &CommonArgs, args: &DrillArgs) -> Result<Exit> {
    let a = &args.from;
    let session = Session::connect(common, &[]).await?;
    let old = crate::restore::old_keys(&session, &a.keys).await?;
    let info = snapshot_file::inspect(&a.snapshot);
    if !info.readable {
        bail!(
            "{}: {}",
            a.snapshot.display(),
            info.error.as_deref().unwrap_or("not readable")
        );
    }
    let scratch = a
        .namespace_for_drill
        .clone()
        .unwrap_or_else(|| default_namespace(&session.kube.namespace));
    let journal = Journal::create(a.journal.as_deref(), "drill")?;
    let progress = Progress::new();
    let task = progress.task(&format!("drill {scratch}"));
    let report = drill(common, &session, a.into(), &old, &scratch, &journal, &task).await;
    task.finish(if report.passed { "passed" } else { "FAILED" });
    output::print(session.format, &report, print_table)?;
    if !report.passed {
        bail!(
            "the drill failed: {}",
            report.error.as_deref().unwrap_or("see above")
        );
    }
    Ok(if report.cleaned_up {
        Exit::Healthy
    } else {
        Exit::Attention
    })
}

pub fn print_table(r: &DrillReport) {
    println!(
        "Drill of {} in namespace {}: {} ({:.1}s)",
        r.snapshot,
        r.namespace,
        if r.passed { "PASSED" } else { "FAILED" },
        r.seconds
    );
    for (phase, s) in &r.timings {
        println!("  {phase}: {s:.1}s");
    }
    if !r.raft_servers.is_empty() {
        println!(
            "  raft servers of the restored copy: {}",
            r.raft_servers.join(", ")
        );
    }
    if let Some(v) = &r.verify {
        println!("  {}: {:?}", v.path, v.result);
    }
    if let Some(e) = &r.error {
        println!("  error: {e}");
    }
    if !r.cleaned_up {
        println!(
            "  warning: the scratch namespace {} is not gone yet: `kubectl delete namespace {}`",
            r.namespace, r.namespace
        );
    }
}

/// What a drill restores and proves: the snapshot, the KV secret to read back, and how long
/// each step may take.
pub struct Target<'a> {
    pub snapshot: &'a Path,
    pub verify: Option<&'a str>,
    pub timeout: Duration,
}

impl<'a> From<&'a SnapshotArgs> for Target<'a> {
    fn from(a: &'a SnapshotArgs) -> Target<'a> {
        Target {
            snapshot: &a.snapshot,
            verify: a.verify.as_deref(),
            timeout: a.timeout,
        }
    }
}

/// Runs a drill; never fails itself: what went wrong is in the report, and the scratch
/// namespace is deleted in every case.
pub async fn drill(
    common: &CommonArgs,
    session: &Session,
    target: Target<'_>,
    old: &[Share],
    scratch: &str,
    journal: &Journal,
    task: &Task,
) -> DrillReport {
    let Target {
        snapshot,
        verify,
        timeout,
    } = target;
    let start = Instant::now();
    let mut report = DrillReport {
        snapshot: snapshot.display().to_string(),
        namespace: scratch.to_string(),
        passed: false,
        raft_servers: Vec::new(),
        verify: None,
        seconds: 0.0,
        timings: Vec::new(),
        cleaned_up: false,
        error: None,
    };
    let created = journal
        .step(
            "drill: create the scratch namespace",
            create_namespace(&session.kube, scratch),
        )
        .await;
    if let Err(e) = created {
        // Not ours: never delete a namespace the drill did not make.
        report.error = Some(format!("{e:#}"));
        report.cleaned_up = true;
        return report;
    }
    let outcome = journal
        .step(
            "drill: copy, restore, probe",
            copy_restore_probe(
                common,
                session,
                snapshot,
                old,
                scratch,
                verify,
                timeout,
                task,
                &mut report,
            ),
        )
        .await;
    match outcome {
        Ok(()) => report.passed = true,
        Err(e) => report.error = Some(format!("{e:#}")),
    }
    let t = Instant::now();
    task.step(&format!("deleting namespace {scratch}"));
    let cleaned = journal
        .step(
            "drill: delete the scratch namespace",
            delete_namespace(&session.kube, scratch, timeout),
        )
        .await;
    report.timings.push(("clean-up".into(), secs(t)));
    match cleaned {
        Ok(()) => report.cleaned_up = true,
        Err(e) => output::warn(&format!("{e:#}")),
    }
    report.seconds = secs(start);
    let note = format!(
        "kubectl-vault drill of snapshot {} in namespace {scratch}: {}",
        snapshot.display(),
        if report.passed { "passed" } else { "failed" }
    );
    if let Some(first) = session.all_pods.first() {
        let n = if report.passed {
            Note::normal("RestoreDrillPassed", "Drill", &note)
        } else {
            Note::warning("RestoreDrillFailed", "Drill", &note)
        };
        session.record_on(first, n).await;
    }
    report
}

fn secs(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 10.0).round() / 10.0
}

#[allow(clippy::too_many_arguments)]
async fn copy_restore_probe(
    common: &CommonArgs,
    session: &Session,
    snapshot: &Path,
    old: &[Share],
    scratch: &str,
    verify: Option<&str>,
    timeout: Duration,
    task: &Task,
    report: &mut DrillReport,
) -> Result<()> {
    let t = Instant::now();
    task.step(&format!("copying the Vault StatefulSet into {scratch}"));
    copy_statefulset(session, scratch).await?;
    let mut args = common.clone();
    args.kube.namespace = Some(scratch.to_string());
    let copy = wait_for_copy(&args, timeout, task).await?;
    report.timings.push(("copy".into(), secs(t)));

    let t = Instant::now();
    let target = copy
        .reachable()
        .next()
        .ok_or_else(|| anyhow!("the copy's pod cannot be reached"))?;
    let target =
        restore_snapshot::onto_empty_node(&copy, target, snapshot, old, timeout, task).await?;
    let target = &target;
    report.timings.push(("restore".into(), secs(t)));

    let t = Instant::now();
    if copy.token()?.is_some() {
        let conf = target
            .client
            .raft_configuration()
            .await
            .map_err(|e| copy.explain(e, "read the restored raft configuration"))?;
        report.raft_servers = conf.servers.iter().map(|s| s.node_id.clone()).collect();
        if let Some(path) = verify {
            let result = target
                .client
                .kv_readable(path)
                .await
                .map_err(|e| copy.explain(e, &format!("read {path}")))?;
            report.verify = Some(VerifyResult {
                path: path.to_string(),
                result,
            });
            if result != KvRead::Found {
                bail!("{path} is not readable in the restored copy ({result:?})");
            }
        }
    } else if verify.is_some() {
        bail!("--verify needs a Vault token of the snapshot's cluster (--token-file)");
    }
    report.timings.push(("probe".into(), secs(t)));
    Ok(())
}

async fn create_namespace(kube: &Kube, ns: &str) -> Result<()> {
    let api: Api<Namespace> = Api::all(kube.client.clone());
    let obj = Namespace {
        metadata: ObjectMeta {
            name: Some(ns.to_string()),
            labels: Some(
                [(
                    "app.kubernetes.io/managed-by".to_string(),
                    "kubectl-vault".to_string(),
                )]
                .into(),
            ),
            ..Default::default()
        },
        ..Default::default()
    };
    match api.create(&PostParams::default(), &obj).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 409 => bail!(
            "namespace {ns} exists: the drill only uses a namespace it makes (choose another with --namespace-for-drill)"
        ),
        Err(e) => {
            kube.call(&format!("create namespace {ns}"), async { Err(e) })
                .await
        }
    }
}

async fn delete_namespace(kube: &Kube, ns: &str, timeout: Duration) -> Result<()> {
    let api: Api<Namespace> = Api::all(kube.client.clone());
    match api.delete(ns, &DeleteParams::default()).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(()),
        Err(e) => {
            return kube
                .call(&format!("delete namespace {ns}"), async { Err(e) })
                .await;
        }
    }
    let start = Instant::now();
    while start.elapsed() < timeout {
        if kube
            .call(&format!("get namespace {ns}"), api.get_opt(ns))
            .await?
            .is_none()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    bail!("namespace {ns} was not gone within {timeout:?}")
}

/// A copy of an object's name and labels, in `ns`.
fn meta_in(m: &ObjectMeta, ns: &str) -> ObjectMeta {
    ObjectMeta {
        name: m.name.clone(),
        namespace: Some(ns.to_string()),
        labels: m.labels.clone(),
        annotations: None,
        ..Default::default()
    }
}

/// Copies the Vault StatefulSet (one replica), its service account and the ConfigMaps and
/// Secrets its pods mount into `scratch`.
async fn copy_statefulset(session: &Session, scratch: &str) -> Result<()> {
    let kube = &session.kube;
    let pod = session
        .all_pods
        .first()
        .ok_or_else(|| anyhow!("no Vault pod to find the StatefulSet by"))?;
    let name = cluster::owner_statefulset(pod)
        .ok_or_else(|| anyhow!("pod {} belongs to no StatefulSet", cluster::name(pod)))?;
    let here = |c: &kube::Client| -> (
        Api<StatefulSet>,
        Api<ConfigMap>,
        Api<Secret>,
        Api<ServiceAccount>,
    ) {
        (
            Api::namespaced(c.clone(), &kube.namespace),
            Api::namespaced(c.clone(), &kube.namespace),
            Api::namespaced(c.clone(), &kube.namespace),
            Api::namespaced(c.clone(), &kube.namespace),
        )
    };
    let there = |c: &kube::Client| -> (
        Api<StatefulSet>,
        Api<ConfigMap>,
        Api<Secret>,
        Api<ServiceAccount>,
    ) {
        (
            Api::namespaced(c.clone(), scratch),
            Api::namespaced(c.clone(), scratch),
            Api::namespaced(c.clone(), scratch),
            Api::namespaced(c.clone(), scratch),
        )
    };
    let (sts_src, cm_src, sec_src, sa_src) = here(&kube.client);
    let (sts_dst, cm_dst, sec_dst, sa_dst) = there(&kube.client);
    let pp = PostParams::default();
    let sts = kube
        .call(&format!("get statefulset {name}"), sts_src.get(name))
        .await?;
    let spec = sts
        .spec
        .clone()
        .ok_or_else(|| anyhow!("statefulset {name} has no spec"))?;
    let pod_spec = spec.template.spec.clone().unwrap_or_default();
    if let Some(sa) = pod_spec
        .service_account_name
        .as_deref()
        .filter(|s| *s != "default")
        && let Some(src) = kube
            .call(&format!("get serviceaccount {sa}"), sa_src.get_opt(sa))
            .await?
    {
        let copy = ServiceAccount {
            metadata: meta_in(&src.metadata, scratch),
            ..Default::default()
        };
        kube.call(
            &format!("create serviceaccount {sa} in {scratch}"),
            sa_dst.create(&pp, &copy),
        )
        .await?;
    }
    for v in pod_spec.volumes.iter().flatten() {
        if let Some(cm) = v.config_map.as_ref().map(|c| c.name.clone()) {
            let src = kube
                .call(&format!("get configmap {cm}"), cm_src.get(&cm))
                .await?;
            let data = src.data.clone().map(|d| {
                d.into_iter()
                    .map(|(k, v)| (k, without_blocks(&v, "retry_join")))
                    .collect()
            });
            let copy = ConfigMap {
                metadata: meta_in(&src.metadata, scratch),
                data,
                binary_data: src.binary_data.clone(),
                ..Default::default()
            };
            kube.call(
                &format!("create configmap {cm} in {scratch}"),
                cm_dst.create(&pp, &copy),
            )
            .await?;
        }
        if let Some(secret) = v.secret.as_ref().and_then(|s| s.secret_name.clone()) {
            let src = kube
                .call(&format!("get secret {secret}"), sec_src.get(&secret))
                .await?;
            let copy = Secret {
                metadata: meta_in(&src.metadata, scratch),
                data: src.data.clone(),
                type_: src.type_.clone(),
                ..Default::default()
            };
            kube.call(
                &format!("create secret {secret} in {scratch}"),
                sec_dst.create(&pp, &copy),
            )
            .await?;
        }
    }
    let mut spec = spec;
    spec.replicas = Some(1);
    let copy = StatefulSet {
        metadata: meta_in(&sts.metadata, scratch),
        spec: Some(spec),
        status: None,
    };
    kube.call(
        &format!("create statefulset {name} in {scratch}"),
        sts_dst.create(&pp, &copy),
    )
    .await?;
    Ok(())
}

/// Waits until the copy's pod runs and its Vault answers; returns a session on it.
async fn wait_for_copy(args: &CommonArgs, timeout: Duration, task: &Task) -> Result<Session> {
    let start = Instant::now();
    let mut last = String::from("no pod yet");
    while start.elapsed() < timeout {
        if let Ok(s) = Session::connect(args, &[]).await {
            let views = s.views().await;
            if views.iter().any(|v| v.reachable) {
                return Ok(s);
            }
            last = views
                .iter()
                .filter_map(|v| v.error.clone())
                .next()
                .unwrap_or(last);
        }
        task.step(&format!(
            "waiting for the copy's pod ({:.0}s): {last}",
            start.elapsed().as_secs_f64()
        ));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    bail!("the copy's pod did not answer within {timeout:?}: {last}")
}

/// `text` without the HCL blocks named `name` (`retry_join { … }`), braces matched.
pub fn without_blocks(text: &str, name: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(name) {
        let after = &rest[i + name.len()..];
        let trimmed = after.trim_start();
        let is_word_start = i == 0
            || !rest[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !(is_word_start && trimmed.starts_with('{')) {
            out.push_str(&rest[..i + name.len()]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..i]);
        let open = rest.len() - trimmed.len();
        let mut depth = 0usize;
        let mut end = rest.len();
        for (j, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::without_blocks;

    #[test]
    fn retry_join_blocks_are_cut_out() {
        let cfg = "storage \"raft\" {\n  path = \"/vault/data\"\n  retry_join {\n    leader_api_addr = \"https://vault-0.vault-internal:8200\"\n    leader_tls_servername = \"x\"\n  }\n  retry_join {\n leader_api_addr = \"y\" }\n}\nmy_retry_join = 1\n";
        let out = without_blocks(cfg, "retry_join");
        assert!(!out.contains("leader_api_addr"), "{out}");
        assert!(out.contains("path = \"/vault/data\""), "{out}");
        assert!(out.contains("my_retry_join = 1"), "{out}");
        assert_eq!(out.matches('{').count(), out.matches('}').count(), "{out}");
    }
}
