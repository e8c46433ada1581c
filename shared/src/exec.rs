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

/// Starts `argv` in `pod` with stdout and stderr attached; returns what it is, for messages.
async fn start(
    kube: &Kube,
    pod: &str,
    container: Option<&str>,
    argv: &[&str],
) -> Result<(String, kube::api::AttachedProcess)> {
    let mut ap = AttachParams::default()
        .stdout(true)
        .stderr(true)
        .stdin(false);
    if let Some(c) = container {
        ap = ap.container(c);
    }
    let what = format!("exec {:?} in pod {pod}", argv.first().unwrap_or(&""));
    let command: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
    let proc = kube
        .call(&what, kube.pods().exec(pod, command, &ap))
        .await?;
    Ok((what, proc))
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
    let (what, mut proc) = start(kube, pod, container, argv).await?;
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

/// How a streamed command ended.
#[derive(Debug, Clone)]
pub struct StreamOutcome {
    pub lines: u64,
    pub bytes: u64,
    pub success: bool,
    /// The first KiB of stderr.
    pub stderr: String,
    /// The API's status message when the command failed, or that the stream broke.
    pub message: Option<String>,
}

/// The longest line handed on; a longer one is cut (and still counted) so one runaway line
/// cannot take the memory.
pub const MAX_LINE: usize = 1024 * 1024;

/// Runs `argv` in `pod` and hands each line of its stdout to `each` as it arrives, never
/// holding more than one line: for logs too large to collect. `idle` bounds the wait for
/// each chunk, not the whole command.
pub async fn each_line(
    kube: &Kube,
    pod: &str,
    container: Option<&str>,
    argv: &[&str],
    idle: Duration,
    mut each: impl FnMut(&[u8]),
) -> Result<StreamOutcome> {
    let (what, mut proc) = start(kube, pod, container, argv).await?;
    let out = proc
        .stdout()
        .ok_or_else(|| anyhow!("{what}: no stdout stream"))?;
    let mut err = proc.stderr();
    let status = proc.take_status();
    let read_err = async {
        let mut buf = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.take(1024).read_to_end(&mut buf).await;
            // Drain the rest so the command is never blocked on a full stderr.
            let _ = tokio::io::copy(e, &mut tokio::io::sink()).await;
        }
        buf
    };
    let read_out = async {
        let mut reader = tokio::io::BufReader::with_capacity(256 * 1024, out);
        let mut line = Vec::with_capacity(64 * 1024);
        let (mut lines, mut bytes) = (0u64, 0u64);
        loop {
            line.clear();
            let n = match tokio::time::timeout(idle, read_line_capped(&mut reader, &mut line)).await
            {
                Err(_) => return Err(anyhow!("{what}: no output for {idle:?}")),
                Ok(r) => r.map_err(|e| anyhow!("{what}: the stream broke: {e}"))?,
            };
            if n == 0 {
                return Ok((lines, bytes));
            }
            bytes += n as u64;
            lines += 1;
            each(line.strip_suffix(b"\n").unwrap_or(&line));
        }
    };
    let (counted, stderr) = tokio::join!(read_out, read_err);
    let (lines, bytes) = counted?;
    let status = match status {
        Some(s) => tokio::time::timeout(idle, s).await.ok().flatten(),
        None => None,
    };
    let success = status
        .as_ref()
        .is_some_and(|s| s.status.as_deref() == Some("Success"));
    Ok(StreamOutcome {
        lines,
        bytes,
        success,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        message: match status {
            Some(s) if !success => s.message,
            None => Some("the exec stream ended without the command's exit status".into()),
            _ => None,
        },
    })
}

/// One line into `line` (at most [`MAX_LINE`] bytes kept); returns the bytes consumed.
async fn read_line_capped<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<usize> {
    use tokio::io::AsyncBufReadExt;
    let mut consumed = 0;
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(consumed);
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let room = MAX_LINE.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let n = chunk.len();
        r.consume(n);
        consumed += n;
        if done {
            return Ok(consumed);
        }
    }
}
