//! The trail the plugins leave: a Kubernetes Event on the object they acted on (source
//! `kubectl-vault`), because Vault does not audit unseals and the cluster should remember
//! who did what. Messages never carry key material.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, Time};
use kube::api::{Api, PostParams};

use crate::cluster::{self, Kube};

pub const COMPONENT: &str = "kubectl-vault";

/// Who ran the tool, for the Event's reporting instance.
fn instance() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    format!("{user}@{host}")
}

/// Records an Event on `pod`. `warning` marks failures. Errors are returned for the caller to
/// report as a warning: a missing trail must not undo the action itself.
pub async fn record(
    kube: &Kube,
    pod: &Pod,
    warning: bool,
    reason: &str,
    action: &str,
    message: &str,
) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now();
    let name = cluster::name(pod);
    let event = Event {
        metadata: ObjectMeta {
            generate_name: Some(format!("{name}.kubectl-vault.")),
            namespace: Some(kube.namespace.clone()),
            ..Default::default()
        },
        involved_object: ObjectReference {
            api_version: Some("v1".into()),
            kind: Some("Pod".into()),
            name: Some(name.to_string()),
            namespace: Some(kube.namespace.clone()),
            uid: pod.metadata.uid.clone(),
            resource_version: pod.metadata.resource_version.clone(),
            ..Default::default()
        },
        reason: Some(reason.into()),
        action: Some(action.into()),
        message: Some(message.into()),
        type_: Some(if warning { "Warning" } else { "Normal" }.into()),
        source: Some(EventSource {
            component: Some(COMPONENT.into()),
            host: None,
        }),
        reporting_component: Some(COMPONENT.into()),
        reporting_instance: Some(instance()),
        first_timestamp: Some(Time(now)),
        last_timestamp: Some(Time(now)),
        event_time: Some(MicroTime(now)),
        count: Some(1),
        ..Default::default()
    };
    let api: Api<Event> = Api::namespaced(kube.client.clone(), &kube.namespace);
    kube.call(
        &format!("record an event on pod {name}"),
        api.create(&PostParams::default(), &event),
    )
    .await
    .map(|_| ())
}
