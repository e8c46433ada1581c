//! The common crate of the kubectl-vault plugins.
//!
//! Every plugin is a thin clap definition plus the orchestration of its runbook steps; the
//! plumbing lives here, once:
//! - [`cli`]: the flags every plugin shares (kubectl's connection flags, output, Vault TLS, tokens);
//! - [`cluster`]: Kubernetes access, finding the Vault pods, readiness, waiting, logs;
//! - [`transport`]: how bytes reach a pod's Vault listener (port-forward + TLS, or a direct address);
//! - [`vault`]: a typed client for the Vault HTTP API (Vault and OpenBao alike);
//! - [`keys`]: unseal keys and tokens from a prompt, stdin, a file or a Secret — never argv;
//! - [`unseal`]: unsealing one pod with a set of shares, nonce- and failure-aware;
//! - [`output`]: tables, colour, JSON/YAML, progress, and the suite's exit codes;
//! - [`fanout`]: per-pod work run concurrently, every pod's result kept;
//! - [`events`]: the Kubernetes Events that record what the plugins did;
//! - [`confirm`]: plans, `--dry-run`, `--yes` and the terminal prompt of destructive actions;
//! - [`exec`]: running a command in a pod, for what the Vault API cannot do;
//! - [`ha`]: which pod is the active node, as the pods themselves see it;
//! - [`volumes`]: the pods' data PVCs and how full they are;
//! - [`podmetrics`]: a pod's memory working set (metrics API) and its memory request and limit.

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
pub mod output;
pub mod podmetrics;
pub mod procedures;
pub mod session;
pub mod target;
pub mod transport;
pub mod unseal;
pub mod vault;
pub mod volumes;

pub use exit::Exit;
// Plugins name Kubernetes types through these, so one version serves the whole suite.
pub use k8s_openapi;
pub use kube;
