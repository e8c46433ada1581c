//! `--verify PATH`: the runbook's "test secret retrieval", without printing any value.

use anyhow::{Result, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::target::Target;
use vault_shared::vault::KvRead;

#[derive(Debug, Serialize)]
pub struct Verified {
    pub path: String,
    pub result: KvRead,
    /// The pod the read went through.
    pub via: String,
    /// Where the token came from (never the token).
    pub token_from: String,
}

impl Verified {
    pub fn exit(&self) -> Exit {
        match self.result {
            KvRead::Found => Exit::Healthy,
            _ => Exit::Attention,
        }
    }

    pub fn line(&self) -> String {
        let what = match self.result {
            KvRead::Found => "found",
            KvRead::NotFound => "not found",
            KvRead::PermissionDenied => "permission denied",
        };
        format!(
            "{what} (read through {} with the token from {})",
            self.via, self.token_from
        )
    }
}

/// Reads `path` through an unsealed pod, the active one when it can be told.
pub async fn check(
    targets: &[Result<Target>],
    path: &str,
    token_from: Option<&str>,
) -> Result<Verified> {
    let Some(token_from) = token_from else {
        bail!(
            "--verify needs a Vault token: set VAULT_TOKEN, give --token-file, or log in so ~/.vault-token exists"
        );
    };
    let mut candidates = Vec::new();
    for t in targets.iter().filter_map(|t| t.as_ref().ok()) {
        if let Ok(h) = t.client.health().await
            && !h.sealed
        {
            candidates.push((h.standby, t));
        }
    }
    candidates.sort_by_key(|(standby, _)| *standby);
    let Some((_, t)) = candidates.first() else {
        bail!("--verify {path}: no pod is unsealed to read through");
    };
    let result = t.client.kv_readable(path).await?;
    Ok(Verified {
        path: path.to_string(),
        result,
        via: t.name.clone(),
        token_from: token_from.to_string(),
    })
}
