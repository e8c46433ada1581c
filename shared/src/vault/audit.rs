//! Audit devices: which are enabled (and where a file device writes), and the HMAC a device
//! gives a value, so a leaked token is found in the logs without ever being printed.

use http::Method;
use serde_json::Value;
use zeroize::Zeroizing;

use super::{Body, VaultClient, VaultError};

/// One enabled audit device (`sys/audit`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditDevice {
    /// Its mount path without the trailing slash (`file`).
    pub path: String,
    /// `file`, `socket`, `syslog`, …
    pub kind: String,
    /// Where a file device writes, as the server sees it (`stdout` and `discard` included).
    pub file_path: Option<String>,
}

/// A table of mounts (`sys/audit`, `sys/auth`): Vault answers it both at the top level and
/// under `data`.
pub(super) fn mount_table(v: Value) -> serde_json::Map<String, Value> {
    match v.get("data") {
        Some(Value::Object(m)) => m.clone(),
        _ => v.as_object().cloned().unwrap_or_default(),
    }
}

impl VaultClient {
    /// The enabled audit devices (needs `sudo` on `sys/audit`).
    pub async fn audit_devices(&self) -> Result<Vec<AuditDevice>, VaultError> {
        let v = self
            .json(Method::GET, "sys/audit", Body::Empty, true)
            .await?;
        let mut devices: Vec<AuditDevice> = mount_table(v)
            .iter()
            .filter(|(_, d)| d.get("type").is_some())
            .map(|(path, d)| AuditDevice {
                path: path.trim_end_matches('/').to_string(),
                kind: d["type"].as_str().unwrap_or_default().to_string(),
                file_path: d["options"]["file_path"]
                    .as_str()
                    .or_else(|| d["options"]["path"].as_str())
                    .map(str::to_string),
            })
            .collect();
        devices.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(devices)
    }

    /// The HMAC device `device` writes for `input` (`hmac-sha256:…`); the input is sent in a
    /// body wiped after sending.
    pub async fn audit_hash(&self, device: &str, input: &str) -> Result<String, VaultError> {
        let body = Zeroizing::new(
            serde_json::to_vec(&serde_json::json!({ "input": input })).expect("JSON of a string"),
        );
        let path = format!("sys/audit-hash/{}", device.trim_matches('/'));
        let v: Value = self.data(Method::POST, &path, Body::Secret(body)).await?;
        v["hash"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| VaultError::Protocol {
                target: self.target.clone(),
                status: 200,
                message: format!("{path}: no hash in the answer"),
            })
    }
}

impl VaultClient {
    /// Enables a file audit device through the API (Vault; OpenBao refuses it).
    pub async fn enable_file_audit(
        &self,
        name: &str,
        file_path: &str,
        log_raw: bool,
    ) -> Result<(), VaultError> {
        let mut options = serde_json::json!({ "file_path": file_path });
        if log_raw {
            options["log_raw"] = "true".into();
        }
        self.no_content(
            Method::PUT,
            &format!("sys/audit/{}", name.trim_matches('/')),
            Body::Json(serde_json::json!({ "type": "file", "options": options })),
        )
        .await
    }
}
