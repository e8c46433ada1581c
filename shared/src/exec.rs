//! Running a command in a pod's container (`pods/exec` over WebSocket), for the few steps the
//! Vault API cannot do: `df` on a volume, clearing a removed node's raft data. Commands are
//! argv lists, never shell strings built from user input.

use std::time::Duration;

use anyhow::{Result, anyhow};
use kube::api::AttachParams;
use tokio::io::AsyncReadExt;

use crate::cluster::Kube;

#[derive(Debug, Clone)]
pub struct ExecOutput {
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
    /// The API's status message when the command failed ("command terminated with non-zero
    /// exit code …").
    pub message: Option<String>,
}

/// Runs `argv` in `pod` (its first container unless `container` is given) and collects its
/// output, within `timeout`.
pub async fn run(
    kube: &Kube,
    pod: &str,
    container: Option<&str>,
    argv: &[&str],
    timeout: Duration,
) -> Result<ExecOutput> {
    let mut ap = AttachParams::default()
        .stdout(true)
        .stderr(true)
        .stdin(false);
    if let Some(c) = container {
        ap = ap.container(c);
    }
    let what = format!("exec {:?} in pod {pod}", argv.first().unwrap_or(&""));
    let command: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let mut proc = kube
        .call(&what, kube.pods().exec(pod, command, &ap))
        .await?;
    let mut out = proc.stdout();
    let mut err = proc.stderr();
    let status = proc.take_status();
    let collect = async {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let read_out = async {
            if let Some(o) = out.as_mut() {
                let _ = o.read_to_end(&mut stdout).await;
            }
        };
        let read_err = async {
            if let Some(e) = err.as_mut() {
                let _ = e.read_to_end(&mut stderr).await;
            }
        };
        tokio::join!(read_out, read_err);
        let status = match status {
            Some(s) => s.await,
            None => None,
        };
        (stdout, stderr, status)
    };
    let (stdout, stderr, status) = tokio::time::timeout(timeout, collect)
        .await
        .map_err(|_| anyhow!("{what}: no answer within {timeout:?}"))?;
    // No status at all means the stream broke before the command finished: not a success.
    let success = status
        .as_ref()
        .is_some_and(|s| s.status.as_deref() == Some("Success"));
    Ok(ExecOutput {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        success,
        message: match status {
            Some(s) if !success => s.message,
            None => Some("the exec stream ended without the command's exit status".into()),
            _ => None,
        },
    })
}
