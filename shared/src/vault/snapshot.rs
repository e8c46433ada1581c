//! Raft snapshots: saved as a stream into any writer (hashed on the way), restored by
//! streaming a file — never held whole in memory.

use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::{VaultClient, VaultError};

/// The size and digest of a snapshot as written.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotDigest {
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("write the snapshot: {0}")]
    Write(#[from] std::io::Error),
    #[error("{target}: the answer is not a raft snapshot (expected gzip data, got {got})")]
    NotSnapshot { target: String, got: String },
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether `data` starts like a raft snapshot (a gzip stream).
pub fn looks_like_snapshot(data: &[u8]) -> bool {
    data.len() >= 18 && data[..2] == GZIP_MAGIC
}

impl VaultClient {
    /// Streams a snapshot of the raft data (`GET sys/storage/raft/snapshot`) into `out`,
    /// hashing it on the way. `idle` bounds the wait for each chunk, not the whole transfer.
    pub async fn snapshot_save<W: AsyncWrite + Unpin>(
        &self,
        out: &mut W,
        idle: Duration,
    ) -> Result<SnapshotDigest, SnapshotError> {
        let mut hasher = Sha256::new();
        let mut head: Vec<u8> = Vec::new();
        let mut failure: Option<SnapshotError> = None;
        let streamed = self
            .download("sys/storage/raft/snapshot", idle, async |chunk| {
                if head.len() < 2 {
                    head.extend_from_slice(&chunk[..chunk.len().min(2 - head.len())]);
                    if head.len() == 2 && head[..] != GZIP_MAGIC {
                        failure = Some(SnapshotError::NotSnapshot {
                            target: self.target.clone(),
                            got: format!("bytes {:02x} {:02x}", head[0], head[1]),
                        });
                        return Err(self.unreachable("not a snapshot"));
                    }
                }
                hasher.update(&chunk);
                if let Err(e) = out.write_all(&chunk).await {
                    failure = Some(SnapshotError::Write(e));
                    return Err(self.unreachable("write failed"));
                }
                Ok(())
            })
            .await;
        let total = match (streamed, failure) {
            (_, Some(f)) => return Err(f),
            (Err(e), None) => return Err(e.into()),
            (Ok(n), None) => n,
        };
        out.flush().await?;
        if total < 18 {
            return Err(SnapshotError::NotSnapshot {
                target: self.target.clone(),
                got: format!("{total} bytes"),
            });
        }
        Ok(SnapshotDigest {
            bytes: total,
            sha256: hex::encode(hasher.finalize()),
        })
    }

    /// Restores the snapshot in `file` (`POST sys/storage/raft/snapshot`, or
    /// `snapshot-force` for one taken on another cluster, whose keys differ), streaming it.
    /// `timeout` bounds the whole upload.
    pub async fn snapshot_restore(
        &self,
        file: tokio::fs::File,
        len: u64,
        force: bool,
        timeout: Duration,
    ) -> Result<(), VaultError> {
        let path = if force {
            "sys/storage/raft/snapshot-force"
        } else {
            "sys/storage/raft/snapshot"
        };
        self.upload(path, file, len, timeout).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_gzip() {
        assert!(looks_like_snapshot(&[
            0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0
        ]));
        assert!(!looks_like_snapshot(b"hello world, not a snapshot"));
        assert!(!looks_like_snapshot(&[0x1f, 0x8b]));
    }
}
