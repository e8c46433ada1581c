//! Helpers shared by the sandbox's end-to-end tests: reading `kubectl` tables, running the
//! `vault-sandbox` executable, and looking at processes through `/proc`.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vault_sandbox::{Kubectl, Options, Sandbox};

/// A fresh in-process sandbox of `nodes` pods for one test, in its own directory.
pub fn sandbox(name: &str, nodes: u32) -> Sandbox {
    sandbox_with(
        name,
        Options {
            nodes,
            ..Options::default()
        },
    )
}

pub fn sandbox_with(name: &str, opts: Options) -> Sandbox {
    Sandbox::start(Options {
        dir: vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), name),
        ..opts
    })
    .expect("start the sandbox")
}

/// `kubectl apply -f <name>.yaml` in the sandbox's directory, the file holding one YAML
/// document per object (JSON is YAML), as a role.yaml would hold them.
pub fn apply(sb: &Sandbox, k: &Kubectl, name: &str, objects: &[Value]) {
    let file = sb.dir().join(format!("{name}.yaml"));
    let docs: Vec<String> = objects.iter().map(Value::to_string).collect();
    std::fs::write(&file, docs.join("\n---\n")).unwrap();
    k.ok(["apply", "-f", file.to_str().unwrap()])
        .unwrap_or_else(|e| panic!("kubectl apply {name}: {e}"));
}

/// One row of a `kubectl get` table, keyed by column header.
pub type Row = BTreeMap<String, String>;

/// Parses the tables `kubectl get` prints (several, separated by blank lines, for
/// `kubectl get statefulset,pvc`). Cells are cut at the header's column positions, so values
/// with spaces such as `1 (8s ago)` stay whole.
pub fn tables(text: &str) -> Vec<Vec<Row>> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while lines.peek().is_some() {
        let block: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.trim().is_empty())
            .collect();
        if let Some((header, rows)) = block.split_first() {
            out.push(parse_table(header, rows));
        }
    }
    out
}

/// The single table of `kubectl get`.
pub fn table(text: &str) -> Vec<Row> {
    let mut t = tables(text);
    assert_eq!(t.len(), 1, "expected one table:\n{text}");
    t.remove(0)
}

fn parse_table(header: &str, rows: &[&str]) -> Vec<Row> {
    // A column starts at a non-space after at least two spaces (headers such as
    // `ACCESS MODES` hold single spaces).
    let b = header.as_bytes();
    let starts: Vec<usize> = (0..b.len())
        .filter(|&i| b[i] != b' ' && (i == 0 || (i >= 2 && b[i - 1] == b' ' && b[i - 2] == b' ')))
        .collect();
    let cell = |line: &str, k: usize| -> String {
        let from = starts[k].min(line.len());
        let to = starts.get(k + 1).map_or(line.len(), |&e| e.min(line.len()));
        line.get(from..to).unwrap_or("").trim().to_string()
    };
    rows.iter()
        .map(|line| {
            (0..starts.len())
                .map(|k| (cell(header, k), cell(line, k)))
                .collect()
        })
        .collect()
}

/// The row whose NAME is `name`.
pub fn row<'a>(rows: &'a [Row], name: &str) -> &'a Row {
    rows.iter()
        .find(|r| r["NAME"] == name)
        .unwrap_or_else(|| panic!("no row {name} in {rows:#?}"))
}

/// Exit status, stdout and stderr of a finished command, for failure messages.
pub fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `kubectl get pods -n vault`, parsed.
pub fn pods_table(k: &Kubectl) -> Vec<Row> {
    table(
        &k.ok(["get", "pods", "-n", "vault"])
            .expect("kubectl get pods"),
    )
}

/// `kubectl get pod NAME -n vault -o json`, or None while it does not exist.
pub fn pod_json(k: &Kubectl, name: &str) -> Option<Value> {
    k.json(["get", "pod", name, "-n", "vault"]).ok()
}

pub fn pod_uid(pod: &Value) -> String {
    pod["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn pod_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

pub fn restart_count(pod: &Value) -> u64 {
    pod["status"]["containerStatuses"][0]["restartCount"]
        .as_u64()
        .unwrap_or_else(|| panic!("pod without restartCount: {pod:#}"))
}

/// Pod name → pod IP, as `kubectl get pods -o json` reports them.
pub fn pod_ips(k: &Kubectl) -> BTreeMap<String, String> {
    let list = k.json(["get", "pods", "-n", "vault"]).expect("list pods");
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                p["status"]["podIP"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

/// `kubectl wait --for=condition=ready pod/POD -n vault --timeout=120s`, as the runbook has it.
pub fn kubectl_wait_ready(k: &Kubectl, pod: &str) {
    k.ok([
        "wait",
        "--for=condition=ready",
        &format!("pod/{pod}"),
        "-n",
        "vault",
        "--timeout=120s",
    ])
    .unwrap_or_else(|e| panic!("{e:#}"));
}

/// Polls `f` every 200 ms until it returns true; panics with `what` after `timeout`.
pub fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        if start.elapsed() > timeout {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

// ---- the vault-sandbox executable ----

pub const BIN: &str = env!("CARGO_BIN_EXE_vault-sandbox");

/// `vault-sandbox ARGS`, with stdin closed.
pub fn sandbox_cmd<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(BIN);
    cmd.args(args).stdin(Stdio::null());
    cmd
}

pub fn sandbox_cli<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    sandbox_cmd(args).output().expect("run vault-sandbox")
}

/// Runs `vault-sandbox ARGS` and fails unless it exits 0; returns stdout.
pub fn sandbox_ok(args: &[&str]) -> String {
    let out = sandbox_cli(args);
    assert!(
        out.status.success(),
        "vault-sandbox {args:?}: {}",
        show(&out)
    );
    stdout(&out)
}

/// The supervisor's pid from `DIR/state.json`.
pub fn supervisor_pid(dir: &Path) -> u32 {
    let s = std::fs::read_to_string(dir.join("state.json")).expect("read state.json");
    let v: Value = serde_json::from_str(&s).expect("parse state.json");
    v["pid"].as_u64().expect("state.json without pid") as u32
}

/// A sandbox started with `vault-sandbox up --dir DIR`; stopped on drop, so a failing test
/// leaves nothing running.
pub struct Daemon {
    pub dir: std::path::PathBuf,
}

impl Daemon {
    pub fn up(dir: &Path, extra: &[&str]) -> Daemon {
        let d = dir.to_str().expect("utf-8 dir");
        let mut args = vec!["up", "--dir", d];
        args.extend_from_slice(extra);
        let out = sandbox_cli(&args);
        let daemon = Daemon {
            dir: dir.to_path_buf(),
        };
        assert!(
            out.status.success(),
            "vault-sandbox {args:?}: {}",
            show(&out)
        );
        assert!(
            stdout(&out).contains("export KUBECONFIG="),
            "up should say how to use the sandbox: {}",
            show(&out)
        );
        daemon
    }

    pub fn kubectl(&self) -> Kubectl {
        Kubectl::new(&self.dir.join("kubeconfig"), &self.dir.join("kube-cache"))
    }

    pub fn arg(&self) -> &str {
        self.dir.to_str().expect("utf-8 dir")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let pid = std::fs::read_to_string(self.dir.join("state.json"))
            .ok()
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .and_then(|v| v["pid"].as_u64());
        let _ = sandbox_cli(["down", "--dir", self.arg()]);
        if let Some(pid) = pid.filter(|p| alive(*p as u32)) {
            vault_sandbox::procs::kill_pid(pid as u32, libc::SIGKILL);
        }
    }
}

/// Checks that a failed command printed one clear error line (apart from the progress notes
/// allowed by `notes`), nothing on stdout, and exited 1.
pub fn assert_one_error_line(out: &Output, needle: &str, notes: &[&str]) -> String {
    assert_eq!(out.status.code(), Some(1), "expected exit 1: {}", show(out));
    assert!(out.stdout.is_empty(), "expected no stdout: {}", show(out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| !notes.iter().any(|n| l.starts_with(n)))
        .collect();
    assert_eq!(lines.len(), 1, "expected one error line: {}", show(out));
    let line = lines[0];
    assert!(
        line.starts_with("vault-sandbox: error: ") && line.contains(needle),
        "expected an error mentioning {needle:?}: {}",
        show(out)
    );
    line.to_string()
}

// ---- processes, through /proc ----

/// The state letter of `/proc/PID/stat` (R, S, T, Z, …), or None if there is no such process.
pub fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) S ppid …`; comm may itself hold spaces and parentheses.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Alive: one of its threads is present and not a zombie. A zombie counts as dead (a
/// reparented process may never be reaped here), but only once all its threads have exited:
/// a killed process's main thread turns Z while others still hold its files and sockets.
pub fn alive(pid: u32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|t| {
        let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, r)| r.trim_start().chars().next());
        matches!(state, Some(s) if s != 'Z' && s != 'X')
    })
}

fn ppid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .expect("read /proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

/// Live processes whose parent is `parent`.
pub fn children(parent: u32) -> Vec<u32> {
    all_pids()
        .into_iter()
        .filter(|&p| ppid(p) == Some(parent) && alive(p))
        .collect()
}

/// Live processes whose command line or mounts mention `needle` (a sandbox directory: the
/// supervisor has `--dir DIR`, the `unshare` holding a pod's namespaces its launch script; a
/// server, in its pod's root, has mounts of `DIR/pods/…` and `DIR/volumes/…`), with their
/// command lines.
pub fn processes_mentioning(needle: &str) -> Vec<(u32, String)> {
    let me = std::process::id();
    all_pids()
        .into_iter()
        .filter(|&p| p != me && alive(p))
        .filter_map(|p| {
            let raw = std::fs::read(format!("/proc/{p}/cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&raw).replace('\0', " ");
            let mounts = || {
                std::fs::read_to_string(format!("/proc/{p}/mountinfo"))
                    .is_ok_and(|m| m.contains(needle))
            };
            (cmdline.contains(needle) || mounts()).then_some((p, cmdline))
        })
        .collect()
}

/// `kubectl …` that must fail; returns its stderr.
pub fn fails(k: &Kubectl, args: &[&str]) -> String {
    let out = k.run(args);
    assert!(
        !out.status.success(),
        "kubectl {args:?} succeeded: {}",
        show(&out)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `kubectl exec -n vault POD -- ARGS…`, returning the whole output whatever the exit code.
pub fn exec(k: &Kubectl, pod: &str, args: &[&str]) -> Output {
    let mut argv = vec!["exec", "-n", "vault", pod, "--"];
    argv.extend_from_slice(args);
    k.run(&argv)
}

pub fn exec_ok(k: &Kubectl, pod: &str, args: &[&str]) -> String {
    let out = exec(k, pod, args);
    assert!(
        out.status.success(),
        "kubectl exec {pod} -- {args:?}: {}",
        redact(&show(&out))
    );
    stdout(&out)
}

/// `vault login -` on POD with the root token on stdin (never in argv).
pub fn login(sb: &Sandbox, k: &Kubectl, pod: &str) {
    stdin_exec(k, pod, &["vault", "login", "-"], &sb.root_token());
}

/// `kubectl exec -i -n vault POD -- ARGS` with `input` on stdin; must succeed.
pub fn stdin_exec(k: &Kubectl, pod: &str, args: &[&str], input: &str) -> String {
    let mut argv = vec!["exec", "-i", "-n", "vault", pod, "--"];
    argv.extend_from_slice(args);
    let mut child = k
        .command(&argv)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubectl exec");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{input}").expect("write stdin");
    drop(stdin);
    let out = child.wait_with_output().expect("kubectl exec");
    assert!(out.status.success(), "{args:?} on {pod}: {}", show(&out));
    stdout(&out)
}

/// A shell script on the operator's machine, with kubectl pointed at the sandbox: the
/// runbook's pipelines (`kubectl exec … | grep`, `| jq`, here-documents) as it writes them,
/// in the sandbox's directory, where its relative paths (`./x.snap`, `new-cert.pem`) land.
pub fn host_sh(sb: &Sandbox, script: &str) -> Output {
    std::process::Command::new("sh")
        .args(["-c", script])
        .current_dir(sb.dir())
        .env("KUBECONFIG", sb.kubeconfig())
        .env("KUBECACHEDIR", sb.dir().join("kube-cache"))
        .stdin(Stdio::null())
        .output()
        .expect("run sh")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `text` with every service-account JWT (they all start `eyJ`) replaced, for failure messages.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("eyJ") {
        out.push_str(&rest[..i]);
        out.push_str("<JWT>");
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
            .unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// A line `KEY   VALUE` of the CLI's table output.
pub fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let rest = l.strip_prefix(key)?;
        rest.starts_with(char::is_whitespace).then(|| rest.trim())
    })
}

/// The server configuration in the `vault-config` ConfigMap, as kubectl reads it.
pub fn server_config(k: &Kubectl) -> String {
    let cm = k
        .json(["get", "configmap", "vault-config", "-n", "vault"])
        .expect("get configmap");
    cm["data"][vault_sandbox::objects::CONFIG_KEY]
        .as_str()
        .expect("server configuration")
        .to_string()
}

/// `kubectl patch statefulset vault -n vault --type=json -p PATCH`.
pub fn json_patch_sts(k: &Kubectl, patch: &str) {
    k.ok([
        "patch",
        "statefulset",
        "vault",
        "-n",
        "vault",
        "--type=json",
        "-p",
        patch,
    ])
    .expect("patch the StatefulSet");
}
