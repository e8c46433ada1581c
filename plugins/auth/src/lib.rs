//! `kubectl vault-auth`: the runbook's "Authentication failures" section as one verb — Vault's
//! Kubernetes auth method checked against the cluster from outside, and a login whose failure
//! is named rather than "permission denied".

mod check;
mod cluster;
mod fix;
mod login;

use anyhow::Result;
use clap::{Args, Subcommand};
use vault_shared::Exit;
use vault_shared::cli::parse_duration;
use vault_shared::confirm::ConfirmArgs;
use vault_shared::session::Session;

vault_shared::verb_cli! {
    #[command(
        name = "kubectl vault-auth",
        about = "Check Vault's Kubernetes auth method against the cluster, and name why a login fails",
        long_about = "Without a subcommand (or with `check`), reads the auth method's config and roles through the Vault API and \
checks them against the cluster: kubernetes_host, the CA, the issuer, the reviewer and every role's bindings. \
`login` mints a short-lived service-account token (never printed), logs in, and on failure names the cause.\n\
The token (--token-file, VAULT_TOKEN or ~/.vault-token) needs read on auth/<mount>/config and auth/<mount>/role.",
        after_help = "Exit codes: 0 done and healthy; 1 failed (bad usage, API error, a failed login); 2 done, but the auth method \
needs attention.\n\n\
Examples:\n  kubectl vault-auth -n vault\n  kubectl vault-auth -n vault check --mount kubernetes --reviewer vault/vault-reviewer\n  \
kubectl vault-auth -n vault login proxy-api --service-account default/proxy-api\n  \
kubectl vault-auth -n vault fix --local-token --dry-run\n  \
kubectl vault-auth -n vault fix --reviewer vault/vault-reviewer --dry-run"
    )]
}

#[derive(Subcommand, Debug, Clone)]
pub enum Cmd {
    /// Check the auth method's config and roles against the cluster (the default).
    Check(CheckArgs),
    /// Log in as a service account with a freshly minted token; name the cause of a failure.
    Login(LoginArgs),
    /// Rewrite the config with what `check` finds right (host, CA, issuer, local-token mode
    /// or a fresh reviewer token); shows the change and asks first.
    Fix(FixArgs),
}

#[derive(Args, Debug, Clone)]
pub struct FixArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// Write this as kubernetes_host (default: this cluster's API when the configured host is
    /// wrong).
    #[arg(long, value_name = "URL")]
    pub kubernetes_host: Option<String>,
    /// Local-token mode (recommended): no reviewer JWT, Vault reviews tokens with its pods'
    /// own service-account token, which the kubelet renews; that account must be allowed to
    /// create tokenreviews.
    #[arg(long, conflicts_with = "reviewer")]
    pub local_token: bool,
    /// Write the CA of ConfigMap kube-root-ca.crt even when the configured one looks right.
    #[arg(long)]
    pub ca_from_cluster: bool,
    /// How long the reviewer token minted for --reviewer is valid (Vault cannot renew it).
    #[arg(long, default_value = "8760h", value_name = "DURATION", value_parser = parse_duration)]
    pub reviewer_ttl: std::time::Duration,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Args, Debug, Clone, Default)]
pub struct CheckArgs {
    /// The auth method's mount path.
    #[arg(long, default_value = "kubernetes", value_name = "PATH")]
    pub mount: String,
    /// The service account the configured token_reviewer_jwt belongs to (Vault never
    /// returns the JWT, so this names it): checked to exist and to be allowed to create
    /// tokenreviews.
    #[arg(long, value_name = "NS/NAME")]
    pub reviewer: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct LoginArgs {
    /// The role to log in with.
    pub role: String,
    /// The service account to log in as.
    #[arg(long, value_name = "NS/NAME")]
    pub service_account: String,
    /// The audience of the minted token (default: the role's audience, else the API's).
    #[arg(long, value_name = "A")]
    pub audience: Option<String>,
    /// Use the service-account token in this file (- for stdin) instead of minting one.
    #[arg(long, value_name = "PATH")]
    pub jwt_file: Option<std::path::PathBuf>,
    /// Keep the Vault token the login made (default: revoke it at once).
    #[arg(long)]
    pub keep: bool,
    #[command(flatten)]
    pub check: CheckArgs,
}

/// Runs the verb the command line asks for; the exit code says how it went.
pub async fn run(cli: Cli) -> Result<Exit> {
    cli.common.out.init();
    let session = Session::connect(&cli.common, &[]).await?;
    match cli.cmd.unwrap_or(Cmd::Check(CheckArgs {
        mount: "kubernetes".into(),
        reviewer: None,
    })) {
        Cmd::Check(a) => check::run(&session, &a).await,
        Cmd::Login(a) => login::run(&session, &a).await,
        Cmd::Fix(a) => fix::run(&session, &a).await,
    }
}

/// `NS/NAME` split in two.
pub fn split_sa(s: &str) -> Result<(String, String)> {
    match s.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok((ns.to_string(), name.to_string()))
        }
        _ => anyhow::bail!("expected NAMESPACE/NAME for a service account, got {s:?}"),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_command_line_is_consistent() {
        vault_shared::cli::command::<super::Cli>().debug_assert();
    }

    #[test]
    fn service_accounts_are_namespace_slash_name() {
        assert_eq!(
            super::split_sa("default/proxy-api").unwrap(),
            ("default".to_string(), "proxy-api".to_string())
        );
        assert!(super::split_sa("proxy-api").is_err());
        assert!(super::split_sa("a/b/c").is_err());
    }
}
