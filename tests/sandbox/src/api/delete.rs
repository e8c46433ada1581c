//! Deletes: one object (with preconditions, a grace period and a propagation policy) or a
//! whole collection matching label and field selectors (`deletecollection`).

use hyper::Response;
use serde_json::{Value, json};

use super::registry::{self, DeleteOptions};
use super::{Body, Call, json_response};
use crate::status::ApiError;

pub fn one(call: &Call, body: &Value) -> Result<Response<Body>, ApiError> {
    let res = call.route.resource;
    let opts = DeleteOptions::parse(body, &call.q)?;
    let deleted = registry::delete(
        &call.c,
        res,
        call.route.ns(),
        call.route.target.name(),
        &opts,
        call.q.dry_run(),
    )?;
    Ok(json_response(
        200,
        &registry::delete_response(res, &deleted),
    ))
}

pub fn collection(call: &Call, body: &Value) -> Result<Response<Body>, ApiError> {
    let res = call.route.resource;
    let (labels, fields) = call.q.selectors(res)?;
    let opts = DeleteOptions::parse(body, &call.q)?;
    let items = registry::delete_collection(
        &call.c,
        res,
        call.route.namespace.as_deref(),
        &labels,
        &fields,
        &opts,
        call.q.dry_run(),
    )?;
    Ok(json_response(
        200,
        &json!({
            "kind": format!("{}List", res.kind), "apiVersion": res.api_version(),
            "metadata": {"resourceVersion": call.c.store.resource_version().to_string()},
            "items": items,
        }),
    ))
}
