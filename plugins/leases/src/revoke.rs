//! `revoke` and `tidy`: count first, show the plan, ask, then revoke — small prefixes in one
//! `revoke-prefix`, large ones lease by lease in throttled batches so that no single request
//! runs into a timeout or holds the leader busy. A rerun recounts and revokes what is left.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use serde::Serialize;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output::{self, Format};
use vault_shared::vault::leases::lease_dir;
use vault_shared::vault::{VaultClient, VaultError};
use vault_shared::{Exit, target::Target};

use crate::top::{group, truncate};
use crate::walk::{self, Budget, Limits, Refused, Walk, with_backoff};
use crate::{RevokeArgs, TidyArgs};
use vault_shared::session::Session;

const FORCE_WARNING: &str = "revoke-force deletes the leases from Vault even where the backend cannot revoke them: \
the secrets (database users, cloud credentials) stay valid where they live and Vault forgets them. Use it only after a normal revoke failed.";

/// The most connections a lease-by-lease revocation opens to the active node.
const MAX_CONNECTIONS: u64 = 16;

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    RevokePrefix,
    LeaseByLease,
    RevokeForce,
    /// revoke-force one lease ID at a time: one revoke-force over a large prefix runs into
    /// the client's timeout as surely as revoke-prefix does.
    ForceLeaseByLease,
}

impl Method {
    fn forced(self) -> bool {
        matches!(self, Method::RevokeForce | Method::ForceLeaseByLease)
    }
}

#[derive(Debug, Serialize)]
pub struct Outcome {
    pub prefix: String,
    pub method: Method,
    pub counted: u64,
    pub revoked: u64,
    /// Leases under the prefix after the revocation, recounted.
    pub left: u64,
    pub interrupted: bool,
    pub dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
}

fn limits(args: &RevokeArgs) -> Limits {
    Limits {
        max_requests: args.walk.max_requests,
        concurrency: args.walk.concurrency as usize,
        sample: 0,
    }
}

/// Whether the token may do `needs` on `path` (`root` may do anything).
fn allowed(caps: &[String], needs: &[&str]) -> bool {
    caps.iter().any(|c| c == "root") || needs.iter().all(|n| caps.iter().any(|c| c == n))
}

/// The request the method sends, and the capabilities it needs there.
fn required(method: Method, prefix: &str) -> (String, &'static [&'static str]) {
    match method {
        Method::RevokeForce | Method::ForceLeaseByLease => (
            format!("sys/leases/revoke-force/{}", prefix.trim_matches('/')),
            &["update", "sudo"],
        ),
        Method::RevokePrefix => (
            format!("sys/leases/revoke-prefix/{}", prefix.trim_matches('/')),
            &["update", "sudo"],
        ),
        Method::LeaseByLease => ("sys/leases/revoke".into(), &["update"]),
    }
}

pub async fn run(session: &Session, args: &RevokeArgs) -> Result<Exit> {
    session.require_token("revoking leases")?;
    let prefix = lease_dir(&args.prefix);
    if prefix.is_empty() {
        bail!("revoke needs a prefix (auth/token/create/ROLE, …): refusing to revoke every lease");
    }
    let leader = crate::active_node(session).await?;
    let counted = walk::walk(session, &leader.client, &prefix, limits(args)).await?;
    walk::require_complete(&counted, &prefix)?;
    if counted.total() == 0 {
        bail!(
            "no leases under {prefix:?}: nothing to revoke (is the prefix right? see `kubectl vault-leases top`)"
        );
    }
    let method = match (args.force, counted.total() <= args.batch) {
        (false, true) => Method::RevokePrefix,
        (false, false) => Method::LeaseByLease,
        (true, true) => Method::RevokeForce,
        (true, false) => Method::ForceLeaseByLease,
    };
    let (path, needs) = required(method, &prefix);
    let caps = leader
        .client
        .capabilities_self(std::slice::from_ref(&path))
        .await
        .map_err(|e| session.explain(e, "read its own capabilities"))?;
    if !allowed(caps.first().map_or(&[][..], |c| &c[..]), needs) {
        bail!(
            "permission denied: the token may not {} on {path} (it needs {}); nothing was revoked",
            needs.join("+"),
            needs.join(" and ")
        );
    }
    let plan = plan(&counted, &prefix, method, args);
    if !args.confirm.confirm(&plan)? {
        return dry_run_report(session, &prefix, method, &counted, plan);
    }
    act(session, leader, &prefix, method, args, counted.total()).await
}

fn plan(counted: &Walk, prefix: &str, method: Method, args: &RevokeArgs) -> Plan {
    let depth = prefix.split('/').filter(|s| !s.is_empty()).count() + 1;
    let mut plan = Plan::new(format!("revoke {} leases under {prefix}", counted.total()));
    for g in group(&counted.dirs, |d| truncate(d, depth)).iter().take(5) {
        plan.step(format!("{:>8}  {}", g.leases, g.prefix));
    }
    plan.step(match method {
        Method::RevokePrefix => format!("one sys/leases/revoke-prefix/{prefix}"),
        Method::RevokeForce => format!("one sys/leases/revoke-force/{prefix}"),
        Method::LeaseByLease | Method::ForceLeaseByLease => format!(
            "lease by lease through sys/leases/{}, in batches of {}, at most {}/s; interrupted, a rerun continues",
            if method.forced() { "revoke-force/<lease>" } else { "revoke" },
            args.batch,
            if args.rate > 0.0 {
                format!("{}", args.rate)
            } else {
                "unlimited".into()
            }
        ),
    });
    plan.step("recount the leases under the prefix and report what is left");
    if method.forced() {
        plan.warn(FORCE_WARNING);
    }
    plan
}

fn dry_run_report(
    session: &Session,
    prefix: &str,
    method: Method,
    counted: &Walk,
    plan: Plan,
) -> Result<Exit> {
    if session.format == Format::Table {
        plan.print_dry_run();
        return Ok(Exit::Healthy);
    }
    output::print_data(
        session.format,
        &Outcome {
            prefix: prefix.to_string(),
            method,
            counted: counted.total(),
            revoked: 0,
            left: counted.total(),
            interrupted: false,
            dry_run: true,
            plan: Some(plan),
        },
    )?;
    Ok(Exit::Healthy)
}

async fn act(
    session: &Session,
    leader: &Target,
    prefix: &str,
    method: Method,
    args: &RevokeArgs,
    counted: u64,
) -> Result<Exit> {
    let start = Instant::now();
    let client = &leader.client;
    let one_request = match method {
        Method::RevokePrefix => Some(client.revoke_prefix(prefix).await),
        Method::RevokeForce => Some(client.revoke_force(prefix).await),
        Method::LeaseByLease | Method::ForceLeaseByLease => None,
    };
    let (revoked, interrupted) = match one_request {
        Some(Ok(())) => (counted, false),
        // A loaded Vault can take longer over even a small prefix than the client waits; the
        // leases it has not reached yet are still there, so finish them lease by lease (a
        // lease revoked meanwhile by the request still running counts as gone).
        Some(Err(VaultError::Timeout { secs, .. })) => {
            eprintln!(
                "{}: one revoke request over {prefix} did not answer within {secs}s; continuing lease by lease",
                leader.name
            );
            lease_by_lease(session, client, prefix, args, counted, method.forced()).await?
        }
        Some(Err(e)) => {
            let what = if method.forced() {
                format!("force-revoke the leases under {prefix}")
            } else {
                format!("revoke the leases under {prefix}")
            };
            return Err(session.explain(e, &what));
        }
        None => lease_by_lease(session, client, prefix, args, counted, method.forced()).await?,
    };
    let after = walk::walk(session, client, prefix, limits(args)).await?;
    let left = after.total();
    let secs = start.elapsed().as_secs_f64();
    let note = format!(
        "revoked {revoked} leases under {prefix} ({method:?}, {secs:.1}s); {left}{} left{}",
        if after.complete() { "" } else { " or more" },
        if interrupted {
            "; interrupted: rerun to continue"
        } else {
            ""
        }
    );
    let event = if interrupted || left > 0 {
        Note::warning("LeasesRevoked", "RevokeLeases", &note)
    } else {
        Note::normal("LeasesRevoked", "RevokeLeases", &note)
    };
    session.record(&leader.name, event).await;
    let outcome = Outcome {
        prefix: prefix.to_string(),
        method,
        counted,
        revoked,
        left,
        interrupted,
        dry_run: false,
        plan: None,
    };
    if session.format == Format::Table {
        println!("{}: {note}", leader.name);
        if left > 0 {
            println!(
                "Next: rerun `kubectl vault-leases revoke {prefix}` to continue, or see what remains with `kubectl vault-leases top {prefix}`"
            );
        }
    } else {
        output::print_data(session.format, &outcome)?;
    }
    if interrupted {
        bail!(
            "interrupted after revoking {revoked} of {counted} leases; rerun the same command to continue"
        );
    }
    Ok(if left > 0 {
        Exit::Attention
    } else {
        Exit::Healthy
    })
}

/// Revokes every lease under `prefix` one by one, directory by directory, `batch` at a time
/// and at most `rate` per second. Ctrl-C stops after the batch in flight. Returns how many
/// were revoked and whether it was interrupted.
async fn lease_by_lease(
    session: &Session,
    client: &VaultClient,
    prefix: &str,
    args: &RevokeArgs,
    counted: u64,
    force: bool,
) -> Result<(u64, bool)> {
    // Listing again here reads the tree as it is after the confirmation, not as it was counted.
    let dirs = walk::walk(session, client, prefix, limits(args)).await?;
    let clients: Vec<VaultClient> = (0..args.batch.min(MAX_CONNECTIONS))
        .map(|_| client.another_connection())
        .collect();
    let bar = walk::progress("revoking");
    if let Some(b) = &bar {
        b.set_length(counted);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix:.bold} [{bar:30}] {pos}/{len} {per_sec} eta {eta} {wide_msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
    }
    let budget = Budget::new(u64::MAX);
    let revoked = AtomicU64::new(0);
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    let started = Instant::now();
    for d in &dirs.dirs {
        let keys = with_backoff(&budget, || client.list_leases(&d.dir))
            .await
            .map_err(|r| refused(session, r, &format!("list the leases under {}", d.dir)))?;
        let ids: Vec<String> = keys
            .into_iter()
            .filter(|k| !k.ends_with('/'))
            .map(|k| format!("{}{k}", d.dir))
            .collect();
        for chunk in ids.chunks(args.batch as usize) {
            let per_client = chunk.len().div_ceil(clients.len());
            let work = chunk.chunks(per_client).zip(&clients).map(|(ids, c)| {
                let (budget, revoked, bar) = (&budget, &revoked, bar.as_ref());
                async move {
                    for id in ids {
                        let revoke = || async {
                            if force {
                                c.revoke_force(id).await
                            } else {
                                c.revoke_lease(id).await
                            }
                        };
                        match with_backoff(budget, revoke).await {
                            Ok(()) => {}
                            // Expired or revoked meanwhile: gone either way.
                            Err(Refused::Vault(VaultError::Api {
                                status: 400 | 404,
                                errors,
                                ..
                            })) if errors.iter().any(|m| {
                                m.contains("invalid lease") || m.contains("not found")
                            }) => {}
                            Err(r) => return Err(r),
                        }
                        revoked.fetch_add(1, Ordering::SeqCst);
                        if let Some(b) = bar {
                            b.inc(1);
                        }
                    }
                    Ok(())
                }
            });
            for r in futures::future::join_all(work).await {
                r.map_err(|r| refused(session, r, &format!("revoke leases under {}", d.dir)))?;
            }
            let done = revoked.load(Ordering::SeqCst);
            if let Some(b) = &bar {
                b.set_message(d.dir.clone());
            } else if output::verbosity() > 0 {
                eprintln!("revoked {done} of {counted}");
            }
            if args.rate > 0.0 {
                let due = Duration::from_secs_f64(done as f64 / args.rate);
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    tokio::time::sleep(wait).await;
                }
            }
            // Ctrl-C (or SIGINT from a script) stops between batches: what was revoked stays
            // revoked, and a rerun recounts and continues.
            if futures::poll!(ctrl_c.as_mut()).is_ready() {
                if let Some(b) = &bar {
                    b.abandon();
                }
                return Ok((done, true));
            }
        }
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    Ok((revoked.load(Ordering::SeqCst), false))
}

fn refused(session: &Session, r: Refused, what: &str) -> anyhow::Error {
    match r {
        Refused::Budget => anyhow!("{what}: out of request budget"),
        Refused::Vault(e) => session.explain(e, what),
    }
}

pub async fn tidy(session: &Session, args: &TidyArgs) -> Result<Exit> {
    session.require_token("tidying leases")?;
    let leader = crate::active_node(session).await?;
    let mut plan = Plan::new(format!("tidy the leases on {}", leader.name));
    plan.step(
        "sys/leases/tidy: remove leases whose tokens no longer exist (runs in the background)",
    );
    if !args.confirm.confirm(&plan)? {
        plan.print_dry_run();
        return Ok(Exit::Healthy);
    }
    leader
        .client
        .tidy_leases()
        .await
        .map_err(|e| session.explain(e, "tidy the leases"))?;
    session
        .record(
            &leader.name,
            Note::normal("LeasesTidied", "TidyLeases", "started sys/leases/tidy"),
        )
        .await;
    println!(
        "{}: lease tidy started; it runs in the background (follow it with `kubectl logs {} | grep -i tidy`)",
        leader.name, leader.name
    );
    Ok(Exit::Healthy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_need_all_or_root() {
        let caps = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(allowed(&caps(&["root"]), &["update", "sudo"]));
        assert!(allowed(
            &caps(&["update", "sudo", "read"]),
            &["update", "sudo"]
        ));
        assert!(!allowed(&caps(&["update"]), &["update", "sudo"]));
        assert!(!allowed(&caps(&["deny"]), &["update"]));
    }
}
