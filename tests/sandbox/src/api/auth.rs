//! Who a request comes from: the bearer token's user (a user the sandbox minted, or a
//! service account by one of its signed tokens), or whom that user impersonates
//! (`Impersonate-User`, `-Group`, `-Uid`, `-Extra-*`; kubectl's `--as` and `--as-group`),
//! each impersonation authorized by RBAC's `impersonate` verb.

use hyper::HeaderMap;

use super::rbac::{self, Subject};
use super::request::Attributes;
use crate::cluster::{ADMIN, Cluster};
use crate::status::ApiError;

/// The user a request acts as.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: Subject,
    /// The sandbox's own admin, in person (not impersonated, not impersonating).
    pub admin: bool,
}

pub fn authenticate(c: &Cluster, headers: &HeaderMap) -> Result<Identity, ApiError> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let unauthorized = || ApiError::new(401, "Unauthorized", "Unauthorized");
    let requestor = match c.user_by_token(token) {
        Some(user) => Identity {
            admin: user.name == ADMIN,
            subject: Subject {
                name: user.name,
                uid: user.uid,
                groups: user.groups,
            },
        },
        None => {
            let user = c
                .issuer
                .authenticate(&c.store, token, &[])
                .ok()
                .flatten()
                .ok_or_else(unauthorized)?;
            Identity {
                admin: false,
                subject: Subject {
                    name: user.username,
                    uid: user.uid,
                    groups: user.groups,
                },
            }
        }
    };
    impersonate(c, requestor, headers)
}

/// The anonymous user, for the paths the API server serves without credentials.
pub fn anonymous() -> Identity {
    Identity {
        admin: false,
        subject: Subject {
            name: "system:anonymous".into(),
            uid: String::new(),
            groups: vec!["system:unauthenticated".into()],
        },
    }
}

fn values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect()
}

fn impersonation_check(
    c: &Cluster,
    requestor: &Subject,
    group: &str,
    resource: &str,
    namespace: &str,
    name: &str,
) -> Result<(), ApiError> {
    let a = Attributes {
        verb: "impersonate".into(),
        resource_request: true,
        namespace: namespace.into(),
        group: group.into(),
        resource: resource.into(),
        subresource: String::new(),
        name: name.into(),
        path: String::new(),
    };
    let d = rbac::authorize(&c.store, requestor, &a);
    if d.allowed {
        Ok(())
    } else {
        Err(a.forbidden(&requestor.name, &d.reason))
    }
}

fn impersonate(
    c: &Cluster,
    requestor: Identity,
    headers: &HeaderMap,
) -> Result<Identity, ApiError> {
    let user = headers
        .get("impersonate-user")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let groups = values(headers, "impersonate-group");
    let uid = headers
        .get("impersonate-uid")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let extras: Vec<(String, &str)> = headers
        .iter()
        .filter_map(|(k, v)| {
            let key = k.as_str().strip_prefix("impersonate-extra-")?;
            Some((key.to_string(), v.to_str().ok()?))
        })
        .collect();
    if user.is_empty() {
        if groups.is_empty() && uid.is_empty() && extras.is_empty() {
            return Ok(requestor);
        }
        return Err(ApiError::plain(
            500,
            "InternalError",
            "Internal Server Error: requested impersonation of groups, a uid or extras without impersonating a user",
        ));
    }
    let me = &requestor.subject;
    let mut new_groups: Vec<String> = Vec::new();
    match user
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split_once(':'))
    {
        Some((ns, name)) => {
            impersonation_check(c, me, "", "serviceaccounts", ns, name)?;
            if groups.is_empty() {
                new_groups = vec![
                    "system:serviceaccounts".into(),
                    format!("system:serviceaccounts:{ns}"),
                ];
            }
        }
        None => impersonation_check(c, me, "", "users", "", user)?,
    }
    for g in &groups {
        impersonation_check(c, me, "", "groups", "", g)?;
        new_groups.push(g.to_string());
    }
    if !uid.is_empty() {
        impersonation_check(c, me, "authentication.k8s.io", "uids", "", uid)?;
    }
    for (key, value) in &extras {
        let a = Attributes {
            verb: "impersonate".into(),
            resource_request: true,
            group: "authentication.k8s.io".into(),
            resource: "userextras".into(),
            subresource: key.clone(),
            name: value.to_string(),
            ..Default::default()
        };
        let d = rbac::authorize(&c.store, me, &a);
        if !d.allowed {
            return Err(a.forbidden(&me.name, &d.reason));
        }
    }
    let anonymous = user == "system:anonymous";
    let has_auth_group = new_groups
        .iter()
        .any(|g| g == "system:authenticated" || g == "system:unauthenticated");
    if !anonymous && !has_auth_group {
        new_groups.push("system:authenticated".into());
    }
    Ok(Identity {
        subject: Subject {
            name: user.to_string(),
            uid: uid.to_string(),
            groups: new_groups,
        },
        admin: false,
    })
}
