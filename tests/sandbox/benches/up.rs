//! Sandbox start-up: time from `vault-sandbox up` to a ready 3-node cluster (initialised,
//! unsealed, 3 raft voters, every pod Ready), and the memory the running sandbox holds
//! (VmRSS of the supervisor and the server processes, from /proc).
//!
//!     cargo bench -p vault-sandbox --bench up
//!
//! `VAULT_SANDBOX_BENCH_RUNS` sets the number of runs (default 3). The target: ready
//! within 20 s on a 2-core machine, under 600 MiB RSS.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;

/// Sum of a `/proc/PID/status` field (in kB) over `pids`.
fn sum_kb(pids: &[u32], field: &str) -> u64 {
    pids.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .filter_map(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .sum()
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

struct Run {
    ready: Duration,
    rss_kb: u64,
    supervisor_kb: u64,
    rss_settled_kb: u64,
    hwm_kb: u64,
}

fn one_run(i: usize) -> Run {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), &format!("bench-up-{i}"));
    let d = dir.to_str().expect("utf-8 dir");
    let start = Instant::now();
    let out = sandbox_cli(["up", "--dir", d, "--nodes", "3"]);
    let ready = start.elapsed();
    let daemon = Daemon { dir: dir.clone() };
    assert!(out.status.success(), "vault-sandbox up: {}", show(&out));

    // Check "ready" independently: every pod 1/1 Running as kubectl sees it.
    let pods = pods_table(&daemon.kubectl());
    assert_eq!(pods.len(), 3, "{pods:#?}");
    assert!(
        pods.iter()
            .all(|p| p["READY"] == "1/1" && p["STATUS"] == "Running"),
        "not ready when `up` returned: {pods:#?}"
    );

    let supervisor = supervisor_pid(&dir);
    let mut pids = vec![supervisor];
    pids.extend(children(supervisor));
    assert_eq!(pids.len(), 4, "supervisor and 3 servers: {pids:?}");
    let rss_kb = sum_kb(&pids, "VmRSS");
    let supervisor_kb = sum_kb(&[supervisor], "VmRSS");
    std::thread::sleep(Duration::from_secs(5));
    let rss_settled_kb = sum_kb(&pids, "VmRSS");
    let hwm_kb = sum_kb(&pids, "VmHWM");

    let down = sandbox_cli(["down", "--dir", d]);
    assert!(down.status.success(), "vault-sandbox down: {}", show(&down));
    let left: Vec<(u32, Option<char>)> = pids
        .iter()
        .filter(|p| alive(**p))
        .map(|p| (*p, proc_state(*p)))
        .collect();
    assert!(
        left.is_empty(),
        "processes left after down (supervisor {supervisor}): {left:?}\n{}",
        show(&down)
    );
    drop(daemon);
    Run {
        ready,
        rss_kb,
        supervisor_kb,
        rss_settled_kb,
        hwm_kb,
    }
}

fn stats(v: Vec<f64>) -> (f64, f64, f64) {
    let s = vault_sandbox::Stats::of(v);
    (s.min, s.median, s.max)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument that is not ours means "not me".
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && a != "up")
    {
        return;
    }
    let runs: usize = std::env::var("VAULT_SANDBOX_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("sandbox start-up: {runs} runs of `vault-sandbox up --nodes 3` ({cpus} CPUs)");
    let mut results = Vec::new();
    for i in 0..runs {
        let r = one_run(i);
        println!(
            "  run {}: ready in {:.2} s; RSS {:.0} MiB at ready (supervisor {:.0}), {:.0} MiB 5 s later, peak ≤ {:.0} MiB",
            i + 1,
            r.ready.as_secs_f64(),
            mib(r.rss_kb),
            mib(r.supervisor_kb),
            mib(r.rss_settled_kb),
            mib(r.hwm_kb),
        );
        results.push(r);
    }
    let (t0, t1, t2) = stats(results.iter().map(|r| r.ready.as_secs_f64()).collect());
    let (r0, r1, r2) = stats(results.iter().map(|r| mib(r.rss_kb)).collect());
    let (v0, v1, v2) = stats(results.iter().map(|r| mib(r.supervisor_kb)).collect());
    let (s0, s1, s2) = stats(results.iter().map(|r| mib(r.rss_settled_kb)).collect());
    let (h0, h1, h2) = stats(results.iter().map(|r| mib(r.hwm_kb)).collect());
    println!();
    println!("| measure (3 nodes) | min | median | max |");
    println!("|---|---|---|---|");
    println!("| time to ready (s) | {t0:.2} | {t1:.2} | {t2:.2} |");
    println!("| RSS at ready, supervisor + servers (MiB) | {r0:.0} | {r1:.0} | {r2:.0} |");
    println!("| of which the supervisor (MiB) | {v0:.0} | {v1:.0} | {v2:.0} |");
    println!("| RSS 5 s after ready (MiB) | {s0:.0} | {s1:.0} | {s2:.0} |");
    println!("| sum of per-process peak RSS, VmHWM (MiB) | {h0:.0} | {h1:.0} | {h2:.0} |");
}
