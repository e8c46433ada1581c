//! RBAC as the API server's authorizer does it: members of `system:masters` may do anything;
//! everyone else may do what the rules of the Roles and ClusterRoles bound to them (or to
//! one of their groups) allow — ClusterRoleBindings everywhere, RoleBindings in their own
//! namespace.

use serde_json::Value;

use super::request::Attributes;
use crate::store::Store;

/// Who is asking: a user name with its groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
}

pub const MASTERS: &str = "system:masters";

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub allowed: bool,
    /// Which binding allowed it, or what went wrong evaluating the bindings.
    pub reason: String,
}

/// One binding that applies to the subject, with the rules of the role it points at.
struct Grant {
    /// `ClusterRoleBinding "x" of ClusterRole "y" to User "z"`.
    source: String,
    rules: Vec<Value>,
    /// Bound through a RoleBinding: the rules apply in that namespace only.
    namespace: Option<String>,
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn describe_subject(s: &Value, binding_ns: &str) -> String {
    let kind = s["kind"].as_str().unwrap_or("");
    let name = s["name"].as_str().unwrap_or("");
    if kind == "ServiceAccount" {
        let ns = s["namespace"]
            .as_str()
            .filter(|n| !n.is_empty())
            .unwrap_or(binding_ns);
        format!("{kind} \"{ns}/{name}\"")
    } else {
        format!("{kind} \"{name}\"")
    }
}

fn applies_to<'a>(binding: &'a Value, who: &Subject) -> Option<&'a Value> {
    let binding_ns = binding["metadata"]["namespace"].as_str().unwrap_or("");
    binding["subjects"].as_array()?.iter().find(|s| {
        let name = s["name"].as_str().unwrap_or("");
        match s["kind"].as_str() {
            Some("User") => name == who.name,
            Some("Group") => who.groups.iter().any(|g| g == name),
            Some("ServiceAccount") => {
                let ns = s["namespace"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .unwrap_or(binding_ns);
                who.name == format!("system:serviceaccount:{ns}:{name}")
            }
            _ => false,
        }
    })
}

/// The grants that apply to `who` for a request in `namespace` ("" for cluster scope), and
/// the errors met on the way (a binding to a role that does not exist).
fn grants(store: &Store, who: &Subject, namespace: &str) -> (Vec<Grant>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut bindings = Vec::new();
    store.visit(Some("clusterrolebindings"), |_, b| bindings.push(b.clone()));
    if !namespace.is_empty() {
        store.visit(Some("rolebindings"), |k, b| {
            if k.namespace == namespace {
                bindings.push(b.clone());
            }
        });
    }
    for b in &bindings {
        let Some(subject) = applies_to(b, who) else {
            continue;
        };
        let bns = b["metadata"]["namespace"].as_str().unwrap_or("");
        let role_kind = b["roleRef"]["kind"].as_str().unwrap_or("");
        let role_name = b["roleRef"]["name"].as_str().unwrap_or("");
        let role = match role_kind {
            "ClusterRole" => store.get_shared("clusterroles", "", role_name),
            "Role" if !bns.is_empty() => store.get_shared("roles", bns, role_name),
            _ => None,
        };
        let Some(role) = role else {
            let what = if role_kind == "Role" {
                "role"
            } else {
                "clusterrole"
            };
            errors.push(format!(
                "{what}.rbac.authorization.k8s.io \"{role_name}\" not found"
            ));
            continue;
        };
        let binding_name = b["metadata"]["name"].as_str().unwrap_or("");
        let source = if bns.is_empty() {
            format!(
                "ClusterRoleBinding \"{binding_name}\" of {role_kind} \"{role_name}\" to {}",
                describe_subject(subject, "")
            )
        } else {
            format!(
                "RoleBinding \"{binding_name}/{bns}\" of {role_kind} \"{role_name}\" to {}",
                describe_subject(subject, bns)
            )
        };
        out.push(Grant {
            source,
            rules: role["rules"].as_array().cloned().unwrap_or_default(),
            namespace: (!bns.is_empty()).then(|| bns.to_string()),
        });
    }
    (out, errors)
}

fn has(list: &[&str], want: &str) -> bool {
    list.iter().any(|x| *x == "*" || *x == want)
}

/// Whether one policy rule allows the request, as RBAC's rule matching reads it.
pub fn rule_allows(rule: &Value, a: &Attributes) -> bool {
    let verbs = strings(&rule["verbs"]);
    if !has(&verbs, &a.verb) {
        return false;
    }
    if !a.resource_request {
        return strings(&rule["nonResourceURLs"]).iter().any(|u| {
            *u == "*"
                || *u == a.path
                || u.strip_suffix('*')
                    .is_some_and(|prefix| a.path.starts_with(prefix))
        });
    }
    if !has(&strings(&rule["apiGroups"]), &a.group) {
        return false;
    }
    let full = a.full_resource();
    let resource_ok = strings(&rule["resources"]).iter().any(|r| {
        *r == "*"
            || *r == full
            || (!a.subresource.is_empty() && r.strip_prefix("*/") == Some(a.subresource.as_str()))
    });
    let names = strings(&rule["resourceNames"]);
    resource_ok && (names.is_empty() || names.contains(&a.name.as_str()))
}

pub fn authorize(store: &Store, who: &Subject, a: &Attributes) -> Decision {
    if who.groups.iter().any(|g| g == MASTERS) {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    let (grants, errors) = grants(store, who, &a.namespace);
    for g in &grants {
        // A Role's rules never reach cluster-scoped resources or non-resource URLs.
        if g.namespace.is_some() && !a.resource_request {
            continue;
        }
        if g.rules.iter().any(|r| rule_allows(r, a)) {
            return Decision {
                allowed: true,
                reason: format!("RBAC: allowed by {}", g.source),
            };
        }
    }
    let reason = match errors.as_slice() {
        [] => String::new(),
        [one] => format!("RBAC: {one}"),
        many => format!("RBAC: [{}]", many.join(", ")),
    };
    Decision {
        allowed: false,
        reason,
    }
}

/// Every rule that applies to `who` in `namespace`, as SelfSubjectRulesReview lists them:
/// (resource rules, non-resource rules, errors).
pub fn rules(
    store: &Store,
    who: &Subject,
    namespace: &str,
) -> (Vec<Value>, Vec<Value>, Vec<String>) {
    let (grants, errors) = grants(store, who, namespace);
    let mut resource = Vec::new();
    let mut non_resource = Vec::new();
    for g in grants {
        for r in g.rules {
            if r.get("nonResourceURLs")
                .is_some_and(|u| !strings(u).is_empty())
            {
                if g.namespace.is_none() {
                    non_resource.push(serde_json::json!({"verbs": r["verbs"], "nonResourceURLs": r["nonResourceURLs"]}));
                }
            } else {
                let mut rule = serde_json::json!({"verbs": r["verbs"], "apiGroups": r["apiGroups"], "resources": r["resources"]});
                if !strings(&r["resourceNames"]).is_empty() {
                    rule["resourceNames"] = r["resourceNames"].clone();
                }
                resource.push(rule);
            }
        }
    }
    (resource, non_resource, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn res(verb: &str, group: &str, resource: &str, sub: &str, name: &str) -> Attributes {
        Attributes {
            verb: verb.into(),
            resource_request: true,
            namespace: "vault".into(),
            group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            name: name.into(),
            path: String::new(),
        }
    }

    #[test]
    fn rules_match_like_rbac() {
        let rule =
            json!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "pods/log"]});
        assert!(rule_allows(&rule, &res("get", "", "pods", "", "x")));
        assert!(rule_allows(&rule, &res("get", "", "pods", "log", "x")));
        assert!(!rule_allows(&rule, &res("create", "", "pods", "exec", "x")));
        assert!(!rule_allows(&rule, &res("get", "apps", "pods", "", "x")));
        let sub = json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*/scale"]});
        assert!(rule_allows(
            &sub,
            &res("patch", "apps", "statefulsets", "scale", "x")
        ));
        assert!(!rule_allows(
            &sub,
            &res("patch", "apps", "statefulsets", "", "x")
        ));
        let named = json!({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a"]});
        assert!(rule_allows(&named, &res("get", "", "secrets", "", "a")));
        assert!(!rule_allows(&named, &res("get", "", "secrets", "", "b")));
        assert!(!rule_allows(&named, &res("list", "", "secrets", "", "")));
        let urls = json!({"verbs": ["get"], "nonResourceURLs": ["/api", "/apis/*"]});
        let path = |p: &str| Attributes {
            verb: "get".into(),
            path: p.into(),
            ..Default::default()
        };
        assert!(rule_allows(&urls, &path("/api")));
        assert!(rule_allows(&urls, &path("/apis/apps/v1")));
        assert!(!rule_allows(&urls, &path("/api/v1")));
    }

    #[test]
    fn bindings_decide() {
        let store = Store::new();
        super::super::policy::seed(&store).unwrap();
        store
            .create(
                "roles",
                "vault",
                json!({"metadata": {"name": "reader"},
                "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]}),
            )
            .unwrap();
        store
            .create("rolebindings", "vault", json!({"metadata": {"name": "alice-reads"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
                "subjects": [{"kind": "User", "name": "alice"}]}))
            .unwrap();
        let alice = Subject {
            name: "alice".into(),
            uid: String::new(),
            groups: vec!["system:authenticated".into()],
        };
        let d = authorize(&store, &alice, &res("get", "", "pods", "", "vault-0"));
        assert_eq!(
            d.reason,
            "RBAC: allowed by RoleBinding \"alice-reads/vault\" of Role \"reader\" to User \"alice\""
        );
        let mut elsewhere = res("get", "", "pods", "", "p");
        elsewhere.namespace = "default".into();
        assert!(!authorize(&store, &alice, &elsewhere).allowed);
        assert!(!authorize(&store, &alice, &res("create", "", "pods", "exec", "p")).allowed);
        // Every authenticated user may ask what it may do, and read discovery.
        assert!(
            authorize(
                &store,
                &alice,
                &res(
                    "create",
                    "authorization.k8s.io",
                    "selfsubjectaccessreviews",
                    "",
                    ""
                )
            )
            .allowed
        );
        let discovery = Attributes::non_resource(&hyper::Method::GET, "/apis");
        assert!(authorize(&store, &alice, &discovery).allowed);
        store
            .create("rolebindings", "vault", json!({"metadata": {"name": "dangling"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "gone"},
                "subjects": [{"kind": "Group", "name": "system:authenticated"}]}))
            .unwrap();
        let d = authorize(&store, &alice, &res("delete", "", "pods", "", "p"));
        assert_eq!(
            d.reason,
            "RBAC: role.rbac.authorization.k8s.io \"gone\" not found"
        );
    }
}
