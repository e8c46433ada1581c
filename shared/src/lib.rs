//! What every kubectl-vault plugin shares (this crate lives in `shared/`, as package
//! `vault-shared`).
//!
//! Every plugin is a thin clap definition plus the orchestration of its runbook steps; the
//! plumbing lives here, once:
//! - [`cli`]: the flags every plugin shares (kubectl's connection flags, output, Vault TLS, tokens, keys);
//! - [`exit`]: the suite's exit codes and the `main` every plugin runs through;
//! - [`version`]: `--version` and `version -o json` (crate version, git commit, build target);
//! - [`completion`]: shell completion scripts and kubectl's plugin completion protocol;
//! - [`session`]: what a verb starts from: the cluster, the Vault pods and their clients, the
//!   token (loaded only when needed), the leader, explained refusals, recording Events;
//! - [`access`]: what the Kubernetes identity may do (SelfSubjectAccessReview), asked before acting;
//! - [`cluster`]: Kubernetes access, finding the Vault pods, pod facts, readiness, waiting, logs;
//! - [`target`]: a Vault pod (or `--vault-addr`) with its client;
//! - [`transport`]: how bytes reach a pod's Vault listener (port-forward + TLS, or a direct address);
//! - [`local_forward`]: a loopback listener forwarded to a pod, for programs the plugin starts;
//! - [`vault`]: the Vault HTTP API, one file per area over one request path (Vault and OpenBao alike);
//! - [`fanout`]: per-pod work run concurrently, each pod's name and result kept, under a deadline;
//! - [`ha`]: each pod's own view (the probe) and which pod is the active node;
//! - [`findings`]: the shape every verb's status findings share;
//! - [`keys`]: unseal keys and tokens from a prompt, stdin, a file or a Secret — never argv;
//! - [`unseal`]: unsealing one pod with a set of shares, nonce- and failure-aware;
//! - [`procedures`]: multi-step procedures (join + unseal + healthy voter, the step log, secret files);
//! - [`confirm`]: plans, `--dry-run`, `--yes` and the terminal prompt of destructive actions;
//! - [`events`]: the Kubernetes Events that record what the plugins did;
//! - [`exec`]: running a command in a pod, for what the Vault API cannot do;
//! - [`volumes`]: the pods' data PVCs and how full they are;
//! - [`podmetrics`]: a pod's memory working set (metrics API) and its memory request and limit;
//! - [`output`]: tables, colour, JSON/YAML, progress;
//! - [`timing`]: phase timings on stderr (`KUBECTL_VAULT_TIMINGS=1`), for performance work.

pub mod access;
pub mod cli;
pub mod cluster;
pub mod completion;
pub mod confirm;
pub mod events;
pub mod exec;
pub mod exit;
pub mod fanout;
pub mod findings;
pub mod ha;
pub mod keys;
pub mod local_forward;
pub mod output;
pub mod podmetrics;
pub mod procedures;
pub mod session;
pub mod target;
pub mod timing;
pub mod transport;
pub mod unseal;
pub mod vault;
pub mod version;
pub mod volumes;

pub use exit::Exit;
// Plugins name Kubernetes types through these, so one version serves the whole suite.
pub use k8s_openapi;
pub use kube;
