//! Per-pod work, concurrently: total time is the slowest pod's, not the sum, and one pod's
//! failure never hides another's result.

use std::future::Future;

/// Runs `f` on every item at once and returns the results in the items' order.
pub async fn each<'a, T, R, F, Fut>(items: &'a [T], f: F) -> Vec<R>
where
    F: Fn(&'a T) -> Fut,
    Fut: Future<Output = R> + 'a,
{
    futures::future::join_all(items.iter().map(f)).await
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn runs_concurrently_and_keeps_order() {
        let start = Instant::now();
        let out = super::each(&[3u64, 1, 2], |n| async move {
            tokio::time::sleep(Duration::from_millis(100 * n)).await;
            if *n == 1 { Err("one failed") } else { Ok(*n) }
        })
        .await;
        // Concurrent: about the longest sleep (300 ms), well under the sum (600 ms).
        assert!(start.elapsed() < Duration::from_millis(550));
        assert_eq!(out, vec![Ok(3), Err("one failed"), Ok(2)]);
    }
}
