//! What a sandbox could leave on the machine, looked up where the kernel keeps it: processes
//! (`/proc`: command line, working directory, environment under the sandbox's directory),
//! mounts (`/proc/mounts` and every process's `mountinfo`, so a mount held in a surviving
//! namespace counts), loop devices backed by its images (`/sys/block/loop*/loop/backing_file`,
//! what `losetup -a` lists), and network interfaces and routes (`ip -o link`, `ip route`)
//! named with [`INTERFACE_PREFIXES`] or mentioning one of the caller's marks (the sandbox's
//! addresses). A test asserts the list is empty after `down` and after a SIGKILL of the
//! supervisor.

use std::path::Path;

/// Name prefixes of network interfaces that belong to no other program: none. The pods'
/// host-side veths are `vsb` + the hex of their IP's last three octets, so a caller passes the
/// sandbox's own `vsbXXYY` as a mark (a bare `vsb` would catch sandboxes running beside it).
pub const INTERFACE_PREFIXES: &[&str] = &[];

/// Everything under `dir` still on the machine, one line each; `marks` are strings (such as
/// the sandbox's address prefix) that a leftover interface or route would mention.
pub fn left_behind(dir: &Path, marks: &[&str]) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    let mut out = Vec::new();
    let me = std::process::id();
    let pids: Vec<u32> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter(|&p| p != me)
        .collect();
    for &pid in &pids {
        let read = |f: &str| std::fs::read(format!("/proc/{pid}/{f}")).unwrap_or_default();
        let text = |b: Vec<u8>| String::from_utf8_lossy(&b).replace('\0', " ");
        let cmdline = text(read("cmdline"));
        let cwd = std::fs::read_link(format!("/proc/{pid}/cwd"))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if crate::procs::pid_alive(pid)
            && (cmdline.contains(&needle)
                || cwd.starts_with(&needle)
                || text(read("environ")).contains(&needle))
        {
            out.push(format!("process {pid}: {}", cmdline.trim()));
        }
        for line in text(read("mountinfo")).lines() {
            if line.contains(&needle) {
                out.push(format!("mount in the namespace of process {pid}: {line}"));
            }
        }
    }
    for line in std::fs::read_to_string("/proc/mounts")
        .unwrap_or_default()
        .lines()
    {
        if line.contains(&needle) {
            out.push(format!("mount: {line}"));
        }
    }
    for dev in std::fs::read_dir("/sys/block")
        .into_iter()
        .flatten()
        .flatten()
    {
        let backing = dev.path().join("loop/backing_file");
        if let Ok(file) = std::fs::read_to_string(&backing)
            && file.contains(&needle)
        {
            out.push(format!(
                "loop device {}: {}",
                dev.file_name().to_string_lossy(),
                file.trim()
            ));
        }
    }
    for (what, args) in [
        ("interface", &["-o", "link"][..]),
        ("route", &["route"][..]),
    ] {
        let listing = std::process::Command::new("ip")
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        for line in listing.lines() {
            let name = line.split(':').nth(1).unwrap_or("").trim();
            let named =
                what == "interface" && INTERFACE_PREFIXES.iter().any(|p| name.starts_with(p));
            if named || marks.iter().any(|m| !m.is_empty() && line.contains(m)) {
                out.push(format!("{what}: {line}"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
