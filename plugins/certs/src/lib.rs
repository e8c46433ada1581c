//! `kubectl vault-certs`: the runbook's "Certificate expiry" section as one verb — what every
//! pod really serves on its API port, judged against the CA the pods trust, the names clients
//! use and the certificate stored in the TLS Secret.

mod status;
mod x509;

use std::time::Duration;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use vault_shared::Exit;
use vault_shared::cli::{CommonArgs, parse_duration};
use vault_shared::session::Session;

#[derive(Parser, Debug)]
#[command(
    name = "kubectl vault-certs",
    about = "Check the TLS certificate every Vault pod really serves",
    long_about = "Without a subcommand (or with `status`), makes a TLS handshake with every Vault pod through a \
port-forward, with the server name clients use, and checks the certificate it serves: expiry, the chain against the \
CA the pods trust (ca.crt of the TLS Secret, or --ca-cert), the names in use (pod DNS names, Service names, the \
host in VAULT_ADDR, retry_join leader addresses), and whether it is the certificate stored in the TLS Secret. \
No Vault token is needed.",
    after_help = "Exit codes: 0 done and healthy; 1 failed (bad usage, API error); 2 done, but the cluster needs attention \
(a certificate inside the warning window or expired, a name not covered, an untrusted chain, a Secret renewed but not \
reloaded, a pod that could not be checked).\n\n\
Examples:\n  kubectl vault-certs -n vault\n  kubectl vault-certs -n vault status vault-0 --warn 45d\n  \
kubectl vault-certs -n vault -o json"
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
    #[command(flatten)]
    pub status: StatusArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Cmd {
    /// The certificate each pod serves, with findings (the default).
    Status(StatusArgs),
}

#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    /// Only these pods (default: every Vault pod).
    pub pods: Vec<String>,
    /// The TLS server name (SNI) to ask for (default: the Service name `<release>.<ns>.svc`).
    #[arg(long, value_name = "NAME")]
    pub server_name: Option<String>,
    /// A certificate (or CA) expiring within this needs attention.
    #[arg(long, default_value = "30d", value_name = "DURATION", value_parser = parse_duration)]
    pub warn: Duration,
    /// A certificate (or CA) expiring within this is critical.
    #[arg(long, default_value = "7d", value_name = "DURATION", value_parser = parse_duration)]
    pub critical: Duration,
}

/// Runs the verb the command line asks for; the exit code says how it went.
pub async fn run(cli: Cli) -> Result<Exit> {
    cli.common
        .init_per_pod("vault-certs", "it checks each pod through Kubernetes")?;
    let args = match cli.cmd {
        Some(Cmd::Status(a)) => a,
        None => cli.status,
    };
    if args.critical > args.warn {
        anyhow::bail!("--critical must not be longer than --warn");
    }
    let session = Session::connect(&cli.common, &args.pods).await?;
    status::run(&session, &args).await
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_command_line_is_consistent() {
        vault_shared::cli::command::<super::Cli>().debug_assert();
    }
}
