//! The bootstrap RBAC policy a fresh cluster starts with: cluster-admin for `system:masters`,
//! discovery and self-reviews for every authenticated user, and the user-facing admin, edit
//! and view roles (their aggregated rules written out, for the resources the sandbox knows).

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

use crate::store::Store;

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Value {
    json!({"verbs": verbs, "apiGroups": groups, "resources": resources})
}

fn urls(verbs: &[&str], urls: &[&str]) -> Value {
    json!({"verbs": verbs, "nonResourceURLs": urls})
}

fn meta(name: &str) -> Value {
    json!({"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
           "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}})
}

fn cluster_role(name: &str, rules: Vec<Value>) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta(name), "rules": rules})
}

fn binding(name: &str, role: &str, groups: &[&str]) -> Value {
    let subjects: Vec<Value> = groups
        .iter()
        .map(|g| json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g}))
        .collect();
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": meta(name),
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
           "subjects": subjects})
}

fn view_rules() -> Vec<Value> {
    vec![
        rule(
            READ,
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
            ],
        ),
        rule(
            READ,
            &[""],
            &[
                "bindings",
                "events",
                "limitranges",
                "namespaces/status",
                "pods/log",
                "pods/status",
                "replicationcontrollers/status",
                "resourcequotas",
                "resourcequotas/status",
            ],
        ),
        rule(READ, &[""], &["namespaces"]),
        rule(
            READ,
            &["apps"],
            &[
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
        ),
        rule(READ, &["events.k8s.io"], &["events"]),
    ]
}

fn edit_rules() -> Vec<Value> {
    let mut rules = vec![
        rule(&["impersonate"], &[""], &["serviceaccounts"]),
        rule(
            WRITE,
            &[""],
            &[
                "pods",
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
            ],
        ),
        rule(&["create"], &[""], &["pods/eviction"]),
        rule(
            WRITE,
            &[""],
            &[
                "configmaps",
                "events",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
        ),
        rule(&["create"], &[""], &["serviceaccounts/token"]),
        rule(
            WRITE,
            &["apps"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "replicasets",
                "replicasets/scale",
                "statefulsets",
                "statefulsets/scale",
            ],
        ),
        rule(WRITE, &["events.k8s.io"], &["events"]),
        rule(
            READ,
            &[""],
            &[
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "secrets",
                "services/proxy",
            ],
        ),
    ];
    rules.extend(view_rules());
    rules
}

fn admin_rules() -> Vec<Value> {
    let mut rules = vec![
        rule(
            &["create"],
            &["authorization.k8s.io"],
            &["localsubjectaccessreviews"],
        ),
        rule(
            super::resources::CRUD,
            &["rbac.authorization.k8s.io"],
            &["rolebindings", "roles"],
        ),
    ];
    rules.extend(edit_rules());
    rules
}

/// The bootstrap roles and bindings: (resource, object).
pub fn objects() -> Vec<(&'static str, Value)> {
    let discovery = [
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/livez",
        "/openapi",
        "/openapi/*",
        "/readyz",
        "/version",
        "/version/",
    ];
    let public = ["/healthz", "/livez", "/readyz", "/version", "/version/"];
    let authenticated = ["system:authenticated"];
    vec![
        (
            "clusterroles",
            cluster_role(
                "cluster-admin",
                vec![rule(&["*"], &["*"], &["*"]), urls(&["*"], &["*"])],
            ),
        ),
        ("clusterroles", cluster_role("admin", admin_rules())),
        ("clusterroles", cluster_role("edit", edit_rules())),
        ("clusterroles", cluster_role("view", view_rules())),
        (
            "clusterroles",
            cluster_role(
                "system:basic-user",
                vec![
                    rule(
                        &["create"],
                        &["authorization.k8s.io"],
                        &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                    ),
                    rule(
                        &["create"],
                        &["authentication.k8s.io"],
                        &["selfsubjectreviews"],
                    ),
                ],
            ),
        ),
        (
            "clusterroles",
            cluster_role("system:discovery", vec![urls(&["get"], &discovery)]),
        ),
        (
            "clusterroles",
            cluster_role("system:public-info-viewer", vec![urls(&["get"], &public)]),
        ),
        (
            "clusterroles",
            cluster_role(
                "system:auth-delegator",
                vec![
                    rule(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
                    rule(
                        &["create"],
                        &["authorization.k8s.io"],
                        &["subjectaccessreviews"],
                    ),
                ],
            ),
        ),
        (
            "clusterroles",
            cluster_role(
                "system:service-account-issuer-discovery",
                vec![urls(
                    &["get"],
                    &[
                        "/.well-known/openid-configuration",
                        "/.well-known/openid-configuration/",
                        "/openid/v1/jwks",
                        "/openid/v1/jwks/",
                    ],
                )],
            ),
        ),
        (
            "clusterrolebindings",
            binding("cluster-admin", "cluster-admin", &["system:masters"]),
        ),
        (
            "clusterrolebindings",
            binding(
                "system:service-account-issuer-discovery",
                "system:service-account-issuer-discovery",
                &[
                    "system:serviceaccounts",
                    "system:authenticated",
                    "system:unauthenticated",
                ],
            ),
        ),
        (
            "clusterrolebindings",
            binding("system:basic-user", "system:basic-user", &authenticated),
        ),
        (
            "clusterrolebindings",
            binding("system:discovery", "system:discovery", &authenticated),
        ),
        (
            "clusterrolebindings",
            binding(
                "system:public-info-viewer",
                "system:public-info-viewer",
                &["system:authenticated", "system:unauthenticated"],
            ),
        ),
    ]
}

pub fn seed(store: &Store) -> Result<()> {
    for (resource, obj) in objects() {
        store
            .create(resource, "", obj)
            .map_err(|e| anyhow!("seed the RBAC policy: {e}"))?;
    }
    Ok(())
}
