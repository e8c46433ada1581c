//! The run's journal: one JSON line per step with its time and outcome, in a new 0600 file —
//! the raw material of the post-mortem. It names steps and objects, never key material.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::{Value, json};

pub struct Journal {
    path: PathBuf,
    file: Mutex<std::fs::File>,
    start: Instant,
}

impl Journal {
    /// Creates the journal at `path`, or `vault-reinit-<verb>-<UTC time>.jsonl` in the current
    /// directory; an existing file is never appended to or overwritten.
    pub fn create(path: Option<&Path>, verb: &str) -> Result<Journal> {
        let path = path.map(Path::to_path_buf).unwrap_or_else(|| {
            let now = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
            PathBuf::from(format!("vault-reinit-{verb}-{now}.jsonl"))
        });
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).with_context(|| {
            format!(
                "create the journal {} (give another with --journal FILE)",
                path.display()
            )
        })?;
        Ok(Journal {
            path,
            file: Mutex::new(file),
            start: Instant::now(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line: the step, its outcome (`started`, `done`, `failed`, `skipped`) and
    /// what else is worth keeping. A journal that cannot be written is a warning.
    pub fn note(&self, step: &str, outcome: &str, detail: Value) {
        let line = json!({
            "time": jiff::Timestamp::now().to_string(),
            "seconds": (self.start.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            "step": step,
            "outcome": outcome,
            "detail": detail,
        });
        let written = self
            .file
            .lock()
            .map_err(|_| std::io::Error::other("journal lock"))
            .and_then(|mut f| writeln!(f, "{line}").and_then(|_| f.sync_data()));
        if let Err(e) = written {
            vault_shared::output::warn(&format!(
                "journal {}: not written: {e}",
                self.path.display()
            ));
        }
    }

    /// Runs `fut` as step `step`, noting its start and its outcome.
    pub async fn step<T>(&self, step: &str, fut: impl Future<Output = Result<T>>) -> Result<T> {
        self.note(step, "started", Value::Null);
        let out = fut.await;
        match &out {
            Ok(_) => self.note(step, "done", Value::Null),
            Err(e) => self.note(step, "failed", json!(format!("{e:#}"))),
        }
        out
    }
}
