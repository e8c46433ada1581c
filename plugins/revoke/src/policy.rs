//! Reading ACL policy text: its `path "…" { capabilities = […] }` rules, whether a rule's
//! pattern covers a path (`*` at the end for a prefix, `+` for one segment), and which grants
//! are broad.

/// One `path` rule of a policy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rule {
    pub path: String,
    pub capabilities: Vec<String>,
}

/// The path rules of a policy's HCL text, in order.
pub fn rules(hcl: &str) -> Vec<Rule> {
    let mut out = Vec::new();
    let mut rest = hcl;
    while let Some(i) = rest.find("path") {
        rest = &rest[i + 4..];
        let Some(q) = rest.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some(end) = q.find('"') else { break };
        let path = q[..end].to_string();
        let body = &q[end + 1..];
        let block_end = body.find('}').unwrap_or(body.len());
        let block = &body[..block_end];
        let capabilities = block
            .find("capabilities")
            .and_then(|c| {
                let list = &block[c..];
                let open = list.find('[')?;
                let close = list.find(']')?;
                Some(
                    list[open + 1..close]
                        .split('"')
                        .skip(1)
                        .step_by(2)
                        .map(str::to_string)
                        .collect(),
                )
            })
            .unwrap_or_default();
        out.push(Rule { path, capabilities });
        rest = &body[block_end.min(body.len())..];
    }
    out
}

/// Whether a policy pattern covers `path`: `+` is one segment, a trailing `*` any suffix.
pub fn covers(pattern: &str, path: &str) -> bool {
    let (pattern, prefix) = match pattern.strip_suffix('*') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let pat: Vec<&str> = pattern.split('/').collect();
    let got: Vec<&str> = path.split('/').collect();
    if !prefix && pat.len() != got.len() {
        return false;
    }
    if pat.len() > got.len() {
        return false;
    }
    for (i, p) in pat.iter().enumerate() {
        let last = i == pat.len() - 1;
        let ok = match (*p, last && prefix) {
            ("+", false) => !got[i].is_empty(),
            (p, true) => got[i].starts_with(p),
            (p, false) => got[i] == p,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Whether the policy grants read on `path` (a covering rule with `read` and none with `deny`).
pub fn grants_read(hcl: &str, path: &str) -> bool {
    let covering: Vec<Rule> = rules(hcl)
        .into_iter()
        .filter(|r| covers(&r.path, path))
        .collect();
    covering
        .iter()
        .any(|r| r.capabilities.iter().any(|c| c == "read"))
        && !covering
            .iter()
            .any(|r| r.capabilities.iter().any(|c| c == "deny"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_and_patterns_read_as_vault_does() {
        let hcl = "# app\npath \"secret/data/app/*\" {\n  capabilities = [\"read\", \"list\"]\n}\npath \"secret/data/+/db\" { capabilities = [\"read\"] }\npath \"secret/data/app/admin\" {\n capabilities = [\"deny\"]\n}\n";
        let r = rules(hcl);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].path, "secret/data/app/*");
        assert_eq!(r[0].capabilities, ["read", "list"]);
        assert!(covers("secret/data/app/*", "secret/data/app/db"));
        assert!(covers("secret/data/app*", "secret/data/apps/x"));
        assert!(covers("secret/data/+/db", "secret/data/x/db"));
        assert!(!covers("secret/data/+/db", "secret/data/x/y/db"));
        assert!(!covers("secret/data/app", "secret/data/app/db"));
        assert!(grants_read(hcl, "secret/data/app/db"));
        assert!(grants_read(hcl, "secret/data/other/db"));
        assert!(!grants_read(hcl, "secret/data/app/admin"));
        assert!(!grants_read(hcl, "secret/data/other/x"));
    }
}
