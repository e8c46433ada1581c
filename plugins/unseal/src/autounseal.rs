//! Auto-unseal clusters (awskms, gcpckms, azurekeyvault, transit, pkcs11, …): no keys apply.
//! Shows the seal type and the diagnosis — the pods' recent seal-related log lines and the
//! KMS endpoint their configuration names — and with `--restart` restarts the sealed pods one
//! at a time, waiting for each to come back unsealed and Ready before the next.

use std::io::IsTerminal;

use anyhow::{Result, bail};
use serde::Serialize;
use vault_common::cluster::{self, Kube};
use vault_common::k8s_openapi::api::core::v1::Pod;
use vault_common::output::{self, Format, Progress};
use vault_common::target::Target;
use vault_common::{Exit, audit, fanout};

use crate::Cli;
use crate::status::{self, PodStatus, Report};

/// Configuration keys that name where the KMS is (never credentials).
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

#[derive(Debug, Serialize)]
pub struct Diagnosis {
    pub pod: String,
    pub seal_type: String,
    /// `key = value` settings of the seal stanza and environment that say where the KMS is.
    pub kms: Vec<String>,
    pub log: Vec<String>,
}

/// The `seal "<type>" { … }` stanza's non-secret settings, from HCL text.
pub fn seal_settings(hcl: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut in_seal = false;
    for line in hcl.lines() {
        let t = line.trim();
        if depth == 0 && t.starts_with("seal ") && t.ends_with('{') {
            in_seal = true;
        }
        if in_seal
            && depth == 1
            && let Some((k, v)) = t.split_once('=')
        {
            let k = k.trim();
            if ENDPOINT_KEYS.contains(&k) {
                out.push(format!("{k} = {}", v.trim().trim_matches('"')));
            }
        }
        depth += t.matches('{').count() as i32 - t.matches('}').count() as i32;
        if depth == 0 {
            in_seal = false;
        }
    }
    out
}

async fn config_text(kube: &Kube, pod: &Pod) -> String {
    let mut text = String::new();
    let volumes = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.clone())
        .unwrap_or_default();
    for cm in volumes.iter().filter_map(|v| v.config_map.as_ref()) {
        if let Ok(Some(cm)) = kube.config_map(&cm.name).await {
            for v in cm.data.unwrap_or_default().values() {
                text.push_str(v);
                text.push('\n');
            }
        }
    }
    text
}

async fn diagnose(kube: &Kube, t: &Target, seal_type: &str) -> Diagnosis {
    let mut kms = Vec::new();
    if let Some(pod) = &t.pod {
        kms = seal_settings(&config_text(kube, pod).await);
        let env = pod
            .spec
            .as_ref()
            .map(|s| {
                s.containers
                    .iter()
                    .flat_map(|c| c.env.iter().flatten())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for e in env {
            if ENDPOINT_ENV.contains(&e.name.as_str())
                && let Some(v) = &e.value
            {
                kms.push(format!("{} = {v}", e.name));
            }
        }
    }
    let log = match &t.pod {
        Some(_) => kube
            .logs(&t.name, 300, false)
            .await
            .map(|l| {
                let lines: Vec<String> = l
                    .lines()
                    .filter(|l| {
                        let l = l.to_lowercase();
                        l.contains("seal")
                            || l.contains("kms")
                            || l.contains("transit")
                            || l.contains("error")
                    })
                    .map(str::to_string)
                    .collect();
                lines[lines.len().saturating_sub(8)..].to_vec()
            })
            .unwrap_or_else(|e| vec![format!("(log unavailable: {e:#})")]),
        None => Vec::new(),
    };
    Diagnosis {
        pod: t.name.clone(),
        seal_type: seal_type.to_string(),
        kms,
        log,
    }
}

fn confirm(question: &str) -> Result<bool> {
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub async fn run(
    kube: &Kube,
    targets: &[Result<Target>],
    statuses: Vec<PodStatus>,
    cli: &Cli,
) -> Result<Exit> {
    let sealed: Vec<(&Target, String)> = targets
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .filter_map(|t| {
            let s = statuses.iter().find(|s| s.pod == t.name)?;
            (s.sealed == Some(true)).then(|| (t, s.seal_type.clone().unwrap_or_default()))
        })
        .collect();
    if cli.keys.given() {
        output::warn(
            "these pods use auto-unseal: the keys given are not used (recovery keys do not unseal)",
        );
    }
    let diagnoses: Vec<Diagnosis> = fanout::each(&sealed, |(t, st)| diagnose(kube, t, st)).await;
    let mut restarted = Vec::new();
    if cli.restart {
        restarted = restart(kube, &sealed, cli).await?;
    }
    let final_statuses = status::gather(Some(kube), targets).await;
    let exit = status::exit_of(&final_statuses);
    match cli.out.format() {
        Format::Table => {
            if !cli.restart {
                for d in &diagnoses {
                    println!(
                        "{}: sealed; auto-unseal with {} did not unseal it",
                        d.pod, d.seal_type
                    );
                    if d.kms.is_empty() {
                        println!("  KMS: not found in the pod's ConfigMaps or environment");
                    }
                    for k in &d.kms {
                        println!("  KMS: {k}");
                    }
                    for l in &d.log {
                        println!("  log: {l}");
                    }
                }
                println!(
                    "\nRestore the KMS connectivity (network, credentials, key), then run with --restart to restart the sealed pods one at a time.\n"
                );
            }
            Report::new(kube, final_statuses, exit).print(Format::Table)?;
        }
        f => output::print_data(
            f,
            &serde_json::json!({
                "namespace": kube.namespace,
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

/// Restarts the sealed pods one at a time; stops at the first that does not come back
/// unsealed, so a KMS that is still down costs one pod, not all of them.
async fn restart(kube: &Kube, sealed: &[(&Target, String)], cli: &Cli) -> Result<Vec<String>> {
    let names: Vec<&str> = sealed.iter().map(|(t, _)| t.name.as_str()).collect();
    if !cli.yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "--restart deletes pods {}; add --yes to confirm (there is no terminal to ask on)",
                names.join(", ")
            );
        }
        if !confirm(&format!("Restart pods {} one at a time?", names.join(", ")))? {
            bail!("not confirmed; nothing was restarted");
        }
    }
    let progress = Progress::new();
    let mut done = Vec::new();
    for (i, (t, _)) in sealed.iter().enumerate() {
        let Some(pod) = &t.pod else {
            bail!("--restart needs pods, not --vault-addr")
        };
        let task = progress.task(&t.name);
        task.step("deleting the pod");
        if let Err(e) = audit::record(
            kube,
            pod,
            false,
            "Restart",
            "Restart",
            "kubectl-vault restarts the pod to retry auto-unseal",
        )
        .await
        {
            output::warn(&format!("{}: not recorded as an Event: {e:#}", t.name));
        }
        kube.delete_pod(&t.name).await?;
        task.step("waiting for the new pod");
        let waited = async {
            kube.wait_recreated(&t.name, cluster::uid(pod), cli.timeout)
                .await?;
            task.step("waiting for auto-unseal and Ready");
            kube.wait_ready(&t.name, cli.timeout).await
        }
        .await;
        if let Err(e) = waited {
            task.finish("did not come back unsealed");
            let rest: Vec<&str> = names[i + 1..].to_vec();
            bail!(
                "{}: {e:#}; the KMS may still be unreachable. Stopped here{}",
                t.name,
                if rest.is_empty() {
                    String::new()
                } else {
                    format!("; not restarted: {}", rest.join(", "))
                }
            );
        }
        task.finish("restarted, unsealed and Ready");
        done.push(t.name.clone());
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    #[test]
    fn seal_stanza_settings_without_secrets() {
        let hcl = r#"
storage "raft" { path = "/vault/data" }
seal "transit" {
  address    = "https://kms.example:8200"
  token      = "s.secret"
  key_name   = "autounseal"
  mount_path = "transit/"
}
"#;
        let s = super::seal_settings(hcl);
        assert_eq!(
            s,
            vec![
                "address = https://kms.example:8200",
                "key_name = autounseal",
                "mount_path = transit/"
            ]
        );
    }
}
