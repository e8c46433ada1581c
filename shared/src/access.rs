//! What the Kubernetes identity may do, asked before a verb's first change: one
//! SelfSubjectAccessReview per right it will use (how `kubectl auth can-i` asks). A right that
//! is denied, or that cannot be checked, refuses with the RBAC rule to add.

use anyhow::{Result, bail};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::Api;
use kube::api::PostParams;

use crate::cluster::Kube;

/// One right in the Vault namespace: `verb` on `resource` (`pods/exec`) of API `group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Right {
    pub group: &'static str,
    pub resource: &'static str,
    pub verb: &'static str,
}

impl Right {
    pub const fn new(group: &'static str, resource: &'static str, verb: &'static str) -> Right {
        Right {
            group,
            resource,
            verb,
        }
    }

    /// The Role rule that grants it, as YAML flow text.
    pub fn rule(&self) -> String {
        format!(
            "{{apiGroups: [\"{}\"], resources: [\"{}\"], verbs: [\"{}\"]}}",
            self.group, self.resource, self.verb
        )
    }
}

/// Whether the identity may use `right` in the Kubernetes namespace of `kube`.
pub async fn allowed(kube: &Kube, right: Right) -> Result<bool> {
    let (resource, subresource) = match right.resource.split_once('/') {
        Some((r, s)) => (r, Some(s.to_string())),
        None => (right.resource, None),
    };
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(kube.namespace.clone()),
                group: Some(right.group.to_string()),
                resource: Some(resource.to_string()),
                subresource,
                verb: Some(right.verb.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(kube.client.clone());
    let answer = kube
        .call(
            &format!("ask whether it may {} {}", right.verb, right.resource),
            api.create(&PostParams::default(), &review),
        )
        .await?;
    Ok(answer.status.is_some_and(|s| s.allowed))
}

/// Refuses, before anything changes, unless the identity has every right `what` will use;
/// names the rules to add (or why they could not be checked).
pub async fn require(kube: &Kube, what: &str, rights: &[Right]) -> Result<()> {
    let answers = crate::fanout::each(rights, |r| allowed(kube, *r)).await;
    let mut missing = Vec::new();
    for (right, answer) in rights.iter().zip(answers) {
        match answer {
            Ok(true) => {}
            Ok(false) => missing.push(right.rule()),
            Err(e) => bail!(
                "{what}: cannot check the Kubernetes permissions it needs ({e:#}); nothing was changed"
            ),
        }
    }
    if !missing.is_empty() {
        bail!(
            "{what}: the Kubernetes identity may not do all it needs in namespace {}; nothing was changed. Add to its Role: {}",
            kube.namespace,
            missing.join(", ")
        );
    }
    Ok(())
}
