//! The step log of a multi-step action: which step runs (on the progress line), which are
//! done, and — when one fails — one error that says where the action stopped, what is done,
//! and what to run next.

use std::future::Future;

use anyhow::anyhow;
use serde::Serialize;

use crate::output::Task;

/// One step of an action.
pub trait Step: Copy + Serialize {
    /// What the step does, in a few words ("clear the raft data").
    fn label(self) -> &'static str;
    /// What to run after this step failed on `subject`.
    fn next(self, subject: &str) -> String;
    /// Its place in the action, from 1.
    fn number(self) -> usize;
}

pub struct StepLog<S: Step> {
    /// The whole action and what it acts on: "rejoin vault-2".
    action: String,
    subject: String,
    total: usize,
    pub done: Vec<S>,
    pub task: Task,
}

impl<S: Step> StepLog<S> {
    /// A log for `action` on `subject`, of `total` steps, shown on `task`.
    pub fn new(action: &str, subject: &str, total: usize, task: Task) -> StepLog<S> {
        StepLog {
            action: format!("{action} {subject}"),
            subject: subject.to_string(),
            total,
            done: Vec::new(),
            task,
        }
    }

    /// Shows `step` as the one running.
    pub fn start(&self, step: S) {
        self.task.step(&format!(
            "step {}/{}: {}",
            step.number(),
            self.total,
            step.label()
        ));
    }

    /// Runs `step`: shows it, awaits it, and records it done, or turns its error into the
    /// "stopped at" error.
    pub async fn run<T>(
        &mut self,
        step: S,
        fut: impl Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        self.start(step);
        match fut.await {
            Ok(v) => {
                self.done.push(step);
                Ok(v)
            }
            Err(e) => Err(self.failed(step, e)),
        }
    }

    /// The error of a failed step: where it stopped, what is done, what to run next.
    pub fn failed(&self, step: S, e: anyhow::Error) -> anyhow::Error {
        // The error says where it stopped; a progress line would only repeat it.
        self.task.step(&format!("stopped at: {}", step.label()));
        let done: Vec<&str> = self.done.iter().map(|s| s.label()).collect();
        anyhow!(
            "{} stopped at \"{}\": {e:#}. Done: {}. Next: {}",
            self.action,
            step.label(),
            if done.is_empty() {
                "nothing".to_string()
            } else {
                done.join(", ")
            },
            step.next(&self.subject)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, Serialize)]
    enum Demo {
        One,
        Two,
    }

    impl Step for Demo {
        fn label(self) -> &'static str {
            match self {
                Demo::One => "first",
                Demo::Two => "second",
            }
        }
        fn next(self, subject: &str) -> String {
            format!("retry {subject}")
        }
        fn number(self) -> usize {
            self as usize + 1
        }
    }

    #[tokio::test]
    async fn a_failed_step_says_where_what_is_done_and_what_next() {
        let mut log = StepLog::new(
            "demo",
            "vault-1",
            2,
            crate::output::Progress::new().task("t"),
        );
        log.run(Demo::One, async { Ok(()) }).await.unwrap();
        let e = log
            .run(Demo::Two, async { Err::<(), _>(anyhow!("boom")) })
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "demo vault-1 stopped at \"second\": boom. Done: first. Next: retry vault-1"
        );
        assert_eq!(log.done.len(), 1);
    }
}
