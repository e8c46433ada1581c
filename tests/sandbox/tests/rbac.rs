//! RBAC as a real cluster does it, seen by the real kubectl: Roles, ClusterRoles and their
//! bindings decide what each user may do (with the API server's Forbidden messages);
//! `kubectl auth can-i` (SelfSubjectAccessReview and SelfSubjectRulesReview) answers from the
//! same rules; impersonation needs the `impersonate` verb; the sandbox's own endpoints serve
//! its admin only.

mod common;

use common::*;
use serde_json::{Value, json};
use vault_sandbox::{Kubectl, RoleRef};

fn can_i(k: &Kubectl, args: &[&str]) -> (String, Option<i32>) {
    let mut argv = vec!["auth", "can-i"];
    argv.extend_from_slice(args);
    let out = k.run(&argv);
    (stdout(&out).trim().to_string(), out.status.code())
}

fn rbac(kind: &str, name: &str, rest: Value) -> Value {
    let mut o = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": name}});
    for (k, v) in rest.as_object().unwrap() {
        o[k] = v.clone();
    }
    o
}

fn to_user(user: &str) -> Value {
    json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}])
}

#[test]
fn roles_bindings_reviews_and_impersonation() {
    let sb = sandbox("rbac", 1);
    let k = sb.kubectl();
    let as_user = |name: &str| k.with_kubeconfig(&sb.new_user(name, &[]).unwrap());

    // A Role that allows reading pods, applied with kubectl, bound to alice.
    apply(
        &sb,
        &k,
        "pod-reader",
        &[
            rbac(
                "Role",
                "pod-reader",
                json!({"metadata": {"name": "pod-reader", "namespace": "vault"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}),
            ),
            rbac(
                "RoleBinding",
                "alice-reads-pods",
                json!({"metadata": {"name": "alice-reads-pods", "namespace": "vault"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
            "subjects": to_user("alice")}),
            ),
        ],
    );
    let alice = as_user("alice");
    let pods = alice.json(["get", "pods"]).expect("alice lists pods");
    assert_eq!(pods["items"][0]["metadata"]["name"], "vault-0");
    let err = fails(&alice, &["exec", "vault-0", "--", "true"]);
    assert!(
        err.contains("Error from server (Forbidden): pods \"vault-0\" is forbidden: User \"alice\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"vault\""),
        "{err}"
    );
    let err = fails(&alice, &["get", "secrets"]);
    assert!(
        err.contains("Error from server (Forbidden): secrets is forbidden: User \"alice\" cannot list resource \"secrets\" in API group \"\" in the namespace \"vault\""),
        "{err}"
    );
    assert_eq!(can_i(&alice, &["get", "pods"]), ("yes".into(), Some(0)));
    assert_eq!(
        can_i(&alice, &["create", "pods/exec", "-n", "vault"]),
        ("no".into(), Some(1))
    );
    assert_eq!(
        can_i(&alice, &["get", "pods", "-n", "default"]),
        ("no".into(), Some(1))
    );
    let (list, code) = can_i(&alice, &["--list"]);
    assert_eq!(code, Some(0), "{list}");
    let row = |resource: &str| {
        list.lines()
            .find(|l| l.split_whitespace().next() == Some(resource))
            .unwrap_or_else(|| panic!("no {resource} in:\n{list}"))
            .to_string()
    };
    assert!(row("pods").ends_with("[get list]"), "{list}");
    assert!(
        row("selfsubjectaccessreviews.authorization.k8s.io").ends_with("[create]"),
        "{list}"
    );
    assert!(!list.lines().any(|l| l.starts_with("secrets")), "{list}");

    // A ClusterRole through a ClusterRoleBinding: everywhere, cluster-scoped resources too.
    let bob = k.with_kubeconfig(
        &sb.add_user_with_role("bob", RoleRef::ClusterRole("view"))
            .unwrap(),
    );
    bob.ok(["get", "statefulsets"])
        .expect("bob views statefulsets");
    bob.ok(["get", "pods", "-n", "default"])
        .expect("bob views pods anywhere");
    let err = fails(&bob, &["get", "nodes"]);
    assert!(
        err.contains("nodes is forbidden: User \"bob\" cannot list resource \"nodes\" in API group \"\" at the cluster scope"),
        "{err}"
    );
    apply(
        &sb,
        &k,
        "node-reader",
        &[
            rbac(
                "ClusterRole",
                "node-reader",
                json!({"rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]}),
            ),
            rbac(
                "ClusterRoleBinding",
                "bob-reads-nodes",
                json!({
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "node-reader"},
            "subjects": to_user("bob")}),
            ),
        ],
    );
    bob.ok(["get", "nodes"])
        .expect("bob reads nodes once bound");
    let bindings = k
        .ok(["get", "clusterrolebinding", "bob-reads-nodes"])
        .expect("kubectl get clusterrolebinding");
    assert!(bindings.contains("ClusterRole/node-reader"), "{bindings}");

    // resourceNames: one Secret, not the others, and no list.
    k.ok(["create", "secret", "generic", "other", "--from-literal=a=1"])
        .expect("create secret");
    let role = sb
        .create("roles", "vault", json!({"metadata": {"name": "one-secret"},
            "rules": [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["vault-tls"], "verbs": ["get"]}]}))
        .unwrap();
    assert_eq!(role["kind"], "Role");
    let carol = k.with_kubeconfig(
        &sb.add_user_with_role(
            "carol",
            RoleRef::Role {
                namespace: "vault",
                name: "one-secret",
            },
        )
        .unwrap(),
    );
    carol
        .ok(["get", "secret", "vault-tls"])
        .expect("carol reads vault-tls");
    let err = fails(&carol, &["get", "secret", "other"]);
    assert!(
        err.contains("secrets \"other\" is forbidden: User \"carol\" cannot get resource \"secrets\" in API group \"\" in the namespace \"vault\""),
        "{err}"
    );
    fails(&carol, &["get", "secrets"]);

    // Impersonation needs the impersonate verb.
    let err = fails(&alice, &["get", "pods", "--as", "bob"]);
    assert!(
        err.contains("users \"bob\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"),
        "{err}"
    );
    sb.create("clusterroles", "", json!({"metadata": {"name": "impersonator"},
        "rules": [{"apiGroups": [""], "resources": ["users", "groups"], "verbs": ["impersonate"]}]}))
        .unwrap();
    let dave = k.with_kubeconfig(
        &sb.add_user_with_role("dave", RoleRef::ClusterRole("impersonator"))
            .unwrap(),
    );
    fails(&dave, &["get", "pods"]);
    dave.ok(["get", "pods", "--as", "alice"])
        .expect("dave acts as alice");
    let err = fails(&dave, &["get", "secrets", "--as", "alice"]);
    assert!(
        err.contains("User \"alice\" cannot list resource \"secrets\""),
        "{err}"
    );
    let who = dave
        .json(["auth", "whoami", "--as", "alice", "--as-group", "devs"])
        .expect("kubectl auth whoami");
    assert_eq!(who["status"]["userInfo"]["username"], "alice", "{who}");
    assert_eq!(
        who["status"]["userInfo"]["groups"],
        json!(["devs", "system:authenticated"]),
        "{who}"
    );
    assert_eq!(
        can_i(&k, &["create", "pods/exec", "--as", "alice"]),
        ("no".into(), Some(1))
    );
    assert_eq!(
        can_i(&k, &["list", "pods", "--as", "alice"]),
        ("yes".into(), Some(0))
    );

    // SubjectAccessReview, as the admin asks it about another user.
    let sar = sb.dir().join("sar.json");
    std::fs::write(&sar, json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
        "spec": {"user": "carol", "resourceAttributes": {"namespace": "vault", "verb": "get", "resource": "secrets", "name": "vault-tls"}}})
        .to_string()).unwrap();
    // Reviews have no PATCH for kubectl's server-side validation probe, and the sandbox
    // serves no OpenAPI v2 schemas for its client-side fallback.
    let review = k
        .json(["create", "--validate=false", "-f", sar.to_str().unwrap()])
        .expect("create a SubjectAccessReview");
    assert_eq!(review["status"]["allowed"], true, "{review}");
    assert_eq!(
        review["status"]["reason"],
        "RBAC: allowed by RoleBinding \"carol-one-secret/vault\" of Role \"one-secret\" to User \"carol\""
    );

    // Today's flat rules become a Role and RoleBinding.
    let eve = k.with_kubeconfig(
        &sb.add_user("eve", &[("get", "pods"), ("get", "pods/log")])
            .unwrap(),
    );
    eve.ok(["logs", "vault-0", "--tail=1"])
        .expect("eve reads logs");
    fails(&eve, &["get", "secrets"]);
    let role = k
        .json(["get", "role", "sandbox-user-eve"])
        .expect("eve's Role");
    assert_eq!(role["rules"][1]["resources"], json!(["pods/log"]));

    // The sandbox's own endpoints are for its admin only.
    k.ok(["get", "--raw", "/sandbox/v1/status"])
        .expect("the admin reads the sandbox status");
    for (who, user) in [(&alice, "alice"), (&bob, "bob")] {
        let err = fails(who, &["get", "--raw", "/sandbox/v1/status"]);
        assert!(
            err.contains(&format!(
                "forbidden: User \"{user}\" cannot get path \"/sandbox/v1/status\""
            )),
            "{err}"
        );
    }
    let err = fails(&k, &["get", "--raw", "/sandbox/v1/status", "--as", "alice"]);
    assert!(err.contains("User \"alice\" cannot get path"), "{err}");
}
