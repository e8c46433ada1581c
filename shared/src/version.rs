//! What a plugin says about its own build: `--version`, and `kubectl vault-<verb> version
//! [-o json|yaml]` for bug reports.

use std::process::ExitCode;

use serde::Serialize;

/// The crate version, the git commit and the Rust target, as `--version` prints them.
pub const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("VAULT_GIT_COMMIT"),
    ", ",
    env!("VAULT_BUILD_TARGET"),
    ")"
);

#[derive(Debug, Serialize)]
pub struct Build {
    /// The krew plugin name (`vault-unseal`).
    pub plugin: String,
    pub version: &'static str,
    pub commit: &'static str,
    pub target: &'static str,
}

/// The build of the executable named `bin` (`kubectl-vault_unseal`).
pub fn build(bin: &str) -> Build {
    let bin = bin.trim_end_matches(".exe");
    Build {
        plugin: bin
            .strip_prefix("kubectl-")
            .unwrap_or(bin)
            .replace('_', "-"),
        version: env!("CARGO_PKG_VERSION"),
        commit: env!("VAULT_GIT_COMMIT"),
        target: env!("VAULT_BUILD_TARGET"),
    }
}

/// `version`, `version -o json|yaml`: the build, as text or data. None for other command
/// lines (a Vault pod is never called `version`: StatefulSet pods end in an ordinal).
pub fn intercept(args: &[String]) -> Option<ExitCode> {
    let bin = std::path::Path::new(args.first()?)
        .file_name()?
        .to_string_lossy()
        .into_owned();
    if args.get(1).map(String::as_str) != Some("version") {
        return None;
    }
    let format = match &args[2..] {
        [] => None,
        [flag, f] if flag == "-o" || flag == "--output" => Some(f.as_str()),
        [flag] if flag.starts_with("--output=") => flag.strip_prefix("--output="),
        _ => {
            crate::output::error_line("usage: version [-o json|yaml]");
            return Some(ExitCode::from(1));
        }
    };
    let b = build(&bin);
    let format = match format.map(str::parse::<crate::output::Format>).transpose() {
        Ok(f) => f.unwrap_or_default(),
        Err(e) => {
            crate::output::error_line(&e);
            return Some(ExitCode::from(1));
        }
    };
    let printed = match format {
        crate::output::Format::Table => {
            println!(
                "{} {} (commit {}, {})",
                b.plugin, b.version, b.commit, b.target
            );
            Ok(())
        }
        f => crate::output::print_data(f, &b),
    };
    Some(match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            crate::output::error_line(&format!("{e:#}"));
            ExitCode::from(1)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plugin_is_named_as_krew_names_it() {
        let b = build("kubectl-vault_unseal.exe");
        assert_eq!(b.plugin, "vault-unseal");
        assert_eq!(b.version, env!("CARGO_PKG_VERSION"));
        assert!(LONG.starts_with(env!("CARGO_PKG_VERSION")), "{LONG}");
        assert!(!b.target.is_empty() && !b.commit.is_empty());
    }

    #[test]
    fn only_the_version_command_is_taken() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(intercept(&args(&["kubectl-vault_unseal", "vault-0"])).is_none());
        assert!(intercept(&args(&["kubectl-vault_unseal"])).is_none());
    }
}
