//! Phase timings for performance work: with `KUBECTL_VAULT_TIMINGS=1` in the environment,
//! [`mark`] prints on stderr how long after `main` began each phase ended. Off (the default),
//! a mark costs one load of a flag.

use std::sync::OnceLock;
use std::time::Instant;

/// When `main` began (None: timings are off).
static START: OnceLock<Option<Instant>> = OnceLock::new();

/// Turns timings on when the environment asks; called first thing in `main`.
pub fn init() {
    START.get_or_init(|| {
        std::env::var_os("KUBECTL_VAULT_TIMINGS")
            .filter(|v| v == "1")
            .map(|_| Instant::now())
    });
}

/// Prints `phase` with the time since `main` began.
pub fn mark(phase: &str) {
    if let Some(Some(start)) = START.get() {
        let ms = start.elapsed().as_secs_f64() * 1e3;
        eprintln!("timing: +{ms:7.2} ms {phase}");
    }
}
