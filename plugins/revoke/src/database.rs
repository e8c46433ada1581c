//! `rotate --db-connection` / `--db-static-role`: the database secrets engine's own rotations
//! (`rotate-root`, `rotate-role`), confirmed first and checked afterwards — Vault can still
//! log in (a dynamic credential issued and revoked at once), a static role's rotation time
//! moved — without any password passing through this tool.

use anyhow::Result;
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output;
use vault_shared::session::Session;

use crate::RotateArgs;
use crate::consumers::Consumers;
use crate::rotate::{RotateReport, print};

fn report(target: String, kind: &'static str, args: &RotateArgs, plan: &Plan) -> RotateReport {
    RotateReport {
        target,
        kind,
        fields: Vec::new(),
        old_version: None,
        new_version: None,
        dry_run: args.confirm.dry_run,
        rotated: false,
        verified: false,
        consumers: Consumers::default(),
        plan: plan.clone(),
    }
}

pub async fn rotate_root(session: &Session, args: &RotateArgs, name: &str) -> Result<Exit> {
    let mount = args.db_mount.trim_matches('/');
    session.require_token("rotating database credentials")?;
    let leader = session.leader(&session.views().await)?;
    let c = &leader.client;
    let conn = c
        .db_connection(mount, name)
        .await
        .map_err(|e| session.explain(e, &format!("read the connection {mount}/config/{name}")))?;
    // A dynamic role of this connection proves afterwards that Vault can still log in.
    let mut probe = None;
    for role in c
        .db_roles(mount)
        .await
        .map_err(|e| session.explain(e, &format!("list {mount}/roles")))?
    {
        if c.db_role_connection(mount, &role).await.ok().as_deref() == Some(name) {
            probe = Some(role);
            break;
        }
    }
    let rotate_path = format!("{mount}/rotate-root/{name}");
    let mut needed = vec![(rotate_path.clone(), "update")];
    if let Some(r) = &probe {
        needed.push((format!("{mount}/creds/{r}"), "read"));
    }
    let needed_refs: Vec<(&str, &str)> = needed.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    session
        .require_capabilities(leader, "rotating the root credentials", &needed_refs)
        .await?;
    let mut plan = Plan::new(format!(
        "rotate the root credentials of {mount}/config/{name}"
    ));
    plan.step(format!(
        "{rotate_path}: Vault sets a new password for the connection's user ({}) that only Vault knows",
        conn.connection_details["username"].as_str().unwrap_or("?")
    ));
    plan.warn("the old root password stops working, for everyone; nobody can read the new one");
    match &probe {
        Some(r) => plan.step(format!("issue and revoke one credential of role {r} to check Vault still logs in")),
        None => plan.warn("no dynamic role uses this connection: Vault's login with the new password cannot be checked"),
    };
    let mut rep = report(
        format!("{mount}/config/{name}"),
        "db_connection",
        args,
        &plan,
    );
    if !args.confirm.confirm(&plan)? {
        return print(session, &rep, Exit::Healthy);
    }
    c.db_rotate_root(mount, name)
        .await
        .map_err(|e| session.explain(e, &format!("rotate {rotate_path}")))?;
    rep.rotated = true;
    let mut exit = Exit::Healthy;
    if let Some(r) = &probe {
        match c.db_probe_role(mount, r).await {
            Ok(()) => rep.verified = true,
            Err(e) => {
                output::warn(&format!(
                    "Vault cannot issue credentials of {r} after the rotation: {e}"
                ));
                exit = Exit::Failed;
            }
        }
    } else {
        exit = Exit::Attention;
    }
    session
        .record(
            &leader.name,
            Note::warning(
                "DatabaseRootRotated",
                "RotateRoot",
                &format!("rotated the root credentials of {mount}/config/{name}"),
            ),
        )
        .await;
    print(session, &rep, exit)
}

pub async fn rotate_static(session: &Session, args: &RotateArgs, name: &str) -> Result<Exit> {
    let mount = args.db_mount.trim_matches('/');
    session.require_token("rotating a static role")?;
    let leader = session.leader(&session.views().await)?;
    let c = &leader.client;
    let before = c.db_static_role(mount, name).await.map_err(|e| {
        session.explain(
            e,
            &format!("read the static role {mount}/static-roles/{name}"),
        )
    })?;
    let rotate_path = format!("{mount}/rotate-role/{name}");
    session
        .require_capabilities(
            leader,
            "rotating the static role",
            &[(&rotate_path, "update")],
        )
        .await?;
    let mut plan = Plan::new(format!(
        "rotate the password of static role {mount}/static-roles/{name}"
    ));
    plan.step(format!(
        "{rotate_path}: a new password for database user {} (connection {}), last rotated {}",
        before.username, before.db_name, before.last_vault_rotation
    ));
    plan.warn(
        "applications holding the old password must read the new one (static-creds) and reconnect",
    );
    let mut rep = report(
        format!("{mount}/static-roles/{name}"),
        "db_static_role",
        args,
        &plan,
    );
    rep.consumers = crate::consumers::find(
        session,
        leader,
        &format!("{mount}/static-creds/{name}"),
        &format!("{mount}/static-creds/{name}"),
    )
    .await;
    if !args.confirm.confirm(&plan)? {
        return print(session, &rep, Exit::Healthy);
    }
    c.db_rotate_role(mount, name)
        .await
        .map_err(|e| session.explain(e, &format!("rotate {rotate_path}")))?;
    rep.rotated = true;
    let after = c
        .db_static_role(mount, name)
        .await
        .map_err(|e| session.explain(e, "read the static role after the rotation"))?;
    rep.verified = after.last_vault_rotation != before.last_vault_rotation;
    session
        .record(
            &leader.name,
            Note::warning(
                "DatabaseRoleRotated",
                "RotateRole",
                &format!(
                    "rotated static role {mount}/static-roles/{name} (user {})",
                    before.username
                ),
            ),
        )
        .await;
    let exit = if rep.verified {
        Exit::Healthy
    } else {
        output::warn("the static role's last rotation time did not change");
        Exit::Failed
    };
    print(session, &rep, exit)
}
