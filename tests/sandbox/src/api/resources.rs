//! The resources the sandbox serves: names, scope, verbs, subresources and the field selectors
//! each supports. Discovery, routing, RBAC and the handlers all read this one table; a new
//! API group is a few more rows here (and a handler when it is not plain stored objects).

use serde_json::Value;

#[derive(Debug, Clone, Copy)]
pub struct Resource {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short: &'static [&'static str],
    pub subresources: &'static [&'static str],
    pub verbs: &'static [&'static str],
    /// Objects kept in the store (false: a review that is answered, never stored).
    pub stored: bool,
    /// Field selector labels; None: only `metadata.name` and `metadata.namespace`, which
    /// every resource supports (the API server's default, with its own error wording).
    pub fields: Option<&'static [&'static str]>,
}

/// The field labels Events support (involvedObject.* in the core shape the store holds).
const EVENT_FIELDS: &[&str] = &[
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
    "metadata.namespace",
    "metadata.name",
];

/// The verbs of a resource served as plain stored objects.
pub const CRUD: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

impl Resource {
    pub const fn new(
        group: &'static str,
        plural: &'static str,
        singular: &'static str,
        kind: &'static str,
    ) -> Resource {
        Resource {
            group,
            version: "v1",
            plural,
            singular,
            kind,
            namespaced: true,
            short: &[],
            subresources: &[],
            verbs: CRUD,
            stored: true,
            fields: None,
        }
    }

    pub const fn cluster_scoped(self) -> Resource {
        Resource {
            namespaced: false,
            ..self
        }
    }

    pub const fn short(self, short: &'static [&'static str]) -> Resource {
        Resource { short, ..self }
    }

    pub const fn subresources(self, subresources: &'static [&'static str]) -> Resource {
        Resource {
            subresources,
            ..self
        }
    }

    pub const fn verbs(self, verbs: &'static [&'static str]) -> Resource {
        Resource { verbs, ..self }
    }

    pub const fn fields(self, fields: &'static [&'static str]) -> Resource {
        Resource {
            fields: Some(fields),
            ..self
        }
    }

    /// A review: POST it and read the answer in its status; nothing is stored.
    pub const fn review(self) -> Resource {
        Resource {
            verbs: &["create"],
            stored: false,
            ..self
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn allows(&self, verb: &str) -> bool {
        self.verbs.contains(&verb)
    }

    pub fn has_subresource(&self, sub: &str) -> bool {
        self.subresources.contains(&sub)
    }

    /// The kind and verbs discovery lists for one of its subresources.
    pub fn subresource_discovery(&self, sub: &str) -> (&'static str, &'static [&'static str]) {
        match sub {
            "exec" | "portforward" => ("PodExecOptions", &["create", "get"]),
            "log" => ("Pod", &["get"]),
            "proxy" => ("NodeProxyOptions", &["get"]),
            "scale" => ("Scale", &["get", "patch", "update"]),
            "token" => ("TokenRequest", &["create"]),
            _ => (self.kind, &["get", "patch", "update"]),
        }
    }

    pub fn verbs_json(&self) -> Value {
        Value::from(self.verbs.to_vec())
    }
}

pub static RESOURCES: &[Resource] = &[
    Resource::new("", "pods", "pod", "Pod")
        .short(&["po"])
        .subresources(&["exec", "log", "portforward", "status"])
        .fields(&[
            "metadata.name",
            "metadata.namespace",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
            "spec.host",
        ]),
    Resource::new("", "services", "service", "Service")
        .short(&["svc"])
        .fields(&[
            "metadata.namespace",
            "metadata.name",
            "spec.clusterIP",
            "spec.type",
        ]),
    Resource::new("", "configmaps", "configmap", "ConfigMap").short(&["cm"]),
    Resource::new("", "secrets", "secret", "Secret").fields(&[
        "type",
        "metadata.namespace",
        "metadata.name",
    ]),
    Resource::new("", "serviceaccounts", "serviceaccount", "ServiceAccount")
        .short(&["sa"])
        .subresources(&["token"]),
    Resource::new(
        "",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
    )
    .short(&["pvc"])
    .subresources(&["status"]),
    Resource::new("", "events", "event", "Event")
        .short(&["ev"])
        .fields(EVENT_FIELDS),
    // events.k8s.io/v1: the same stored Events in the newer shape (events_v1.rs).
    Resource::new("events.k8s.io", "events", "event", "Event")
        .short(&["ev"])
        .fields(EVENT_FIELDS),
    Resource::new("", "namespaces", "namespace", "Namespace")
        .cluster_scoped()
        .short(&["ns"])
        .subresources(&["status"])
        .verbs(&[
            "create", "delete", "get", "list", "patch", "update", "watch",
        ])
        .fields(&["status.phase", "metadata.name"]),
    Resource::new("", "nodes", "node", "Node")
        .cluster_scoped()
        .short(&["no"])
        .subresources(&["proxy", "status"])
        .verbs(&["get", "list", "patch", "update", "watch"])
        .fields(&["metadata.name", "spec.unschedulable"]),
    Resource::new(
        "storage.k8s.io",
        "storageclasses",
        "storageclass",
        "StorageClass",
    )
    .cluster_scoped()
    .short(&["sc"]),
    Resource::new("apps", "statefulsets", "statefulset", "StatefulSet")
        .short(&["sts"])
        .subresources(&["scale", "status"]),
    Resource::new(
        "authentication.k8s.io",
        "selfsubjectreviews",
        "",
        "SelfSubjectReview",
    )
    .cluster_scoped()
    .review(),
    Resource::new("authentication.k8s.io", "tokenreviews", "", "TokenReview")
        .cluster_scoped()
        .review(),
    Resource::new(
        "authorization.k8s.io",
        "selfsubjectaccessreviews",
        "",
        "SelfSubjectAccessReview",
    )
    .cluster_scoped()
    .review(),
    Resource::new(
        "authorization.k8s.io",
        "selfsubjectrulesreviews",
        "",
        "SelfSubjectRulesReview",
    )
    .cluster_scoped()
    .review(),
    Resource::new(
        "authorization.k8s.io",
        "subjectaccessreviews",
        "",
        "SubjectAccessReview",
    )
    .cluster_scoped()
    .review(),
    Resource::new(
        "authorization.k8s.io",
        "localsubjectaccessreviews",
        "",
        "LocalSubjectAccessReview",
    )
    .review(),
    // cert-manager's Certificate, as its CRD serves it (status subresource; no controller: a
    // test plays cert-manager).
    Resource::new(
        "cert-manager.io",
        "certificates",
        "certificate",
        "Certificate",
    )
    .short(&["cert", "certs"])
    .subresources(&["status"]),
    Resource::new("rbac.authorization.k8s.io", "roles", "role", "Role"),
    Resource::new(
        "rbac.authorization.k8s.io",
        "rolebindings",
        "rolebinding",
        "RoleBinding",
    ),
    Resource::new(
        "rbac.authorization.k8s.io",
        "clusterroles",
        "clusterrole",
        "ClusterRole",
    )
    .cluster_scoped(),
    Resource::new(
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
    )
    .cluster_scoped(),
];

pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

pub fn by_plural(plural: &str) -> Option<&'static Resource> {
    RESOURCES.iter().find(|r| r.plural == plural)
}

/// The resource of an object's `apiVersion` and `kind` (an owner reference, a role ref).
pub fn by_kind(api_version: &str, kind: &str) -> Option<&'static Resource> {
    RESOURCES
        .iter()
        .find(|r| r.kind == kind && r.api_version() == api_version)
}
