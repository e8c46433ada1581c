//! What the auth method depends on, read from the cluster side: service accounts and
//! namespaces, the API's CA, the service-account issuer, TokenReview, SubjectAccessReview and
//! TokenRequest. Tokens pass through here only as zeroizing strings.

use anyhow::{Context, Result};
use k8s_openapi::api::authentication::v1::{
    TokenRequest, TokenRequestSpec, TokenReview, TokenReviewSpec,
};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ServiceAccount};
use kube::Api;
use kube::api::PostParams;
use serde::Deserialize;
use zeroize::Zeroizing;

use vault_shared::cluster::Kube;

/// Where a pod finds its service-account token, `ca.crt` and namespace.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

pub async fn service_account_exists(kube: &Kube, ns: &str, name: &str) -> Result<bool> {
    let api: Api<ServiceAccount> = Api::namespaced(kube.client.clone(), ns);
    Ok(api
        .get_opt(name)
        .await
        .with_context(|| format!("read service account {ns}/{name}"))?
        .is_some())
}

pub async fn namespace_exists(kube: &Kube, ns: &str) -> Result<bool> {
    let api: Api<Namespace> = Api::all(kube.client.clone());
    Ok(api
        .get_opt(ns)
        .await
        .with_context(|| format!("read namespace {ns}"))?
        .is_some())
}

/// The API server's CA as the cluster publishes it to pods (`kube-root-ca.crt`).
pub async fn root_ca(kube: &Kube) -> Result<Option<String>> {
    let api: Api<ConfigMap> = Api::namespaced(kube.client.clone(), &kube.namespace);
    let cm = api
        .get_opt("kube-root-ca.crt")
        .await
        .context("read ConfigMap kube-root-ca.crt")?;
    Ok(cm
        .and_then(|c| c.data)
        .and_then(|d| d.get("ca.crt").cloned()))
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
}

/// The service-account issuer, from `/.well-known/openid-configuration`.
pub async fn issuer(kube: &Kube) -> Result<String> {
    let req = http::Request::get("/.well-known/openid-configuration")
        .body(Vec::new())
        .expect("a GET request");
    let d: Discovery = kube
        .client
        .request(req)
        .await
        .context("read /.well-known/openid-configuration")?;
    Ok(d.issuer)
}

/// How the API judges a token: who it is, or why it is rejected.
#[derive(Debug, Clone)]
pub enum Review {
    Authenticated,
    Rejected { why: String },
}

pub async fn review(kube: &Kube, token: &str, audiences: &[String]) -> Result<Review> {
    let api: Api<TokenReview> = Api::all(kube.client.clone());
    let tr = TokenReview {
        spec: TokenReviewSpec {
            token: Some(token.to_string()),
            audiences: (!audiences.is_empty()).then(|| audiences.to_vec()),
        },
        ..Default::default()
    };
    let answer = api
        .create(&PostParams::default(), &tr)
        .await
        .context("create a TokenReview")?;
    let status = answer.status.unwrap_or_default();
    Ok(if status.authenticated == Some(true) {
        Review::Authenticated
    } else {
        Review::Rejected {
            why: status
                .error
                .unwrap_or_else(|| "not authenticated".to_string()),
        }
    })
}

/// Whether service account `ns/name` may create tokenreviews (what the reviewer needs).
pub async fn may_review_tokens(kube: &Kube, ns: &str, name: &str) -> Result<bool> {
    let api: Api<SubjectAccessReview> = Api::all(kube.client.clone());
    let sar = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(format!("system:serviceaccount:{ns}:{name}")),
            groups: Some(vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{ns}"),
                "system:authenticated".into(),
            ]),
            resource_attributes: Some(ResourceAttributes {
                group: Some("authentication.k8s.io".into()),
                resource: Some("tokenreviews".into()),
                verb: Some("create".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let answer = api
        .create(&PostParams::default(), &sar)
        .await
        .context("create a SubjectAccessReview")?;
    Ok(answer.status.is_some_and(|s| s.allowed))
}

/// A short-lived token for `ns/name` (TokenRequest), held only in memory.
pub async fn mint(
    kube: &Kube,
    ns: &str,
    name: &str,
    audience: Option<&str>,
    seconds: i64,
) -> Result<Zeroizing<String>> {
    let api: Api<ServiceAccount> = Api::namespaced(kube.client.clone(), ns);
    let req = TokenRequest {
        spec: TokenRequestSpec {
            audiences: audience.map(|a| vec![a.to_string()]).unwrap_or_default(),
            expiration_seconds: Some(seconds),
            ..Default::default()
        },
        ..Default::default()
    };
    let answer = api
        .create_token_request(name, &PostParams::default(), &req)
        .await
        .with_context(|| format!("mint a token for service account {ns}/{name}"))?;
    Ok(Zeroizing::new(
        answer.status.map(|s| s.token).unwrap_or_default(),
    ))
}

/// The claims of a service-account JWT that explain a login (read without verifying: the
/// TokenReview is what verifies).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Claims {
    #[serde(default)]
    pub sub: String,
    #[serde(default)]
    pub aud: Audiences,
    #[serde(default)]
    pub exp: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum Audiences {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl Audiences {
    pub fn list(&self) -> Vec<String> {
        match self {
            Audiences::None => Vec::new(),
            Audiences::One(a) => vec![a.clone()],
            Audiences::Many(v) => v.clone(),
        }
    }
}

pub fn claims(jwt: &str) -> Result<Claims> {
    use base64::Engine;
    let payload = jwt
        .split('.')
        .nth(1)
        .context("not a JWT (no payload part)")?;
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .context("not a JWT (payload is not base64url)")?,
    );
    serde_json::from_slice(&bytes).context("not a JWT (payload is not JSON)")
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    #[test]
    fn claims_are_read_from_the_payload() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"sub":"system:serviceaccount:default:a","aud":"vault","exp":5}"#);
        let c = super::claims(&format!("h.{payload}.s")).unwrap();
        assert_eq!(c.sub, "system:serviceaccount:default:a");
        assert_eq!(c.aud.list(), vec!["vault".to_string()]);
        assert_eq!(c.exp, 5);
        assert!(super::claims("nonsense").is_err());
    }
}
