//! `run --size …`: generate (cached), measure `check` and `serve`, print the figures next to
//! the targets, and fail when a diagnostic count is wrong.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::check::{self, CheckRun};
use crate::serve_bench::{self, ServeResult};
use crate::stats::{ms, percentile};
use crate::synth::{self, Manifest, Spec};

pub struct Options {
    pub spec: Spec,
    pub quick: bool,
    pub bin: Option<PathBuf>,
    pub dir: Option<PathBuf>,
    pub no_lsp: bool,
    pub json: Option<PathBuf>,
    /// An `oxlint` binary to time on the same workspace, in the same session.
    pub oxlint: Option<PathBuf>,
}

/// A target from the issue: (measure, limit, unit); `None` when it does not apply to a size.
struct Target {
    what: &'static str,
    value: f64,
    limit: f64,
    unit: &'static str,
}

pub fn run(opts: &Options) -> Result<(), String> {
    let dir = opts
        .dir
        .clone()
        .unwrap_or_else(|| crate::locate::workspace_cache(opts.spec.name));
    let t = Instant::now();
    let manifest = synth::ensure(&opts.spec, &dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!(
        "workspace {} at {} ({} files, {:.1} MB, {} workers, {} DOs, {} stacks; ready in {:.1} s)",
        manifest.size,
        dir.display(),
        manifest.files,
        manifest.bytes as f64 / 1e6,
        manifest.workers,
        manifest.durable_objects,
        manifest.stacks,
        t.elapsed().as_secs_f64()
    );
    let bin = match &opts.bin {
        Some(b) => b.clone(),
        None => crate::locate::build_binary("release")?,
    };

    // check: one warm-up (page cache), then cold processes: each starts without a facts
    // cache (its directory removed first) when the binary has one; then warm ones (the
    // second run on an unchanged workspace: the cache the previous run left).
    let runs = if opts.quick { 3 } else { 7 };
    let cache_dir = crate::locate::target_dir()
        .join("bench-cache")
        .join(&manifest.size);
    let cached = check::supports_cache_dir(&bin);
    let cache_args: Vec<&std::ffi::OsStr> = if cached {
        vec!["--cache-dir".as_ref(), cache_dir.as_os_str()]
    } else {
        Vec::new()
    };
    let cold = |extra: &[&std::ffi::OsStr]| -> Result<CheckRun, String> {
        if cached && cache_dir.exists() {
            std::fs::remove_dir_all(&cache_dir).map_err(|e| format!("{}: {e}", cache_dir.display()))?;
        }
        let mut args = cache_args.clone();
        args.extend_from_slice(extra);
        check::run_check_with(&bin, &dir, &args)
    };
    let _ = cold(&[])?;
    let mut checks: Vec<CheckRun> = Vec::new();
    for _ in 0..runs {
        checks.push(cold(&[])?);
    }
    let mut warms: Vec<CheckRun> = Vec::new();
    if cached {
        for _ in 0..runs {
            warms.push(check::run_check_with(&bin, &dir, &cache_args)?);
        }
        let _ = std::fs::remove_dir_all(&cache_dir);
    }
    let mut failures = Vec::new();
    for (i, c) in checks.iter().chain(&warms).enumerate() {
        if let Err(e) = check::compare(&manifest.expected, &c.counts) {
            failures.push(format!("check run {i}: {e}"));
            if i == 0 {
                for l in c.listing.iter().take(40) {
                    eprintln!("  {l}");
                }
            }
        }
    }
    // check --baseline-dir against a copy in which the editor target's DO had another name
    // (cold runs like the others).
    let mut based: Vec<CheckRun> = Vec::new();
    if crate::baseline::applies(&opts.spec) {
        let (base_dir, expected) = crate::baseline::plant(&dir, &manifest)
            .map_err(|e| format!("baseline of {}: {e}", dir.display()))?;
        for i in 0..runs {
            let c = cold(&["--baseline-dir".as_ref(), base_dir.as_os_str()])?;
            if let Err(e) = check::compare(&expected, &c.counts) {
                failures.push(format!("check --baseline-dir run {i}: {e}"));
            }
            based.push(c);
        }
        let _ = std::fs::remove_dir_all(&base_dir);
        let _ = std::fs::remove_dir_all(&cache_dir);
    }
    let based_walls: Vec<Duration> = based.iter().map(|c| c.wall).collect();
    let baseline_figures = (!based.is_empty()).then(|| {
        (
            percentile(&based_walls, 50.0),
            based.iter().map(|c| c.peak_rss_kib).max().unwrap_or(0),
        )
    });
    let walls: Vec<Duration> = checks.iter().map(|c| c.wall).collect();
    let check_p50 = percentile(&walls, 50.0);
    let check_min = walls.iter().min().copied().unwrap_or_default();
    let check_rss = checks.iter().map(|c| c.peak_rss_kib).max().unwrap_or(0);
    let cpus: Vec<Duration> = checks.iter().map(|c| c.cpu).collect();
    let check_cpu = percentile(&cpus, 50.0);
    let warm_walls: Vec<Duration> = warms.iter().map(|c| c.wall).collect();
    // The analysis' share of each cold run (phase marks `loaded` → `analysed`).
    let shares: Vec<Duration> = checks
        .iter()
        .filter_map(|c| c.between("loaded", "analysed"))
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .collect();
    let analysis_p50 = (!shares.is_empty()).then(|| percentile(&shares, 50.0));
    let load_before = crate::machine::load_average();
    let oxlint = match &opts.oxlint {
        Some(ox) => Some(time_oxlint(ox, &dir, runs)?),
        None => None,
    };

    let serve = if opts.no_lsp {
        None
    } else {
        let (edits, completions) = if opts.quick { (40, 20) } else { (200, 100) };
        let s = serve_bench::run(&bin, &dir, &manifest, edits, completions)?;
        if let Err(e) = check::compare(&manifest.expected, &s.counts) {
            failures.push(format!("serve after indexing: {e}"));
        }
        failures.extend(s.errors.iter().map(|e| format!("serve: {e}")));
        Some(s)
    };

    let check = CheckFigures {
        p50: check_p50,
        min: check_min,
        cpu: check_cpu,
        rss_kib: check_rss,
        load: load_before,
        warm_p50: (!warm_walls.is_empty()).then(|| percentile(&warm_walls, 50.0)),
        analysis_p50,
        baseline: baseline_figures,
        oxlint: oxlint.clone(),
    };
    let report = render(&manifest, &bin, &check, &checks[0], serve.as_ref(), opts);
    println!("{report}");
    if let Some(path) = &opts.json {
        let j = json!({
            "size": manifest.size,
            "machine": crate::machine::describe(),
            "files": manifest.files,
            "bytes": manifest.bytes,
            "expected": manifest.expected,
            "check": {
                "runs": walls.iter().map(|d| ms(*d)).collect::<Vec<_>>(),
                "p50_ms": ms(check_p50),
                "min_ms": ms(check_min),
                "peak_rss_kib": check_rss,
                "cpu_p50_ms": ms(check_cpu),
                "load_average_1m": load_before,
                "counts": checks[0].counts,
                "warm_runs": warm_walls.iter().map(|d| ms(*d)).collect::<Vec<_>>(),
                "warm_p50_ms": (!warm_walls.is_empty()).then(|| ms(percentile(&warm_walls, 50.0))),
                "analysis_ms": shares.iter().map(|d| ms(*d)).collect::<Vec<_>>(),
                "baseline_dir_runs": based_walls.iter().map(|d| ms(*d)).collect::<Vec<_>>(),
                "baseline_dir_peak_rss_kib": baseline_figures.map(|(_, rss)| rss),
            },
            "oxlint": oxlint.as_ref().map(|o| json!({
                "runs": o.walls.iter().map(|d| ms(*d)).collect::<Vec<_>>(),
                "p50_ms": ms(percentile(&o.walls, 50.0)),
                "peak_rss_kib": o.rss_kib,
            })),
            "serve": serve.as_ref().map(|s| json!({
                "first_diagnostics_ms": ms(s.first_diagnostics),
                "settled_ms": ms(s.settled),
                "rss_kib": s.rss_kib,
                "hwm_kib": s.hwm_kib,
                "edit_p50_ms": ms(percentile(&s.edits, 50.0)),
                "edit_p99_ms": ms(percentile(&s.edits, 99.0)),
                "edits": s.edits.len(),
                "completion_p50_ms": ms(percentile(&s.completions, 50.0)),
                "counts": s.counts,
            })),
            "failures": failures,
        });
        std::fs::write(path, serde_json::to_string_pretty(&j).unwrap_or_default())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("wrong answers:\n  {}", failures.join("\n  ")))
    }
}

struct CheckFigures {
    p50: Duration,
    min: Duration,
    cpu: Duration,
    rss_kib: u64,
    load: f64,
    warm_p50: Option<Duration>,
    /// Median of the cold runs' analysis phase.
    analysis_p50: Option<Duration>,
    /// `check --baseline-dir` (one DO renamed since the baseline): wall p50, peak RSS.
    baseline: Option<(Duration, u64)>,
    oxlint: Option<Oxlint>,
}

/// `oxlint DIR` timed like `check` (one warm-up, then `runs` processes).
#[derive(Clone, Debug)]
struct Oxlint {
    walls: Vec<Duration>,
    rss_kib: u64,
}

fn time_oxlint(bin: &Path, dir: &Path, runs: usize) -> Result<Oxlint, String> {
    // oxlint honours the ignore files above DIR: under a git work tree that ignores `target/`
    // (the default workspace cache) it lints nothing, and its time means nothing.
    let probe = std::process::Command::new(bin)
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let out = String::from_utf8_lossy(&probe.stdout);
    if out.contains("No files found to lint") || out.contains(" on 0 files") {
        return Err(format!(
            "oxlint found no file to lint in {} (an ignore file above it, such as a git work tree's `target/` rule, hides it): generate the workspace elsewhere and pass --dir",
            dir.display()
        ));
    }
    let mut walls = Vec::new();
    let mut rss_kib = 0;
    for i in 0..=runs {
        let (wall, rss) = check::run_timed(std::process::Command::new(bin).arg(dir))?;
        if i > 0 {
            walls.push(wall);
            rss_kib = rss_kib.max(rss);
        }
    }
    Ok(Oxlint { walls, rss_kib })
}

fn render(
    m: &Manifest,
    bin: &Path,
    c: &CheckFigures,
    first: &CheckRun,
    serve: Option<&ServeResult>,
    opts: &Options,
) -> String {
    let machine = crate::machine::describe();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "alchemy-ls bench · {} · {} · {} CPUs ({}) · {} MiB RAM",
        m.size,
        bin.display(),
        machine.nproc,
        machine.cpu,
        machine.ram_mib
    );
    let _ = writeln!(
        s,
        "workspace: {} files ({} Alchemy, {} other), {:.1} MB; {} files in node_modules ignored",
        m.files,
        m.alchemy_files,
        m.other_files,
        m.bytes as f64 / 1e6,
        m.ignored_files
    );
    let expected: Vec<String> = m.expected.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(
        s,
        "planted: {} · check found {} errors, {} warnings in {} files (exit {})",
        expected.join(", "),
        first.errors,
        first.warnings,
        first.files,
        first.exit_code
    );
    let _ = writeln!(
        s,
        "check (cold process, warm page cache): p50 {:.0} ms, min {:.0} ms, CPU p50 {:.0} ms, peak RSS {:.1} MB (load average {:.1})",
        ms(c.p50),
        ms(c.min),
        ms(c.cpu),
        c.rss_kib as f64 / 1024.0,
        c.load
    );
    if let Some(w) = c.warm_p50 {
        let _ = writeln!(
            s,
            "check warm (second run, facts cache, nothing changed): p50 {:.0} ms",
            ms(w)
        );
    }
    if let Some(a) = c.analysis_p50 {
        let _ = writeln!(
            s,
            "check analysis phase (loaded → analysed): p50 {:.0} ms, {:.1} % of the cold p50",
            ms(a),
            100.0 * a.as_secs_f64() / c.p50.as_secs_f64().max(1e-9)
        );
    }
    if let Some((p, rss)) = c.baseline {
        let _ = writeln!(
            s,
            "check --baseline-dir (cold; the editor target's DO renamed since the baseline: one {}): p50 {:.0} ms, peak RSS {:.1} MB",
            crate::baseline::RULE,
            ms(p),
            rss as f64 / 1024.0
        );
    }
    if let Some(o) = &c.oxlint {
        let p = percentile(&o.walls, 50.0);
        let _ = writeln!(
            s,
            "oxlint on the same workspace: p50 {:.0} ms, peak RSS {:.1} MB: check is {:.2}× faster",
            ms(p),
            o.rss_kib as f64 / 1024.0,
            p.as_secs_f64() / c.p50.as_secs_f64().max(1e-9)
        );
    }
    let mut targets = vec![];
    let big = m.size == "ws10k";
    if m.size == "ws2k" {
        targets.push(Target {
            what: "check ws2k cold wall",
            value: ms(c.p50),
            limit: 250.0,
            unit: "ms",
        });
    }
    if big {
        targets.push(Target {
            what: "check ws10k cold wall",
            value: ms(c.p50),
            limit: 330.0,
            unit: "ms",
        });
        if let Some(w) = c.warm_p50 {
            targets.push(Target {
                what: "check ws10k warm wall",
                value: ms(w),
                limit: 120.0,
                unit: "ms",
            });
        }
        targets.push(Target {
            what: "check ws10k peak RSS",
            value: c.rss_kib as f64 / 1024.0,
            limit: 150.0,
            unit: "MB",
        });
    }
    if m.size == "ws50k" {
        targets.push(Target {
            what: "check ws50k cold wall",
            value: ms(c.p50),
            limit: 1600.0,
            unit: "ms",
        });
        targets.push(Target {
            what: "check ws50k peak RSS",
            value: c.rss_kib as f64 / 1024.0,
            limit: 200.0,
            unit: "MB",
        });
    }
    if m.size == "findings50k"
        && let Some(a) = c.analysis_p50
    {
        targets.push(Target {
            what: "analysis share of check",
            value: 100.0 * a.as_secs_f64() / c.p50.as_secs_f64().max(1e-9),
            limit: 10.0,
            unit: "%",
        });
    }
    if let Some(sv) = serve {
        let _ = writeln!(
            s,
            "serve: initialize → first diagnostics {:.0} ms (all published by {:.0} ms); RSS after indexing {:.1} MB (peak {:.1} MB)",
            ms(sv.first_diagnostics),
            ms(sv.settled),
            sv.rss_kib as f64 / 1024.0,
            sv.hwm_kib as f64 / 1024.0
        );
        let (e50, e99) = (percentile(&sv.edits, 50.0), percentile(&sv.edits, 99.0));
        let _ = writeln!(
            s,
            "serve: didChange → publishDiagnostics over {} edits: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            sv.edits.len(),
            ms(e50),
            ms(e99),
            ms(sv.edits.iter().max().copied().unwrap_or_default())
        );
        let _ = writeln!(
            s,
            "serve: completion in .from( over {} requests: p50 {:.2} ms, p99 {:.2} ms",
            sv.completions.len(),
            ms(percentile(&sv.completions, 50.0)),
            ms(percentile(&sv.completions, 99.0))
        );
        if m.size == "ws50k" {
            targets.push(Target {
                what: "edit → diagnostics p50",
                value: ms(e50),
                limit: 10.0,
                unit: "ms",
            });
            targets.push(Target {
                what: "edit → diagnostics p99",
                value: ms(e99),
                limit: 30.0,
                unit: "ms",
            });
            targets.push(Target {
                what: "server RSS after indexing",
                value: sv.rss_kib as f64 / 1024.0,
                limit: 300.0,
                unit: "MB",
            });
        }
        if big {
            targets.push(Target {
                what: "edit → diagnostics p50",
                value: ms(e50),
                limit: 5.0,
                unit: "ms",
            });
            targets.push(Target {
                what: "edit → diagnostics p99",
                value: ms(e99),
                limit: 20.0,
                unit: "ms",
            });
            targets.push(Target {
                what: "completion in .from( p50",
                value: ms(percentile(&sv.completions, 50.0)),
                limit: 2.0,
                unit: "ms",
            });
            targets.push(Target {
                what: "server RSS after indexing",
                value: sv.rss_kib as f64 / 1024.0,
                limit: 150.0,
                unit: "MB",
            });
        }
    }
    if opts.quick {
        let _ = writeln!(s, "(--quick: fewer runs and samples)");
    }
    for t in targets {
        let _ = writeln!(
            s,
            "target {:<28} {:>9.2} {} (≤ {} {}) {}",
            t.what,
            t.value,
            t.unit,
            t.limit,
            t.unit,
            if t.value <= t.limit { "MET" } else { "MISSED" }
        );
    }
    s
}
