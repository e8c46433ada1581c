//! sys/init: initialising a new cluster, and revoking the token a caller holds
//! (`auth/token/revoke-self`). The answer holds the new key shares and root token: it is
//! read straight into zeroizing strings and never into a shared JSON value.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zeroize::Zeroizing;

use super::{Body, VaultClient, VaultError};

/// What to ask of sys/init. PGP keys are base64 of binary public keys, one per share.
#[derive(Debug, Clone, Default)]
pub struct InitRequest {
    pub shares: u32,
    pub threshold: u32,
    pub pgp_keys: Vec<String>,
    pub root_token_pgp_key: Option<String>,
    /// Auto-unseal clusters make recovery keys instead of unseal keys.
    pub recovery: bool,
}

/// The new shares (in clear, or encrypted to their holders' PGP keys) and root token.
pub struct InitAnswer {
    pub keys: Vec<Zeroizing<String>>,
    pub keys_base64: Vec<Zeroizing<String>>,
    pub recovery_keys: Vec<Zeroizing<String>>,
    pub recovery_keys_base64: Vec<Zeroizing<String>>,
    pub root_token: Zeroizing<String>,
}

/// The answer as decoded; moved into zeroizing strings at once.
#[derive(Deserialize)]
struct RawAnswer {
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    keys_base64: Vec<String>,
    #[serde(default)]
    recovery_keys: Vec<String>,
    #[serde(default)]
    recovery_keys_base64: Vec<String>,
    root_token: String,
}

impl From<RawAnswer> for InitAnswer {
    fn from(r: RawAnswer) -> InitAnswer {
        let secure = |v: Vec<String>| v.into_iter().map(Zeroizing::new).collect();
        InitAnswer {
            keys: secure(r.keys),
            keys_base64: secure(r.keys_base64),
            recovery_keys: secure(r.recovery_keys),
            recovery_keys_base64: secure(r.recovery_keys_base64),
            root_token: Zeroizing::new(r.root_token),
        }
    }
}

impl std::fmt::Debug for InitAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InitAnswer(<redacted>)")
    }
}

impl InitAnswer {
    /// The shares as base64 (unseal keys, else recovery keys).
    pub fn shares_b64(&self) -> &[Zeroizing<String>] {
        if self.keys_base64.is_empty() {
            &self.recovery_keys_base64
        } else {
            &self.keys_base64
        }
    }

    /// The shares as hex (unseal keys, else recovery keys).
    pub fn shares_hex(&self) -> &[Zeroizing<String>] {
        if self.keys.is_empty() {
            &self.recovery_keys
        } else {
            &self.keys
        }
    }
}

/// Whether a node is initialised (`GET sys/init`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InitStatus {
    pub initialized: bool,
}

impl VaultClient {
    /// `PUT sys/init`. Vault refuses a node that is already initialised.
    pub async fn init(&self, req: &InitRequest) -> Result<InitAnswer, VaultError> {
        let mut body = if req.recovery {
            json!({"recovery_shares": req.shares, "recovery_threshold": req.threshold})
        } else {
            json!({"secret_shares": req.shares, "secret_threshold": req.threshold})
        };
        if !req.pgp_keys.is_empty() {
            let field = if req.recovery {
                "recovery_pgp_keys"
            } else {
                "pgp_keys"
            };
            body[field] = json!(req.pgp_keys);
        }
        if let Some(k) = &req.root_token_pgp_key {
            body["root_token_pgp_key"] = json!(k);
        }
        let (status, bytes) = self
            .send(Method::PUT, "sys/init", Body::Json(body), false)
            .await?;
        if status >= 300 {
            return Err(self.api_error(status, &bytes));
        }
        let bytes = Zeroizing::new(bytes.to_vec());
        serde_json::from_slice::<RawAnswer>(&bytes)
            .map(InitAnswer::from)
            .map_err(|_| VaultError::Protocol {
                target: self.target.clone(),
                status,
                message: "sys/init: the answer is not the expected JSON (is this a Vault server?)"
                    .into(),
            })
    }

    pub async fn init_status(&self) -> Result<InitStatus, VaultError> {
        self.get("sys/init", false).await
    }

    /// Revokes the token this client sends (`auth/token/revoke-self`).
    pub async fn revoke_self(&self) -> Result<(), VaultError> {
        self.no_content(Method::POST, "auth/token/revoke-self", Body::Empty)
            .await
    }
}
