//! Multi-step procedures several verbs compose, each step callable on its own:
//! - [`join`]: join a node to raft, unseal it, wait until it is a healthy voter;
//! - [`restart`]: restart pods one at a time, standbys first and the active node last after a
//!   step-down, unsealing and awaiting each;
//! - [`steps`]: the step log that says where a multi-step action stopped and what to run next;
//! - [`secret_file`]: writing a file that holds secrets (0600, a hidden partial file put in
//!   place when complete, never overwriting without `--force`, removed on Ctrl-C).

pub mod join;
pub mod restart;
pub mod secret_file;
pub mod steps;
