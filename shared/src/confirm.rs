//! Destructive actions ask first: the plan is shown and confirmed on a terminal, `--yes`
//! confirms for scripts, `--dry-run` stops after the plan. Without a terminal and without
//! `--yes` nothing happens: a script must say what it wants.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Result, bail};
use clap::Args;
use serde::Serialize;

/// The flags of every destructive action.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct ConfirmArgs {
    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Print the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

impl ConfirmArgs {
    /// Whether to go ahead with `plan` (see [`confirm`]).
    pub fn confirm(&self, plan: &Plan) -> Result<bool> {
        confirm(plan, self.yes, self.dry_run)
    }
}

impl ConfirmArgs {
    /// As [`confirm`](ConfirmArgs::confirm), but on a terminal the user must type `word`
    /// (the path or name about to go for good), not just "y".
    pub fn confirm_typed(&self, plan: &Plan, word: &str) -> Result<bool> {
        if self.dry_run || self.yes || !std::io::stdin().is_terminal() {
            return self.confirm(plan);
        }
        let mut err = std::io::stderr();
        let _ = write!(err, "{}Type {word} to proceed: ", plan.text());
        let _ = err.flush();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() == word {
            Ok(true)
        } else {
            bail!("{}: {word} was not typed; nothing was changed", plan.action)
        }
    }
}

/// What a command is about to do, one line per step.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// A short name for the whole action ("remove raft peer vault-2").
    pub action: String,
    pub steps: Vec<String>,
    /// Consequences worth a second look (lowered failure tolerance, data loss …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Plan {
    pub fn new(action: impl Into<String>) -> Plan {
        Plan {
            action: action.into(),
            steps: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn step(&mut self, s: impl Into<String>) -> &mut Plan {
        self.steps.push(s.into());
        self
    }

    pub fn warn(&mut self, s: impl Into<String>) -> &mut Plan {
        self.warnings.push(s.into());
        self
    }

    /// The plan as text, for a terminal or for `--dry-run`.
    pub fn text(&self) -> String {
        let mut out = format!("Plan: {}\n", self.action);
        for (i, s) in self.steps.iter().enumerate() {
            out.push_str(&format!("  {}. {s}\n", i + 1));
        }
        for w in &self.warnings {
            out.push_str(&format!("  warning: {w}\n"));
        }
        out
    }

    /// What `--dry-run` prints: the plan, and that nothing changed.
    pub fn print_dry_run(&self) {
        print!("{}", self.text());
        println!("Dry run: nothing was changed.");
    }
}

/// Whether to go ahead: false for `--dry-run` (the caller prints the plan), true with `--yes`
/// or when the user answers yes on the terminal. Fails when there is no terminal to ask on,
/// and when the answer is no.
pub fn confirm(plan: &Plan, yes: bool, dry_run: bool) -> Result<bool> {
    if dry_run {
        return Ok(false);
    }
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "{}: add --yes to confirm, or --dry-run to see the plan (there is no terminal to ask on)",
            plan.action
        );
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{}Proceed? [y/N] ", plan.text());
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(true)
    } else {
        bail!("{}: not confirmed; nothing was changed", plan.action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_never_proceeds_and_yes_always_does() {
        let mut plan = Plan::new("remove raft peer vault-2");
        plan.step("remove vault-2").warn("failure tolerance 1 → 0");
        assert!(!confirm(&plan, true, true).unwrap());
        assert!(confirm(&plan, true, false).unwrap());
        let text = plan.text();
        assert!(text.contains("1. remove vault-2"), "{text}");
        assert!(text.contains("warning: failure tolerance"), "{text}");
    }
}
