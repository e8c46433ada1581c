//! Writing a file that holds secrets (a snapshot, keys): readable by its owner only (0600),
//! written into a hidden partial file beside it and put in place only once complete — so an
//! interrupted write never leaves a truncated file under the name someone will restore from —
//! never overwriting an existing file without `--force`, and the partial file removed when
//! the write fails, is dropped, or the user presses Ctrl-C.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use anyhow::{Context, Result, anyhow, bail};

/// Partial files being written, removed if the process is interrupted.
static PARTIALS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static ON_CTRL_C: Once = Once::new();

/// On Ctrl-C: remove every partial file, then exit as an interrupted command does (130).
fn clean_up_on_ctrl_c() {
    ON_CTRL_C.call_once(|| {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let _in_runtime = rt.enter();
        // Registered here, before the first byte is written, not when the task first runs.
        let Ok(mut interrupt) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        else {
            return;
        };
        rt.spawn(async move {
            if interrupt.recv().await.is_some() {
                remove_partials();
                eprintln!("interrupted: the partial file was removed");
                std::process::exit(130);
            }
        });
    });
}

fn remove_partials() {
    if let Ok(mut list) = PARTIALS.lock() {
        for p in list.drain(..) {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn forget(partial: &Path) {
    if let Ok(mut list) = PARTIALS.lock() {
        list.retain(|p| p != partial);
    }
}

/// A secret file being written.
pub struct SecretFile {
    path: PathBuf,
    partial: PathBuf,
    force: bool,
    file: Option<tokio::fs::File>,
}

/// Where the content is written before it takes `path`'s place: hidden, beside it.
fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

impl SecretFile {
    /// Checks `path` (not a directory; absent unless `force`) and creates the partial file
    /// (0600, a new file: nothing existing is touched). Call it inside the async runtime, so
    /// Ctrl-C can clean up.
    pub fn create(path: &Path, force: bool) -> Result<SecretFile> {
        if path.is_dir() {
            bail!("{} is a directory: give a file name", path.display());
        }
        if path.exists() && !force {
            bail!(
                "{} exists: add --force to overwrite it (it is replaced only once the new file is complete)",
                path.display()
            );
        }
        let partial = partial_path(path);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&partial)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => {
                    anyhow!("{} exists: add --force to overwrite it", partial.display())
                }
                _ => anyhow!("create {}: {e}", partial.display()),
            })?;
        if let Ok(mut list) = PARTIALS.lock() {
            list.push(partial.clone());
        }
        clean_up_on_ctrl_c();
        Ok(SecretFile {
            path: path.to_path_buf(),
            partial,
            force,
            file: Some(tokio::fs::File::from_std(file)),
        })
    }

    /// Where the content goes while it is written.
    pub fn writer(&mut self) -> &mut tokio::fs::File {
        self.file.as_mut().expect("open until committed")
    }

    /// Puts the complete file in place: replacing `path` with `--force`, else only if the
    /// name is still free (a hard link fails if it was taken meanwhile).
    pub async fn commit(mut self) -> Result<PathBuf> {
        let file = self.file.take().expect("open until committed");
        file.sync_all()
            .await
            .with_context(|| format!("sync {}", self.partial.display()))?;
        drop(file);
        if self.force {
            std::fs::rename(&self.partial, &self.path)
                .with_context(|| format!("replace {} with the new file", self.path.display()))?;
        } else {
            let linked = std::fs::hard_link(&self.partial, &self.path);
            let _ = std::fs::remove_file(&self.partial);
            linked.with_context(|| format!("put the file at {}", self.path.display()))?;
        }
        forget(&self.partial);
        Ok(self.path.clone())
    }
}

impl Drop for SecretFile {
    fn drop(&mut self) {
        // Not committed (or the commit failed half-way): leave nothing behind.
        let _ = std::fs::remove_file(&self.partial);
        forget(&self.partial);
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use tokio::io::AsyncWriteExt;

    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("secret-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[tokio::test]
    async fn written_0600_put_in_place_and_never_overwritten_without_force() {
        let d = dir("commit");
        let path = d.join("backup.snap");
        let mut f = SecretFile::create(&path, false).unwrap();
        f.writer().write_all(b"secret").await.unwrap();
        f.commit().await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"secret");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let err = SecretFile::create(&path, false).err().unwrap().to_string();
        assert!(err.contains("exists: add --force"), "{err}");
        let mut f = SecretFile::create(&path, true).unwrap();
        f.writer().write_all(b"newer").await.unwrap();
        f.commit().await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"newer");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1, "no partial left");
    }

    #[tokio::test]
    async fn an_abandoned_write_leaves_nothing() {
        let d = dir("drop");
        let path = d.join("backup.snap");
        let mut f = SecretFile::create(&path, false).unwrap();
        f.writer().write_all(b"half").await.unwrap();
        drop(f);
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        assert!(
            SecretFile::create(&d, false).is_err(),
            "a directory is refused"
        );
    }

    /// Run in a child process by `ctrl_c_removes_the_partial_file`.
    #[tokio::test]
    #[ignore = "run in a child process by ctrl_c_removes_the_partial_file"]
    async fn ctrl_c_child() {
        let Some(d) = std::env::var_os("SECRET_FILE_CTRL_C_DIR") else {
            return;
        };
        let path = PathBuf::from(d).join("backup.snap");
        let mut f = SecretFile::create(&path, false).unwrap();
        f.writer().write_all(b"half").await.unwrap();
        println!("ready");
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }

    #[test]
    fn ctrl_c_removes_the_partial_file() {
        use std::io::{BufRead, BufReader};
        let d = dir("ctrl-c");
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "procedures::secret_file::tests::ctrl_c_child",
                "--ignored",
                "--nocapture",
            ])
            .env("SECRET_FILE_CTRL_C_DIR", &d)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        assert!(lines.any(|l| l.is_ok_and(|l| l.contains("ready"))));
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "the partial file"
        );
        #[allow(unsafe_code)]
        // SAFETY: sending SIGINT to our own child.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGINT);
        }
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130));
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            0,
            "removed on Ctrl-C"
        );
    }
}
