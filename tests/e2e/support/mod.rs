//! What the plugins' end-to-end tests share: a sandbox with the plugin under test reachable
//! through the real kubectl's plugin discovery, command helpers, a pseudo-terminal for
//! prompts, and the secret-leak checks.
#![allow(dead_code, unsafe_code)]

pub mod cluster;

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use vault_sandbox::{Kubectl, Options, Sandbox};

pub struct Env {
    pub sb: Sandbox,
    /// The real kubectl with the plugin's directory on PATH.
    pub kubectl: Kubectl,
}

/// A fresh sandbox of `nodes` pods for one test; `plugin` is the plugin executable under test.
pub fn env(name: &str, nodes: u32, plugin: &str) -> Env {
    env_with(
        name,
        plugin,
        Options {
            nodes,
            ..Default::default()
        },
    )
}

pub fn env_with(name: &str, plugin: &str, mut opts: Options) -> Env {
    opts.dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), name);
    let sb = Sandbox::start(opts).expect("start the sandbox");
    let dir = Path::new(plugin)
        .parent()
        .expect("plugin dir")
        .to_path_buf();
    let kubectl = sb.kubectl().with_plugins(&dir);
    Env { sb, kubectl }
}

impl Env {
    /// `kubectl <args>` (a plugin verb or a kubectl command), stdin from `input`.
    pub fn run(&self, args: &[&str], input: Option<&[u8]>) -> Output {
        let mut cmd = self.kubectl.command(args);
        cmd.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn kubectl");
        if let Some(data) = input {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(data)
                .expect("write stdin");
        }
        child.wait_with_output().expect("wait for kubectl")
    }

    /// Every secret of the sandbox as text that must never be printed: each unseal key in
    /// base64 and hex, and the root token.
    pub fn secrets(&self) -> Vec<String> {
        secrets_of(&self.sb.init().expect("init.json"))
    }

    /// A 0600 file holding the root token, for --token-file.
    pub fn token_file(&self) -> PathBuf {
        let path = self.sb.dir().join("root-token");
        write_private(&path, self.sb.root_token().as_bytes());
        path
    }

    pub fn keys(&self) -> Vec<String> {
        self.sb.unseal_keys()
    }

    /// Waits until pod `vault-<i>` reports sealed through the Vault API.
    pub fn wait_sealed(&self, i: u32) {
        self.sb
            .wait_until(
                &format!("vault-{i} sealed"),
                Duration::from_secs(30),
                || self.sb.seal_status(i).is_ok_and(|s| s["sealed"] == true),
            )
            .expect("pod sealed");
    }

    /// Injects `fault` (seal, kill, …) into each pod `vault-<i>` and waits until all are sealed.
    pub fn seal_by(&self, fault: vault_sandbox::Fault, ordinals: &[u32]) {
        for i in ordinals {
            self.sb
                .fault(fault, &format!("vault-{i}"))
                .expect("inject the fault");
        }
        for i in ordinals {
            self.wait_sealed(*i);
        }
    }

    /// Wipes the data volume of pod `vault-<i>` and waits until it restarts uninitialised.
    pub fn lose_volume(&self, i: u32) {
        self.sb
            .fault(vault_sandbox::Fault::LoseVolume, &format!("vault-{i}"))
            .expect("lose volume");
        self.sb
            .wait_until("uninitialised", Duration::from_secs(30), || {
                self.sb
                    .seal_status(i)
                    .is_ok_and(|s| s["initialized"] == false)
            })
            .expect("the pod restarted uninitialised");
    }

    pub fn sealed(&self, i: u32) -> bool {
        self.sb.seal_status(i).expect("seal status")["sealed"] == true
    }

    /// The Ready condition of a pod, read with kubectl.
    pub fn ready(&self, pod: &str) -> bool {
        let v = self
            .kubectl
            .json(["get", "pod", pod])
            .expect("kubectl get pod");
        v["status"]["conditions"].as_array().is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
    }

    /// Applies a JSON patch to the `vault` StatefulSet with kubectl.
    pub fn patch_statefulset(&self, patch: &str) {
        self.kubectl
            .ok([
                "patch",
                "statefulset",
                "vault",
                "--type",
                "json",
                "-p",
                patch,
            ])
            .expect("kubectl patch");
    }

    /// Events recorded by kubectl-vault, as kubectl lists them.
    pub fn our_events(&self) -> Vec<Value> {
        let v = self
            .kubectl
            .json(["get", "events"])
            .expect("kubectl get events");
        v["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| {
                e["source"]["component"] == "kubectl-vault"
                    || e["reportingComponent"] == "kubectl-vault"
            })
            .collect()
    }
}

/// The secrets an init JSON holds, as text that must never be printed: each unseal key in
/// base64 and hex, and the root token.
pub fn secrets_of(init: &Value) -> Vec<String> {
    let mut out: Vec<String> = ["unseal_keys_b64", "unseal_keys_hex"]
        .iter()
        .flat_map(|f| init[*f].as_array().cloned().unwrap_or_default())
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    out.extend(init["root_token"].as_str().map(str::to_string));
    out
}

pub fn write_private(path: &Path, data: &[u8]) {
    vault_sandbox::sandbox::write_private(path, data).expect("write a private file");
}

/// The client token of an `auth/token/create` answer, in a 0600 file at `path`.
pub fn write_token(path: &Path, created: &Value) {
    let token = created["auth"]["client_token"].as_str().expect("a token");
    write_private(path, token.as_bytes());
}

/// `kubectl get <object> -o jsonpath=<path>`: one field of one object, as kubectl prints it.
pub fn jsonpath(kubectl: &Kubectl, object: &[&str], path: &str) -> anyhow::Result<String> {
    let mut args = vec!["get"];
    args.extend_from_slice(object);
    let output = format!("jsonpath={path}");
    args.extend_from_slice(&["-o", &output]);
    kubectl.ok(args)
}

/// The entry for `pod` in a plugin's JSON `pods` array; panics naming the pod when absent.
pub fn pod_row<'a>(v: &'a Value, pod: &str) -> &'a Value {
    v["pods"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["pod"] == pod))
        .unwrap_or_else(|| panic!("no {pod} in {v:#}"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn show(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    )
}

pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "{}", show(o));
}

/// How much of a secret is enough to count as leaked: a 16-character run of it (a cut-off or
/// partly masked key still gives most of its entropy away).
const LEAK_RUN: usize = 16;

/// Fails if any secret, or any 16-character run of one, appears in `text`.
pub fn assert_no_secret(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        let chars: Vec<char> = s.chars().collect();
        let runs = chars.windows(LEAK_RUN.min(chars.len()).max(1));
        for run in runs {
            let run: String = run.iter().collect();
            assert!(
                !text.contains(&run),
                "a secret (the run {} characters long at {:?}…) appears in {what}:\n{text}",
                run.len(),
                &run[..4.min(run.len())]
            );
        }
    }
}

/// The error line of a failed command: exactly one non-empty line on stderr, starting `error:`.
pub fn one_error_line(o: &Output) -> String {
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr\n{}", show(o));
    assert!(lines[0].starts_with("error: "), "{}", show(o));
    lines[0].to_string()
}

/// Exit `code` with `needle` somewhere on stderr (a usage error's text, a warning).
pub fn assert_exit_saying(o: &Output, code: i32, needle: &str) {
    assert_exit(o, code);
    assert!(stderr(o).contains(needle), "{}", show(o));
}

/// Exit 1 with one error line that says `needle`.
pub fn assert_fails_with(o: &Output, needle: &str) {
    assert_exit(o, 1);
    let line = one_error_line(o);
    assert!(
        line.contains(needle),
        "expected {needle:?} in the error\n{}",
        show(o)
    );
}

/// A process on a pseudo-terminal (its controlling terminal), for prompts that read /dev/tty.
pub struct Pty {
    pub child: Child,
    master: std::fs::File,
    output: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Pty {
    pub fn spawn(mut cmd: Command) -> Pty {
        let (mut master, mut slave): (RawFd, RawFd) = (0, 0);
        // SAFETY: openpty fills two descriptors; the null pointers ask for defaults.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(rc, 0, "openpty");
        // SAFETY: dup of a valid descriptor; each Stdio owns its own copy.
        let io = |fd: RawFd| unsafe { Stdio::from_raw_fd(libc::dup(fd)) };
        cmd.stdin(io(slave)).stdout(io(slave)).stderr(io(slave));
        // SAFETY: setsid and ioctl are async-signal-safe; they make the pty the child's
        // controlling terminal, so /dev/tty is the pty.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn on a pty");
        // SAFETY: closing our copy of the slave; the master is owned by the File below.
        unsafe { libc::close(slave) };
        let master = unsafe { std::fs::File::from_raw_fd(master) };
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().expect("clone pty master");
        let sink = output.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .expect("pty output")
                    .extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            child,
            master,
            output,
            reader: Some(reader),
        }
    }

    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("pty output")).into_owned()
    }

    /// Waits until the terminal shows `text` `times` times in all.
    pub fn expect(&self, text: &str, times: usize) {
        let start = Instant::now();
        while self.output().matches(text).count() < times {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "never saw {text:?} on the terminal:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn type_line(&mut self, line: &str) {
        self.master
            .write_all(line.as_bytes())
            .expect("write to pty");
        self.master.write_all(b"\n").expect("write to pty");
    }

    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.wait_within(Duration::from_secs(120))
    }

    /// [`wait`](Pty::wait) for a process that may take longer (a rolling restart).
    pub fn wait_within(&mut self, limit: Duration) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().expect("wait") {
                // The reader ends once the terminal has nothing more to give: all output is in.
                if let Some(r) = self.reader.take() {
                    let _ = r.join();
                }
                return st;
            }
            assert!(
                start.elapsed() < limit,
                "the process did not end:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The command line and environment of `pid` and its descendants.
pub fn process_tree_texts(pid: u32) -> Vec<(u32, String, String)> {
    let mut out = Vec::new();
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        let read = |f: &str| {
            std::fs::read(format!("/proc/{p}/{f}"))
                .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
                .unwrap_or_default()
        };
        out.push((p, read("cmdline"), read("environ")));
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) {
            for t in tasks.flatten() {
                let children =
                    std::fs::read_to_string(t.path().join("children")).unwrap_or_default();
                queue.extend(
                    children
                        .split_whitespace()
                        .filter_map(|c| c.parse::<u32>().ok()),
                );
            }
        }
    }
    out
}

/// The repository's `completions/` directory.
pub fn completions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../completions")
}

/// The committed bash, zsh and fish scripts of `plugin` (its executable path) are what it
/// generates now.
pub fn assert_completion_scripts_current(plugin: &str) {
    let bin = Path::new(plugin)
        .file_name()
        .expect("plugin file name")
        .to_string_lossy()
        .into_owned();
    for (shell, file) in [
        ("bash", format!("{bin}.bash")),
        ("zsh", format!("_{bin}")),
        ("fish", format!("{bin}.fish")),
    ] {
        let out = Command::new(plugin)
            .args(["completion", shell])
            .output()
            .expect("run the plugin's completion");
        assert_exit(&out, 0);
        let committed = std::fs::read_to_string(completions_dir().join(&file))
            .unwrap_or_else(|e| panic!("completions/{file}: {e}"));
        assert_eq!(
            stdout(&out),
            committed,
            "completions/{file} is stale: run scripts/completions.sh"
        );
    }
    // `completion bash | head`: the reader is gone before the script is written; the plugin
    // still exits 0, quietly.
    let mut child = Command::new(plugin)
        .args(["completion", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the plugin's completion");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for the plugin");
    assert_exit(&out, 0);
    assert!(out.stderr.is_empty(), "{}", show(&out));
}

/// What `plugin`'s kubectl completion helper (`kubectl_complete-…`, run by kubectl 1.26+ for
/// `kubectl vault-<verb> <TAB>`) answers for `word`, with the plugin on PATH.
pub fn kubectl_complete(plugin: &str, word: &str) -> String {
    let plugin = Path::new(plugin);
    let helper = plugin
        .file_name()
        .expect("plugin file name")
        .to_string_lossy()
        .replacen("kubectl-", "kubectl_complete-", 1);
    let path = std::env::join_paths(
        std::iter::once(plugin.parent().expect("plugin dir").to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ),
    )
    .expect("PATH");
    let out = Command::new(completions_dir().join(helper))
        .arg(word)
        .env("PATH", path)
        .output()
        .expect("run the completion helper");
    stdout(&out)
}

/// The committed completion scripts of `plugin` are current, and its kubectl completion
/// helper answers `partial` with `first` as the first candidate.
pub fn assert_completions_current(plugin: &str, partial: &str, first: &str) {
    assert_completion_scripts_current(plugin);
    let text = kubectl_complete(plugin, partial);
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.starts_with(&format!("{first}\t"))),
        "{partial}<TAB>: {text}"
    );
}
