//! Flags every plugin shares. kubectl does not pass its own flags to plugins, so each plugin
//! honours kubectl's connection flags itself (cli-runtime's ConfigFlags).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::output::Format;

/// The chart labels of Vault and OpenBao server pods.
pub const DEFAULT_SELECTOR: &str = "app.kubernetes.io/name in (vault,openbao),component=server";

#[derive(Args, Debug, Clone, Default)]
pub struct KubeArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// The kubeconfig cluster to use.
    #[arg(long, global = true)]
    pub cluster: Option<String>,
    /// The kubeconfig user to use.
    #[arg(long, global = true)]
    pub user: Option<String>,
    /// Username to impersonate for the operation (a user or a service account:
    /// system:serviceaccount:NS:NAME).
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,
    /// Group to impersonate for the operation (repeat for several).
    #[arg(
        long = "as-group",
        global = true,
        value_name = "GROUP",
        requires = "as_user"
    )]
    pub as_group: Vec<String>,
    /// UID to impersonate for the operation.
    #[arg(
        long = "as-uid",
        global = true,
        value_name = "UID",
        requires = "as_user"
    )]
    pub as_uid: Option<String>,
    /// The address and port of the Kubernetes API server (overrides the kubeconfig's).
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,
    /// Path to a CA certificate file (PEM) for the Kubernetes API server.
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        conflicts_with = "insecure_skip_tls_verify"
    )]
    pub certificate_authority: Option<PathBuf>,
    /// Do not check the Kubernetes API server's certificate (its connection becomes insecure).
    #[arg(long, global = true)]
    pub insecure_skip_tls_verify: bool,
    /// Namespace of the Vault pods (default: the context's namespace).
    #[arg(short = 'n', long, global = true)]
    pub namespace: Option<String>,
    /// Label selector for the Vault pods.
    #[arg(short = 'l', long, global = true, default_value = DEFAULT_SELECTOR)]
    pub selector: String,
    /// Only the pods of this StatefulSet (matched by owner).
    #[arg(long, global = true, value_name = "NAME")]
    pub statefulset: Option<String>,
    /// Timeout of each Kubernetes API request (1s, 2m, …; 0 = none).
    #[arg(long, global = true, default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
}

#[derive(Args, Debug, Clone, Default)]
pub struct OutputArgs {
    /// Output format: json|yaml (default: a table).
    #[arg(short = 'o', long, global = true, value_name = "FORMAT")]
    pub output: Option<Format>,
    /// Never colour the output (NO_COLOR is honoured too).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// More detail on stderr (-v, -vv).
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

impl OutputArgs {
    pub fn format(&self) -> Format {
        self.output.unwrap_or_default()
    }

    pub fn init(&self) {
        crate::output::init(self.no_color, self.verbose);
    }
}

/// A verb's command as users see it: the `name` its derive gives ("kubectl vault-x") is also
/// the name in usage lines, and every verb carries the suite's long version.
pub fn command<C: clap::CommandFactory>() -> clap::Command {
    let cmd = C::command().version(crate::version::LONG);
    let name = cmd.get_name().to_owned();
    cmd.bin_name(name)
}

/// Declares a verb's `Cli`: an optional subcommand of the verb's `Cmd` (none: the verb's
/// default) and the flags every verb takes. The attributes give the name and the help texts.
#[macro_export]
macro_rules! verb_cli {
    ($(#[$attr:meta])*) => {
        #[derive(clap::Parser, Debug)]
        $(#[$attr])*
        pub struct Cli {
            #[command(subcommand)]
            pub cmd: Option<Cmd>,
            #[command(flatten)]
            pub common: $crate::cli::CommonArgs,
        }
    };
}

/// The flags every verb takes: kubectl's connection flags, how to reach Vault, where a token
/// comes from, and the output.
#[derive(Args, Debug, Clone, Default)]
pub struct CommonArgs {
    #[command(flatten)]
    pub kube: KubeArgs,
    #[command(flatten)]
    pub vault: VaultArgs,
    #[command(flatten)]
    pub token: TokenArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

impl CommonArgs {
    /// Sets up the output, and refuses `--vault-addr` for a verb that must reach every pod
    /// through Kubernetes (one address cannot stand for each pod).
    pub fn init_per_pod(&self, verb: &str, why: &str) -> anyhow::Result<()> {
        self.out.init();
        if self.vault.vault_addr.is_some() {
            anyhow::bail!("--vault-addr is not supported by {verb}: {why}");
        }
        Ok(())
    }
}

/// How to reach Vault inside the pods.
#[derive(Args, Debug, Clone, Default)]
pub struct VaultArgs {
    /// CA certificate (PEM) to verify Vault's TLS certificate (default: discovered from the
    /// pod's VAULT_CACERT and the Secret mounted there).
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        conflicts_with = "tls_skip_verify"
    )]
    pub ca_cert: Option<PathBuf>,
    /// Server name to verify Vault's certificate against (default: the host in the pod's VAULT_ADDR).
    #[arg(long, global = true, value_name = "NAME")]
    pub tls_server_name: Option<String>,
    /// Do not verify Vault's TLS certificate. Never the default; prints a warning.
    #[arg(long, global = true)]
    pub tls_skip_verify: bool,
    /// Talk to this Vault address directly instead of port-forwarding to each pod.
    #[arg(long, global = true, value_name = "URL")]
    pub vault_addr: Option<String>,
    /// Vault's API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200).
    #[arg(long, global = true, value_name = "PORT")]
    pub vault_port: Option<u16>,
    /// Timeout of each Vault API request.
    #[arg(long, global = true, default_value = "30s", value_parser = parse_duration)]
    pub vault_timeout: Duration,
}

/// Where a Vault token comes from (never argv).
#[derive(Args, Debug, Clone, Default)]
pub struct TokenArgs {
    /// File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token.
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}

/// Where unseal keys come from (never argv). Without either, the plugin prompts on the terminal.
#[derive(Args, Debug, Clone, Default)]
pub struct KeyArgs {
    /// File with the keys: the JSON `vault operator init -format=json` writes, or one key per
    /// line (base64 or hex). `-` reads stdin.
    #[arg(
        long,
        global = true,
        value_name = "PATH",
        conflicts_with = "keys_secret"
    )]
    pub keys_file: Option<PathBuf>,
    /// A Kubernetes Secret holding the keys: NAME or NAME/KEY.
    #[arg(long, global = true, value_name = "NAME[/KEY]")]
    pub keys_secret: Option<String>,
}

impl KeyArgs {
    pub fn given(&self) -> bool {
        self.keys_file.is_some() || self.keys_secret.is_some()
    }
}

/// Parses kubectl-style durations: `30s`, `2m`, `1h`, `500ms`, a bare number of seconds, `0`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let err = || format!("invalid duration {s:?}: use a number with a unit, e.g. 30s, 2m, 1h, 30d");
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let idx = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(idx);
    let n: f64 = num.parse().map_err(|_| err())?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        _ => return Err(err()),
    };
    // A value too large for a Duration is a usage error, never a panic.
    Duration::try_from_secs_f64(secs).map_err(|_| {
        format!("invalid duration {s:?}: too large (use a number with a unit, e.g. 30s, 2m, 1h)")
    })
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
        assert!(parse_duration("1e400").is_err());
    }
}
