//! `kubectl vault-raft`: the runbook's "Vault Leader Election Failure" and "Storage Backend
//! Issues" sections (and the emergency backup of "Complete Cluster Failure") as verbs.

mod autopilot;
#[cfg(test)]
mod fixture;
mod join;
mod leader;
mod peers;
mod rejoin;
mod remove_peer;
mod snapshot;
pub mod status;
mod step_down;
mod storage;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use vault_shared::Exit;
use vault_shared::cli::{CommonArgs, KeyArgs, parse_duration};
use vault_shared::confirm::ConfirmArgs;

#[derive(Parser, Debug)]
#[command(
    name = "kubectl vault-raft",
    about = "Raft health, leader election, peers, rejoin, autopilot, snapshots and storage of a Vault/OpenBao StatefulSet",
    long_about = "Without a subcommand, shows the cluster as every pod sees it (status) and flags what needs attention: \
no leader, pods that disagree about the leader, raft peers without a pod, pods not in the raft configuration, \
node-ID drift, lagging followers, lowered failure tolerance.\n\
Talks to each pod's Vault API over a port-forward; leader-only calls go to the leader pod. \
A Vault token comes from --token-file, VAULT_TOKEN or ~/.vault-token, never from argv; unseal keys from \
--keys-file, --keys-secret or a prompt, as with vault-unseal.",
    after_help = "Exit codes: 0 done and healthy; 1 failed (bad usage, API error, refused, timeout); 2 done, but the cluster needs attention.\n\n\
Examples:\n  kubectl vault-raft -n vault --token-file ~/.vault-token\n  kubectl vault-raft step-down --all\n  \
kubectl vault-raft remove-peer vault-2 --dry-run\n  kubectl vault-raft rejoin vault-2 --keys-file init.json\n  \
kubectl vault-raft autopilot --set cleanup_dead_servers=true,min_quorum=3,dead_server_last_contact_threshold=10m\n  \
kubectl vault-raft snapshot save backup.snap\n  kubectl vault-raft storage --threshold 70"
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Every pod's view of the cluster, the raft configuration and what needs attention (the default).
    Status(StatusArgs),
    /// The raft configuration from the leader, with the pod behind each peer and its autopilot health.
    Peers,
    /// Which pod is the active node, as every pod sees it.
    Leader,
    /// Make the active node step down (or every node, --all) and wait for a new leader.
    StepDown(StepDownArgs),
    /// Join a pod that is not in the cluster, then unseal it when keys are given.
    Join(JoinArgs),
    /// Remove a raft peer through the leader (refuses the leader and quorum loss without --force).
    RemovePeer(RemovePeerArgs),
    /// Remove a pod's peer, clear its raft data, recreate it, join, unseal, and wait until it is a healthy voter.
    Rejoin(RejoinArgs),
    /// Autopilot state and configuration; --set changes the configuration.
    Autopilot(AutopilotArgs),
    /// Save a snapshot from the leader, or restore one.
    #[command(subcommand)]
    Snapshot(SnapshotCmd),
    /// Each pod's data volume: capacity, used, percent; raft storage errors from metrics.
    Storage(StorageArgs),
}

#[derive(Args, Debug, Default)]
pub struct StatusArgs {
    /// Only these pods (default: every Vault pod).
    pub pods: Vec<String>,
}

#[derive(Args, Debug)]
pub struct StepDownArgs {
    /// The pod to step down; it must be the active node (default: the active node).
    #[arg(conflicts_with = "all")]
    pub pod: Option<String>,
    /// Step down on every unsealed pod (the runbook's "force a new election").
    #[arg(long)]
    pub all: bool,
    /// How long to wait for a new leader.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Step down even when no healthy standby can take over (or none can be confirmed).
    #[arg(long)]
    pub force: bool,
    /// Only print what would be asked; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args, Debug)]
pub struct JoinArgs {
    /// The pod to join.
    pub pod: String,
    /// The leader's API address (default: the active node's, as it advertises it).
    #[arg(long, value_name = "URL")]
    pub leader: Option<String>,
    /// Server name the joining node verifies the leader's certificate against.
    #[arg(long, value_name = "NAME")]
    pub leader_tls_server_name: Option<String>,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// How long to wait for the pod to become a healthy voter.
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    pub timeout: Duration,
}

#[derive(Args, Debug)]
pub struct RemovePeerArgs {
    /// The raft node ID (as `peers` lists it).
    pub node_id: String,
    /// Remove the leader, or a peer whose removal loses quorum.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Args, Debug)]
pub struct RejoinArgs {
    /// The pod to rejoin.
    pub pod: String,
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Go ahead even if removing the pod's peer loses quorum.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    /// Where the pod's raft data lives (default: the mount path of its data PVC).
    #[arg(long, value_name = "PATH")]
    pub data_dir: Option<String>,
    /// How long to wait for each step (pod recreated, healthy voter).
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    pub timeout: Duration,
}

#[derive(Args, Debug)]
pub struct AutopilotArgs {
    /// Change settings: key=value,… (cleanup_dead_servers, dead_server_last_contact_threshold,
    /// last_contact_threshold, max_trailing_logs, min_quorum, server_stabilization_time).
    #[arg(long, value_name = "KEY=VALUE,...", value_delimiter = ',')]
    pub set: Vec<String>,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Subcommand, Debug)]
pub enum SnapshotCmd {
    /// Stream a snapshot from the leader into FILE (mode 0600); prints its size and sha256.
    Save {
        file: PathBuf,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Restore FILE into the cluster through the leader, then check every pod.
    Restore {
        file: PathBuf,
        /// Restore a snapshot taken on another cluster (its unseal keys replace this cluster's).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        confirm: ConfirmArgs,
        /// How long to wait for the upload and for the cluster to be healthy afterwards.
        #[arg(long, default_value = "2m", value_parser = parse_duration)]
        timeout: Duration,
    },
}

#[derive(Args, Debug)]
pub struct StorageArgs {
    /// Only these pods (default: every Vault pod).
    pub pods: Vec<String>,
    /// Percent used above which a volume needs attention (exit 2).
    #[arg(long, default_value_t = 80.0)]
    pub threshold: f64,
}

/// Runs the verb the command line asks for; the exit code says how it went.
pub async fn run(cli: Cli) -> Result<Exit> {
    cli.common.init_per_pod(
        "vault-raft",
        "it works on each pod through its own port-forward (select pods with -n and -l)",
    )?;
    if cli.common.vault.tls_skip_verify {
        vault_shared::output::warn(
            "--tls-skip-verify: Vault's certificate is not checked; the token could reach an impostor",
        );
    }
    match &cli.cmd {
        None => status::run(&cli, &StatusArgs::default()).await,
        Some(Cmd::Status(a)) => status::run(&cli, a).await,
        Some(Cmd::Peers) => peers::run(&cli).await,
        Some(Cmd::Leader) => leader::run(&cli).await,
        Some(Cmd::StepDown(a)) => step_down::run(&cli, a).await,
        Some(Cmd::Join(a)) => join::run(&cli, a).await,
        Some(Cmd::RemovePeer(a)) => remove_peer::run(&cli, a).await,
        Some(Cmd::Rejoin(a)) => rejoin::run(&cli, a).await,
        Some(Cmd::Autopilot(a)) => autopilot::run(&cli, a).await,
        Some(Cmd::Snapshot(s)) => snapshot::run(&cli, s).await,
        Some(Cmd::Storage(a)) => storage::run(&cli, a).await,
    }
}
