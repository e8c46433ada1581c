//! `renew` of a TLS Secret that a cert-manager Certificate owns: cert-manager is asked to
//! reissue (as `cmctl renew` does) instead of the Secret being written here; once the Secret
//! holds a new certificate that verifies against the trusted CA and covers every name in use,
//! the pods are reloaded as for any renewal.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use k8s_openapi::api::core::v1::Secret;
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::events::Note;
use vault_shared::output::{Progress, Task};
use vault_shared::procedures::steps::{Step, StepLog};
use vault_shared::session::Session;

use crate::RenewArgs;
use crate::cert_manager::{self, GROUP, Owner, PLURAL};
use crate::renew::{self, Report, State};
use crate::x509;

/// How often the Secret and the Certificate are read while cert-manager issues.
const POLL: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum ReissueStep {
    Trigger,
    Wait,
    Verify,
    Reload,
}

impl Step for ReissueStep {
    fn label(self) -> &'static str {
        match self {
            ReissueStep::Trigger => "ask cert-manager to reissue",
            ReissueStep::Wait => "wait for the new certificate",
            ReissueStep::Verify => "check it against the trusted CA",
            ReissueStep::Reload => "reload the pods",
        }
    }
    fn next(self, subject: &str) -> String {
        match self {
            ReissueStep::Trigger => {
                format!("nothing changed in {subject}: fix the cause and run renew again")
            }
            ReissueStep::Wait => format!(
                "the pods were not touched; `kubectl describe certificate` and cert-manager's logs say why it did not issue; once Secret {subject} holds the new certificate, run renew again (or reload the pods with `kubectl vault-certs renew --restart`)"
            ),
            ReissueStep::Verify => format!(
                "the pods were not touched and still serve the previous certificate; fix the Certificate or its issuer, then run renew again ({subject})"
            ),
            ReissueStep::Reload => format!(
                "`kubectl vault-certs status` shows which pods serve the new certificate; reload the others with `kubectl vault-certs renew --restart` ({subject})"
            ),
        }
    }
    fn number(self) -> usize {
        self as usize + 1
    }
}

pub async fn run(
    session: &Session,
    args: &RenewArgs,
    state: State,
    ca_pem: String,
    certificate: String,
) -> Result<Exit> {
    let secret = state.secret_name.clone();
    if args.role.is_some() || args.ca_secret.is_some() || args.rollback {
        bail!(
            "Secret {secret} is owned by cert-manager Certificate {certificate}: a certificate written here would be replaced at cert-manager's next renewal. Run renew without --role, --ca-secret or --rollback to have cert-manager reissue it; nothing was changed"
        );
    }
    let (owner, _) = cert_manager::read(session, &secret, &certificate).await?;
    let missing = owner.missing(&state.names);
    if !missing.is_empty() {
        bail!(
            "cert-manager Certificate {certificate} does not ask for {} (names in use); add them to its spec.dnsNames/spec.ipAddresses first: cert-manager issues only what the Certificate asks for. Nothing was changed",
            missing.join(", ")
        );
    }
    let status = format!("{PLURAL}/status");
    let mut needed = vec![
        (GROUP, "get", PLURAL, Some(certificate.as_str())),
        (GROUP, "update", status.as_str(), Some(certificate.as_str())),
        ("", "get", "secrets", Some(secret.as_str())),
        ("", "get", "pods/exec", None),
        ("", "create", "events", None),
    ];
    if args.restart {
        needed.push(("", "delete", "pods", None));
    }
    renew::require_rights(session, &needed).await?;
    let shares = renew::restart_keys(session, args).await?;

    let order: Vec<&str> = state.pods.iter().map(|(p, _)| p.as_str()).collect();
    let mut plan = Plan::new(format!(
        "renew the certificate in Secret {secret} through cert-manager Certificate {certificate}"
    ));
    plan.step(format!(
        "set the Issuing condition of Certificate {certificate} (reason ManuallyTriggered, as `cmctl renew` does); its issuer {} signs a certificate for {}",
        owner.issuer.as_deref().unwrap_or("?"),
        owner
            .dns_names
            .iter()
            .chain(&owner.ip_addresses)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    ));
    plan.step(format!(
        "wait (up to {:?}) until Secret {secret} holds a new certificate (now sha256 {})",
        args.timeout,
        renew::short(state.secret_sha256.as_deref().unwrap_or("none"))
    ));
    plan.step("check its chain against the trusted CA and that it covers every name in use");
    if !renew::confirm_with_reload(session, args, plan, &order)? {
        return Ok(Exit::Healthy);
    }
    // What the plan was made of must still hold.
    let (now, secret_obj) = renew::gather(session, args).await?;
    let (owner_now, obj) = cert_manager::read(session, &secret, &certificate).await?;
    if now != state || owner_now != owner {
        bail!(
            "the cluster changed while waiting for the confirmation (pods, the active node, Secret {secret} or Certificate {certificate}); nothing was changed: run the command again to see the new plan"
        );
    }

    let progress = Progress::new();
    let task = progress.task(&secret);
    let mut log: StepLog<ReissueStep> = StepLog::new("renewal of", &secret, 4, task);
    log.run(ReissueStep::Trigger, cert_manager::trigger(session, obj))
        .await?;
    session
        .record_on(
            &secret_obj,
            Note::normal(
                "CertificateReissueTriggered",
                "Renew",
                &format!(
                    "cert-manager Certificate {certificate} asked to reissue (Issuing, ManuallyTriggered); the Secret held sha256 {}",
                    state.secret_sha256.as_deref().unwrap_or("none")
                ),
            ),
        )
        .await;
    log.start(ReissueStep::Wait);
    let written = wait_for_new(session, args, &state, &certificate, &log.task)
        .await
        .map_err(|e| log.failed(ReissueStep::Wait, e))?;
    log.done.push(ReissueStep::Wait);
    let info = log
        .run(ReissueStep::Verify, async {
            let pem = renew::pem_of(&written, "tls.crt").unwrap_or_default();
            let chain = x509::chain_of(&pem)?;
            let info = x509::parse(&chain[0])?;
            x509::verify_chain(&chain, &ca_pem).map_err(|e| {
                anyhow!("the certificate cert-manager wrote does not verify against the CA the pods and clients trust: {e}")
            })?;
            let missing: Vec<&str> = state
                .names
                .iter()
                .filter(|n| !x509::covers(&info.sans, n))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                bail!(
                    "the certificate cert-manager wrote does not cover {} (it names {})",
                    missing.join(", "),
                    info.sans.join(", ")
                );
            }
            if info.not_after_unix <= jiff::Timestamp::now().as_second() {
                bail!("the certificate cert-manager wrote is already expired ({})", info.not_after);
            }
            Ok(info)
        })
        .await?;
    log.start(ReissueStep::Reload);
    let reloads = renew::reload_all(
        session,
        args,
        &order,
        shares.as_deref(),
        &info.sha256,
        &state.cert_file,
        &progress,
    )
    .await
    .map_err(|e| log.failed(ReissueStep::Reload, e))?;
    let report = Report {
        action: "renew",
        secret: secret.clone(),
        backup: None,
        certificate: Some(certificate),
        serial: info.serial.clone(),
        sha256: info.sha256.clone(),
        not_after: info.not_after.clone(),
        names: info.sans.clone(),
        method: if args.restart { "restart" } else { "sighup" },
        pods: reloads,
    };
    renew::print_report(session, &report)?;
    Ok(Exit::Healthy)
}

/// Polls Secret `state.secret_name` until its tls.crt is no longer the one the plan saw; stops
/// early when cert-manager reports the issuance failed, and at --timeout.
async fn wait_for_new(
    session: &Session,
    args: &RenewArgs,
    state: &State,
    certificate: &str,
    task: &Task,
) -> Result<Secret> {
    let started = Instant::now();
    loop {
        // A read that fails is retried until the deadline (the error then says so).
        let last = match session.kube.secret(&state.secret_name).await {
            Ok(s) => {
                let fp = renew::pem_of(&s, "tls.crt").and_then(|p| renew::sha256_of_pem(&p));
                if fp.is_some() && fp != state.secret_sha256 {
                    return Ok(s);
                }
                None
            }
            Err(e) => Some(format!("{e:#}")),
        };
        let owner: Option<Owner> = cert_manager::read(session, &state.secret_name, certificate)
            .await
            .ok()
            .map(|(o, _)| o);
        // Our trigger replaced any earlier Issuing condition: a failure now is this issuance's.
        if let Some(failed) = owner.as_ref().and_then(|o| o.issuing_failure.as_deref()) {
            bail!("cert-manager reports the issuance failed: {failed}");
        }
        let waited = started.elapsed();
        if waited >= args.timeout {
            bail!(
                "cert-manager did not write a new certificate into Secret {} within {:?} (Certificate {certificate}: {}){}",
                state.secret_name,
                args.timeout,
                owner
                    .map(|o| o.line())
                    .unwrap_or_else(|| "could not be read".into()),
                last.map(|e| format!("; last error reading the Secret: {e}"))
                    .unwrap_or_default()
            );
        }
        task.step(&format!(
            "step 2/4: waiting for cert-manager to write Secret {} ({}s of {}s)",
            state.secret_name,
            waited.as_secs(),
            args.timeout.as_secs()
        ));
        tokio::time::sleep(POLL).await;
    }
}
