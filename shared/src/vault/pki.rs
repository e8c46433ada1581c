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

impl VaultClient {
    /// `LIST <mount>/certs/detailed`: each issued certificate's serial with what OpenBao
    /// tells about it (`common_name`, `dns_names`, `not_after`, …).
    pub async fn pki_certs_detailed(
        &self,
        mount: &str,
    ) -> Result<Vec<(String, Value)>, VaultError> {
        let list = Method::from_bytes(b"LIST").expect("LIST is a method");
        let path = format!("{}/certs/detailed", mount.trim_matches('/'));
        let data: Value = self.data(list, &path, Body::Empty).await?;
        Ok(data["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str())
            .map(|k| (k.to_string(), data["key_info"][k].clone()))
            .collect())
    }

    /// The trusted certificates of the `cert` auth method at `auth/<mount>`: name and PEM.
    pub async fn cert_auth_certs(&self, mount: &str) -> Result<Vec<(String, String)>, VaultError> {
        let base = format!("auth/{}/certs", mount.trim_matches('/'));
        let mut out = Vec::new();
        for name in self.list_keys(&base).await? {
            let v: Value = self
                .data(Method::GET, &format!("{base}/{name}"), Body::Empty)
                .await?;
            out.push((
                name,
                v["certificate"].as_str().unwrap_or_default().to_string(),
            ));
        }
        Ok(out)
    }
}
