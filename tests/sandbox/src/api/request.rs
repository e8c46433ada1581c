//! What a request asks for, as the API server's request-info parser reads it: the resource,
//! namespace, name and subresource of a resource path, the verb, and the attributes RBAC
//! decides on.

use hyper::Method;

use super::resources::{self, Resource};
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiError;

/// Query parameters; `command` and `ports` may repeat.
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(q: Option<&str>) -> Query {
        Query(
            form_urlencoded::parse(q.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
    pub fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("true" | "1"))
    }
    pub fn dry_run(&self) -> bool {
        self.get("dryRun") == Some("All")
    }

    /// The label and field selectors, checked against what `res` supports (400 otherwise).
    pub fn selectors(&self, res: &Resource) -> Result<(LabelSelector, FieldSelector), ApiError> {
        let labels = LabelSelector::parse(self.get("labelSelector").unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))?;
        // events.k8s.io names some fields differently; the store holds the core shape.
        let raw = super::events_v1::field_selector(res, self.get("fieldSelector").unwrap_or(""));
        let fields = FieldSelector::parse(&raw)
            .map_err(ApiError::bad_request)?
            .map_labels(|label| field_label(res, label))
            .map_err(ApiError::bad_request)?;
        Ok((labels, fields))
    }
}

/// The path a field selector label selects on for `res`, as each kind's field label
/// conversion allows it.
fn field_label(res: &Resource, label: &str) -> Result<String, String> {
    let Some(supported) = res.fields else {
        return match label {
            "metadata.name" | "metadata.namespace" => Ok(label.into()),
            _ => Err(format!(
                "{label:?} is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
            )),
        };
    };
    if !supported.contains(&label) {
        return Err(format!("field label not supported: {label}"));
    }
    Ok(match (res.plural, label) {
        ("events", "source") => "source.component".into(),
        ("pods", "spec.host") => "spec.nodeName".into(),
        _ => label.into(),
    })
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Collection,
    Object(String),
    /// Object name, subresource, and the path after it (the node proxy's).
    Sub(String, String, Vec<String>),
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Collection => "",
            Target::Object(n) | Target::Sub(n, _, _) => n,
        }
    }
    pub fn subresource(&self) -> &str {
        match self {
            Target::Sub(_, s, _) => s,
            _ => "",
        }
    }
}

pub struct Route {
    pub resource: &'static Resource,
    pub namespace: Option<String>,
    pub target: Target,
}

impl Route {
    pub fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }
}

/// The 404 for a path that names no resource the server has.
pub fn no_such_resource() -> ApiError {
    let mut e = ApiError::new(
        404,
        "NotFound",
        "the server could not find the requested resource",
    );
    e.details = serde_json::json!({});
    e
}

/// Parses `/api/v1/...` and `/apis/{group}/{version}/...` resource paths; None for other
/// paths (discovery documents, the sandbox's own endpoints).
pub fn route(segs: &[&str]) -> Option<Result<Route, ApiError>> {
    let (group, version, rest) = match segs {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    if rest.is_empty() {
        return None;
    }
    // `namespaces/{ns}/{resource}/...`, unless what follows the namespace's name is one of
    // the namespace's own subresources.
    let (namespace, rest) = match rest {
        ["namespaces", ns, res, tail @ ..] if !matches!(*res, "status" | "finalize") => {
            (Some(ns.to_string()), [&[*res][..], tail].concat())
        }
        other => (None, other.to_vec()),
    };
    let Some(resource) = resources::find(group, version, rest[0]) else {
        return Some(Err(no_such_resource()));
    };
    if resource.namespaced != namespace.is_some() && !(resource.namespaced && rest.len() == 1) {
        return Some(Err(no_such_resource()));
    }
    let target = match &rest[1..] {
        [] => Target::Collection,
        [name] => Target::Object(name.to_string()),
        [name, sub, more @ ..] => {
            if !resource.has_subresource(sub) {
                return Some(Err(no_such_resource()));
            }
            Target::Sub(
                name.to_string(),
                sub.to_string(),
                more.iter().map(|s| s.to_string()).collect(),
            )
        }
    };
    Some(Ok(Route {
        resource,
        namespace,
        target,
    }))
}

pub fn verb(method: &Method, target: &Target, q: &Query) -> &'static str {
    match (method, target) {
        (&Method::GET, Target::Collection) if q.flag("watch") => "watch",
        (&Method::GET, Target::Collection) => "list",
        (&Method::GET | &Method::HEAD, _) => "get",
        (&Method::POST, _) => "create",
        (&Method::PUT, _) => "update",
        (&Method::PATCH, _) => "patch",
        (&Method::DELETE, Target::Collection) => "deletecollection",
        (&Method::DELETE, _) => "delete",
        _ => "unknown",
    }
}

/// What an authorizer decides on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    pub verb: String,
    pub resource_request: bool,
    pub namespace: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    /// The URL path of a non-resource request.
    pub path: String,
}

impl Attributes {
    pub fn of_route(r: &Route, verb: &str, field_name: Option<&str>) -> Attributes {
        let name = match (&r.target, field_name) {
            (Target::Collection, Some(n)) => n.to_string(),
            (t, _) => t.name().to_string(),
        };
        // A namespace is its own namespace (so a RoleBinding can grant reading it).
        let namespace = match (r.resource.plural, &r.target) {
            ("namespaces", t) if !t.name().is_empty() => t.name().to_string(),
            _ => r.ns().to_string(),
        };
        Attributes {
            verb: verb.into(),
            resource_request: true,
            namespace,
            group: r.resource.group.into(),
            resource: r.resource.plural.into(),
            subresource: r.target.subresource().into(),
            name,
            path: String::new(),
        }
    }

    pub fn non_resource(method: &Method, path: &str) -> Attributes {
        Attributes {
            verb: method.as_str().to_lowercase(),
            resource_request: false,
            path: path.into(),
            ..Default::default()
        }
    }

    /// `pods/exec`, as RBAC rules and messages name a subresource.
    pub fn full_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }

    /// The 403 the API server answers when these attributes are not allowed.
    pub fn forbidden(&self, user: &str, reason: &str) -> ApiError {
        let msg = if self.resource_request {
            let scope = if self.namespace.is_empty() {
                " at the cluster scope".to_string()
            } else {
                format!(" in the namespace \"{}\"", self.namespace)
            };
            format!(
                "User \"{user}\" cannot {} resource \"{}\" in API group \"{}\"{scope}",
                self.verb,
                self.full_resource(),
                self.group
            )
        } else {
            format!(
                "User \"{user}\" cannot {} path \"{}\"",
                self.verb, self.path
            )
        };
        let why = if reason.is_empty() {
            msg
        } else {
            format!("{msg}: {reason}")
        };
        let resource = if self.resource_request {
            self.resource.as_str()
        } else {
            ""
        };
        ApiError::forbidden(resource, &self.group, &self.name, &why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str) -> Result<Route, ApiError> {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        route(&segs).expect("a resource path")
    }

    #[test]
    fn routes_and_attributes() {
        let r = parse("/api/v1/namespaces/vault/pods/vault-0/exec").unwrap();
        assert_eq!(r.resource.plural, "pods");
        assert_eq!(r.ns(), "vault");
        let a = Attributes::of_route(&r, "create", None);
        assert_eq!(a.full_resource(), "pods/exec");
        assert_eq!(
            a.forbidden("x", "").message,
            "pods \"vault-0\" is forbidden: User \"x\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"vault\""
        );
        let ns = parse("/api/v1/namespaces/vault").unwrap();
        assert_eq!(Attributes::of_route(&ns, "get", None).namespace, "vault");
        let status = parse("/api/v1/namespaces/vault/status").unwrap();
        assert_eq!(status.target.subresource(), "status");
        let all = parse("/apis/apps/v1/statefulsets").unwrap();
        assert!(all.namespace.is_none());
        assert_eq!(
            parse("/api/v1/namespaces/vault/nope").err().unwrap().code,
            404
        );
        assert_eq!(
            parse("/api/v1/namespaces/vault/nodes/x")
                .err()
                .unwrap()
                .code,
            404
        );
        assert_eq!(
            parse("/api/v1/namespaces/vault/pods/p/nope")
                .err()
                .unwrap()
                .code,
            404
        );
    }
}
