//! `alchemy-ls check DIR --format json` as a child process: wall time, peak RSS, and the
//! diagnostics counted per rule.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// One run of `check`.
#[derive(Debug, Clone)]
pub struct CheckRun {
    pub wall: Duration,
    /// Peak resident set size of the child, in KiB (`ru_maxrss`).
    pub peak_rss_kib: u64,
    /// User + system CPU time of the child (all threads).
    pub cpu: Duration,
    pub exit_code: i32,
    pub counts: BTreeMap<String, usize>,
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    /// `path: rule` of every diagnostic, for mismatch reports.
    pub listing: Vec<String>,
}

#[derive(Deserialize)]
struct Output {
    diagnostics: Vec<Diag>,
    summary: Summary,
}

#[derive(Deserialize)]
struct Diag {
    rule: String,
    path: String,
    line: u32,
    column: u32,
}

#[derive(Deserialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
}

/// Runs `bin check dir --format json`, waiting with `wait4` to read the child's own rusage.
pub fn run_check(bin: &Path, dir: &Path) -> Result<CheckRun, String> {
    let out_path = std::env::temp_dir().join(format!("alchemy-ls-bench-check-{}.json", std::process::id()));
    let out_file = std::fs::File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let start = Instant::now();
    let child = Command::new(bin)
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .stdout(out_file)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let (status, rusage) = wait4(child.id() as libc::pid_t)?;
    let wall = start.elapsed();
    // The child has exited: collect stderr (small) without blocking on a live pipe.
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    let text = std::fs::read_to_string(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let _ = std::fs::remove_file(&out_path);
    let exit_code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if exit_code != 0 && exit_code != 1 {
        return Err(format!("check exited with {exit_code}: {stderr}"));
    }
    let parsed: Output =
        serde_json::from_str(&text).map_err(|e| format!("check printed invalid JSON ({e}): {stderr}"))?;
    let mut counts = BTreeMap::new();
    let mut listing = Vec::new();
    for d in &parsed.diagnostics {
        *counts.entry(d.rule.clone()).or_insert(0) += 1;
        listing.push(format!("{}:{}:{} {}", d.path, d.line, d.column, d.rule));
    }
    Ok(CheckRun {
        wall,
        peak_rss_kib: rusage.ru_maxrss.max(0) as u64,
        cpu: timeval(rusage.ru_utime) + timeval(rusage.ru_stime),
        exit_code,
        counts,
        files: parsed.summary.files,
        errors: parsed.summary.errors,
        warnings: parsed.summary.warnings,
        listing,
    })
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
}

fn wait4(pid: libc::pid_t) -> Result<(libc::c_int, libc::rusage), String> {
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data, zero is a valid value; `wait4` writes into both
    // out-parameters, which live for the duration of the call.
    let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: see above; `pid` is our own child, not yet reaped (std's `Child` is never
        // waited on).
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut rusage) };
        if r == pid {
            return Ok((status, rusage));
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4: {err}"));
        }
    }
}

/// Compares per-rule counts; `Err` lists every difference.
pub fn compare(expected: &BTreeMap<String, usize>, actual: &BTreeMap<String, usize>) -> Result<(), String> {
    let mut diffs = Vec::new();
    for rule in expected.keys().chain(actual.keys()) {
        let e = expected.get(rule).copied().unwrap_or(0);
        let a = actual.get(rule).copied().unwrap_or(0);
        if e != a && !diffs.iter().any(|d: &String| d.starts_with(&format!("{rule}:"))) {
            diffs.push(format!("{rule}: expected {e}, got {a}"));
        }
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_reports_missing_and_extra_rules() {
        let e: BTreeMap<String, usize> = [("a".to_string(), 2), ("b".to_string(), 1)].into();
        assert!(compare(&e, &e).is_ok());
        let a: BTreeMap<String, usize> = [("a".to_string(), 2), ("c".to_string(), 1)].into();
        let err = compare(&e, &a).unwrap_err();
        assert!(err.contains("b: expected 1, got 0"), "{err}");
        assert!(err.contains("c: expected 0, got 1"), "{err}");
    }
}
