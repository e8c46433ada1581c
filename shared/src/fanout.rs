//! Per-pod work, concurrently: total time is the slowest pod's, not the sum, and one pod's
//! failure never hides another's result.

use std::future::Future;
use std::time::Duration;

use anyhow::anyhow;

use crate::target::{self, Target};

/// Runs `f` on every item at once and returns the results in the items' order.
pub async fn each<'a, T, R, F, Fut>(items: &'a [T], f: F) -> Vec<R>
where
    F: Fn(&'a T) -> Fut,
    Fut: Future<Output = R> + 'a,
{
    futures::future::join_all(items.iter().map(f)).await
}

/// Runs `op` on every target (a pod with its Vault client) at once, each within `deadline`,
/// and returns each pod's name with its result: the operation's, the reason the pod has no
/// client, or that it did not answer in time. A hung pod costs one deadline, not the others.
pub async fn each_pod<'a, T, F, Fut>(
    targets: &'a [anyhow::Result<Target>],
    deadline: Duration,
    op: F,
) -> Vec<(String, anyhow::Result<T>)>
where
    F: Fn(&'a Target) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let op = &op;
    futures::future::join_all(targets.iter().map(|t| async move {
        let name = target::name_of(t).to_string();
        let result = match t {
            Err(e) => Err(anyhow!("{e:#}")),
            Ok(t) => tokio::time::timeout(deadline, op(t))
                .await
                .unwrap_or_else(|_| {
                    Err(anyhow!(
                        "{name}: Vault did not answer within {}s",
                        deadline.as_secs()
                    ))
                }),
        };
        (name, result)
    }))
    .await
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use anyhow::anyhow;

    #[tokio::test]
    async fn runs_concurrently_and_keeps_order() {
        // Each task waits until all three have started: one at a time, none would finish.
        let all_started = tokio::sync::Barrier::new(3);
        let run = super::each(&[3u64, 1, 2], |n| {
            let all_started = &all_started;
            async move {
                all_started.wait().await;
                if *n == 1 { Err("one failed") } else { Ok(*n) }
            }
        });
        let out = tokio::time::timeout(Duration::from_secs(30), run)
            .await
            .expect("the tasks ran at the same time");
        assert_eq!(out, vec![Ok(3), Err("one failed"), Ok(2)]);
    }

    #[tokio::test]
    async fn each_pod_keeps_names_and_deadlines() {
        use crate::cli::VaultArgs;
        use crate::target::{Target, TargetError};
        use crate::transport::Connector;
        use crate::vault::VaultClient;

        let target = |name: &str| {
            let connector = Connector::direct("http://127.0.0.1:9", &VaultArgs::default()).unwrap();
            Ok(Target {
                name: name.into(),
                pod: None,
                client: VaultClient::new(name, connector, Duration::from_secs(5)),
            })
        };
        let targets = vec![
            target("vault-0"),
            Err(TargetError::new("vault-1", anyhow!("no CA")).into()),
            target("vault-2"),
        ];
        let start = Instant::now();
        let out = super::each_pod(&targets, Duration::from_millis(200), |t| async move {
            if t.name == "vault-2" {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            Ok(t.name.len())
        })
        .await;
        // The deadline, not the 30 s sleep, ended it (a loose bound: machines stall).
        assert!(start.elapsed() < Duration::from_secs(15));
        let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["vault-0", "vault-1", "vault-2"]);
        assert_eq!(*out[0].1.as_ref().unwrap(), 7);
        assert!(format!("{:#}", out[1].1.as_ref().unwrap_err()).contains("no CA"));
        let late = format!("{:#}", out[2].1.as_ref().unwrap_err());
        assert!(
            late.contains("vault-2: Vault did not answer within"),
            "{late}"
        );
    }
}
