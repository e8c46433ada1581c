//! `pods/log`: the container's output, with tailLines, previous, limitBytes and follow.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{Body, channel_body, full};
use crate::cluster::Cluster;
use crate::status::ApiError;

pub struct LogParams {
    pub tail_lines: Option<usize>,
    pub limit_bytes: Option<usize>,
    pub follow: bool,
    pub previous: bool,
}

fn tail(data: &[u8], lines: usize) -> &[u8] {
    if lines == 0 {
        return &[];
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    let mut seen = 0;
    for (i, b) in body.iter().enumerate().rev() {
        if *b == b'\n' {
            seen += 1;
            if seen == lines {
                return &data[i + 1..];
            }
        }
    }
    data
}

pub async fn logs(c: Arc<Cluster>, name: &str, p: LogParams) -> Result<Body, ApiError> {
    let run = c.kubelet.get(name).ok_or_else(|| {
        ApiError::bad_request(format!(
            "container \"{}\" in pod \"{name}\" is not available",
            c.variant().container()
        ))
    })?;
    let dir = c.cfg.pod_dir(name);
    let path = run.log_file(&dir, p.previous).ok_or_else(|| {
        ApiError::bad_request(format!(
            "previous terminated container \"{}\" in pod \"{name}\" not found",
            c.variant().container()
        ))
    })?;
    let data = tokio::fs::read(&path).await.unwrap_or_default();
    let mut out = match p.tail_lines {
        Some(n) => tail(&data, n).to_vec(),
        None => data.clone(),
    };
    if let Some(limit) = p.limit_bytes {
        out.truncate(limit);
    }
    if !p.follow || p.previous {
        return Ok(full(out));
    }
    // Follow: stream what the container appends until it exits or the client goes away.
    let (tx, body) = channel_body();
    let mut offset = data.len() as u64;
    let restarts = run.restarts();
    tokio::spawn(async move {
        if !out.is_empty() && tx.send(Bytes::from(out)).await.is_err() {
            return;
        }
        loop {
            let alive = run.current().is_some() && run.restarts() == restarts;
            if let Ok(mut f) = tokio::fs::File::open(&path).await
                && f.seek(std::io::SeekFrom::Start(offset)).await.is_ok()
            {
                let mut buf = Vec::new();
                if f.read_to_end(&mut buf).await.is_ok() && !buf.is_empty() {
                    offset += buf.len() as u64;
                    if tx.send(Bytes::from(buf)).await.is_err() {
                        return;
                    }
                }
            }
            if !alive || c.is_shutting_down() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                _ = tx.closed() => return,
            }
        }
    });
    Ok(body)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tail_lines() {
        assert_eq!(super::tail(b"a\nb\nc\n", 2), b"b\nc\n");
        assert_eq!(super::tail(b"a\nb\nc", 5), b"a\nb\nc");
        assert_eq!(super::tail(b"a\nb\n", 0), b"");
    }
}
