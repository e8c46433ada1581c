//! `init`: re-initialising a cluster from nothing. The custody of the new keys is settled
//! before anything else happens: the shares are encrypted by Vault to each holder's PGP key
//! (the plugin never sees them in clear), or written to a new 0600 file that is read back
//! before the run goes on. With shares in clear, every pod is then unsealed and joined, and
//! the initial root token revoked.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail, ensure};
use base64::Engine;
use serde::Serialize;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use vault_shared::Exit;
use vault_shared::cli::CommonArgs;
use vault_shared::cluster;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::ha::NodeView;
use vault_shared::keys::{self, Token};
use vault_shared::output::{self, Format, Progress};
use vault_shared::procedures::secret_file::SecretFile;
use vault_shared::procedures::steps::{Step, StepLog};
use vault_shared::session::Session;
use vault_shared::vault::init::{InitAnswer, InitRequest};
use zeroize::Zeroizing;

use crate::InitArgs;
use crate::bring_up;
use crate::journal::Journal;
use crate::setup;
use crate::wipe;

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum InitStep {
    Wipe,
    Init,
    Custody,
    Unseal,
    Join,
    Setup,
    RevokeRoot,
}

impl Step for InitStep {
    fn label(self) -> &'static str {
        match self {
            InitStep::Wipe => "delete the data volumes",
            InitStep::Init => "initialise the first pod",
            InitStep::Custody => "put the new keys in custody",
            InitStep::Unseal => "unseal the first pod",
            InitStep::Join => "join and unseal the other pods",
            InitStep::Setup => "run the setup script",
            InitStep::RevokeRoot => "revoke the initial root token",
        }
    }

    fn next(self, subject: &str) -> String {
        match self {
            InitStep::Wipe | InitStep::Init => format!(
                "`kubectl vault-reinit assess -n {subject}`, then run init again"
            ),
            InitStep::Custody => "the cluster is initialised but its keys were not kept: delete the data again (`init --wipe`) and start over".into(),
            InitStep::Unseal | InitStep::Join => format!(
                "`kubectl vault-unseal -n {subject} --keys-file FILE`, then `kubectl vault-raft join POD -n {subject} --keys-file FILE` for each pod not in the cluster"
            ),
            InitStep::Setup => format!(
                "the cluster is initialised and unsealed and holds only what the script did before it stopped: fix the script and start again with `kubectl vault-reinit init -n {subject} --wipe --setup SCRIPT …`, or run it yourself with a token made by `vault operator generate-root` (with the shares in the --output-file, where the server allows it: OpenBao refuses it unless configured)"
            ),
            InitStep::RevokeRoot => "revoke the root token by hand: `vault token revoke -self`".into(),
        }
    }

    fn number(self) -> usize {
        self as usize + 1
    }
}

#[derive(Debug, Serialize)]
struct Report {
    namespace: String,
    initialized: String,
    shares: u32,
    threshold: u32,
    custody: &'static str,
    /// PGP mode: each holder's encrypted share (base64), in the order of --pgp-keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    encrypted_shares: Vec<EncryptedShare>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encrypted_root_token: Option<String>,
    output: Option<String>,
    journal: String,
    wiped: Vec<String>,
    unsealed: Vec<String>,
    /// The setup script that ran and exited 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    setup: Option<String>,
    root_token: &'static str,
    next: Option<String>,
    seconds: f64,
    exit_code: u8,
}

#[derive(Debug, Serialize)]
struct EncryptedShare {
    holder: String,
    share: String,
}

/// A PGP public key file as sys/init takes it: base64 of the binary key (an ASCII-armoured
/// file is de-armoured first).
fn pgp_key(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("read PGP key {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let b64 = base64::engine::general_purpose::STANDARD;
    if text.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
        let body: String = text
            .lines()
            .skip_while(|l| !l.starts_with("-----BEGIN"))
            .skip(1)
            .skip_while(|l| !l.trim().is_empty() && l.contains(':'))
            .take_while(|l| !l.starts_with("-----END"))
            .filter(|l| !l.starts_with('=') && !l.trim().is_empty())
            .collect();
        let binary = b64.decode(body.trim()).map_err(|_| {
            anyhow!(
                "PGP key {}: the armoured block is not valid base64",
                path.display()
            )
        })?;
        return Ok(b64.encode(binary));
    }
    if text.contains("PRIVATE KEY BLOCK") {
        bail!(
            "{} is a PGP private key: give the holder's public key (gpg --export --armor)",
            path.display()
        );
    }
    ensure!(
        bytes.first().is_some_and(|b| b & 0x80 != 0),
        "{} is not a PGP public key (binary or ASCII-armoured)",
        path.display()
    );
    Ok(b64.encode(&bytes))
}

fn check_args(a: &InitArgs) -> Result<()> {
    ensure!(
        (1..=255).contains(&a.key_shares),
        "--key-shares must be 1 to 255"
    );
    ensure!(
        a.key_threshold >= 1 && a.key_threshold <= a.key_shares,
        "--key-threshold must be between 1 and --key-shares ({})",
        a.key_shares
    );
    ensure!(
        a.key_shares == 1 || a.key_threshold >= 2,
        "--key-threshold must be at least 2 when there is more than one share"
    );
    if !a.pgp_keys.is_empty() {
        ensure!(
            a.pgp_keys.len() == a.key_shares as usize,
            "--pgp-keys names {} keys but --key-shares is {}: give one key per share",
            a.pgp_keys.len(),
            a.key_shares
        );
        ensure!(
            !a.keep_root_token || a.root_token_pgp_key.is_some(),
            "--keep-root-token with --pgp-keys needs --root-token-pgp-key: the plugin never prints the root token in clear"
        );
    }
    if a.setup.is_some() {
        ensure!(
            a.root_token_pgp_key.is_none(),
            "--setup with --root-token-pgp-key: the root token would be encrypted, so the script could not be given it; nothing was changed"
        );
    }
    if let Some(out) = &a.output_file {
        if out.exists() {
            bail!(
                "{} exists: init never overwrites a key file; give a new name",
                out.display()
            );
        }
        let dir = out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        ensure!(
            dir.is_dir(),
            "the directory of --output-file {} does not exist",
            out.display()
        );
    }
    Ok(())
}

pub async fn run(common: &CommonArgs, a: &InitArgs) -> Result<Exit> {
    check_args(a)?;
    let pgp_keys: Vec<String> = a
        .pgp_keys
        .iter()
        .map(|p| pgp_key(p))
        .collect::<Result<_>>()?;
    let root_pgp = a.root_token_pgp_key.as_deref().map(pgp_key).transpose()?;
    let script = a.setup.as_deref().map(setup::check_script).transpose()?;
    let mut session = Session::connect(common, &[]).await?;
    let ns = session.kube.namespace.clone();
    let pods = session.all_pods.clone();
    let first = cluster::name(&pods[0]).to_string();
    // What the script needs to reach Vault is found before anything is deleted.
    let reach = match &script {
        Some(_) => Some(setup::reach(&session, &pods[0]).await?),
        None => None,
    };
    let views = session.views().await;
    let state = refuse_unless_ready(&views, a.wipe)?;
    let doomed = if a.wipe {
        wipe::doomed(&session.kube, &pods).await?
    } else {
        Vec::new()
    };
    let plan = plan(a, &ns, &first, &pods, &doomed);
    if !a.confirm.confirm(&plan)? {
        plan.print_dry_run();
        return Ok(Exit::Healthy);
    }
    if a.wipe {
        wipe::confirm_namespace(&ns, a.confirm.yes)?;
    }
    // What was read before the prompt is read again before anything changes.
    let again = session.views().await;
    let now = refuse_unless_ready(&again, a.wipe)?;
    if now != state {
        bail!(
            "the cluster changed while waiting for confirmation ({state} → {now}): nothing was changed; run init again"
        );
    }
    let journal = Journal::create(a.journal.as_deref(), "init")?;
    journal.note(
        "plan",
        "confirmed",
        json!({"namespace": ns, "steps": plan.steps, "wipe": a.wipe}),
    );
    let start = Instant::now();
    let progress = Progress::new();
    let task = progress.task(&format!("init {ns}"));
    let mut log: StepLog<InitStep> = StepLog::new("init", &ns, 7, task);
    // The steps' own progress (which pod, what it waits for), beside the step line.
    let work = progress.task("pods");
    let mut wiped = Vec::new();
    if a.wipe {
        let wiper = wipe::Wiper::new(common, &doomed, a.timeout, &work);
        (session, wiped) = wiper
            .step(&journal, &mut log, InitStep::Wipe, &session)
            .await?;
    }
    let seal_recovery = recovery_seal(&session, &first).await?;
    let req = InitRequest {
        shares: a.key_shares,
        threshold: a.key_threshold,
        pgp_keys,
        root_token_pgp_key: root_pgp.clone(),
        recovery: seal_recovery,
    };
    let t0 = session.target(&first)?;
    let answer = journal
        .step(
            "init",
            log.run(InitStep::Init, async {
                t0.client
                    .init(&req)
                    .await
                    .map_err(|e| session.explain(e, "initialise Vault (sys/init)"))
            }),
        )
        .await?;
    let custody = if a.pgp_keys.is_empty() { "file" } else { "pgp" };
    session
        .record(
            &first,
            Note::normal(
                "VaultInitialized",
                "Initialize",
                &format!(
                    "kubectl-vault reinit initialised Vault: {} shares, threshold {}, keys in custody: {custody}",
                    a.key_shares, a.key_threshold
                ),
            ),
        )
        .await;
    let encrypted = !a.pgp_keys.is_empty();
    let written = journal
        .step(
            "custody",
            log.run(
                InitStep::Custody,
                custody_file(a, &answer, encrypted, root_pgp.is_some()),
            ),
        )
        .await?;
    let mut report = Report {
        namespace: ns.clone(),
        initialized: first.clone(),
        shares: a.key_shares,
        threshold: a.key_threshold,
        custody,
        encrypted_shares: Vec::new(),
        encrypted_root_token: None,
        output: written.as_ref().map(|p| p.display().to_string()),
        journal: journal.path().display().to_string(),
        wiped,
        unsealed: Vec::new(),
        setup: None,
        root_token: "revoked",
        next: None,
        seconds: 0.0,
        exit_code: 0,
    };
    let exit = if encrypted {
        // The shares are ciphertext for their holders: only they can unseal.
        if written.is_none() {
            report.encrypted_shares = a
                .pgp_keys
                .iter()
                .zip(answer.shares_b64())
                .map(|(p, s)| EncryptedShare {
                    holder: p.display().to_string(),
                    share: s.to_string(),
                })
                .collect();
            if root_pgp.is_some() {
                report.encrypted_root_token = Some(answer.root_token.to_string());
            }
        }
        report.root_token = if root_pgp.is_some() {
            "encrypted to --root-token-pgp-key"
        } else {
            "discarded unseen (make one with generate-root when needed, where the server allows it: OpenBao refuses it unless configured; --setup or --root-token-pgp-key keep a way in)"
        };
        let others = pods.len() > 1;
        report.next = Some(format!(
            "each holder decrypts their share (`base64 -d | gpg -dq`); then `kubectl vault-unseal -n {ns} {first}` and `kubectl vault-raft join POD -n {ns}` for the other pods"
        ));
        if let (Some(script), Some(reach)) = (&script, &reach) {
            // The script needs an unsealed cluster, which only the holders can give it: the
            // run waits for them with the root token held in memory, then revokes it.
            announce_shares(&report, &first, &ns, a.timeout);
            log.run(
                InitStep::Unseal,
                await_holders(&session, &first, a.timeout, &work),
            )
            .await?;
            session.use_token(
                Token::new(answer.root_token.clone()),
                "the new cluster's initial root token",
            )?;
            let end = RootEnd {
                setup: Some((script, reach, a.setup_timeout)),
                keep: false,
                progress: &progress,
            };
            end.run(&session, &journal, &mut log, &first, &answer.root_token)
                .await
                .inspect_err(|_| work.clear())?;
            report.root_token = "revoked";
            report.setup = Some(script.display().to_string());
            report.unsealed = vec![first.clone()];
            report.next = others.then(|| format!(
                "`kubectl vault-raft join POD -n {ns}` for the other pods, each unsealed by the holders (`kubectl vault-unseal -n {ns} POD`)"
            ));
        }
        work.clear();
        log.task.finish(if report.setup.is_some() {
            "initialised; the first pod unsealed by the key holders and set up"
        } else {
            "initialised; sealed until the key holders unseal it"
        });
        if report.setup.is_some() && !others {
            Exit::Healthy
        } else {
            Exit::Attention
        }
    } else {
        let shares = keys::parse(
            &answer
                .shares_b64()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            "the sys/init answer",
        )?;
        session.use_token(
            Token::new(answer.root_token.clone()),
            "the new cluster's initial root token",
        )?;
        report.unsealed = journal
            .step(
                "unseal and join",
                bring_up::bring_up(
                    &session,
                    &mut log,
                    (InitStep::Unseal, InitStep::Join),
                    &work,
                    &first,
                    &shares,
                    a.timeout,
                ),
            )
            .await?;
        let end = RootEnd {
            setup: script
                .as_deref()
                .zip(reach.as_ref())
                .map(|(s, r)| (s, r, a.setup_timeout)),
            keep: a.keep_root_token,
            progress: &progress,
        };
        end.run(&session, &journal, &mut log, &first, &answer.root_token)
            .await
            .inspect_err(|_| work.clear())?;
        if a.keep_root_token {
            report.root_token = "kept (in the --output file)";
        }
        report.setup = script.as_ref().map(|s| s.display().to_string());
        work.clear();
        log.task.finish(&format!(
            "initialised; {} pods unsealed and healthy voters",
            report.unsealed.len()
        ));
        Exit::Healthy
    };
    report.seconds = (start.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    report.exit_code = exit.code();
    journal.note("finished", "done", json!({"exit_code": exit.code()}));
    print(session.format, &report)?;
    Ok(exit)
}

/// The end of a run holding the root token: the setup script (if any), then the token revoked
/// (unless kept) whatever the script did; a failed script is then the run's error.
struct RootEnd<'a> {
    setup: Option<(&'a Path, &'a setup::Reach, std::time::Duration)>,
    keep: bool,
    /// Hidden while the script writes to the terminal.
    progress: &'a Progress,
}

impl RootEnd<'_> {
    async fn run(
        &self,
        session: &Session,
        journal: &Journal,
        log: &mut StepLog<InitStep>,
        first: &str,
        token: &str,
    ) -> Result<()> {
        let ran = match self.setup {
            Some(setup) => {
                self.progress.hide();
                let ran = run_setup(session, journal, log, setup, first, token).await;
                self.progress.show();
                ran
            }
            None => Ok(()),
        };
        if !self.keep {
            revoke_root(session, journal, log, first).await?;
        }
        ran.map_err(|e| log.failed(InitStep::Setup, e))
    }
}

/// Runs the setup script against the active pod, noting it in the journal and in an Event;
/// its failure is returned (after the Event) for the caller to report once the root token
/// is dealt with.
async fn run_setup(
    session: &Session,
    journal: &Journal,
    log: &mut StepLog<InitStep>,
    (script, reach, timeout): (&Path, &setup::Reach, std::time::Duration),
    first: &str,
    token: &str,
) -> Result<()> {
    log.start(InitStep::Setup);
    let result = journal
        .step("setup", async {
            let leader = session.leader(&session.views().await)?.name.clone();
            setup::run(session, reach, &leader, script, token, timeout).await
        })
        .await;
    let note = match &result {
        Ok(()) => format!(
            "kubectl-vault reinit ran the setup script {}",
            script.display()
        ),
        Err(e) => format!(
            "kubectl-vault reinit: the setup script {} failed: {e:#}",
            script.display()
        ),
    };
    let event = if result.is_ok() {
        log.done.push(InitStep::Setup);
        Note::normal("SetupScriptRan", "Setup", &note)
    } else {
        Note::warning("SetupScriptFailed", "Setup", &note)
    };
    session.record(first, event).await;
    result
}

/// Shows the key holders their encrypted shares now (stderr: the report comes at the end)
/// and what they are waited for.
fn announce_shares(report: &Report, first: &str, ns: &str, timeout: std::time::Duration) {
    let mut text = String::new();
    for s in &report.encrypted_shares {
        text.push_str(&format!(
            "Share for {} (PGP-encrypted): {}\n",
            s.holder, s.share
        ));
    }
    if let Some(o) = &report.output {
        text.push_str(&format!("The PGP-encrypted shares are in {o}.\n"));
    }
    eprintln!(
        "{text}Waiting up to {}s for the key holders to unseal {first}: each decrypts their share (`base64 -d | gpg -dq`) and runs `kubectl vault-unseal -n {ns} {first}`; the setup script runs then.",
        timeout.as_secs()
    );
}

/// Waits until `first` is unsealed and the active node (the key holders unsealed it).
async fn await_holders(
    session: &Session,
    first: &str,
    timeout: std::time::Duration,
    task: &vault_shared::output::Task,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let views = session.views().await;
        let view = views.iter().find(|v| v.pod == first);
        let unsealed = view.is_some_and(|v| v.sealed == Some(false));
        if unsealed && session.leader(&views).is_ok_and(|t| t.name == first) {
            return Ok(());
        }
        task.step(&format!(
            "{first}: {}",
            if unsealed {
                "unsealed, waiting until it leads"
            } else {
                "sealed, waiting for the key holders"
            }
        ));
        if Instant::now() >= deadline {
            bail!(
                "{first} was not unsealed and leading within {}s: the setup script did not run, and the root token could not be revoked while the cluster is sealed",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Revokes the initial root token through the active node, and records it.
async fn revoke_root(
    session: &Session,
    journal: &Journal,
    log: &mut StepLog<InitStep>,
    first: &str,
) -> Result<()> {
    journal
        .step(
            "revoke root token",
            log.run(InitStep::RevokeRoot, async {
                session
                    .leader(&session.views().await)?
                    .client
                    .revoke_self()
                    .await
                    .map_err(|e| session.explain(e, "revoke the initial root token"))
            }),
        )
        .await?;
    session
        .record(
            first,
            Note::normal(
                "RootTokenRevoked",
                "RevokeToken",
                "kubectl-vault reinit revoked the initial root token",
            ),
        )
        .await;
    Ok(())
}

/// A one-line description of what init may act on, or the refusal: an initialised pod holds
/// data (only `--wipe` may delete it), and a pod that cannot be read may.
pub fn refuse_unless_ready(views: &[NodeView], wipe: bool) -> Result<String> {
    let holding: Vec<&str> = views
        .iter()
        .filter(|v| v.initialized == Some(true))
        .map(|v| v.pod.as_str())
        .collect();
    let unread: Vec<String> = views
        .iter()
        .filter(|v| !v.reachable)
        .map(|v| format!("{} ({})", v.pod, v.error.as_deref().unwrap_or("no answer")))
        .collect();
    if !wipe {
        if !holding.is_empty() {
            bail!(
                "{} already initialised: the cluster holds data. Re-initialising deletes it: add --wipe (see `kubectl vault-reinit assess` first); nothing was changed",
                holding.join(", ")
            );
        }
        if !unread.is_empty() {
            bail!(
                "cannot read {}: whether it holds data is unknown, so nothing was changed",
                unread.join(", ")
            );
        }
    }
    Ok(format!(
        "{} pods, initialised: {}",
        views.len(),
        if holding.is_empty() {
            "none".to_string()
        } else {
            holding.join(",")
        }
    ))
}

fn plan(
    a: &InitArgs,
    ns: &str,
    first: &str,
    pods: &[k8s_openapi::api::core::v1::Pod],
    doomed: &[wipe::Doomed],
) -> Plan {
    let mut plan = Plan::new(format!("re-initialise Vault in namespace {ns}"));
    wipe::plan(&mut plan, doomed);
    plan.step(format!(
        "initialise {first}: {} shares, threshold {}",
        a.key_shares, a.key_threshold
    ));
    match (&a.output_file, a.pgp_keys.is_empty()) {
        (Some(out), true) => {
            plan.step(format!(
                "write the new shares and root token to {} (0600) and read it back",
                out.display()
            ));
        }
        (out, false) => {
            plan.step(format!(
                "shares encrypted by Vault to {}{}",
                a.pgp_keys
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                out.as_ref()
                    .map(|o| format!(", written to {}", o.display()))
                    .unwrap_or_default()
            ));
        }
        (None, true) => {}
    }
    if a.pgp_keys.is_empty() {
        let others: Vec<&str> = pods
            .iter()
            .map(cluster::name)
            .filter(|p| *p != first)
            .collect();
        plan.step(format!("unseal {first}"));
        if !others.is_empty() {
            plan.step(format!(
                "join and unseal {}, wait until all are healthy voters and Ready",
                others.join(", ")
            ));
        }
        if let Some(script) = &a.setup {
            plan.step(format!(
                "run {} against the active pod, with the root token in its environment only",
                script.display()
            ));
        }
        if !a.keep_root_token {
            plan.step("revoke the initial root token");
        }
    } else if let Some(script) = &a.setup {
        plan.step(format!(
            "wait up to {}s for the key holders to unseal {first}, then run {} against it with the root token in its environment only, then revoke the root token",
            a.timeout.as_secs(),
            script.display()
        ));
    } else {
        plan.step("leave the cluster sealed for the key holders");
    }
    plan
}

/// Whether the cluster's seal is a KMS (recovery keys) rather than Shamir.
async fn recovery_seal(session: &Session, first: &str) -> Result<bool> {
    let st = session
        .target(first)?
        .client
        .seal_status()
        .await
        .map_err(|e| session.explain(e, "read the seal status"))?;
    ensure!(
        !st.initialized,
        "{first} is already initialised: nothing was changed"
    );
    Ok(!st.needs_shares())
}

/// Writes the new keys to `--output-file` as `vault operator init -format=json` does and reads
/// the file back; nothing goes on until it holds exactly what Vault answered.
async fn custody_file(
    a: &InitArgs,
    answer: &InitAnswer,
    encrypted: bool,
    root_encrypted: bool,
) -> Result<Option<PathBuf>> {
    let Some(path) = &a.output_file else {
        return Ok(None);
    };
    let recovery = answer.keys_base64.is_empty();
    let (b64, hex) = if recovery {
        ("recovery_keys_b64", "recovery_keys_hex")
    } else {
        ("unseal_keys_b64", "unseal_keys_hex")
    };
    let strs =
        |v: &[Zeroizing<String>]| v.iter().map(|s| s.as_str().to_string()).collect::<Vec<_>>();
    let mut doc = json!({
        b64: strs(answer.shares_b64()),
        hex: strs(answer.shares_hex()),
        "unseal_shares": a.key_shares,
        "unseal_threshold": a.key_threshold,
        "pgp_encrypted": encrypted,
    });
    // A root token in clear goes to the file only when the shares are in clear too.
    if !encrypted || root_encrypted {
        doc["root_token"] = json!(answer.root_token.as_str());
    }
    let text = Zeroizing::new(serde_json::to_string_pretty(&doc)?);
    if let Some(m) = doc.as_object_mut() {
        m.clear();
    }
    let mut file = SecretFile::create(path, false)?;
    file.writer()
        .write_all(text.as_bytes())
        .await
        .with_context(|| format!("write {}", path.display()))?;
    let path = file.commit().await?;
    let back = keys::read_text(&path)?;
    ensure!(
        *back == *text,
        "{} does not read back as written: the keys are not safe there",
        path.display()
    );
    if !encrypted {
        let shares = keys::parse(&back, &path.display().to_string())?;
        ensure!(
            shares.len() == a.key_shares as usize,
            "{} reads back with {} shares, not {}",
            path.display(),
            shares.len(),
            a.key_shares
        );
    }
    Ok(Some(path))
}

fn print(format: Format, r: &Report) -> Result<()> {
    output::print(format, r, |r| {
        println!(
            "Vault in namespace {} re-initialised on {}: {} shares, threshold {} ({:.1}s).",
            r.namespace, r.initialized, r.shares, r.threshold, r.seconds
        );
        if !r.wiped.is_empty() {
            println!("Deleted data volumes: {}", r.wiped.join(", "));
        }
        if let Some(o) = &r.output {
            println!("New keys written to {o} (0600) and read back.");
        }
        for s in &r.encrypted_shares {
            println!("Share for {} (PGP-encrypted): {}", s.holder, s.share);
        }
        if let Some(t) = &r.encrypted_root_token {
            println!("Root token (PGP-encrypted): {t}");
        }
        if !r.unsealed.is_empty() {
            println!(
                "Unsealed, healthy voters and Ready: {}",
                r.unsealed.join(", ")
            );
        }
        if let Some(s) = &r.setup {
            println!("Setup script {s} ran and exited 0.");
        }
        println!("Initial root token: {}.", r.root_token);
        println!("Journal: {}", r.journal);
        if let Some(n) = &r.next {
            println!("Next: {n}");
        }
    })
}
