//! Users of the sandbox and what they may do, for tests: minting a user (a bearer token, with
//! groups), and granting it rights the way a cluster admin would — RBAC objects in the store
//! (a Role and RoleBinding for a list of `(verb, resource)` pairs, or a binding to an existing
//! Role or ClusterRole).

use std::sync::Arc;

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

use crate::api::registry;
use crate::api::resources::{self, Resource};
use crate::cluster::{Cluster, User};

/// The role a user is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleRef<'a> {
    /// A Role in its namespace (a RoleBinding there).
    Role { namespace: &'a str, name: &'a str },
    /// A ClusterRole everywhere (a ClusterRoleBinding).
    ClusterRole(&'a str),
    /// A ClusterRole within one namespace (a RoleBinding there).
    ClusterRoleIn { namespace: &'a str, name: &'a str },
}

fn token() -> String {
    let b: [u8; 24] = rand::random();
    format!("sandbox.{}", hex::encode(b))
}

/// Adds a user known by a new bearer token, member of `groups` (and of
/// `system:authenticated`, as every authenticated user is). Returns the token.
pub fn mint_user(c: &Cluster, name: &str, groups: &[&str]) -> Result<String> {
    let token = token();
    let mut groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    if !groups.iter().any(|g| g == "system:authenticated") {
        groups.push("system:authenticated".into());
    }
    c.users
        .lock()
        .map_err(|_| anyhow!("users lock"))?
        .push(User {
            name: name.into(),
            uid: crate::store::new_uid(),
            token: token.clone(),
            groups,
        });
    Ok(token)
}

fn rbac(plural: &str) -> &'static Resource {
    resources::find("rbac.authorization.k8s.io", "v1", plural).expect("RBAC resources are served")
}

/// Creates an RBAC object, or replaces the one of that name.
fn put(c: &Arc<Cluster>, plural: &str, namespace: &str, obj: Value) -> Result<()> {
    let res = rbac(plural);
    let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
    let result = if c.store.get_shared(plural, namespace, &name).is_some() {
        registry::update(
            c,
            res,
            namespace,
            &name,
            registry::Part::Main,
            false,
            |cur| {
                let rv = cur["metadata"]["resourceVersion"].clone();
                *cur = obj;
                cur["metadata"]["resourceVersion"] = rv;
                Ok(())
            },
        )
    } else {
        registry::create(c, res, namespace, obj, false)
    };
    result
        .map(|_| ())
        .map_err(|e| anyhow!("{plural} {name}: {e}"))
}

/// The rule for one `(verb, resource)` pair; `resource` may name a subresource (`pods/exec`)
/// and `"*"` stands for any verb or resource.
fn flat_rule(verb: &str, resource: &str) -> Value {
    let base = resource.split('/').next().unwrap_or(resource);
    let group = match base {
        "*" => "*",
        _ => resources::by_plural(base).map_or("", |r| r.group),
    };
    json!({"verbs": [verb], "apiGroups": [group], "resources": [resource]})
}

/// Grants `user` the `(verb, resource)` pairs in the sandbox's namespace: a Role
/// `sandbox-user-<user>` and a RoleBinding of it to the user.
pub fn grant_rules(c: &Arc<Cluster>, user: &str, rules: &[(&str, &str)]) -> Result<()> {
    let ns = c.ns().to_string();
    let role = format!("sandbox-user-{user}");
    let rules: Vec<Value> = rules.iter().map(|(v, r)| flat_rule(v, r)).collect();
    put(
        c,
        "roles",
        &ns,
        json!({"metadata": {"name": role}, "rules": rules}),
    )?;
    bind(
        c,
        user,
        RoleRef::Role {
            namespace: &ns,
            name: &role,
        },
    )
}

/// Binds `user` to a role: a RoleBinding (in the role's namespace) or a ClusterRoleBinding,
/// named `<user>-<role>`.
pub fn bind(c: &Arc<Cluster>, user: &str, role: RoleRef) -> Result<()> {
    let subject = json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]);
    let (plural, ns, kind, name) = match role {
        RoleRef::Role { namespace, name } => ("rolebindings", namespace, "Role", name),
        RoleRef::ClusterRole(name) => ("clusterrolebindings", "", "ClusterRole", name),
        RoleRef::ClusterRoleIn { namespace, name } => {
            ("rolebindings", namespace, "ClusterRole", name)
        }
    };
    let binding = format!("{user}-{}", name.replace(':', "-"));
    put(
        c,
        plural,
        ns,
        json!({"metadata": {"name": binding},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": name},
               "subjects": subject}),
    )
}
