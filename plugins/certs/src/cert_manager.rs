//! cert-manager's `Certificate` (cert-manager.io/v1) when it owns the TLS Secret: who owns it
//! (the Secret's `cert-manager.io/certificate-name` annotation), its state, and reissuance
//! triggered as `cmctl renew` does it — the `Issuing` condition set through the status
//! subresource, which cert-manager's trigger controller acts on.

use anyhow::{Result, anyhow, bail};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, PostParams};
use serde::Serialize;
use serde_json::{Value, json};
use vault_shared::session::Session;

use crate::x509;

/// The annotation cert-manager puts on the Secrets it writes.
pub const CERTIFICATE_NAME: &str = "cert-manager.io/certificate-name";
pub const GROUP: &str = "cert-manager.io";
pub const PLURAL: &str = "certificates";
/// The condition reason `cmctl renew` writes.
const MANUALLY_TRIGGERED: &str = "ManuallyTriggered";

/// A Certificate as `status` and `renew` show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Owner {
    /// The Secret it owns.
    pub secret: String,
    /// The Certificate's name.
    pub certificate: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The Ready condition's status ("True", "False", "Unknown") and message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// An issuance in progress (the Issuing condition is True).
    pub issuing: bool,
    /// The message of an Issuing condition cert-manager set False with reason Failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal_time: Option<String>,
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<String>,
    /// Why the Certificate could not be read (the Secret names it, but it is not there or not
    /// readable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The Certificate named on `secret`, if cert-manager owns it.
pub fn owner_name(secret: &Secret) -> Option<String> {
    secret
        .metadata
        .annotations
        .as_ref()?
        .get(CERTIFICATE_NAME)
        .filter(|n| !n.is_empty())
        .cloned()
}

fn api(session: &Session) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk(GROUP, "v1", "Certificate");
    let ar = ApiResource::from_gvk_with_plural(&gvk, PLURAL);
    Api::namespaced_with(session.kube.client.clone(), &session.kube.namespace, &ar)
}

fn condition<'a>(obj: &'a DynamicObject, kind: &str) -> Option<&'a Value> {
    obj.data["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Reads Certificate `name` (owner of Secret `secret`); an error when it cannot be read.
pub async fn read(session: &Session, secret: &str, name: &str) -> Result<(Owner, DynamicObject)> {
    let obj = session
        .kube
        .call(
            &format!(
                "get cert-manager Certificate {name} in namespace {} (named by Secret {secret})",
                session.kube.namespace
            ),
            api(session).get(name),
        )
        .await?;
    let spec = &obj.data["spec"];
    let ready = condition(&obj, "Ready");
    let issuer = spec["issuerRef"]["name"].as_str().map(|n| {
        format!(
            "{}/{n}",
            spec["issuerRef"]["kind"].as_str().unwrap_or("Issuer")
        )
    });
    let owner = Owner {
        secret: secret.to_string(),
        certificate: name.to_string(),
        issuer,
        ready: ready.and_then(|c| text(&c["status"])),
        message: ready.and_then(|c| text(&c["message"])),
        issuing: condition(&obj, "Issuing").is_some_and(|c| c["status"] == "True"),
        issuing_failure: condition(&obj, "Issuing")
            .filter(|c| c["status"] == "False" && c["reason"] == "Failed")
            .map(|c| text(&c["message"]).unwrap_or_else(|| "no message".into())),
        not_after: text(&obj.data["status"]["notAfter"]),
        renewal_time: text(&obj.data["status"]["renewalTime"]),
        dns_names: strings(&spec["dnsNames"]),
        ip_addresses: strings(&spec["ipAddresses"]),
        error: None,
    };
    if spec["secretName"].as_str() != Some(secret) {
        bail!(
            "Secret {secret} names cert-manager Certificate {name}, but that Certificate writes Secret {}",
            spec["secretName"].as_str().unwrap_or("(none)")
        );
    }
    Ok((owner, obj))
}

/// The owner of `secret` for `status`: None when cert-manager does not own it; an [`Owner`]
/// with `error` set when the Certificate it names cannot be read.
pub async fn status_of(session: &Session, secret: &Secret) -> Option<Owner> {
    let secret_name = secret.metadata.name.clone().unwrap_or_default();
    let name = owner_name(secret)?;
    Some(match read(session, &secret_name, &name).await {
        Ok((owner, _)) => owner,
        Err(e) => Owner {
            secret: secret_name,
            certificate: name,
            issuer: None,
            ready: None,
            message: None,
            issuing: false,
            issuing_failure: None,
            not_after: None,
            renewal_time: None,
            dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            error: Some(format!("{e:#}")),
        },
    })
}

impl Owner {
    /// The names in use the Certificate's spec does not request.
    pub fn missing<'a>(&self, names: &'a [String]) -> Vec<&'a str> {
        let requested: Vec<String> = self
            .dns_names
            .iter()
            .chain(&self.ip_addresses)
            .cloned()
            .collect();
        names
            .iter()
            .filter(|n| !x509::covers(&requested, n))
            .map(String::as_str)
            .collect()
    }

    /// One line for the table output.
    pub fn line(&self) -> String {
        match &self.error {
            Some(e) => format!(
                "Secret {} is owned by cert-manager Certificate {}, which could not be read: {e}",
                self.secret, self.certificate
            ),
            None => format!(
                "Secret {} is owned by cert-manager Certificate {} (issuer {}; Ready {}{}{}{})",
                self.secret,
                self.certificate,
                self.issuer.as_deref().unwrap_or("?"),
                self.ready.as_deref().unwrap_or("unknown"),
                self.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default(),
                if self.issuing { "; issuing now" } else { "" },
                self.renewal_time
                    .as_deref()
                    .map(|t| format!("; renews at {t}"))
                    .unwrap_or_default(),
            ),
        }
    }
}

/// Sets the Issuing condition (status True, reason ManuallyTriggered) on `obj` and writes it
/// through the status subresource on the version read: cert-manager then reissues the
/// certificate. A condition already True keeps its transition time, as cert-manager's own
/// helper does.
pub async fn trigger(session: &Session, mut obj: DynamicObject) -> Result<()> {
    let name = obj.metadata.name.clone().unwrap_or_default();
    let generation = obj.metadata.generation;
    let now = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map_err(|e| anyhow!("{e}"))?
        .to_string();
    let status = obj
        .data
        .as_object_mut()
        .ok_or_else(|| anyhow!("Certificate {name} is not an object"))?
        .entry("status")
        .or_insert_with(|| json!({}));
    if !status.is_object() {
        *status = json!({});
    }
    let conditions = status
        .as_object_mut()
        .expect("an object")
        .entry("conditions")
        .or_insert_with(|| json!([]));
    if !conditions.is_array() {
        *conditions = json!([]);
    }
    let list = conditions.as_array_mut().expect("an array");
    let mut issuing = json!({
        "type": "Issuing",
        "status": "True",
        "reason": MANUALLY_TRIGGERED,
        "message": "Certificate re-issuance manually triggered",
        "lastTransitionTime": now,
    });
    if let Some(g) = generation {
        issuing["observedGeneration"] = json!(g);
    }
    match list.iter_mut().find(|c| c["type"] == "Issuing") {
        Some(c) => {
            if c["status"] == "True" {
                issuing["lastTransitionTime"] = c["lastTransitionTime"].clone();
            }
            *c = issuing;
        }
        None => list.push(issuing),
    }
    session
        .kube
        .call(
            &format!("set the Issuing condition of Certificate {name}"),
            api(session).replace_status(&name, &PostParams::default(), &obj),
        )
        .await?;
    Ok(())
}
