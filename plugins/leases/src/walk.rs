//! The walk of the lease tree (`LIST sys/leases/lookup/…`): concurrent, within a request
//! budget, backing off when Vault pushes back, so counting leases never becomes the next
//! incident. It keeps one count per directory, never the lease IDs themselves, counts each
//! directory's listing as it streams in, and reads few listings at once, so memory grows with
//! the number of prefixes, not of leases.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Result, anyhow};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vault_shared::vault::leases::{LeaseDirCount, LeaseInfo, lease_dir};
use vault_shared::vault::{VaultClient, VaultError};

use vault_shared::session::Session;

/// The leases directly in one directory of the tree.
#[derive(Debug, Clone)]
pub struct DirCount {
    /// The directory, with its trailing slash (`auth/token/create/ci/`).
    pub dir: String,
    pub leases: u64,
    /// A few of its leases' times (the first listed, then others spread over the listing),
    /// when sampled.
    pub samples: Vec<LeaseInfo>,
}

#[derive(Debug, Default)]
pub struct Walk {
    pub dirs: Vec<DirCount>,
    pub requests: u64,
    /// Directories the budget left unlisted: the counts are a lower bound when any remain.
    pub unvisited: Vec<String>,
}

impl Walk {
    pub fn total(&self) -> u64 {
        self.dirs.iter().map(|d| d.leases).sum()
    }

    pub fn complete(&self) -> bool {
        self.unvisited.is_empty()
    }
}

/// Request budget and concurrency of a walk.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_requests: u64,
    pub concurrency: usize,
    /// Leases looked up per directory for their expiry.
    pub sample: usize,
}

/// A budget of Vault requests shared by every worker.
pub struct Budget {
    left: AtomicU64,
    used: AtomicU64,
}

impl Budget {
    pub fn new(max: u64) -> Budget {
        Budget {
            left: AtomicU64::new(max),
            used: AtomicU64::new(0),
        }
    }

    fn take(&self) -> bool {
        let ok = self
            .left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if ok {
            self.used.fetch_add(1, Ordering::SeqCst);
        }
        ok
    }

    pub fn used(&self) -> u64 {
        self.used.load(Ordering::SeqCst)
    }
}

/// Why a request was not answered.
pub enum Refused {
    /// The budget ran out before it could be sent.
    Budget,
    Vault(VaultError),
}

/// Whether Vault asks us to slow down (429, 5xx other than sealed) or the request got lost.
fn transient(e: &VaultError) -> bool {
    match e {
        VaultError::Api { status, errors, .. } => {
            *status == 429 || (*status >= 500 && !errors.iter().any(|m| m.contains("sealed")))
        }
        VaultError::Timeout { .. } | VaultError::Unreachable { .. } => true,
        VaultError::Protocol { .. } => false,
    }
}

/// Runs `call`, retrying with exponential backoff while Vault pushes back; every attempt
/// counts against the budget.
pub async fn with_backoff<T, F, Fut>(budget: &Budget, mut call: F) -> Result<T, Refused>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, VaultError>>,
{
    let mut delay = Duration::from_millis(100);
    let mut attempt = 0;
    loop {
        if !budget.take() {
            return Err(Refused::Budget);
        }
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if transient(&e) && attempt < 6 => {
                attempt += 1;
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(Refused::Vault(e)),
        }
    }
}

/// A progress line on stderr when it is a terminal.
pub fn progress(label: &str) -> Option<ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    })
}

/// LIST answers read at once, each on a connection kept for LISTs. An answer carries a
/// whole directory's keys, and when it arrives faster than it is counted its bytes wait in
/// the transport's buffers (kube's port-forward pipe, up to 1 MiB, and the websocket's read
/// buffer), which keep the size they grew to for the connection's life. Were every
/// connection to LIST, each would swell to the largest directory it read, and the peak
/// memory would follow the directories' size; with LISTs on two connections only, the
/// expiry lookups (small answers) on the others, that growth is two connections' worth,
/// whatever the concurrency.
const LISTS_IN_FLIGHT: usize = 2;

/// The connections kept for LISTs; a permit of `free` comes with one of `idle`.
struct Listers {
    free: tokio::sync::Semaphore,
    idle: Mutex<Vec<VaultClient>>,
}

impl Listers {
    fn new(client: &VaultClient) -> Listers {
        Listers {
            free: tokio::sync::Semaphore::new(LISTS_IN_FLIGHT),
            idle: Mutex::new(
                (0..LISTS_IN_FLIGHT)
                    .map(|_| client.another_connection())
                    .collect(),
            ),
        }
    }

    /// Counts one directory on a LIST connection, once one is free.
    async fn count(&self, dir: &str, sample: usize) -> Result<LeaseDirCount, VaultError> {
        let _permit = self.free.acquire().await;
        let lent = Lent {
            idle: &self.idle,
            client: self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop(),
        };
        let client = lent.client.as_ref().expect("a connection for each permit");
        client.count_lease_dir(dir, sample).await
    }
}

/// A LIST connection on loan, given back even when its request is dropped half-way.
struct Lent<'a> {
    idle: &'a Mutex<Vec<VaultClient>>,
    client: Option<VaultClient>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            self.idle.lock().unwrap_or_else(|p| p.into_inner()).push(c);
        }
    }
}

struct Shared {
    listers: Listers,
    queue: Mutex<VecDeque<String>>,
    /// Directories taken from the queue and not yet done (their children may still come).
    busy: AtomicU64,
    dirs: Mutex<Vec<DirCount>>,
    unvisited: Mutex<Vec<String>>,
    leases: AtomicU64,
    failed: Mutex<Option<VaultError>>,
}

/// Walks the tree under `prefix` on the active node with `limits.concurrency` connections.
pub async fn walk(
    session: &Session,
    client: &VaultClient,
    prefix: &str,
    limits: Limits,
) -> Result<Walk> {
    let budget = Budget::new(limits.max_requests);
    let shared = Shared {
        listers: Listers::new(client),
        queue: Mutex::new(VecDeque::from([lease_dir(prefix)])),
        busy: AtomicU64::new(0),
        dirs: Mutex::new(Vec::new()),
        unvisited: Mutex::new(Vec::new()),
        leases: AtomicU64::new(0),
        failed: Mutex::new(None),
    };
    let bar = progress("counting leases");
    let clients: Vec<VaultClient> = (0..limits.concurrency.max(1))
        .map(|_| client.another_connection())
        .collect();
    let workers = clients
        .iter()
        .map(|c| worker(c, &shared, &budget, limits, bar.as_ref()));
    futures::future::join_all(workers).await;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(e) = shared
        .failed
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
    {
        return Err(session.explain(e, &format!("list the leases under {:?}", lease_dir(prefix))));
    }
    let mut dirs = shared.dirs.into_inner().unwrap_or_else(|p| p.into_inner());
    dirs.sort_by(|a, b| a.dir.cmp(&b.dir));
    let mut unvisited = shared
        .unvisited
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    unvisited.extend(shared.queue.into_inner().unwrap_or_else(|p| p.into_inner()));
    unvisited.sort();
    Ok(Walk {
        dirs,
        requests: budget.used(),
        unvisited,
    })
}

async fn worker(
    client: &VaultClient,
    shared: &Shared,
    budget: &Budget,
    limits: Limits,
    bar: Option<&ProgressBar>,
) {
    loop {
        if shared.failed.lock().map(|f| f.is_some()).unwrap_or(true) {
            return;
        }
        let next = {
            let mut q = shared.queue.lock().unwrap_or_else(|p| p.into_inner());
            let next = q.pop_front();
            if next.is_some() {
                shared.busy.fetch_add(1, Ordering::SeqCst);
            }
            next
        };
        let Some(dir) = next else {
            if shared.busy.load(Ordering::SeqCst) == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let listed = with_backoff(budget, || shared.listers.count(&dir, limits.sample)).await;
        match listed {
            Ok(listing) => {
                shared
                    .queue
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .extend(listing.subdirs.iter().map(|s| format!("{dir}{s}")));
                if listing.leases > 0 {
                    let samples = sample(client, budget, &dir, &listing.sample).await;
                    let n = listing.leases;
                    let total = shared.leases.fetch_add(n, Ordering::SeqCst) + n;
                    shared
                        .dirs
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(DirCount {
                            dir: dir.clone(),
                            leases: n,
                            samples,
                        });
                    if let Some(b) = bar {
                        b.set_message(format!(
                            "{total} leases so far, {} requests, at {dir}",
                            budget.used()
                        ));
                    }
                }
            }
            Err(Refused::Budget) => shared
                .unvisited
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(dir),
            Err(Refused::Vault(e)) => {
                *shared.failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
            }
        }
        shared.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Looks up the sampled leases of a directory; a lease that cannot be looked up (revoked
/// meanwhile, budget spent) is left out: the sample is best effort.
async fn sample(
    client: &VaultClient,
    budget: &Budget,
    dir: &str,
    keys: &[String],
) -> Vec<LeaseInfo> {
    let mut out = Vec::new();
    for key in keys {
        let id = format!("{dir}{key}");
        if let Ok(info) = with_backoff(budget, || client.lookup_lease(&id)).await {
            out.push(info);
        }
    }
    out
}

/// `Err` for a walk that stopped at its budget, for actions that need the whole count.
pub fn require_complete(walk: &Walk, prefix: &str) -> Result<()> {
    if walk.complete() {
        return Ok(());
    }
    Err(anyhow!(
        "the request budget ({} requests) ran out before every prefix under {:?} was listed ({} left); raise --max-requests",
        walk.requests,
        lease_dir(prefix),
        walk.unvisited.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, error: &str) -> VaultError {
        VaultError::Api {
            target: "vault-0".into(),
            status,
            errors: vec![error.into()],
        }
    }

    #[test]
    fn throttling_and_server_errors_are_retried_refusals_are_not() {
        assert!(transient(&api(429, "rate limited")));
        assert!(transient(&api(500, "internal error")));
        assert!(!transient(&api(503, "Vault is sealed")));
        assert!(!transient(&api(403, "permission denied")));
        assert!(!transient(&api(400, "bad request")));
    }

    #[tokio::test]
    async fn retries_spend_the_budget_and_stop_at_it() {
        let budget = Budget::new(3);
        let mut calls = 0;
        let r: Result<(), Refused> = with_backoff(&budget, || {
            calls += 1;
            async { Err(api(429, "slow down")) }
        })
        .await;
        assert!(matches!(r, Err(Refused::Budget)));
        assert_eq!((calls, budget.used()), (3, 3));

        let budget = Budget::new(10);
        let mut calls = 0;
        let r = with_backoff(&budget, || {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(api(502, "bad gateway"))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert!(matches!(r, Ok(3)));
        assert_eq!(budget.used(), 3);
    }
}
