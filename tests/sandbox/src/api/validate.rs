//! Validation of objects written through the API, with the API server's field paths and
//! wording (a 422 Invalid lists one cause per error). It covers object metadata for every
//! resource and the fields of the kinds the sandbox serves that a client can get wrong.

use serde_json::{Value, json};

use super::resources::Resource;
use crate::status::FieldError;

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CONFIG_KEY_MSG: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// One RFC 1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| lower_alnum(c) || c == '-')
        && s.starts_with(lower_alnum)
        && s.ends_with(lower_alnum)
}

fn is_subdomain(s: &str) -> bool {
    s.split('.').all(is_label)
}

/// The messages of the API server's name checks for `s` (empty when it is valid).
fn name_errors(s: &str, rule: NameRule) -> Vec<String> {
    let mut out = Vec::new();
    match rule {
        NameRule::Subdomain => {
            if s.len() > 253 {
                out.push("must be no more than 253 characters".into());
            }
            if !is_subdomain(s) {
                out.push(SUBDOMAIN_MSG.into());
            }
        }
        NameRule::Label => {
            if s.len() > 63 {
                out.push("must be no more than 63 characters".into());
            }
            if !is_label(s) {
                out.push(LABEL_MSG.into());
            }
        }
        NameRule::Dns1035 => {
            if s.len() > 63 {
                out.push("must be no more than 63 characters".into());
            }
            if !is_label(s) || !s.starts_with(|c: char| c.is_ascii_lowercase()) {
                out.push(DNS1035_MSG.into());
            }
        }
        NameRule::PathSegment => {
            if s == "." || s == ".." {
                out.push(format!("may not be '{s}'"));
            }
            for bad in ["/", "%"] {
                if s.contains(bad) {
                    out.push(format!("may not contain '{bad}'"));
                }
            }
        }
    }
    out
}

#[derive(Clone, Copy)]
enum NameRule {
    Subdomain,
    Label,
    Dns1035,
    PathSegment,
}

fn name_rule(res: &Resource) -> NameRule {
    match res.plural {
        "namespaces" => NameRule::Label,
        "services" => NameRule::Dns1035,
        _ if res.group == "rbac.authorization.k8s.io" => NameRule::PathSegment,
        _ => NameRule::Subdomain,
    }
}

fn qualified_name_errors(key: &str) -> Vec<String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let mut out = Vec::new();
    if let Some(p) = prefix {
        if p.is_empty() {
            out.push("prefix part must be non-empty".into());
        } else if !is_subdomain(p) {
            out.push(format!("prefix part {SUBDOMAIN_MSG}"));
        }
    }
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if name.is_empty() {
        out.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        out.push("name part must be no more than 63 characters".into());
    } else if !name_ok {
        out.push(QUALIFIED_MSG.into());
    }
    out
}

fn label_value_ok(v: &str) -> bool {
    v.is_empty()
        || (v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

fn str_list(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Finalizers the API server knows without a domain.
const STANDARD_FINALIZERS: &[&str] = &["kubernetes", "orphan", "foregroundDeletion"];

fn metadata(res: &Resource, obj: &Value, errs: &mut Vec<FieldError>) {
    let m = &obj["metadata"];
    let name = m["name"].as_str().unwrap_or("");
    if name.is_empty() {
        errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        ));
    } else {
        for msg in name_errors(name, name_rule(res)) {
            errs.push(FieldError::invalid("metadata.name", json!(name), &msg));
        }
    }
    for (key, value) in m["labels"].as_object().into_iter().flatten() {
        for msg in qualified_name_errors(key) {
            errs.push(FieldError::invalid("metadata.labels", json!(key), &msg));
        }
        let v = value.as_str().unwrap_or("");
        if !label_value_ok(v) {
            let msg = if v.len() > 63 {
                "must be no more than 63 characters"
            } else {
                LABEL_VALUE_MSG
            };
            errs.push(FieldError::invalid("metadata.labels", json!(v), msg));
        }
    }
    for key in m["annotations"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        for msg in qualified_name_errors(key) {
            errs.push(FieldError::invalid(
                "metadata.annotations",
                json!(key),
                &msg,
            ));
        }
    }
    for (i, f) in str_list(&m["finalizers"]).iter().enumerate() {
        let field = format!("metadata.finalizers[{i}]");
        if !STANDARD_FINALIZERS.contains(f) && !f.contains('/') {
            errs.push(FieldError::invalid(
                &field,
                json!(f),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        } else {
            for msg in qualified_name_errors(f) {
                errs.push(FieldError::invalid(&field, json!(f), &msg));
            }
        }
    }
    let mut controllers = 0;
    for (i, r) in m["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        for field in ["apiVersion", "kind", "name", "uid"] {
            if r[field].as_str().unwrap_or("").is_empty() {
                let detail = match field {
                    "apiVersion" => "version must not be empty",
                    "kind" => "kind must not be empty",
                    "name" => "name must not be empty",
                    _ => "uid must not be empty",
                };
                errs.push(FieldError::invalid(
                    &format!("metadata.ownerReferences[{i}].{field}"),
                    json!(r[field].as_str().unwrap_or("")),
                    detail,
                ));
            }
        }
        if r["controller"] == true {
            controllers += 1;
        }
    }
    if controllers > 1 {
        errs.push(FieldError::invalid(
            "metadata.ownerReferences",
            m["ownerReferences"].clone(),
            "Only one reference can have Controller set to true",
        ));
    }
}

fn pod_spec(spec: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let containers = spec["containers"].as_array().cloned().unwrap_or_default();
    if containers.is_empty() {
        errs.push(FieldError::required(&format!("{path}.containers"), ""));
    }
    let mut seen = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        let at = format!("{path}.containers[{i}]");
        let name = c["name"].as_str().unwrap_or("");
        if name.is_empty() {
            errs.push(FieldError::required(&format!("{at}.name"), ""));
        } else {
            for msg in name_errors(name, NameRule::Label) {
                errs.push(FieldError::invalid(
                    &format!("{at}.name"),
                    json!(name),
                    &msg,
                ));
            }
            if seen.contains(&name) {
                errs.push(FieldError::duplicate(&format!("{at}.name"), json!(name)));
            }
            seen.push(name);
        }
        if c["image"].as_str().unwrap_or("").is_empty() {
            errs.push(FieldError::required(&format!("{at}.image"), ""));
        }
    }
}

fn data_keys(obj: &Value, errs: &mut Vec<FieldError>) {
    for field in ["data", "binaryData", "stringData"] {
        for key in obj[field].as_object().into_iter().flatten().map(|(k, _)| k) {
            let ok = !key.is_empty()
                && key.len() <= 253
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
                && key != "."
                && key != ".."
                && !key.starts_with("..");
            if !ok {
                errs.push(FieldError::invalid(
                    &format!("{field}[{key}]"),
                    json!(key),
                    CONFIG_KEY_MSG,
                ));
            }
        }
    }
}

fn selector_matches(selector: &Value, labels: &Value) -> bool {
    let match_labels = selector["matchLabels"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let ok_labels = match_labels.iter().all(|(k, v)| labels.get(k) == Some(v));
    let ok_exprs = selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|e| {
            let key = e["key"].as_str().unwrap_or("");
            let values = str_list(&e["values"]);
            let got = labels.get(key).and_then(Value::as_str);
            match e["operator"].as_str() {
                Some("In") => got.is_some_and(|g| values.contains(&g)),
                Some("NotIn") => got.is_none_or(|g| !values.contains(&g)),
                Some("Exists") => got.is_some(),
                Some("DoesNotExist") => got.is_none(),
                _ => false,
            }
        });
    ok_labels && ok_exprs
}

fn replicas(obj: &Value, errs: &mut Vec<FieldError>) {
    if let Some(n) = obj["spec"]["replicas"].as_i64()
        && n < 0
    {
        errs.push(FieldError::invalid(
            "spec.replicas",
            json!(n),
            "must be greater than or equal to 0",
        ));
    }
}

fn statefulset(obj: &Value, old: Option<&Value>, errs: &mut Vec<FieldError>) {
    let spec = &obj["spec"];
    replicas(obj, errs);
    let selector = &spec["selector"];
    let empty = selector["matchLabels"]
        .as_object()
        .is_none_or(|m| m.is_empty())
        && selector["matchExpressions"]
            .as_array()
            .is_none_or(|a| a.is_empty());
    if empty {
        errs.push(FieldError::invalid(
            "spec.selector",
            selector.clone(),
            "empty selector is invalid for statefulset",
        ));
    } else if !selector_matches(selector, &spec["template"]["metadata"]["labels"]) {
        errs.push(FieldError::invalid(
            "spec.template.metadata.labels",
            spec["template"]["metadata"]["labels"].clone(),
            "`selector` does not match template `labels`",
        ));
    }
    pod_spec(&spec["template"]["spec"], "spec.template.spec", errs);
    if let Some(old) = old {
        let mutable = [
            "replicas",
            "ordinals",
            "template",
            "updateStrategy",
            "persistentVolumeClaimRetentionPolicy",
            "minReadySeconds",
        ];
        let strip = |s: &Value| {
            let mut s = s.clone();
            if let Some(m) = s.as_object_mut() {
                for k in mutable {
                    m.remove(k);
                }
            }
            s
        };
        if strip(spec) != strip(&old["spec"]) {
            errs.push(FieldError::forbidden(
                "spec",
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
            ));
        }
    }
}

fn role_rules(obj: &Value, namespaced: bool, errs: &mut Vec<FieldError>) {
    for (i, r) in obj["rules"].as_array().into_iter().flatten().enumerate() {
        let at = format!("rules[{i}]");
        if str_list(&r["verbs"]).is_empty() {
            errs.push(FieldError::required(
                &format!("{at}.verbs"),
                "verbs must contain at least one value",
            ));
        }
        let urls = str_list(&r["nonResourceURLs"]);
        if !urls.is_empty() {
            if namespaced {
                errs.push(FieldError::invalid(
                    &format!("{at}.nonResourceURLs"),
                    r["nonResourceURLs"].clone(),
                    "namespaced rules cannot apply to non-resource URLs",
                ));
            }
            if !str_list(&r["apiGroups"]).is_empty() || !str_list(&r["resources"]).is_empty() {
                errs.push(FieldError::invalid(
                    &format!("{at}.nonResourceURLs"),
                    r["nonResourceURLs"].clone(),
                    "rules cannot apply to both regular resources and non-resource URLs",
                ));
            }
            continue;
        }
        if str_list(&r["apiGroups"]).is_empty() {
            errs.push(FieldError::required(
                &format!("{at}.apiGroups"),
                "resource rules must supply at least one api group",
            ));
        }
        if str_list(&r["resources"]).is_empty() {
            errs.push(FieldError::required(
                &format!("{at}.resources"),
                "resource rules must supply at least one resource",
            ));
        }
    }
}

fn binding(obj: &Value, old: Option<&Value>, cluster: bool, errs: &mut Vec<FieldError>) {
    let role = &obj["roleRef"];
    if role["apiGroup"] != "rbac.authorization.k8s.io" {
        errs.push(FieldError::not_supported(
            "roleRef.apiGroup",
            role["apiGroup"].clone(),
            &["rbac.authorization.k8s.io"],
        ));
    }
    let kinds: &[&str] = if cluster {
        &["ClusterRole"]
    } else {
        &["ClusterRole", "Role"]
    };
    if !kinds.contains(&role["kind"].as_str().unwrap_or("")) {
        errs.push(FieldError::not_supported(
            "roleRef.kind",
            role["kind"].clone(),
            kinds,
        ));
    }
    if role["name"].as_str().unwrap_or("").is_empty() {
        errs.push(FieldError::required("roleRef.name", ""));
    }
    if let Some(old) = old
        && old["roleRef"] != *role
    {
        errs.push(FieldError::invalid(
            "roleRef",
            role.clone(),
            "cannot change roleRef",
        ));
    }
    for (i, s) in obj["subjects"].as_array().into_iter().flatten().enumerate() {
        let at = format!("subjects[{i}]");
        if s["name"].as_str().unwrap_or("").is_empty() {
            errs.push(FieldError::required(&format!("{at}.name"), ""));
        }
        match s["kind"].as_str() {
            Some("ServiceAccount") => {
                if cluster && s["namespace"].as_str().unwrap_or("").is_empty() {
                    errs.push(FieldError::required(&format!("{at}.namespace"), ""));
                }
            }
            Some("User") | Some("Group") => {}
            _ => errs.push(FieldError::not_supported(
                &format!("{at}.kind"),
                s["kind"].clone(),
                &["ServiceAccount", "User", "Group"],
            )),
        }
    }
}

fn pvc(obj: &Value, old: Option<&Value>, errs: &mut Vec<FieldError>) {
    let spec = &obj["spec"];
    if str_list(&spec["accessModes"]).is_empty() {
        errs.push(FieldError::required(
            "spec.accessModes",
            "at least 1 access mode is required",
        ));
    }
    let storage = &spec["resources"]["requests"]["storage"];
    if storage.is_null() {
        errs.push(FieldError::required("spec.resources[storage]", ""));
    }
    let Some(old) = old else { return };
    let strip = |s: &Value| {
        let mut s = s.clone();
        s["resources"]["requests"] = Value::Null;
        if let Some(m) = s.as_object_mut() {
            m.remove("volumeAttributesClassName");
        }
        s
    };
    if strip(spec) != strip(&old["spec"]) {
        errs.push(FieldError::forbidden(
            "spec",
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        ));
    }
    let size = |v: &Value| v.as_str().and_then(super::control::parse_quantity);
    if let (Some(new), Some(was)) = (
        size(storage),
        size(&old["spec"]["resources"]["requests"]["storage"]),
    ) && new < was
    {
        errs.push(FieldError::forbidden(
            "spec.resources.requests.storage",
            "field can not be less than previous value",
        ));
    }
}

/// Everything wrong with `obj` as a `res` (an update when `old` is given).
pub fn validate(res: &Resource, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    metadata(res, obj, &mut errs);
    if let Some(old) = old {
        let being_deleted = !old["metadata"]["deletionTimestamp"].is_null();
        let had = str_list(&old["metadata"]["finalizers"]);
        let new: Vec<&str> = str_list(&obj["metadata"]["finalizers"])
            .into_iter()
            .filter(|f| !had.contains(f))
            .collect();
        if being_deleted && !new.is_empty() {
            errs.push(FieldError::forbidden(
                "metadata.finalizers",
                &format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                    new.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    match res.plural {
        "pods" => pod_spec(&obj["spec"], "spec", &mut errs),
        "configmaps" => data_keys(obj, &mut errs),
        "secrets" => {
            data_keys(obj, &mut errs);
            if let Some(old) = old
                && old["type"] != obj["type"]
            {
                errs.push(FieldError::invalid(
                    "type",
                    obj["type"].clone(),
                    "field is immutable",
                ));
            }
        }
        "statefulsets" => statefulset(obj, old, &mut errs),
        "persistentvolumeclaims" => pvc(obj, old, &mut errs),
        "roles" => role_rules(obj, true, &mut errs),
        "clusterroles" => role_rules(obj, false, &mut errs),
        "rolebindings" => binding(obj, old, false, &mut errs),
        "clusterrolebindings" => binding(obj, old, true, &mut errs),
        "certificates" => certificate(obj, &mut errs),
        _ => {}
    }
    errs
}

/// What cert-manager's Certificate CRD schema requires: the Secret and issuer named, and each
/// status condition with a type and a status.
fn certificate(obj: &Value, errs: &mut Vec<FieldError>) {
    for field in ["secretName", "issuerRef"] {
        if obj["spec"][field].is_null() {
            errs.push(FieldError::required(
                &format!("spec.{field}"),
                "Required value",
            ));
        }
    }
    if obj["spec"]["issuerRef"].is_object() && obj["spec"]["issuerRef"]["name"].is_null() {
        errs.push(FieldError::required(
            "spec.issuerRef.name",
            "Required value",
        ));
    }
    for (i, c) in obj["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        for field in ["type", "status"] {
            if !c[field].is_string() {
                errs.push(FieldError::required(
                    &format!("status.conditions[{i}].{field}"),
                    "Required value",
                ));
            }
        }
    }
}

/// A Scale written through a `scale` subresource.
pub fn scale(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    replicas(obj, &mut errs);
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::resources::by_plural;

    #[test]
    fn certificates_need_a_secret_an_issuer_and_typed_conditions() {
        let cert = by_plural("certificates").unwrap();
        let ok = json!({"metadata": {"name": "vault-tls"},
            "spec": {"secretName": "vault-tls", "issuerRef": {"name": "ca"}},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        assert!(validate(cert, &ok, None).is_empty());
        let bad = json!({"metadata": {"name": "vault-tls"}, "spec": {"issuerRef": {}},
            "status": {"conditions": [{"type": "Issuing"}]}});
        let fields: Vec<String> = validate(cert, &bad, None)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "spec.secretName",
                "spec.issuerRef.name",
                "status.conditions[0].status"
            ]
        );
    }

    #[test]
    fn names_and_labels() {
        let cm = by_plural("configmaps").unwrap();
        let ok =
            json!({"metadata": {"name": "a.b-c", "labels": {"app.kubernetes.io/name": "vault"}}});
        assert!(validate(cm, &ok, None).is_empty());
        let bad = json!({"metadata": {"name": "Bad_Name", "labels": {"x": "no spaces"}}});
        let errs = validate(cm, &bad, None);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].field, "metadata.name");
        assert_eq!(errs[1].field, "metadata.labels");
        let ns = by_plural("namespaces").unwrap();
        assert_eq!(
            validate(ns, &json!({"metadata": {"name": "a.b"}}), None)[0].to_string(),
            format!("metadata.name: Invalid value: \"a.b\": {LABEL_MSG}")
        );
        let none = validate(cm, &json!({"metadata": {}}), None);
        assert_eq!(
            none[0].to_string(),
            "metadata.name: Required value: name or generateName is required"
        );
    }

    #[test]
    fn kinds() {
        let sts = by_plural("statefulsets").unwrap();
        let errs = validate(
            sts,
            &json!({"metadata": {"name": "s"}, "spec": {"replicas": -1, "selector": {"matchLabels": {"a": "b"}},
                "template": {"metadata": {"labels": {"a": "c"}}, "spec": {"containers": [{"name": "c"}]}}}}),
            None,
        );
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "spec.replicas",
                "spec.template.metadata.labels",
                "spec.template.spec.containers[0].image"
            ]
        );
        let role = by_plural("roles").unwrap();
        let errs = validate(
            role,
            &json!({"metadata": {"name": "r"}, "rules": [{"verbs": ["get"], "nonResourceURLs": ["/x"]}]}),
            None,
        );
        assert_eq!(
            errs[0].detail,
            "namespaced rules cannot apply to non-resource URLs"
        );
        let rb = by_plural("rolebindings").unwrap();
        let b = |role: &str| json!({"metadata": {"name": "b"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role}});
        let errs = validate(rb, &b("two"), Some(&b("one")));
        assert_eq!(errs[0].detail, "cannot change roleRef");
    }
}
