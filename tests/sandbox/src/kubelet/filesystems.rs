//! Claim volumes as real filesystems: each PVC is a sparse image file of the claim's size,
//! formatted ext4, and loop-mounted inside the pod's own mount namespace over the claim's
//! directory. The mount goes with the namespace when the container's processes die, and the
//! loop device (autoclear, as `mount -o loop` sets it) detaches itself then; the image (the
//! claim's data) outlives the pod until the claim is deleted. `df`, the kubelet's stats, a
//! full disk and an online resize are the kernel's, not numbers the sandbox makes up.
//!
//! The host reaches a mounted volume through the server's `/proc/<pid>/root`, which shows the
//! pod's mount namespace.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use tokio::process::Command;

use crate::cluster::Cluster;
use crate::objects;

/// The file a `disk-full` fault fills the volume with, at the volume's root.
pub const FILLER: &str = "sandbox-disk-full";

/// The image file behind the claim the kubelet knows as `key` (see `run_key`).
pub fn image(c: &Cluster, key: &str) -> PathBuf {
    c.cfg.dir.join("volumes").join(format!("{key}.img"))
}

/// The bytes a claim asks for (`spec.resources.requests.storage`).
pub fn requested_bytes(pvc: &Value) -> u64 {
    pvc["spec"]["resources"]["requests"]["storage"]
        .as_str()
        .and_then(crate::api::control::parse_quantity)
        .unwrap_or(objects::PVC_BYTES)
}

async fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Makes the claim's image, `bytes` long and formatted ext4, unless it has one: what the
/// provisioner and the first mount (mkfs) do for a new volume.
pub async fn provision(image: &Path, bytes: u64) -> Result<(), String> {
    if image.exists() {
        return Ok(());
    }
    let dir = image.parent().ok_or("an image has a directory")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let partial = image.with_extension("img.partial");
    std::fs::File::create(&partial)
        .and_then(|f| f.set_len(bytes))
        .map_err(|e| format!("create {}: {e}", partial.display()))?;
    // No reserved blocks: the server runs as root, and a full disk should be full for it.
    run(
        Command::new("mkfs.ext4")
            .args(["-q", "-F", "-m", "0", "-E"])
            .arg("lazy_itable_init=1,lazy_journal_init=1")
            .arg(&partial),
        "mkfs.ext4 (e2fsprogs) for a claim volume",
    )
    .await?;
    std::fs::rename(&partial, image).map_err(|e| format!("create {}: {e}", image.display()))
}

/// The launch step that mounts the claims: a shell fragment that, run first thing in the pod's
/// mount namespace, loop-mounts each `(image, mount point)`.
pub fn mount_step(mounts: &[(PathBuf, PathBuf)]) -> String {
    let q = |p: &Path| super::rootfs::quote(&p.display().to_string());
    mounts
        .iter()
        .map(|(image, at)| {
            format!(
                "mkdir -p {at}\nmount -o loop,nosuid,nodev {image} {at} || {{ echo \"vault-sandbox: mounting {image_text} needs root and loop devices\" >&2; exit 1; }}\n",
                at = q(at),
                image = q(image),
                image_text = image.display(),
            )
        })
        .collect()
}

/// Where the host sees the volume mounted at `at` in the mount namespace of process `pid`.
pub fn view(pid: u32, at: &Path) -> PathBuf {
    Path::new(&format!("/proc/{pid}/root")).join(at.strip_prefix("/").unwrap_or(at))
}

/// A filesystem's size as `statfs` reports it.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub capacity: u64,
    pub used: u64,
    pub available: u64,
    pub inodes: u64,
    pub inodes_free: u64,
}

#[allow(unsafe_code)]
pub fn statfs(path: &Path) -> Option<Usage> {
    let c_path = CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: a valid C string and a zeroed out-parameter the call fills.
    let s = unsafe {
        let mut s: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c_path.as_ptr(), &mut s) != 0 {
            return None;
        }
        s
    };
    let block = s.f_frsize as u64;
    Some(Usage {
        capacity: s.f_blocks as u64 * block,
        used: (s.f_blocks as u64).saturating_sub(s.f_bfree as u64) * block,
        available: s.f_bavail as u64 * block,
        inodes: s.f_files as u64,
        inodes_free: s.f_ffree as u64,
    })
}

/// Fills the filesystem at `root` (a volume's view) with one preallocated file, so every
/// later allocation fails with ENOSPC; returns the bytes it took.
#[allow(unsafe_code)]
pub fn fill(root: &Path) -> Result<u64, String> {
    use std::os::fd::AsRawFd;
    let path = root.join(FILLER);
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("create {}: {e}", path.display()))?;
    let mut len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len;
    // Ask for what statfs says is free; metadata takes some of it, so take smaller pieces
    // until not even a block is left.
    let mut want = statfs(root).map(|u| u.available).unwrap_or(0).max(4096);
    while want >= 4096 {
        // SAFETY: a plain syscall on an open file.
        let r = unsafe { libc::fallocate(f.as_raw_fd(), 0, len as i64, want as i64) };
        if r == 0 {
            len += want;
        } else {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::ENOSPC) {
                return Err(format!("fallocate {}: {err}", path.display()));
            }
            want /= 2;
        }
    }
    Ok(len - start)
}

/// Removes what [`fill`] wrote; whether there was anything.
pub fn free(root: &Path) -> Result<bool, String> {
    match std::fs::remove_file(root.join(FILLER)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("remove {}: {e}", root.join(FILLER).display())),
    }
}

/// Grows the image to `bytes` (the volume's expansion, done while it may be mounted).
pub fn grow_image(image: &Path, bytes: u64) -> Result<(), String> {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(image)
        .map_err(|e| format!("open {}: {e}", image.display()))?;
    let len = f.metadata().map_err(|e| e.to_string())?.len();
    if bytes > len {
        f.set_len(bytes)
            .map_err(|e| format!("grow {}: {e}", image.display()))?;
    }
    Ok(())
}

/// `losetup -j IMAGE`: the loop devices backed by `image`, one line each.
async fn loop_devices_of(image: &Path) -> Result<String, String> {
    let out = Command::new("losetup")
        .arg("-j")
        .arg(image)
        .output()
        .await
        .map_err(|e| format!("losetup -j: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Grows the mounted filesystem on `image` to the image's size, online, from inside the
/// mount namespace of `pid` (as the kubelet's NodeExpandVolume does): the loop device learns
/// the new size (`losetup -c`), then `resize2fs` grows ext4 while it stays mounted.
pub async fn resize_online(pid: u32, image: &Path) -> Result<(), String> {
    let listing = loop_devices_of(image).await?;
    let device = listing
        .lines()
        .find_map(|l| l.split(':').next())
        .filter(|d| d.starts_with("/dev/loop"))
        .ok_or_else(|| format!("no loop device holds {}", image.display()))?
        .to_string();
    run(Command::new("losetup").args(["-c", &device]), "losetup -c").await?;
    let target = pid.to_string();
    let resize = Command::new("nsenter")
        .args([
            "--target",
            &target,
            "--mount",
            "--pid",
            "--",
            "resize2fs",
            &device,
        ])
        .kill_on_drop(true)
        .stdin(std::process::Stdio::null())
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), resize)
        .await
        .map_err(|_| "resize2fs took over 60s".to_string())?
        .map_err(|e| format!("resize2fs: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "resize2fs {device}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// Whether this process may grow a mounted ext4 filesystem: the kernel's online resize asks
/// for CAP_SYS_RESOURCE, which some container runtimes drop even for root.
pub fn can_resize_online() -> bool {
    const CAP_SYS_RESOURCE: u32 = 24;
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let hex = s
                .lines()
                .find_map(|l| l.strip_prefix("CapEff:"))?
                .trim()
                .to_string();
            u64::from_str_radix(&hex, 16).ok()
        })
        .is_some_and(|caps| caps & (1 << CAP_SYS_RESOURCE) != 0)
}

/// Grows the filesystem in `image` (not mounted) to the image's size, as a kubelet does for a
/// volume without online expansion when a pod next mounts it. Waits a moment for a loop device
/// a just-ended container left to detach itself.
pub async fn resize_offline(image: &Path) -> Result<(), String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if loop_devices_of(image).await?.is_empty() {
            break;
        }
        if std::time::Instant::now() > deadline {
            return Err(format!(
                "{} is still attached to a loop device",
                image.display()
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // resize2fs wants a freshly checked filesystem; -p repairs only what is safe.
    run(
        Command::new("e2fsck").args(["-f", "-p"]).arg(image),
        "e2fsck",
    )
    .await?;
    run(Command::new("resize2fs").arg(image), "resize2fs").await
}

/// Copies a mounted volume's image (its filesystem flushed first) to `to`, sparse: the
/// server that writes it must be stopped.
#[allow(unsafe_code)]
pub async fn copy_image(mounted: &Path, from: &Path, to: &Path) -> Result<(), String> {
    use std::os::fd::AsRawFd;
    let dir =
        std::fs::File::open(mounted).map_err(|e| format!("open {}: {e}", mounted.display()))?;
    // SAFETY: a plain syscall on an open directory.
    unsafe { libc::syncfs(dir.as_raw_fd()) };
    run(
        Command::new("cp").arg("--sparse=always").arg(from).arg(to),
        "copy a volume image",
    )
    .await
}

/// Deletes a claim's volume: its image and its mount point (the `Delete` reclaim policy).
pub fn remove(c: &Cluster, key: &str) {
    let _ = std::fs::remove_file(image(c, key));
    let _ = std::fs::remove_dir_all(c.cfg.volume_dir(key));
}
