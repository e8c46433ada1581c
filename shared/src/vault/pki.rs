//! The PKI secrets engine: issuing a certificate from a role. The private key is taken out of
//! the answer at once and kept in a zeroizing string; it is never part of an error.

use http::Method;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::{Body, VaultClient, VaultError};

/// What `pki/issue/<role>` returns.
pub struct Issued {
    /// PEM of the new certificate.
    pub certificate: String,
    /// PEM of each CA certificate above it, as Vault lists them.
    pub ca_chain: Vec<String>,
    pub private_key: Zeroizing<String>,
    pub serial_number: String,
}

/// The names a certificate is asked for: DNS names and IP addresses, split as Vault takes them.
pub struct IssueRequest<'a> {
    pub common_name: &'a str,
    pub dns_names: &'a [String],
    pub ip_sans: &'a [String],
    pub ttl: &'a str,
}

impl VaultClient {
    /// `POST <mount>/issue/<role>`. Vault refuses (400) a name the role does not allow.
    pub async fn pki_issue(
        &self,
        mount: &str,
        role: &str,
        req: &IssueRequest<'_>,
    ) -> Result<Issued, VaultError> {
        let path = format!("{}/issue/{role}", mount.trim_matches('/'));
        let body = json!({
            "common_name": req.common_name,
            "alt_names": req.dns_names.join(","),
            "ip_sans": req.ip_sans.join(","),
            "ttl": req.ttl,
            "format": "pem",
        });
        let mut data: Value = self.data(Method::POST, &path, Body::Json(body)).await?;
        let private_key = match data["private_key"].take() {
            Value::String(s) => Zeroizing::new(s),
            _ => String::new().into(),
        };
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let issued = Issued {
            certificate: text(&data["certificate"]),
            ca_chain: data["ca_chain"]
                .as_array()
                .map(|a| a.iter().map(text).collect())
                .unwrap_or_else(|| vec![text(&data["issuing_ca"])]),
            private_key,
            serial_number: text(&data["serial_number"]),
        };
        if issued.certificate.is_empty() || issued.private_key.is_empty() {
            return Err(VaultError::Protocol {
                target: self.target.clone(),
                status: 200,
                message: format!("{path}: no certificate or private key in the answer"),
            });
        }
        Ok(issued)
    }
}
