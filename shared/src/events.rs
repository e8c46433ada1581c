//! The trail the plugins leave: a Kubernetes Event (events.k8s.io/v1, through kube's events
//! recorder) on the object they acted on — a pod, the StatefulSet, a PVC, a Secret, the
//! namespace — reported by `kubectl-vault` from `user@host`, because Vault does not audit
//! unseals and the cluster should remember who did what. Notes never carry key material.

use kube::Resource;
use kube::runtime::events::{Event, Recorder, Reporter};

pub use kube::runtime::events::EventType;

use crate::cluster::Kube;

/// The reporting controller of every Event the suite records.
pub const COMPONENT: &str = "kubectl-vault";

/// Who ran the tool: `user@host`, the host from the operating system (not a file).
fn instance() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let host = hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "unknown".into());
    format!("{user}@{host}")
}

/// The recorder of one run: repeats of the same Event become one Event with a count.
pub fn recorder(client: kube::Client) -> Recorder {
    Recorder::new(
        client,
        Reporter {
            controller: COMPONENT.into(),
            instance: Some(instance()),
        },
    )
}

/// What happened: `reason` (PascalCase, what `kubectl get events` shows), `action` (what we
/// did), `note` (one human line), and whether it is a warning.
#[derive(Debug, Clone)]
pub struct Note<'a> {
    pub type_: EventType,
    pub reason: &'a str,
    pub action: &'a str,
    pub note: &'a str,
}

impl<'a> Note<'a> {
    pub fn normal(reason: &'a str, action: &'a str, note: &'a str) -> Note<'a> {
        Note {
            type_: EventType::Normal,
            reason,
            action,
            note,
        }
    }

    pub fn warning(reason: &'a str, action: &'a str, note: &'a str) -> Note<'a> {
        Note {
            type_: EventType::Warning,
            ..Note::normal(reason, action, note)
        }
    }
}

/// Records `note` on `object`. Errors are returned for the caller to report as a warning: a
/// missing trail must not undo the action itself.
pub async fn record<K>(kube: &Kube, object: &K, note: &Note<'_>) -> anyhow::Result<()>
where
    K: Resource<DynamicType = ()>,
{
    let mut reference = object.object_ref(&());
    if reference.namespace.is_none() && K::kind(&()) != "Namespace" {
        reference.namespace = Some(kube.namespace.clone());
    }
    let event = Event {
        type_: note.type_,
        reason: note.reason.into(),
        action: note.action.into(),
        note: Some(note.note.into()),
        secondary: None,
    };
    let what = format!(
        "record a {} event on {} {}",
        note.reason,
        K::kind(&()).to_lowercase(),
        reference.name.as_deref().unwrap_or("")
    );
    kube.call(&what, kube.events.publish(&event, &reference))
        .await
}
