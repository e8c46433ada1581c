//! The cluster a portable end-to-end test runs against, behind one interface with two
//! drivers: the sandbox (the default), or an existing cluster named by `VAULT_E2E_KUBECONFIG`
//! (a kind cluster with the Vault or OpenBao Helm chart, say), reached only the way an
//! operator reaches one: kubectl, and the `vault` (or `bao`) CLI in the pods through
//! `kubectl exec`.
//!
//! For an existing cluster:
//! - `VAULT_E2E_KUBECONFIG`: its kubeconfig;
//! - `VAULT_E2E_NAMESPACE`: where the Vault StatefulSet runs (default `vault`);
//! - `VAULT_E2E_INIT`: the JSON `vault operator init -format=json` wrote (unseal keys and the
//!   root token it was initialised with);
//!
//! Faults are asked for by what they mean: restarting a pod (its server comes back sealed)
//! is deleting it on any cluster. A fault only the sandbox can make is skipped on an existing
//! cluster, with the reason printed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use vault_sandbox::{Kubectl, Options, Sandbox};

pub enum Driver {
    Sandbox(Box<Sandbox>),
    Existing,
}

pub struct Cluster {
    pub driver: Driver,
    /// The real kubectl, the plugin under test reachable as a plugin, `-n` given by [`Cluster::kubectl_args`].
    pub kubectl: Kubectl,
    pub namespace: String,
    /// The init JSON (unseal keys and root token), for `--keys-file`.
    pub init_file: PathBuf,
    /// Scratch space for the test's files.
    pub dir: PathBuf,
}

impl Cluster {
    /// The existing cluster of `VAULT_E2E_KUBECONFIG` when set, else a fresh sandbox.
    pub fn start(name: &str, nodes: u32, plugin: &str) -> Cluster {
        match std::env::var_os("VAULT_E2E_KUBECONFIG") {
            Some(kc) => {
                let init = std::env::var_os("VAULT_E2E_INIT")
                    .expect("VAULT_E2E_INIT: the init JSON of the existing cluster");
                let ns = std::env::var("VAULT_E2E_NAMESPACE").unwrap_or_else(|_| "vault".into());
                Cluster::existing(name, Path::new(&kc), &ns, Path::new(&init), plugin)
            }
            None => {
                let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), name);
                let sb = Sandbox::start(Options {
                    dir: dir.clone(),
                    nodes,
                    ..Default::default()
                })
                .expect("start the sandbox");
                let kubectl = sb.kubectl().with_plugins(plugin_dir(plugin));
                Cluster {
                    namespace: sb.namespace().to_string(),
                    init_file: sb.init_json_path(),
                    dir,
                    kubectl,
                    driver: Driver::Sandbox(Box::new(sb)),
                }
            }
        }
    }

    /// A cluster known only by its kubeconfig, namespace and init JSON.
    pub fn existing(
        name: &str,
        kubeconfig: &Path,
        namespace: &str,
        init: &Path,
        plugin: &str,
    ) -> Cluster {
        let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), name);
        let kubectl =
            Kubectl::new(kubeconfig, &dir.join("kube-cache")).with_plugins(plugin_dir(plugin));
        Cluster {
            driver: Driver::Existing,
            kubectl,
            namespace: namespace.to_string(),
            init_file: init.to_path_buf(),
            dir,
        }
    }

    /// Runs `scenario` through the existing-cluster driver against a sandbox started on its
    /// own, reached only through its kubeconfig, namespace and init file, as a real cluster
    /// would be. Skipped when `VAULT_E2E_KUBECONFIG` is set (the portable tests run against it).
    pub fn against_a_separate_sandbox(name: &str, plugin: &str, scenario: impl FnOnce(&Cluster)) {
        if std::env::var_os("VAULT_E2E_KUBECONFIG").is_some() {
            eprintln!("skipped: VAULT_E2E_KUBECONFIG is set, the portable tests run against it");
            return;
        }
        let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), &format!("{name}-cluster"));
        let sb = Sandbox::start(Options {
            dir,
            nodes: 3,
            ..Default::default()
        })
        .expect("start the sandbox");
        let c = Cluster::existing(
            &format!("{name}-existing"),
            sb.kubeconfig(),
            sb.namespace(),
            &sb.init_json_path(),
            plugin,
        );
        scenario(&c);
        drop(sb);
    }

    /// The sandbox, for a fault only it can make; on an existing cluster None, with the
    /// reason printed (the caller skips that part).
    pub fn sandbox_only(&self, why: &str) -> Option<&Sandbox> {
        match &self.driver {
            Driver::Sandbox(sb) => Some(sb),
            Driver::Existing => {
                eprintln!("skipped on an existing cluster: {why}");
                None
            }
        }
    }

    fn init(&self) -> Value {
        serde_json::from_slice(&std::fs::read(&self.init_file).expect("the init JSON"))
            .expect("init JSON")
    }

    pub fn root_token(&self) -> String {
        self.init()["root_token"]
            .as_str()
            .expect("root_token")
            .to_string()
    }

    /// Every secret a test must never see printed: keys (base64 and hex) and the root token.
    pub fn secrets(&self) -> Vec<String> {
        super::secrets_of(&self.init())
    }

    /// A 0600 file holding the root token, for `--token-file`.
    pub fn token_file(&self) -> PathBuf {
        let path = self.dir.join("root-token");
        super::write_private(&path, self.root_token().as_bytes());
        path
    }

    /// `kubectl <verb> -n <namespace> <args>`, output captured.
    pub fn plugin(&self, verb: &str, args: &[&str]) -> std::process::Output {
        let mut full = vec![verb, "-n", &self.namespace];
        full.extend_from_slice(args);
        let out = self
            .kubectl
            .command(&full)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("run kubectl");
        super::assert_no_secret(
            &format!("{verb} {args:?}"),
            &super::show(&out),
            &self.secrets(),
        );
        out
    }

    /// The Vault pods, by name.
    pub fn pods(&self) -> Vec<String> {
        let v = self
            .kubectl
            .json([
                "get",
                "pods",
                "-n",
                &self.namespace,
                "-l",
                "app.kubernetes.io/name in (vault, openbao),component=server",
            ])
            .expect("kubectl get pods");
        let mut names: Vec<String> = v["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
            .collect();
        names.sort_by_key(|n| n.rsplit('-').next().and_then(|o| o.parse::<u32>().ok()));
        names
    }

    pub fn pod_uid(&self, pod: &str) -> Option<String> {
        super::jsonpath(
            &self.kubectl,
            &["pod", pod, "-n", &self.namespace],
            "{.metadata.uid}",
        )
        .ok()
        .filter(|u| !u.is_empty())
    }

    pub fn ready(&self, pod: &str) -> bool {
        super::jsonpath(
            &self.kubectl,
            &["pod", pod, "-n", &self.namespace],
            "{.status.conditions[?(@.type==\"Ready\")].status}",
        )
        .is_ok_and(|s| s == "True")
    }

    /// What `vault status -format=json` says of `pod` (seal state and, when unsealed, its
    /// view of the leader), read independently of the plugins: on the sandbox from the pod's
    /// Vault API straight to its address, on an existing cluster with the CLI in the pod.
    /// None: the pod's server did not answer.
    pub fn status(&self, pod: &str) -> Option<Value> {
        match &self.driver {
            Driver::Sandbox(sb) => {
                let ordinal: u32 = pod.rsplit('-').next().and_then(|o| o.parse().ok())?;
                let (_, mut v) = sb
                    .vault(ordinal, "GET", "sys/seal-status", None, None)
                    .ok()?;
                if v["sealed"] == false
                    && let Ok((200, leader)) = sb.vault(ordinal, "GET", "sys/leader", None, None)
                    && let (Some(v), Some(l)) = (v.as_object_mut(), leader.as_object())
                {
                    v.extend(l.clone());
                }
                Some(v)
            }
            Driver::Existing => {
                let out = self
                    .kubectl
                    .command([
                        "exec",
                        "-n",
                        &self.namespace,
                        pod,
                        "--",
                        "sh",
                        "-c",
                        "if command -v vault >/dev/null 2>&1; then vault status -format=json; else bao status -format=json; fi",
                    ])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .output()
                    .ok()?;
                // Exit 2 is "sealed", still a full answer.
                serde_json::from_slice(&out.stdout).ok()
            }
        }
    }

    /// Whether `pod` reports sealed (None: it did not answer).
    pub fn sealed(&self, pod: &str) -> Option<bool> {
        self.status(pod).and_then(|v| v["sealed"].as_bool())
    }

    /// Restarts `pod` as a node failure would: deleted, recreated by its StatefulSet, its
    /// server sealed again. Returns once the new pod's server answers sealed.
    pub fn restart(&self, pod: &str) {
        let old = self.pod_uid(pod);
        self.kubectl
            .ok(["delete", "pod", pod, "-n", &self.namespace, "--wait=false"])
            .expect("kubectl delete pod");
        self.wait_until(
            &format!("{pod} recreated and sealed"),
            Duration::from_secs(180),
            || {
                let uid = self.pod_uid(pod);
                uid.is_some() && uid != old && self.sealed(pod) == Some(true)
            },
        );
    }

    pub fn wait_until(&self, what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
        let start = Instant::now();
        while !f() {
            assert!(start.elapsed() < timeout, "{what}: not within {timeout:?}");
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Each pod's view of the leader: (pod, is_self, leader_address, active_time).
    pub fn leaders(&self) -> Vec<(String, bool, String, String)> {
        self.pods()
            .into_iter()
            .filter_map(|p| {
                let v = self.status(&p)?;
                Some((
                    p,
                    v["is_self"].as_bool().unwrap_or(false),
                    v["leader_address"].as_str().unwrap_or("").to_string(),
                    v["active_time"].as_str().unwrap_or("").to_string(),
                ))
            })
            .collect()
    }
}

fn plugin_dir(plugin: &str) -> &Path {
    Path::new(plugin).parent().expect("plugin dir")
}
