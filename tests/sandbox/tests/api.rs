//! The sandbox's API answers as kube-apiserver does, seen by the real kubectl and by kube-rs:
//! 409 on stale writes, 400 on unknown field selectors, 422 with causes, namespaces that must
//! exist, paged lists, watches that follow selector transitions with bookmarks,
//! deletecollection, finalizers and garbage collection, and faults of the API itself.

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{Value, json};
use vault_sandbox::{Kubectl, Sandbox};

fn start(name: &str) -> Sandbox {
    sandbox(name, 1)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

async fn client(kubeconfig: &std::path::Path) -> kube::Client {
    let kc = Kubeconfig::read_from(kubeconfig).expect("read the kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("kube config");
    kube::Client::try_from(config).expect("kube client")
}

fn api_error(e: kube::Error) -> Box<kube::core::Status> {
    match e {
        kube::Error::Api(s) => s,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn cm(name: &str, labels: Value) -> ConfigMap {
    serde_json::from_value(
        json!({"metadata": {"name": name, "labels": labels}, "data": {"k": "v"}}),
    )
    .expect("a ConfigMap")
}

type Events = futures::stream::BoxStream<'static, kube::Result<WatchEvent<ConfigMap>>>;

async fn next_event(s: &mut Events) -> WatchEvent<ConfigMap> {
    tokio::time::timeout(Duration::from_secs(10), s.try_next())
        .await
        .expect("an event within 10 s")
        .expect("a watch event")
        .expect("the watch goes on")
}

/// The next event that is not a bookmark.
async fn next_change(s: &mut Events) -> WatchEvent<ConfigMap> {
    loop {
        match next_event(s).await {
            WatchEvent::Bookmark(_) => continue,
            other => return other,
        }
    }
}

#[test]
fn writes_selectors_namespaces_and_faults() {
    let sb = start("api-semantics");
    let k = sb.kubectl();

    // 409: a replace with a stale resourceVersion.
    k.ok(["create", "configmap", "settings", "--from-literal=a=1"])
        .expect("create");
    let mut old = k.json(["get", "configmap", "settings"]).expect("get");
    k.ok([
        "patch",
        "configmap",
        "settings",
        "-p",
        r#"{"data":{"a":"2"}}"#,
    ])
    .expect("patch");
    old["data"]["a"] = json!("3");
    let file = sb.dir().join("stale.json");
    std::fs::write(&file, old.to_string()).unwrap();
    let err = fails(&k, &["replace", "-f", file.to_str().unwrap()]);
    assert!(
        err.contains("Error from server (Conflict)")
            && err.contains("Operation cannot be fulfilled on configmaps \"settings\": the object has been modified; please apply your changes to the latest version and try again"),
        "{err}"
    );

    // 400: field selectors a resource does not support.
    let err = fails(&k, &["get", "pods", "--field-selector", "spec.foo=x"]);
    assert!(
        err.contains("Error from server (BadRequest)")
            && err.contains("field label not supported: spec.foo"),
        "{err}"
    );
    let err = fails(&k, &["get", "configmaps", "--field-selector", "data.k=v"]);
    assert!(
        err.contains("\"data.k\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""),
        "{err}"
    );
    let running = k
        .json([
            "get",
            "pods",
            "--field-selector",
            "status.phase=Running,spec.nodeName=sandbox-node",
        ])
        .expect("pods by phase and node");
    assert_eq!(
        running["items"].as_array().map(Vec::len),
        Some(1),
        "{running}"
    );
    let events = k
        .json([
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=vault-0,source=kubelet",
        ])
        .expect("events by involved object and source");
    assert!(
        events["items"].as_array().is_some_and(
            |e| !e.is_empty() && e.iter().all(|e| e["involvedObject"]["name"] == "vault-0")
        ),
        "{events}"
    );

    // 422 with causes, through kubectl and kube-rs.
    let err = fails(
        &k,
        &["create", "configmap", "Bad_Name", "--from-literal=a=1"],
    );
    assert!(
        err.contains("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"),
        "{err}"
    );
    let file = sb.dir().join("empty-pod.json");
    std::fs::write(
        &file,
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "empty"},
                                 "spec": {"containers": []}})
        .to_string(),
    )
    .unwrap();
    let err = fails(&k, &["create", "-f", file.to_str().unwrap()]);
    assert!(
        err.contains("The Pod \"empty\" is invalid: spec.containers: Required value"),
        "{err}"
    );
    // Objects only in namespaces that exist.
    let err = fails(&k, &["create", "configmap", "x", "-n", "nowhere"]);
    assert!(err.contains("namespaces \"nowhere\" not found"), "{err}");

    let rt = runtime();
    rt.block_on(async {
        let c = client(sb.kubeconfig()).await;
        let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "vault");
        let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(c.clone(), "vault");
        let bad: k8s_openapi::api::core::v1::Pod =
            serde_json::from_value(json!({"metadata": {"name": "empty"}, "spec": {"containers": []}})).unwrap();
        let s = api_error(pods.create(&PostParams::default(), &bad).await.unwrap_err());
        assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"), "{s:?}");
        let cause = &s.details.as_ref().expect("details").causes[0];
        assert_eq!(
            (cause.field.as_str(), cause.reason.as_str(), cause.message.as_str()),
            ("spec.containers", "FieldValueRequired", "Required value")
        );

        // 409 on a patch carrying a stale resourceVersion, and on delete preconditions.
        let cur = cms.get("settings").await.unwrap();
        let stale = json!({"metadata": {"resourceVersion": "1"}, "data": {"a": "4"}});
        let s = api_error(
            cms.patch("settings", &PatchParams::default(), &Patch::Merge(&stale))
                .await
                .unwrap_err(),
        );
        assert_eq!((s.code, s.reason.as_str()), (409, "Conflict"), "{s:?}");
        let dp = DeleteParams {
            preconditions: Some(kube::api::Preconditions {
                uid: Some("not-its-uid".into()),
                resource_version: None,
            }),
            ..Default::default()
        };
        let s = api_error(cms.delete("settings", &dp).await.unwrap_err());
        let uid = cur.metadata.uid.clone().unwrap();
        assert_eq!(s.code, 409, "{s:?}");
        assert_eq!(
            s.message,
            format!("Operation cannot be fulfilled on configmaps \"settings\": Precondition failed: UID in precondition: not-its-uid, UID in object meta: {uid}")
        );
        let dp = DeleteParams {
            preconditions: Some(kube::api::Preconditions {
                uid: Some(uid),
                resource_version: cur.metadata.resource_version.clone(),
            }),
            ..Default::default()
        };
        cms.delete("settings", &dp).await.expect("delete with matching preconditions");

        // Paging: 25 objects in pages of 10, read from the snapshot of the first page.
        for i in 0..25 {
            cms.create(&PostParams::default(), &cm(&format!("page-{i:02}"), json!({"paged": "yes"})))
                .await
                .unwrap();
        }
        let lp = ListParams::default().labels("paged=yes").limit(10);
        let first = cms.list(&lp).await.unwrap();
        assert_eq!(first.items.len(), 10);
        let token = first.metadata.continue_.clone().expect("a continue token");
        let unfiltered = cms.list(&ListParams::default().limit(10)).await.unwrap();
        assert!(unfiltered.metadata.remaining_item_count.is_some_and(|n| n >= 15));
        cms.delete("page-15", &DeleteParams::default()).await.unwrap();
        let mut names: Vec<String> = first.items.iter().filter_map(|o| o.metadata.name.clone()).collect();
        let mut next = Some(token);
        while let Some(t) = next {
            let page = cms.list(&lp.clone().continue_token(&t)).await.unwrap();
            assert_eq!(page.metadata.resource_version, first.metadata.resource_version);
            names.extend(page.items.iter().filter_map(|o| o.metadata.name.clone()));
            next = page.metadata.continue_.clone();
        }
        let want: Vec<String> = (0..25).map(|i| format!("page-{i:02}")).collect();
        assert_eq!(names, want, "every page of one consistent list");
        // A continuation older than the compacted history is gone (410), with a fresh token.
        let first = cms.list(&lp).await.unwrap();
        cms.create(&PostParams::default(), &cm("after-first-page", json!({}))).await.unwrap();
        sb.compact_history();
        let t = first.metadata.continue_.clone().unwrap();
        let s = api_error(cms.list(&lp.clone().continue_token(&t)).await.unwrap_err());
        assert_eq!((s.code, s.reason.as_str()), (410, "Expired"), "{s:?}");
        assert!(s.metadata.and_then(|m| m.continue_).is_some());

        // Watches follow selector transitions: relabelling moves an object between watches.
        let wa = WatchParams::default().labels("tier=a");
        let wb = WatchParams::default().labels("tier=b");
        let mut a = cms.watch(&wa, "0").await.unwrap().boxed();
        let mut b = cms.watch(&wb, "0").await.unwrap().boxed();
        cms.create(&PostParams::default(), &cm("mover", json!({"tier": "a"}))).await.unwrap();
        assert!(matches!(next_change(&mut a).await, WatchEvent::Added(o) if o.metadata.name.as_deref() == Some("mover")));
        let moved = cms
            .patch("mover", &PatchParams::default(), &Patch::Merge(json!({"metadata": {"labels": {"tier": "b"}}})))
            .await
            .unwrap();
        match next_change(&mut a).await {
            WatchEvent::Deleted(o) => assert_eq!(o.metadata.name.as_deref(), Some("mover")),
            other => panic!("the tier=a watch should see DELETED, got {other:?}"),
        }
        let added = next_change(&mut b).await;
        assert!(
            matches!(&added, WatchEvent::Added(o) if o.metadata.labels.as_ref().and_then(|l| l.get("tier")).map(String::as_str) == Some("b")),
            "the tier=b watch should see ADDED, got {added:?}"
        );
        // Bookmarks come periodically, at or after the last change.
        let moved_rv: u64 = moved.metadata.resource_version.unwrap().parse().unwrap();
        let bookmark = loop {
            if let WatchEvent::Bookmark(bm) = next_event(&mut b).await {
                break bm;
            }
        };
        assert!(bookmark.metadata.resource_version.parse::<u64>().unwrap() >= moved_rv);

        // deletecollection with a label selector.
        for (name, batch) in [("d1", "x"), ("d2", "x"), ("d3", "y")] {
            cms.create(&PostParams::default(), &cm(name, json!({"batch": batch}))).await.unwrap();
        }
        cms.delete_collection(&DeleteParams::default(), &ListParams::default().labels("batch=x"))
            .await
            .expect("deletecollection");
    });
    let left = k.json(["get", "configmaps", "-l", "batch"]).expect("list");
    let names: Vec<&str> = left["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str())
        .collect();
    assert_eq!(names, ["d3"]);

    // kubectl pages too: --chunk-size makes it follow continue tokens.
    let out = k.run([
        "get",
        "configmaps",
        "-l",
        "paged=yes",
        "--chunk-size=7",
        "-o",
        "name",
        "-v=6",
    ]);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(stdout(&out).lines().count(), 24, "{}", show(&out));
    let requests = String::from_utf8_lossy(&out.stderr);
    assert!(
        requests
            .lines()
            .filter(|l| l.contains("limit=7") && l.contains("continue="))
            .count()
            >= 3,
        "{requests}"
    );

    // A namespace: created, used, deleted with its contents.
    k.ok(["create", "namespace", "scratch"])
        .expect("create namespace");
    k.ok([
        "create",
        "configmap",
        "inside",
        "-n",
        "scratch",
        "--from-literal=a=1",
    ])
    .expect("create in the new namespace");
    k.ok(["delete", "namespace", "scratch", "--timeout=30s"])
        .expect("delete namespace");
    let err = fails(&k, &["get", "namespace", "scratch"]);
    assert!(err.contains("namespaces \"scratch\" not found"), "{err}");
    let err = fails(&k, &["delete", "namespace", "default"]);
    assert!(err.contains("this namespace may not be deleted"), "{err}");

    // Faults of the API itself, seen by kubectl and kube-rs.
    sb.api_error(503, "/configmaps", None).unwrap();
    let err = fails(&k, &["get", "configmaps"]);
    assert!(
        err.contains("Error from server (ServiceUnavailable): the server is currently unable to handle the request"),
        "{err}"
    );
    sb.clear_api_faults();
    sb.api_error(429, "/configmaps", Some(2)).unwrap();
    // kubectl retries a 429 after its Retry-After, so two of them only slow it down.
    let started = Instant::now();
    k.ok(["get", "configmaps"]).expect("kubectl retries 429");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(sb.api_faults().errors.is_empty(), "{:?}", sb.api_faults());
    sb.api_error(500, "/configmaps", Some(1)).unwrap();
    rt.block_on(async {
        let cms: Api<ConfigMap> = Api::namespaced(client(sb.kubeconfig()).await, "vault");
        let s = api_error(cms.list(&ListParams::default()).await.unwrap_err());
        assert_eq!((s.code, s.reason.as_str()), (500, "InternalError"), "{s:?}");
        cms.list(&ListParams::default())
            .await
            .expect("the fault cleared after one request");
    });
    sb.api_delay(3.0, "/configmaps").unwrap();
    let err = fails(&k, &["get", "configmaps", "--request-timeout=1s"]);
    assert!(
        err.to_lowercase().contains("timeout") || err.contains("deadline"),
        "{err}"
    );
    sb.clear_api_faults();
    k.ok(["get", "configmaps", "--request-timeout=5s"])
        .expect("no fault left");
}

/// The owner references of one object, read with kubectl.
fn owners(k: &Kubectl, kind: &str, name: &str) -> Option<Value> {
    let v = k.json(["get", kind, name]).ok()?;
    Some(v["metadata"]["ownerReferences"].clone())
}

fn gone(k: &Kubectl, kind: &str, name: &str) -> bool {
    k.json(["get", kind, name, "--ignore-not-found"]).is_err()
        || k.ok(["get", kind, name, "--ignore-not-found", "-o", "name"])
            .is_ok_and(|o| o.trim().is_empty())
}

#[test]
fn finalizers_and_garbage_collection() {
    let sb = start("api-gc");
    let k = sb.kubectl();
    let owner = |name: &str| {
        sb.create("configmaps", "vault", json!({"metadata": {"name": name}}))
            .unwrap()
    };
    let dependent = |name: &str, owner: &Value, extra: Value| {
        let mut meta = json!({"name": name, "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap",
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"], "blockOwnerDeletion": true}]});
        if let Some(m) = extra.as_object() {
            for (key, v) in m {
                meta[key] = v.clone();
            }
        }
        sb.create("configmaps", "vault", json!({"metadata": meta}))
            .unwrap();
    };

    // Background (kubectl's default): the owner goes at once, its dependents after it.
    let o = owner("owner-bg");
    dependent("dep-bg", &o, json!({}));
    k.ok(["delete", "configmap", "owner-bg"])
        .expect("delete the owner");
    wait_for("dep-bg to be collected", Duration::from_secs(10), || {
        gone(&k, "configmap", "dep-bg")
    });

    // Foreground: the owner waits, Terminating, until its blocking dependent is gone; the
    // dependent waits for its own finalizer.
    let o = owner("owner-fg");
    dependent("dep-fg", &o, json!({"finalizers": ["example.com/hold"]}));
    k.ok([
        "delete",
        "configmap",
        "owner-fg",
        "--cascade=foreground",
        "--wait=false",
    ])
    .expect("delete in the foreground");
    wait_for(
        "dep-fg to be marked for deletion",
        Duration::from_secs(10),
        || {
            k.json(["get", "configmap", "dep-fg"])
                .is_ok_and(|d| d["metadata"]["deletionTimestamp"].is_string())
        },
    );
    let held = k
        .json(["get", "configmap", "owner-fg"])
        .expect("the owner is still there");
    assert!(held["metadata"]["deletionTimestamp"].is_string(), "{held}");
    assert_eq!(
        held["metadata"]["finalizers"],
        json!(["foregroundDeletion"])
    );
    // No new finalizer on an object being deleted (422), but removing one is fine.
    let err = fails(
        &k,
        &[
            "patch",
            "configmap",
            "dep-fg",
            "--type=json",
            "-p",
            r#"[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/more"}]"#,
        ],
    );
    assert!(
        err.contains("no new finalizers can be added if the object is being deleted"),
        "{err}"
    );
    k.ok([
        "patch",
        "configmap",
        "dep-fg",
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":null}}"#,
    ])
    .expect("release the dependent");
    wait_for(
        "owner-fg and dep-fg to be gone",
        Duration::from_secs(10),
        || gone(&k, "configmap", "dep-fg") && gone(&k, "configmap", "owner-fg"),
    );

    // Orphan: the StatefulSet goes, its pod stays, no longer owned.
    assert!(owners(&k, "pod", "vault-0").is_some_and(|o| o[0]["kind"] == "StatefulSet"));
    let uid = k.json(["get", "pod", "vault-0"]).unwrap()["metadata"]["uid"].clone();
    k.ok(["delete", "statefulset", "vault", "--cascade=orphan"])
        .expect("orphan the pods");
    wait_for(
        "the StatefulSet to be gone",
        Duration::from_secs(10),
        || gone(&k, "statefulset", "vault"),
    );
    wait_for("vault-0 to be released", Duration::from_secs(10), || {
        owners(&k, "pod", "vault-0").is_some_and(|o| o.is_null())
    });
    let pod = k.json(["get", "pod", "vault-0"]).unwrap();
    assert_eq!(
        (
            pod["metadata"]["uid"].clone(),
            pod["status"]["phase"].clone()
        ),
        (uid, json!("Running"))
    );
}

#[test]
fn statefulset_pods_are_collected_in_the_background() {
    let sb = start("api-gc-sts");
    let k = sb.kubectl();
    assert!(owners(&k, "pod", "vault-0").is_some_and(|o| o[0]["kind"] == "StatefulSet"));
    k.ok(["delete", "statefulset", "vault"])
        .expect("delete the StatefulSet");
    wait_for("vault-0 to be collected", Duration::from_secs(30), || {
        gone(&k, "pod", "vault-0")
    });
    std::thread::sleep(Duration::from_secs(2));
    assert!(gone(&k, "pod", "vault-0"), "nothing recreates the pod");
    assert!(sb.server_pids().is_empty(), "the pod's process is gone");
}
