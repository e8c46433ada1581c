//! Service-account tokens over the API: `TokenRequest` (POST to `serviceaccounts/NAME/token`,
//! what `kubectl create token` sends) and `TokenReview` (what OpenBao's kubernetes auth
//! method asks), both `authentication.k8s.io/v1`.

use hyper::Response;
use serde_json::{Value, json};

use super::{Body, Call, json_response};
use crate::cluster::Cluster;
use crate::status::{ApiError, FieldError};
use crate::tokens::{Bound, Grant, unix_now};

/// The shortest lifetime the API server grants (it refuses shorter requests).
pub const MIN_EXPIRATION: i64 = 600;
/// What a request without `expirationSeconds` gets.
pub const DEFAULT_EXPIRATION: i64 = 3600;

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

/// What a token for `ns/sa` would say, valid for `lifetime` seconds from now (negative: it
/// expired that long ago). 404 when the account does not exist.
pub fn grant(
    c: &Cluster,
    ns: &str,
    sa: &str,
    audiences: Vec<String>,
    lifetime: i64,
    bound: Option<Bound>,
) -> Result<Grant, ApiError> {
    let account = c
        .store
        .get_shared("serviceaccounts", ns, sa)
        .ok_or_else(|| ApiError::not_found("serviceaccounts", sa))?;
    let now = unix_now();
    let expires_at = now + lifetime;
    Ok(Grant {
        namespace: ns.into(),
        service_account: sa.into(),
        service_account_uid: account["metadata"]["uid"].as_str().unwrap_or("").into(),
        audiences: if audiences.is_empty() {
            vec![c.issuer.url.clone()]
        } else {
            audiences
        },
        // An already-expired token was issued before it expired.
        issued_at: now.min(expires_at - MIN_EXPIRATION),
        expires_at,
        bound,
    })
}

fn invalid(field: &str, value: Value, detail: &str) -> ApiError {
    ApiError::invalid(
        "TokenRequest",
        "authentication.k8s.io",
        "",
        &[FieldError::invalid(field, value, detail)],
    )
}

/// The object a TokenRequest binds its token to; it must exist, with the UID it names.
fn bound_object(c: &Cluster, ns: &str, r: &Value) -> Result<Option<Bound>, ApiError> {
    if !r.is_object() {
        return Ok(None);
    }
    let kind = r["kind"].as_str().unwrap_or("");
    let plural = match kind {
        "Pod" => "pods",
        "Secret" => "secrets",
        _ => {
            return Err(invalid(
                "spec.boundObjectRef.kind",
                json!(kind),
                "supported values: \"Pod\", \"Secret\"",
            ));
        }
    };
    let name = r["name"].as_str().unwrap_or("");
    let obj = c
        .store
        .get_shared(plural, ns, name)
        .ok_or_else(|| ApiError::not_found(plural, name))?;
    let uid = obj["metadata"]["uid"].as_str().unwrap_or("");
    if let Some(want) = r["uid"].as_str().filter(|u| !u.is_empty())
        && want != uid
    {
        return Err(ApiError::conflict_because(
            plural,
            name,
            &format!(
                "the UID in the bound object reference ({want}) does not match the UID in record. The object might have been deleted and then recreated"
            ),
        ));
    }
    Ok(Some(Bound {
        kind: kind.into(),
        name: name.into(),
        uid: uid.into(),
    }))
}

/// `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`.
pub fn request(call: &Call, body: Value) -> Result<Response<Body>, ApiError> {
    let c = &call.c;
    let ns = call.route.ns();
    let sa = call.route.target.name();
    let spec = &body["spec"];
    let lifetime = match &spec["expirationSeconds"] {
        Value::Null => DEFAULT_EXPIRATION,
        v => v.as_i64().unwrap_or(0),
    };
    if lifetime < MIN_EXPIRATION {
        return Err(invalid(
            "spec.expirationSeconds",
            json!(lifetime),
            "may not specify a duration less than 10 minutes",
        ));
    }
    if lifetime > 1 << 32 {
        return Err(invalid(
            "spec.expirationSeconds",
            json!(lifetime),
            "may not specify a duration larger than 2^32 seconds",
        ));
    }
    let bound = bound_object(c, ns, &spec["boundObjectRef"])?;
    let g = grant(c, ns, sa, strings(&spec["audiences"]), lifetime, bound)?;
    let token = c
        .issuer
        .mint(&g)
        .map_err(|e| ApiError::new(500, "InternalError", e.to_string()))?;
    let expires = jiff::Timestamp::from_second(g.expires_at)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let mut spec = spec.clone();
    spec["audiences"] = json!(g.audiences);
    spec["expirationSeconds"] = json!(lifetime);
    if spec["boundObjectRef"].is_null()
        && let Some(m) = spec.as_object_mut()
    {
        m.remove("boundObjectRef");
    }
    Ok(json_response(
        201,
        &json!({
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {"name": sa, "namespace": ns, "creationTimestamp": crate::time::now()},
            "spec": spec,
            "status": {"token": token, "expirationTimestamp": expires},
        }),
    ))
}

/// `POST /apis/authentication.k8s.io/v1/tokenreviews`: who the token in the spec is, for
/// the audiences the spec asks about.
pub fn review(call: &Call, body: Value) -> Result<Response<Body>, ApiError> {
    let c = &call.c;
    let token = body["spec"]["token"].as_str().unwrap_or("").to_string();
    let token = token.as_str();
    if token.is_empty() {
        return Err(ApiError::bad_request(
            "token is required for TokenReview in authentication",
        ));
    }
    let audiences = strings(&body["spec"]["audiences"]);
    let status = match c.issuer.authenticate(&c.store, token, &audiences) {
        Ok(Some(u)) => json!({
            "authenticated": true,
            "user": {"username": u.username, "uid": u.uid, "groups": u.groups, "extra": u.extra},
            "audiences": u.audiences,
        }),
        Ok(None) => match c.user_by_token(token) {
            Some(u) => json!({
                "authenticated": true,
                "user": {"username": u.name, "uid": u.uid, "groups": u.groups},
                "audiences": if audiences.is_empty() { vec![c.issuer.url.clone()] } else { audiences },
            }),
            None => json!({"user": {}}),
        },
        Err(why) => json!({"user": {}, "error": format!("[invalid bearer token, {why}]")}),
    };
    Ok(super::reviews::answer(call, body, status))
}
