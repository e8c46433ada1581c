//! A kube-rs client lists the pods, runs an exec and port-forwards to
//! 8200 to read `sys/health` over TLS verified against the sandbox CA, and records Events
//! through events.k8s.io that the core API lists too.

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use k8s_openapi::api::core::v1::{Event as CoreEvent, Pod};
use k8s_openapi::api::events::v1::Event as NewEvent;
use kube::Resource;
use kube::api::{Api, AttachParams, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::events::{Event as RecordedEvent, EventType, Recorder, Reporter};
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use serde_json::Value;
use tokio::io::AsyncReadExt;
use vault_sandbox::{Options, Sandbox};

async fn client(sb: &Sandbox) -> kube::Client {
    let kubeconfig = Kubeconfig::read_from(sb.kubeconfig()).expect("read the kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kube config");
    kube::Client::try_from(config).expect("kube client")
}

/// A TLS client trusting only the sandbox CA.
fn tls(sb: &Sandbox) -> tokio_rustls::TlsConnector {
    let pem = std::fs::read(sb.ca_path()).expect("read ca.crt");
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        roots.add(cert.expect("parse ca.crt")).expect("add the CA");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// Reads all of an exec'd stream.
async fn read_all(r: Option<impl tokio::io::AsyncRead + Unpin>) -> String {
    let mut s = String::new();
    r.expect("stream requested")
        .read_to_string(&mut s)
        .await
        .expect("read the stream");
    s
}

#[test]
fn kube_rs_lists_execs_and_port_forwards() {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "kube-client");
    let sb = Sandbox::start(Options {
        dir,
        ..Options::default()
    })
    .expect("start the sandbox");
    // The sandbox runs on its own runtime; the client gets another.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let direct_health = sb
        .vault(1, "GET", "sys/health", None, None)
        .expect("sys/health straight to vault-1")
        .1;

    rt.block_on(async {
        let pods: Api<Pod> = Api::namespaced(client(&sb).await, "vault");

        // List, with the chart's labels as the selector.
        let lp = ListParams::default().labels(
            "app.kubernetes.io/name=vault,app.kubernetes.io/instance=vault,component=server",
        );
        let list = pods.list(&lp).await.expect("list pods");
        let mut names: Vec<String> = list
            .items
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        names.sort();
        assert_eq!(names, ["vault-0", "vault-1", "vault-2"]);
        assert!(list.metadata.resource_version.is_some());
        for p in &list.items {
            let status = p.status.as_ref().expect("pod status");
            assert_eq!(status.phase.as_deref(), Some("Running"));
            let ready = status
                .conditions
                .iter()
                .flatten()
                .any(|c| c.type_ == "Ready" && c.status == "True");
            assert!(ready, "{:?} not Ready", p.metadata.name);
        }
        let vault1 = list
            .items
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some("vault-1"))
            .expect("vault-1");
        let ip: IpAddr = vault1
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.as_deref())
            .expect("vault-1's podIP")
            .parse()
            .expect("an IP");

        // Exec: `vault status -format=json` talks to that pod's server; exit status Success.
        let ap = AttachParams::default().stdout(true).stderr(true);
        let mut proc = pods
            .exec("vault-1", ["vault", "status", "-format=json"], &ap)
            .await
            .expect("exec vault status");
        let status = proc.take_status().expect("status channel");
        let (out, err) = tokio::join!(read_all(proc.stdout()), read_all(proc.stderr()));
        let status = status.await.expect("an exit status");
        proc.join().await.expect("exec session");
        assert_eq!(
            status.status.as_deref(),
            Some("Success"),
            "{status:?} {err}"
        );
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(v["sealed"], false, "{v:#}");
        assert_eq!(v["initialized"], true, "{v:#}");

        // Exec with separate stdout/stderr and a non-zero exit code.
        let mut proc = pods
            .exec(
                "vault-1",
                ["sh", "-c", "echo out; echo err >&2; exit 3"],
                &ap,
            )
            .await
            .expect("exec sh");
        let status = proc.take_status().expect("status channel");
        let (out, err) = tokio::join!(read_all(proc.stdout()), read_all(proc.stderr()));
        let status = status.await.expect("an exit status");
        proc.join().await.expect("exec session");
        assert_eq!((out.as_str(), err.as_str()), ("out\n", "err\n"));
        assert_eq!(status.status.as_deref(), Some("Failure"), "{status:?}");
        assert_eq!(status.reason.as_deref(), Some("NonZeroExitCode"));
        let cause = status
            .details
            .and_then(|d| d.causes)
            .and_then(|c| c.into_iter().next())
            .expect("an exit code cause");
        assert_eq!(cause.reason.as_deref(), Some("ExitCode"));
        assert_eq!(cause.message.as_deref(), Some("3"));

        // Port-forward to 8200 and read sys/health over TLS, verified against the CA with the
        // pod IP (a SAN of the certificate) as the server name.
        let mut pf = pods
            .portforward("vault-1", &[8200])
            .await
            .expect("port-forward");
        let stream = pf.take_stream(8200).expect("a stream for 8200");
        let tls_stream = tls(&sb)
            .connect(ServerName::IpAddress(ip.into()), stream)
            .await
            .expect("TLS handshake through the port-forward");
        let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls_stream))
            .await
            .expect("HTTP/1.1 handshake");
        let conn = tokio::spawn(conn);
        let req = hyper::Request::get("/v1/sys/health")
            .header("host", format!("{ip}:8200"))
            .body(Empty::<Bytes>::new())
            .expect("request");
        let resp = send.send_request(req).await.expect("GET sys/health");
        let code = resp.status().as_u16();
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        let health: Value = serde_json::from_slice(&body).expect("JSON health");
        // Vault answers 200 on the active node and 429 on an unsealed standby.
        let expected = if health["standby"] == true { 429 } else { 200 };
        assert_eq!(code, expected, "{health:#}");
        assert_eq!(health["initialized"], true, "{health:#}");
        assert_eq!(health["sealed"], false, "{health:#}");
        assert_eq!(
            health["cluster_id"], direct_health["cluster_id"],
            "the port-forward reached the same cluster as the direct call"
        );
        drop(send);
        let _ = conn.await;
        pf.join().await.expect("port-forward session");

        // Verification is real: a name outside the certificate's SANs is refused.
        let mut pf = pods
            .portforward("vault-1", &[8200])
            .await
            .expect("port-forward");
        let stream = pf.take_stream(8200).expect("a stream for 8200");
        let wrong = ServerName::try_from("not-in-the-cert.example").expect("a DNS name");
        let refused = tls(&sb).connect(wrong, stream).await;
        assert!(refused.is_err(), "TLS accepted a name outside the SANs");
        drop(refused);
        pf.abort();

        // kube's events recorder writes events.k8s.io/v1; the core API reads the same Events,
        // and a repeat becomes a series (a merge patch) rather than a second Event.
        let client = client(&sb).await;
        let pod = pods.get("vault-1").await.expect("get vault-1");
        let recorder = Recorder::new(
            client.clone(),
            Reporter {
                controller: "kubectl-vault".into(),
                instance: Some("tester@host".into()),
            },
        );
        let event = RecordedEvent {
            type_: EventType::Normal,
            reason: "Unsealed".into(),
            note: Some("unsealed by a test".into()),
            action: "Unseal".into(),
            secondary: None,
        };
        for _ in 0..2 {
            recorder
                .publish(&event, &pod.object_ref(&()))
                .await
                .expect("publish through events.k8s.io");
        }
        let core: Api<CoreEvent> = Api::namespaced(client.clone(), "vault");
        let ours: Vec<CoreEvent> = core
            .list(&ListParams::default().fields("involvedObject.name=vault-1"))
            .await
            .expect("list core events")
            .items
            .into_iter()
            .filter(|e| e.reporting_component.as_deref() == Some("kubectl-vault"))
            .collect();
        assert_eq!(ours.len(), 1, "{ours:#?}");
        assert_eq!(ours[0].message.as_deref(), Some("unsealed by a test"));
        assert_eq!(ours[0].series.as_ref().and_then(|s| s.count), Some(2));
        let v1: Api<NewEvent> = Api::namespaced(client, "vault");
        let listed = v1
            .list(&ListParams::default().fields("regarding.name=vault-1"))
            .await
            .expect("list events.k8s.io events");
        assert!(
            listed
                .items
                .iter()
                .any(|e| e.note.as_deref() == Some("unsealed by a test")
                    && e.reporting_instance.as_deref() == Some("tester@host")),
            "{:#?}",
            listed.items
        );
    });
}
