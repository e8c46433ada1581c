//! Another operator's share landing between two of the plugin's, on a real OpenBao: the
//! plugin's port-forward is slowed (each chunk it sends is held), so the test sends a share
//! straight to the pod once the plugin's first is in. Checked through the Vault API.

use std::io::Write;
use std::process::Stdio;

use super::*;

/// Starts `vault-unseal vault-<i>` with `keys` on stdin, its port-forward slowed, and sends
/// `theirs` to the pod directly once the plugin's first share is in; returns their answer and
/// the plugin's output.
fn mix_in(e: &Env, i: u32, keys: &str, theirs: &str) -> (Value, std::process::Output) {
    let pod = format!("vault-{i}");
    e.sb.set_api_faults(ApiFaults {
        stream_delays: vec![(pod.clone(), Duration::from_millis(1500))],
        ..Default::default()
    });
    let mut child = e
        .kubectl
        .command(["vault-unseal", &pod, "--keys-file", "-", "-o", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start vault-unseal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(keys.as_bytes())
        .unwrap();
    e.sb.wait_until(
        "the plugin's first share in",
        Duration::from_secs(60),
        || e.sb.seal_status(i).is_ok_and(|s| s["progress"] == 1),
    )
    .expect("the plugin sent a share");
    let (code, answer) =
        e.sb.vault(i, "PUT", "sys/unseal", None, Some(&json!({"key": theirs})))
            .unwrap();
    e.sb.clear_api_faults();
    assert_eq!(code, 200, "{answer}");
    let out = child.wait_with_output().expect("vault-unseal finished");
    assert_no_secret(
        "vault-unseal",
        &format!("{}{}", stdout(&out), stderr(&out)),
        &e.secrets(),
    );
    (answer, out)
}

#[test]
fn another_operators_share_mixing_in_mid_unseal() {
    let e = env("unseal-mixing", 2);
    let init = e.sb.init().unwrap();
    let hex: Vec<String> = init["unseal_keys_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let ours = format!("{}\n{}\n{}\n", hex[0], hex[1], hex[2]);

    // Their good share (the cluster's fifth) after our first: progress 2 of 3, and our second
    // completes the unseal. Two of ours were used, and the report says so.
    e.seal_by(Fault::Kill, &[1]);
    let (answer, out) = mix_in(&e, 1, &ours, &hex[4]);
    assert_eq!(
        (&answer["sealed"], &answer["progress"]),
        (&json!(true), &json!(2)),
        "{answer}"
    );
    assert_exit(&out, 0);
    assert!(!e.sealed(1));
    let r = unseal_result(&json_of(&out), "vault-1");
    assert_eq!(r["result"], "unsealed", "{r:#}");
    assert_eq!(r["shares_used"], json!([1, 2]), "{r:#}");

    // Their wrong share (the fifth with its secret bytes flipped, its x-coordinate kept)
    // after our first: Vault rejects the attempt at our second share. None of ours is blamed,
    // no other combination is tried, and a rerun unseals.
    let flipped: String = hex[4][..64]
        .chars()
        .map(|c| char::from_digit(15 - c.to_digit(16).unwrap(), 16).unwrap())
        .chain(hex[4][64..].chars())
        .collect();
    e.seal_by(Fault::Kill, &[1]);
    let (answer, out) = mix_in(&e, 1, &ours, &flipped);
    assert_eq!(answer["progress"], 2, "{answer}");
    assert_ne!(out.status.code(), Some(0), "{}", show(&out));
    let r = unseal_result(&json_of(&out), "vault-1");
    assert_eq!(r["result"], "in_progress", "{r:#}");
    assert!(!stderr(&out).contains("share #"), "{}", show(&out));
    let st = e.sb.seal_status(1).unwrap();
    assert_eq!(
        (&st["sealed"], &st["progress"]),
        (&json!(true), &json!(0)),
        "Vault discarded the attempt: {st}"
    );
    let out = unseal_json(&e, &["vault-1"], "-", Some(ours.as_bytes()));
    assert_exit(&out, 0);
    assert!(!e.sealed(1));
}
