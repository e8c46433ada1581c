//! `kubectl vault-revoke`: the runbook's "Secret leak response" as one verb — where a leaked
//! credential was used (the audit logs, by HMAC), cutting it off, and the trail of what was
//! done. No secret is ever taken on the command line or printed.

mod audit_enable;
mod audit_log;
mod consumers;
mod credential;
mod database;
mod kv;
mod policy;
mod policy_users;
mod respond;
mod rotate;
pub mod scan;
mod tighten;
mod token;

use std::time::Duration;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use vault_shared::Exit;
use vault_shared::cli::{CommonArgs, parse_duration};
use vault_shared::confirm::ConfirmArgs;
use vault_shared::session::Session;

pub use credential::CredentialArgs;
pub use scan::path_matches;

#[derive(Parser, Debug)]
#[command(
    name = "kubectl vault-revoke",
    about = "Respond to a leaked Vault credential: find where it was used, revoke it, and leave a trail",
    long_about = "`scan` streams every pod's file audit log out through the Kubernetes API and reports failures, request counts, \
and every request a leaked token (found by the audit device's HMAC of it, never printed), an accessor or a path made. \
`token` looks a leaked token up by its accessor, shows it, asks, revokes it with the tokens it created, and checks it is gone.\n\
A leaked token comes from a file (--leaked-token-file), never from the command line. Your own token \
(--token-file, VAULT_TOKEN or ~/.vault-token) needs sudo on sys/audit, update on sys/audit-hash/* and on \
auth/token/lookup, lookup-accessor and revoke-accessor.",
    after_help = "Exit codes: 0 done; 1 failed (bad usage, bad input, API error, permission denied, a token still there after \
revoking); 2 done, but an audit log could not be read (the scan is incomplete).\n\n\
Examples:\n  kubectl vault-revoke -n vault scan --since 24h\n  \
kubectl vault-revoke -n vault scan --leaked-token-file leaked.txt -o json\n  \
kubectl vault-revoke -n vault scan --path secret/app/db\n  \
kubectl vault-revoke -n vault token --accessor-file accessor.txt --dry-run\n  \
kubectl vault-revoke -n vault token --leaked-token-file leaked.txt --yes\n  \
kubectl vault-revoke -n vault leases auth/token/create/ci --dry-run"
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Cmd {
    /// Read the audit logs of every pod: failures, counts, and the uses of a token, accessor or path.
    Scan(ScanArgs),
    /// Look a leaked token up, confirm, revoke it (with the tokens it created), check it is gone.
    Token(TokenArgs),
    /// Revoke every lease under a prefix: counted, confirmed, throttled and resumable
    /// (`kubectl vault-leases revoke`).
    Leases(kubectl_vault_leases::RevokeArgs),
    /// Destroy a KV secret's versions, or delete its whole history (KV v1 or v2, from the mount).
    Kv(KvArgs),
    /// New secrets: KV fields (random, never printed), database root or static-role passwords.
    Rotate(RotateArgs),
    /// Show a policy (broad grants flagged, the roles that hand it out); --tighten-to rewrites it.
    Policy(PolicyArgs),
    /// The whole response: scan for the token, revoke it and its children, destroy and rotate
    /// the named secrets, and a timeline report.
    Respond(RespondArgs),
    /// Enable a file audit device: through the API, or on OpenBao in the server configuration
    /// with the pods restarted one at a time and unsealed.
    AuditEnable(AuditEnableArgs),
}

#[derive(Args, Debug, Clone)]
pub struct AuditEnableArgs {
    /// The file the device writes, inside the pods [default: audit-detailed.log on the
    /// pods' audit volume, /vault/audit or /openbao/audit].
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// The device's name (its path under sys/audit).
    #[arg(long, default_value = "detailed", value_name = "NAME")]
    pub name: String,
    /// Log request and response values in clear (secrets included): type the namespace to confirm.
    #[arg(long)]
    pub log_raw: bool,
    /// How long each pod may take to come back unsealed and Ready.
    #[arg(long, default_value = "5m", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    #[command(flatten)]
    pub keys: vault_shared::cli::KeyArgs,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Args, Debug, Clone, Default)]
pub struct RespondArgs {
    #[command(flatten)]
    pub credential: CredentialArgs,
    /// Scan only entries from this long ago on.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub since: Option<Duration>,
    /// A KV secret the token read: destroy its versions (repeatable).
    #[arg(long, value_name = "PATH")]
    pub kv: Vec<String>,
    /// A KV field to give a new random value: PATH:FIELD (repeatable).
    #[arg(long, value_name = "PATH:FIELD")]
    pub rotate: Vec<String>,
    /// Write the timeline to FILE.json and FILE.md (0600).
    #[arg(long, value_name = "FILE")]
    pub report: Option<std::path::PathBuf>,
    /// Overwrite existing report files.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Args, Debug, Clone, Default)]
pub struct PolicyArgs {
    /// The ACL policy.
    pub name: String,
    /// Keep only these grants: PATH:CAPS (secret/data/app/db:read,list), repeatable.
    #[arg(long, value_name = "PATH:CAPS")]
    pub tighten_to: Vec<String>,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

/// The characters of a generated value.
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default)]
pub enum Alphabet {
    #[default]
    Alnum,
    Hex,
    Base64url,
}

#[derive(Args, Debug, Clone, Default)]
#[group(id = "what", required = true, multiple = false, args = ["kv", "db_connection", "db_static_role"])]
pub struct RotateArgs {
    /// The KV secret whose fields get new random values (a new version on KV v2).
    #[arg(long, value_name = "PATH")]
    pub kv: Option<String>,
    /// A field of --kv to rotate (repeatable).
    #[arg(long = "field", value_name = "NAME", requires = "kv")]
    pub fields: Vec<String>,
    /// Length of each generated value.
    #[arg(long, default_value_t = 32, value_name = "N", value_parser = clap::value_parser!(u16).range(8..=4096), requires = "kv")]
    pub length: u16,
    /// Characters of each generated value.
    #[arg(long, value_enum, default_value_t = Alphabet::Alnum, requires = "kv")]
    pub alphabet: Alphabet,
    /// Take the new value of the one --field from this file (- for stdin) instead.
    #[arg(long, value_name = "PATH", requires = "kv")]
    pub from_file: Option<std::path::PathBuf>,
    /// Rotate the root credentials of this database connection (rotate-root).
    #[arg(long, value_name = "NAME")]
    pub db_connection: Option<String>,
    /// Rotate the password of this database static role (rotate-role).
    #[arg(long, value_name = "NAME")]
    pub db_static_role: Option<String>,
    /// The database secrets engine's mount.
    #[arg(long, default_value = "database", value_name = "PATH")]
    pub db_mount: String,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Args, Debug, Clone, Default)]
pub struct KvArgs {
    /// The secret, as the CLI names it (secret/app/db).
    pub path: String,
    /// The versions to destroy (KV v2): all, or numbers such as 1,3.
    #[arg(long, value_name = "all|N,M", conflicts_with = "delete_metadata")]
    pub versions: Option<String>,
    /// Delete the metadata and every version (permanent; on a terminal, type the path to confirm).
    #[arg(long)]
    pub delete_metadata: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Args, Debug, Clone, Default)]
pub struct ScanArgs {
    /// Only entries from this long ago on (30m, 24h, 7d).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub since: Option<Duration>,
    #[command(flatten)]
    pub credential: CredentialArgs,
    /// The requests on this path or under it (KV v2's data/metadata forms included).
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct TokenArgs {
    #[command(flatten)]
    pub credential: CredentialArgs,
    /// Revoke the token alone: the tokens it created stay valid (needs --leaked-token-file).
    #[arg(long)]
    pub orphan: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

/// Runs the verb the command line asks for; the exit code says how it went.
pub async fn run(cli: Cli) -> Result<Exit> {
    cli.common.out.init();
    let session = Session::connect(&cli.common, &[]).await?;
    match cli.cmd {
        Cmd::Scan(a) => scan::run(&session, &a).await,
        Cmd::Token(a) => token::run(&session, &a).await,
        Cmd::Leases(a) => kubectl_vault_leases::revoke_prefix(&session, &a).await,
        Cmd::Kv(a) => kv::run(&session, &a).await,
        Cmd::Rotate(a) => rotate::run(&session, &a).await,
        Cmd::Policy(a) => tighten::run(&session, &a).await,
        Cmd::Respond(a) => respond::run(&session, &a).await,
        Cmd::AuditEnable(a) => audit_enable::run(&session, &a).await,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_command_line_is_consistent() {
        vault_shared::cli::command::<super::Cli>().debug_assert();
    }

    #[test]
    fn audit_stanzas_are_read_from_the_configuration() {
        let hcl = "ui = true\naudit \"file\" \"file\" {\n  options {\n    file_path = \"/vault/audit/audit.log\"\n  }\n}\naudit \"socket\" \"s\" {\n options { address = \"x\" }\n}\naudit \"file\" \"second/\" {\n options {\n file_path=\"/vault/audit/b.log\"\n }\n}\n";
        assert_eq!(
            super::scan::parse_audit_stanzas(hcl),
            [
                ("file".to_string(), "/vault/audit/audit.log".to_string()),
                ("second".to_string(), "/vault/audit/b.log".to_string())
            ]
        );
    }

    #[test]
    fn paths_match_in_kv_v2_form_too() {
        use super::path_matches;
        assert!(path_matches("secret/app/db", "secret/app/db"));
        assert!(path_matches("secret/app/db", "secret/data/app/db"));
        assert!(path_matches("secret/app", "secret/metadata/app/db"));
        assert!(!path_matches("secret/app/db", "secret/data/app/dbx"));
        assert!(!path_matches("secret/app/db", "other/data/app/db"));
    }
}
