//! The sandbox's two CAs and the certificates they issue: the API server's, and the Vault
//! pods' (kept in the `vault-tls` Secret, as the chart's TLS guide does it).

use anyhow::Result;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use time::{Duration, OffsetDateTime};

pub struct Ca {
    pub cert_pem: String,
    /// The CA's private key, for a test that imports this CA into Vault's PKI engine.
    pub key_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

impl Ca {
    pub fn generate(name: &str) -> Result<Ca> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name = dn(name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::hours(1);
        params.not_after = now + Duration::days(3650);
        let cert = params.self_signed(&key)?;
        Ok(Ca {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            issuer: Issuer::new(params, key),
        })
    }

    /// A server certificate for `sans` (IP addresses and DNS names), valid from an hour ago
    /// for `valid_for`.
    pub fn issue(&self, common_name: &str, sans: &[String], valid_for: Duration) -> Result<Issued> {
        let now = OffsetDateTime::now_utc();
        self.issue_between(common_name, sans, now - Duration::hours(1), now + valid_for)
    }

    pub fn issue_between(
        &self,
        common_name: &str,
        sans: &[String],
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<Issued> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(sans.to_vec())?;
        params.distinguished_name = dn(common_name);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        params.not_before = not_before;
        params.not_after = not_after;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

fn dn(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "vault-sandbox");
    dn
}

/// Which certificate the Vault pods get: a valid one, or one of the certificate faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaultCert {
    /// Valid for `days`, carrying every name the chart's TLS guide gives it.
    Valid { days: i64 },
    /// Carrying the right names, but expired yesterday.
    Expired,
    /// Valid, but missing the Service names (`vault`, `vault.NS.svc`, …): clients that reach
    /// Vault through its Service fail verification; the pods' own names still match.
    WrongSan,
}

/// The names on the Vault pods' certificate: the pods' own DNS names (a wildcard under the
/// headless service, as the chart's TLS guide has it), the Services, localhost and 127.0.0.1,
/// and `pod_ips`: the pods' raft `api_addr` is still their IP, as in the chart's default
/// (`VAULT_API_ADDR=https://$(POD_IP):8200`), and a join to it checks that IP.
pub fn vault_sans(
    v: &crate::chart::Variant,
    namespace: &str,
    pod_ips: &[String],
    cert: VaultCert,
) -> Vec<String> {
    let mut sans = crate::objects::vault_dns_names(v, namespace);
    if cert == VaultCert::WrongSan {
        sans.retain(|n| n.starts_with("*.") || n == "localhost");
    }
    sans.push("127.0.0.1".into());
    sans.extend(pod_ips.iter().cloned());
    sans
}

impl Ca {
    /// The certificate and key for the `vault-tls` Secret.
    pub fn vault_cert(
        &self,
        v: &crate::chart::Variant,
        namespace: &str,
        pod_ips: &[String],
        cert: VaultCert,
    ) -> Result<Issued> {
        let sans = vault_sans(v, namespace, pod_ips, cert);
        let now = OffsetDateTime::now_utc();
        match cert {
            VaultCert::Valid { days } => self.issue("vault", &sans, Duration::days(days)),
            VaultCert::WrongSan => self.issue("vault", &sans, Duration::days(365)),
            VaultCert::Expired => self.issue_between(
                "vault",
                &sans,
                now - Duration::days(30),
                now - Duration::days(1),
            ),
        }
    }
}
