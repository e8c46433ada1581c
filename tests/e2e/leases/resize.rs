//! `kubectl vault-leases resize` on a 3-pod Shamir cluster whose StatefulSet uses the chart's
//! `OnDelete` strategy: every pod ends with the new limit, unsealed and Ready, while a watcher
//! checks through the Vault API that a quorum of pods stayed unsealed throughout and the
//! leader moved at most once.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::PLUGIN;
use super::support::{self, assert_exit, show, stderr, stdout};

fn pod_uids(e: &support::Env) -> BTreeMap<String, String> {
    let v = e.kubectl.json(["get", "pods"]).expect("kubectl get pods");
    v["items"]
        .as_array()
        .expect("pods")
        .iter()
        .map(|p| {
            (
                p["metadata"]["name"].as_str().unwrap_or("").to_string(),
                p["metadata"]["uid"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn template_memory(e: &support::Env) -> String {
    support::jsonpath(
        &e.kubectl,
        &["statefulset", "vault"],
        "{.spec.template.spec.containers[0].resources.limits.memory}",
    )
    .expect("kubectl get statefulset")
}

#[test]
fn resize_rolls_every_pod_to_the_new_limit_keeping_quorum() {
    let e = support::env("leases-resize", 3, PLUGIN);
    let token = e.token_file();
    let token = token.to_str().expect("path");
    let init = e.sb.init_json_path();
    let init = init.to_str().expect("path");
    let resize = |extra: &[&str]| {
        let mut args = vec![
            "vault-leases",
            "--token-file",
            token,
            "resize",
            "--memory",
            "512Mi",
        ];
        args.extend_from_slice(extra);
        let out = e.run(&args, None);
        support::assert_no_secret("resize", &show(&out), &e.secrets());
        out
    };
    let before = pod_uids(&e);
    assert_eq!(before.len(), 3);
    assert_eq!(template_memory(&e), "");

    // --dry-run and a refusal for want of keys change nothing.
    let o = resize(&["--dry-run"]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("Dry run: nothing was changed."),
        "{}",
        show(&o)
    );
    let o = resize(&["--yes"]);
    assert_exit(&o, 1);
    assert!(stderr(&o).contains("--keys-file"), "{}", show(&o));
    let o = resize(&["--keys-file", init]);
    assert_exit(&o, 1);
    assert_eq!(template_memory(&e), "", "nothing was patched");
    assert_eq!(pod_uids(&e), before, "no pod was restarted");

    // The roll, watched through the Vault API.
    let done = AtomicBool::new(false);
    let (min_unsealed, leaders, trace) = std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            let start = std::time::Instant::now();
            let mut min_unsealed = 3;
            let mut leaders: Vec<String> = Vec::new();
            // Each pod's answer whenever it changes, for the failure message.
            let mut trace: Vec<String> = Vec::new();
            let mut last = [String::new(), String::new(), String::new()];
            while !done.load(Ordering::Relaxed) {
                let mut unsealed = 0;
                for i in 0..3 {
                    if e.sb.seal_status(i).is_ok_and(|s| s["sealed"] == false) {
                        unsealed += 1;
                        let Ok((200, v)) = e.sb.vault(i, "GET", "sys/leader", None, None) else {
                            continue;
                        };
                        let said =
                            format!("is_self {} leader {}", v["is_self"], v["leader_address"]);
                        if last[i as usize] != said {
                            trace.push(format!(
                                "+{} ms vault-{i}: {said}",
                                start.elapsed().as_millis()
                            ));
                            last[i as usize] = said;
                        }
                        // Leadership as the active node states it (`is_self`): what a standby
                        // names can lag a change.
                        if v["is_self"] == true
                            && let Some(a) = v["leader_address"].as_str()
                            && !a.is_empty()
                            && leaders.last().map(String::as_str) != Some(a)
                        {
                            leaders.push(a.to_string());
                        }
                    }
                }
                min_unsealed = min_unsealed.min(unsealed);
                std::thread::sleep(Duration::from_millis(100));
            }
            (min_unsealed, leaders, trace)
        });
        let o = resize(&["--keys-file", init, "--yes"]);
        done.store(true, Ordering::Relaxed);
        assert_exit(&o, 0);
        watcher.join().expect("watcher")
    });
    assert!(
        min_unsealed >= 2,
        "quorum lost during the roll: {min_unsealed} unsealed"
    );
    assert!(
        leaders.len() <= 2,
        "the leader moved more than once: {leaders:?}\n{}",
        trace.join("\n")
    );

    // Independently: every pod is new, runs with the limit, is unsealed and Ready.
    let after = pod_uids(&e);
    for (pod, uid) in &before {
        assert_ne!(after.get(pod), Some(uid), "{pod} was restarted");
        let limit = support::jsonpath(
            &e.kubectl,
            &["pod", pod],
            "{.spec.containers[0].resources.limits.memory}",
        )
        .expect("kubectl get pod");
        assert_eq!(limit, "512Mi", "{pod}");
        assert!(e.ready(pod), "{pod} Ready");
    }
    for i in 0..3 {
        assert!(!e.sealed(i), "vault-{i} unsealed");
    }
    assert_eq!(template_memory(&e), "512Mi");
    let strategy = support::jsonpath(
        &e.kubectl,
        &["statefulset", "vault"],
        "{.spec.updateStrategy.type}",
    )
    .expect("strategy");
    assert_eq!(strategy, "OnDelete");
    assert!(
        e.our_events().iter().any(|ev| ev["reason"] == "Resized"),
        "the resize is recorded as an Event"
    );

    // Again: nothing to do, nothing restarted.
    let o = resize(&["--keys-file", init, "--yes"]);
    assert_exit(&o, 0);
    assert!(stdout(&o).contains("nothing to do"), "{}", show(&o));
    assert_eq!(pod_uids(&e), after);

    // A roll that stopped after the patch (here: the template patched by hand, no pod
    // restarted): a rerun restarts the pods still on the old resources.
    e.patch_statefulset(r#"[{"op":"replace","path":"/spec/template/spec/containers/0/resources/limits/memory","value":"768Mi"}]"#);
    let mut args = vec!["vault-leases", "--token-file", token, "resize"];
    args.extend_from_slice(&["--memory", "768Mi", "--keys-file", init, "--yes"]);
    let o = e.run(&args, None);
    assert_exit(&o, 0);
    assert!(stdout(&o).contains("768Mi"), "{}", show(&o));
    for pod in before.keys() {
        let limit = support::jsonpath(
            &e.kubectl,
            &["pod", pod],
            "{.spec.containers[0].resources.limits.memory}",
        )
        .expect("kubectl get pod");
        assert_eq!(limit, "768Mi", "{pod}");
    }
}
