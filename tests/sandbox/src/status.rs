//! Kubernetes `Status` errors, worded as the API server words them.

use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Value,
    /// `metadata` of the Status (an expired list carries a fresh `continue` there).
    pub metadata: Value,
    /// Answered as plain text, not a Status (what some of the API server's filters do).
    pub plain: bool,
}

/// The group an API resource's plural belongs to ("" for the core group).
fn group_of(resource: &str) -> &'static str {
    crate::api::resources::by_plural(resource).map_or("", |r| r.group)
}

/// `pods`, or `statefulsets.apps`: how the API server names a resource in messages.
pub fn qualified(resource: &str) -> String {
    match group_of(resource) {
        "" => resource.to_string(),
        g => format!("{resource}.{g}"),
    }
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: Value::Null,
            metadata: json!({}),
            plain: false,
        }
    }

    /// An error the API server's filters write as plain text rather than a Status.
    pub fn plain(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            plain: true,
            ..Self::new(code, reason, message)
        }
    }

    fn about(mut self, resource: &str, name: &str) -> Self {
        let mut d = json!({"kind": resource});
        if !name.is_empty() {
            d["name"] = json!(name);
        }
        let g = group_of(resource);
        if !g.is_empty() {
            d["group"] = json!(g);
        }
        self.details = d;
        self
    }

    pub fn not_found(resource: &str, name: &str) -> Self {
        let q = qualified(resource);
        Self::new(404, "NotFound", format!("{q} \"{name}\" not found")).about(resource, name)
    }

    pub fn already_exists(resource: &str, name: &str) -> Self {
        let q = qualified(resource);
        Self::new(
            409,
            "AlreadyExists",
            format!("{q} \"{name}\" already exists"),
        )
        .about(resource, name)
    }

    /// 409 on a stale resourceVersion.
    pub fn conflict(resource: &str, name: &str) -> Self {
        Self::conflict_because(
            resource,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    pub fn conflict_because(resource: &str, name: &str, why: &str) -> Self {
        let q = qualified(resource);
        Self::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {q} \"{name}\": {why}"),
        )
        .about(resource, name)
    }

    /// 403 for `resource` (and `name`, when the request names one), with the reason text.
    pub fn forbidden(resource: &str, group: &str, name: &str, why: &str) -> Self {
        let q = match group {
            "" => resource.to_string(),
            g => format!("{resource}.{g}"),
        };
        let message = match (resource, name) {
            ("", _) => format!("forbidden: {why}"),
            (_, "") => format!("{q} is forbidden: {why}"),
            _ => format!("{q} \"{name}\" is forbidden: {why}"),
        };
        let mut e = Self::new(403, "Forbidden", message);
        let mut d = json!({});
        if !resource.is_empty() {
            d["kind"] = json!(resource);
        }
        if !name.is_empty() {
            d["name"] = json!(name);
        }
        if !group.is_empty() {
            d["group"] = json!(group);
        }
        e.details = d;
        e
    }

    /// 422 for an object that fails validation, with one cause per field error.
    pub fn invalid(kind: &str, group: &str, name: &str, errors: &[FieldError]) -> Self {
        let q = match group {
            "" => kind.to_string(),
            g => format!("{kind}.{g}"),
        };
        let all: Vec<String> = errors.iter().map(FieldError::to_string).collect();
        let summary = match all.as_slice() {
            [] => String::new(),
            [one] => format!(": {one}"),
            many => format!(": [{}]", many.join(", ")),
        };
        let mut e = Self::new(
            422,
            "Invalid",
            format!("{q} \"{name}\" is invalid{summary}"),
        );
        let causes: Vec<Value> = errors
            .iter()
            .map(|f| json!({"reason": f.kind.reason(), "message": f.body(), "field": f.field}))
            .collect();
        let mut d = json!({"name": name, "kind": kind, "causes": causes});
        if !group.is_empty() {
            d["group"] = json!(group);
        }
        e.details = d;
        e
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::new(
            500,
            "InternalError",
            format!("Internal error occurred: {message}"),
        );
        e.details = json!({"causes": [{"message": message}]});
        e
    }

    pub fn to_json(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": self.metadata,
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if !self.details.is_null() {
            status["details"] = self.details.clone();
        }
        status
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ApiError {}

pub fn success() -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"})
}

/// What is wrong with one field, in the API server's validation vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldErrorKind {
    Required,
    /// The offending value, rendered as the API server renders it.
    Invalid(Value),
    NotSupported(Value),
    Duplicate(Value),
    Forbidden,
    TooLong,
}

impl FieldErrorKind {
    fn reason(&self) -> &'static str {
        match self {
            FieldErrorKind::Required => "FieldValueRequired",
            FieldErrorKind::Invalid(_) => "FieldValueInvalid",
            FieldErrorKind::NotSupported(_) => "FieldValueNotSupported",
            FieldErrorKind::Duplicate(_) => "FieldValueDuplicate",
            FieldErrorKind::Forbidden => "FieldValueForbidden",
            FieldErrorKind::TooLong => "FieldValueTooLong",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub kind: FieldErrorKind,
    pub detail: String,
}

/// A value as Go's `%q`/`%v` prints it in a field error.
fn render(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "null".into(),
        Value::Array(items) if items.iter().all(Value::is_string) => format!(
            "[]string{{{}}}",
            items.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

impl FieldError {
    pub fn required(field: &str, detail: &str) -> Self {
        Self::new(field, FieldErrorKind::Required, detail)
    }
    pub fn invalid(field: &str, value: Value, detail: &str) -> Self {
        Self::new(field, FieldErrorKind::Invalid(value), detail)
    }
    pub fn not_supported(field: &str, value: Value, supported: &[&str]) -> Self {
        let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        Self::new(
            field,
            FieldErrorKind::NotSupported(value),
            &format!("supported values: {}", list.join(", ")),
        )
    }
    pub fn duplicate(field: &str, value: Value) -> Self {
        Self::new(field, FieldErrorKind::Duplicate(value), "")
    }
    pub fn forbidden(field: &str, detail: &str) -> Self {
        Self::new(field, FieldErrorKind::Forbidden, detail)
    }
    pub fn too_long(field: &str, max: usize) -> Self {
        Self::new(
            field,
            FieldErrorKind::TooLong,
            &format!("may not be more than {max} bytes"),
        )
    }

    fn new(field: &str, kind: FieldErrorKind, detail: &str) -> Self {
        FieldError {
            field: field.into(),
            kind,
            detail: detail.into(),
        }
    }

    /// The message of the cause: the error without its field.
    pub fn body(&self) -> String {
        let mut s = match &self.kind {
            FieldErrorKind::Required => "Required value".to_string(),
            FieldErrorKind::Forbidden => "Forbidden".to_string(),
            FieldErrorKind::TooLong => "Too long".to_string(),
            FieldErrorKind::Invalid(v) => format!("Invalid value: {}", render(v)),
            FieldErrorKind::NotSupported(v) => format!("Unsupported value: {}", render(v)),
            FieldErrorKind::Duplicate(v) => format!("Duplicate value: {}", render(v)),
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_reads_like_the_api_server() {
        let e = ApiError::invalid(
            "Pod",
            "",
            "Bad_Name",
            &[FieldError::invalid(
                "metadata.name",
                json!("Bad_Name"),
                "a lowercase RFC 1123 subdomain must consist of …",
            )],
        );
        assert_eq!(
            e.message,
            "Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of …"
        );
        assert_eq!(e.details["causes"][0]["reason"], "FieldValueInvalid");
        assert_eq!(e.details["causes"][0]["field"], "metadata.name");
        let two = ApiError::invalid(
            "StatefulSet",
            "apps",
            "x",
            &[
                FieldError::required("spec.selector", ""),
                FieldError::invalid(
                    "spec.replicas",
                    json!(-1),
                    "must be greater than or equal to 0",
                ),
            ],
        );
        assert_eq!(
            two.message,
            "StatefulSet.apps \"x\" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]"
        );
    }

    #[test]
    fn names_are_qualified_by_group() {
        assert_eq!(
            ApiError::not_found("statefulsets", "vault").message,
            "statefulsets.apps \"vault\" not found"
        );
        assert_eq!(
            ApiError::conflict("pods", "p").message,
            "Operation cannot be fulfilled on pods \"p\": the object has been modified; please apply your changes to the latest version and try again"
        );
    }
}
