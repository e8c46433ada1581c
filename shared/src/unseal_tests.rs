//! The per-node unseal loop against a fake Vault that keeps Shamir's bookkeeping (threshold,
//! progress, a failed combination discarded) and logs every share it receives. What the loop
//! does to a real OpenBao is the end-to-end tests' business; this pins down its decisions.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use super::*;
use crate::cli::VaultArgs;
use crate::keys;
use crate::transport::Connector;

const THRESHOLD: usize = 3;

/// The shares of `text` (one base64 share a line), numbered from 1 as the plugin numbers them.
fn shares(text: &[String]) -> Vec<Share> {
    keys::parse(&text.join("\n"), "test").expect("well-formed shares")
}

fn key(seed: u8) -> String {
    base64::engine::general_purpose::STANDARD.encode([seed; 33])
}

#[derive(Default)]
struct Fake {
    good: Vec<String>,
    pending: Vec<String>,
    unsealed: bool,
    /// What arrived: `share <key>` or `reset`.
    log: Vec<String>,
    /// Another operator's share slips in after this many of ours.
    interfere_after: Option<usize>,
    /// Another operator sends this share (its own request) just before our share of this
    /// number arrives.
    theirs_before: Option<(usize, String)>,
    /// The share this many arrivals in answers 500 (a node dying mid-attempt).
    fail_at: Option<usize>,
    /// After a good combination, seal-status still says sealed this many times (a node
    /// joining raft fetches the keyring first).
    sealed_reads_after: usize,
}

impl Fake {
    fn status(&self) -> Value {
        json!({"type": "shamir", "initialized": true, "sealed": !self.unsealed,
               "t": THRESHOLD, "n": 5, "progress": self.pending.len(), "version": "2.7.2"})
    }

    fn answer(&mut self, method: &Method, path: &str, body: &[u8]) -> (u16, Value) {
        match (method, path) {
            (&Method::GET, "/v1/sys/seal-status")
                if self.unsealed && self.sealed_reads_after > 0 =>
            {
                self.sealed_reads_after -= 1;
                let mut st = self.status();
                st["sealed"] = json!(true);
                (200, st)
            }
            (&Method::GET, "/v1/sys/seal-status") => (200, self.status()),
            (&Method::PUT, "/v1/sys/unseal") => {
                let req: Value = serde_json::from_slice(body).expect("a JSON body");
                if req["reset"] == true {
                    self.log.push("reset".into());
                    self.pending.clear();
                    return (200, self.status());
                }
                let k = req["key"].as_str().expect("a key").to_string();
                if let Some((at, theirs)) = self.theirs_before.clone()
                    && at == self.sent_count() + 1
                {
                    self.theirs_before = None;
                    // Their own request: Vault judges the attempt if it reaches the threshold.
                    self.pending.push(theirs);
                    if self.pending.len() >= THRESHOLD {
                        self.unsealed = self.pending.iter().all(|k| self.good.contains(k));
                        self.pending.clear();
                    }
                }
                self.log.push(format!("share {k}"));
                if self.fail_at == Some(self.sent_count()) {
                    return (500, json!({"errors": ["internal error"]}));
                }
                if !self.pending.contains(&k) {
                    self.pending.push(k);
                }
                if self.interfere_after == Some(self.pending.len()) {
                    self.interfere_after = None;
                    self.pending.push(key(200));
                }
                if self.pending.len() >= THRESHOLD {
                    let all_good = self.pending.iter().all(|k| self.good.contains(k));
                    self.pending.clear();
                    if !all_good {
                        return (
                            400,
                            json!({"errors": ["failed to decrypt keys from storage: cipher: message authentication failed"]}),
                        );
                    }
                    self.unsealed = true;
                    if self.sealed_reads_after > 0 {
                        let mut st = self.status();
                        st["sealed"] = json!(true);
                        return (200, st);
                    }
                }
                (200, self.status())
            }
            _ => (404, json!({"errors": []})),
        }
    }

    fn sent_count(&self) -> usize {
        self.log.iter().filter(|l| l.starts_with("share ")).count()
    }

    /// The keys sent, in order, as positions in `given` (0 for one not given).
    fn sent(&self, given: &[String]) -> Vec<usize> {
        self.log
            .iter()
            .filter_map(|l| l.strip_prefix("share "))
            .map(|k| given.iter().position(|g| g == k).map_or(0, |i| i + 1))
            .collect()
    }
}

/// A fake Vault on loopback and a client for it.
async fn serve(fake: Fake) -> (VaultClient, Arc<Mutex<Fake>>) {
    let state = Arc::new(Mutex::new(fake));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let served = state.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let state = served.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let state = state.clone();
                    async move {
                        let (method, path) = (req.method().clone(), req.uri().path().to_string());
                        let body = req.into_body().collect().await.expect("body").to_bytes();
                        let (code, v) = state.lock().expect("fake").answer(&method, &path, &body);
                        Ok::<_, Infallible>(
                            Response::builder()
                                .status(code)
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from(v.to_string())))
                                .expect("response"),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    let args = VaultArgs {
        vault_timeout: Duration::from_secs(30),
        ..Default::default()
    };
    let connector = Connector::direct(&format!("http://{addr}"), &args).expect("connector");
    (
        VaultClient::new("fake", connector, Duration::from_secs(30)),
        state,
    )
}

/// The outcome of an unseal with the shares at positions `used`, `bad` proven wrong after
/// `failed` failed combinations.
fn unsealed(used: &[usize], bad: &[usize], failed: usize) -> Outcome {
    Outcome::Unsealed {
        shares_used: used.to_vec(),
        bad_shares: bad.to_vec(),
        failed_attempts: failed,
    }
}

fn given(good: &[u8], bad_at: &[usize]) -> Vec<String> {
    let mut keys: Vec<String> = good.iter().map(|&s| key(s)).collect();
    for (n, &at) in bad_at.iter().enumerate() {
        keys.insert(at - 1, key(100 + n as u8));
    }
    keys
}

fn cluster(good: &[u8]) -> Fake {
    Fake {
        good: good.iter().map(|&s| key(s)).collect(),
        ..Default::default()
    }
}

async fn run(fake: Fake, text: &[String], opts: Options) -> (Outcome, Arc<Mutex<Fake>>) {
    let (outcome, state) = try_run(fake, text, opts).await;
    (outcome.expect("no transport error"), state)
}

async fn try_run(
    fake: Fake,
    text: &[String],
    opts: Options,
) -> (Result<Outcome, VaultError>, Arc<Mutex<Fake>>) {
    let (client, state) = serve(fake).await;
    let outcome = unseal(&client, &shares(text), opts, &|_: &str| {}).await;
    (outcome, state)
}

#[tokio::test]
async fn each_share_once_per_attempt_stopping_at_the_threshold() {
    let text = given(&[1, 2, 3, 4, 5], &[]);
    let (outcome, state) = run(cluster(&[1, 2, 3, 4, 5]), &text, Options::default()).await;
    assert_eq!(outcome, unsealed(&[1, 2, 3], &[], 0));
    assert_eq!(state.lock().unwrap().sent(&text), vec![1, 2, 3]);
}

#[tokio::test]
async fn a_wrong_share_is_found_by_trying_other_combinations() {
    // Share #2 is wrong: {1,2,3} and {1,2,4} fail, {1,3,4} unseals.
    let text = given(&[1, 2, 3], &[2]);
    let (outcome, state) = run(cluster(&[1, 2, 3]), &text, Options::default()).await;
    assert_eq!(outcome, unsealed(&[1, 3, 4], &[2], 2));
    assert_eq!(
        state.lock().unwrap().sent(&text),
        vec![1, 2, 3, 1, 2, 4, 1, 3, 4]
    );
}

#[tokio::test]
async fn only_wrong_shares_fail_with_nothing_left_in_progress() {
    let text = given(&[1], &[2, 3]);
    let (outcome, state) = run(cluster(&[1, 2, 3]), &text, Options::default()).await;
    assert_eq!(outcome, Outcome::Failed { failed_attempts: 1 });
    let f = state.lock().unwrap();
    assert!(f.pending.is_empty() && !f.unsealed);
}

#[tokio::test]
async fn too_few_shares_send_nothing() {
    let text = given(&[1, 2], &[]);
    let (outcome, state) = run(cluster(&[1, 2, 3]), &text, Options::default()).await;
    assert_eq!(outcome, Outcome::NotEnoughShares { have: 2, need: 3 });
    assert!(state.lock().unwrap().log.is_empty());
}

/// Someone else has sent share 5 of the cluster: progress 1 of 3.
fn started_by_someone_else() -> Fake {
    let mut f = cluster(&[1, 2, 3, 4, 5]);
    f.pending.push(key(5));
    f
}

#[tokio::test]
async fn an_unseal_in_progress_is_left_alone_by_default() {
    let text = given(&[1, 2, 3], &[]);
    let (outcome, state) = run(started_by_someone_else(), &text, Options::default()).await;
    assert_eq!(
        outcome,
        Outcome::InProgress {
            progress: 1,
            threshold: 3
        }
    );
    let f = state.lock().unwrap();
    assert!(f.log.is_empty(), "{:?}", f.log);
    assert_eq!(f.pending, vec![key(5)]);
}

#[tokio::test]
async fn continue_keeps_their_share_and_reset_discards_it() {
    let text = given(&[1, 2], &[]);
    let opts = Options {
        continue_existing: true,
        ..Default::default()
    };
    let (outcome, state) = run(started_by_someone_else(), &text, opts).await;
    assert_eq!(outcome, unsealed(&[1, 2], &[], 0));
    assert_eq!(
        state.lock().unwrap().log.first().map(String::as_str),
        Some(&*format!("share {}", key(1)))
    );

    let opts = Options {
        reset_first: true,
        ..Default::default()
    };
    let (outcome, state) = run(started_by_someone_else(), &text, opts).await;
    assert_eq!(outcome, Outcome::NotEnoughShares { have: 2, need: 3 });
    let f = state.lock().unwrap();
    assert_eq!(f.log, vec!["reset".to_string()]);
    assert!(f.pending.is_empty());
}

#[tokio::test]
async fn a_share_slipped_in_by_someone_else_stops_the_attempt() {
    let text = given(&[1, 2, 3], &[]);
    let mut fake = cluster(&[1, 2, 3]);
    fake.interfere_after = Some(1);
    let (outcome, state) = run(fake, &text, Options::default()).await;
    assert_eq!(
        outcome,
        Outcome::InProgress {
            progress: 2,
            threshold: 3
        }
    );
    assert_eq!(state.lock().unwrap().sent(&text), vec![1]);
}

#[tokio::test]
async fn an_error_mid_attempt_leaves_nothing_in_progress() {
    let text = given(&[1, 2, 3], &[]);
    let mut fake = cluster(&[1, 2, 3]);
    fake.fail_at = Some(2);
    let (outcome, state) = try_run(fake, &text, Options::default()).await;
    let e = outcome.expect_err("the 500 is the caller's to report");
    assert_eq!(e.status(), Some(500), "{e}");
    let f = state.lock().unwrap();
    // Share 2 failed; nothing more was sent, and the half attempt (share 1) was discarded.
    assert_eq!(f.sent(&text), vec![1, 2]);
    assert_eq!(f.log.last().map(String::as_str), Some("reset"));
    assert!(f.pending.is_empty() && !f.unsealed);
}

#[tokio::test]
async fn a_node_still_sealed_after_the_last_share_is_waited_for_and_never_blames_a_share() {
    // Joining raft: sealed for two more reads, then unsealed.
    let text = given(&[1, 2, 3], &[]);
    let mut fake = cluster(&[1, 2, 3]);
    fake.sealed_reads_after = 2;
    let (outcome, state) = run(fake, &text, Options::default()).await;
    assert_eq!(outcome, unsealed(&[1, 2, 3], &[], 0));
    assert_eq!(state.lock().unwrap().sent(&text), vec![1, 2, 3]);
    // Sealed past the settle time: an error (timeout), not a wrong share, and no retry with
    // other combinations.
    let text = given(&[1, 2, 3, 4], &[]);
    let mut fake = cluster(&[1, 2, 3, 4]);
    fake.sealed_reads_after = usize::MAX;
    let opts = Options {
        settle: Some(Duration::from_millis(600)),
        ..Default::default()
    };
    let (outcome, state) = try_run(fake, &text, opts).await;
    let e = outcome.expect_err("no verdict on the shares");
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(state.lock().unwrap().sent(&text), vec![1, 2, 3]);
}

#[tokio::test]
async fn a_share_sent_by_someone_else_between_ours_is_neither_blamed_nor_claimed() {
    // Their good share lands between our first and second: our second completes the unseal.
    // Two of ours were used, not three.
    let text = given(&[1, 2, 3, 4], &[]);
    let mut fake = cluster(&[1, 2, 3, 4, 5]);
    fake.theirs_before = Some((2, key(5)));
    let (outcome, state) = run(fake, &text, Options::default()).await;
    assert_eq!(outcome, unsealed(&[1, 2], &[], 0));
    assert_eq!(state.lock().unwrap().sent(&text), vec![1, 2]);

    // Their wrong share lands there: Vault rejects the attempt at our second share. None of
    // ours is blamed and no other combination is tried: the attempt was theirs too.
    let mut fake = cluster(&[1, 2, 3, 4]);
    fake.theirs_before = Some((2, key(200)));
    let (outcome, state) = run(fake, &text, Options::default()).await;
    assert_eq!(
        outcome,
        Outcome::InProgress {
            progress: 0,
            threshold: 3
        }
    );
    let f = state.lock().unwrap();
    assert_eq!(f.sent(&text), vec![1, 2]);
    assert!(!f.unsealed);
}
