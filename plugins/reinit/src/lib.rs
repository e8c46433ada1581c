//! `kubectl vault-reinit`: the runbook's "Complete cluster failure" as one verb — assess the
//! damage, and re-initialise with the new keys' custody settled before anything is lost.

mod assess;
mod bring_up;
mod drill;
mod init;
mod journal;
mod restore;
mod restore_snapshot;
mod setup;
mod snapshot_file;
mod wipe;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use vault_shared::Exit;
use vault_shared::cli::KeyArgs;
use vault_shared::confirm::ConfirmArgs;

vault_shared::verb_cli! {
    #[command(
        name = "kubectl vault-reinit",
        about = "Complete cluster failure: assess the damage, re-initialise Vault with the new keys in safe custody",
        long_about = "Without a subcommand (or with `assess`), shows the Vault pods, their PVCs, recent Events, what each \
reachable pod says about itself and the snapshots named with --snapshot, and says which road leads back: \
healthy, unseal, rejoin, restore from a snapshot, or re-initialise.\n\
`init` re-initialises an empty cluster: the new key shares are encrypted to the key holders' PGP keys by \
Vault (--pgp-keys), or written to a new 0600 file (--output-file); never printed.",
        after_help = "Exit codes: 0 done and healthy; 1 failed (bad usage, API error, refused); 2 done, but the cluster \
needs attention.\n\n\
Examples:\n  kubectl vault-reinit -n vault --snapshot backup.snap\n  \
kubectl vault-reinit -n vault init --pgp-keys alice.asc,bob.asc,carol.asc --key-shares 3 --key-threshold 2\n  \
kubectl vault-reinit -n vault init --output-file vault-init.json --wipe\n  \
kubectl vault-reinit -n vault init --output-file vault-init.json --setup ./setup.sh"
    )]
}

#[derive(Subcommand, Debug, Clone)]
pub enum Cmd {
    /// Pods, PVCs, Events, each pod's Vault state, snapshots, and the road back (the default).
    Assess(AssessArgs),
    /// Prove a snapshot restores with the keys you hold, on a one-pod scratch copy.
    Drill(DrillArgs),
    /// Bring the cluster back from a snapshot with the old cluster's keys (after a drill).
    Restore(RestoreArgs),
    /// Re-initialise the cluster: sys/init on the first pod, the new shares in safe custody,
    /// every pod unsealed and joined.
    Init(InitArgs),
}

#[derive(Args, Debug, Clone, Default)]
pub struct AssessArgs {
    /// A raft snapshot to check (size, age, readable header); repeat for several.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Vec<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct InitArgs {
    /// How many key shares to make.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub key_shares: u32,
    /// How many shares unseal.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub key_threshold: u32,
    /// One PGP public key file per share (binary or ASCII-armoured), comma-separated: Vault
    /// encrypts each share to its holder, and the plugin never sees them in clear.
    #[arg(
        long,
        value_name = "F1,F2,…",
        value_delimiter = ',',
        required_unless_present = "output_file"
    )]
    pub pgp_keys: Vec<PathBuf>,
    /// Write the new shares and root token to this new file (0600; an existing file is
    /// never overwritten). (`-o/--output` is the output format, as in every verb.)
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// A PGP public key to encrypt the initial root token to.
    #[arg(long, value_name = "FILE")]
    pub root_token_pgp_key: Option<PathBuf>,
    /// Keep the initial root token (default: revoke it at the end).
    #[arg(long)]
    pub keep_root_token: bool,
    /// Run this reconfiguration script after the pods are unsealed and joined, before the
    /// root token is revoked: it gets VAULT_ADDR (a local listener forwarded to the active
    /// pod), VAULT_CACERT, VAULT_TLS_SERVER_NAME and the root token in VAULT_TOKEN (its own
    /// environment only). With --pgp-keys, the run waits (--timeout) for the key holders to
    /// unseal the first pod. Not with --root-token-pgp-key.
    #[arg(long, value_name = "SCRIPT")]
    pub setup: Option<PathBuf>,
    /// How long the --setup script may run before it is stopped.
    #[arg(long, default_value = "30m", value_parser = vault_shared::cli::parse_duration, value_name = "DURATION")]
    pub setup_timeout: std::time::Duration,
    /// Delete the pods' PVCs first (asks to type the namespace) and wait for fresh volumes.
    #[arg(long)]
    pub wipe: bool,
    /// The journal of this run (JSON lines, 0600). Default: vault-reinit-<time>.jsonl here.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// How long to wait for pods (fresh volumes, Ready, healthy voters).
    #[arg(long, default_value = "5m", value_parser = vault_shared::cli::parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

/// What `drill` and `restore` both take: the snapshot, the old cluster's keys, the drill's
/// scratch namespace, the secret that proves the data is back, the journal and the time budget.
#[derive(Args, Debug, Clone)]
pub struct SnapshotArgs {
    /// The raft snapshot to drill or restore.
    pub snapshot: PathBuf,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// The drill's scratch namespace (made and deleted by the drill; it must not exist).
    /// Default: <namespace>-drill-<digits>.
    #[arg(long, value_name = "NS")]
    pub namespace_for_drill: Option<String>,
    /// A KV secret that must be readable in the restored data (value never printed; needs a
    /// token of the snapshot's cluster).
    #[arg(long, value_name = "PATH")]
    pub verify: Option<String>,
    /// The journal of this run (JSON lines, 0600). Default: vault-reinit-<verb>-<time>.jsonl here.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// How long to wait for each step (the scratch or fresh pods, the restore, healthy voters).
    #[arg(long, default_value = "5m", value_parser = vault_shared::cli::parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
}

#[derive(Args, Debug, Clone)]
pub struct DrillArgs {
    #[command(flatten)]
    pub from: SnapshotArgs,
}

#[derive(Args, Debug, Clone)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub from: SnapshotArgs,
    /// Delete the pods' PVCs first (asks to type the namespace) and wait for fresh volumes.
    #[arg(long)]
    pub wipe: bool,
    /// Restore without a drill first (asks to type `skip-drill`).
    #[arg(long)]
    pub skip_drill: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

/// A confirmation by typing `word`: `--yes` for scripts, else typed on the terminal.
pub fn confirm_typed(word: &str, what: &str, yes: bool) -> Result<()> {
    use std::io::{BufRead, IsTerminal, Write};
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "{what} needs confirmation: add --yes (there is no terminal to type {word:?} on)"
        );
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{what}: type {word} to confirm: ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() != word {
        anyhow::bail!("{word:?} was not typed: nothing was changed");
    }
    Ok(())
}

/// Runs the verb the command line asks for; the exit code says how it went.
pub async fn run(cli: Cli) -> Result<Exit> {
    cli.common.out.init();
    match cli.cmd.unwrap_or(Cmd::Assess(AssessArgs::default())) {
        Cmd::Assess(a) => assess::run(&cli.common, &a.snapshot).await,
        Cmd::Init(a) => init::run(&cli.common, &a).await,
        Cmd::Drill(a) => drill::run(&cli.common, &a).await,
        Cmd::Restore(a) => restore::run(&cli.common, &a).await,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_command_line_is_consistent() {
        vault_shared::cli::command::<super::Cli>().debug_assert();
    }
}
