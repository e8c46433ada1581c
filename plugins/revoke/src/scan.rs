//! `scan`: the audit logs read where they are — each pod's file audit device streamed out
//! through the API line by line, never whole in memory — and what an incident needs from
//! them: failures by path, client and identity, request counts, and every use of a leaked
//! token (found by the device's HMAC of it, never by its value), a path, or failures, as a
//! timeline. Memory grows with the number of distinct paths and accessors, not the log.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Result, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::exec;
use vault_shared::output::{self, Styled, Tone};
use vault_shared::session::Session;
use vault_shared::target::Target;
use vault_shared::vault::audit::AuditDevice;

use crate::ScanArgs;
use crate::audit_log::Entry;
use crate::credential::Credential;

/// The most timeline rows kept (the counts go on).
const MAX_TIMELINE: usize = 10_000;
/// Rows of each count table on a terminal (JSON has them all).
const TOP: usize = 20;

/// What the scan looks for, as the devices write it.
#[derive(Default)]
pub struct Needle {
    /// Per device: the HMAC of the leaked token.
    token: HashMap<String, String>,
    /// Per device: the HMAC of the accessor, and the accessor (a device may keep it clear).
    accessor: HashMap<String, (String, String)>,
    path: Option<String>,
}

impl Needle {
    fn is_set(&self) -> bool {
        !self.token.is_empty() || !self.accessor.is_empty() || self.path.is_some()
    }

    fn matches(&self, device: &str, e: &Entry) -> bool {
        if let Some(h) = self.token.get(device)
            && e.token_hmac() == h
        {
            return true;
        }
        if let Some((h, plain)) = self.accessor.get(device)
            && (e.accessor_hmac() == h || e.accessor_hmac() == plain)
        {
            return true;
        }
        self.path
            .as_deref()
            .is_some_and(|p| path_matches(p, &e.request.path))
    }
}

/// Whether a request path is `want` or under it, also in KV v2's form
/// (`secret/data/app/db` for `secret/app/db`).
pub fn path_matches(want: &str, path: &str) -> bool {
    let want = want.trim_matches('/');
    let under = |p: &str| p == want || p.starts_with(&format!("{want}/"));
    if under(path) {
        return true;
    }
    let mut parts = path.splitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (
            Some(mount),
            Some("data" | "metadata" | "delete" | "destroy" | "undelete"),
            Some(rest),
        ) => under(&format!("{mount}/{rest}")),
        _ => false,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineRow {
    pub time: String,
    pub pod: String,
    pub operation: String,
    pub path: String,
    pub client: String,
    pub display_name: String,
    pub result: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FailureKey {
    pub path: String,
    pub client: String,
    pub display_name: String,
    pub role: String,
    pub error: String,
}

#[derive(Debug, Serialize)]
pub struct Failure {
    #[serde(flatten)]
    pub key: FailureKey,
    pub count: u64,
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub key: String,
    pub count: u64,
}

/// One audit file read (or not) on one pod.
#[derive(Debug, Serialize)]
pub struct Source {
    pub pod: String,
    pub device: String,
    pub file: String,
    pub lines: u64,
    pub bytes: u64,
    /// Lines that were not an audit entry.
    pub unparsable: u64,
    /// `read`, `no_file` (the pod never wrote one: it has not been active since the device
    /// was enabled), or `unreadable`.
    pub result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ScanReport {
    pub devices: Vec<AuditDevice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// What the timeline holds: `token`, `accessor`, `path`, or `failures`.
    pub timeline_of: &'static str,
    pub sources: Vec<Source>,
    /// Requests answered (response entries) in the window.
    pub requests: u64,
    pub failures: Vec<Failure>,
    pub by_path: Vec<Count>,
    pub by_accessor: Vec<Count>,
    pub timeline: Vec<TimelineRow>,
    pub timeline_truncated: bool,
    /// Every pod's log was read.
    pub complete: bool,
    pub exit_code: u8,
}

#[derive(Default)]
struct Tally {
    requests: u64,
    failures: HashMap<FailureKey, u64>,
    by_path: HashMap<String, u64>,
    by_accessor: HashMap<String, u64>,
    timeline: Vec<TimelineRow>,
    truncated: bool,
    unparsable: u64,
}

impl Tally {
    fn add(&mut self, pod: &str, device: &str, e: Entry, needle: &Needle) {
        self.requests += 1;
        *self.by_path.entry(e.request.path.clone()).or_default() += 1;
        if !e.accessor_hmac().is_empty() {
            *self
                .by_accessor
                .entry(e.accessor_hmac().to_string())
                .or_default() += 1;
        }
        let failed = !e.error.is_empty();
        let result = if e.permission_denied() {
            "permission denied".to_string()
        } else if failed {
            format!(
                "error: {}",
                output::printable(
                    e.error
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .as_str()
                )
            )
        } else {
            "ok".to_string()
        };
        if failed {
            let key = FailureKey {
                path: e.request.path.clone(),
                client: e.request.remote_address.clone(),
                display_name: e.auth.display_name.clone(),
                role: e.role(),
                error: result.clone(),
            };
            *self.failures.entry(key).or_default() += 1;
        }
        let wanted = if needle.is_set() {
            needle.matches(device, &e)
        } else {
            failed
        };
        if wanted {
            if self.timeline.len() < MAX_TIMELINE {
                self.timeline.push(TimelineRow {
                    time: e.time.clone(),
                    pod: pod.to_string(),
                    operation: e.request.operation.clone(),
                    path: e.request.path.clone(),
                    client: e.request.remote_address.clone(),
                    display_name: e.auth.display_name.clone(),
                    result,
                });
            } else {
                self.truncated = true;
            }
        }
    }

    fn merge(&mut self, o: Tally) {
        self.requests += o.requests;
        self.unparsable += o.unparsable;
        self.truncated |= o.truncated;
        for (k, v) in o.failures {
            *self.failures.entry(k).or_default() += v;
        }
        for (k, v) in o.by_path {
            *self.by_path.entry(k).or_default() += v;
        }
        for (k, v) in o.by_accessor {
            *self.by_accessor.entry(k).or_default() += v;
        }
        self.timeline.extend(o.timeline);
    }
}

/// The file devices a scan can read (not `stdout`/`discard`), each with its file as the
/// pods' configuration names it (the path inside the pod), else as `sys/audit` reports it.
fn readable_files(
    devices: &[AuditDevice],
    declared: &HashMap<String, String>,
) -> Vec<(String, String)> {
    devices
        .iter()
        .filter(|d| d.kind == "file")
        .filter_map(|d| {
            let file = declared.get(&d.path).or(d.file_path.as_ref())?;
            Some((d.path.clone(), file.clone()))
        })
        .filter(|(_, f)| f.starts_with('/'))
        .collect()
}

/// The file audit devices declared in the server configuration (`audit "file" "NAME" {
/// options { file_path = "…" } }`) of the ConfigMaps the pods mount: device → file.
async fn declared_audit_files(session: &Session) -> HashMap<String, String> {
    let mut maps: Vec<&str> = session
        .all_pods
        .iter()
        .flat_map(vault_shared::cluster::config_maps)
        .collect();
    maps.sort();
    maps.dedup();
    let mut out = HashMap::new();
    for m in maps {
        let Ok(Some(cm)) = session.kube.config_map(m).await else {
            continue;
        };
        for text in cm.data.iter().flat_map(|d| d.values()) {
            out.extend(parse_audit_stanzas(text));
        }
    }
    out
}

/// The `audit "file" "NAME"` blocks of an HCL configuration and their `file_path`.
pub fn parse_audit_stanzas(hcl: &str) -> Vec<(String, String)> {
    let quoted = |s: &str| -> Vec<String> {
        s.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in hcl.lines().map(str::trim) {
        if line.starts_with("audit ") || line.starts_with("audit\"") {
            current = match quoted(line).as_slice() {
                [kind, name, ..] if kind == "file" => Some(name.trim_matches('/').to_string()),
                _ => None,
            };
        } else if let Some(rest) = line.strip_prefix("file_path")
            && let Some(value) = rest.trim_start().strip_prefix('=')
            && let Some(name) = current.take()
        {
            out.push((name, value.trim().trim_matches('"').to_string()));
        }
    }
    out
}

/// The HMACs of the credential under every device (each has its own key).
pub async fn needle(
    session: &Session,
    via: &Target,
    devices: &[(String, String)],
    cred: Option<&Credential>,
    path: Option<&str>,
) -> Result<Needle> {
    let mut n = Needle {
        path: path.map(str::to_string),
        ..Needle::default()
    };
    for (device, _) in devices {
        match cred {
            Some(Credential::Token(t)) => {
                let h = via.client.audit_hash(device, t).await.map_err(|e| {
                    session.explain(
                        e,
                        &format!("ask sys/audit-hash/{device} for the token's HMAC"),
                    )
                })?;
                n.token.insert(device.clone(), h);
            }
            Some(Credential::Accessor(a)) => {
                let h = via.client.audit_hash(device, a).await.map_err(|e| {
                    session.explain(
                        e,
                        &format!("ask sys/audit-hash/{device} for the accessor's HMAC"),
                    )
                })?;
                n.accessor.insert(device.clone(), (h, a.clone()));
            }
            None => {}
        }
    }
    Ok(n)
}

/// Reads one pod's audit file, line by line, into a tally.
async fn read_one(
    session: &Session,
    progress: &output::Progress,
    pod: &str,
    device: &str,
    file: &str,
    since: Option<jiff::Timestamp>,
    needle: &Needle,
) -> (Source, Tally) {
    let mut tally = Tally::default();
    let mut source = Source {
        pod: pod.to_string(),
        device: device.to_string(),
        file: file.to_string(),
        lines: 0,
        bytes: 0,
        unparsable: 0,
        result: "read",
        error: None,
    };
    let task = progress.task(&format!("{pod} {file}"));
    let mut seen: u64 = 0;
    let container = session
        .pod(pod)
        .and_then(vault_shared::cluster::vault_container)
        .map(|c| c.name.clone());
    let outcome = exec::each_line(
        &session.kube,
        pod,
        container.as_deref(),
        &["cat", file],
        Duration::from_secs(60),
        |line| {
            seen += 1;
            if seen.is_multiple_of(50_000) {
                task.step(&format!("{seen} lines"));
            }
            let Some(e) = Entry::parse(line) else {
                tally.unparsable += 1;
                return;
            };
            if e.kind != "response" {
                return;
            }
            if let Some(cut) = since
                && e.time.parse::<jiff::Timestamp>().is_ok_and(|t| t < cut)
            {
                return;
            }
            tally.add(pod, device, e, needle);
        },
    )
    .await;
    task.clear();
    match outcome {
        Ok(o) if o.success => {
            source.lines = o.lines;
            source.bytes = o.bytes;
        }
        Ok(o) if o.stderr.contains("No such file") && o.lines == 0 => {
            source.result = "no_file";
        }
        Ok(o) => {
            source.lines = o.lines;
            source.bytes = o.bytes;
            source.result = "unreadable";
            source.error = Some(
                format!(
                    "{} {}",
                    o.message.unwrap_or_default(),
                    output::printable(o.stderr.trim())
                )
                .trim()
                .to_string(),
            );
        }
        Err(e) => {
            source.result = "unreadable";
            source.error = Some(format!("{e:#}"));
        }
    }
    source.unparsable = tally.unparsable;
    (source, tally)
}

fn sorted_counts(map: HashMap<String, u64>) -> Vec<Count> {
    let mut v: Vec<Count> = map
        .into_iter()
        .map(|(key, count)| Count { key, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    v
}

/// The scan itself, for `scan` and `respond`.
pub async fn scan(
    session: &Session,
    via: &Target,
    args: &ScanArgs,
    cred: Option<&Credential>,
) -> Result<ScanReport> {
    let devices = via
        .client
        .audit_devices()
        .await
        .map_err(|e| session.explain(e, "list the audit devices (sys/audit, needs sudo)"))?;
    let files = readable_files(&devices, &declared_audit_files(session).await);
    if files.is_empty() {
        bail!(
            "no file audit device is enabled ({}): there is no audit log to scan; enable one with `kubectl vault-revoke audit-enable`",
            if devices.is_empty() {
                "none at all".to_string()
            } else {
                devices
                    .iter()
                    .map(|d| format!("{}: {}", d.path, d.kind))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }
    let needle = needle(session, via, &files, cred, args.path.as_deref()).await?;
    let since = args
        .since
        .map(|d| jiff::Timestamp::now() - jiff::SignedDuration::try_from(d).unwrap_or_default());
    let pods: Vec<String> = session
        .all_pods
        .iter()
        .map(|p| vault_shared::cluster::name(p).to_string())
        .collect();
    let jobs: Vec<(String, String, String)> = pods
        .iter()
        .flat_map(|p| {
            files
                .iter()
                .map(move |(d, f)| (p.clone(), d.clone(), f.clone()))
        })
        .collect();
    let progress = output::Progress::new();
    let results = vault_shared::fanout::each(&jobs, |(p, d, f)| {
        read_one(session, &progress, p, d, f, since, &needle)
    })
    .await;
    let mut total = Tally::default();
    let mut sources = Vec::new();
    for (s, t) in results {
        total.merge(t);
        sources.push(s);
    }
    total.timeline.sort_by(|a, b| a.time.cmp(&b.time));
    let mut failures: Vec<Failure> = total
        .failures
        .into_iter()
        .map(|(key, count)| Failure { key, count })
        .collect();
    failures.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    let complete = sources.iter().all(|s| s.result != "unreadable");
    let timeline_of = match (cred, &args.path) {
        (Some(Credential::Token(_)), _) => "token",
        (Some(Credential::Accessor(_)), _) => "accessor",
        (None, Some(_)) => "path",
        (None, None) => "failures",
    };
    Ok(ScanReport {
        devices,
        since: since.map(|t| t.to_string()),
        timeline_of,
        sources,
        requests: total.requests,
        failures,
        by_path: sorted_counts(total.by_path),
        by_accessor: sorted_counts(total.by_accessor),
        timeline: total.timeline,
        timeline_truncated: total.truncated,
        complete,
        exit_code: if complete { 0 } else { 2 },
    })
}

pub async fn run(session: &Session, args: &ScanArgs) -> Result<Exit> {
    let cred = args.credential.load()?;
    if args.path.is_some() && cred.is_some() {
        bail!("--path and a leaked token or accessor cannot be combined: scan for one at a time");
    }
    session.require_token("reading the audit devices")?;
    let leader = session.leader(&session.views().await)?;
    let report = scan(session, leader, args, cred.as_ref()).await?;
    drop(cred);
    let exit = if report.complete {
        Exit::Healthy
    } else {
        Exit::Attention
    };
    output::print(session.format, &report, print_table)?;
    Ok(exit)
}

fn print_table(r: &ScanReport) {
    let rows = r
        .sources
        .iter()
        .map(|s| {
            let tone = match s.result {
                "read" => Tone::Good,
                "no_file" => Tone::Dim,
                _ => Tone::Bad,
            };
            (
                vec![
                    s.pod.clone().into(),
                    s.device.clone().into(),
                    s.lines.to_string().into(),
                    format!("{:.1}", s.bytes as f64 / 1e6).into(),
                    Styled::new(s.result, tone),
                ],
                s.error.clone(),
            )
        })
        .collect();
    println!(
        "{}",
        output::table_with_errors(&["pod", "device", "lines", "MB", "result"], rows)
    );
    println!(
        "{} requests{}",
        r.requests,
        r.since
            .as_deref()
            .map(|s| format!(" since {s}"))
            .unwrap_or_default()
    );
    if !r.failures.is_empty() {
        println!("\nFailures by path, client, display name and role:");
        let rows = r
            .failures
            .iter()
            .take(TOP)
            .map(|f| {
                vec![
                    f.count.to_string().into(),
                    f.key.path.clone().into(),
                    f.key.client.clone().into(),
                    f.key.display_name.clone().into(),
                    f.key.role.clone().into(),
                    Styled::new(f.key.error.clone(), Tone::Bad),
                ]
            })
            .collect();
        println!(
            "{}",
            output::table(
                &["count", "path", "client", "display name", "role", "error"],
                rows
            )
        );
    }
    for (title, counts) in [("path", &r.by_path), ("accessor (HMAC)", &r.by_accessor)] {
        if counts.is_empty() {
            continue;
        }
        println!("\nRequests by {title}:");
        let rows = counts
            .iter()
            .take(TOP)
            .map(|c| vec![c.count.to_string().into(), c.key.clone().into()])
            .collect();
        println!("{}", output::table(&["count", title], rows));
    }
    let what = match r.timeline_of {
        "token" => "requests made with the leaked token",
        "accessor" => "requests made with the token of that accessor",
        "path" => "requests on the path",
        _ => "failed requests",
    };
    println!("\nTimeline of {what}: {}", r.timeline.len());
    if !r.timeline.is_empty() {
        let rows = r
            .timeline
            .iter()
            .map(|t| {
                let tone = if t.result == "ok" {
                    Tone::Plain
                } else {
                    Tone::Bad
                };
                vec![
                    t.time.clone().into(),
                    t.pod.clone().into(),
                    t.operation.clone().into(),
                    t.path.clone().into(),
                    t.client.clone().into(),
                    t.display_name.clone().into(),
                    Styled::new(t.result.clone(), tone),
                ]
            })
            .collect();
        println!(
            "{}",
            output::table(
                &[
                    "time",
                    "pod",
                    "operation",
                    "path",
                    "client",
                    "display name",
                    "result"
                ],
                rows
            )
        );
    }
    if r.timeline_truncated {
        output::warn(&format!(
            "the timeline holds the first {MAX_TIMELINE} rows; narrow it with --since or -o json"
        ));
    }
    if !r.complete {
        output::warn("some audit logs could not be read: the results are incomplete");
    }
}
