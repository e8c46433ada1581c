//! Reading certificates: the fields an operator checks, SAN coverage of a name, and chain
//! verification against a CA bundle.

use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use rustls::pki_types::{CertificateDer, UnixTime, pem::PemObject};
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

#[derive(Debug, Clone, Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub sans: Vec<String>,
    pub not_before: String,
    pub not_after: String,
    /// Seconds since the epoch (for the days left).
    #[serde(skip)]
    pub not_after_unix: i64,
    pub sha256: String,
}

pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

pub fn parse(der: &[u8]) -> Result<CertInfo> {
    let (_, c) = X509Certificate::from_der(der).map_err(|e| anyhow!("parse certificate: {e}"))?;
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = c.subject_alternative_name() {
        for n in &ext.value.general_names {
            match n {
                GeneralName::DNSName(d) => sans.push(d.to_string()),
                GeneralName::IPAddress(b) => match b.len() {
                    4 => sans.push(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(*b)?).to_string()),
                    16 => {
                        sans.push(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(*b)?).to_string())
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    let ts = |t: x509_parser::time::ASN1Time| {
        jiff::Timestamp::from_second(t.timestamp())
            .map(|t| t.to_string())
            .unwrap_or_else(|_| t.to_string())
    };
    Ok(CertInfo {
        subject: c.subject().to_string(),
        issuer: c.issuer().to_string(),
        serial: c.raw_serial_as_string(),
        sans,
        not_before: ts(c.validity().not_before),
        not_after: ts(c.validity().not_after),
        not_after_unix: c.validity().not_after.timestamp(),
        sha256: fingerprint(der),
    })
}

/// Whether `sans` cover `name`: exactly, or by a wildcard standing for its first label.
pub fn covers(sans: &[String], name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    sans.iter().any(|s| {
        let s = s.to_ascii_lowercase();
        match s.strip_prefix("*.") {
            Some(rest) => name
                .split_once('.')
                .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
            None => s == name,
        }
    })
}

/// The first certificate of a PEM text, as DER.
pub fn first_pem(pem: &str) -> Result<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .next()
        .context("no PEM certificate")?
        .context("parse the PEM certificate")
}

/// Every certificate of a PEM text, each as its own PEM text, in order.
pub fn pem_blocks(pem: &str) -> Vec<String> {
    const END: &str = "-----END CERTIFICATE-----";
    pem.split_inclusive(END)
        .filter_map(|b| {
            b.find("-----BEGIN CERTIFICATE-----")
                .map(|i| b[i..].to_string())
        })
        .filter(|b| b.ends_with(END))
        .collect()
}

/// Every certificate of a PEM text, as DER, in order.
pub fn chain_of(pem: &str) -> Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .context("parse the PEM certificates")?;
    if chain.is_empty() {
        anyhow::bail!("no PEM certificate");
    }
    Ok(chain)
}

/// Verifies `chain` (leaf first) against the CAs of `ca_pem`, ignoring the name and expiry
/// (reported on their own). Err says why it does not verify.
pub fn verify_chain(chain: &[CertificateDer<'static>], ca_pem: &str) -> Result<(), String> {
    Trust::new(ca_pem)?.verify(chain)
}

/// A CA bundle read once, for every chain checked against it (one per pod in `status`).
pub struct Trust {
    anchors: Vec<rustls::pki_types::TrustAnchor<'static>>,
    /// The signature algorithms rustls accepts (ring's), looked up once.
    algs: &'static [&'static dyn rustls::pki_types::SignatureVerificationAlgorithm],
    /// The first CA certificate of the bundle, for its own expiry.
    pub first: Result<CertInfo, String>,
}

impl Trust {
    pub fn new(ca_pem: &str) -> Result<Trust, String> {
        let mut anchors = Vec::new();
        let mut first = None;
        for c in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            let c = c.map_err(|e| format!("parse the CA: {e}"))?;
            first.get_or_insert_with(|| parse(&c).map_err(|e| format!("parse the CA: {e:#}")));
            let anchor =
                webpki::anchor_from_trusted_cert(&c).map_err(|e| format!("the CA: {e}"))?;
            anchors.push(anchor.to_owned());
        }
        Ok(Trust {
            anchors,
            algs: rustls::crypto::ring::default_provider()
                .signature_verification_algorithms
                .all,
            first: first.unwrap_or_else(|| Err("parse the CA: no PEM certificate".into())),
        })
    }

    /// Whether `chain` (leaf first) leads to one of the CAs as a server certificate, at a
    /// moment inside the leaf's validity. The name is not checked here (`covers` is, for
    /// each name in use), so no name-mismatch error is built and thrown away.
    pub fn verify(&self, chain: &[CertificateDer<'static>]) -> Result<(), String> {
        self.verify_for(chain, webpki::KeyUsage::server_auth())
    }

    /// The same, as a server asking for client certificates checks one.
    pub fn verify_client(&self, chain: &[CertificateDer<'static>]) -> Result<(), String> {
        self.verify_for(chain, webpki::KeyUsage::client_auth())
    }

    fn verify_for(
        &self,
        chain: &[CertificateDer<'static>],
        usage: webpki::KeyUsage,
    ) -> Result<(), String> {
        if self.anchors.is_empty() {
            return Err("the CA bundle holds no certificate".into());
        }
        let leaf = chain.first().ok_or("no certificate")?;
        let ee = webpki::EndEntityCert::try_from(leaf).map_err(|e| e.to_string())?;
        ee.verify_for_usage(
            self.algs,
            &self.anchors,
            &chain[1..],
            inside_validity(leaf),
            usage,
            None,
            None,
        )
        .map(|_| ())
        .map_err(|e| format!("invalid peer certificate: {e}"))
    }
}

/// Each CA bundle's [`Trust`], made the first time a chain is checked against it.
#[derive(Default)]
pub struct Trusts(std::sync::Mutex<std::collections::HashMap<String, Arc<Result<Trust, String>>>>);

impl Trusts {
    pub fn get(&self, ca_pem: &str) -> Arc<Result<Trust, String>> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(ca_pem.to_string())
            .or_insert_with(|| Arc::new(Trust::new(ca_pem)))
            .clone()
    }
}

/// A moment inside the leaf's validity, so an expired certificate still shows whether its
/// chain is trusted (expiry is reported on its own).
fn inside_validity(leaf: &CertificateDer<'_>) -> UnixTime {
    X509Certificate::from_der(leaf)
        .ok()
        .map(|(_, c)| {
            UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                (c.validity().not_after.timestamp() - 60).max(0) as u64,
            ))
        })
        .unwrap_or_else(UnixTime::now)
}

/// Verifies a client certificate's `chain` (leaf first) against the CAs of `ca_pem`, as a
/// server asking for client certificates would (expiry aside).
pub fn verify_client_chain(chain: &[CertificateDer<'static>], ca_pem: &str) -> Result<(), String> {
    Trust::new(ca_pem)?.verify_client(chain)
}

#[cfg(test)]
mod tests {
    use super::{Trust, covers, pem_blocks};
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

    /// A CA (its PEM and issuer) named `cn`.
    fn ca(cn: &str) -> (String, Issuer<'static, KeyPair>) {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().unwrap();
        let pem = p.self_signed(&key).unwrap().pem();
        (pem, Issuer::new(p, key))
    }

    /// A server certificate for `vault.vault.svc` from `issuer`, valid until `not_after`.
    fn leaf(
        issuer: &Issuer<'_, KeyPair>,
        not_after: (i32, u8, u8),
    ) -> Vec<rustls::pki_types::CertificateDer<'static>> {
        leaf_for(
            issuer,
            not_after,
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    fn leaf_for(
        issuer: &Issuer<'_, KeyPair>,
        not_after: (i32, u8, u8),
        purpose: rcgen::ExtendedKeyUsagePurpose,
    ) -> Vec<rustls::pki_types::CertificateDer<'static>> {
        let mut p = CertificateParams::new(vec!["vault.vault.svc".to_string()]).unwrap();
        p.not_before = rcgen::date_time_ymd(2000, 1, 1);
        p.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
        p.extended_key_usages = vec![purpose];
        let cert = p.signed_by(&KeyPair::generate().unwrap(), issuer).unwrap();
        vec![cert.der().clone()]
    }

    #[test]
    fn a_chain_verifies_against_its_own_ca_only_whatever_its_name_or_expiry() {
        let (ours_pem, ours) = ca("ours");
        let (other_pem, _) = ca("other");
        let trust = Trust::new(&ours_pem).unwrap();
        assert!(trust.first.as_ref().unwrap().subject.contains("ours"));
        // The name is not checked here (the SANs are, name by name), nor the expiry.
        trust.verify(&leaf(&ours, (2999, 1, 1))).unwrap();
        trust.verify(&leaf(&ours, (2001, 1, 1))).unwrap();
        let err = Trust::new(&other_pem)
            .unwrap()
            .verify(&leaf(&ours, (2999, 1, 1)))
            .unwrap_err();
        assert!(err.contains("UnknownIssuer"), "{err}");
        // Both CAs in one bundle: either issuer is trusted.
        let both = Trust::new(&format!("{other_pem}{ours_pem}")).unwrap();
        both.verify(&leaf(&ours, (2999, 1, 1))).unwrap();
        assert!(
            Trust::new("not a certificate")
                .unwrap()
                .verify(&[])
                .is_err()
        );
        assert!(Trust::new("not a certificate").unwrap().first.is_err());
        // A client certificate is checked as one: good for client auth, not as a server's.
        let client = leaf_for(
            &ours,
            (2999, 1, 1),
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        );
        trust.verify_client(&client).unwrap();
        assert!(trust.verify(&client).is_err());
        assert!(
            Trust::new(&other_pem)
                .unwrap()
                .verify_client(&client)
                .is_err()
        );
    }

    #[test]
    fn pem_blocks_keeps_each_certificate_and_drops_the_rest() {
        let a = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----";
        let b = "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----";
        let text = format!("subject=CN=x\n{a}\n\n{b}\ntrailing");
        assert_eq!(pem_blocks(&text), vec![a.to_string(), b.to_string()]);
        assert!(pem_blocks("no certificate").is_empty());
    }

    #[test]
    fn wildcards_stand_for_one_label() {
        let sans = vec!["*.vault-internal".to_string(), "vault".to_string()];
        assert!(covers(&sans, "vault-0.vault-internal"));
        assert!(covers(&sans, "VAULT"));
        assert!(!covers(&sans, "a.b.vault-internal"));
        assert!(!covers(&sans, "vault.vault"));
    }
}
