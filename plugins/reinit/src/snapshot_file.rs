//! What a raft snapshot file holds, read without Vault: its size and age, and the
//! `meta.json` inside the gzip'd tar (raft index, term, the servers of its configuration).
//! The data itself is encrypted by the barrier of the cluster that saved it: nothing secret
//! is read here.

use std::io::Read;
use std::path::Path;

use serde::Serialize;

/// The largest `meta.json` read: it is a few hundred bytes.
const MAX_META: u64 = 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    pub path: String,
    pub bytes: Option<u64>,
    pub age_seconds: Option<u64>,
    /// Whether the header could be read: a gzip'd tar with a meta.json.
    pub readable: bool,
    pub index: Option<u64>,
    pub term: Option<u64>,
    /// Node IDs in the snapshot's raft configuration.
    pub servers: Vec<String>,
    pub error: Option<String>,
}

/// Reads what can be read of the snapshot at `path`; what cannot is in `error`.
pub fn inspect(path: &Path) -> SnapshotInfo {
    let mut info = SnapshotInfo {
        path: path.display().to_string(),
        bytes: None,
        age_seconds: None,
        readable: false,
        index: None,
        term: None,
        servers: Vec::new(),
        error: None,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => {
            info.error = Some("not a regular file".into());
            return info;
        }
        Err(e) => {
            info.error = Some(format!("cannot read it: {e}"));
            return info;
        }
    };
    info.bytes = Some(meta.len());
    info.age_seconds = meta
        .modified()
        .ok()
        .and_then(|m| m.elapsed().ok())
        .map(|d| d.as_secs());
    match read_meta(path) {
        Ok(m) => {
            info.readable = true;
            info.index = m["Index"].as_u64();
            info.term = m["Term"].as_u64();
            info.servers = m["Configuration"]["Servers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["ID"].as_str().map(str::to_string))
                .collect();
        }
        Err(e) => info.error = Some(e),
    }
    info
}

/// The `meta.json` entry of the snapshot's tar stream.
fn read_meta(path: &Path) -> Result<serde_json::Value, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
    let mut gz = flate2::read::GzDecoder::new(std::io::BufReader::new(file));
    let mut header = [0u8; 512];
    loop {
        gz.read_exact(&mut header)
            .map_err(|e| format!("not a raft snapshot (gzip'd tar): {e}"))?;
        if header.iter().all(|b| *b == 0) {
            return Err("not a raft snapshot: no meta.json in it".into());
        }
        let name_end = header[..100].iter().position(|b| *b == 0).unwrap_or(100);
        let name = String::from_utf8_lossy(&header[..name_end]).into_owned();
        let size = octal(&header[124..136]).ok_or("not a raft snapshot: a bad tar header")?;
        let padded = size.div_ceil(512) * 512;
        if name == "meta.json" {
            if size > MAX_META {
                return Err(format!("meta.json is {size} bytes: not a raft snapshot"));
            }
            let mut buf = vec![0u8; size as usize];
            gz.read_exact(&mut buf)
                .map_err(|e| format!("meta.json cut short: {e}"))?;
            return serde_json::from_slice(&buf).map_err(|e| format!("meta.json: {e}"));
        }
        std::io::copy(&mut (&mut gz).take(padded), &mut std::io::sink())
            .map_err(|e| format!("snapshot cut short: {e}"))?;
    }
}

fn octal(field: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(field);
    let digits = text.trim_matches(|c: char| c == '\0' || c == ' ');
    u64::from_str_radix(digits, 8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tar_sizes_are_octal() {
        assert_eq!(octal(b"00000001750\0"), Some(1000));
        assert_eq!(octal(b"zz"), None);
    }

    #[test]
    fn a_file_that_is_not_a_snapshot_is_unreadable_with_a_reason() {
        let dir = std::env::temp_dir().join(format!("reinit-snap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("not.snap");
        std::fs::write(&p, b"hello").unwrap();
        let info = inspect(&p);
        assert!(!info.readable);
        assert_eq!(info.bytes, Some(5));
        assert!(info.error.unwrap().contains("not a raft snapshot"));
        let missing = inspect(&dir.join("missing.snap"));
        assert!(missing.error.unwrap().contains("cannot read"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
