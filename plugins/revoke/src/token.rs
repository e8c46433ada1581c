//! `token`: a leaked token looked up by its accessor, shown, confirmed, revoked with the
//! tokens it created (or, with `--orphan`, alone), and checked gone through a fresh lookup.

use anyhow::{Result, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output;
use vault_shared::session::Session;
use vault_shared::target::Target;
use vault_shared::vault::VaultError;
use vault_shared::vault::token::TokenInfo;

use crate::TokenArgs;
use crate::credential::Credential;

const ORPHAN_WARNING: &str = "--orphan keeps the tokens it created: they stay valid, and whoever holds the leaked token may have made some";

#[derive(Debug, Serialize)]
pub struct TokenReport {
    pub token: TokenInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub children: &'static str,
    pub revoked: bool,
    /// A lookup after the revocation no longer finds it.
    pub verified_gone: bool,
    pub dry_run: bool,
    pub plan: Plan,
}

/// Vault's answer to a lookup of an accessor no token has.
fn no_such_token(e: &VaultError) -> bool {
    e.status() == Some(400)
        && e.errors()
            .iter()
            .any(|m| m.contains("invalid accessor") || m.contains("invalid token"))
}

/// The token the credential names, as Vault knows it now.
pub async fn lookup(session: &Session, via: &Target, cred: &Credential) -> Result<TokenInfo> {
    let (what, found) = match cred {
        Credential::Token(t) => ("the leaked token", via.client.lookup_token(t).await),
        Credential::Accessor(a) => ("the accessor", via.client.lookup_accessor(a).await),
    };
    match found {
        Ok(info) => Ok(info),
        Err(e) if no_such_token(&e) => bail!(
            "Vault knows no token for {what} (already revoked or expired, or mistyped); nothing was changed"
        ),
        // Looking up a token that does not exist is refused like a bad permission.
        Err(e)
            if matches!(cred, Credential::Token(_))
                && e.errors().iter().any(|m| m.contains("bad token")) =>
        {
            bail!("Vault knows no such token (already revoked or expired?); nothing was changed")
        }
        Err(e) => Err(session.explain(e, &format!("look up {what}"))),
    }
}

fn plan_for(info: &TokenInfo, orphan: bool) -> Plan {
    let mut plan = Plan::new(format!("revoke token with accessor {}", info.accessor));
    plan.step(format!(
        "token {} ({}): policies [{}], created {}, {}",
        info.accessor,
        if info.display_name.is_empty() {
            "-"
        } else {
            &info.display_name
        },
        info.policies.join(", "),
        jiff::Timestamp::from_second(info.creation_time)
            .map(|t| t.to_string())
            .unwrap_or_else(|_| info.creation_time.to_string()),
        match info.role() {
            Some(r) => format!("token role {r}"),
            None => format!("from {}", info.path),
        }
    ));
    if orphan {
        plan.step(
            "revoke it alone (auth/token/revoke-orphan): the tokens it created become orphans",
        );
        plan.warn(ORPHAN_WARNING);
    } else {
        plan.step(
            "revoke it and every token it created, with their leases (auth/token/revoke-accessor)",
        );
    }
    plan.step("look it up again to confirm it is gone");
    plan
}

pub async fn run(session: &Session, args: &TokenArgs) -> Result<Exit> {
    let Some(cred) = args.credential.load()? else {
        bail!(
            "name the leaked token: --leaked-token-file PATH, --accessor-file PATH or --accessor ACCESSOR"
        );
    };
    let (report, exit) = execute(session, args, cred).await?;
    print(session, &report, exit)
}

/// Looks up, shows, confirms, revokes and checks; the report and exit say how it went
/// (nothing printed).
pub async fn execute(
    session: &Session,
    args: &TokenArgs,
    cred: Credential,
) -> Result<(TokenReport, Exit)> {
    if args.orphan && !matches!(cred, Credential::Token(_)) {
        bail!(
            "--orphan needs the token itself (--leaked-token-file): Vault revokes a token without its children only by its ID"
        );
    }
    session.require_token("revoking a token")?;
    let leader = session.leader(&session.views().await)?;
    let info = lookup(session, leader, &cred).await?;
    let revoke_path = if args.orphan {
        "auth/token/revoke-orphan"
    } else {
        "auth/token/revoke-accessor"
    };
    session
        .require_capabilities(
            leader,
            "revoking the token",
            &[
                ("auth/token/lookup-accessor", "update"),
                (revoke_path, "update"),
            ],
        )
        .await?;
    let plan = plan_for(&info, args.orphan);
    let mut report = TokenReport {
        role: info.role().map(str::to_string),
        token: info.clone(),
        children: if args.orphan {
            "kept (orphaned)"
        } else {
            "revoked with it"
        },
        revoked: false,
        verified_gone: false,
        dry_run: args.confirm.dry_run,
        plan: plan.clone(),
    };
    if !args.confirm.confirm(&plan)? {
        return Ok((report, Exit::Healthy));
    }
    // The token may have gone (or another one been meant) while the prompt waited.
    let again = lookup(
        session,
        leader,
        &Credential::Accessor(info.accessor.clone()),
    )
    .await?;
    if again.accessor != info.accessor {
        bail!("the token changed while waiting for confirmation; nothing was changed");
    }
    if args.orphan {
        output::warn(ORPHAN_WARNING);
    }
    let revoked = match &cred {
        Credential::Token(t) if args.orphan => leader.client.revoke_orphan(t).await,
        _ => leader.client.revoke_accessor(&info.accessor).await,
    };
    drop(cred);
    revoked.map_err(|e| session.explain(e, &format!("revoke the token ({revoke_path})")))?;
    report.revoked = true;
    report.verified_gone = match leader.client.lookup_accessor(&info.accessor).await {
        Err(e) if no_such_token(&e) => true,
        Ok(_) => false,
        Err(e) => return Err(session.explain(e, "look the token up again after revoking it")),
    };
    let note = format!(
        "revoked token accessor {} ({}, policies {}){}",
        info.accessor,
        info.display_name,
        info.policies.join(","),
        if args.orphan {
            " without its children"
        } else {
            " with its children"
        }
    );
    session
        .record(
            &leader.name,
            Note::warning("TokenRevoked", "RevokeToken", &note),
        )
        .await;
    let exit = if report.verified_gone {
        Exit::Healthy
    } else {
        output::warn("Vault still knows the token after revoking it");
        Exit::Failed
    };
    Ok((report, exit))
}

fn print(session: &Session, report: &TokenReport, exit: Exit) -> Result<Exit> {
    output::print(session.format, report, |r| {
        if r.dry_run {
            r.plan.print_dry_run();
            return;
        }
        println!(
            "Token {} ({}): {}",
            r.token.accessor,
            r.token.display_name,
            if r.verified_gone {
                format!(
                    "revoked, children {}; a lookup no longer finds it",
                    r.children
                )
            } else {
                "revocation sent, but a lookup still finds it".into()
            }
        );
    })?;
    Ok(exit)
}
