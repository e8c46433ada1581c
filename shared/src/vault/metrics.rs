//! sys/metrics, in its JSON form and in Prometheus text form.

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

    /// sys/metrics in Prometheus text form; needs `prometheus_retention_time` in the
    /// server's telemetry stanza (else Vault answers 400).
    pub async fn metrics_prometheus(&self) -> Result<String, VaultError> {
        let path = "sys/metrics?format=prometheus";
        let (status, bytes) = self.send(Method::GET, path, Body::Empty, true).await?;
        self.check(status, &bytes, path)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// The value of a Prometheus sample (`name{labels} value`), summed over its label sets.
pub fn prometheus_value(text: &str, name: &str) -> Option<f64> {
    let mut found = None;
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        if !(rest.starts_with(' ') || rest.starts_with('{')) {
            continue;
        }
        let value = rest.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok());
        if let Some(v) = value {
            found = Some(found.unwrap_or(0.0) + v);
        }
    }
    found
}

/// The samples of `name` with their labels (`name{a="x",b="y"} v` → ([(a,x),(b,y)], v)).
pub fn prometheus_samples(text: &str, name: &str) -> Vec<(Vec<(String, String)>, f64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(name).and_then(|r| r.strip_prefix('{')) else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        let Ok(value) = value.trim().parse::<f64>() else {
            continue;
        };
        let labels = labels
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
            .collect();
        out.push((labels, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_samples_are_read_by_name_and_labels() {
        let text = "# HELP vault_expire_num_leases x\n# TYPE vault_expire_num_leases gauge\n\
vault_expire_num_leases 2500\nvault_expire_num_leases_other 7\n\
vault_token_count_by_ttl{creation_ttl=\"1h\",namespace=\"root\"} 12\n\
vault_token_count_by_ttl{creation_ttl=\"+Inf\",namespace=\"root\"} 1\n";
        assert_eq!(
            prometheus_value(text, "vault_expire_num_leases"),
            Some(2500.0)
        );
        assert_eq!(
            prometheus_value(text, "vault_token_count_by_ttl"),
            Some(13.0)
        );
        assert_eq!(prometheus_value(text, "vault_missing"), None);
        let s = prometheus_samples(text, "vault_token_count_by_ttl");
        assert_eq!(s[0].0[0], ("creation_ttl".to_string(), "1h".to_string()));
        assert_eq!(s[0].1, 12.0);
    }
}
