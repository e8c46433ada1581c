//! `kubectl vault-certs`: the runbook's "Certificate expiry" section as one verb — what every
//! pod really serves on its API port, judged against the CA the pods trust, the names clients
//! use and the certificate stored in the TLS Secret.

mod ca_secret;
mod cert_manager;
mod clients;
mod issue_client;
mod reissue;
mod renew;
mod status;
mod x509;

use std::time::Duration;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use vault_shared::Exit;
use vault_shared::cli::{CommonArgs, KeyArgs, parse_duration};
use vault_shared::confirm::ConfirmArgs;
use vault_shared::session::Session;

#[derive(Parser, Debug)]
#[command(
    name = "kubectl vault-certs",
    about = "Check the TLS certificate every Vault pod really serves",
    long_about = "Without a subcommand (or with `status`), makes a TLS handshake with every Vault pod through a \
port-forward, with the server name clients use, and checks the certificate it serves: expiry, the chain against the \
CA the pods trust (ca.crt of the TLS Secret, or --ca-cert), the names in use (pod DNS names, Service names, the \
host in VAULT_ADDR, retry_join leader addresses), and whether it is the certificate stored in the TLS Secret. \
`status` needs no Vault token. `renew` issues a new server certificate from Vault's PKI engine (or signs it with a CA \
key pair held in a Secret), writes the TLS Secret (keeping a backup; a Secret a cert-manager Certificate owns is reissued by cert-manager instead) and \
reloads every pod by SIGHUP, checking each serves it; `issue-client` writes a client \
certificate Secret.",
    after_help = "Exit codes: 0 done and healthy; 1 failed (bad usage, API error); 2 done, but the cluster needs attention \
(a certificate inside the warning window or expired, a name not covered, an untrusted chain, a Secret renewed but not \
reloaded, a pod that could not be checked, a cert-manager Certificate not Ready or failing to issue).\n\n\
Examples:\n  kubectl vault-certs -n vault\n  kubectl vault-certs -n vault status vault-0 --warn 45d\n  \
kubectl vault-certs -n vault -o json\n  \
kubectl vault-certs -n vault renew --role vault-server --dry-run\n  \
kubectl vault-certs -n vault renew --ca-secret vault-ca --ttl 2160h --yes\n  \
kubectl vault-certs -n vault renew --rollback --yes\n  \
kubectl vault-certs -n vault renew --yes   # a Secret cert-manager owns: it reissues\n  \
kubectl vault-certs -n vault issue-client app-client --secret-namespace app --secret app-tls\n  \
kubectl vault-certs -n vault clients --secret-namespace app"
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
    /// Issue a new server certificate from Vault's PKI engine (or a CA key pair in a Secret)
    /// into the TLS Secret, or have cert-manager reissue it when a Certificate owns the Secret;
    /// then reload every pod (SIGHUP; standbys first, the active node last) and check it serves it.
    Renew(RenewArgs),
    /// Issue a client certificate from Vault's PKI engine into a kubernetes.io/tls Secret
    /// (with ca.crt) in the application's namespace; the key is never printed.
    IssueClient(IssueClientArgs),
    /// Client certificates: TLS Secrets Vault's CA issued in the given namespaces and the
    /// certificates the cert auth method trusts, with expiry; the PKI engine's issued list.
    Clients(ClientsArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ClientsArgs {
    /// Namespaces whose TLS Secrets to check (repeatable; default: the Vault pods' namespace).
    #[arg(long, value_name = "NS")]
    pub secret_namespace: Vec<String>,
    /// The mount of Vault's PKI engine (its CA tells Vault's certificates from others).
    #[arg(long, default_value = "pki", value_name = "PATH")]
    pub pki_mount: String,
    /// The mount of the cert auth method (under auth/).
    #[arg(long, default_value = "cert", value_name = "PATH")]
    pub cert_mount: String,
    /// A certificate expiring within this needs attention.
    #[arg(long, default_value = "30d", value_name = "DURATION", value_parser = parse_duration)]
    pub warn: Duration,
    /// A certificate expiring within this is critical.
    #[arg(long, default_value = "7d", value_name = "DURATION", value_parser = parse_duration)]
    pub critical: Duration,
}

#[derive(Args, Debug, Clone)]
pub struct IssueClientArgs {
    /// The certificate's common name.
    pub name: String,
    /// The Secret to write (type kubernetes.io/tls).
    #[arg(long, value_name = "NAME")]
    pub secret: String,
    /// The namespace of the Secret (default: the Vault pods' namespace, -n).
    #[arg(long, value_name = "NS")]
    pub secret_namespace: Option<String>,
    /// The mount of Vault's PKI engine.
    #[arg(long, default_value = "pki", value_name = "PATH")]
    pub pki_mount: String,
    /// The PKI role to issue from.
    #[arg(long, default_value = "client", value_name = "ROLE")]
    pub role: String,
    /// The certificate's lifetime, as Vault takes it.
    #[arg(long, default_value = "2160h", value_name = "TTL")]
    pub ttl: String,
    /// Replacing an existing Secret asks first: --yes confirms, --dry-run shows the plan.
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Args, Debug, Clone)]
pub struct RenewArgs {
    /// The mount of Vault's PKI engine.
    #[arg(long, default_value = "pki", value_name = "PATH")]
    pub pki_mount: String,
    /// The PKI role to issue the certificate from.
    /// (Not needed when a cert-manager Certificate owns the Secret: cert-manager reissues.)
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// Sign the certificate here with the CA key pair in this Secret (tls.crt and tls.key, as
    /// cert-manager's CA issuer keeps it, or ca.crt and ca.key; an unencrypted PKCS#8 key)
    /// instead of Vault's PKI engine. Needs no Vault token.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["role", "rollback"])]
    pub ca_secret: Option<String>,
    /// The new certificate's lifetime, as Vault takes it (with --ca-secret: a number with a
    /// unit, s, m, h or d).
    #[arg(long, default_value = "8760h", value_name = "TTL")]
    pub ttl: String,
    /// The TLS Secret (default: the one the pods mount where VAULT_CACERT points).
    #[arg(long, value_name = "NAME")]
    pub secret: Option<String>,
    /// The TLS server name (SNI) for the checks (default: `<release>.<ns>.svc`).
    #[arg(long, value_name = "NAME")]
    pub server_name: Option<String>,
    /// Restart and unseal the pods one at a time instead of sending SIGHUP.
    #[arg(long)]
    pub restart: bool,
    /// Put back the Secret the last renew saved (`<secret>-backup`) and reload the pods.
    #[arg(long, conflicts_with = "role")]
    pub rollback: bool,
    /// How long each step may take: cert-manager to issue, each pod's volume to show the
    /// Secret, a restart.
    #[arg(long, default_value = "3m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Duration,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
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
    let cmd = cli.cmd.unwrap_or(Cmd::Status(cli.status));
    let (warn, critical) = match &cmd {
        Cmd::Status(a) => (a.warn, a.critical),
        Cmd::Clients(a) => (a.warn, a.critical),
        _ => (Duration::ZERO, Duration::ZERO),
    };
    if critical > warn {
        anyhow::bail!("--critical must not be longer than --warn");
    }
    // Renewal and issuing act on the whole StatefulSet: every pod.
    let connect = || Session::connect(&cli.common, &[]);
    match cmd {
        Cmd::Status(a) => {
            // The handshakes send the pods nothing: they start as soon as the pods are
            // listed, while the session reads their StatefulSet and CAs.
            let (session, early) =
                Session::connect_early(&cli.common, &a.pods, |kube, reads, pods| {
                    status::start_handshakes(kube, reads, pods, &cli.common.vault, &a)
                })
                .await?;
            status::run(&session, &a, early.unwrap_or_default()).await
        }
        Cmd::Renew(a) => renew::run(&connect().await?, &a).await,
        Cmd::IssueClient(a) => issue_client::run(&connect().await?, &a).await,
        Cmd::Clients(a) => clients::run(&connect().await?, &a).await,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_command_line_is_consistent() {
        vault_shared::cli::command::<super::Cli>().debug_assert();
    }
}
