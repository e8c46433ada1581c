//! `events.k8s.io/v1`: the same Event objects as core `v1`, in the newer shape. As in a real
//! API server the store holds each Event once (in the core shape); this module converts at
//! the edge, so `kubectl get events`, `kubectl events` and kube's events recorder all see
//! one trail.

use serde_json::{Map, Value, json};

use super::resources::Resource;
use crate::status::ApiError;

/// Field names that differ: (events.k8s.io/v1, core/v1).
const RENAMED: &[(&str, &str)] = &[
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
];

/// Fields both shapes share by name.
const SHARED: &[&str] = &[
    "metadata",
    "eventTime",
    "series",
    "reason",
    "action",
    "type",
    "related",
    "reportingInstance",
];

fn is_v1(res: &Resource) -> bool {
    res.group == "events.k8s.io"
}

fn convert(from: &Value, pairs: impl Iterator<Item = (&'static str, &'static str)>) -> Value {
    let mut out = Map::new();
    for (src, dst) in pairs.chain(SHARED.iter().map(|f| (*f, *f))) {
        if let Some(v) = from.get(src).filter(|v| !v.is_null()) {
            out.insert(dst.to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// A core/v1 Event in the events.k8s.io/v1 shape.
pub fn to_v1(core: &Value) -> Value {
    let mut v = convert(core, RENAMED.iter().map(|(v1, core)| (*core, *v1)));
    v["kind"] = json!("Event");
    v["apiVersion"] = json!("events.k8s.io/v1");
    v
}

/// An events.k8s.io/v1 Event in the core/v1 shape.
pub fn to_core(v1: &Value) -> Value {
    let mut v = convert(v1, RENAMED.iter().copied());
    v["kind"] = json!("Event");
    v["apiVersion"] = json!("v1");
    v
}

/// An object as the client of `res` sees it.
pub fn outbound(res: &Resource, obj: Value) -> Value {
    if is_v1(res) { to_v1(&obj) } else { obj }
}

/// An object the client of `res` sent, in the shape the store holds. A new events.k8s.io
/// Event must say when, who reports it and what was done, as the real API requires.
pub fn inbound(res: &Resource, obj: Value) -> Result<Value, ApiError> {
    if !is_v1(res) {
        return Ok(obj);
    }
    let missing: Vec<&str> = [
        "eventTime",
        "reportingController",
        "reportingInstance",
        "action",
        "reason",
    ]
    .into_iter()
    .filter(|f| obj[*f].as_str().is_none_or(str::is_empty))
    .collect();
    if !missing.is_empty() {
        return Err(ApiError::new(
            422,
            "Invalid",
            format!(
                "Event.events.k8s.io {:?} is invalid: {}: Required value",
                obj["metadata"]["name"].as_str().unwrap_or(""),
                missing.join(", ")
            ),
        ));
    }
    Ok(to_core(&obj))
}

/// A change written in `res`'s shape, applied to an object held in the core shape.
pub fn in_shape<'a>(
    res: &'a Resource,
    change: impl FnOnce(&mut Value) -> Result<(), ApiError> + 'a,
) -> impl FnOnce(&mut Value) -> Result<(), ApiError> + 'a {
    move |cur: &mut Value| {
        if !is_v1(res) {
            return change(cur);
        }
        let mut v1 = to_v1(cur);
        change(&mut v1)?;
        *cur = to_core(&v1);
        Ok(())
    }
}

/// A field selector of `res`, naming the fields of the core shape the store holds.
pub fn field_selector(res: &Resource, selector: &str) -> String {
    if !is_v1(res) {
        return selector.to_string();
    }
    selector
        .split(',')
        .map(|part| {
            RENAMED
                .iter()
                .find_map(|(v1, core)| {
                    part.trim()
                        .strip_prefix(v1)
                        .filter(|rest| rest.starts_with(['.', '=', '!']))
                        .map(|rest| format!("{core}{rest}"))
                })
                .unwrap_or_else(|| part.to_string())
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_shapes_convert_both_ways() {
        let v1 = json!({
            "metadata": {"name": "vault-0.1", "namespace": "vault"},
            "regarding": {"kind": "Pod", "name": "vault-0", "namespace": "vault"},
            "note": "unsealed", "reason": "Unsealed", "action": "Unseal", "type": "Normal",
            "reportingController": "kubectl-vault", "reportingInstance": "me@host",
            "eventTime": "2026-11-30T21:00:00.000000Z",
            "series": {"count": 2, "lastObservedTime": "2026-11-30T21:01:00.000000Z"},
        });
        let core = to_core(&v1);
        assert_eq!(core["involvedObject"]["name"], "vault-0");
        assert_eq!(core["message"], "unsealed");
        assert_eq!(core["reportingComponent"], "kubectl-vault");
        assert_eq!(core["series"]["count"], 2);
        assert_eq!(core["apiVersion"], "v1");
        let back = to_v1(&core);
        assert_eq!(back["regarding"], v1["regarding"]);
        assert_eq!(back["note"], v1["note"]);
        assert_eq!(back["apiVersion"], "events.k8s.io/v1");
        let legacy = to_v1(&json!({"source": {"component": "kubelet"}, "count": 3}));
        assert_eq!(legacy["deprecatedSource"]["component"], "kubelet");
        assert_eq!(legacy["deprecatedCount"], 3);
    }

    #[test]
    fn field_selectors_name_the_stored_fields() {
        let res = super::super::resources::find("events.k8s.io", "v1", "events").unwrap();
        assert_eq!(
            field_selector(res, "regarding.name=vault-0,type!=Normal"),
            "involvedObject.name=vault-0,type!=Normal"
        );
    }
}
