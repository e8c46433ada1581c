//! The Kubernetes objects the sandbox serves, shaped like those of the official Vault Helm
//! chart (hashicorp/vault-helm) with its HA raft defaults and TLS enabled, or of the OpenBao
//! chart, or without TLS (see [`Variant`]).

use std::net::Ipv4Addr;

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub use crate::chart::{Chart, Variant};
use crate::time;

pub const NODE_NAME: &str = "sandbox-node";
pub const CONFIG_KEY: &str = "extraconfig-from-values.hcl";
pub const IMAGE: &str = "quay.io/openbao/openbao:2.7.2";
/// The sandbox's own claims: small, as each is a real filesystem on the machine's disk (a
/// sparse image; the chart's default is 10Gi).
pub const PVC_SIZE: &str = "256Mi";
pub const PVC_BYTES: u64 = 256 * 1024 * 1024;
/// The StorageClass every claim of the sandbox is provisioned by.
pub const STORAGE_CLASS: &str = "standard";

/// The labels the chart puts on server pods; the suite's default selector matches them.
pub fn selector_labels(v: &Variant) -> Value {
    json!({
        "app.kubernetes.io/name": v.name(),
        "app.kubernetes.io/instance": v.name(),
        "component": "server",
    })
}

fn chart_labels(v: &Variant) -> Value {
    json!({
        "app.kubernetes.io/name": v.name(),
        "app.kubernetes.io/instance": v.name(),
        "app.kubernetes.io/managed-by": "Helm",
        "helm.sh/chart": v.chart_label(),
    })
}

fn meta(name: &str, namespace: &str, labels: Value) -> Value {
    json!({"name": name, "namespace": namespace, "labels": labels})
}

/// The server configuration as the chart's ConfigMap holds it. The kubelet substitutes
/// POD_IP and HOSTNAME as the chart's entrypoint does with `sed`. The listeners take every
/// address of the pod (so `127.0.0.1:8200` in the pod reaches them); the raft addresses are
/// the pods' names under the headless service, as the chart's HA configuration has them.
/// Without TLS the listener has `tls_disable = 1` (the charts' default) and `api_addr` is
/// http; the cluster port (8201) is TLS either way (the server's own certificates).
pub fn server_config_template(v: &Variant, extra: &str) -> String {
    server_config_with_raft(v, extra, "")
}

/// [`server_config_template`] with `raft_extra` inside the `storage "raft"` stanza (the
/// `retry_join` stanzas).
pub fn server_config_with_raft(v: &Variant, extra: &str, raft_extra: &str) -> String {
    let tls = v.tls_dir();
    let listener_tls = if v.tls {
        format!(
            "  tls_cert_file      = \"{tls}/tls.crt\"\n  tls_key_file       = \"{tls}/tls.key\"\n  tls_client_ca_file = \"{tls}/ca.crt\"\n"
        )
    } else {
        "  tls_disable        = 1\n".to_string()
    };
    let (data, scheme, internal) = (v.data_dir(), v.scheme(), v.internal_service());
    format!(
        r#"ui = false

listener "tcp" {{
  address            = "0.0.0.0:8200"
  cluster_address    = "0.0.0.0:8201"
{listener_tls}}}

storage "raft" {{
  path    = "{data}"
  node_id = "HOSTNAME"
  # Sandbox tuning: faster elections (default 5) and autopilot rounds (defaults 10s/2s),
  # so new voters are promoted within seconds.
  performance_multiplier       = 1
  autopilot_reconcile_interval = "1s"
  autopilot_update_interval    = "500ms"
{raft_extra}}}

api_addr     = "{scheme}://HOSTNAME.{internal}:8200"
cluster_addr = "https://HOSTNAME.{internal}:8201"

telemetry {{
  prometheus_retention_time = "30s"
  disable_hostname          = true
}}
{extra}"#
    )
}

/// The chart's HA raft `retry_join`: one stanza per pod, the leader's API at its name under
/// the headless service, verified with the Vault CA the pods mount. An uninitialised server
/// keeps trying these addresses and completes the join once it is unsealed with the cluster's
/// keys. The stanzas go inside `storage "raft"` (see [`server_config_template`]).
pub fn retry_join_stanzas(v: &Variant, replicas: u32) -> String {
    let (scheme, sts, internal) = (v.scheme(), v.statefulset(), v.internal_service());
    // Plain HTTP (`--tls-disable`) has no CA to verify with.
    let ca = if v.tls {
        format!("\n    leader_ca_cert_file = \"{}/ca.crt\"", v.tls_dir())
    } else {
        String::new()
    };
    (0..replicas)
        .map(|i| {
            format!(
                r#"
  retry_join {{
    leader_api_addr     = "{scheme}://{sts}-{i}.{internal}:8200"{ca}
  }}
"#
            )
        })
        .collect()
}

/// The file audit device, declared in the server configuration: OpenBao refuses audit
/// devices enabled through the API.
pub fn audit_stanza(v: &Variant) -> String {
    let audit_log = v.audit_log();
    format!(
        r#"
audit "file" "file" {{
  options {{
    file_path = "{audit_log}"
  }}
}}
"#
    )
}

/// The chart's `server.auditStorage.enabled`: an `audit` claim template per pod, mounted at
/// /vault/audit (/openbao/audit: that chart mounts it before the data volume).
pub fn add_audit_storage(v: &Variant, sts: &mut Value) {
    sts["spec"]["volumeClaimTemplates"]
        .as_array_mut()
        .expect("claim templates")
        .push(json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "audit"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": PVC_SIZE}}, "volumeMode": "Filesystem"},
        }));
    let mounts = sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
        .as_array_mut()
        .expect("volume mounts");
    let mount = json!({"name": "audit", "mountPath": v.audit_dir()});
    match v.chart {
        Chart::Vault => mounts.push(mount),
        Chart::Openbao => mounts.insert(0, mount),
    }
}

/// Sets what every claim template of the StatefulSet asks for (a quantity such as `1Gi`).
pub fn set_claim_size(sts: &mut Value, storage: &str) {
    for t in sts["spec"]["volumeClaimTemplates"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        t["spec"]["resources"]["requests"]["storage"] = json!(storage);
    }
}

/// The names of a StatefulSet's claim templates (`data`, and `audit` when enabled).
pub fn claim_templates(sts: &Value) -> Vec<String> {
    sts["spec"]["volumeClaimTemplates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["metadata"]["name"].as_str().map(str::to_string))
        .collect()
}

pub fn namespace(name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    })
}

pub fn node(ip: Ipv4Addr) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": NODE_NAME, "labels": {
            "kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}},
        "spec": {},
        "status": {
            "addresses": [{"type": "InternalIP", "address": ip.to_string()}, {"type": "Hostname", "address": NODE_NAME}],
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                            "lastHeartbeatTime": time::now(), "lastTransitionTime": time::now()}],
            "nodeInfo": {"kubeletVersion": "v1.33.0", "osImage": "vault-sandbox", "architecture": "amd64", "operatingSystem": "linux",
                         "containerRuntimeVersion": "sandbox://1", "kernelVersion": "", "kubeProxyVersion": "", "machineID": "", "systemUUID": "", "bootID": ""},
            "capacity": {"cpu": "2", "memory": "24Gi", "pods": "110"},
            "allocatable": {"cpu": "2", "memory": "24Gi", "pods": "110"},
        },
    })
}

pub fn service_account(v: &Variant, namespace: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(v.name(), namespace, chart_labels(v))})
}

/// The account every namespace has, as the service-account controller creates it.
pub fn default_service_account(namespace: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": namespace}})
}

/// The CA bundle the root-CA publisher puts in every namespace.
pub fn root_ca_config_map(namespace: &str, ca_pem: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "kube-root-ca.crt", "namespace": namespace,
                        "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
           "data": {"ca.crt": ca_pem}})
}

pub fn services(v: &Variant, namespace: &str) -> Vec<Value> {
    let ports = json!([
        {"name": v.scheme(), "port": 8200, "protocol": "TCP", "targetPort": 8200},
        {"name": "https-internal", "port": 8201, "protocol": "TCP", "targetPort": 8201},
    ]);
    let svc = |name: &str, headless: bool, extra_selector: Option<(&str, &str)>| {
        let mut selector = selector_labels(v);
        if let Some((k, v)) = extra_selector {
            selector[k] = json!(v);
        }
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": meta(name, namespace, chart_labels(v)),
            "spec": {
                "type": "ClusterIP",
                "clusterIP": if headless { "None" } else { "10.96.0.20" },
                "publishNotReadyAddresses": headless,
                "ports": ports,
                "selector": selector,
            },
            "status": {"loadBalancer": {}},
        })
    };
    let [main, internal, active, standby] = v.service_names();
    let label = v.registration_label("active");
    vec![
        svc(&main, false, None),
        svc(&internal, true, None),
        svc(&active, false, Some((&label, "true"))),
        svc(&standby, false, Some((&label, "false"))),
    ]
}

pub fn config_map(v: &Variant, namespace: &str, config: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": meta(&v.config_map(), namespace, chart_labels(v)),
        "data": {CONFIG_KEY: config},
    })
}

pub fn tls_secret(v: &Variant, namespace: &str, cert: &str, key: &str, ca: &str) -> Value {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": meta(&v.tls_secret(), namespace, json!({})),
        "data": {"tls.crt": b64(cert), "tls.key": b64(key), "ca.crt": b64(ca)},
    })
}

/// DNS names the Vault certificate carries: the pods' own names under the headless service
/// (wildcards, as in the chart's TLS guide), the Services in every form, and localhost.
pub fn vault_dns_names(v: &Variant, namespace: &str) -> Vec<String> {
    let internal = v.internal_service();
    let mut names = vec![
        "localhost".to_string(),
        format!("*.{internal}"),
        format!("*.{internal}.{namespace}.svc"),
        format!("*.{internal}.{namespace}.svc.cluster.local"),
    ];
    for svc in v.service_names() {
        names.push(svc.clone());
        names.push(format!("{svc}.{namespace}"));
        names.push(format!("{svc}.{namespace}.svc"));
        names.push(format!("{svc}.{namespace}.svc.cluster.local"));
    }
    names.dedup();
    names
}

/// The server pod template of the chart: its env (`VAULT_*` or `BAO_*`, the listener's
/// scheme), paths (`/vault/...` or `/openbao/...`), probe and volumes; the TLS Secret is
/// mounted only when the listener serves TLS.
pub fn pod_template(v: &Variant) -> Value {
    let mut labels = selector_labels(v);
    labels["helm.sh/chart"] = json!(v.chart_label());
    let (p, scheme, cli) = (v.env_prefix(), v.scheme(), v.cli());
    let field = |path: &str| json!({"fieldRef": {"apiVersion": "v1", "fieldPath": path}});
    let mut env = vec![
        json!({"name": "HOST_IP", "valueFrom": field("status.hostIP")}),
        json!({"name": "POD_IP", "valueFrom": field("status.podIP")}),
        json!({"name": format!("{p}_K8S_POD_NAME"), "valueFrom": field("metadata.name")}),
        json!({"name": format!("{p}_K8S_NAMESPACE"), "valueFrom": field("metadata.namespace")}),
        json!({"name": format!("{p}_ADDR"), "value": format!("{scheme}://127.0.0.1:8200")}),
        json!({"name": format!("{p}_API_ADDR"), "value": format!("{scheme}://$(POD_IP):8200")}),
        json!({"name": "SKIP_CHOWN", "value": "true"}),
        json!({"name": "SKIP_SETCAP", "value": "true"}),
        json!({"name": "HOSTNAME", "valueFrom": field("metadata.name")}),
        json!({"name": format!("{p}_CLUSTER_ADDR"), "value": format!("https://$(HOSTNAME).{}:8201", v.internal_service())}),
        json!({"name": format!("{p}_RAFT_NODE_ID"), "valueFrom": field("metadata.name")}),
        json!({"name": "HOME", "value": v.home()}),
    ];
    let mut mounts = vec![
        json!({"name": "data", "mountPath": v.data_dir()}),
        json!({"name": "config", "mountPath": v.config_dir()}),
    ];
    let mut volumes =
        vec![json!({"name": "config", "configMap": {"name": v.config_map(), "defaultMode": 420}})];
    if v.tls {
        let secret = v.tls_secret();
        let volume = format!("userconfig-{secret}");
        env.push(
            json!({"name": format!("{p}_CACERT"), "value": format!("{}/ca.crt", v.tls_dir())}),
        );
        mounts.push(json!({"name": volume, "mountPath": v.tls_dir(), "readOnly": true}));
        volumes.push(json!({"name": volume, "secret": {"secretName": secret, "defaultMode": 420}}));
    }
    mounts.push(json!({"name": "home", "mountPath": v.home()}));
    volumes.push(json!({"name": "home", "emptyDir": {}}));
    json!({
        "metadata": {"labels": labels, "annotations": {}},
        "spec": {
            "serviceAccountName": v.name(),
            "terminationGracePeriodSeconds": 10,
            "securityContext": {"runAsNonRoot": true, "runAsUser": 100, "runAsGroup": 1000, "fsGroup": 1000},
            "containers": [{
                "name": v.container(),
                "image": IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "command": ["/bin/sh", "-ec"],
                "args": [v.entrypoint_args()],
                "env": env,
                "ports": [
                    {"containerPort": 8200, "name": scheme, "protocol": "TCP"},
                    {"containerPort": 8201, "name": "https-internal", "protocol": "TCP"},
                    {"containerPort": 8202, "name": format!("{scheme}-rep"), "protocol": "TCP"},
                ],
                "readinessProbe": {
                    "exec": {"command": ["/bin/sh", "-ec", format!("{cli} status -tls-skip-verify")]},
                    // The chart's probe runs every 5 s after 5 s; the sandbox's is as fast as
                    // the API allows, and the kubelet honours whatever the spec says.
                    "failureThreshold": 2, "initialDelaySeconds": 0, "periodSeconds": 1,
                    "successThreshold": 1, "timeoutSeconds": 3,
                },
                "lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 5 && kill -SIGTERM $(pidof bao)"]}}},
                "resources": {},
                "volumeMounts": mounts,
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }],
            "volumes": volumes,
        },
    })
}

/// The controller-revision-hash of a template of StatefulSet `sts`.
pub fn revision_of(sts: &str, template: &Value) -> String {
    let digest = Sha256::digest(template.to_string().as_bytes());
    format!("{sts}-{}", &hex::encode(digest)[..10])
}

pub fn statefulset(v: &Variant, namespace: &str, replicas: u32) -> Value {
    let template = pod_template(v);
    json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": v.statefulset(), "namespace": namespace, "labels": chart_labels(v), "generation": 1},
        "spec": {
            "serviceName": v.internal_service(),
            "podManagementPolicy": "Parallel",
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            // The chart's default: a changed template restarts nothing until pods are deleted.
            "updateStrategy": {"type": "OnDelete"},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "selector": {"matchLabels": selector_labels(v)},
            "template": template,
            "volumeClaimTemplates": [{
                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": PVC_SIZE}}, "volumeMode": "Filesystem"},
            }],
        },
        "status": {"replicas": 0, "readyReplicas": 0, "currentReplicas": 0, "updatedReplicas": 0, "availableReplicas": 0,
                   "observedGeneration": 0, "collisionCount": 0},
    })
}

/// The storage the claim template `template` of a StatefulSet asks for.
pub fn template_storage(sts: &Value, template: &str) -> String {
    sts["spec"]["volumeClaimTemplates"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["metadata"]["name"] == template)
        .and_then(|t| t["spec"]["resources"]["requests"]["storage"].as_str())
        .unwrap_or(PVC_SIZE)
        .to_string()
}

/// The sandbox's default StorageClass: claims are provisioned by the sandbox, deleted with
/// their claim, and may grow.
pub fn storage_class() -> Value {
    json!({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": STORAGE_CLASS, "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": PROVISIONER, "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate",
        "allowVolumeExpansion": true,
    })
}

const PROVISIONER: &str = "sandbox.local/hostpath";

/// A bound claim of `storage` (a quantity), provisioned by the sandbox; labelled as the
/// StatefulSet `sts_labels` (its selector) creates it.
pub fn pvc(sts_labels: &Value, namespace: &str, name: &str, ordinal: u32, storage: &str) -> Value {
    let mut labels = sts_labels.clone();
    labels["apps.kubernetes.io/pod-index"] = json!(ordinal.to_string());
    json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": namespace, "labels": labels,
                     "finalizers": ["kubernetes.io/pvc-protection"],
                     "annotations": {"pv.kubernetes.io/bind-completed": "yes", "volume.kubernetes.io/storage-provisioner": PROVISIONER}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}},
                 "storageClassName": STORAGE_CLASS, "volumeMode": "Filesystem", "volumeName": format!("pvc-{name}")},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": storage}},
    })
}

pub struct PodIdentity<'a> {
    pub namespace: &'a str,
    /// The owning StatefulSet's name.
    pub statefulset: &'a str,
    pub ordinal: u32,
    pub ip: Ipv4Addr,
    pub host_ip: Ipv4Addr,
    pub sts_uid: &'a str,
    pub revision: &'a str,
    /// The StatefulSet's `serviceName` (the pod's DNS subdomain).
    pub subdomain: &'a str,
}

/// A pod of the StatefulSet as the controller creates it, before the kubelet starts it; one
/// claim volume per claim template (`<template>-<pod>`).
pub fn pod(id: &PodIdentity, template: &Value, claims: &[String]) -> Value {
    let sts = id.statefulset;
    let name = format!("{sts}-{}", id.ordinal);
    let mut labels = template["metadata"]["labels"].clone();
    labels["statefulset.kubernetes.io/pod-name"] = json!(name);
    labels["apps.kubernetes.io/pod-index"] = json!(id.ordinal.to_string());
    labels["controller-revision-hash"] = json!(id.revision);
    let mut spec = template["spec"].clone();
    spec["hostname"] = json!(name);
    spec["subdomain"] = json!(id.subdomain);
    spec["nodeName"] = json!(NODE_NAME);
    spec["restartPolicy"] = json!("Always");
    spec["dnsPolicy"] = json!("ClusterFirst");
    spec["schedulerName"] = json!("default-scheduler");
    let volumes = spec["volumes"].as_array_mut().expect("template volumes");
    for (i, claim) in claims.iter().enumerate() {
        volumes.insert(
            i,
            json!({"name": claim, "persistentVolumeClaim": {"claimName": format!("{claim}-{name}")}}),
        );
    }
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": name, "namespace": id.namespace, "generateName": format!("{sts}-"),
            "labels": labels,
            "annotations": template["metadata"]["annotations"].clone(),
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": sts,
                                 "uid": id.sts_uid, "controller": true, "blockOwnerDeletion": true}],
        },
        "spec": spec,
        "status": {
            "phase": "Pending",
            "qosClass": "BestEffort",
            "hostIP": id.host_ip.to_string(),
            "hostIPs": [{"ip": id.host_ip.to_string()}],
            "podIP": id.ip.to_string(),
            "podIPs": [{"ip": id.ip.to_string()}],
            "conditions": [
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": time::now(), "lastProbeTime": null},
            ],
        },
    })
}

/// A core/v1 Event about an object, as kubelet and controllers write them.
pub fn event(
    involved: &Value,
    kind: &str,
    event_type: &str,
    reason: &str,
    message: &str,
    component: &str,
) -> Value {
    let meta = &involved["metadata"];
    let name = meta["name"].as_str().unwrap_or("");
    let namespace = meta["namespace"].as_str().unwrap_or("default");
    let now = time::now();
    let suffix: u64 = rand::random();
    let mut obj = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": format!("{name}.{suffix:016x}"), "namespace": namespace},
        "involvedObject": {
            "kind": kind, "namespace": namespace, "name": name, "uid": meta["uid"],
            "apiVersion": involved["apiVersion"], "resourceVersion": meta["resourceVersion"],
        },
        "reason": reason, "message": message, "type": event_type,
        "source": {"component": component},
        "firstTimestamp": now, "lastTimestamp": now, "count": 1,
        "eventTime": null, "reportingComponent": component, "reportingInstance": "",
    });
    if kind == "Pod" {
        let container = involved["spec"]["containers"][0]["name"]
            .as_str()
            .unwrap_or("vault");
        obj["involvedObject"]["fieldPath"] = json!(format!("spec.containers{{{container}}}"));
        obj["source"]["host"] = json!(NODE_NAME);
        obj["reportingInstance"] = json!(NODE_NAME);
    }
    obj
}

pub fn decode_secret_data(secret: &Value, key: &str) -> Option<Vec<u8>> {
    let b64 = secret["data"][key].as_str()?;
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Chart;

    #[test]
    fn retry_join_stanzas_follow_the_variant() {
        let vault = retry_join_stanzas(&Variant::default(), 2);
        assert_eq!(vault.matches("retry_join {").count(), 2, "{vault}");
        assert!(
            vault.contains(r#""https://vault-1.vault-internal:8200""#),
            "{vault}"
        );
        assert!(
            vault.contains(r#""/vault/userconfig/vault-tls/ca.crt""#),
            "{vault}"
        );
        let bao = retry_join_stanzas(
            &Variant {
                chart: Chart::Openbao,
                tls: false,
            },
            3,
        );
        assert!(
            bao.contains(r#""http://openbao-2.openbao-internal:8200""#),
            "{bao}"
        );
        assert!(!bao.contains("leader_ca_cert_file"), "{bao}");
        let config = server_config_with_raft(&Variant::default(), "", &vault);
        let raft = &config[config.find("storage \"raft\"").unwrap()..];
        let raft = &raft[..raft.find("\n}\n").unwrap()];
        assert_eq!(raft.matches("retry_join {").count(), 2, "{config}");
    }
}
