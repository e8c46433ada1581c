//! Nothing leaks: after `vault-sandbox down`, and after a SIGKILL of the supervisor that
//! `vault-sandbox up` started, no process, mount, loop device, network interface or route of
//! the sandbox is left on the machine within a few seconds (checked in `/proc`, every
//! process's mountinfo, the loop devices' backing files, `ip link` and `ip route`).

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Daemon, sandbox_ok, supervisor_pid, wait_for};

/// What a leftover interface or route of the sandbox would carry: its address prefix
/// (`10.X.Y.`, the API's) and the name prefix of its pods' host-side veths (`vsbXXYY`, the
/// hex of X and Y), which no other sandbox running beside it shares.
fn address_marks(dir: &Path) -> [String; 2] {
    let s = std::fs::read_to_string(dir.join("state.json")).expect("state.json");
    let v: serde_json::Value = serde_json::from_str(&s).expect("state.json");
    let api = v["api"].as_str().expect("api address");
    let host = api.trim_start_matches("https://");
    let ip: std::net::Ipv4Addr = host
        .rsplit_once(':')
        .map_or(host, |(ip, _)| ip)
        .parse()
        .expect("an IPv4 address");
    let [a, b, c, _] = ip.octets();
    [format!("{a}.{b}.{c}."), format!("vsb{b:02x}{c:02x}")]
}

fn assert_nothing_left(dir: &Path, marks: &[String; 2], after: &str) {
    let mut left = Vec::new();
    // The kernel tears network namespaces (and their veths and routes) down asynchronously,
    // one after another in one work queue for the whole machine: with other sandboxes making
    // and dropping namespaces beside this one (load average 12-20), a pod's veth outlived the
    // sandbox by more than 20 s.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        left = vault_sandbox::leaks::left_behind(dir, &[&marks[0], &marks[1]]);
        if left.is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("left behind 60 s after {after}: {left:#?}");
}

#[test]
fn nothing_is_left_after_down_or_a_killed_supervisor() {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "leaks");
    let d = dir.to_str().unwrap();
    for (round, how) in ["down", "SIGKILL of the supervisor"].iter().enumerate() {
        let sb = Daemon::up(&dir, &["--audit"]);
        let marks = address_marks(&dir);
        // A full disk is one more thing the sandbox made; it must go too.
        sandbox_ok(&["fault", "disk-full", "vault-0", "--dir", d]);
        // While it runs, the check sees its servers and each claim's mount and loop device:
        // it looks in the right places.
        let running = vault_sandbox::leaks::left_behind(&dir, &[&marks[0], &marks[1]]);
        let count = |what: &str| running.iter().filter(|l| l.starts_with(what)).count();
        assert!(count("process") >= 3, "round {round}: {running:#?}");
        assert_eq!(count("loop device"), 6, "3 data + 3 audit: {running:#?}");
        assert!(count("mount in the namespace") >= 6, "{running:#?}");
        assert_eq!(
            count("mount:"),
            0,
            "a pod's mount leaked to the host: {running:#?}"
        );
        assert!(count("interface") >= 3, "the pods' veths: {running:#?}");
        assert!(count("route") >= 3, "the pods' routes: {running:#?}");
        if round == 0 {
            sandbox_ok(&["down", "--dir", d]);
        } else {
            let supervisor = supervisor_pid(&dir);
            vault_sandbox::procs::kill_pid(supervisor, libc::SIGKILL);
            wait_for("the supervisor to die", Duration::from_secs(5), || {
                !common::alive(supervisor)
            });
        }
        assert_nothing_left(&dir, &marks, how);
        drop(sb);
    }
}
