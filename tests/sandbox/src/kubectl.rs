//! Running the real `kubectl` against a sandbox, for tests: the independent client.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use anyhow::{Result, bail};
use serde_json::Value;

/// The longest one `run` (and `ok`, `json`) may take.
pub const RUN_LIMIT: Duration = Duration::from_secs(200);

#[derive(Clone)]
pub struct Kubectl {
    kubeconfig: PathBuf,
    cache: PathBuf,
    /// Directories prepended to PATH, so `kubectl <plugin>` finds the plugins under test.
    plugin_dirs: Vec<PathBuf>,
    bin: String,
}

impl Kubectl {
    pub fn new(kubeconfig: &Path, cache: &Path) -> Kubectl {
        Kubectl {
            kubeconfig: kubeconfig.to_path_buf(),
            cache: cache.to_path_buf(),
            plugin_dirs: Vec::new(),
            bin: std::env::var("KUBECTL").unwrap_or_else(|_| "kubectl".into()),
        }
    }

    pub fn with_kubeconfig(&self, kubeconfig: &Path) -> Kubectl {
        Kubectl {
            kubeconfig: kubeconfig.to_path_buf(),
            ..self.clone()
        }
    }

    /// The same, with another kubectl executable (e.g. `kubectl.1.30`).
    pub fn with_binary(&self, bin: &str) -> Kubectl {
        Kubectl {
            bin: bin.to_string(),
            ..self.clone()
        }
    }

    /// Makes the executables in `dir` reachable as kubectl plugins.
    pub fn with_plugins(mut self, dir: &Path) -> Kubectl {
        self.plugin_dirs.push(dir.to_path_buf());
        self
    }

    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    pub fn path_env(&self) -> std::ffi::OsString {
        let mut dirs = self.plugin_dirs.clone();
        if let Some(p) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&p));
        }
        std::env::join_paths(dirs).expect("PATH")
    }

    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("KUBECACHEDIR", &self.cache)
            .env("PATH", self.path_env())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }

    /// `kubectl exec -n NS POD -- sh -c SCRIPT`, not yet run.
    pub fn exec_sh(&self, ns: &str, pod: &str, script: &str) -> Command {
        self.command(["exec", "-n", ns, pod, "--", "sh", "-c", script])
    }

    /// Runs kubectl like `run`, killing it if it has not finished within `limit`: a test
    /// fails with what kubectl had printed and a snapshot of the machine's processes (where
    /// a stream hung) instead of stalling until the test runner kills it.
    pub fn run_within<I, S>(&self, args: I, limit: Duration) -> Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        output_within(self.command(args), limit)
    }

    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        // Bounded below the test runner's kill (4 min), so a hung kubectl fails with where it
        // hung (see `output_within`) rather than as a bare timeout.
        output_within(self.command(args), RUN_LIMIT).unwrap_or_else(|e| panic!("{e:#}"))
    }

    /// Runs kubectl and fails unless it exits 0; returns stdout.
    pub fn ok<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let args: Vec<std::ffi::OsString> =
            args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.run(&args);
        if !out.status.success() {
            bail!(
                "kubectl {:?} exited {:?}\nstdout: {}\nstderr: {}",
                args,
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// `kubectl ... -o json`, parsed.
    pub fn json<I, S>(&self, args: I) -> Result<Value>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut args: Vec<std::ffi::OsString> =
            args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        args.push("-o".into());
        args.push("json".into());
        Ok(serde_json::from_str(&self.ok(&args)?)?)
    }
}

/// Runs `cmd` to completion as `Command::output` does, unless `limit` passes first: then it is
/// killed, and the error holds its output so far and the processes it left running.
#[allow(unsafe_code)]
pub fn output_within(mut cmd: Command, limit: Duration) -> Result<Output> {
    use std::os::unix::process::CommandExt;
    // A process group of its own, so the kill takes whatever it started too (their pipes
    // would otherwise keep the output open).
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    // Drained on threads of their own, so a full pipe cannot stall the child.
    let (out, err) = (drain(child.stdout.take()), drain(child.stderr.take()));
    // Waited for on a thread of its own, so the answer comes the moment it exits; on the
    // deadline its group is killed (it is not yet reaped, so the group is still its own).
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = match rx.recv_timeout(limit) {
        Ok(status) => status?,
        Err(_) => {
            let procs = process_snapshot();
            // SAFETY: a plain syscall on the process group our unreaped child leads.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            let _ = rx.recv();
            let (out, err) = (
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default(),
            );
            // The program and its arguments only: its environment may hold a token.
            let argv: Vec<_> = std::iter::once(cmd.get_program())
                .chain(cmd.get_args())
                .collect();
            bail!(
                "{argv:?} did not finish within {limit:?}; killed\nstdout: {}\nstderr: {}\nprocesses then:\n{procs}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&err),
            );
        }
    };
    Ok(Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// Reads `r` to its end on a thread of its own.
fn drain<R: Read + Send + 'static>(r: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut r) = r {
            let _ = r.read_to_end(&mut buf);
        }
        buf
    })
}

/// The machine's processes with their state and where each waits in the kernel.
fn process_snapshot() -> String {
    Command::new("ps")
        .args(["-eo", "pid,ppid,stat,wchan:24,etimes,args", "--forest"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_else(|e| format!("ps: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_past_its_deadline_is_killed_and_says_where_things_stood() {
        let mut sleeper = Command::new("sh");
        sleeper
            .args(["-c", "echo started; sleep 30"])
            .env("VAULT_TOKEN", "s.never-shown");
        let t = std::time::Instant::now();
        let err = output_within(sleeper, Duration::from_millis(300)).unwrap_err();
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
        let msg = format!("{err:#}");
        assert!(msg.contains("did not finish within 300ms"), "{msg}");
        assert!(msg.contains("stdout: started"), "{msg}");
        assert!(!msg.contains("s.never-shown"), "{msg}");
        assert!(
            msg.contains("processes then:") && msg.contains("WCHAN"),
            "{msg}"
        );

        let mut quick = Command::new("sh");
        quick.args(["-c", "echo out; echo err >&2; exit 3"]);
        let out = output_within(quick, Duration::from_secs(10)).unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
    }
}
