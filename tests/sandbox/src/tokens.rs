//! The service-account token issuer: an ES256 signing key made when the sandbox starts, JWTs
//! with the API server's claims, and their validation as the API server's service-account
//! authenticator does it (signature, issuer, time, audience, and that the account and the
//! object the token is bound to still exist with the UIDs the token names).

use anyhow::{Result, anyhow};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    UnparsedPublicKey,
};
use serde_json::{Value, json};
use sha2::Digest;

use crate::store::Store;

/// Tolerance for clock skew on `nbf` and `exp`, as the API server allows.
const LEEWAY: i64 = 60;

pub struct Issuer {
    key: EcdsaKeyPair,
    rng: SystemRandom,
    kid: String,
    /// The `iss` claim, also where discovery is served.
    pub url: String,
}

/// The object a token is bound to (a Pod or a Secret).
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub kind: String,
    pub name: String,
    pub uid: String,
}

/// What a token says: for whom, for which audiences, and for how long.
#[derive(Debug, Clone)]
pub struct Grant {
    pub namespace: String,
    pub service_account: String,
    pub service_account_uid: String,
    pub audiences: Vec<String>,
    /// Unix seconds.
    pub issued_at: i64,
    pub expires_at: i64,
    pub bound: Option<Bound>,
}

/// The user a valid token authenticates.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenUser {
    pub username: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: Value,
    /// The requested audiences the token is valid for.
    pub audiences: Vec<String>,
}

pub fn unix_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl Issuer {
    pub fn generate(url: String) -> Result<Issuer> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| anyhow!("generate the service-account signing key"))?;
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|_| anyhow!("load the service-account signing key"))?;
        let kid = B64.encode(sha2::Sha256::digest(key.public_key().as_ref()));
        Ok(Issuer { key, rng, kid, url })
    }

    /// The signing key's public half as a JSON Web Key Set (`/openid/v1/jwks`).
    pub fn jwks(&self) -> Value {
        // An uncompressed P-256 point: 0x04 || X || Y.
        let point = self.key.public_key().as_ref();
        json!({"keys": [{
            "use": "sig", "kty": "EC", "kid": self.kid, "crv": "P-256", "alg": "ES256",
            "x": B64.encode(&point[1..33]), "y": B64.encode(&point[33..65]),
        }]})
    }

    /// `/.well-known/openid-configuration`.
    pub fn openid_configuration(&self) -> Value {
        json!({
            "issuer": self.url,
            "jwks_uri": format!("{}/openid/v1/jwks", self.url),
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
        })
    }

    /// Signs a token for `g`.
    pub fn mint(&self, g: &Grant) -> Result<String> {
        let mut k8s = json!({
            "namespace": g.namespace,
            "serviceaccount": {"name": g.service_account, "uid": g.service_account_uid},
        });
        if let Some(b) = &g.bound {
            k8s[b.kind.to_lowercase()] = json!({"name": b.name, "uid": b.uid});
        }
        let jti = crate::store::new_uid();
        let claims = json!({
            "aud": g.audiences, "exp": g.expires_at, "iat": g.issued_at, "nbf": g.issued_at,
            "iss": self.url, "jti": jti, "kubernetes.io": k8s,
            "sub": format!("system:serviceaccount:{}:{}", g.namespace, g.service_account),
        });
        let header = json!({"alg": "ES256", "kid": self.kid});
        let signing_input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let sig = self
            .key
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| anyhow!("sign a service-account token"))?;
        Ok(format!("{signing_input}.{}", B64.encode(sig.as_ref())))
    }

    /// The claims of a token this issuer signed; None when the token is not one of its JWTs
    /// (another authenticator's, or not a JWT at all). Err when it is, but the signature
    /// does not verify.
    fn claims(&self, token: &str) -> Option<Result<Value, String>> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let claims: Value = serde_json::from_slice(&B64.decode(p).ok()?).ok()?;
        if claims["iss"].as_str() != Some(self.url.as_str()) {
            return None;
        }
        let header: Value = serde_json::from_slice(&B64.decode(h).ok()?).ok()?;
        let verified = header["alg"] == "ES256"
            && B64.decode(s).is_ok_and(|sig| {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, self.key.public_key().as_ref())
                    .verify(format!("{h}.{p}").as_bytes(), &sig)
                    .is_ok()
            });
        Some(if verified {
            Ok(claims)
        } else {
            Err("go-jose/go-jose: error in cryptographic primitive".into())
        })
    }

    /// Authenticates `token` for `audiences` (empty: the API server's own, the issuer), as
    /// the API server's service-account authenticator does. Err carries the API server's
    /// wording of why not; Ok(None) means the token is not a service-account token at all.
    pub fn authenticate(
        &self,
        store: &Store,
        token: &str,
        audiences: &[String],
    ) -> Result<Option<TokenUser>, String> {
        let Some(claims) = self.claims(token) else {
            return Ok(None);
        };
        let claims = claims?;
        let now = unix_now();
        let num = |k: &str| claims[k].as_i64();
        if num("exp").is_some_and(|exp| now > exp + LEEWAY) {
            return Err("service account token has expired".into());
        }
        if num("nbf").is_some_and(|nbf| now < nbf - LEEWAY) {
            return Err("service account token is not valid yet".into());
        }
        if num("iat").is_some_and(|iat| now < iat - LEEWAY) {
            return Err("service account token is issued in the future".into());
        }
        let token_auds: Vec<String> = match &claims["aud"] {
            Value::String(a) => vec![a.clone()],
            v => v
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect(),
        };
        let requested: Vec<String> = if audiences.is_empty() {
            vec![self.url.clone()]
        } else {
            audiences.to_vec()
        };
        let valid: Vec<String> = requested
            .iter()
            .filter(|a| token_auds.contains(a))
            .cloned()
            .collect();
        if valid.is_empty() {
            return Err(format!(
                "token audiences {} is invalid for the target audiences {}",
                go_quoted(&token_auds),
                go_quoted(&requested)
            ));
        }
        let k8s = &claims["kubernetes.io"];
        let s = |v: &Value| v.as_str().unwrap_or("").to_string();
        let ns = s(&k8s["namespace"]);
        let sa = s(&k8s["serviceaccount"]["name"]);
        let sa_uid = s(&k8s["serviceaccount"]["uid"]);
        if ns.is_empty() || sa.is_empty() {
            return Err("service account token claims could not be read".into());
        }
        let invalidated = || "service account token has been invalidated".to_string();
        let account = store
            .get_shared("serviceaccounts", &ns, &sa)
            .filter(|a| a["metadata"]["deletionTimestamp"].is_null())
            .ok_or_else(invalidated)?;
        let uid_of = |o: &Value| s(&o["metadata"]["uid"]);
        if uid_of(&account) != sa_uid {
            return Err(format!(
                "service account UID ({}) does not match claim ({sa_uid})",
                uid_of(&account)
            ));
        }
        let mut extra = json!({});
        for (kind, plural) in [("pod", "pods"), ("secret", "secrets")] {
            let bound = &k8s[kind];
            if !bound.is_object() {
                continue;
            }
            let (name, uid) = (s(&bound["name"]), s(&bound["uid"]));
            let obj = store
                .get_shared(plural, &ns, &name)
                .filter(|o| o["metadata"]["deletionTimestamp"].is_null())
                .ok_or_else(invalidated)?;
            if uid_of(&obj) != uid {
                return Err(format!(
                    "{} UID ({}) does not match claim ({uid})",
                    if kind == "pod" { "Pod" } else { "Secret" },
                    uid_of(&obj)
                ));
            }
            if kind == "pod" {
                extra["authentication.kubernetes.io/pod-name"] = json!([name]);
                extra["authentication.kubernetes.io/pod-uid"] = json!([uid]);
            }
        }
        if let Some(jti) = claims["jti"].as_str() {
            extra["authentication.kubernetes.io/credential-id"] = json!([format!("JTI={jti}")]);
        }
        Ok(Some(TokenUser {
            username: format!("system:serviceaccount:{ns}:{sa}"),
            uid: sa_uid,
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{ns}"),
                "system:authenticated".into(),
            ],
            extra,
            audiences: valid,
        }))
    }
}

/// A list as Go's `%q` prints a `[]string`: `["a" "b"]`.
fn go_quoted(list: &[String]) -> String {
    let items: Vec<String> = list.iter().map(|a| format!("{a:?}")).collect();
    format!("[{}]", items.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(store: &Store, exp_in: i64, aud: &str) -> Grant {
        let sa = store
            .create(
                "serviceaccounts",
                "ns",
                json!({"kind": "ServiceAccount", "metadata": {"name": "app", "namespace": "ns"}}),
            )
            .or_else(|_| store.get("serviceaccounts", "ns", "app").ok_or(()))
            .expect("account");
        let now = unix_now();
        Grant {
            namespace: "ns".into(),
            service_account: "app".into(),
            service_account_uid: sa["metadata"]["uid"].as_str().unwrap_or("").into(),
            audiences: vec![aud.into()],
            issued_at: now.min(now + exp_in - 600),
            expires_at: now + exp_in,
            bound: None,
        }
    }

    #[test]
    fn tokens_verify_and_fail_as_the_api_server_says() {
        let store = Store::new();
        let iss = Issuer::generate("https://127.0.0.1:6443".into()).expect("issuer");
        let t = iss.mint(&grant(&store, 600, "vault")).expect("mint");
        let auds = ["vault".to_string()];
        let user = iss
            .authenticate(&store, &t, &auds)
            .expect("valid")
            .expect("ours");
        assert_eq!(user.username, "system:serviceaccount:ns:app");
        assert_eq!(user.audiences, auds);
        let err = iss
            .authenticate(&store, &t, &[])
            .expect_err("wrong audience");
        assert_eq!(
            err,
            "token audiences [\"vault\"] is invalid for the target audiences [\"https://127.0.0.1:6443\"]"
        );
        let old = iss.mint(&grant(&store, -120, "vault")).expect("mint");
        assert_eq!(
            iss.authenticate(&store, &old, &auds).expect_err("expired"),
            "service account token has expired"
        );
        let other = Issuer::generate(iss.url.clone()).expect("issuer");
        assert!(
            other.authenticate(&store, &t, &auds).is_err(),
            "foreign key"
        );
        assert_eq!(iss.authenticate(&store, "sandbox.abc", &auds), Ok(None));
        store
            .delete("serviceaccounts", "ns", "app")
            .expect("delete");
        assert_eq!(
            iss.authenticate(&store, &t, &auds).expect_err("deleted"),
            "service account token has been invalidated"
        );
    }
}
