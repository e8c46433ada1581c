//! Tokens: what a token's capabilities (`sys/capabilities-self`) allow, and a token looked up
//! and revoked by its accessor. A token's own ID is only ever sent, in a body wiped after
//! sending; answers are read without it.

use http::Method;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{Body, VaultClient, VaultError};

/// What `auth/token/lookup-accessor` says about a token (never its ID).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct TokenInfo {
    #[serde(default)]
    pub accessor: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub policies: Vec<String>,
    /// Unix seconds.
    #[serde(default)]
    pub creation_time: i64,
    #[serde(default)]
    pub expire_time: Option<String>,
    #[serde(default)]
    pub ttl: i64,
    /// `auth/token/create/<role>`, `auth/kubernetes/login`, …
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub orphan: bool,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub num_uses: i64,
    #[serde(default, rename = "type")]
    pub token_type: String,
    #[serde(default)]
    pub meta: Option<std::collections::BTreeMap<String, String>>,
}

impl TokenInfo {
    /// The token role it was created with (`auth/token/create/<role>`), if any.
    pub fn role(&self) -> Option<&str> {
        self.path
            .strip_prefix("auth/token/create/")
            .filter(|r| !r.is_empty())
    }
}

fn secret_body(key: &str, value: &str) -> Body {
    Body::Secret(Zeroizing::new(
        serde_json::to_vec(&serde_json::json!({ key: value })).expect("JSON of a string"),
    ))
}

impl VaultClient {
    /// Looks a token up by its accessor.
    pub async fn lookup_accessor(&self, accessor: &str) -> Result<TokenInfo, VaultError> {
        self.data(
            Method::POST,
            "auth/token/lookup-accessor",
            Body::Json(serde_json::json!({ "accessor": accessor })),
        )
        .await
    }

    /// Looks a token up by its ID (sent in a wiped body); the answer is read without the ID.
    pub async fn lookup_token(&self, token: &str) -> Result<TokenInfo, VaultError> {
        self.data(
            Method::POST,
            "auth/token/lookup",
            secret_body("token", token),
        )
        .await
    }

    /// Revokes a token but not its children, which become orphans (needs `sudo`; only by ID:
    /// Vault has no orphaning revoke by accessor).
    pub async fn revoke_orphan(&self, token: &str) -> Result<(), VaultError> {
        self.no_content(
            Method::POST,
            "auth/token/revoke-orphan",
            secret_body("token", token),
        )
        .await
    }
}

/// Whether `caps` (a path's capabilities) allow `needed` (`root` allows everything).
pub fn allows(caps: &[String], needed: &str) -> bool {
    caps.iter().any(|c| c == "root" || c == needed) && !caps.iter().any(|c| c == "deny")
}

#[cfg(test)]
mod tests {
    use super::allows;

    #[test]
    fn root_allows_and_deny_wins() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(allows(&v(&["root"]), "update"));
        assert!(allows(&v(&["read", "update"]), "update"));
        assert!(!allows(&v(&["read"]), "update"));
        assert!(!allows(&v(&["deny"]), "read"));
    }
}
