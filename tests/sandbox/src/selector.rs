//! Label and field selectors, as the API server parses them.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector (`a=b,c!=d,e in (x,y),!f,g`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector(Vec<Requirement>);

impl LabelSelector {
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        let mut reqs = Vec::new();
        for part in split_top_level(s) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let req = if let Some(rest) = part.strip_prefix('!') {
                Requirement::NotExists(key(rest)?)
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(key(k)?, v.trim().to_string())
            } else if let Some((k, v)) = part.split_once("==") {
                Requirement::Equals(key(k)?, v.trim().to_string())
            } else if let Some((k, v)) = part.split_once('=') {
                Requirement::Equals(key(k)?, v.trim().to_string())
            } else if let Some((k, vs)) = split_set(part, " notin ") {
                Requirement::NotIn(key(k)?, vs)
            } else if let Some((k, vs)) = split_set(part, " in ") {
                Requirement::In(key(k)?, vs)
            } else {
                Requirement::Exists(key(part)?)
            };
            reqs.push(req);
        }
        Ok(LabelSelector(reqs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, labels: Option<&Value>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
        })
    }
}

/// A parsed field selector (`metadata.name=x,status.phase!=Running`), evaluated against the
/// object's JSON by dotted path.
#[derive(Debug, Clone, Default)]
pub struct FieldSelector(Vec<(String, bool, String)>);

/// Boolean fields a selector may name; absent, they read as `false`.
const BOOLEAN_FIELDS: &[&str] = &["spec.hostNetwork", "spec.unschedulable"];

impl FieldSelector {
    pub fn parse(s: &str) -> Result<FieldSelector, String> {
        let mut reqs = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (path, eq, value) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==") {
                (k, true, v)
            } else if let Some((k, v)) = part.split_once('=') {
                (k, true, v)
            } else {
                return Err(format!(
                    "invalid selector: '{s}'; can't understand '{part}'"
                ));
            };
            reqs.push((path.trim().to_string(), eq, value.trim().to_string()));
        }
        Ok(FieldSelector(reqs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The field labels the selector names.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(p, _, _)| p.as_str())
    }

    /// The same selector with each label rewritten to the path it selects on.
    pub fn map_labels(
        self,
        f: impl Fn(&str) -> Result<String, String>,
    ) -> Result<FieldSelector, String> {
        self.0
            .into_iter()
            .map(|(p, eq, v)| Ok((f(&p)?, eq, v)))
            .collect::<Result<_, _>>()
            .map(FieldSelector)
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(path, eq, want)| {
            let mut cur = Some(obj);
            for seg in path.split('.') {
                cur = cur.and_then(|v| v.get(seg));
            }
            let got = match cur {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None if BOOLEAN_FIELDS.contains(&path.as_str()) => {
                    "false".into()
                }
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (got == *want) == *eq
        })
    }

    /// The value required for `metadata.name`, if the selector pins one.
    pub fn name(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(p, eq, _)| *eq && p == "metadata.name")
            .map(|(_, _, v)| v.as_str())
    }
}

fn key(k: &str) -> Result<String, String> {
    let k = k.trim();
    let valid = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if valid {
        Ok(k.to_string())
    } else {
        Err(format!("invalid label key {k:?}"))
    }
}

fn split_set<'a>(part: &'a str, op: &str) -> Option<(&'a str, Vec<String>)> {
    let (k, rest) = part.split_once(op)?;
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some((
        k,
        inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    ))
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selectors() {
        let labels = json!({"app.kubernetes.io/name": "vault", "component": "server"});
        let ok = |s: &str| LabelSelector::parse(s).unwrap().matches(Some(&labels));
        assert!(ok("app.kubernetes.io/name=vault,component=server"));
        assert!(ok("component in (server, agent)"));
        assert!(!ok("component notin (server)"));
        assert!(ok("!missing,component"));
        assert!(!ok("component!=server"));
        assert!(ok(""));
        assert!(LabelSelector::parse("bad key=x").is_err());
    }

    #[test]
    fn field_selectors() {
        let pod = json!({"metadata": {"name": "vault-0"}, "status": {"phase": "Running"}});
        let f = FieldSelector::parse("metadata.name=vault-0,status.phase!=Failed").unwrap();
        assert!(f.matches(&pod));
        assert_eq!(f.name(), Some("vault-0"));
        assert!(
            !FieldSelector::parse("metadata.name=vault-1")
                .unwrap()
                .matches(&pod)
        );
    }
}
