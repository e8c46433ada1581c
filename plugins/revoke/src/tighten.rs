//! `policy NAME`: a policy shown with its broad grants flagged (a missing deny among them) and
//! who holds it (auth roles, identity entities and groups); `--tighten-to` replaces it with only the named paths and capabilities, after a diff and
//! a confirmation, keeping the previous text in the output and in an Event for rollback.

use anyhow::{Result, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output;
use vault_shared::session::Session;

use crate::PolicyArgs;
use crate::policy::{Rule, covers, rules};
use crate::policy_users::{self, Identity};

const CAPABILITIES: &[&str] = &[
    "create", "read", "update", "patch", "delete", "list", "sudo", "deny",
];
/// Where a leaked token could undo the runbook's secret-leak response, each with a path to
/// probe: the audit devices its evidence comes from, the policies it tightens, tokens that
/// outlive the leaked one's revocation (orphans), a new way in (auth methods), policies given
/// to identities, and raw storage.
const RESPONSE_PATHS: &[(&str, &str)] = &[
    ("sys/audit/file", "audit devices (sys/audit)"),
    ("sys/audit-hash/file", "audit devices (sys/audit)"),
    ("sys/policies/acl/any", "policies (sys/policies/acl)"),
    ("sys/policy/any", "policies (sys/policy)"),
    (
        "auth/token/create-orphan",
        "orphan tokens (auth/token/create-orphan)",
    ),
    ("sys/auth/any", "auth methods (sys/auth)"),
    ("identity/entity/id/any", "identity policies (identity/)"),
    ("identity/group/id/any", "identity policies (identity/)"),
    ("sys/raw/any", "raw storage (sys/raw)"),
];
/// The most of the previous text an Event note carries (the API caps notes at 1 KiB).
const NOTE_TEXT: usize = 700;

#[derive(Debug, Serialize)]
pub struct Broad {
    pub path: String,
    /// `glob` (`*` or `+` in the path), `sudo`, `write_on_glob`, `deny_missing`.
    pub kind: &'static str,
    /// `deny_missing`: the response-critical places the glob reaches with no deny.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reaches: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct PolicyReport {
    pub name: String,
    pub rules: Vec<Rule>,
    pub broad: Vec<Broad>,
    /// Auth roles (users, certificates) whose tokens get it: `auth/<mount>/<role|users|certs>/<name>`.
    pub roles: Vec<String>,
    /// Identity entities with it among their own policies.
    pub entities: Vec<Identity>,
    /// Identity groups with it (their member entities get it too).
    pub groups: Vec<Identity>,
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
        // A deny narrows whatever it covers: not a broad grant.
        let glob = (r.path.contains('*') || r.path.contains('+'))
            && r.capabilities.iter().any(|c| c != "deny");
        let writes = r
            .capabilities
            .iter()
            .any(|c| matches!(c.as_str(), "create" | "update" | "patch" | "delete"));
        let flag = |kind| Broad {
            path: r.path.clone(),
            kind,
            reaches: Vec::new(),
        };
        if glob {
            out.push(flag(if writes { "write_on_glob" } else { "glob" }));
        }
        if r.capabilities.iter().any(|c| c == "sudo") {
            out.push(flag("sudo"));
        }
    }
    out.extend(deny_missing(rules));
    out
}

/// The glob rules that govern a response-critical path with a capability that changes
/// something there, where no deny does. The most specific covering rule governs (the longest
/// pattern, as Vault prefers the most specific path); a deny covering the path wins.
fn deny_missing(rules: &[Rule]) -> Vec<Broad> {
    let mut out: Vec<Broad> = Vec::new();
    for (probe, area) in RESPONSE_PATHS {
        let covering: Vec<&Rule> = rules.iter().filter(|r| covers(&r.path, probe)).collect();
        if covering
            .iter()
            .any(|r| r.capabilities.iter().any(|c| c == "deny"))
        {
            continue;
        }
        let Some(governing) = covering.iter().max_by_key(|r| r.path.len()) else {
            continue;
        };
        let glob = governing.path.contains('*') || governing.path.contains('+');
        let changes = governing.capabilities.iter().any(|c| {
            matches!(
                c.as_str(),
                "create" | "update" | "patch" | "delete" | "sudo"
            )
        });
        if !(glob && changes) {
            continue;
        }
        match out.iter_mut().find(|b| b.path == governing.path) {
            Some(b) if b.reaches.contains(area) => {}
            Some(b) => b.reaches.push(area),
            None => out.push(Broad {
                path: governing.path.clone(),
                kind: "deny_missing",
                reaches: vec![area],
            }),
        }
    }
    out
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
    let users = policy_users::find(session, leader, &args.name).await?;
    let mut report = PolicyReport {
        name: args.name.clone(),
        broad: broad(&parsed),
        rules: parsed,
        roles: users.roles,
        entities: users.entities,
        groups: users.groups,
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
    let holders = holders(&report);
    if !holders.is_empty() {
        plan.warn(format!(
            "tokens of {} get only these paths from now on",
            holders.join(", ")
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

/// The roles, entities (`entity NAME`) and groups (`group NAME (N members)`) holding it.
fn holders(r: &PolicyReport) -> Vec<String> {
    let mut out = r.roles.clone();
    out.extend(r.entities.iter().map(|e| format!("entity {}", e.name)));
    out.extend(r.groups.iter().map(|g| {
        format!(
            "group {} ({} member entities)",
            g.name,
            g.members.unwrap_or_default()
        )
    }));
    out
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
                    "glob" => "a glob: grants more paths than one".to_string(),
                    "write_on_glob" => "writes through a glob".to_string(),
                    "deny_missing" => format!(
                        "deny missing: the glob reaches {} with nothing denied; a leaked token could undo the response there",
                        b.reaches.join(", ")
                    ),
                    _ => "sudo".to_string(),
                }
            ));
        }
        let holders = holders(r);
        if holders.is_empty() {
            println!("Held by: no auth role, entity or group.");
        } else {
            println!("Held by: {}", holders.join(", "));
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

    #[test]
    fn a_glob_reaching_the_response_paths_without_a_deny_is_flagged() {
        let kinds = |hcl: &str| -> Vec<(String, Vec<&'static str>)> {
            broad(&rules(hcl))
                .into_iter()
                .filter(|b| b.kind == "deny_missing")
                .map(|b| (b.path, b.reaches))
                .collect()
        };
        let everything = kinds("path \"*\" { capabilities = [\"create\", \"read\", \"update\"] }");
        assert_eq!(everything.len(), 1);
        assert_eq!(everything[0].1.len(), 7, "{everything:?}");
        // A deny (or a narrower rule) governs the path: not flagged there.
        let carved = kinds(
            "path \"sys/*\" { capabilities = [\"update\"] }\npath \"sys/audit*\" { capabilities = [\"deny\"] }\npath \"sys/policies/acl/*\" { capabilities = [\"read\"] }",
        );
        assert_eq!(
            carved,
            vec![(
                "sys/*".to_string(),
                vec![
                    "policies (sys/policy)",
                    "auth methods (sys/auth)",
                    "raw storage (sys/raw)"
                ]
            )]
        );
        // Read-only globs and exact paths are not flagged; secret mounts are not response paths.
        assert!(kinds("path \"sys/*\" { capabilities = [\"read\", \"list\"] }").is_empty());
        assert!(
            kinds("path \"sys/audit/file\" { capabilities = [\"sudo\", \"update\"] }").is_empty()
        );
        assert!(kinds("path \"secret/*\" { capabilities = [\"update\"] }").is_empty());
    }
}
