//! `kubectl vault-leases`: the runbook's "High memory usage" section as one verb — what uses
//! the memory, where the leases come from, and revoking them without taking the leader down.

mod debug;
mod resize;
mod revoke;
mod status;
mod top;
mod walk;

use std::time::Duration;

use anyhow::Result;
use clap::{Args, Subcommand};
use vault_shared::Exit;
use vault_shared::cli::{KeyArgs, parse_duration};
use vault_shared::confirm::ConfirmArgs;
use vault_shared::session::Session;
use vault_shared::target::Target;

vault_shared::verb_cli! {
    #[command(
        name = "kubectl vault-leases",
        about = "Measure Vault's memory and leases, find where the leases come from, and revoke them safely",
        long_about = "Without a subcommand, shows each Vault pod's memory (Go runtime metrics, restarts, OOM kills) and the \
active node's lease count. `top` counts leases by mount and prefix within a request budget; `revoke` counts, asks, \
then revokes a prefix in throttled batches; `tidy` runs the lease tidy.\n\
The token (--token-file, VAULT_TOKEN or ~/.vault-token) needs sudo on sys/leases and read on sys/metrics.",
        after_help = "Exit codes: 0 done and healthy; 1 failed (bad usage, API error, permission denied); 2 done, but the cluster needs attention \
(memory above the threshold, alloc/sys above 0.8, a recent OOM kill, leases left after a revoke).\n\n\
Examples:\n  kubectl vault-leases -n vault\n  kubectl vault-leases -n vault top --depth 4\n  \
kubectl vault-leases -n vault top auth/token/ -o json\n  \
kubectl vault-leases -n vault revoke auth/token/create/ci --dry-run\n  \
kubectl vault-leases -n vault revoke auth/token/create/ci --batch 200 --rate 100 --yes\n  kubectl vault-leases -n vault tidy"
    )]
}

#[derive(Subcommand, Debug, Clone)]
pub enum Cmd {
    /// Memory and leases per pod, with findings (the default).
    Status(StatusArgs),
    /// Count leases by mount and by prefix, within a request budget.
    Top(TopArgs),
    /// Count, confirm, then revoke every lease under a prefix, in throttled batches.
    Revoke(RevokeArgs),
    /// Run sys/leases/tidy on the active node (cleans up leases whose tokens are gone).
    Tidy(TidyArgs),
    /// New memory/CPU for the Vault container, rolled out one pod at a time (standbys first,
    /// the active node last after a step-down), each unsealed and Ready before the next.
    Resize(ResizeArgs),
    /// Everything the runbook's `vault debug` and `kubectl cp` gather, from every pod at once,
    /// into one 0600 archive on this machine (no Secret read, secret-looking env redacted).
    Debug(DebugArgs),
}

#[derive(Args, Debug, Clone)]
pub struct DebugArgs {
    /// The archive to write (default: vault-debug-<namespace>-<time>.tar.gz here).
    #[arg(short = 'f', long, value_name = "FILE.tar.gz")]
    pub file: Option<std::path::PathBuf>,
    /// Replace an existing archive.
    #[arg(long)]
    pub force: bool,
    /// Also the heap and goroutine profiles (sys/pprof; the token needs sudo there).
    #[arg(long)]
    pub pprof: bool,
    /// Lines of each container's log (current and previous).
    #[arg(long, default_value_t = 2000, value_name = "N")]
    pub tail: i64,
}

#[derive(Args, Debug, Clone, Default)]
pub struct ResizeArgs {
    /// The container's memory limit (512Mi, 4Gi).
    #[arg(long, value_name = "QUANTITY")]
    pub memory: Option<String>,
    /// The container's memory request (default: unchanged, lowered to a lowered limit).
    #[arg(long, value_name = "QUANTITY")]
    pub memory_request: Option<String>,
    /// The container's CPU limit (500m, 2).
    #[arg(long, value_name = "QUANTITY")]
    pub cpu: Option<String>,
    /// The container's CPU request.
    #[arg(long, value_name = "QUANTITY")]
    pub cpu_request: Option<String>,
    /// Shamir seals: the keys each restarted pod is unsealed with.
    #[command(flatten)]
    pub keys: KeyArgs,
    /// How long each pod may take to come back (recreated, unsealed and Ready).
    #[arg(long, default_value = "5m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Duration,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    /// Memory working set above this percent of the container's limit needs attention.
    #[arg(long, default_value_t = 80.0, value_name = "PERCENT")]
    pub memory_threshold: f64,
    /// Sample twice, this long apart (30s, 2m), and show growth per minute and, against the
    /// memory limit, roughly when each pod will hit it.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub interval: Option<Duration>,
    /// An OOM kill that ended within this long needs attention (an older one is shown, not
    /// flagged: the container's last state keeps it until the next termination).
    #[arg(long, default_value = "24h", value_name = "DURATION", value_parser = parse_duration)]
    pub oom_window: Duration,
}

impl Default for StatusArgs {
    fn default() -> Self {
        StatusArgs {
            memory_threshold: 80.0,
            interval: None,
            oom_window: Duration::from_secs(24 * 3600),
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct WalkArgs {
    /// At most this many Vault requests (the counts are a lower bound when it stops the walk).
    #[arg(long, default_value_t = 5000, value_name = "N")]
    pub max_requests: u64,
    /// Vault requests in flight at once.
    #[arg(long, default_value_t = 8, value_name = "C", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: u64,
}

#[derive(Args, Debug, Clone)]
pub struct TopArgs {
    /// Only leases under this prefix (auth/token/, database/creds/ro, …; default: all).
    #[arg(default_value = "")]
    pub prefix: String,
    /// Group by prefixes this many path segments deep (counted from the root).
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=32))]
    pub depth: u64,
    /// Show this many prefixes (the largest).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Look up this many leases per prefix for the soonest and latest expiry (0: none).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub sample: usize,
    #[command(flatten)]
    pub walk: WalkArgs,
}

#[derive(Args, Debug, Clone)]
pub struct RevokeArgs {
    /// Revoke the leases under this prefix (auth/token/create/ci, database/creds/ro, …).
    pub prefix: String,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    /// Use revoke-force: delete the leases even where the backend cannot revoke the secrets.
    #[arg(long)]
    pub force: bool,
    /// Prefixes with more leases than this are revoked lease by lease, in batches of this many.
    #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub batch: u64,
    /// At most this many revocations per second when revoking lease by lease (0: no limit).
    #[arg(long, default_value_t = 200.0, value_name = "R")]
    pub rate: f64,
    #[command(flatten)]
    pub walk: WalkArgs,
}

#[derive(Args, Debug, Clone)]
pub struct TidyArgs {
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

/// Runs the verb the command line asks for; the exit code says how it went.
pub async fn run(cli: Cli) -> Result<Exit> {
    cli.common.init_per_pod(
        "vault-leases",
        "it reads each pod's metrics and status through Kubernetes",
    )?;
    let session = Session::connect(&cli.common, &[]).await?;
    match cli.cmd.unwrap_or(Cmd::Status(StatusArgs::default())) {
        Cmd::Status(a) => status::run(&session, &a).await,
        Cmd::Top(a) => top::run(&session, &a).await,
        Cmd::Revoke(a) => revoke::run(&session, &a).await,
        Cmd::Resize(a) => resize::run(&session, &a).await,
        Cmd::Debug(a) => debug::run(&session, &a).await,
        Cmd::Tidy(a) => revoke::tidy(&session, &a).await,
    }
}

/// The counted, confirmed, throttled and resumable prefix revocation of `revoke`, for other
/// verbs that revoke leases (`kubectl vault-revoke leases`): one implementation.
pub async fn revoke_prefix(session: &Session, args: &RevokeArgs) -> Result<Exit> {
    revoke::run(session, args).await
}

/// The active node's target: every lease operation goes there. Fails closed (no leader means
/// no lease operation, never "no leases").
async fn active_node(session: &Session) -> Result<&Target> {
    session.leader(&session.views().await)
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_command_line_is_consistent() {
        vault_shared::cli::command::<super::Cli>().debug_assert();
    }
}
