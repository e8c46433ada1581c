//! `--why`: why each pod sealed, for the post-incident record — the container's last
//! termination, the seal-related lines of its current and previous logs (through the
//! Kubernetes logs API, no exec), and its recent warning Events.

use anyhow::Result;
use serde::Serialize;
use vault_shared::cluster::{self, Kube, Termination};
use vault_shared::k8s_openapi::api::core::v1::Pod;
use vault_shared::output::{self, Format};
use vault_shared::target::Target;
use vault_shared::{Exit, fanout, ha};

use crate::Cli;

const LOG_TAIL: i64 = 500;
const KEEP_LINES: usize = 10;

#[derive(Debug, Serialize)]
pub struct EventLine {
    pub time: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub reason: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Why {
    pub pod: String,
    pub sealed: Option<bool>,
    pub restarts: i32,
    pub created: Option<String>,
    pub last_termination: Option<Termination>,
    /// The most likely cause, in one line.
    pub cause: String,
    /// Seal-related lines of the current container's log.
    pub log: Vec<String>,
    /// Seal-related lines of the previous container's log (after a restart).
    pub previous_log: Vec<String>,
    pub events: Vec<EventLine>,
}

/// Words of log lines that tell why a node sealed or would not unseal.
pub const SEAL_WORDS: &[&str] = &["seal", "shutdown", "kms", "transit", "panic", "error"];

/// The last `keep` lines of `log` that hold one of `words` (case-insensitive).
pub fn matching_lines(log: &str, words: &[&str], keep: usize) -> Vec<String> {
    let lines: Vec<String> = log
        .lines()
        .filter(|l| {
            let l = l.to_lowercase();
            words.iter().any(|w| l.contains(w))
        })
        .map(str::to_string)
        .collect();
    lines[lines.len().saturating_sub(keep)..].to_vec()
}

fn cause(sealed: Option<bool>, term: Option<&Termination>, log: &[String], pod: &Pod) -> String {
    if sealed == Some(false) {
        return "not sealed".into();
    }
    if let Some(t) = term {
        let how = match (t.reason.as_str(), t.exit_code) {
            ("OOMKilled", _) => "the container was OOM-killed".to_string(),
            (_, 137) => "the container was killed (SIGKILL, exit 137)".to_string(),
            (_, 143) => "the container was stopped (SIGTERM, exit 143)".to_string(),
            (r, c) => format!("the container exited ({r}, exit {c})"),
        };
        return format!(
            "{how} and restarted; a Shamir-sealed Vault comes back sealed after every restart"
        );
    }
    // Sealed after having been unsealed in this container's life.
    let last = |needles: &[&str]| {
        log.iter()
            .rposition(|l| needles.iter().any(|n| l.contains(n)))
    };
    let sealed_by_api = matches!(
        (last(&["vault is unsealed"]), last(&["vault is sealed", "marked as sealed"])),
        (Some(u), Some(s)) if s > u
    );
    if sealed_by_api {
        return "sealed while running (a `vault operator seal` / sys/seal call, or a seal after an error); see the log lines".into();
    }
    let created = cluster::created(pod).unwrap_or_default();
    format!(
        "the pod started sealed (created {created}): it was (re)created, and Shamir-sealed pods start sealed"
    )
}

/// The shared probe of the pod (`sealed`) with this verb's own columns: logs, termination,
/// Events, and the cause read from them.
async fn one(kube: &Kube, t: &Target, sealed: Option<bool>) -> Why {
    let pod = kube
        .pod(&t.name)
        .await
        .ok()
        .flatten()
        .or_else(|| t.pod.clone())
        .unwrap_or_default();
    let restarts = cluster::restarts(&pod);
    // The cause is read from every seal-related line of the tail; only the last few are shown.
    let mut log = kube
        .logs(&t.name, LOG_TAIL, false)
        .await
        .map(|l| matching_lines(&l, SEAL_WORDS, usize::MAX))
        .unwrap_or_else(|e| vec![format!("(log unavailable: {e:#})")]);
    let previous_log = if restarts > 0 {
        kube.logs(&t.name, LOG_TAIL, true)
            .await
            .map(|l| matching_lines(&l, SEAL_WORDS, KEEP_LINES))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut events: Vec<EventLine> = kube
        .events_for(&t.name)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|e| {
            e.type_.as_deref() == Some("Warning")
                || e.reason
                    .as_deref()
                    .is_some_and(|r| r.contains("Unseal") || r == "Killing" || r == "Started")
        })
        .map(|e| EventLine {
            time: cluster::event_time(&e).map(|t| t.to_string()),
            kind: e.type_.unwrap_or_default(),
            reason: e.reason.unwrap_or_default(),
            message: e.message.unwrap_or_default(),
        })
        .collect();
    let events = events.split_off(events.len().saturating_sub(KEEP_LINES));
    let term = cluster::last_termination(&pod);
    Why {
        pod: t.name.clone(),
        cause: cause(sealed, term.as_ref(), &log, &pod),
        log: log.split_off(log.len().saturating_sub(KEEP_LINES)),
        sealed,
        restarts,
        created: cluster::created(&pod),
        last_termination: term,
        previous_log,
        events,
    }
}

pub async fn run(kube: &Kube, targets: &[Result<Target>], cli: &Cli) -> Result<Exit> {
    let views = ha::observe(targets).await;
    let ok: Vec<(&Target, Option<bool>)> = targets
        .iter()
        .zip(&views)
        .filter_map(|(t, v)| Some((t.as_ref().ok()?, v.sealed)))
        .collect();
    let whys: Vec<Why> = fanout::each(&ok, |(t, sealed)| one(kube, t, *sealed)).await;
    let exit = if whys.iter().all(|w| w.sealed == Some(false)) {
        Exit::Healthy
    } else {
        Exit::Attention
    };
    match cli.common.out.format() {
        Format::Table => {
            for w in &whys {
                let state = match w.sealed {
                    Some(true) => "sealed",
                    Some(false) => "unsealed",
                    None => "unreachable",
                };
                println!(
                    "{}: {state}, {} restart(s) — {}",
                    w.pod, w.restarts, w.cause
                );
                for (title, lines) in [
                    ("log", &w.log),
                    ("previous container's log", &w.previous_log),
                ] {
                    if !lines.is_empty() {
                        println!("  {title}:");
                        for l in lines {
                            println!("    {l}");
                        }
                    }
                }
                if !w.events.is_empty() {
                    println!("  events:");
                    for e in &w.events {
                        println!(
                            "    {} {} {}: {}",
                            e.time.as_deref().unwrap_or("-"),
                            e.kind,
                            e.reason,
                            e.message
                        );
                    }
                }
                println!();
            }
        }
        f => output::print_data(
            f,
            &serde_json::json!({"namespace": kube.namespace, "pods": whys, "exit_code": exit.code()}),
        )?,
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(reason: &str, exit_code: i32) -> Termination {
        Termination {
            reason: reason.into(),
            exit_code,
            finished_at: None,
        }
    }

    fn lines(ls: &[&str]) -> Vec<String> {
        ls.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn the_last_termination_names_the_signal() {
        let pod = Pod::default();
        let sealed = Some(true);
        for (t, starts) in [
            (term("OOMKilled", 137), "the container was OOM-killed"),
            (
                term("Error", 137),
                "the container was killed (SIGKILL, exit 137)",
            ),
            (
                term("Error", 143),
                "the container was stopped (SIGTERM, exit 143)",
            ),
            (term("Error", 1), "the container exited (Error, exit 1)"),
        ] {
            let c = cause(sealed, Some(&t), &[], &pod);
            assert!(c.starts_with(starts), "{c}");
            assert!(c.contains("and restarted"), "{c}");
        }
    }

    #[test]
    fn a_seal_after_the_unseal_in_the_same_log_is_a_seal_while_running() {
        let pod = Pod::default();
        let log = lines(&["core: vault is unsealed", "core: marked as sealed"]);
        assert!(cause(Some(true), None, &log, &pod).starts_with("sealed while running"));
        // Unsealed after the seal, or never unsealed: the pod started sealed.
        let log = lines(&["core: vault is sealed", "core: vault is unsealed"]);
        assert!(cause(Some(true), None, &log, &pod).starts_with("the pod started sealed"));
        assert!(cause(Some(true), None, &[], &pod).starts_with("the pod started sealed"));
        assert_eq!(
            cause(Some(false), Some(&term("Error", 137)), &[], &pod),
            "not sealed"
        );
    }
}
