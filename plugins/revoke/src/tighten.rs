//! `policy NAME`: a policy shown with its broad grants flagged and the auth roles that hand it
//! out; `--tighten-to` replaces it with only the named paths and capabilities, after a diff and
//! a confirmation, keeping the previous text in the output and in an Event for rollback.

use anyhow::{Result, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output;
use vault_shared::session::Session;
use vault_shared::target::Target;

use crate::PolicyArgs;
use crate::policy::{Rule, rules};

const CAPABILITIES: &[&str] = &[
    "create", "read", "update", "patch", "delete", "list", "sudo", "deny",
];
/// The most of the previous text an Event note carries (the API caps notes at 1 KiB).
const NOTE_TEXT: usize = 700;

#[derive(Debug, Serialize)]
pub struct Broad {
    pub path: String,
    /// `glob` (`*` or `+` in the path), `sudo`, `write_on_glob`.
    pub kind: &'static str,
}

#[derive(Debug, Serialize)]
pub struct PolicyReport {
    pub name: String,
    pub rules: Vec<Rule>,
    pub broad: Vec<Broad>,
    /// Kubernetes auth roles whose token policies include it.
    pub roles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_text: Option<String>,
    /// The text before a change: write it back to roll back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_text: Option<String>,
    pub dry_run: bool,
    pub written: bool,
}

/// `PATH:CAPS` (`secret/data/app/db:read,list`) as a rule.
pub fn parse_rule(s: &str) -> Result<Rule> {
    let Some((path, caps)) = s.rsplit_once(':') else {
        bail!("--tighten-to {s:?}: expected PATH:CAPABILITIES, e.g. secret/data/app/db:read,list");
    };
    let caps: Vec<String> = caps.split(',').map(|c| c.trim().to_string()).collect();
    if path.is_empty()
        || path.contains('"')
        || caps.iter().any(|c| !CAPABILITIES.contains(&c.as_str()))
    {
        bail!(
            "--tighten-to {s:?}: expected PATH:CAPABILITIES with capabilities among {}",
            CAPABILITIES.join(", ")
        );
    }
    Ok(Rule {
        path: path.to_string(),
        capabilities: caps,
    })
}

pub fn hcl(rules: &[Rule]) -> String {
    rules
        .iter()
        .map(|r| {
            format!(
                "path \"{}\" {{\n  capabilities = [{}]\n}}\n",
                r.path,
                r.capabilities
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn broad(rules: &[Rule]) -> Vec<Broad> {
    let mut out = Vec::new();
    for r in rules {
        let glob = r.path.contains('*') || r.path.contains('+');
        let writes = r
            .capabilities
            .iter()
            .any(|c| matches!(c.as_str(), "create" | "update" | "patch" | "delete"));
        if glob {
            out.push(Broad {
                path: r.path.clone(),
                kind: if writes { "write_on_glob" } else { "glob" },
            });
        }
        if r.capabilities.iter().any(|c| c == "sudo") {
            out.push(Broad {
                path: r.path.clone(),
                kind: "sudo",
            });
        }
    }
    out
}

/// The Kubernetes auth roles that hand out `policy`; an unreadable method is an error.
async fn roles_with(session: &Session, via: &Target, policy: &str) -> Result<Vec<String>> {
    let c = &via.client;
    let mut out = Vec::new();
    let mounts = c
        .auth_mounts()
        .await
        .map_err(|e| session.explain(e, "list the auth methods"))?;
    for (mount, _) in mounts.iter().filter(|(_, k)| k == "kubernetes") {
        let roles = c
            .kubernetes_roles(mount)
            .await
            .map_err(|e| session.explain(e, &format!("list auth/{mount}/role")))?;
        for role in roles {
            let r = c
                .kubernetes_role(mount, &role)
                .await
                .map_err(|e| session.explain(e, &format!("read auth/{mount}/role/{role}")))?;
            if r.token_policies.iter().any(|p| p == policy) {
                out.push(format!("auth/{mount}/role/{role}"));
            }
        }
    }
    Ok(out)
}

/// A line diff of two policy texts: `-` removed, `+` added, unchanged lines left out.
fn diff(old: &str, new: &str) -> String {
    let o: Vec<&str> = old.lines().collect();
    let n: Vec<&str> = new.lines().collect();
    let mut out = String::new();
    for l in &o {
        if !n.contains(l) {
            out.push_str(&format!("- {l}\n"));
        }
    }
    for l in &n {
        if !o.contains(l) {
            out.push_str(&format!("+ {l}\n"));
        }
    }
    out
}

pub async fn run(session: &Session, args: &PolicyArgs) -> Result<Exit> {
    let wanted: Vec<Rule> = args
        .tighten_to
        .iter()
        .map(|s| parse_rule(s))
        .collect::<Result<_>>()?;
    if matches!(args.name.as_str(), "root" | "default") && !wanted.is_empty() {
        bail!("the {} policy is not one to tighten here", args.name);
    }
    session.require_token("reading a policy")?;
    let leader = session.leader(&session.views().await)?;
    let c = &leader.client;
    let read = || async {
        c.policy_text(&args.name)
            .await
            .map_err(|e| session.explain(e, &format!("read policy {}", args.name)))?
            .ok_or_else(|| anyhow::anyhow!("there is no policy {}; nothing was changed", args.name))
    };
    let text = read().await?;
    let parsed = rules(&text);
    let mut report = PolicyReport {
        name: args.name.clone(),
        broad: broad(&parsed),
        rules: parsed,
        roles: roles_with(session, leader, &args.name).await?,
        new_text: None,
        previous_text: None,
        dry_run: args.confirm.dry_run,
        written: false,
    };
    if wanted.is_empty() {
        return print(session, &report, &text);
    }
    let new_text = hcl(&wanted);
    let path = format!("sys/policies/acl/{}", args.name);
    session
        .require_capabilities(leader, "tightening the policy", &[(&path, "update")])
        .await?;
    let mut plan = Plan::new(format!("tighten policy {}", args.name));
    plan.step(format!(
        "replace its text:\n{}",
        diff(&text, &new_text).trim_end()
    ));
    if !report.roles.is_empty() {
        plan.warn(format!(
            "tokens from {} get only these paths from now on",
            report.roles.join(", ")
        ));
    }
    report.new_text = Some(new_text.clone());
    report.previous_text = Some(text.clone());
    if !args.confirm.confirm(&plan)? {
        if session.format == output::Format::Table {
            plan.print_dry_run();
        }
        return print(session, &report, &text);
    }
    if read().await? != text {
        bail!(
            "policy {} changed while waiting for confirmation; nothing was changed",
            args.name
        );
    }
    c.write_policy(&args.name, &new_text)
        .await
        .map_err(|e| session.explain(e, &format!("write policy {}", args.name)))?;
    report.written = read().await? == new_text;
    let mut previous: String = text.chars().take(NOTE_TEXT).collect();
    if previous.len() < text.len() {
        previous.push_str(" …");
    }
    session
        .record(
            &leader.name,
            Note::warning(
                "PolicyTightened",
                "TightenPolicy",
                &format!("policy {} tightened; previous text: {previous}", args.name),
            ),
        )
        .await;
    print(session, &report, &text)?;
    Ok(if report.written {
        Exit::Healthy
    } else {
        Exit::Failed
    })
}

fn print(session: &Session, report: &PolicyReport, text: &str) -> Result<Exit> {
    output::print(session.format, report, |r| {
        if r.written {
            println!(
                "Policy {} tightened. Its previous text, to roll back (vault policy write {} FILE):\n{text}",
                r.name, r.name
            );
            return;
        }
        if r.dry_run {
            return;
        }
        println!("Policy {}:\n{text}", r.name);
        for b in &r.broad {
            output::warn(&format!(
                "{}: {}",
                b.path,
                match b.kind {
                    "glob" => "a glob: grants more paths than one",
                    "write_on_glob" => "writes through a glob",
                    _ => "sudo",
                }
            ));
        }
        if !r.roles.is_empty() {
            println!("Handed out by: {}", r.roles.join(", "));
        }
    })?;
    Ok(Exit::Healthy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tighten_rules_parse_and_render() {
        let r = parse_rule("secret/data/app/db:read,list").unwrap();
        assert_eq!(r.capabilities, ["read", "list"]);
        assert!(parse_rule("secret/data/app/db").is_err());
        assert!(parse_rule("secret/data/app/db:reed").is_err());
        let text = hcl(std::slice::from_ref(&r));
        assert_eq!(rules(&text), vec![r]);
        assert_eq!(
            broad(&rules(
                "path \"secret/*\" { capabilities = [\"update\", \"sudo\"] }"
            ))
            .len(),
            2
        );
    }
}
