//! A CA key pair held in a Kubernetes Secret, for `renew --ca-secret`: read and checked (a CA,
//! its key matching its certificate) before anything changes, then used to sign the new server
//! certificate. The key is cleared from memory when the CA is dropped and never printed.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow, bail};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, X509Certificate};
use zeroize::{Zeroize, Zeroizing};

use crate::x509;

/// The key pairs a CA Secret may hold: cert-manager's CA issuer layout first, then the
/// `ca.crt`/`ca.key` layout of hand-made CA Secrets.
const LAYOUTS: [(&str, &str); 2] = [("tls.crt", "tls.key"), ("ca.crt", "ca.key")];

/// A CA that signs in this process.
pub struct LocalCa {
    pub cert_pem: String,
    pub info: x509::CertInfo,
    der: CertificateDer<'static>,
    key: KeyPair,
}

/// The server certificate the CA signed, and its new key.
pub struct Signed {
    pub cert_pem: String,
    pub key_pem: Zeroizing<String>,
}

impl Drop for LocalCa {
    fn drop(&mut self) {
        // rcgen keeps the key's PKCS#8 bytes (ring's own key schedule is out of reach).
        self.key.zeroize();
    }
}

/// Reads the CA key pair of Secret `name` (`secret` as read from the API, its data cleared
/// here) and checks it is one: a certificate that may sign others (basicConstraints CA,
/// keyCertSign), not expired, and a PKCS#8 key that belongs to it. The errors name the Secret,
/// never the key.
pub fn load(name: &str, mut secret: Secret) -> Result<LocalCa> {
    let mut data = secret.data.take().unwrap_or_default();
    let ca = from_data(name, &data);
    for v in data.values_mut() {
        v.0.zeroize();
    }
    ca
}

fn from_data(name: &str, data: &BTreeMap<String, ByteString>) -> Result<LocalCa> {
    let get = |k: &str| data.get(k).map(|b| b.0.as_slice());
    let Some((crt_key, key_key)) = LAYOUTS
        .iter()
        .find(|(c, k)| get(c).is_some() && get(k).is_some())
    else {
        bail!(
            "Secret {name} holds no CA key pair: it needs tls.crt and tls.key, or ca.crt and ca.key"
        );
    };
    let cert_pem = String::from_utf8(get(crt_key).unwrap_or_default().to_vec())
        .map_err(|_| anyhow!("Secret {name}: {crt_key} is not PEM text"))?;
    let der = x509::first_pem(&cert_pem)
        .map_err(|e| anyhow!("Secret {name}: {crt_key} holds no certificate ({e:#})"))?;
    let info = x509::parse(&der).map_err(|e| anyhow!("Secret {name}: {crt_key}: {e:#}"))?;
    let (_, cert) = X509Certificate::from_der(&der)
        .map_err(|e| anyhow!("Secret {name}: {crt_key}: parse certificate: {e}"))?;
    if !cert
        .basic_constraints()
        .ok()
        .flatten()
        .is_some_and(|b| b.value.ca)
    {
        bail!(
            "Secret {name}: the certificate in {crt_key} ({}) is not a CA (no basicConstraints CA:TRUE); it cannot sign certificates",
            info.subject
        );
    }
    if let Ok(Some(ku)) = cert.key_usage()
        && !ku.value.key_cert_sign()
    {
        bail!(
            "Secret {name}: the CA certificate in {crt_key} ({}) may not sign certificates (its key usage lacks keyCertSign)",
            info.subject
        );
    }
    if info.not_after_unix <= jiff::Timestamp::now().as_second() {
        bail!(
            "Secret {name}: the CA certificate in {crt_key} expired at {}",
            info.not_after
        );
    }
    let key_pem = Zeroizing::new(
        String::from_utf8(get(key_key).unwrap_or_default().to_vec())
            .map_err(|_| anyhow!("Secret {name}: {key_key} is not PEM text"))?,
    );
    let mut key = KeyPair::from_pem(&key_pem).map_err(|_| {
        anyhow!(
            "Secret {name}: {key_key} is not a private key this tool can use (an unencrypted PKCS#8 `PRIVATE KEY` PEM, ECDSA P-256/P-384, Ed25519 or RSA; convert others with `openssl pkcs8 -topk8 -nocrypt`)"
        )
    })?;
    if key.public_key_raw() != cert.public_key().subject_public_key.data.as_ref() {
        key.zeroize();
        bail!(
            "Secret {name}: {key_key} is not the key of the certificate in {crt_key} ({}): their public keys differ",
            info.subject
        );
    }
    let der = CertificateDer::from(der.to_vec());
    if let Err(e) = Issuer::from_ca_cert_der(&der, &key) {
        key.zeroize();
        bail!("Secret {name}: read the CA certificate's name: {e}");
    }
    Ok(LocalCa {
        cert_pem,
        info,
        der,
        key,
    })
}

impl LocalCa {
    /// A server certificate for `dns` and `ips`, valid from a minute ago (clock skew between
    /// nodes) for `ttl`, with a new ECDSA P-256 key.
    pub fn sign(
        &self,
        common_name: &str,
        dns: &[String],
        ips: &[String],
        ttl: std::time::Duration,
    ) -> Result<Signed> {
        let mut key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        let mut sans = Vec::new();
        for d in dns {
            sans.push(SanType::DnsName(d.clone().try_into().map_err(|e| {
                anyhow!("{d:?} cannot be a DNS name in a certificate: {e}")
            })?));
        }
        for i in ips {
            sans.push(SanType::IpAddress(i.parse()?));
        }
        params.subject_alt_names = sans;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        params.use_authority_key_identifier_extension = true;
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::minutes(1);
        params.not_after = now + ttl;
        let issuer = Issuer::from_ca_cert_der(&self.der, &self.key)?;
        let cert = params.signed_by(&key, &issuer)?;
        let key_pem = Zeroizing::new(key.serialize_pem());
        key.zeroize();
        Ok(Signed {
            cert_pem: cert.pem(),
            key_pem,
        })
    }
}
