//! Reads: `get` of one object (or its status), `list` with selectors and paging, `watch`.

use std::time::Duration;

use hyper::Response;
use serde_json::{Value, json};

use super::paging::{self, ListMeta};
use super::request::Target;
use super::watch::{self, WatchParams};
use super::{Body, Call, json_response};
use crate::status::ApiError;
use crate::store::PageRequest;

const EXPIRED_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

fn typed(call: &Call, obj: &Value) -> Value {
    let mut o = super::events_v1::outbound(call.route.resource, obj.clone());
    o["kind"] = json!(call.route.resource.kind);
    o["apiVersion"] = json!(call.route.resource.api_version());
    o
}

pub fn get(call: &Call) -> Result<Response<Body>, ApiError> {
    let res = call.route.resource;
    let obj = call.object()?;
    match call.table {
        Some(include) => Ok(json_response(
            200,
            &super::table::table(
                res.plural,
                std::slice::from_ref(&obj),
                &ListMeta::default(),
                include,
            ),
        )),
        None => Ok(json_response(200, &typed(call, &obj))),
    }
}

fn resource_version(v: Option<&str>) -> Result<Option<u64>, ApiError> {
    v.filter(|v| !v.is_empty() && *v != "0")
        .map(|v| {
            v.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resourceVersion {v:?}")))
        })
        .transpose()
}

pub fn watch(call: &Call) -> Result<Response<Body>, ApiError> {
    let (labels, fields) = call.q.selectors(call.route.resource)?;
    let timeout = call
        .q
        .get("timeoutSeconds")
        .and_then(|t| t.parse().ok())
        .unwrap_or(1800);
    let body = watch::watch(
        call.c.clone(),
        WatchParams {
            resource: call.route.resource,
            namespace: call.route.namespace.clone(),
            labels,
            fields,
            rv: resource_version(call.q.get("resourceVersion"))?,
            timeout: Duration::from_secs(timeout),
            table: call.table,
            send_initial_events: call.q.flag("sendInitialEvents"),
            bookmarks: call.q.flag("allowWatchBookmarks"),
        },
    );
    Ok(Response::builder()
        .header("content-type", "application/json")
        .header("transfer-encoding", "chunked")
        .body(body)
        .expect("watch response"))
}

pub fn list(call: &Call) -> Result<Response<Body>, ApiError> {
    debug_assert_eq!(call.route.target, Target::Collection);
    let res = call.route.resource;
    let (labels, fields) = call.q.selectors(res)?;
    let ns = call.route.namespace.as_deref();
    let limit = match call.q.get("limit") {
        None | Some("") | Some("0") => None,
        Some(l) => Some(l.parse::<usize>().map_err(|_| {
            ApiError::bad_request(format!("invalid limit {l:?}: must be a positive integer"))
        })?),
    };
    let requested_rv = call.q.get("resourceVersion").filter(|v| !v.is_empty());
    let mut page = PageRequest {
        limit,
        ..Default::default()
    };
    let continuing = match call.q.get("continue").filter(|t| !t.is_empty()) {
        Some(token) => {
            if requested_rv.is_some() {
                return Err(ApiError::bad_request(
                    "specifying resource version is not allowed when using continue",
                ));
            }
            let resume = paging::decode(token, ns, res.namespaced)?;
            page.at = resume.rv;
            page.after = Some(resume.after);
            true
        }
        None => {
            if call.q.get("resourceVersionMatch") == Some("Exact") {
                page.at = resource_version(requested_rv)?;
            }
            false
        }
    };
    let keep = |o: &Value| labels.matches(o["metadata"].get("labels")) && fields.matches(o);
    let read = match call.c.store.list_page(res.plural, ns, keep, &page) {
        Err(e) if e.code == 410 && continuing => {
            let mut e = ApiError::new(410, "Expired", EXPIRED_CONTINUE);
            let resume = page.after.clone().unwrap_or_default();
            e.metadata = json!({"continue": paging::encode(None, ns, &resume)});
            return Err(e);
        }
        other => other?,
    };
    let filtered = !labels.is_empty() || !fields.is_empty();
    let meta = ListMeta {
        resource_version: Some(read.rv),
        continue_token: read
            .more_after
            .as_ref()
            .map(|after| paging::encode(Some(read.rv), ns, after)),
        remaining: (read.more_after.is_some() && !filtered).then_some(read.remaining),
    };
    let items: Vec<Value> = read.items.iter().map(|o| typed(call, o)).collect();
    if let Some(include) = call.table {
        return Ok(json_response(
            200,
            &super::table::table(res.plural, &items, &meta, include),
        ));
    }
    Ok(json_response(
        200,
        &json!({
            "kind": format!("{}List", res.kind), "apiVersion": res.api_version(),
            "metadata": meta.to_json(), "items": items,
        }),
    ))
}
