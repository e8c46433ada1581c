//! `respond`: the whole leak response in one run — scan the audit logs for the leaked token
//! (by HMAC), revoke it and the tokens it created (Vault revokes their leases with them),
//! destroy and rotate the named secrets, each step shown and confirmed (or `--yes`) — and a
//! timeline of what was found and done, as JSON and Markdown (0600) for the post-mortem.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use vault_shared::Exit;
use vault_shared::output::{self, Styled, Tone};
use vault_shared::procedures::secret_file::SecretFile;
use vault_shared::session::Session;

use crate::kv::KvReport;
use crate::rotate::RotateReport;
use crate::scan::ScanReport;
use crate::token::TokenReport;
use crate::{Alphabet, KvArgs, RespondArgs, RotateArgs, ScanArgs, TokenArgs};

#[derive(Debug, Serialize)]
pub struct Step {
    pub time: String,
    pub step: String,
    /// `done`, `failed`, `skipped` or `dry_run`.
    pub result: &'static str,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct RespondReport {
    pub started: String,
    pub finished: String,
    pub steps: Vec<Step>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan: Option<ScanReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenReport>,
    pub kv: Vec<KvReport>,
    pub rotate: Vec<RotateReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub report_files: Vec<PathBuf>,
    pub exit_code: u8,
}

impl RespondReport {
    fn log(&mut self, step: impl Into<String>, result: &'static str, detail: impl Into<String>) {
        self.steps.push(Step {
            time: jiff::Timestamp::now().to_string(),
            step: step.into(),
            result,
            detail: detail.into(),
        });
    }
}

/// `PATH:FIELD` specs grouped by path, in the order given.
fn rotations(specs: &[String]) -> Result<Vec<(String, Vec<String>)>> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for s in specs {
        let Some((path, field)) = s
            .rsplit_once(':')
            .filter(|(p, f)| !p.is_empty() && !f.is_empty())
        else {
            bail!("--rotate {s:?}: expected KV_PATH:FIELD, e.g. secret/app/api:token");
        };
        let path = path.trim_matches('/').to_string();
        match out.iter_mut().find(|(p, _)| *p == path) {
            Some((_, fields)) => fields.push(field.to_string()),
            None => out.push((path, vec![field.to_string()])),
        }
    }
    Ok(out)
}

fn report_paths(base: &Path) -> [PathBuf; 2] {
    let with = |ext: &str| {
        let mut s = base.as_os_str().to_owned();
        s.push(ext);
        PathBuf::from(s)
    };
    [with(".json"), with(".md")]
}

pub async fn run(session: &Session, args: &RespondArgs) -> Result<Exit> {
    let Some(cred) = args.credential.load()? else {
        bail!("name the leaked token: --leaked-token-file PATH or --accessor-file PATH");
    };
    let rotate = rotations(&args.rotate)?;
    // Inputs later steps need are checked before anything changes: the report files too.
    let files = match &args.report {
        Some(base) => {
            let paths = report_paths(base);
            let mut out = Vec::new();
            for p in &paths {
                out.push(SecretFile::create(p, args.force)?);
            }
            Some((paths, out))
        }
        None => None,
    };
    session.require_token("responding to a leak")?;
    let leader = session.leader(&session.views().await)?;
    let mut r = RespondReport {
        started: jiff::Timestamp::now().to_string(),
        finished: String::new(),
        steps: Vec::new(),
        scan: None,
        token: None,
        kv: Vec::new(),
        rotate: Vec::new(),
        report_files: Vec::new(),
        exit_code: 0,
    };
    let mut exit = Exit::Healthy;
    let what = if args.confirm.dry_run {
        "dry_run"
    } else {
        "done"
    };

    let scan_args = ScanArgs {
        since: args.since,
        credential: args.credential.clone(),
        path: None,
    };
    match crate::scan::scan(session, leader, &scan_args, Some(&cred)).await {
        Ok(s) => {
            let detail = format!(
                "{} request(s) by the leaked credential in {} audit file(s){}",
                s.timeline.len(),
                s.sources.len(),
                if s.complete {
                    ""
                } else {
                    "; some logs could not be read"
                }
            );
            if !s.complete {
                exit = exit.worst(Exit::Attention);
            }
            r.log("scan the audit logs (by HMAC)", "done", detail);
            r.scan = Some(s);
        }
        Err(e) => {
            exit = exit.worst(Exit::Attention);
            r.log("scan the audit logs (by HMAC)", "failed", format!("{e:#}"));
        }
    }

    let token_args = TokenArgs {
        credential: args.credential.clone(),
        orphan: false,
        confirm: args.confirm,
    };
    match crate::token::execute(session, &token_args, cred.clone()).await {
        Ok((t, e)) => {
            exit = exit.worst(e);
            let result = if e == Exit::Failed { "failed" } else { what };
            r.log(
                "revoke the token and the tokens it created",
                result,
                format!(
                    "accessor {} (policies {})",
                    t.token.accessor,
                    t.token.policies.join(", ")
                ),
            );
            r.log(
                "revoke its leases",
                result,
                "Vault revokes a token's leases, and its children's, with it",
            );
            r.token = Some(t);
        }
        Err(e) => {
            exit = Exit::Failed;
            r.log(
                "revoke the token and the tokens it created",
                "failed",
                format!("{e:#}"),
            );
        }
    }
    drop(cred);

    for path in &args.kv {
        let kv_args = KvArgs {
            path: path.clone(),
            versions: Some("all".into()),
            delete_metadata: false,
            confirm: args.confirm,
        };
        match crate::kv::execute(session, &kv_args).await {
            Ok(k) => {
                r.log(
                    format!("destroy {path}"),
                    what,
                    format!("versions {:?}", k.versions),
                );
                r.kv.push(k);
            }
            Err(e) => {
                exit = Exit::Failed;
                r.log(format!("destroy {path}"), "failed", format!("{e:#}"));
            }
        }
    }
    for (path, fields) in &rotate {
        let rotate_args = RotateArgs {
            kv: Some(path.clone()),
            fields: fields.clone(),
            length: 32,
            alphabet: Alphabet::Alnum,
            from_file: None,
            db_connection: None,
            db_static_role: None,
            db_mount: "database".into(),
            confirm: args.confirm,
        };
        match crate::rotate::rotate_kv(session, &rotate_args, path).await {
            Ok((k, e)) => {
                exit = exit.worst(e);
                r.log(
                    format!("rotate {} of {path}", fields.join(", ")),
                    if e == Exit::Failed { "failed" } else { what },
                    k.new_version
                        .map(|v| format!("version {v}"))
                        .unwrap_or_default(),
                );
                r.rotate.push(k);
            }
            Err(e) => {
                exit = Exit::Failed;
                r.log(
                    format!("rotate {} of {path}", fields.join(", ")),
                    "failed",
                    format!("{e:#}"),
                );
            }
        }
    }
    r.finished = jiff::Timestamp::now().to_string();
    r.exit_code = exit.code();
    if let Some((paths, mut out)) = files {
        r.report_files = paths.to_vec();
        let json = serde_json::to_vec_pretty(&r)?;
        let md = markdown(&r);
        for (f, bytes) in out.iter_mut().zip([json, md.into_bytes()]) {
            f.writer().write_all(&bytes).await?;
        }
        for f in out {
            f.commit().await?;
        }
    }
    output::print(session.format, &r, print_table)?;
    Ok(exit)
}

fn markdown(r: &RespondReport) -> String {
    let mut md = format!(
        "# Secret leak response\n\nStarted {}, finished {}, exit code {}.\n\n## Steps\n\n| time | step | result | detail |\n|---|---|---|---|\n",
        r.started, r.finished, r.exit_code
    );
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for s in &r.steps {
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            s.time,
            cell(&s.step),
            s.result,
            cell(&s.detail)
        ));
    }
    if let Some(scan) = &r.scan {
        md.push_str("\n## Requests made with the leaked credential\n\n| time | pod | operation | path | client | result |\n|---|---|---|---|---|---|\n");
        for t in &scan.timeline {
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                t.time,
                t.pod,
                t.operation,
                cell(&t.path),
                t.client,
                cell(&t.result)
            ));
        }
    }
    md
}

fn print_table(r: &RespondReport) {
    let rows = r
        .steps
        .iter()
        .map(|s| {
            let tone = match s.result {
                "done" => Tone::Good,
                "failed" => Tone::Bad,
                _ => Tone::Dim,
            };
            vec![
                s.time.clone().into(),
                s.step.clone().into(),
                Styled::new(s.result, tone),
                s.detail.clone().into(),
            ]
        })
        .collect();
    println!(
        "{}",
        output::table(&["time", "step", "result", "detail"], rows)
    );
    for p in &r.report_files {
        println!("Report: {}", p.display());
    }
}
