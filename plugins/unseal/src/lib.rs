//! `kubectl vault-unseal`: the runbook's "Vault is sealed" section as one verb.

mod autounseal;
pub mod status;
mod unsealing;
mod verify;
mod why;

use std::time::Duration;

use anyhow::Result;
use clap::Parser;
use vault_shared::cli::{CommonArgs, KeyArgs, parse_duration};
use vault_shared::confirm::ConfirmArgs;
use vault_shared::session::Session;
use vault_shared::{Exit, output};

#[derive(Parser, Debug)]
#[command(
    name = "kubectl vault-unseal",
    about = "Show the seal status of every Vault pod, and unseal the sealed ones concurrently",
    long_about = "Without keys, shows one row per Vault pod and exits 0 when all are unsealed, 2 when any is sealed.\n\
With keys (--keys-file, --keys-file -, --keys-secret, or typed at a prompt on a terminal) unseals every sealed pod \
concurrently over a port-forward to its Vault API, waits until each is Ready, and records a Kubernetes Event on it.\n\
Keys are never read from the command line.",
    after_help = "Exit codes: 0 all unsealed and ready; 1 failed (bad usage, API error, wrong keys, timeout); 2 done, but pods still need attention.\n\n\
Examples:\n  kubectl vault-unseal -n vault\n  kubectl vault-unseal -n vault --keys-file init.json\n  \
vault-keys | kubectl vault-unseal -n vault --keys-file -\n  kubectl vault-unseal -n vault --keys-secret vault-unseal-keys\n  \
kubectl vault-unseal -n vault vault-2 --reset --keys-file keys.txt\n  kubectl vault-unseal -n vault --why"
)]
pub struct Cli {
    /// Only these pods (default: every Vault pod).
    pub pods: Vec<String>,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Add to an unseal someone else has in progress instead of refusing.
    #[arg(long = "continue", conflicts_with = "reset")]
    pub continue_existing: bool,
    /// Clear an unseal in progress (someone else's nonce) before unsealing.
    #[arg(long)]
    pub reset: bool,
    /// Only show the status; never prompt for keys.
    #[arg(long, conflicts_with_all = ["keys_file", "keys_secret"])]
    pub status: bool,
    /// Do not wait for the pods to become Ready after unsealing.
    #[arg(long)]
    pub no_wait: bool,
    /// How long to wait for each pod to become Ready.
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Show why each pod sealed: its recent seal-related log lines, last termination and events.
    #[arg(long)]
    pub why: bool,
    /// After unsealing, check that this KV secret can be read (never prints its value).
    #[arg(long, value_name = "PATH")]
    pub verify: Option<String>,
    /// Auto-unseal clusters: restart the sealed pods one at a time, waiting for each
    /// (with --dry-run: only print the plan; --yes: do not ask).
    #[arg(long)]
    pub restart: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs the verb the command line asks for; the exit code says how it went.
pub async fn run(cli: Cli) -> Result<Exit> {
    cli.common.out.init();
    if cli.confirm.dry_run && !cli.restart {
        anyhow::bail!("--dry-run goes with --restart (the only action vault-unseal asks about)");
    }
    if cli.common.vault.tls_skip_verify {
        output::warn(
            "--tls-skip-verify: Vault's certificate is not checked; keys could reach an impostor",
        );
    }
    // No single Vault request may outlast the verb's own --timeout.
    let mut common = cli.common.clone();
    if !cli.timeout.is_zero() {
        common.vault.vault_timeout = common.vault.vault_timeout.min(cli.timeout);
    }
    let session = Session::connect(&common, &cli.pods).await?;
    let (kube, targets) = (&session.kube, &session.targets);
    if cli.why {
        return why::run(kube, targets, &cli).await;
    }
    let statuses = status::gather(Some(kube), targets).await;
    let auto_unseal = autounseal::detect(kube, targets, &statuses).await;
    if cli.restart && auto_unseal.is_none() {
        anyhow::bail!(
            "--restart is for auto-unseal clusters, and this one unseals with Shamir keys: a restarted pod comes back sealed; give the keys with --keys-file, --keys-secret or at the prompt"
        );
    }
    if let Some(seal) = auto_unseal
        && statuses.iter().any(|s| !s.healthy())
    {
        return autounseal::run(&session, statuses, seal, &cli).await;
    }
    let (mut report, mut exit) = if statuses.iter().any(|s| s.sealed == Some(true)) {
        unsealing::run(kube, targets, statuses, &cli).await?
    } else {
        let exit = if cli.keys.given() && cli.no_wait {
            status::exit_unsealed(&statuses)
        } else if cli.keys.given() {
            status::exit_when_acting(&statuses)
        } else {
            status::exit_of(&statuses)
        };
        (status::Report::new(kube, statuses, exit), exit)
    };
    if let Some(path) = &cli.verify {
        let verified = verify::check(targets, path, session.token()?).await?;
        exit = exit.worst(verified.exit());
        report.verify = Some(verified);
        report.exit_code = exit.code();
    }
    // Pods that could not be read: on stderr too, not only in the table; an error when the run
    // had to act on them.
    for s in report.pods.iter().filter_map(|s| s.error.as_deref()) {
        if exit == Exit::Failed {
            output::error_line(s);
        } else {
            output::warn(s);
        }
    }
    report.print(cli.common.out.format())?;
    Ok(exit)
}
