//! Who holds a policy: the auth methods' roles (users, certificates) that hand it out, and the
//! identity entities and groups it is attached to. Every list is read whole (each object
//! concurrently); one that cannot be read fails the lookup, never reads as "nobody".

use anyhow::Result;
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use vault_shared::session::Session;
use vault_shared::target::Target;

/// How many objects are read at once.
const CONCURRENT: usize = 8;

/// Where each kind of auth method keeps what hands out policies.
fn collection(kind: &str) -> Option<&'static str> {
    match kind {
        "kubernetes" | "approle" | "jwt" | "oidc" | "aws" | "gcp" | "azure" => Some("role"),
        "userpass" => Some("users"),
        "cert" => Some("certs"),
        _ => None,
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Users {
    /// `auth/<mount>/<collection>/<name>` whose tokens get the policy.
    pub roles: Vec<String>,
    pub entities: Vec<Identity>,
    pub groups: Vec<Identity>,
}

#[derive(Debug, Serialize)]
pub struct Identity {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// A group's member entities (they get the policy through it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<usize>,
}

/// Everything that holds `policy`, read through `via`.
pub async fn find(session: &Session, via: &Target, policy: &str) -> Result<Users> {
    Ok(Users {
        roles: roles(session, via, policy).await?,
        entities: identities(session, via, "entity", policy).await?,
        groups: identities(session, via, "group", policy).await?,
    })
}

async fn roles(session: &Session, via: &Target, policy: &str) -> Result<Vec<String>> {
    let c = &via.client;
    let mounts = c
        .auth_mounts()
        .await
        .map_err(|e| session.explain(e, "list the auth methods"))?;
    let mut out = Vec::new();
    for (mount, kind) in &mounts {
        let Some(coll) = collection(kind) else {
            continue;
        };
        let names = c
            .auth_entries(mount, coll)
            .await
            .map_err(|e| session.explain(e, &format!("list auth/{mount}/{coll}")))?;
        let holding: Vec<String> = futures::stream::iter(names)
            .map(|name| async move {
                let policies = c
                    .auth_entry_policies(mount, coll, &name)
                    .await
                    .map_err(|e| session.explain(e, &format!("read auth/{mount}/{coll}/{name}")))?;
                Ok::<_, anyhow::Error>(
                    policies
                        .iter()
                        .any(|p| p == policy)
                        .then(|| format!("auth/{mount}/{coll}/{name}")),
                )
            })
            .buffer_unordered(CONCURRENT)
            .try_filter_map(|found| async move { Ok(found) })
            .try_collect()
            .await?;
        out.extend(holding);
    }
    out.sort();
    Ok(out)
}

/// The entities or groups (`kind`) with `policy` among their own policies.
async fn identities(
    session: &Session,
    via: &Target,
    kind: &str,
    policy: &str,
) -> Result<Vec<Identity>> {
    let c = &via.client;
    let ids = c
        .identity_ids(kind)
        .await
        .map_err(|e| session.explain(e, &format!("list identity/{kind}/id")))?;
    let mut out: Vec<Identity> = futures::stream::iter(ids)
        .map(|id| async move {
            let o = c
                .identity_object(kind, &id)
                .await
                .map_err(|e| session.explain(e, &format!("read identity/{kind}/id/{id}")))?;
            Ok::<_, anyhow::Error>(o.filter(|o| o.policies.iter().flatten().any(|p| p == policy)))
        })
        .buffer_unordered(CONCURRENT)
        .try_filter_map(|found| async move {
            Ok(found.map(|o| Identity {
                id: o.id,
                name: o.name,
                disabled: o.disabled,
                members: (kind == "group").then(|| o.member_entity_ids.map_or(0, |m| m.len())),
            }))
        })
        .try_collect()
        .await?;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
