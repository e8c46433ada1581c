//! Putting a snapshot onto an empty node: initialise it with a throw-away key held only in
//! memory, unseal it, force-restore the snapshot (it was taken under another keyring), and
//! unseal it again with the keys of the cluster the snapshot came from. Shared by `drill`
//! (on a scratch copy) and `restore` (on the cluster itself).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use vault_shared::keys::{self, Share, Token};
use vault_shared::output::Task;
use vault_shared::session::Session;
use vault_shared::target::Target;
use vault_shared::unseal::{self, Outcome};
use vault_shared::vault::VaultClient;
use vault_shared::vault::init::InitRequest;
use zeroize::Zeroizing;

/// How long an upload of the snapshot may take.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// Restores `snapshot` onto the empty node behind `t` (a pod of `session`) and unseals it
/// with `old` (the snapshot's cluster's shares); returns the client of the restarted pod.
/// `timeout` bounds each wait.
pub async fn onto_empty_node(
    session: &Session,
    t: &Target,
    snapshot: &Path,
    old: &[Share],
    timeout: Duration,
    task: &Task,
) -> Result<Target> {
    task.step(&format!("{}: initialising with a throw-away key", t.name));
    let answer = t
        .client
        .init(&InitRequest {
            // Two shares: with one, Vault hands out the root key itself, not a share.
            shares: 2,
            threshold: 2,
            ..Default::default()
        })
        .await
        .map_err(|e| anyhow!("initialise {} with a throw-away key: {e}", t.name))?;
    let throwaway = keys::parse(
        &Zeroizing::new(
            answer
                .shares_b64()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        "the throw-away keys",
    )?;
    let cell: vault_shared::vault::TokenCell = Arc::default();
    let _ = cell.set(Token::new(answer.root_token.clone()));
    drop(answer);
    let client = VaultClient::new(
        t.name.clone(),
        t.client.connector().clone(),
        t.client.timeout(),
    )
    .with_token(cell);
    let outcome = unseal::unseal(&client, &throwaway, unseal::Options::default(), &|m| {
        task.step(m)
    })
    .await
    .map_err(|e| anyhow!("unseal {} with the throw-away key: {e}", t.name))?;
    ensure!(
        matches!(outcome, Outcome::Unsealed { .. }),
        "{} was not unsealed with its throw-away key: {outcome:?}",
        t.name
    );
    wait_active(&client, timeout, task).await?;

    task.step(&format!("{}: restoring the snapshot", t.name));
    let file = tokio::fs::File::open(snapshot)
        .await
        .with_context(|| format!("open {}", snapshot.display()))?;
    let len = file.metadata().await?.len();
    client
        .snapshot_restore(file, len, true, UPLOAD_TIMEOUT)
        .await
        .map_err(|e| anyhow!("restore {} onto {}: {e}", snapshot.display(), t.name))?;

    // The node now holds the snapshot's keyring: only the old cluster's keys open it.
    let start = Instant::now();
    loop {
        let st = client
            .seal_status()
            .await
            .map_err(|e| anyhow!("{}: seal status after the restore: {e}", t.name))?;
        if st.sealed {
            break;
        }
        if start.elapsed() > timeout {
            bail!(
                "{} stayed unsealed under the throw-away key after the restore",
                t.name
            );
        }
        task.step(&format!("{}: waiting for the restored keyring", t.name));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The node keeps the throw-away seal configuration (its threshold) in memory until it
    // starts again; restarted, it reads the snapshot's.
    task.step(&format!(
        "{}: restarting to load the snapshot's seal",
        t.name
    ));
    let pod = t
        .pod
        .as_ref()
        .ok_or_else(|| anyhow!("{} is not a pod", t.name))?;
    session.kube.delete_pod(&t.name).await?;
    let pod = session
        .kube
        .wait_recreated(&t.name, vault_shared::cluster::uid(pod), timeout)
        .await?;
    let fresh = session.fresh_target(pod).await?;
    let start = Instant::now();
    while let Err(e) = fresh.client.seal_status().await {
        if start.elapsed() > timeout {
            bail!("{} did not answer after its restart: {e}", t.name);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    task.step(&format!("{}: unsealing with the snapshot's keys", t.name));
    let outcome = unseal::unseal(&fresh.client, old, unseal::Options::default(), &|m| {
        task.step(m)
    })
    .await
    .map_err(|e| anyhow!("{}", keys::redact(&e.to_string(), old)))?;
    match outcome {
        Outcome::Unsealed { .. } | Outcome::AlreadyUnsealed => {}
        Outcome::Failed { .. } => bail!(
            "the keys given do not unseal this snapshot: they are not the keys of the cluster it was taken from"
        ),
        Outcome::NotEnoughShares { have, need } => {
            bail!("the snapshot's cluster needs {need} shares, {have} given")
        }
        other => bail!(
            "{} was not unsealed with the snapshot's keys: {other:?}",
            t.name
        ),
    }
    wait_active(&fresh.client, timeout, task).await?;
    Ok(fresh)
}

/// Waits until the node is the active node (sys/leader is_self).
async fn wait_active(client: &VaultClient, timeout: Duration, task: &Task) -> Result<()> {
    let start = Instant::now();
    loop {
        if let Ok(l) = client.leader().await
            && l.is_self
        {
            return Ok(());
        }
        if start.elapsed() > timeout {
            bail!("{} did not become active within {timeout:?}", client.target);
        }
        task.step(&format!(
            "{}: waiting to become active ({:.0}s)",
            client.target,
            start.elapsed().as_secs_f64()
        ));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
