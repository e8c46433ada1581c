//! The Kubernetes objects the sandbox serves, shaped like those of the official Vault Helm
//! chart (hashicorp/vault-helm) with its HA raft defaults and TLS enabled.

use std::net::Ipv4Addr;

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::time;

pub const NODE_NAME: &str = "sandbox-node";
pub const STS_NAME: &str = "vault";
pub const CONTAINER: &str = "vault";
pub const TLS_SECRET: &str = "vault-tls";
pub const CONFIG_MAP: &str = "vault-config";
pub const CONFIG_KEY: &str = "extraconfig-from-values.hcl";
pub const IMAGE: &str = "quay.io/openbao/openbao:2.7.2";
pub const PVC_SIZE: &str = "10Gi";
pub const PVC_BYTES: u64 = 10 * 1024 * 1024 * 1024;
/// Where the chart mounts its audit volume (`server.auditStorage`).
pub const AUDIT_DIR: &str = "/vault/audit";
/// The file the declared file audit device writes, inside the pod.
pub const AUDIT_LOG: &str = "/vault/audit/audit.log";

/// The labels the chart puts on server pods; the suite's default selector matches them.
pub fn selector_labels() -> Value {
    json!({
        "app.kubernetes.io/name": "vault",
        "app.kubernetes.io/instance": "vault",
        "component": "server",
    })
}

fn chart_labels() -> Value {
    json!({
        "app.kubernetes.io/name": "vault",
        "app.kubernetes.io/instance": "vault",
        "app.kubernetes.io/managed-by": "Helm",
        "helm.sh/chart": "vault-0.30.1",
    })
}

fn meta(name: &str, namespace: &str, labels: Value) -> Value {
    json!({"name": name, "namespace": namespace, "labels": labels})
}

/// The server configuration as the chart's ConfigMap holds it. The kubelet substitutes
/// POD_IP and HOSTNAME as the chart's entrypoint does with `sed`.
pub fn server_config_template(extra: &str) -> String {
    format!(
        r#"ui = false

listener "tcp" {{
  address            = "POD_IP:8200"
  cluster_address    = "POD_IP:8201"
  tls_cert_file      = "/vault/userconfig/vault-tls/tls.crt"
  tls_key_file       = "/vault/userconfig/vault-tls/tls.key"
  tls_client_ca_file = "/vault/userconfig/vault-tls/ca.crt"
}}

storage "raft" {{
  path    = "/vault/data"
  node_id = "HOSTNAME"
  # Sandbox tuning: faster elections (default 5) and autopilot rounds (defaults 10s/2s),
  # so new voters are promoted within seconds.
  performance_multiplier       = 1
  autopilot_reconcile_interval = "1s"
  autopilot_update_interval    = "500ms"
}}

api_addr     = "https://POD_IP:8200"
cluster_addr = "https://POD_IP:8201"

telemetry {{
  prometheus_retention_time = "30s"
  disable_hostname          = true
}}
{extra}"#
    )
}

/// The file audit device, declared in the server configuration: OpenBao refuses audit
/// devices enabled through the API.
pub fn audit_stanza() -> String {
    format!(
        r#"
audit "file" "file" {{
  options {{
    file_path = "{AUDIT_LOG}"
  }}
}}
"#
    )
}

/// The chart's `server.auditStorage.enabled`: an `audit` claim template per pod, mounted at
/// /vault/audit.
pub fn add_audit_storage(sts: &mut Value) {
    sts["spec"]["volumeClaimTemplates"]
        .as_array_mut()
        .expect("claim templates")
        .push(json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "audit"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": PVC_SIZE}}, "volumeMode": "Filesystem"},
        }));
    sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
        .as_array_mut()
        .expect("volume mounts")
        .push(json!({"name": "audit", "mountPath": AUDIT_DIR}));
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

pub fn service_account(namespace: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("vault", namespace, chart_labels())})
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

pub fn services(namespace: &str) -> Vec<Value> {
    let ports = json!([
        {"name": "https", "port": 8200, "protocol": "TCP", "targetPort": 8200},
        {"name": "https-internal", "port": 8201, "protocol": "TCP", "targetPort": 8201},
    ]);
    let svc = |name: &str, headless: bool, extra_selector: Option<(&str, &str)>| {
        let mut selector = selector_labels();
        if let Some((k, v)) = extra_selector {
            selector[k] = json!(v);
        }
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": meta(name, namespace, chart_labels()),
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
    vec![
        svc("vault", false, None),
        svc("vault-internal", true, None),
        svc("vault-active", false, Some(("vault-active", "true"))),
        svc("vault-standby", false, Some(("vault-active", "false"))),
    ]
}

pub fn config_map(namespace: &str, config: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": meta(CONFIG_MAP, namespace, chart_labels()),
        "data": {CONFIG_KEY: config},
    })
}

pub fn tls_secret(namespace: &str, cert: &str, key: &str, ca: &str) -> Value {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": meta(TLS_SECRET, namespace, json!({})),
        "data": {"tls.crt": b64(cert), "tls.key": b64(key), "ca.crt": b64(ca)},
    })
}

/// DNS names the Vault certificate carries: the pods' own names under the headless service
/// (wildcards, as in the chart's TLS guide), the Services in every form, and localhost.
pub fn vault_dns_names(namespace: &str) -> Vec<String> {
    let mut names = vec![
        "localhost".to_string(),
        "*.vault-internal".into(),
        format!("*.vault-internal.{namespace}.svc"),
        format!("*.vault-internal.{namespace}.svc.cluster.local"),
    ];
    for svc in ["vault", "vault-active", "vault-standby", "vault-internal"] {
        names.push(svc.into());
        names.push(format!("{svc}.{namespace}"));
        names.push(format!("{svc}.{namespace}.svc"));
        names.push(format!("{svc}.{namespace}.svc.cluster.local"));
    }
    names.dedup();
    names
}

pub fn pod_template() -> Value {
    let mut labels = selector_labels();
    labels["helm.sh/chart"] = json!("vault-0.30.1");
    json!({
        "metadata": {"labels": labels, "annotations": {}},
        "spec": {
            "serviceAccountName": "vault",
            "terminationGracePeriodSeconds": 10,
            "securityContext": {"runAsNonRoot": true, "runAsUser": 100, "runAsGroup": 1000, "fsGroup": 1000},
            "containers": [{
                "name": CONTAINER,
                "image": IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "command": ["/bin/sh", "-ec"],
                "args": ["cp /vault/config/extraconfig-from-values.hcl /tmp/storageconfig.hcl;\n[ -n \"${HOST_IP}\" ] && sed -Ei \"s|HOST_IP|${HOST_IP?}|g\" /tmp/storageconfig.hcl;\n[ -n \"${POD_IP}\" ] && sed -Ei \"s|POD_IP|${POD_IP?}|g\" /tmp/storageconfig.hcl;\n[ -n \"${HOSTNAME}\" ] && sed -Ei \"s|HOSTNAME|${HOSTNAME?}|g\" /tmp/storageconfig.hcl;\n/usr/local/bin/docker-entrypoint.sh bao server -config=/tmp/storageconfig.hcl\n"],
                "env": [
                    {"name": "HOST_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.hostIP"}}},
                    {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
                    {"name": "VAULT_K8S_POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "VAULT_K8S_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
                    {"name": "VAULT_ADDR", "value": "https://127.0.0.1:8200"},
                    {"name": "VAULT_API_ADDR", "value": "https://$(POD_IP):8200"},
                    {"name": "SKIP_CHOWN", "value": "true"},
                    {"name": "SKIP_SETCAP", "value": "true"},
                    {"name": "HOSTNAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "VAULT_CLUSTER_ADDR", "value": "https://$(HOSTNAME).vault-internal:8201"},
                    {"name": "VAULT_RAFT_NODE_ID", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "HOME", "value": "/home/vault"},
                    {"name": "VAULT_CACERT", "value": "/vault/userconfig/vault-tls/ca.crt"},
                ],
                "ports": [
                    {"containerPort": 8200, "name": "https", "protocol": "TCP"},
                    {"containerPort": 8201, "name": "https-internal", "protocol": "TCP"},
                    {"containerPort": 8202, "name": "https-rep", "protocol": "TCP"},
                ],
                "readinessProbe": {
                    "exec": {"command": ["/bin/sh", "-ec", "vault status -tls-skip-verify"]},
                    "failureThreshold": 2, "initialDelaySeconds": 5, "periodSeconds": 5,
                    "successThreshold": 1, "timeoutSeconds": 3,
                },
                "lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 5 && kill -SIGTERM $(pidof bao)"]}}},
                "resources": {},
                "volumeMounts": [
                    {"name": "data", "mountPath": "/vault/data"},
                    {"name": "config", "mountPath": "/vault/config"},
                    {"name": "userconfig-vault-tls", "mountPath": "/vault/userconfig/vault-tls", "readOnly": true},
                    {"name": "home", "mountPath": "/home/vault"},
                ],
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }],
            "volumes": [
                {"name": "config", "configMap": {"name": CONFIG_MAP, "defaultMode": 420}},
                {"name": "userconfig-vault-tls", "secret": {"secretName": TLS_SECRET, "defaultMode": 420}},
                {"name": "home", "emptyDir": {}},
            ],
        },
    })
}

pub fn revision_of(template: &Value) -> String {
    let digest = Sha256::digest(template.to_string().as_bytes());
    format!("{STS_NAME}-{}", &hex::encode(digest)[..10])
}

pub fn statefulset(namespace: &str, replicas: u32) -> Value {
    let template = pod_template();
    json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": STS_NAME, "namespace": namespace, "labels": chart_labels(), "generation": 1},
        "spec": {
            "serviceName": "vault-internal",
            "podManagementPolicy": "Parallel",
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            // The chart's default: a changed template restarts nothing until pods are deleted.
            "updateStrategy": {"type": "OnDelete"},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "selector": {"matchLabels": selector_labels()},
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

pub fn pvc(namespace: &str, name: &str, ordinal: u32) -> Value {
    let mut labels = selector_labels();
    labels["apps.kubernetes.io/pod-index"] = json!(ordinal.to_string());
    json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": namespace, "labels": labels,
                     "finalizers": ["kubernetes.io/pvc-protection"],
                     "annotations": {"pv.kubernetes.io/bind-completed": "yes", "volume.kubernetes.io/storage-provisioner": "sandbox.local/hostpath"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": PVC_SIZE}},
                 "storageClassName": "standard", "volumeMode": "Filesystem", "volumeName": format!("pvc-{name}")},
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": PVC_SIZE}},
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
    spec["subdomain"] = json!("vault-internal");
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
        obj["involvedObject"]["fieldPath"] = json!(format!("spec.containers{{{CONTAINER}}}"));
        obj["source"]["host"] = json!(NODE_NAME);
        obj["reportingInstance"] = json!(NODE_NAME);
    }
    obj
}

pub fn decode_secret_data(secret: &Value, key: &str) -> Option<Vec<u8>> {
    let b64 = secret["data"][key].as_str()?;
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}
