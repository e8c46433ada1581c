//! List paging (`limit` and `continue`): the continue token is the API server's (base64 of
//! `{"v":"meta.k8s.io/v1","rv":…,"start":…}`), naming the resourceVersion the first page was
//! read at and the key to start after; pages after the first read that same snapshot.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::status::ApiError;

/// `metadata` of a list.
#[derive(Debug, Clone, Default)]
pub struct ListMeta {
    pub resource_version: Option<u64>,
    pub continue_token: Option<String>,
    pub remaining: Option<usize>,
}

impl ListMeta {
    pub fn to_json(&self) -> Value {
        let mut m = json!({});
        if let Some(rv) = self.resource_version {
            m["resourceVersion"] = json!(rv.to_string());
        }
        if let Some(c) = &self.continue_token {
            m["continue"] = json!(c);
        }
        if let Some(n) = self.remaining {
            m["remainingItemCount"] = json!(n);
        }
        m
    }
}

/// Where a continuation resumes: at which resourceVersion (None: the latest, for a token
/// handed out with an expired list), after which (namespace, name).
#[derive(Debug, Clone, PartialEq)]
pub struct Resume {
    pub rv: Option<u64>,
    pub after: (String, String),
}

/// The key a token names, relative to the list's range: `name` within one namespace (or
/// for a cluster-scoped resource), `namespace/name` across all namespaces.
fn start_key(listing_ns: Option<&str>, after: &(String, String)) -> String {
    match listing_ns {
        Some(_) => after.1.clone(),
        None if after.0.is_empty() => after.1.clone(),
        None => format!("{}/{}", after.0, after.1),
    }
}

pub fn encode(rv: Option<u64>, listing_ns: Option<&str>, after: &(String, String)) -> String {
    let rv: i64 = rv.map_or(-1, |r| r as i64);
    let doc = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{}\u{0}", start_key(listing_ns, after))});
    URL_SAFE_NO_PAD.encode(doc.to_string())
}

fn not_valid(why: &str) -> ApiError {
    ApiError::bad_request(format!("continue key is not valid: {why}"))
}

pub fn decode(token: &str, listing_ns: Option<&str>, namespaced: bool) -> Result<Resume, ApiError> {
    let raw = URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|_| not_valid("illegal base64 data"))?;
    let doc: Value = serde_json::from_slice(&raw).map_err(|e| not_valid(&e.to_string()))?;
    if doc["v"] != "meta.k8s.io/v1" {
        return Err(not_valid("server does not recognize this encoded version"));
    }
    let rv = match doc["rv"].as_i64() {
        Some(-1) => None,
        Some(r) if r > 0 => Some(r as u64),
        _ => {
            return Err(not_valid(
                "incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
            ));
        }
    };
    let start = doc["start"]
        .as_str()
        .map(|s| s.trim_end_matches('\u{0}'))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| not_valid("encoded start key empty"))?;
    let after = match listing_ns {
        Some(ns) => (ns.to_string(), start.to_string()),
        None if !namespaced => (String::new(), start.to_string()),
        None => match start.split_once('/') {
            Some((ns, name)) => (ns.to_string(), name.to_string()),
            None => return Err(not_valid("encoded start key is not a namespaced key")),
        },
    };
    Ok(Resume { rv, after })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        let after = ("vault".to_string(), "cm-7".to_string());
        let t = encode(Some(42), None, &after);
        assert_eq!(
            decode(&t, None, true).unwrap(),
            Resume {
                rv: Some(42),
                after: after.clone()
            }
        );
        let t = encode(None, Some("vault"), &after);
        assert_eq!(decode(&t, Some("vault"), true).unwrap().rv, None);
        assert_eq!(decode("!!", None, true).err().unwrap().code, 400);
    }
}
