//! Writes: `create` (POST), `update` (PUT) and `patch` of an object or of its `status` and
//! `scale` subresources. Server-side apply of an object that does not exist creates it.

use hyper::{Method, Response};
use serde_json::{Value, json};

use super::registry::{self, Part};
use super::{Body, Call, events_v1, json_response, patch, validate};
use crate::status::ApiError;

pub fn create(call: &Call, body: Value) -> Result<Response<Body>, ApiError> {
    let res = call.route.resource;
    let body = events_v1::inbound(res, body)?;
    let created = registry::create(&call.c, res, call.route.ns(), body, call.q.dry_run())?;
    Ok(json_response(201, &events_v1::outbound(res, created)))
}

fn is_apply(content_type: &str) -> bool {
    content_type.starts_with("application/apply-patch")
}

/// The Scale a StatefulSet's `scale` subresource shows.
pub fn scale_of(sts: &Value) -> Value {
    let selector: Vec<String> = sts["spec"]["selector"]["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
        .collect();
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": sts["metadata"]["name"], "namespace": sts["metadata"]["namespace"],
                     "resourceVersion": sts["metadata"]["resourceVersion"], "uid": sts["metadata"]["uid"],
                     "creationTimestamp": sts["metadata"]["creationTimestamp"]},
        "spec": {"replicas": sts["spec"]["replicas"]},
        "status": {"replicas": sts["status"]["replicas"], "selector": selector.join(",")},
    })
}

pub fn get_scale(call: &Call) -> Result<Response<Body>, ApiError> {
    let sts = call.object()?;
    Ok(json_response(200, &scale_of(&sts)))
}

/// PUT or PATCH of an object, its status or its scale.
pub fn update(
    call: &Call,
    method: &Method,
    content_type: &str,
    body: Value,
) -> Result<Response<Body>, ApiError> {
    let res = call.route.resource;
    let ns = call.route.ns();
    let name = call.route.target.name();
    let part = match call.route.target.subresource() {
        "status" => Part::Status,
        "scale" => Part::Scale,
        _ => Part::Main,
    };
    let change = |cur: &mut Value| -> Result<(), ApiError> {
        if method == Method::PUT {
            *cur = body.clone();
            Ok(())
        } else {
            patch::apply(cur, content_type, &body)
        }
    };
    let dry_run = call.q.dry_run();
    if part == Part::Scale {
        let updated = registry::update(&call.c, res, ns, name, part, dry_run, |sts| {
            let mut scale = scale_of(sts);
            change(&mut scale)?;
            let sent = scale["metadata"]["resourceVersion"].as_str().unwrap_or("");
            if !sent.is_empty() && Some(sent) != sts["metadata"]["resourceVersion"].as_str() {
                return Err(ApiError::conflict(res.plural, name));
            }
            let errs = validate::scale(&scale);
            if !errs.is_empty() {
                return Err(ApiError::invalid("Scale", "autoscaling", name, &errs));
            }
            sts["spec"]["replicas"] = scale["spec"]["replicas"].clone();
            Ok(())
        })?;
        return Ok(json_response(200, &scale_of(&updated)));
    }
    let exists = call.c.store.get_shared(res.plural, ns, name).is_some();
    if !exists && part == Part::Main && method == Method::PATCH && is_apply(content_type) {
        let mut obj = json!({"metadata": {"name": name}});
        patch::apply(&mut obj, content_type, &body)?;
        let obj = events_v1::inbound(res, obj)?;
        let created = registry::create(&call.c, res, ns, obj, dry_run)?;
        return Ok(json_response(201, &events_v1::outbound(res, created)));
    }
    let change = events_v1::in_shape(res, change);
    let updated = registry::update(&call.c, res, ns, name, part, dry_run, change)?;
    Ok(json_response(200, &events_v1::outbound(res, updated)))
}
