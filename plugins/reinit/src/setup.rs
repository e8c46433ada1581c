//! `init --setup SCRIPT`: the operator's reconfiguration script (the runbook's `setup.sh`)
//! run against the new cluster before its root token is revoked. The script reaches the
//! active pod through a loopback listener forwarded over the Kubernetes API, trusts the CA
//! the pods trust (a 0600 file removed afterwards), and gets the root token in its own
//! environment only: never on a command line, never in the plugin's output.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use k8s_openapi::api::core::v1::Pod;
use vault_shared::cluster;
use vault_shared::local_forward::LocalForward;
use vault_shared::output::{self, Format};
use vault_shared::session::Session;
use vault_shared::transport;

/// The script, checked before anything changes: a file we may execute.
pub fn check_script(path: &Path) -> Result<PathBuf> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("--setup {}: cannot read it", path.display()))?;
    ensure!(meta.is_file(), "--setup {} is not a file", path.display());
    ensure!(
        meta.permissions().mode() & 0o111 != 0,
        "--setup {} is not executable (chmod +x it)",
        path.display()
    );
    // The script runs in the current directory, as given; an absolute path survives that.
    std::fs::canonicalize(path).with_context(|| format!("--setup {}", path.display()))
}

/// How the script will reach Vault, settled before the first destructive step: the
/// listener's scheme and port, and the CA the pods trust.
pub struct Reach {
    https: bool,
    port: u16,
    ca_pem: Option<String>,
    /// Names to ask the server for, the first one its certificate verifies for wins.
    names: Vec<String>,
}

/// Reads what the script needs from `pod`'s spec (and the Secret behind its VAULT_CACERT,
/// or `--ca-cert`); refuses when no CA can be found for an HTTPS listener.
pub async fn reach(session: &Session, pod: &Pod) -> Result<Reach> {
    let args = session.vault_args();
    let ep = transport::endpoint(pod, args);
    let ca_pem = match (ep.https, &args.ca_cert, &ep.ca_path) {
        (false, _, _) => None,
        (true, Some(file), _) => Some(
            std::fs::read_to_string(file)
                .with_context(|| format!("read --ca-cert {}", file.display()))?,
        ),
        (true, None, Some(path)) => Some(
            transport::discover_ca(&session.kube, pod, path)
                .await
                .context("find the CA the pods trust, for the setup script (or give --ca-cert)")?,
        ),
        (true, None, None) => bail!(
            "the pods serve HTTPS but set no VAULT_CACERT: give --ca-cert so the setup script can verify Vault"
        ),
    };
    // As `vault-certs status` does: the Service the chart names after the release.
    let ns = &session.kube.namespace;
    let release = cluster::owner_statefulset(pod).unwrap_or("vault");
    let names = match &args.tls_server_name {
        Some(n) => vec![n.clone()],
        None => vec![
            format!("{release}.{ns}.svc"),
            format!("{release}.{ns}"),
            release.to_string(),
            ep.host.clone(),
        ],
    };
    Ok(Reach {
        https: ep.https,
        port: ep.port,
        ca_pem,
        names,
    })
}

/// The CA in a new 0600 file, removed when dropped.
struct CaFile(PathBuf);

impl CaFile {
    fn create(pem: &str) -> Result<CaFile> {
        use std::io::Write;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "kubectl-vault-setup-ca-{}-{nanos}.pem",
            std::process::id()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options
            .open(&path)
            .with_context(|| format!("create {}", path.display()))?;
        f.write_all(pem.as_bytes())
            .with_context(|| format!("write {}", path.display()))?;
        Ok(CaFile(path))
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Runs `script` against `pod` (the active node) with `token` in its environment, its
/// stdout and stderr streamed through (stdout to stderr with `-o json`, so the report stays
/// one document). Fails when it exits non-zero or outlasts `timeout`.
pub async fn run(
    session: &Session,
    reach: &Reach,
    pod: &str,
    script: &Path,
    token: &str,
    timeout: Duration,
) -> Result<()> {
    let forward = LocalForward::start(&session.kube, pod, reach.port).await?;
    let mut cmd = tokio::process::Command::new(script);
    let scheme = if reach.https { "https" } else { "http" };
    let addr = format!("{scheme}://{}", forward.addr);
    // The OpenBao CLI reads BAO_*, Vault's VAULT_*: both are set, and what the operator's
    // shell had for another cluster is not passed on.
    for var in [
        "SKIP_VERIFY",
        "NAMESPACE",
        "CAPATH",
        "CACERT",
        "TLS_SERVER_NAME",
        "CLIENT_CERT",
        "CLIENT_KEY",
    ] {
        cmd.env_remove(format!("VAULT_{var}"))
            .env_remove(format!("BAO_{var}"));
    }
    let mut env: Vec<(&str, std::ffi::OsString)> = vec![("ADDR", addr.clone().into())];
    let mut ca_file = None;
    if let Some(pem) = &reach.ca_pem {
        let name = server_name(
            &forward,
            reach,
            pem,
            pod,
            session.vault_args().vault_timeout,
        )
        .await?;
        let file = CaFile::create(pem)?;
        env.push(("CACERT", file.0.clone().into()));
        env.push(("TLS_SERVER_NAME", name.into()));
        ca_file = Some(file);
    }
    for (var, value) in &env {
        cmd.env(format!("VAULT_{var}"), value)
            .env(format!("BAO_{var}"), value);
    }
    cmd.env("VAULT_TOKEN", token)
        .env("BAO_TOKEN", token)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if session.format == Format::Table {
        cmd.stdout(Stdio::inherit());
    } else {
        cmd.stdout(stderr_handle()?);
    }
    output::debug(&format!("setup script {} against {addr}", script.display()));
    let mut child = cmd
        .spawn()
        .with_context(|| format!("start {}", script.display()))?;
    let status = match tokio::time::timeout(timeout, child.wait()).await {
        Ok(status) => status.with_context(|| format!("wait for {}", script.display()))?,
        Err(_) => {
            let _ = child.kill().await;
            bail!(
                "{} did not finish within {timeout:?} (--setup-timeout): stopped",
                script.display()
            );
        }
    };
    drop(ca_file);
    drop(forward);
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => bail!("{} exited with code {code}", script.display()),
        None => bail!("{} was killed by a signal", script.display()),
    }
}

/// The first of the candidate names the pod's certificate verifies for, with the CA.
async fn server_name(
    forward: &LocalForward,
    reach: &Reach,
    pem: &str,
    pod: &str,
    timeout: Duration,
) -> Result<String> {
    let mut why = Vec::new();
    for name in &reach.names {
        match forward.verifies(pem, name, timeout).await {
            Ok(()) => return Ok(name.clone()),
            Err(e) => why.push(format!("{e:#}")),
        }
    }
    bail!(
        "{pod}'s certificate does not verify against the CA the pods trust for any of {} ({}): give --tls-server-name or --ca-cert",
        reach.names.join(", "),
        why.join("; ")
    )
}

/// Our stderr, for a child's stdout.
fn stderr_handle() -> Result<Stdio> {
    use std::os::fd::AsFd;
    Ok(Stdio::from(
        std::io::stderr()
            .as_fd()
            .try_clone_to_owned()
            .context("duplicate stderr")?,
    ))
}
