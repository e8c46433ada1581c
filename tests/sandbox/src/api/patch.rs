//! PATCH bodies: JSON merge patch, strategic merge patch (lists of named objects merge by
//! name), server-side apply (as an upsert merge) and RFC 6902 JSON patch.

use serde_json::Value;

use crate::status::ApiError;

pub fn apply(target: &mut Value, content_type: &str, patch: &Value) -> Result<(), ApiError> {
    let ct = content_type.split(';').next().unwrap_or("").trim();
    match ct {
        "application/json-patch+json" => json_patch(target, patch),
        "application/merge-patch+json" => {
            merge(target, patch, false);
            Ok(())
        }
        "application/strategic-merge-patch+json"
        | "application/apply-patch+yaml"
        | "application/apply-patch+json" => {
            merge(target, patch, true);
            Ok(())
        }
        other => Err(ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got {other:?})"
            ),
        )),
    }
}

/// RFC 7386 merge; with `strategic`, arrays whose elements all carry a `name` merge by name and
/// `$patch`/`$setElementOrder` directives are dropped.
fn merge(target: &mut Value, patch: &Value, strategic: bool) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if k.starts_with('$') {
                    continue;
                }
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v, strategic);
                }
            }
        }
        (t @ Value::Array(_), Value::Array(p))
            if strategic && named(t) && p.iter().all(|e| e.get("name").is_some()) =>
        {
            let items = t.as_array_mut().expect("array");
            for pe in p {
                match items.iter_mut().find(|e| e["name"] == pe["name"]) {
                    Some(existing)
                        if pe.get("$patch").and_then(Value::as_str) == Some("delete") =>
                    {
                        *existing = Value::Null;
                    }
                    Some(existing) => merge(existing, pe, strategic),
                    None => items.push(strip_directives(pe)),
                }
            }
            items.retain(|e| !e.is_null());
        }
        (t, p) => *t = strip_directives(p),
    }
}

fn named(v: &Value) -> bool {
    v.as_array()
        .is_some_and(|a| a.iter().all(|e| e.get("name").is_some()))
}

fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

fn json_patch(target: &mut Value, patch: &Value) -> Result<(), ApiError> {
    let ops = patch
        .as_array()
        .ok_or_else(|| ApiError::bad_request("json patch must be an array of operations"))?;
    for op in ops {
        let path = op["path"].as_str().unwrap_or("");
        match op["op"].as_str().unwrap_or("") {
            "add" => add(target, path, op["value"].clone())?,
            "remove" => {
                remove(target, path)?;
            }
            "replace" => {
                let slot = target.pointer_mut(path).ok_or_else(|| missing(path))?;
                *slot = op["value"].clone();
            }
            "move" | "copy" => {
                let from = op["from"].as_str().unwrap_or("");
                let value = if op["op"] == "move" {
                    remove(target, from)?
                } else {
                    target.pointer(from).cloned().ok_or_else(|| missing(from))?
                };
                add(target, path, value)?;
            }
            "test" => {
                if target.pointer(path) != Some(&op["value"]) {
                    return Err(ApiError::new(
                        422,
                        "Invalid",
                        format!("test operation failed at {path}"),
                    ));
                }
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown json patch op {other:?}"
                )));
            }
        }
    }
    Ok(())
}

fn missing(path: &str) -> ApiError {
    ApiError::new(
        422,
        "Invalid",
        format!(
            "the server rejected our request due to an error in our request: doc is missing path: {path:?}"
        ),
    )
}

fn split(path: &str) -> Result<(&str, String), ApiError> {
    let (parent, last) = path.rsplit_once('/').ok_or_else(|| missing(path))?;
    Ok((parent, last.replace("~1", "/").replace("~0", "~")))
}

fn add(target: &mut Value, path: &str, value: Value) -> Result<(), ApiError> {
    if path.is_empty() {
        *target = value;
        return Ok(());
    }
    let (parent, key) = split(path)?;
    match target.pointer_mut(parent).ok_or_else(|| missing(parent))? {
        Value::Object(m) => {
            m.insert(key, value);
        }
        Value::Array(a) => {
            let idx = if key == "-" {
                a.len()
            } else {
                key.parse().map_err(|_| missing(path))?
            };
            if idx > a.len() {
                return Err(missing(path));
            }
            a.insert(idx, value);
        }
        _ => return Err(missing(path)),
    }
    Ok(())
}

fn remove(target: &mut Value, path: &str) -> Result<Value, ApiError> {
    let (parent, key) = split(path)?;
    match target.pointer_mut(parent).ok_or_else(|| missing(parent))? {
        Value::Object(m) => m.remove(&key).ok_or_else(|| missing(path)),
        Value::Array(a) => {
            let idx: usize = key.parse().map_err(|_| missing(path))?;
            (idx < a.len())
                .then(|| a.remove(idx))
                .ok_or_else(|| missing(path))
        }
        _ => Err(missing(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merges_named_lists() {
        let mut sts = json!({"spec": {"template": {"spec": {"containers": [{"name": "vault", "image": "a"}]}}}});
        let p = json!({"spec": {"template": {"spec": {"containers": [{"name": "vault", "resources": {"limits": {"memory": "4Gi"}}}]}}}});
        apply(&mut sts, "application/strategic-merge-patch+json", &p).unwrap();
        assert_eq!(
            sts["spec"]["template"]["spec"]["containers"][0]["image"],
            "a"
        );
        assert_eq!(
            sts["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"],
            "4Gi"
        );
    }

    #[test]
    fn json_patch_replaces_by_pointer() {
        let mut sts = json!({"spec": {"template": {"spec": {"containers": [{"name": "vault", "resources": {"limits": {"memory": "1Gi"}}}]}}}});
        let p = json!([{"op": "replace", "path": "/spec/template/spec/containers/0/resources/limits/memory", "value": "4Gi"}]);
        apply(&mut sts, "application/json-patch+json", &p).unwrap();
        assert_eq!(
            sts["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"],
            "4Gi"
        );
        let bad = json!([{"op": "replace", "path": "/spec/nope/x", "value": 1}]);
        assert!(apply(&mut sts, "application/json-patch+json", &bad).is_err());
    }

    #[test]
    fn merge_patch_deletes_with_null() {
        let mut o = json!({"metadata": {"labels": {"a": "1", "b": "2"}}});
        apply(
            &mut o,
            "application/merge-patch+json",
            &json!({"metadata": {"labels": {"a": null}}}),
        )
        .unwrap();
        assert_eq!(o["metadata"]["labels"], json!({"b": "2"}));
    }
}
