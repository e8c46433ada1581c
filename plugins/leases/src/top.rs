//! `top`: where the leases come from, by mount and by prefix.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::output::{self, Format, Styled};
use vault_shared::vault::leases::lease_dir;

use crate::TopArgs;
use crate::walk::{self, DirCount, Limits, Walk};
use vault_shared::session::Session;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Group {
    pub prefix: String,
    pub leases: u64,
    /// Soonest and latest expiry among the sampled leases (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soonest_expiry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_expiry: Option<String>,
    /// The longest remaining TTL among the sampled leases, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ttl_seconds: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct TopReport {
    pub prefix: String,
    pub active_node: String,
    pub total: u64,
    /// False when the request budget stopped the walk: every count is then a lower bound.
    pub complete: bool,
    pub requests: u64,
    pub unlisted_prefixes: usize,
    pub depth: u64,
    pub mounts: Vec<Group>,
    pub prefixes: Vec<Group>,
}

/// The mount a lease directory belongs to: `auth/<method>/` for logins and tokens, else the
/// first path segment (the secrets engine's mount).
pub fn mount_of(dir: &str) -> String {
    let segs: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let n = if segs.first() == Some(&"auth") { 2 } else { 1 };
    truncate(dir, n)
}

/// The first `depth` segments of `dir`, with a trailing slash.
pub fn truncate(dir: &str, depth: usize) -> String {
    let segs: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    lease_dir(&segs[..segs.len().min(depth)].join("/"))
}

/// Sums directories into groups keyed by `key`, largest first.
pub fn group(dirs: &[DirCount], key: impl Fn(&str) -> String) -> Vec<Group> {
    let mut by: BTreeMap<String, Group> = BTreeMap::new();
    for d in dirs {
        let k = key(&d.dir);
        let g = by.entry(k.clone()).or_insert_with(|| Group {
            prefix: k,
            leases: 0,
            soonest_expiry: None,
            latest_expiry: None,
            max_ttl_seconds: None,
        });
        g.leases += d.leases;
        for s in &d.samples {
            if let Some(t) = &s.expire_time {
                // RFC 3339 in UTC from the same server: the strings order as the times do.
                if g.soonest_expiry.as_ref().is_none_or(|x| t < x) {
                    g.soonest_expiry = Some(t.clone());
                }
                if g.latest_expiry.as_ref().is_none_or(|x| t > x) {
                    g.latest_expiry = Some(t.clone());
                }
            }
            g.max_ttl_seconds = Some(g.max_ttl_seconds.unwrap_or(0).max(s.ttl));
        }
    }
    let mut out: Vec<Group> = by.into_values().collect();
    out.sort_by(|a, b| b.leases.cmp(&a.leases).then(a.prefix.cmp(&b.prefix)));
    out
}

pub fn report(walk: &Walk, prefix: &str, depth: u64, limit: usize, active: &str) -> TopReport {
    let mut prefixes = group(&walk.dirs, |d| truncate(d, depth as usize));
    prefixes.truncate(limit);
    TopReport {
        prefix: lease_dir(prefix),
        active_node: active.to_string(),
        total: walk.total(),
        complete: walk.complete(),
        requests: walk.requests,
        unlisted_prefixes: walk.unvisited.len(),
        depth,
        mounts: group(&walk.dirs, mount_of),
        prefixes,
    }
}

pub async fn run(session: &Session, args: &TopArgs) -> Result<Exit> {
    session.require_token("listing leases")?;
    let leader = crate::active_node(session).await?;
    let limits = Limits {
        max_requests: args.walk.max_requests,
        concurrency: args.walk.concurrency as usize,
        sample: args.sample,
    };
    let walk = walk::walk(session, &leader.client, &args.prefix, limits).await?;
    let report = report(&walk, &args.prefix, args.depth, args.limit, &leader.name);
    if session.format != Format::Table {
        output::print_data(session.format, &report)?;
    } else {
        print_table(&report);
    }
    Ok(Exit::Healthy)
}

fn rows(groups: &[Group]) -> Vec<Vec<Styled>> {
    groups
        .iter()
        .map(|g| {
            vec![
                g.prefix.clone().into(),
                g.leases.to_string().into(),
                g.soonest_expiry
                    .clone()
                    .unwrap_or_else(|| "-".into())
                    .into(),
                g.latest_expiry.clone().unwrap_or_else(|| "-".into()).into(),
                g.max_ttl_seconds
                    .map_or_else(|| "-".into(), |s| format!("{s}s"))
                    .into(),
            ]
        })
        .collect()
}

fn print_table(r: &TopReport) {
    let headers = [
        "mount",
        "leases",
        "soonest expiry",
        "latest expiry",
        "max ttl",
    ];
    print!("{}", output::table(&headers, rows(&r.mounts)));
    println!();
    let mut headers = headers;
    headers[0] = "prefix";
    print!("{}", output::table(&headers, rows(&r.prefixes)));
    let root = if r.prefix.is_empty() { "/" } else { &r.prefix };
    println!(
        "\n{} leases under {root} on {} ({} requests; expiry from a sample of each prefix)",
        r.total, r.active_node, r.requests
    );
    if !r.complete {
        println!(
            "Lower bound: the request budget stopped the walk with {} prefixes unlisted (raise --max-requests).",
            r.unlisted_prefixes
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(d: &str, n: u64) -> DirCount {
        DirCount {
            dir: d.into(),
            leases: n,
            samples: Vec::new(),
        }
    }

    #[test]
    fn groups_by_mount_and_by_depth() {
        let dirs = vec![
            dir("auth/token/create/a/", 5),
            dir("auth/token/create/b/", 3),
            dir("auth/approle/login/", 2),
            dir("database/creds/ro/", 4),
        ];
        let mounts = group(&dirs, mount_of);
        assert_eq!(
            mounts
                .iter()
                .map(|g| (g.prefix.as_str(), g.leases))
                .collect::<Vec<_>>(),
            vec![("auth/token/", 8), ("database/", 4), ("auth/approle/", 2)]
        );
        let by3 = group(&dirs, |d| truncate(d, 3));
        assert_eq!(by3[0].prefix, "auth/token/create/");
        assert_eq!(by3[0].leases, 8);
    }
}
