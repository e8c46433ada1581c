//! The resources the sandbox serves, and the discovery documents kubectl and kube-rs read.

use serde_json::{Value, json};

pub struct Resource {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short: &'static [&'static str],
    pub subresources: &'static [&'static str],
}

impl Resource {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn verbs(&self) -> Value {
        match self.plural {
            "tokenreviews" => json!(["create"]),
            "nodes" | "namespaces" => json!(["get", "list", "watch"]),
            _ => json!([
                "create", "delete", "get", "list", "patch", "update", "watch"
            ]),
        }
    }
}

const fn core(
    plural: &'static str,
    singular: &'static str,
    kind: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    subresources: &'static [&'static str],
) -> Resource {
    Resource {
        group: "",
        version: "v1",
        plural,
        singular,
        kind,
        namespaced,
        short,
        subresources,
    }
}

pub static RESOURCES: &[Resource] = &[
    core(
        "pods",
        "pod",
        "Pod",
        true,
        &["po"],
        &["exec", "log", "portforward", "status"],
    ),
    core("services", "service", "Service", true, &["svc"], &[]),
    core("configmaps", "configmap", "ConfigMap", true, &["cm"], &[]),
    core("secrets", "secret", "Secret", true, &[], &[]),
    core(
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
        &["sa"],
        &["token"],
    ),
    core(
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        true,
        &["pvc"],
        &["status"],
    ),
    core("events", "event", "Event", true, &["ev"], &[]),
    core(
        "namespaces",
        "namespace",
        "Namespace",
        false,
        &["ns"],
        &["status"],
    ),
    core(
        "nodes",
        "node",
        "Node",
        false,
        &["no"],
        &["proxy", "status"],
    ),
    Resource {
        group: "apps",
        version: "v1",
        plural: "statefulsets",
        singular: "statefulset",
        kind: "StatefulSet",
        namespaced: true,
        short: &["sts"],
        subresources: &["scale", "status"],
    },
    Resource {
        group: "events.k8s.io",
        version: "v1",
        plural: "events",
        singular: "event",
        kind: "Event",
        namespaced: true,
        short: &["ev"],
        subresources: &[],
    },
    Resource {
        group: "authentication.k8s.io",
        version: "v1",
        plural: "tokenreviews",
        singular: "tokenreview",
        kind: "TokenReview",
        namespaced: false,
        short: &[],
        subresources: &[],
    },
];

pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

pub fn by_plural(plural: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.plural == plural)
}

pub fn version() -> Value {
    json!({
        "major": "1", "minor": "33", "gitVersion": "v1.33.0-vault-sandbox", "gitCommit": "vault-sandbox",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24.0",
        "compiler": "gc", "platform": "linux/amd64",
    })
}

pub fn api_versions(server: &str) -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"],
           "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server}]})
}

fn groups() -> Vec<&'static str> {
    let mut gs: Vec<&str> = RESOURCES
        .iter()
        .map(|r| r.group)
        .filter(|g| !g.is_empty())
        .collect();
    gs.dedup();
    gs
}

pub fn api_group_list() -> Value {
    let groups: Vec<Value> = groups()
        .into_iter()
        .map(|g| {
            let gv = json!({"groupVersion": format!("{g}/v1"), "version": "v1"});
            json!({"name": g, "versions": [gv.clone()], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn api_group(group: &str) -> Option<Value> {
    groups().contains(&group).then(|| {
        let gv = json!({"groupVersion": format!("{group}/v1"), "version": "v1"});
        json!({"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": [gv.clone()], "preferredVersion": gv})
    })
}

pub fn api_resource_list(group: &str, version: &str) -> Option<Value> {
    let rs: Vec<&Resource> = RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
        .collect();
    if rs.is_empty() {
        return None;
    }
    let mut list = Vec::new();
    for r in &rs {
        list.push(json!({
            "name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
            "verbs": r.verbs(), "shortNames": r.short,
        }));
        for sub in r.subresources {
            let (kind, verbs) = match *sub {
                "exec" | "portforward" => ("PodExecOptions", json!(["create", "get"])),
                "log" => ("Pod", json!(["get"])),
                "token" => ("TokenRequest", json!(["create"])),
                "proxy" => ("NodeProxyOptions", json!(["get"])),
                "scale" => ("Scale", json!(["get", "patch", "update"])),
                _ => (r.kind, json!(["get", "patch", "update"])),
            };
            list.push(json!({"name": format!("{}/{sub}", r.plural), "singularName": "", "namespaced": r.namespaced,
                             "kind": kind, "verbs": verbs}));
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list}),
    )
}

/// Just enough OpenAPI v3 for `kubectl apply` to find the PATCH operations it validates with.
pub fn openapi_v3_root() -> Value {
    json!({"paths": {
        "api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=1"},
        "apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=1"},
    }})
}

pub fn openapi_v3(gv_path: &str) -> Option<Value> {
    let (prefix, group) = match gv_path {
        "api/v1" => ("/api/v1", ""),
        "apis/apps/v1" => ("/apis/apps/v1", "apps"),
        _ => return None,
    };
    let mut paths = serde_json::Map::new();
    for r in RESOURCES.iter().filter(|r| r.group == group) {
        let path = if r.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", r.plural)
        } else {
            format!("{prefix}/{}/{{name}}", r.plural)
        };
        paths.insert(path, json!({"patch": {
            "x-kubernetes-group-version-kind": {"group": r.group, "version": r.version, "kind": r.kind},
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}},
        }}));
    }
    Some(
        json!({"openapi": "3.0.0", "info": {"title": "vault-sandbox", "version": "v1"}, "paths": paths}),
    )
}
