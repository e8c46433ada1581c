//! Shell completion, two ways:
//! - `kubectl-vault_<verb> completion bash|zsh|fish` prints a static script for the executable
//!   itself (from the clap definition);
//! - `kubectl-vault_<verb> __complete ARGS… WORD` answers kubectl's plugin completion protocol
//!   (kubectl 1.26+ runs `kubectl_complete-vault_<verb>` from PATH, which calls this): one
//!   candidate per line, `value<TAB>description`, then `:<directive>`. Pod names, namespaces and
//!   contexts come from the cluster.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Command, CommandFactory};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};

use crate::cli::KubeArgs;
use crate::cluster;

/// Cobra's directives, as kubectl reads them.
const NO_FILE_COMP: u8 = 4;
const DEFAULT: u8 = 0;

/// Handles `completion SHELL` and `__complete …`; None when argv is a normal invocation.
pub fn intercept<C: CommandFactory>() -> Option<ExitCode> {
    let args: Vec<String> = std::env::args().collect();
    let bin = std::path::Path::new(args.first()?)
        .file_name()?
        .to_string_lossy()
        .into_owned();
    match args.get(1).map(String::as_str) {
        Some("completion") if args.len() == 3 => Some(script::<C>(&bin, &args[2])),
        Some("__complete") => Some(dynamic::<C>(&args[2..])),
        _ => None,
    }
}

fn script<C: CommandFactory>(bin: &str, shell: &str) -> ExitCode {
    let shell = match shell {
        "bash" => clap_complete::Shell::Bash,
        "zsh" => clap_complete::Shell::Zsh,
        "fish" => clap_complete::Shell::Fish,
        other => {
            crate::output::error_line(&format!(
                "unknown shell {other:?}: expected bash, zsh or fish"
            ));
            return ExitCode::from(1);
        }
    };
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::command::<C>(), bin, &mut text);
    emit(&text)
}

/// Writes `text` to stdout. A reader that stops early (`completion bash | head`) is not an
/// error: clap_complete would panic on the closed pipe, so it writes to memory first.
fn emit(text: &[u8]) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            crate::output::error_line(&format!("writing the completion script: {e}"));
            ExitCode::from(1)
        }
    }
}

/// What to offer for the word being completed.
#[derive(Debug, PartialEq)]
pub enum Want {
    /// These fixed values.
    Values(Vec<(String, String)>),
    /// File names (the shell's own completion).
    Files,
    /// Names from the cluster.
    Pods,
    Namespaces,
    Contexts,
    /// Subcommands of the command, plus pods when it takes them.
    Words {
        subcommands: Vec<(String, String)>,
        pods: bool,
    },
}

fn takes_pods(cmd: &Command) -> bool {
    cmd.get_positionals().any(|a| {
        let id = a.get_id().as_str().to_lowercase();
        id.contains("pod") || id.contains("node")
    })
}

/// Decides what the last word of `args` should complete to, from the clap definition alone.
pub fn want(root: &Command, args: &[String]) -> Want {
    let (word, before) = match args.split_last() {
        Some((w, b)) => (w.as_str(), b),
        None => ("", &[][..]),
    };
    let mut cmd = root.clone();
    for a in before {
        if let Some(sub) = cmd.find_subcommand(a).cloned() {
            cmd = sub;
        }
    }
    if let Some(prev) = before.last().filter(|p| p.starts_with('-')) {
        let name = prev.trim_start_matches('-');
        let opt = cmd.get_arguments().find(|a| {
            a.get_long() == Some(name) || (name.len() == 1 && a.get_short() == name.chars().next())
        });
        if let Some(opt) = opt.filter(|o| o.get_action().takes_values()) {
            return match opt.get_id().as_str() {
                "output" => Want::Values(vec![
                    ("json".into(), "JSON".into()),
                    ("yaml".into(), "YAML".into()),
                ]),
                "namespace" => Want::Namespaces,
                "context" => Want::Contexts,
                "kubeconfig" | "keys_file" | "ca_cert" | "token_file" => Want::Files,
                _ => Want::Values(vec![]),
            };
        }
    }
    if word.starts_with('-') {
        let flags = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| {
                let long = format!("--{}", a.get_long()?);
                long.starts_with(word).then(|| {
                    (
                        long,
                        a.get_help().map(|h| h.to_string()).unwrap_or_default(),
                    )
                })
            })
            .collect();
        return Want::Values(flags);
    }
    let subcommands: Vec<(String, String)> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name().starts_with(word))
        .map(|s| {
            (
                s.get_name().to_string(),
                s.get_about().map(|h| h.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let pods = takes_pods(&cmd);
    if subcommands.is_empty() && pods {
        return Want::Pods;
    }
    Want::Words { subcommands, pods }
}

/// The kube flags among the words typed so far (`--kubeconfig`, `--context`, `-n`).
fn kube_args(args: &[String]) -> KubeArgs {
    let mut k = KubeArgs {
        selector: crate::cli::DEFAULT_SELECTOR.to_string(),
        request_timeout: Duration::from_secs(3),
        ..Default::default()
    };
    for pair in args.windows(2) {
        let value = pair[1].clone();
        match pair[0].as_str() {
            "--kubeconfig" => k.kubeconfig = Some(value.into()),
            "--context" => k.context = Some(value),
            "-n" | "--namespace" => k.namespace = Some(value),
            "-l" | "--selector" => k.selector = value,
            "--as" => k.as_user = Some(value),
            "--server" => k.server = Some(value),
            "--certificate-authority" => k.certificate_authority = Some(value.into()),
            _ => {}
        }
    }
    k
}

async fn cluster_names(want: &Want, args: &[String]) -> Vec<(String, String)> {
    if *want == Want::Contexts {
        return kube::config::Kubeconfig::read()
            .map(|kc| {
                kc.contexts
                    .into_iter()
                    .map(|c| (c.name, String::new()))
                    .collect()
            })
            .unwrap_or_default();
    }
    let Ok(kube) = cluster::connect(&kube_args(args)).await else {
        return Vec::new();
    };
    match want {
        Want::Namespaces => {
            let api: Api<Namespace> = Api::all(kube.client.clone());
            let list =
                tokio::time::timeout(Duration::from_secs(3), api.list(&ListParams::default()))
                    .await;
            list.ok()
                .and_then(Result::ok)
                .map(|l| {
                    l.items
                        .iter()
                        .filter_map(|n| n.metadata.name.clone())
                        .map(|n| (n, String::new()))
                        .collect()
                })
                .unwrap_or_default()
        }
        _ => kube
            .vault_pods(&[])
            .await
            .map(|pods| {
                pods.iter()
                    .map(|p| {
                        let state = if cluster::is_ready(p) {
                            "Ready"
                        } else {
                            "not Ready"
                        };
                        (
                            cluster::name(p).to_string(),
                            format!("{} pod, {state}", cluster::phase(p)),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn dynamic<C: CommandFactory>(args: &[String]) -> ExitCode {
    let root = crate::cli::command::<C>();
    let want = want(&root, args);
    let word = args.last().map(String::as_str).unwrap_or("");
    let (mut candidates, directive) = match &want {
        Want::Values(v) => (v.clone(), NO_FILE_COMP),
        Want::Files => (Vec::new(), DEFAULT),
        _ => {
            let mut words = match &want {
                Want::Words { subcommands, .. } => subcommands.clone(),
                _ => Vec::new(),
            };
            let lookup = matches!(
                want,
                Want::Pods | Want::Namespaces | Want::Contexts | Want::Words { pods: true, .. }
            );
            if lookup {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    let kind = if matches!(want, Want::Words { .. }) {
                        Want::Pods
                    } else {
                        want
                    };
                    words.extend(rt.block_on(cluster_names(&kind, args)));
                }
            }
            (words, NO_FILE_COMP)
        }
    };
    candidates.retain(|(c, _)| c.starts_with(word));
    for (value, help) in candidates {
        if help.is_empty() {
            println!("{value}");
        } else {
            println!("{value}\t{help}");
        }
    }
    println!(":{directive}");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction};

    fn cmd() -> Command {
        Command::new("kubectl-vault_x")
            .arg(Arg::new("pods").num_args(0..))
            .arg(
                Arg::new("output")
                    .short('o')
                    .long("output")
                    .help("Output format"),
            )
            .arg(Arg::new("keys_file").long("keys-file"))
            .arg(Arg::new("namespace").short('n').long("namespace"))
            .arg(
                Arg::new("reset")
                    .long("reset")
                    .action(ArgAction::SetTrue)
                    .help("Reset"),
            )
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn completes_flags_values_files_and_pods() {
        assert_eq!(
            want(&cmd(), &s(&["--re"])),
            Want::Values(vec![("--reset".into(), "Reset".into())])
        );
        assert!(matches!(want(&cmd(), &s(&["-o", ""])), Want::Values(v) if v.len() == 2));
        assert_eq!(want(&cmd(), &s(&["--keys-file", ""])), Want::Files);
        assert_eq!(want(&cmd(), &s(&["-n", "va"])), Want::Namespaces);
        assert_eq!(want(&cmd(), &s(&[""])), Want::Pods);
    }
}
