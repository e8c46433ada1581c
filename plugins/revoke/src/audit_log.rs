//! One audit log entry, as the file audit device writes it (one JSON object per line), read
//! for what an incident needs: when, which operation on which path, from where, as whom, and
//! whether it failed. Token and accessor fields are the device's HMACs.

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub time: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub auth: Auth,
    #[serde(default)]
    pub request: Request,
    #[serde(default)]
    pub error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Auth {
    #[serde(default)]
    pub client_token: String,
    #[serde(default)]
    pub accessor: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub metadata: Option<std::collections::BTreeMap<String, serde_json::Value>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Request {
    #[serde(default)]
    pub operation: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub remote_address: String,
    #[serde(default)]
    pub client_token: String,
    #[serde(default)]
    pub client_token_accessor: String,
}

impl Entry {
    pub fn parse(line: &[u8]) -> Option<Entry> {
        serde_json::from_slice(line).ok()
    }

    /// The role the token was issued for (a Kubernetes or AppRole login's `role`).
    pub fn role(&self) -> String {
        self.auth
            .metadata
            .as_ref()
            .and_then(|m| m.get("role"))
            .and_then(|r| r.as_str())
            .unwrap_or_default()
            .to_string()
    }

    /// The token's HMAC: from the auth block, else the request's (a refused token has no
    /// auth block).
    pub fn token_hmac(&self) -> &str {
        if self.auth.client_token.is_empty() {
            &self.request.client_token
        } else {
            &self.auth.client_token
        }
    }

    pub fn accessor_hmac(&self) -> &str {
        if self.auth.accessor.is_empty() {
            &self.request.client_token_accessor
        } else {
            &self.auth.accessor
        }
    }

    pub fn permission_denied(&self) -> bool {
        self.error.contains("permission denied")
    }
}

#[cfg(test)]
mod tests {
    use super::Entry;

    #[test]
    fn reads_the_fields_an_incident_needs() {
        let line = br#"{"time":"2026-12-01T00:00:00.1Z","type":"response","auth":{"client_token":"hmac-sha256:a","accessor":"hmac-sha256:b","display_name":"kubernetes-app","metadata":{"role":"app"}},"request":{"operation":"read","path":"secret/data/x","remote_address":"10.0.0.1"},"error":"1 error occurred:\n\t* permission denied\n\n"}"#;
        let e = Entry::parse(line).unwrap();
        assert_eq!(e.kind, "response");
        assert_eq!(e.request.path, "secret/data/x");
        assert_eq!(e.role(), "app");
        assert_eq!(e.token_hmac(), "hmac-sha256:a");
        assert_eq!(e.accessor_hmac(), "hmac-sha256:b");
        assert!(e.permission_denied());
        assert!(Entry::parse(b"not json").is_none());
    }
}
