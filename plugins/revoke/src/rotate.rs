//! `rotate`: new secrets where the old ones leaked — KV "API keys" (a new random value per
//! named field, written as a new version with check-and-set, never printed), and the database
//! secrets engine's root and static-role passwords — each verified afterwards, with the
//! likely consumers listed so the operator knows what to restart.

use anyhow::{Result, anyhow, bail};
use serde::Serialize;
use serde_json::{Map, Value};
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::keys;
use vault_shared::output;
use vault_shared::session::Session;
use zeroize::Zeroizing;

use crate::consumers::{self, Consumers};
use crate::{Alphabet, RotateArgs};

#[derive(Debug, Serialize)]
pub struct RotateReport {
    pub target: String,
    /// `kv`, `db_connection` (root credentials) or `db_static_role`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_version: Option<u64>,
    pub dry_run: bool,
    pub rotated: bool,
    /// Checked afterwards through the API (the new values in place, different from the old).
    pub verified: bool,
    pub consumers: Consumers,
    pub plan: Plan,
}

impl Alphabet {
    fn chars(self) -> &'static [u8] {
        match self {
            Alphabet::Alnum => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            Alphabet::Hex => b"0123456789abcdef",
            Alphabet::Base64url => {
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            }
        }
    }
}

/// `len` characters of `alphabet` from the system's CSPRNG, without modulo bias.
pub fn random_value(len: usize, alphabet: Alphabet) -> Result<Zeroizing<String>> {
    use ring::rand::{SecureRandom, SystemRandom};
    let chars = alphabet.chars();
    let n = chars.len();
    let limit = 256 - (256 % n);
    let rng = SystemRandom::new();
    let mut out = Zeroizing::new(String::with_capacity(len));
    let mut buf = Zeroizing::new([0u8; 64]);
    while out.len() < len {
        rng.fill(&mut buf[..])
            .map_err(|_| anyhow!("the system's random number generator failed"))?;
        for &b in buf.iter() {
            if (b as usize) < limit && out.len() < len {
                out.push(chars[b as usize % n] as char);
            }
        }
    }
    Ok(out)
}

/// The data of a KV secret as an object (its values stay in memory only).
fn object(bytes: &[u8], path: &str) -> Result<Map<String, Value>> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => bail!("{path}: the secret's data is not an object; nothing was changed"),
    }
}

/// Rotates the named fields of a KV secret; the report and exit say how it went (nothing
/// printed).
pub async fn rotate_kv(
    session: &Session,
    args: &RotateArgs,
    path: &str,
) -> Result<(RotateReport, Exit)> {
    if args.fields.is_empty() {
        bail!("name the fields to rotate: --field NAME (repeatable)");
    }
    if args.from_file.is_some() && args.fields.len() != 1 {
        bail!("--from-file supplies one value: name exactly one --field");
    }
    let supplied = match &args.from_file {
        Some(p) => {
            let text = keys::read_text(p)?;
            let v = Zeroizing::new(text.trim_end_matches(['\n', '\r']).to_string());
            if v.is_empty() {
                bail!("{}: empty; nothing was changed", p.display());
            }
            Some(v)
        }
        None => None,
    };
    session.require_token("rotating a secret")?;
    let leader = session.leader(&session.views().await)?;
    let c = &leader.client;
    let m = c
        .kv_mount(path)
        .await
        .map_err(|e| session.explain(e, &format!("find the KV mount of {path}")))?;
    let read = |what: &'static str| {
        let m = m.clone();
        async move {
            c.kv_read_secret(&m)
                .await
                .map_err(|e| session.explain(e, &format!("read {path} ({what})")))?
                .ok_or_else(|| anyhow!("{path} does not exist (or its current version is deleted); nothing was changed"))
        }
    };
    let (old_bytes, old_version) = read("before").await?;
    let old = object(&old_bytes, path)?;
    let missing: Vec<&String> = args
        .fields
        .iter()
        .filter(|f| !old.contains_key(*f))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{path} has no field {} (fields: {}); nothing was changed",
            missing
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            old.keys().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    session
        .require_capabilities(
            leader,
            &format!("rotating {path}"),
            &[(&m.api("data"), "update")],
        )
        .await?;
    let kept: Vec<&String> = old.keys().filter(|k| !args.fields.contains(k)).collect();
    let mut plan = Plan::new(format!("rotate {} of {path}", args.fields.join(", ")));
    plan.step(format!(
        "write {} of {path} with {} for {}{}",
        if m.version == 2 {
            format!("version {}", old_version + 1)
        } else {
            "a new value (KV v1: the old one is overwritten)".into()
        },
        if supplied.is_some() {
            "the value from --from-file".to_string()
        } else {
            format!(
                "new random {}-character {:?} values",
                args.length, args.alphabet
            )
            .to_lowercase()
        },
        args.fields.join(", "),
        if kept.is_empty() {
            String::new()
        } else {
            format!(
                "; {} kept as they are",
                kept.iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    plan.step("read it back to check the new values are in place");
    let mut report = RotateReport {
        target: path.to_string(),
        kind: "kv",
        fields: args.fields.clone(),
        old_version: (m.version == 2).then_some(old_version),
        new_version: None,
        dry_run: args.confirm.dry_run,
        rotated: false,
        verified: false,
        consumers: consumers::find(session, leader, path, &m.api("data")).await,
        plan: plan.clone(),
    };
    if !args.confirm.confirm(&plan)? {
        return Ok((report, Exit::Healthy));
    }
    let mut new = old.clone();
    let mut values = Vec::new();
    for f in &args.fields {
        let v = match &supplied {
            Some(s) => s.clone(),
            None => random_value(args.length as usize, args.alphabet)?,
        };
        new.insert(f.clone(), Value::String(v.to_string()));
        values.push(v);
    }
    let body = Zeroizing::new(serde_json::to_vec(&new).expect("JSON"));
    drop(new);
    // Check-and-set: a version written since it was read (or while the prompt waited) stops it.
    let written = c.kv_write_secret(&m, &body, old_version).await;
    drop(body);
    let new_version = written.map_err(|e| {
        if e.errors().iter().any(|m| m.contains("check-and-set")) {
            anyhow!("{path} changed since it was read; nothing was written: run again")
        } else {
            session.explain(e, &format!("write {path}"))
        }
    })?;
    report.rotated = true;
    report.new_version = (m.version == 2).then_some(new_version);
    let (after_bytes, after_version) = read("after").await?;
    let after = object(&after_bytes, path)?;
    report.verified = (m.version == 1 || after_version == old_version + 1)
        && args.fields.iter().zip(&values).all(|(f, v)| {
            after.get(f).and_then(Value::as_str) == Some(v.as_str())
                && old.get(f).and_then(Value::as_str) != Some(v.as_str())
        });
    session
        .record(
            &leader.name,
            Note::warning(
                "SecretRotated",
                "RotateSecret",
                &format!(
                    "rotated {} of {path}{}",
                    args.fields.join(", "),
                    report
                        .new_version
                        .map(|v| format!(" (version {v})"))
                        .unwrap_or_default()
                ),
            ),
        )
        .await;
    let exit = if report.verified {
        Exit::Healthy
    } else {
        output::warn(&format!(
            "{path}: reading it back does not show the new values"
        ));
        Exit::Failed
    };
    Ok((report, exit))
}

pub async fn run(session: &Session, args: &RotateArgs) -> Result<Exit> {
    match (&args.kv, &args.db_connection, &args.db_static_role) {
        (Some(path), _, _) => {
            let (report, exit) = rotate_kv(session, args, path.trim_matches('/')).await?;
            print(session, &report, exit)
        }
        (_, Some(name), _) => crate::database::rotate_root(session, args, name).await,
        (_, _, Some(name)) => crate::database::rotate_static(session, args, name).await,
        _ => bail!(
            "say what to rotate: --kv PATH --field F, --db-connection NAME or --db-static-role NAME"
        ),
    }
}

pub fn print(session: &Session, report: &RotateReport, exit: Exit) -> Result<Exit> {
    output::print(session.format, report, |r| {
        if r.dry_run {
            r.plan.print_dry_run();
        } else {
            println!(
                "{}: {}{}",
                r.target,
                if r.verified {
                    "rotated and checked"
                } else if r.rotated {
                    "rotated, but the check failed"
                } else {
                    "not rotated"
                },
                r.new_version
                    .map(|v| format!(" (version {v})"))
                    .unwrap_or_default()
            );
        }
        let c = &r.consumers;
        if !c.pods.is_empty() {
            println!(
                "Pods whose Vault Agent annotations name it (restart them): {}",
                c.pods.join(", ")
            );
        }
        if !c.roles.is_empty() {
            println!(
                "Kubernetes auth roles whose policies read it: {}",
                c.roles.join(", ")
            );
        }
        for u in &c.unknown {
            output::warn(&format!("consumers not checked: {u}"));
        }
    })?;
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_have_the_length_and_alphabet_asked_for() {
        for (alphabet, len) in [
            (Alphabet::Alnum, 32),
            (Alphabet::Hex, 8),
            (Alphabet::Base64url, 100),
        ] {
            let v = random_value(len, alphabet).unwrap();
            assert_eq!(v.len(), len);
            assert!(
                v.bytes().all(|b| alphabet.chars().contains(&b)),
                "{alphabet:?}"
            );
        }
        assert_ne!(
            *random_value(32, Alphabet::Alnum).unwrap(),
            *random_value(32, Alphabet::Alnum).unwrap()
        );
    }
}
