//! Unsealing one Vault node with a set of shares, safely:
//! - an unseal someone else started (progress > 0) is not mixed into unless asked
//!   (`continue`), or is cleared first (`reset`);
//! - each share is sent at most once per attempt, and sending stops at the threshold;
//! - when a combination fails ("failed to decrypt keys"), Vault discards it; with more shares
//!   than the threshold, other combinations are tried and the bad share is named by position;
//! - nothing is sent when there are too few shares, so no half-finished unseal is left behind.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::keys::Share;
use crate::vault::{ErrorKind, SealStatus, VaultClient, VaultError};

/// How many combinations to try before giving up (C(5,3) = 10 fits).
const MAX_ATTEMPTS: usize = 20;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Add to an unseal already in progress.
    pub continue_existing: bool,
    /// Clear an unseal in progress before starting.
    pub reset_first: bool,
    /// How long a node may stay sealed after its last share was accepted (a node joining
    /// raft fetches the keyring first); default 30 s.
    pub settle: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    AlreadyUnsealed,
    Unsealed {
        /// Positions (1-based, in the input) of the shares that unsealed it.
        shares_used: Vec<usize>,
        /// Shares proven wrong by a failed combination.
        bad_shares: Vec<usize>,
        failed_attempts: usize,
    },
    /// Someone else's unseal is in progress; nothing was sent.
    InProgress {
        progress: u32,
        threshold: u32,
    },
    /// Too few shares for the threshold; nothing was sent.
    NotEnoughShares {
        have: usize,
        need: u32,
    },
    /// Every combination tried failed; Vault discarded each, so progress is back to 0.
    Failed {
        failed_attempts: usize,
    },
    NotInitialized,
    /// An auto-unseal (KMS) seal: shares do not apply.
    AutoUnseal {
        seal_type: String,
    },
}

/// The `k`-element subsets of `0..n`, in lexicographic order, one at a time: the search
/// stops after a few attempts, so the C(n, k) of them are never all built.
struct Combinations {
    n: usize,
    next: Option<Vec<usize>>,
}

fn combinations(n: usize, k: usize) -> Combinations {
    Combinations {
        n,
        next: (k > 0 && k <= n).then(|| (0..k).collect()),
    }
}

impl Iterator for Combinations {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        let current = self.next.take()?;
        let (n, k) = (self.n, current.len());
        if let Some(i) = (0..k).rev().find(|&i| current[i] != i + n - k) {
            let mut idx = current.clone();
            idx[i] += 1;
            for j in i + 1..k {
                idx[j] = idx[j - 1] + 1;
            }
            self.next = Some(idx);
        }
        Some(current)
    }
}

/// Shares outside the working set `good` that a failed combination pins down: when every
/// other member of a failed combination is known good, the remaining one is bad.
fn deduce_bad(failed: &[Vec<usize>], good: &[usize]) -> Vec<usize> {
    let mut bad: Vec<usize> = failed
        .iter()
        .filter_map(|combo| {
            let outside: Vec<usize> = combo
                .iter()
                .copied()
                .filter(|s| !good.contains(s))
                .collect();
            (outside.len() == 1).then(|| outside[0])
        })
        .collect();
    bad.sort_unstable();
    bad.dedup();
    bad
}

fn is_wrong_combination(e: &VaultError) -> bool {
    e.kind() == ErrorKind::WrongShares
}

/// What a node did after the last share of a combination was accepted.
enum Settled {
    Unsealed,
    /// Someone else's shares arrived meanwhile.
    Interfered(SealStatus),
}

/// After the last share a node joining raft may stay sealed for a moment while it fetches
/// the keyring; wait for it. Still sealed at the end of `settle` is no verdict on the shares
/// (Vault rejects a wrong combination outright): an error, so no share is blamed for it.
async fn await_unsealed(
    client: &VaultClient,
    last: SealStatus,
    settle: Duration,
) -> Result<Settled, VaultError> {
    if !last.sealed {
        return Ok(Settled::Unsealed);
    }
    let start = Instant::now();
    while start.elapsed() < settle {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let st = client.seal_status().await?;
        if !st.sealed {
            return Ok(Settled::Unsealed);
        }
        if st.progress > 0 {
            return Ok(Settled::Interfered(st));
        }
    }
    Err(VaultError::Timeout {
        target: client.target.clone(),
        secs: settle.as_secs(),
    })
}

/// Unseals the node behind `client` with `shares`. `step` is told what is happening.
pub async fn unseal(
    client: &VaultClient,
    shares: &[Share],
    opts: Options,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Outcome, VaultError> {
    let settle = opts.settle.unwrap_or(Duration::from_secs(30));
    let mut st = client.seal_status().await?;
    if !st.initialized {
        return Ok(Outcome::NotInitialized);
    }
    if !st.sealed {
        return Ok(Outcome::AlreadyUnsealed);
    }
    if !st.needs_shares() {
        return Ok(Outcome::AutoUnseal {
            seal_type: st.seal_type,
        });
    }
    if st.progress > 0 {
        if opts.reset_first {
            step(&format!(
                "clearing the unseal in progress ({}/{})",
                st.progress, st.t
            ));
            st = client.reset_unseal().await?;
        } else if !opts.continue_existing {
            return Ok(Outcome::InProgress {
                progress: st.progress,
                threshold: st.t,
            });
        }
    }
    if opts.continue_existing && st.progress > 0 {
        match continue_existing(client, shares, st.clone(), settle, step).await? {
            Some(outcome) => return Ok(outcome),
            // Their attempt failed and Vault discarded it: not the operator's shares' fault.
            None => step(
                "the unseal in progress held a wrong share (not one of yours); starting over with yours",
            ),
        }
    }
    let need = st.t as usize;
    if shares.len() < need {
        return Ok(Outcome::NotEnoughShares {
            have: shares.len(),
            need: st.t,
        });
    }
    let mut failed: Vec<Vec<usize>> = Vec::new();
    for combo in combinations(shares.len(), need).take(MAX_ATTEMPTS) {
        let positions: Vec<usize> = combo.iter().map(|&i| shares[i].position).collect();
        if !failed.is_empty() {
            step(&format!("trying shares {}", labels(&positions)));
        }
        let mut last = None;
        let mut wrong = false;
        // How many of the combination's shares were sent when it ended.
        let mut sent = need;
        for (n, &i) in combo.iter().enumerate() {
            step(&format!("share {}/{need}", n + 1));
            match client.submit_share(&shares[i]).await {
                Ok(s) => {
                    let done = !s.sealed;
                    // Someone else submitting at the same time would mix their shares into
                    // ours, and a failure could then blame a good share: stop instead.
                    if !done && n + 1 < need && s.progress as usize != n + 1 {
                        return Ok(Outcome::InProgress {
                            progress: s.progress,
                            threshold: s.t,
                        });
                    }
                    last = Some(s);
                    if done {
                        // Before our last share only when someone else's share completed it.
                        sent = n + 1;
                        break;
                    }
                }
                // Vault judges a combination only once it holds the threshold: a verdict
                // before our last share judged someone else's share with ours, so none of
                // ours is blamed.
                Err(e) if is_wrong_combination(&e) && n + 1 < need => {
                    let st = client.seal_status().await?;
                    return Ok(Outcome::InProgress {
                        progress: st.progress,
                        threshold: st.t,
                    });
                }
                Err(e) if is_wrong_combination(&e) => {
                    wrong = true;
                    break;
                }
                Err(e) => {
                    // Leave no half-finished attempt behind.
                    let _ = client.reset_unseal().await;
                    return Err(e);
                }
            }
        }
        if wrong {
            failed.push(positions);
            continue;
        }
        let Some(last) = last else {
            continue;
        };
        return match await_unsealed(client, last, settle).await? {
            Settled::Unsealed => Ok(Outcome::Unsealed {
                bad_shares: deduce_bad(&failed, &positions[..sent]),
                shares_used: positions[..sent].to_vec(),
                failed_attempts: failed.len(),
            }),
            Settled::Interfered(s) => Ok(Outcome::InProgress {
                progress: s.progress,
                threshold: s.t,
            }),
        };
    }
    // Make sure nothing of ours is left in progress.
    if client.seal_status().await.is_ok_and(|s| s.progress > 0) {
        let _ = client.reset_unseal().await;
    }
    // No combination worked: fewer good shares than the threshold, and which ones are bad
    // cannot be told apart.
    Ok(Outcome::Failed {
        failed_attempts: failed.len(),
    })
}

/// `--continue`: add shares to someone else's attempt until it completes, skipping shares it
/// already has (Vault ignores a share it has seen in this attempt). None when that attempt
/// fails: Vault discards it, and the shares it held — not all ours — were wrong.
async fn continue_existing(
    client: &VaultClient,
    shares: &[Share],
    mut st: SealStatus,
    settle: Duration,
    step: &(dyn Fn(&str) + Sync),
) -> Result<Option<Outcome>, VaultError> {
    let mut used = Vec::new();
    for share in shares {
        step(&format!(
            "adding share {} to the unseal in progress ({}/{})",
            share.label(),
            st.progress,
            st.t
        ));
        match client.submit_share(share).await {
            Ok(next) => {
                if next.progress > st.progress || !next.sealed {
                    used.push(share.position);
                }
                if !next.sealed
                    || matches!(
                        await_unsealed(client, next.clone(), settle).await?,
                        Settled::Unsealed
                    )
                {
                    return Ok(Some(Outcome::Unsealed {
                        shares_used: used,
                        bad_shares: vec![],
                        failed_attempts: 0,
                    }));
                }
                st = next;
            }
            Err(e) if is_wrong_combination(&e) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    Ok(Some(Outcome::NotEnoughShares {
        have: shares.len(),
        need: st.t,
    }))
}

/// Shares as the tool names them: by position, `#1, #3, #4`.
pub fn labels(positions: &[usize]) -> String {
    positions
        .iter()
        .map(|p| format!("#{p}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_are_lexicographic() {
        assert_eq!(
            combinations(4, 3).collect::<Vec<_>>(),
            vec![vec![0, 1, 2], vec![0, 1, 3], vec![0, 2, 3], vec![1, 2, 3]]
        );
        assert_eq!(combinations(5, 3).count(), 10);
        assert_eq!(combinations(2, 3).count(), 0);
    }

    #[test]
    fn the_search_on_ten_shares_builds_only_what_it_tries() {
        // 10 shares, threshold 5: C(10, 5) = 252 combinations exist, all distinct.
        let all: Vec<Vec<usize>> = combinations(10, 5).collect();
        assert_eq!(all.len(), 252);
        assert_eq!(all.last(), Some(&vec![5, 6, 7, 8, 9]));
        // The search takes MAX_ATTEMPTS of them; with C(60, 30) ≈ 1.2e17 possible, building
        // them all would never finish, taking the first few is immediate.
        let tried: Vec<Vec<usize>> = combinations(60, 30).take(MAX_ATTEMPTS).collect();
        assert_eq!(tried.len(), MAX_ATTEMPTS);
        assert_eq!(tried[1][29], 30);
    }

    #[test]
    fn a_bad_share_is_pinned_by_a_failed_combination() {
        // Share #2 is bad: {1,2,3} and {1,2,4} fail, {1,3,4} works.
        let failed = vec![vec![1, 2, 3], vec![1, 2, 4]];
        assert_eq!(deduce_bad(&failed, &[1, 3, 4]), vec![2]);
        // Nothing is pinned when a failed combination has two unknowns.
        assert!(deduce_bad(&[vec![1, 5, 6]], &[1, 2, 3]).is_empty());
    }
}

#[cfg(test)]
#[path = "unseal_tests.rs"]
mod loop_tests;
