//! sys/metrics, in its JSON form.

use http::Method;
use serde_json::Value;

use super::{Body, VaultClient, VaultError};

impl VaultClient {
    /// sys/metrics in its JSON form (the default of both Vault and OpenBao; OpenBao rejects
    /// an explicit `format=json`).
    pub async fn metrics(&self) -> Result<Value, VaultError> {
        let v = self
            .json(Method::GET, "sys/metrics", Body::Empty, true)
            .await?;
        if v.is_null() {
            return Err(self.redirected("sys/metrics"));
        }
        Ok(v)
    }
}
