//! Reviews answered, never stored: `authorization.k8s.io/v1` SelfSubjectAccessReview,
//! SelfSubjectRulesReview, SubjectAccessReview and LocalSubjectAccessReview (what
//! `kubectl auth can-i` asks), and `authentication.k8s.io/v1` SelfSubjectReview
//! (`kubectl auth whoami`) and TokenReview (tokens.rs).

use hyper::Response;
use serde_json::{Value, json};

use super::rbac::{self, Subject};
use super::request::Attributes;
use super::{Body, Call, json_response};
use crate::status::{ApiError, FieldError};

fn invalid(call: &Call, errs: &[FieldError]) -> ApiError {
    let r = call.route.resource;
    ApiError::invalid(r.kind, r.group, "", errs)
}

/// The attributes a review's spec asks about.
fn attributes(call: &Call, spec: &Value) -> Result<Attributes, ApiError> {
    let res = &spec["resourceAttributes"];
    let non = &spec["nonResourceAttributes"];
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    match (res.is_object(), non.is_object()) {
        (true, false) => Ok(Attributes {
            verb: s(&res["verb"]),
            resource_request: true,
            namespace: s(&res["namespace"]),
            group: s(&res["group"]),
            resource: s(&res["resource"]),
            subresource: s(&res["subresource"]),
            name: s(&res["name"]),
            path: String::new(),
        }),
        (false, true) => Ok(Attributes {
            verb: s(&non["verb"]),
            path: s(&non["path"]),
            ..Default::default()
        }),
        (true, true) => Err(invalid(
            call,
            &[FieldError::invalid(
                "spec.nonResourceAttributes",
                non.clone(),
                "cannot be specified in combination with resourceAttributes",
            )],
        )),
        (false, false) => Err(invalid(
            call,
            &[FieldError::required(
                "spec.resourceAttributes",
                "exactly one of nonResourceAttributes or resourceAttributes must be specified",
            )],
        )),
    }
}

pub(super) fn answer(call: &Call, mut body: Value, status: Value) -> Response<Body> {
    let r = call.route.resource;
    body["kind"] = json!(r.kind);
    body["apiVersion"] = json!(r.api_version());
    if !body["metadata"].is_object() {
        body["metadata"] = json!({});
    }
    body["metadata"]["creationTimestamp"] = Value::Null;
    body["status"] = status;
    json_response(201, &body)
}

fn access(call: &Call, who: &Subject, a: &Attributes) -> Value {
    let d = rbac::authorize(&call.c.store, who, a);
    let mut status = json!({"allowed": d.allowed});
    if !d.reason.is_empty() {
        status["reason"] = json!(d.reason);
    }
    status
}

pub fn review(call: &Call, body: Value) -> Result<Response<Body>, ApiError> {
    let spec = body["spec"].clone();
    let me = &call.who.subject;
    match call.route.resource.plural {
        "selfsubjectaccessreviews" => {
            let a = attributes(call, &spec)?;
            let status = access(call, me, &a);
            Ok(answer(call, body, status))
        }
        "subjectaccessreviews" | "localsubjectaccessreviews" => {
            let a = attributes(call, &spec)?;
            if call.route.resource.plural == "localsubjectaccessreviews" {
                if !a.resource_request {
                    return Err(invalid(
                        call,
                        &[FieldError::invalid(
                            "spec.nonResourceAttributes",
                            spec["nonResourceAttributes"].clone(),
                            "disallowed on this kind of request",
                        )],
                    ));
                }
                if a.namespace != call.route.ns() {
                    return Err(invalid(
                        call,
                        &[FieldError::invalid(
                            "spec.resourceAttributes.namespace",
                            json!(a.namespace),
                            &format!("must match metadata.namespace: {}", call.route.ns()),
                        )],
                    ));
                }
            }
            let user = spec["user"].as_str().unwrap_or("");
            let groups: Vec<String> = spec["groups"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect();
            if user.is_empty() && groups.is_empty() {
                return Err(invalid(
                    call,
                    &[FieldError::required(
                        "spec.user",
                        "at least one of user or group must be specified",
                    )],
                ));
            }
            let who = Subject {
                name: user.into(),
                uid: spec["uid"].as_str().unwrap_or("").into(),
                groups,
            };
            let status = access(call, &who, &a);
            Ok(answer(call, body, status))
        }
        "selfsubjectrulesreviews" => {
            let ns = spec["namespace"].as_str().unwrap_or("");
            let (resource, non_resource, errors) = rbac::rules(&call.c.store, me, ns);
            let mut status = json!({"resourceRules": resource, "nonResourceRules": non_resource,
                                    "incomplete": !errors.is_empty()});
            if !errors.is_empty() {
                status["evaluationError"] = json!(errors.join(", "));
            }
            Ok(answer(call, body, status))
        }
        "selfsubjectreviews" => {
            let mut info = json!({"username": me.name, "groups": me.groups});
            if !me.uid.is_empty() {
                info["uid"] = json!(me.uid);
            }
            Ok(answer(call, body, json!({"userInfo": info})))
        }
        "tokenreviews" => super::tokens::review(call, body),
        other => Err(ApiError::method_not_allowed(format!(
            "{other} cannot be reviewed"
        ))),
    }
}
