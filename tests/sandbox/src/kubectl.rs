//! Running the real `kubectl` against a sandbox, for tests: the independent client.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use anyhow::{Result, bail};
use serde_json::Value;

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

    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command(args).output().expect("run kubectl")
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
