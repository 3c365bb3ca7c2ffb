//! Phase timestamps on stderr when `ALCHEMY_LS_TIMINGS` is set (for docs/benchmarks.md and
//! profiling; never on stdout, and nothing at all otherwise). With `ALCHEMY_LS_TIMINGS=rss`
//! (Linux), each mark is followed by the process' resident set size then and its peak so far
//! (`VmRSS`, `VmHWM`), on a line of its own.

use std::sync::OnceLock;
use std::time::Instant;

struct Clock {
    start: Instant,
    rss: bool,
}

fn clock() -> Option<&'static Clock> {
    static CLOCK: OnceLock<Option<Clock>> = OnceLock::new();
    CLOCK
        .get_or_init(|| {
            std::env::var_os("ALCHEMY_LS_TIMINGS").map(|v| Clock {
                start: Instant::now(),
                rss: v == "rss",
            })
        })
        .as_ref()
}

/// Start the clock (the first call does; later calls are no-ops).
pub fn init() {
    let _ = clock();
}

/// `alchemy-ls timing: <ms since init> <label>` on stderr, if enabled.
pub fn mark(label: &str) {
    if let Some(c) = clock() {
        eprintln!(
            "alchemy-ls timing: {:8.1} ms {label}",
            c.start.elapsed().as_secs_f64() * 1000.0
        );
        if c.rss
            && let Some((rss, hwm)) = rss_kib()
        {
            eprintln!(
                "alchemy-ls memory: rss {:.1} MB, peak {:.1} MB",
                rss as f64 / 1024.0,
                hwm as f64 / 1024.0
            );
        }
    }
}

/// `VmRSS` and `VmHWM` of this process, in KiB (`None` where `/proc` has no such lines).
fn rss_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}
