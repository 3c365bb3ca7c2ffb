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
    /// The phase marks the binary printed (`ALCHEMY_LS_TIMINGS`): label → ms since start.
    pub marks: Vec<(String, f64)>,
}

impl CheckRun {
    /// Milliseconds between two phase marks (the last of each label), if both were printed.
    pub fn between(&self, from: &str, to: &str) -> Option<f64> {
        let at = |l: &str| self.marks.iter().rev().find(|(m, _)| m == l).map(|(_, t)| *t);
        Some(at(to)? - at(from)?)
    }
}

/// `alchemy-ls timing:   123.4 ms label` lines.
fn parse_marks(stderr: &str) -> Vec<(String, f64)> {
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("alchemy-ls timing:")?.trim_start();
            let (ms, label) = rest.split_once(" ms ")?;
            Some((label.trim().to_string(), ms.trim().parse().ok()?))
        })
        .collect()
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
    run_check_with(bin, dir, &[])
}

/// [`run_check`] with more arguments (e.g. `--cache-dir D`); the phase marks are collected
/// (`ALCHEMY_LS_TIMINGS=1`).
pub fn run_check_with(bin: &Path, dir: &Path, extra: &[&std::ffi::OsStr]) -> Result<CheckRun, String> {
    let out_path = std::env::temp_dir().join(format!("alchemy-ls-bench-check-{}.json", std::process::id()));
    let err_path = out_path.with_extension("stderr");
    let out_file = std::fs::File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    // A file, not a pipe: the child must never block on a full pipe while we wait for it.
    let err_file = std::fs::File::create(&err_path).map_err(|e| format!("{}: {e}", err_path.display()))?;
    let start = Instant::now();
    let child = Command::new(bin)
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .env("ALCHEMY_LS_TIMINGS", "1")
        .stdin(Stdio::null())
        .stdout(out_file)
        .stderr(err_file)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let (status, rusage) = wait4(child.id() as libc::pid_t)?;
    let wall = start.elapsed();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&err_path);
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
    let mut run = parse_report(&text, exit_code).map_err(|e| format!("{e}: {stderr}"))?;
    run.wall = wall;
    run.peak_rss_kib = rusage.ru_maxrss.max(0) as u64;
    run.cpu = timeval(rusage.ru_utime) + timeval(rusage.ru_stime);
    run.marks = parse_marks(&stderr);
    Ok(run)
}

/// The counts of a `check --format json` report (times and RSS left at zero).
fn parse_report(text: &str, exit_code: i32) -> Result<CheckRun, String> {
    let parsed: Output =
        serde_json::from_str(text).map_err(|e| format!("check printed invalid JSON ({e})"))?;
    let mut counts = BTreeMap::new();
    let mut listing = Vec::new();
    for d in &parsed.diagnostics {
        *counts.entry(d.rule.clone()).or_insert(0) += 1;
        listing.push(format!("{}:{}:{} {}", d.path, d.line, d.column, d.rule));
    }
    Ok(CheckRun {
        wall: Duration::ZERO,
        peak_rss_kib: 0,
        cpu: Duration::ZERO,
        exit_code,
        counts,
        files: parsed.summary.files,
        errors: parsed.summary.errors,
        warnings: parsed.summary.warnings,
        listing,
        marks: Vec::new(),
    })
}

/// `alchemy-ls check DIR --format json EXTRA…` run in this process (the same `cli::run` the
/// binary's `main` calls): for tests, which must not build the binary themselves. Only the
/// counts are meaningful (no rusage, no timings).
pub fn check_in_process(dir: &Path, extra: &[&std::ffi::OsStr]) -> Result<CheckRun, String> {
    let mut args: Vec<std::ffi::OsString> = vec!["alchemy-ls".into(), "check".into(), dir.into()];
    args.extend(["--format".into(), "json".into()]);
    args.extend(extra.iter().map(|a| a.to_os_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = alchemy_ls::cli::run(
        args,
        &mut alchemy_ls::cli::Io {
            out: &mut out,
            err: &mut err,
            color: false,
            color_err: false,
        },
    );
    let stderr = String::from_utf8_lossy(&err);
    if code != 0 && code != 1 {
        return Err(format!("check exited with {code}: {stderr}"));
    }
    parse_report(&String::from_utf8_lossy(&out), code).map_err(|e| format!("{e}: {stderr}"))
}

/// Whether `bin check` takes `--cache-dir` (a binary with the facts cache).
pub fn supports_cache_dir(bin: &Path) -> bool {
    Command::new(bin)
        .args(["check", "--help"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("--cache-dir"))
}

/// Runs `cmd` (output discarded) and returns its wall time and peak RSS in KiB.
pub fn run_timed(cmd: &mut Command) -> Result<(Duration, u64), String> {
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let (_, rusage) = wait4(child.id() as libc::pid_t)?;
    Ok((start.elapsed(), rusage.ru_maxrss.max(0) as u64))
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
    fn phase_marks_are_read_from_stderr() {
        let marks = parse_marks(
            "alchemy-ls timing:     12.5 ms loaded\nnoise\nalchemy-ls timing:    20.0 ms analysed\n",
        );
        assert_eq!(
            marks,
            vec![("loaded".to_string(), 12.5), ("analysed".to_string(), 20.0)]
        );
    }

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
