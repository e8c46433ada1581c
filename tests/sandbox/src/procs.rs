//! Child processes that cannot outlive the sandbox.
//!
//! Every server and exec process is started with `PR_SET_PDEATHSIG = SIGKILL`, so the kernel
//! kills it when the sandbox dies, even by SIGKILL. The signal is tied to the *thread* that
//! forked the child, not the process, so all forks happen on one thread that lives as long as
//! the process: a tokio blocking thread would exit when idle and take its children with it.
//! That thread drives a runtime of its own, whose signal driver reaps the children, so they
//! outlive any one sandbox's runtime (tests start several sandboxes in one process).

use std::io;
use std::process::ExitStatus;
use std::sync::OnceLock;

use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot, watch};

type SpawnRequest = (Command, oneshot::Sender<io::Result<Child>>);

static SPAWNER: OnceLock<mpsc::UnboundedSender<SpawnRequest>> = OnceLock::new();

fn spawner() -> &'static mpsc::UnboundedSender<SpawnRequest> {
    SPAWNER.get_or_init(|| {
        let (tx, mut rx) = mpsc::unbounded_channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("sandbox-spawner".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the spawner's runtime");
                rt.block_on(async move {
                    while let Some((mut cmd, reply)) = rx.recv().await {
                        let _ = reply.send(cmd.spawn());
                    }
                });
            })
            .expect("start the spawner thread");
        tx
    })
}

/// Starts `cmd` so that it dies with the sandbox. Also makes it a process-group leader so a
/// whole exec'd pipeline (`sh -c …`) can be signalled at once.
#[allow(unsafe_code)]
pub async fn spawn(mut cmd: Command) -> io::Result<Child> {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: only async-signal-safe calls (prctl, getppid, setpgid, _exit) run between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            libc::setpgid(0, 0);
            Ok(())
        });
    }
    cmd.kill_on_drop(true);
    let (reply, rx) = oneshot::channel();
    spawner()
        .send((cmd, reply))
        .map_err(|_| io::Error::other("the spawner thread is gone"))?;
    rx.await
        .map_err(|_| io::Error::other("the spawner thread is gone"))?
}

/// A running process owned by one task, which reaps it; others signal it through this handle,
/// so a signal never reaches a reused pid.
#[derive(Clone)]
pub struct Proc {
    pub pid: u32,
    signals: tokio::sync::mpsc::UnboundedSender<i32>,
    exit: watch::Receiver<Option<ExitStatus>>,
}

impl Proc {
    /// Takes ownership of `child`; the returned handle reports its exit.
    pub fn supervise(mut child: Child) -> Proc {
        let pid = child.id().unwrap_or(0);
        let (signals, mut rx) = tokio::sync::mpsc::unbounded_channel::<i32>();
        let (exit_tx, exit) = watch::channel(None);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    status = child.wait() => {
                        let status = status.unwrap_or_else(|_| std::os::unix::process::ExitStatusExt::from_raw(1 << 8));
                        let _ = exit_tx.send(Some(status));
                        break;
                    }
                    Some(sig) = rx.recv() => {
                        // Not yet reaped (this task reaps), so the pid is still ours.
                        if let Some(pid) = child.id() {
                            signal_group(pid, sig);
                        }
                    }
                }
            }
        });
        Proc { pid, signals, exit }
    }

    pub fn signal(&self, sig: i32) {
        let _ = self.signals.send(sig);
    }

    pub fn exited(&self) -> Option<ExitStatus> {
        *self.exit.borrow()
    }

    pub async fn wait(&self) -> ExitStatus {
        let mut rx = self.exit.clone();
        loop {
            if let Some(status) = *rx.borrow_and_update() {
                return status;
            }
            if rx.changed().await.is_err() {
                return std::os::unix::process::ExitStatusExt::from_raw(1 << 8);
            }
        }
    }
}

#[allow(unsafe_code)]
fn signal_group(pid: u32, sig: i32) {
    // SAFETY: plain syscall; the negative pid addresses the process group the child leads.
    unsafe {
        if libc::kill(-(pid as libc::pid_t), sig) != 0 {
            libc::kill(pid as libc::pid_t, sig);
        }
    }
}

/// The state letter of a `/proc/.../stat` file (R, S, T, Z, …).
fn stat_state(path: &str) -> Option<char> {
    let stat = std::fs::read_to_string(path).ok()?;
    // `pid (comm) S ppid …`: comm may hold spaces and parentheses.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Whether the process with this pid is still running: one of its threads is not a zombie.
/// A zombie counts as gone (a detached supervisor is reparented to init, which may never reap
/// it), but only once every thread has exited: until then it still holds its files and locks.
pub fn pid_alive(pid: u32) -> bool {
    pid != 0
        && std::fs::read_dir(format!("/proc/{pid}/task")).is_ok_and(|tasks| {
            tasks.flatten().any(|t| {
                let path = format!("/proc/{pid}/task/{}/stat", t.file_name().to_string_lossy());
                stat_state(&path).is_some_and(|s| s != 'Z' && s != 'X')
            })
        })
}

/// The running children of `pid` (the detached supervisor's server processes).
pub fn children(pid: u32) -> Vec<u32> {
    if pid == 0 {
        return Vec::new();
    }
    let ppid = |p: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| ppid(p) == Some(pid) && pid_alive(p))
        .collect()
}

/// The first running child of `pid`: the PID namespace's init under `unshare --fork`.
pub fn first_child(pid: u32) -> Option<u32> {
    if pid == 0 {
        return None;
    }
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .filter(|&p| pid_alive(p))
        .or_else(|| children(pid).into_iter().min())
}

/// Sends a signal to a pid we do not own (the detached supervisor).
#[allow(unsafe_code)]
pub fn kill_pid(pid: u32, sig: i32) {
    if pid != 0 {
        // SAFETY: plain syscall.
        unsafe {
            libc::kill(pid as libc::pid_t, sig);
        }
    }
}

/// Exit code as Kubernetes reports it: the code, or 128 + signal.
pub fn exit_code(status: &ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// The working set (bytes) of a container whose process is `pid`: the resident memory of it
/// and its children (the server under its `unshare`), from /proc. What the metrics API serves
/// as the container's memory, and what an enforced limit holds it to.
pub fn working_set(pid: u32) -> u64 {
    let mut pids = vec![pid];
    pids.extend(children(pid));
    pids.iter()
        .map(|p| {
            std::fs::read_to_string(format!("/proc/{p}/status"))
                .unwrap_or_default()
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .unwrap_or(0)
                * 1024
        })
        .sum()
}
