//! Unsealing every sealed pod at once: keys in, one concurrent unseal per pod, an Event on
//! each, wait for Ready, then the status table and the exit code.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::Result;
use serde::Serialize;
use vault_shared::cluster::Kube;
use vault_shared::events::{self, EventType, Note};
use vault_shared::k8s_openapi::api::core::v1::Pod;
use vault_shared::keys::{self, Share};
use vault_shared::output::{self, Format, Progress};
use vault_shared::target::Target;
use vault_shared::unseal::{self, Outcome};
use vault_shared::{Exit, fanout};

use crate::Cli;
use crate::status::{self, PodStatus, Report};

#[derive(Debug, Serialize)]
pub struct PodResult {
    pub pod: String,
    #[serde(flatten)]
    pub outcome: Option<Outcome>,
    /// Set when the pod could not be unsealed for a reason other than the keys.
    pub error: Option<String>,
    /// Whether it became Ready afterwards (null when not waited for).
    pub ready: Option<bool>,
    pub seconds: f64,
}

/// The Event that records what happened to a pod, if anything was sent to it.
fn event_for(result: &PodResult) -> Option<(EventType, &'static str, String)> {
    match (&result.outcome, &result.error) {
        (_, Some(e)) => Some((
            EventType::Warning,
            "UnsealFailed",
            format!("kubectl-vault could not unseal Vault: {e}"),
        )),
        (
            Some(Outcome::Unsealed {
                shares_used,
                failed_attempts,
                ..
            }),
            _,
        ) => {
            let retries = if *failed_attempts > 0 {
                format!(" after {failed_attempts} failed combination(s)")
            } else {
                String::new()
            };
            Some((
                EventType::Normal,
                "Unsealed",
                format!(
                    "Vault unsealed by kubectl-vault with shares {}{retries}",
                    unseal::labels(shares_used)
                ),
            ))
        }
        (Some(Outcome::Failed { failed_attempts }), _) => Some((
            EventType::Warning,
            "UnsealFailed",
            format!(
                "kubectl-vault could not unseal Vault: {failed_attempts} combination(s) of the given shares failed to decrypt the keyring; progress was reset"
            ),
        )),
        _ => None,
    }
}

/// Records `event` on the pod; a failure to record is a warning, never the unseal's failure.
async fn record_event(
    kube: &Kube,
    name: &str,
    pod: &Pod,
    event: Option<(EventType, &'static str, String)>,
) {
    let Some((type_, reason, note)) = event else {
        return;
    };
    let note = Note {
        type_,
        reason,
        action: "Unseal",
        note: &note,
    };
    if let Err(e) = events::record(kube, pod, &note).await {
        output::warn(&format!(
            "{name}: the unseal was not recorded as an Event: {e:#}"
        ));
    }
}

fn describe(result: &PodResult) -> String {
    if let Some(e) = &result.error {
        return format!("failed: {e}");
    }
    match &result.outcome {
        Some(Outcome::AlreadyUnsealed) => "already unsealed".into(),
        Some(Outcome::Unsealed { shares_used, .. }) => {
            format!("unsealed with shares {}", unseal::labels(shares_used))
        }
        Some(Outcome::InProgress {
            progress,
            threshold,
        }) => format!(
            "another operator's unseal is in progress ({progress}/{threshold}), or their shares mixed into this one; no share of yours is blamed (use --continue to add to it, --reset to discard it)"
        ),
        Some(Outcome::NotEnoughShares { have, need }) => {
            format!("needs {need} shares, {have} given; nothing sent")
        }
        Some(Outcome::Failed { failed_attempts }) => format!(
            "the shares given do not unseal this Vault ({failed_attempts} combination(s) failed; wrong shares, or another cluster's); progress reset to 0"
        ),
        Some(Outcome::NotInitialized) => {
            "not initialized (run vault-reinit or `vault operator init`)".into()
        }
        Some(Outcome::AutoUnseal { seal_type }) => {
            format!("auto-unseal ({seal_type}): keys do not apply")
        }
        None => "skipped".into(),
    }
}

async fn unseal_one(
    kube: &Kube,
    t: &Target,
    shares: &[Share],
    cli: &Cli,
    progress: &Progress,
) -> PodResult {
    let start = Instant::now();
    let task = progress.task(&t.name);
    let opts = unseal::Options {
        continue_existing: cli.continue_existing,
        reset_first: cli.reset,
        settle: Some(cli.timeout),
    };
    let step = |m: &str| task.step(m);
    let (outcome, error) = match unseal::unseal(&t.client, shares, opts, &step).await {
        Ok(o) => (Some(o), None),
        // Messages from Vault pass through redaction before anyone sees them.
        Err(e) => (None, Some(keys::redact(&e.to_string(), shares))),
    };
    let mut result = PodResult {
        pod: t.name.clone(),
        outcome,
        error: None,
        ready: None,
        seconds: 0.0,
    };
    result.error = error;
    let unsealed_now = matches!(result.outcome, Some(Outcome::Unsealed { .. }));
    // The Event says what the unseal did; it is recorded while the pod's readiness probe
    // catches up, not after it.
    let record = async {
        if let Some(pod) = &t.pod {
            record_event(kube, &t.name, pod, event_for(&result)).await;
        }
    };
    if unsealed_now && !cli.no_wait && t.pod.is_some() {
        task.step("unsealed; waiting for the pod to become Ready");
        let (ready, ()) = tokio::join!(kube.wait_ready(&t.name, cli.timeout), record);
        match ready {
            Ok(()) => result.ready = Some(true),
            Err(e) => {
                result.ready = Some(false);
                result.error = Some(format!("{e:#}"));
                if let Some(pod) = &t.pod {
                    let note = format!("Vault was unsealed by kubectl-vault, but {e:#}");
                    record_event(
                        kube,
                        &t.name,
                        pod,
                        Some((EventType::Warning, "NotReady", note)),
                    )
                    .await;
                }
            }
        }
    } else {
        record.await;
    }
    result.seconds = (start.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    task.finish(&format!("{} ({:.1}s)", describe(&result), result.seconds));
    result
}

/// `--reset` discards unseals someone else has in progress: only when every selected pod's
/// seal state could be read, and after the plan is confirmed (a terminal, or `--yes`).
fn confirm_reset(statuses: &[PodStatus], sealed: &[&Target], cli: &Cli) -> Result<()> {
    let unreadable: Vec<String> = statuses
        .iter()
        .filter_map(|s| Some(format!("{}: {}", s.pod, s.error.as_deref()?)))
        .collect();
    if !unreadable.is_empty() {
        anyhow::bail!(
            "--reset: the seal state of some pods cannot be read, so whose unseal would be discarded is not known; nothing was reset or sent ({})",
            unreadable.join("; ")
        );
    }
    let in_progress: Vec<String> = statuses
        .iter()
        .filter(|s| sealed.iter().any(|t| t.name == s.pod))
        .filter_map(|s| {
            let p = s.progress.filter(|p| *p > 0)?;
            Some(format!("{} ({p}/{})", s.pod, s.threshold.unwrap_or(0)))
        })
        .collect();
    if in_progress.is_empty() {
        return Ok(());
    }
    let mut plan = vault_shared::confirm::Plan::new("discard the unseal in progress");
    plan.step(format!(
        "discard the unseal someone started on {}, then unseal with the shares given",
        in_progress.join(", ")
    ));
    plan.warn("the shares they submitted are lost; they have to start over if they continue");
    cli.confirm.confirm(&plan)?;
    Ok(())
}

pub async fn run(
    kube: &Kube,
    targets: &[anyhow::Result<Target>],
    statuses: Vec<PodStatus>,
    cli: &Cli,
) -> Result<(Report, Exit)> {
    let sealed: Vec<&Target> = targets
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .filter(|t| {
            statuses
                .iter()
                .any(|s| s.pod == t.name && s.sealed == Some(true) && s.initialized == Some(true))
        })
        .collect();
    let threshold = statuses
        .iter()
        .filter_map(|s| (s.sealed == Some(true)).then_some(s.threshold).flatten())
        .max()
        .unwrap_or(0);
    let shares = match keys::load(&cli.keys, Some(kube)).await? {
        Some(s) => s,
        None => {
            let interactive = std::io::stdin().is_terminal()
                && cli.common.out.format() == Format::Table
                && !cli.status;
            let exit = status::exit_of(&statuses);
            if !interactive || sealed.is_empty() {
                return Ok((Report::new(kube, statuses, exit), exit));
            }
            Report::new(kube, statuses.clone(), exit).print(Format::Table)?;
            eprintln!(
                "\n{} sealed pod(s). Enter {threshold} unseal key shares (input hidden), or Ctrl-C to stop.",
                sealed.len()
            );
            keys::prompt(threshold as usize, &[])?
        }
    };
    if sealed.is_empty() {
        return Ok(status::collect(kube, targets).await);
    }
    let key_shares = statuses
        .iter()
        .filter(|s| sealed.iter().any(|t| t.name == s.pod))
        .filter_map(|s| s.shares)
        .max();
    if let Some(n) = key_shares {
        keys::check_fit(&shares, n).map_err(anyhow::Error::msg)?;
    }
    if cli.reset {
        confirm_reset(&statuses, &sealed, cli)?;
    }
    output::debug(&format!(
        "{} shares read; unsealing {} pod(s)",
        shares.len(),
        sealed.len()
    ));
    let progress = Progress::new();
    let results: Vec<PodResult> =
        fanout::each(&sealed, |t| unseal_one(kube, t, &shares, cli, &progress)).await;

    let mut bad: Vec<usize> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Some(Outcome::Unsealed { bad_shares, .. }) => Some(bad_shares.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    bad.sort_unstable();
    bad.dedup();
    if !bad.is_empty() {
        output::warn(&format!(
            "share {} (counting from 1 in the order given) is wrong: it failed in combination with shares that work; replace it in your key store",
            unseal::labels(&bad)
        ));
    }
    let failed: Vec<&PodResult> = results
        .iter()
        .filter(|r| {
            r.error.is_some()
                || matches!(
                    r.outcome,
                    Some(Outcome::Failed { .. }) | Some(Outcome::NotEnoughShares { .. })
                )
        })
        .collect();
    for r in &failed {
        output::error_line(&format!("{}: {}", r.pod, describe(r)));
    }
    for r in results
        .iter()
        .filter(|r| matches!(r.outcome, Some(Outcome::InProgress { .. })))
    {
        output::warn(&format!("{}: {}", r.pod, describe(r)));
    }
    let final_statuses = status::gather(Some(kube), targets).await;
    let exit = if !failed.is_empty() {
        Exit::Failed
    } else if cli.no_wait {
        // Told not to wait for readiness: judged by the unseal results alone.
        status::exit_unsealed(&final_statuses)
    } else {
        status::exit_when_acting(&final_statuses)
    };
    let mut report = Report::new(kube, final_statuses, exit);
    report.unseal = Some(results);
    report.bad_shares = bad;
    Ok((report, exit))
}
