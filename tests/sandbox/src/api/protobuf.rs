//! Just enough of the Kubernetes protobuf encoding to read the objects kubectl's imperative
//! commands send that way (`kubectl create secret|configmap …` post protobuf, with no JSON
//! fallback): the `k8s\0` envelope around `runtime.Unknown`, ObjectMeta, Secret, ConfigMap,
//! Namespace, the reviews, and `kubectl create token`'s TokenRequest.

use base64::Engine;
use serde_json::{Map, Value, json};

const MAGIC: &[u8] = b"k8s\0";

enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The fields of one message, in order.
fn fields(buf: &[u8]) -> Option<Vec<(u64, Field<'_>)>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let key = varint(buf, &mut pos)?;
        let (num, wire) = (key >> 3, key & 7);
        let f = match wire {
            0 => Field::Varint(varint(buf, &mut pos)?),
            2 => {
                let len = varint(buf, &mut pos)? as usize;
                let end = pos.checked_add(len).filter(|e| *e <= buf.len())?;
                let b = &buf[pos..end];
                pos = end;
                Field::Bytes(b)
            }
            1 => {
                pos += 8;
                continue;
            }
            5 => {
                pos += 4;
                continue;
            }
            _ => return None,
        };
        out.push((num, f));
    }
    Some(out)
}

fn text(b: &[u8]) -> Value {
    json!(String::from_utf8_lossy(b))
}

/// A `map<string, …>` entry (key = 1, value = 2); values as text or base64.
fn map_entry(b: &[u8], base64_values: bool) -> Option<(String, Value)> {
    let mut key = String::new();
    let mut value = json!("");
    for (n, f) in fields(b)? {
        if let Field::Bytes(v) = f {
            match n {
                1 => key = String::from_utf8_lossy(v).into_owned(),
                2 if base64_values => {
                    value = json!(base64::engine::general_purpose::STANDARD.encode(v))
                }
                2 => value = text(v),
                _ => {}
            }
        }
    }
    Some((key, value))
}

fn object_meta(b: &[u8]) -> Option<Value> {
    let mut meta = Map::new();
    let (mut labels, mut annotations) = (Map::new(), Map::new());
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(v)) => {
                meta.insert("name".into(), text(v));
            }
            (2, Field::Bytes(v)) => {
                meta.insert("generateName".into(), text(v));
            }
            (3, Field::Bytes(v)) => {
                meta.insert("namespace".into(), text(v));
            }
            (11, Field::Bytes(v)) => {
                let (k, val) = map_entry(v, false)?;
                labels.insert(k, val);
            }
            (12, Field::Bytes(v)) => {
                let (k, val) = map_entry(v, false)?;
                annotations.insert(k, val);
            }
            _ => {}
        }
    }
    if !labels.is_empty() {
        meta.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        meta.insert("annotations".into(), Value::Object(annotations));
    }
    Some(Value::Object(meta))
}

/// Decodes a protobuf request body into the JSON object it stands for, for the kinds above.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let unknown = body
        .strip_prefix(MAGIC)
        .ok_or("not a Kubernetes protobuf envelope")?;
    let (mut kind, mut api_version, mut raw) = (String::new(), String::new(), &[][..]);
    for (n, f) in fields(unknown).ok_or("malformed protobuf envelope")? {
        match (n, f) {
            (1, Field::Bytes(tm)) => {
                for (m, g) in fields(tm).ok_or("malformed TypeMeta")? {
                    if let Field::Bytes(v) = g {
                        match m {
                            1 => api_version = String::from_utf8_lossy(v).into_owned(),
                            2 => kind = String::from_utf8_lossy(v).into_owned(),
                            _ => {}
                        }
                    }
                }
            }
            (2, Field::Bytes(r)) => raw = r,
            _ => {}
        }
    }
    if kind == "RoleBinding" || kind == "ClusterRoleBinding" {
        return binding(&kind, &api_version, raw).ok_or_else(|| format!("malformed {kind}"));
    }
    if kind == "TokenRequest" || kind == "TokenReview" {
        return token_spec(&kind, &api_version, raw).ok_or_else(|| format!("malformed {kind}"));
    }
    if kind.ends_with("Review") {
        return review(&kind, &api_version, raw).ok_or_else(|| format!("malformed {kind}"));
    }
    // (data field, binary-data field, base64 data?) per kind.
    let (data_field, extra_field, data_b64) = match kind.as_str() {
        "Secret" => (2, 4, true),
        "ConfigMap" => (2, 3, false),
        // `kubectl create namespace|serviceaccount`: only the metadata matters.
        "Namespace" | "ServiceAccount" => (0, 0, false),
        other => {
            return Err(format!(
                "protobuf bodies of kind {other:?} are not supported; send JSON"
            ));
        }
    };
    let mut obj = json!({"apiVersion": api_version, "kind": kind, "metadata": {}});
    let (mut data, mut extra) = (Map::new(), Map::new());
    for (n, f) in fields(raw).ok_or("malformed object")? {
        match (n, f) {
            (1, Field::Bytes(m)) => {
                obj["metadata"] = object_meta(m).ok_or("malformed ObjectMeta")?
            }
            (n, Field::Bytes(e)) if n == data_field => {
                let (k, v) = map_entry(e, data_b64).ok_or("malformed map entry")?;
                data.insert(k, v);
            }
            (n, Field::Bytes(e)) if n == extra_field => {
                // Secret.stringData is text; ConfigMap.binaryData is base64 in JSON.
                let (k, v) = map_entry(e, !data_b64).ok_or("malformed map entry")?;
                extra.insert(k, v);
            }
            (3, Field::Bytes(t)) if kind == "Secret" => obj["type"] = text(t),
            (5, Field::Varint(b)) if kind == "Secret" => obj["immutable"] = json!(b != 0),
            (4, Field::Varint(b)) if kind == "ConfigMap" => obj["immutable"] = json!(b != 0),
            _ => {}
        }
    }
    if !data.is_empty() {
        obj["data"] = Value::Object(data);
    }
    if kind == "Secret" {
        // stringData is write-only: fold it into data, as the API server does.
        for (k, v) in extra {
            let b64 = base64::engine::general_purpose::STANDARD
                .encode(v.as_str().unwrap_or("").as_bytes());
            obj["data"][k] = json!(b64);
        }
    } else if !extra.is_empty() {
        obj["binaryData"] = Value::Object(extra);
    }
    Ok(obj)
}

/// The string fields of a message, by field number.
fn strings(b: &[u8], names: &[(u64, &str)]) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    for (n, f) in fields(b)? {
        if let (Field::Bytes(v), Some((_, name))) = (f, names.iter().find(|(m, _)| *m == n)) {
            out.insert(name.to_string(), text(v));
        }
    }
    Some(out)
}

/// `kubectl create (cluster)rolebinding`: subjects = 2, roleRef = 3.
fn binding(kind: &str, api_version: &str, raw: &[u8]) -> Option<Value> {
    let mut obj = json!({"apiVersion": api_version, "kind": kind, "metadata": {}, "subjects": []});
    let mut subjects = Vec::new();
    for (n, f) in fields(raw)? {
        match (n, f) {
            (1, Field::Bytes(b)) => obj["metadata"] = object_meta(b)?,
            (2, Field::Bytes(b)) => subjects.push(Value::Object(strings(
                b,
                &[(1, "kind"), (2, "apiGroup"), (3, "name"), (4, "namespace")],
            )?)),
            (3, Field::Bytes(b)) => {
                obj["roleRef"] =
                    Value::Object(strings(b, &[(1, "apiGroup"), (2, "kind"), (3, "name")])?)
            }
            _ => {}
        }
    }
    obj["subjects"] = Value::Array(subjects);
    Some(obj)
}

/// TokenRequest (spec: audiences = 1, boundObjectRef = 3, expirationSeconds = 4) and
/// TokenReview (spec: token = 1, audiences = 2).
fn token_spec(kind: &str, api_version: &str, raw: &[u8]) -> Option<Value> {
    let mut obj = json!({"apiVersion": api_version, "kind": kind, "metadata": {}, "spec": {}});
    let request = kind == "TokenRequest";
    let mut audiences = Vec::new();
    for (n, f) in fields(raw)? {
        match (n, f) {
            (1, Field::Bytes(b)) => obj["metadata"] = object_meta(b)?,
            (2, Field::Bytes(b)) => {
                for (m, g) in fields(b)? {
                    match (request, m, g) {
                        (true, 1, Field::Bytes(v)) | (false, 2, Field::Bytes(v)) => {
                            audiences.push(text(v))
                        }
                        (false, 1, Field::Bytes(v)) => obj["spec"]["token"] = text(v),
                        (true, 3, Field::Bytes(v)) => {
                            obj["spec"]["boundObjectRef"] = Value::Object(strings(
                                v,
                                &[(1, "kind"), (2, "apiVersion"), (3, "name"), (4, "uid")],
                            )?)
                        }
                        (true, 4, Field::Varint(secs)) => {
                            obj["spec"]["expirationSeconds"] = json!(secs)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    obj["spec"]["audiences"] = Value::Array(audiences);
    Some(obj)
}

/// The access and rules reviews `kubectl auth can-i` and `kubectl auth whoami` send.
fn review(kind: &str, api_version: &str, raw: &[u8]) -> Option<Value> {
    let mut obj = json!({"apiVersion": api_version, "kind": kind, "metadata": {}, "spec": {}});
    for (n, f) in fields(raw)? {
        let (1 | 2, Field::Bytes(b)) = (n, f) else {
            continue;
        };
        if n == 1 {
            obj["metadata"] = object_meta(b)?;
            continue;
        }
        if kind == "SelfSubjectRulesReview" {
            obj["spec"] = Value::Object(strings(b, &[(1, "namespace")])?);
            continue;
        }
        let mut groups = Vec::new();
        for (m, g) in fields(b)? {
            let Field::Bytes(v) = g else { continue };
            match m {
                1 => {
                    let attrs = strings(
                        v,
                        &[
                            (1, "namespace"),
                            (2, "verb"),
                            (3, "group"),
                            (4, "version"),
                            (5, "resource"),
                            (6, "subresource"),
                            (7, "name"),
                        ],
                    )?;
                    obj["spec"]["resourceAttributes"] = Value::Object(attrs);
                }
                2 => {
                    let attrs = strings(v, &[(1, "path"), (2, "verb")])?;
                    obj["spec"]["nonResourceAttributes"] = Value::Object(attrs);
                }
                3 => obj["spec"]["user"] = text(v),
                4 => groups.push(text(v)),
                6 => obj["spec"]["uid"] = text(v),
                _ => {}
            }
        }
        if !groups.is_empty() {
            obj["spec"]["groups"] = Value::Array(groups);
        }
    }
    Some(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_token_request_as_kubectl_create_token_sends_it() {
        let bound = [field(1, b"Pod"), field(3, b"vault-0"), field(4, b"u-1")].concat();
        // expirationSeconds = 900, a varint (field 4, wire type 0).
        let spec = [
            field(1, b"vault"),
            field(3, &bound),
            vec![4 << 3, 0x84, 0x07],
        ]
        .concat();
        let req = [field(1, &field(1, b"vault")), field(2, &spec)].concat();
        let type_meta = [
            field(1, b"authentication.k8s.io/v1"),
            field(2, b"TokenRequest"),
        ]
        .concat();
        let body = [MAGIC, &[field(1, &type_meta), field(2, &req)].concat()[..]].concat();
        let v = decode(&body).unwrap();
        assert_eq!(v["spec"]["audiences"], json!(["vault"]));
        assert_eq!(v["spec"]["expirationSeconds"], 900);
        assert_eq!(v["spec"]["boundObjectRef"]["name"], "vault-0");
        assert_eq!(v["spec"]["boundObjectRef"]["uid"], "u-1");
    }

    fn field(num: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(num << 3 | 2) as u8, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn decodes_a_secret_as_kubectl_sends_it() {
        let meta = [field(1, b"keys"), field(3, b"vault")].concat();
        let entry = [field(1, b"k1"), field(2, b"\x00\x01secret")].concat();
        let secret = [field(1, &meta), field(2, &entry), field(3, b"Opaque")].concat();
        let type_meta = [field(1, b"v1"), field(2, b"Secret")].concat();
        let unknown = [field(1, &type_meta), field(2, &secret)].concat();
        let body = [MAGIC, &unknown[..]].concat();
        let v = decode(&body).unwrap();
        assert_eq!(v["metadata"]["name"], "keys");
        assert_eq!(v["type"], "Opaque");
        assert_eq!(
            v["data"]["k1"],
            base64::engine::general_purpose::STANDARD.encode(b"\x00\x01secret")
        );
    }
}
