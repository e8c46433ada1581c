//! Auto-unseal clusters (awskms, gcpckms, azurekeyvault, transit, pkcs11, …): no keys apply.
//! When the KMS is out of reach, pods either report sealed or, more often, cannot configure
//! their seal at start-up and crash-loop. This shows the seal type and the diagnosis — the
//! pods' recent seal-related log lines (the previous container's too) and the KMS endpoint
//! their configuration names — and with `--restart` restarts the unhealthy pods one at a
//! time, waiting for each to come back unsealed and Ready before the next.

use anyhow::{Result, bail};
use serde::Serialize;
use vault_shared::cluster::{self, Kube};
use vault_shared::confirm::Plan;
use vault_shared::k8s_openapi::api::core::v1::Pod;
use vault_shared::output::{self, Format, Progress};
use vault_shared::procedures::restart::{Restart, rolling_restart};
use vault_shared::session::Session;
use vault_shared::target::Target;
use vault_shared::{Exit, fanout};

use crate::status::{self, PodStatus, Report};
use crate::{Cli, why};

/// Configuration keys that say where the KMS is (never credentials).
const ENDPOINT_KEYS: &[&str] = &[
    "address",
    "endpoint",
    "region",
    "kms_key_id",
    "key_name",
    "mount_path",
    "vault_name",
    "key_ring",
    "crypto_key",
    "project",
    "tenant_id",
    "lib",
    "slot",
    "key_label",
    "disabled",
];

/// Environment variables that configure a seal without being secrets.
const ENDPOINT_ENV: &[&str] = &[
    "VAULT_SEAL_TYPE",
    "BAO_SEAL_TYPE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "VAULT_AWSKMS_SEAL_KEY_ID",
    "AWS_KMS_ENDPOINT",
    "GOOGLE_PROJECT",
    "GOOGLE_REGION",
    "VAULT_GCPCKMS_SEAL_KEY_RING",
    "VAULT_GCPCKMS_SEAL_CRYPTO_KEY",
    "AZURE_TENANT_ID",
    "VAULT_AZUREKEYVAULT_VAULT_NAME",
    "VAULT_AZUREKEYVAULT_KEY_NAME",
    "VAULT_TRANSIT_SEAL_KEY_NAME",
    "VAULT_TRANSIT_SEAL_MOUNT_PATH",
];

/// The seal a server configuration declares: its type and its non-secret settings.
#[derive(Debug, PartialEq)]
pub struct SealConfig {
    pub seal_type: String,
    pub settings: Vec<String>,
}

/// Reads the `seal "<type>" { … }` stanza from HCL text.
pub fn seal_config(hcl: &str) -> Option<SealConfig> {
    let mut found: Option<SealConfig> = None;
    let mut depth = 0i32;
    let mut in_seal = false;
    for line in hcl.lines() {
        let t = line.trim();
        if depth == 0 && t.starts_with("seal ") && t.ends_with('{') {
            in_seal = true;
            let seal_type = t
                .trim_start_matches("seal")
                .trim()
                .trim_end_matches('{')
                .trim()
                .trim_matches('"');
            found = Some(SealConfig {
                seal_type: seal_type.to_string(),
                settings: Vec::new(),
            });
        }
        if in_seal
            && depth == 1
            && let Some((k, v)) = t.split_once('=')
            && let Some(cfg) = found.as_mut()
        {
            let k = k.trim();
            if ENDPOINT_KEYS.contains(&k) {
                cfg.settings
                    .push(format!("{k} = {}", v.trim().trim_matches('"')));
            }
        }
        depth += t.matches('{').count() as i32 - t.matches('}').count() as i32;
        if depth == 0 {
            in_seal = false;
        }
    }
    found.filter(|c| c.seal_type != "shamir")
}

/// The text of every ConfigMap mounted into the pod (the chart mounts its server config so).
async fn config_text(kube: &Kube, pod: &Pod) -> String {
    let mut text = String::new();
    for name in cluster::config_maps(pod) {
        if let Ok(Some(cm)) = kube.config_map(name).await {
            for v in cm.data.unwrap_or_default().values() {
                text.push_str(v);
                text.push('\n');
            }
        }
    }
    text
}

/// The auto-unseal seal of this cluster, if it has one: from a pod that answers, else from
/// the configuration the pods mount.
pub async fn detect(
    kube: &Kube,
    targets: &[Result<Target>],
    statuses: &[PodStatus],
) -> Option<SealConfig> {
    if let Some(t) = statuses
        .iter()
        .find_map(|s| s.seal_type.clone().filter(|t| t != "shamir"))
    {
        return Some(SealConfig {
            seal_type: t,
            settings: Vec::new(),
        });
    }
    if statuses.iter().all(|s| s.error.is_none()) {
        return None;
    }
    let pod = targets
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .find_map(|t| t.pod.as_ref())?;
    seal_config(&config_text(kube, pod).await)
}

#[derive(Debug, Serialize)]
pub struct Diagnosis {
    pub pod: String,
    pub seal_type: String,
    /// `key = value` settings of the seal stanza and environment that say where the KMS is.
    pub kms: Vec<String>,
    /// The container's state, when Vault does not answer (e.g. crash-looping).
    pub container: Option<String>,
    pub log: Vec<String>,
    pub previous_log: Vec<String>,
}

async fn diagnose(kube: &Kube, t: &Target, seal: &SealConfig, status: &PodStatus) -> Diagnosis {
    let pod = kube
        .pod(&t.name)
        .await
        .ok()
        .flatten()
        .or_else(|| t.pod.clone());
    let mut d = Diagnosis {
        pod: t.name.clone(),
        seal_type: seal.seal_type.clone(),
        kms: seal.settings.clone(),
        container: None,
        log: Vec::new(),
        previous_log: Vec::new(),
    };
    let Some(pod) = pod else { return d };
    if d.kms.is_empty() {
        d.kms = seal_config(&config_text(kube, &pod).await)
            .map(|c| c.settings)
            .unwrap_or_default();
    }
    d.kms.extend(cluster::env_settings(&pod, ENDPOINT_ENV));
    if status.error.is_some() {
        d.container = cluster::container_state(&pod);
    }
    d.log = kube
        .logs(&t.name, 300, false)
        .await
        .map(|l| why::matching_lines(&l, why::SEAL_WORDS, 6))
        .unwrap_or_default();
    if cluster::restarts(&pod) > 0 {
        d.previous_log = kube
            .logs(&t.name, 300, true)
            .await
            .map(|l| why::matching_lines(&l, why::SEAL_WORDS, 6))
            .unwrap_or_default();
    }
    d
}

pub async fn run(
    session: &Session,
    statuses: Vec<PodStatus>,
    seal: SealConfig,
    cli: &Cli,
) -> Result<Exit> {
    let (kube, targets) = (&session.kube, &session.targets);
    let unhealthy: Vec<(&Target, &PodStatus)> = targets
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .filter_map(|t| {
            let s = statuses.iter().find(|s| s.pod == t.name)?;
            (!s.healthy()).then_some((t, s))
        })
        .collect();
    if cli.keys.given() {
        output::warn(&format!(
            "this cluster auto-unseals with {}: the keys given are not used (recovery keys do not unseal)",
            seal.seal_type
        ));
    }
    let diagnoses: Vec<Diagnosis> =
        fanout::each(&unhealthy, |(t, s)| diagnose(kube, t, &seal, s)).await;
    let mut restarted = Vec::new();
    let mut exit = Exit::Attention;
    if cli.restart {
        restarted = restart(session, &unhealthy, cli).await?;
    }
    let final_statuses = status::gather(Some(kube), targets).await;
    if final_statuses.iter().all(PodStatus::healthy) {
        exit = Exit::Healthy;
    }
    match cli.common.out.format() {
        Format::Table => {
            if !cli.restart {
                for d in &diagnoses {
                    let what = match &d.container {
                        Some(c) => format!("Vault does not answer; container {c}"),
                        None => "sealed".to_string(),
                    };
                    println!("{}: {what} (auto-unseal: {})", d.pod, d.seal_type);
                    if d.kms.is_empty() {
                        println!("  KMS: not found in the pod's ConfigMaps or environment");
                    }
                    for k in &d.kms {
                        println!("  KMS: {k}");
                    }
                    for l in &d.previous_log {
                        println!("  previous container: {l}");
                    }
                    for l in &d.log {
                        println!("  log: {l}");
                    }
                }
                println!(
                    "\nAuto-unseal needs the KMS: restore its connectivity (network, credentials, key), then run with --restart to restart these pods one at a time.\n"
                );
            }
            let mut report = Report::new(kube, final_statuses, exit);
            report.exit_code = exit.code();
            report.print(Format::Table)?;
        }
        f => output::print_data(
            f,
            &serde_json::json!({
                "namespace": kube.namespace,
                "seal_type": seal.seal_type,
                "auto_unseal": diagnoses,
                "restarted": restarted,
                "pods": final_statuses,
                "summary": status::summary(&final_statuses),
                "exit_code": exit.code(),
            }),
        )?,
    }
    Ok(exit)
}

/// Why a pod must not be restarted on what is known of it, if so. Vault saying it is sealed,
/// or Kubernetes' readiness probe failing, is evidence it is unhealthy; a pod whose Vault the
/// plugin cannot reach while Kubernetes reports it Ready is a problem on the plugin's side
/// (access, port-forward), not the pod's.
fn no_evidence(s: &PodStatus) -> Option<String> {
    let error = s.error.as_deref()?;
    match s.ready {
        Some(false) => None,
        Some(true) => Some(format!(
            "{}: the plugin cannot reach its Vault ({error}), but Kubernetes reports the pod Ready",
            s.pod
        )),
        None => Some(format!(
            "{}: neither its Vault nor its readiness can be read ({error})",
            s.pod
        )),
    }
}

/// Restarts the unhealthy pods one at a time; stops at the first that does not come back
/// unsealed, so a KMS that is still down costs one pod, not all of them.
async fn restart(
    session: &Session,
    pods: &[(&Target, &PodStatus)],
    cli: &Cli,
) -> Result<Vec<String>> {
    let names: Vec<&str> = pods.iter().map(|(t, _)| t.name.as_str()).collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let guesses: Vec<String> = pods.iter().filter_map(|(_, s)| no_evidence(s)).collect();
    if !guesses.is_empty() {
        bail!(
            "--restart: nothing was restarted: {} (fix access to the pods first: `kubectl vault-unseal --why`, `kubectl auth can-i create pods/portforward`)",
            guesses.join("; ")
        );
    }
    let mut plan = Plan::new(format!(
        "restart pods {} to retry auto-unseal",
        names.join(", ")
    ));
    for name in &names {
        plan.step(format!(
            "delete pod {name}, wait until it is recreated, auto-unsealed and Ready (stop here if not)"
        ));
    }
    if !cli.confirm.confirm(&plan)? {
        if cli.common.out.format() == Format::Table {
            plan.print_dry_run();
        }
        return Ok(Vec::new());
    }
    if cli.common.vault.vault_addr.is_some() {
        bail!("--restart needs pods, not --vault-addr");
    }
    let names: Vec<String> = names.into_iter().map(str::to_string).collect();
    let how = Restart {
        shares: None,
        timeout: cli.timeout,
        why: "kubectl-vault restarts the pod to retry auto-unseal",
        only_unhealthy: true,
    };
    rolling_restart(session, &names, &how, &Progress::new())
        .await
        .map_err(|stopped| {
            anyhow::anyhow!(
                "{}: {:#}; the KMS may still be unreachable. Stopped here{}",
                stopped.pod,
                stopped.error,
                if stopped.not_restarted.is_empty() {
                    String::new()
                } else {
                    format!("; not restarted: {}", stopped.not_restarted.join(", "))
                }
            )
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn seal_stanza_type_and_settings_without_secrets() {
        let hcl = r#"
storage "raft" { path = "/vault/data" }
seal "transit" {
  address    = "https://kms.example:8200"
  token      = "s.secret"
  key_name   = "autounseal"
  mount_path = "transit/"
}
"#;
        let s = super::seal_config(hcl).unwrap();
        assert_eq!(s.seal_type, "transit");
        assert_eq!(
            s.settings,
            vec![
                "address = https://kms.example:8200",
                "key_name = autounseal",
                "mount_path = transit/"
            ]
        );
        assert!(super::seal_config("storage \"raft\" {\n}\n").is_none());
    }
}
