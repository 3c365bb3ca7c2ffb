//! Phase timestamps on stderr when `ALCHEMY_LS_TIMINGS` is set (for docs/benchmarks.md and
//! profiling; never on stdout, and nothing at all otherwise).

use std::sync::OnceLock;
use std::time::Instant;

fn start() -> Option<Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    *START.get_or_init(|| std::env::var_os("ALCHEMY_LS_TIMINGS").map(|_| Instant::now()))
}

/// Start the clock (the first call does; later calls are no-ops).
pub fn init() {
    let _ = start();
}

/// `alchemy-ls timing: <ms since init> <label>` on stderr, if enabled.
pub fn mark(label: &str) {
    if let Some(t) = start() {
        eprintln!(
            "alchemy-ls timing: {:8.1} ms {label}",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
}
