//! The suite's exit codes, and the `main` every plugin runs through.
//!
//! 0 = done and healthy; 1 = failed (bad usage, API error, timeout); 2 = done, but the
//! cluster still needs attention (pods still sealed, raft unhealthy, …).

use std::future::Future;
use std::process::ExitCode;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Exit {
    Healthy,
    Attention,
    Failed,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Healthy => 0,
            Exit::Failed => 1,
            Exit::Attention => 2,
        }
    }

    fn severity(self) -> u8 {
        match self {
            Exit::Healthy => 0,
            Exit::Attention => 1,
            Exit::Failed => 2,
        }
    }

    /// The more severe of the two.
    pub fn worst(self, other: Exit) -> Exit {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }
}

/// Runs a plugin's async main on a tokio runtime and turns its result into the exit code.
/// Errors print as one line on stderr (`error: what failed: why`).
pub fn run<F>(main: F) -> ExitCode
where
    F: Future<Output = anyhow::Result<Exit>>,
{
    let shield = stdout_shield::install();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    crate::timing::mark("runtime started");
    let result = rt.block_on(main);
    crate::timing::mark("verb done");
    // Do not wait for lingering port-forward tasks.
    rt.shutdown_background();
    let code = match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            crate::output::error_line(&format!("{e:#}"));
            ExitCode::from(Exit::Failed.code())
        }
    };
    stdout_shield::finish(shield);
    code
}

/// `kubectl vault-unseal | head` must not stop an unseal (or a rejoin) half-way: when stdout
/// is a pipe, the program writes into a pipe of its own, and a thread copies that to the real
/// stdout, dropping what the reader no longer takes. A closed stdout then never fails a write
/// (no SIGPIPE, no "Broken pipe" panic); the action finishes and the exit code is its own.
#[cfg(unix)]
#[allow(unsafe_code)]
mod stdout_shield {
    use std::fs::File;
    use std::io::{Read, Write};
    use std::os::fd::FromRawFd;
    use std::thread::JoinHandle;

    pub fn install() -> Option<JoinHandle<()>> {
        // SAFETY: plain system calls on descriptors this process owns; on any failure stdout
        // is left as it was.
        unsafe {
            // Write errors (EPIPE) are reported to the writer, never a signal.
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
            let mut st: libc::stat = std::mem::zeroed();
            if libc::fstat(1, &mut st) != 0 || st.st_mode & libc::S_IFMT != libc::S_IFIFO {
                return None;
            }
            let mut fds = [0; 2];
            if libc::pipe(fds.as_mut_ptr()) != 0 {
                return None;
            }
            let real = libc::dup(1);
            if real < 0 || libc::dup2(fds[1], 1) < 0 {
                libc::close(fds[0]);
                libc::close(fds[1]);
                return None;
            }
            libc::close(fds[1]);
            let (mut from, mut to) = (File::from_raw_fd(fds[0]), File::from_raw_fd(real));
            Some(std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                let mut open = true;
                while let Ok(n @ 1..) = from.read(&mut buf) {
                    open = open && to.write_all(&buf[..n]).and_then(|_| to.flush()).is_ok();
                }
            }))
        }
    }

    /// Hands the rest of the output to the copier and waits until it is through.
    pub fn finish(shield: Option<JoinHandle<()>>) {
        let Some(copier) = shield else { return };
        let _ = std::io::stdout().flush();
        // SAFETY: replaces descriptor 1 (our pipe's only write end) with /dev/null, so the
        // copier sees the end of the output.
        unsafe {
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            if null >= 0 {
                libc::dup2(null, 1);
                libc::close(null);
            }
        }
        let _ = copier.join();
    }
}

/// Windows has no SIGPIPE: a closed pipe is an ordinary write error there.
#[cfg(not(unix))]
mod stdout_shield {
    pub fn install() -> Option<()> {
        None
    }

    pub fn finish(_: Option<()>) {}
}

/// A plugin's whole `main`: shell completion requests, the command line, then `run` on the
/// async runtime, its result turned into the exit code.
pub fn main<C, Fut>(run: impl FnOnce(C) -> Fut) -> ExitCode
where
    C: clap::Parser,
    Fut: Future<Output = anyhow::Result<Exit>>,
{
    crate::timing::init();
    if let Some(code) = crate::completion::intercept::<C>() {
        return code;
    }
    if let Some(code) = crate::version::intercept(&std::env::args().collect::<Vec<_>>()) {
        return code;
    }
    no_core_dumps();
    let cli = parse();
    crate::timing::mark("command line parsed");
    self::run(run(cli))
}

/// Keeps keys and tokens out of core dumps and away from same-user ptrace: no core file, and
/// (Linux) the process not dumpable, for the whole run (keys are in memory throughout).
#[allow(unsafe_code)]
pub(crate) fn no_core_dumps() {
    #[cfg(unix)]
    // SAFETY: plain system calls with valid arguments; failure leaves the defaults.
    unsafe {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &none);
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// Parses the command line. Usage errors exit 1, not clap's 2: exit 2 means "the cluster
/// needs attention" in this suite, and scripts branch on it.
pub fn parse<C: clap::Parser>() -> C {
    let parsed = crate::cli::command::<C>()
        .try_get_matches()
        .and_then(|m| C::from_arg_matches(&m));
    match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Failed.code()
            } else {
                0
            };
            let _ = e.print();
            std::process::exit(code.into());
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    #[allow(unsafe_code)]
    fn the_process_is_not_dumpable() {
        super::no_core_dumps();
        // SAFETY: read-only queries of this process's own settings.
        let (dumpable, core) = unsafe {
            let mut r = libc::rlimit {
                rlim_cur: 1,
                rlim_max: 1,
            };
            libc::getrlimit(libc::RLIMIT_CORE, &mut r);
            (libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0), r.rlim_cur)
        };
        assert_eq!(dumpable, 0);
        assert_eq!(core, 0);
    }

    use super::Exit;

    #[test]
    fn failed_outranks_attention() {
        assert_eq!(Exit::Healthy.worst(Exit::Attention), Exit::Attention);
        assert_eq!(Exit::Attention.worst(Exit::Failed), Exit::Failed);
        assert_eq!(Exit::Failed.worst(Exit::Healthy), Exit::Failed);
        assert_eq!(Exit::Attention.code(), 2);
    }
}
