//! `meta.k8s.io/v1` Table responses, so that `kubectl get` prints the columns a real cluster
//! prints (READY, STATUS, RESTARTS, AGE for pods, …).

use serde_json::{Value, json};

use super::paging::ListMeta;
use crate::time::{age_of, human_age, seconds_since};

/// What the row's `object` carries (`includeObject` query parameter).
#[derive(Clone, Copy, PartialEq)]
pub enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    pub fn parse(s: Option<&str>) -> Include {
        match s {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        }
    }
}

/// Whether the client asked for a Table (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
pub fn wants_table(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table") && first.contains("g=meta.k8s.io"))
}

fn col(name: &str, priority: u8) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": "string", "format": format, "description": "", "priority": priority})
}

fn columns(resource: &str) -> Vec<Value> {
    let named = |cols: &[(&str, u8)]| cols.iter().map(|(n, p)| col(n, *p)).collect();
    match resource {
        "pods" => named(&[
            ("Name", 0),
            ("Ready", 0),
            ("Status", 0),
            ("Restarts", 0),
            ("Age", 0),
            ("IP", 1),
            ("Node", 1),
            ("Nominated Node", 1),
            ("Readiness Gates", 1),
        ]),
        "statefulsets" => named(&[
            ("Name", 0),
            ("Ready", 0),
            ("Age", 0),
            ("Containers", 1),
            ("Images", 1),
        ]),
        "persistentvolumeclaims" => named(&[
            ("Name", 0),
            ("Status", 0),
            ("Volume", 0),
            ("Capacity", 0),
            ("Access Modes", 0),
            ("StorageClass", 0),
            ("VolumeAttributesClass", 0),
            ("Age", 0),
            ("VolumeMode", 1),
        ]),
        "events" => named(&[
            ("Last Seen", 0),
            ("Type", 0),
            ("Reason", 0),
            ("Object", 0),
            ("Subobject", 1),
            ("Source", 1),
            ("Message", 0),
            ("First Seen", 1),
            ("Count", 1),
            ("Name", 1),
        ]),
        "services" => named(&[
            ("Name", 0),
            ("Type", 0),
            ("Cluster-IP", 0),
            ("External-IP", 0),
            ("Port(s)", 0),
            ("Age", 0),
            ("Selector", 1),
        ]),
        "secrets" => named(&[("Name", 0), ("Type", 0), ("Data", 0), ("Age", 0)]),
        "configmaps" => named(&[("Name", 0), ("Data", 0), ("Age", 0)]),
        "serviceaccounts" => named(&[("Name", 0), ("Secrets", 0), ("Age", 0)]),
        "namespaces" => named(&[("Name", 0), ("Status", 0), ("Age", 0)]),
        "storageclasses" => named(&[
            ("Name", 0),
            ("Provisioner", 0),
            ("ReclaimPolicy", 0),
            ("VolumeBindingMode", 0),
            ("AllowVolumeExpansion", 0),
            ("Age", 0),
        ]),
        "nodes" => named(&[
            ("Name", 0),
            ("Status", 0),
            ("Roles", 0),
            ("Age", 0),
            ("Version", 0),
            ("Internal-IP", 1),
        ]),
        // The Certificate CRD's additionalPrinterColumns.
        "certificates" => named(&[
            ("Name", 0),
            ("Ready", 0),
            ("Secret", 0),
            ("Issuer", 1),
            ("Status", 1),
            ("Age", 0),
        ]),
        "roles" | "clusterroles" => named(&[("Name", 0), ("Created At", 0)]),
        "rolebindings" | "clusterrolebindings" => named(&[
            ("Name", 0),
            ("Role", 0),
            ("Age", 0),
            ("Users", 1),
            ("Groups", 1),
            ("ServiceAccounts", 1),
        ]),
        _ => named(&[("Name", 0), ("Age", 0)]),
    }
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// kubectl's STATUS column for a pod.
pub fn pod_status(pod: &Value) -> String {
    if !pod["metadata"]["deletionTimestamp"].is_null() {
        return "Terminating".into();
    }
    let mut reason = s(&pod["status"]["phase"]);
    for cs in pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(r) = cs["state"]["waiting"]["reason"].as_str() {
            reason = r.into();
        } else if let Some(r) = cs["state"]["terminated"]["reason"].as_str() {
            reason = r.into();
        }
    }
    reason
}

fn cells(resource: &str, o: &Value) -> Vec<Value> {
    let m = &o["metadata"];
    let name = json!(s(&m["name"]));
    let age = json!(age_of(m["creationTimestamp"].as_str()));
    match resource {
        "pods" => {
            let statuses = o["status"]["containerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let total = o["spec"]["containers"].as_array().map_or(0, Vec::len);
            let ready = statuses.iter().filter(|c| c["ready"] == true).count();
            let restarts: u64 = statuses
                .iter()
                .map(|c| c["restartCount"].as_u64().unwrap_or(0))
                .sum();
            let last = statuses
                .iter()
                .filter_map(|c| c["lastState"]["terminated"]["finishedAt"].as_str())
                .max();
            let restarts = match last {
                Some(t) if restarts > 0 => {
                    format!("{restarts} ({} ago)", human_age(seconds_since(t)))
                }
                _ => restarts.to_string(),
            };
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(pod_status(o)),
                json!(restarts),
                age,
                json!(s(&o["status"]["podIP"])),
                json!(s(&o["spec"]["nodeName"])),
                json!("<none>"),
                json!("<none>"),
            ]
        }
        "statefulsets" => vec![
            name,
            json!(format!(
                "{}/{}",
                o["status"]["readyReplicas"].as_u64().unwrap_or(0),
                o["spec"]["replicas"].as_u64().unwrap_or(0)
            )),
            age,
            json!(
                o["spec"]["template"]["spec"]["containers"]
                    .as_array()
                    .map(|cs| cs
                        .iter()
                        .map(|c| s(&c["name"]))
                        .collect::<Vec<_>>()
                        .join(","))
                    .unwrap_or_default()
            ),
            json!(
                o["spec"]["template"]["spec"]["containers"]
                    .as_array()
                    .map(|cs| cs
                        .iter()
                        .map(|c| s(&c["image"]))
                        .collect::<Vec<_>>()
                        .join(","))
                    .unwrap_or_default()
            ),
        ],
        "persistentvolumeclaims" => vec![
            name,
            // kubectl's printer: a deleted claim held by its finalizer is Terminating.
            json!(if o["metadata"]["deletionTimestamp"].is_null() {
                s(&o["status"]["phase"])
            } else {
                "Terminating".to_string()
            }),
            json!(s(&o["spec"]["volumeName"])),
            json!(s(&o["status"]["capacity"]["storage"])),
            json!("RWO"),
            json!(s(&o["spec"]["storageClassName"])),
            json!("<unset>"),
            age,
            json!(s(&o["spec"]["volumeMode"])),
        ],
        "events" => {
            let last = o["lastTimestamp"].as_str().or(o["eventTime"].as_str());
            let obj = format!(
                "{}/{}",
                s(&o["involvedObject"]["kind"]).to_lowercase(),
                s(&o["involvedObject"]["name"])
            );
            vec![
                json!(age_of(last)),
                json!(s(&o["type"])),
                json!(s(&o["reason"])),
                json!(obj),
                json!(s(&o["involvedObject"]["fieldPath"])),
                json!(s(&o["source"]["component"])),
                json!(s(&o["message"])),
                json!(age_of(o["firstTimestamp"].as_str())),
                json!(o["count"].as_u64().unwrap_or(1)),
                name,
            ]
        }
        "services" => {
            let ports = o["spec"]["ports"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| format!("{}/{}", p["port"], s(&p["protocol"])))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            vec![
                name,
                json!(s(&o["spec"]["type"])),
                json!(s(&o["spec"]["clusterIP"])),
                json!("<none>"),
                json!(ports),
                age,
                json!(s(&o["spec"]["selector"])),
            ]
        }
        "secrets" => vec![
            name,
            json!(s(&o["type"])),
            json!(o["data"].as_object().map_or(0, |d| d.len())),
            age,
        ],
        "configmaps" => vec![
            name,
            json!(o["data"].as_object().map_or(0, |d| d.len())),
            age,
        ],
        "serviceaccounts" => vec![name, json!(0), age],
        "namespaces" => vec![name, json!(s(&o["status"]["phase"])), age],
        "storageclasses" => vec![
            // kube's printer marks the default class in the name.
            if o["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
            {
                json!(format!("{} (default)", s(&o["metadata"]["name"])))
            } else {
                name
            },
            json!(s(&o["provisioner"])),
            json!(s(&o["reclaimPolicy"])),
            json!(s(&o["volumeBindingMode"])),
            json!(o["allowVolumeExpansion"] == true),
            age,
        ],
        "nodes" => vec![
            name,
            json!("Ready"),
            json!("control-plane"),
            age,
            json!("v1.33.0"),
            json!(s(&o["status"]["addresses"][0]["address"])),
        ],
        "roles" | "clusterroles" => vec![name, json!(s(&m["creationTimestamp"]))],
        "rolebindings" | "clusterrolebindings" => {
            let of = |kind: &str| {
                let names: Vec<String> = o["subjects"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|x| x["kind"] == kind)
                    .map(|x| match x["namespace"].as_str() {
                        Some(ns) if kind == "ServiceAccount" => format!("{ns}/{}", s(&x["name"])),
                        _ => s(&x["name"]),
                    })
                    .collect();
                json!(names.join(", "))
            };
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    s(&o["roleRef"]["kind"]),
                    s(&o["roleRef"]["name"])
                )),
                age,
                of("User"),
                of("Group"),
                of("ServiceAccount"),
            ]
        }
        "certificates" => {
            let ready = o["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["type"] == "Ready");
            vec![
                name,
                json!(ready.map(|c| s(&c["status"])).unwrap_or_default()),
                json!(s(&o["spec"]["secretName"])),
                json!(s(&o["spec"]["issuerRef"]["name"])),
                json!(ready.map(|c| s(&c["message"])).unwrap_or_default()),
                age,
            ]
        }
        _ => vec![name, age],
    }
}

pub fn row(resource: &str, o: &Value, include: Include) -> Value {
    let mut row = json!({"cells": cells(resource, o)});
    match include {
        Include::None => {}
        Include::Metadata => {
            row["object"] = json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]});
        }
        Include::Object => row["object"] = o.clone(),
    }
    row
}

pub fn table(resource: &str, items: &[Value], meta: &ListMeta, include: Include) -> Value {
    json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1",
        "metadata": meta.to_json(),
        "columnDefinitions": columns(resource),
        "rows": items.iter().map(|o| row(resource, o, include)).collect::<Vec<_>>(),
    })
}
