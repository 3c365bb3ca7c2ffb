//! `alchemy-ls-soak`: the long-running measurements of docs/reliability.md, on a release
//! build (not part of `cargo test`: they take minutes and report figures, not verdicts).
//!
//! ```text
//! alchemy-ls-soak soak [--bin PATH] [--minutes N] [--dir WS] [--files N]   # ws10k: RSS and CPU
//! alchemy-ls-soak large [--bin PATH]                           # typing in 10–60 MB buffers
//! ```
//! `soak` edits workers of the generated ws10k workspace (the first N with `--files`) without
//! pause (typing, breaking and
//! repairing `.from(…)`, opening and closing files) for N minutes, sampling the server's RSS
//! and CPU time every 10 s, then measures CPU time over 30 idle seconds. `large` types into
//! buffers of 10, 30 and 60 MB and measures the time to analyse one keystroke and the latency
//! of hovers in another file while keystrokes keep coming.
#![allow(clippy::print_stdout)] // a command-line tool: its report is its stdout

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alchemy_ls_bench::rng::Rng;
use alchemy_ls_oracle::client::Client;
use serde_json::json;

fn file_uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// (RSS in KiB, CPU time) of a process, from /proc.
fn sample(pid: u32) -> (u64, Duration) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // fields after the command name (which may hold spaces): utime is the 14th field overall
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    (rss, Duration::from_millis(ticks * 1000 / hz))
}

fn start(bin: &Path, root: &Path) -> Result<Client, String> {
    let mut c = Client::spawn(bin)?;
    c.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": file_uri(root),
            "workspaceFolders": [{ "uri": file_uri(root), "name": "ws" }],
            "capabilities": {
                "textDocument": { "publishDiagnostics": {} },
                "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
                "window": { "workDoneProgress": true },
            },
        }),
        Duration::from_secs(60),
    )?;
    c.notify("initialized", json!({}))?;
    c.quiesce(Duration::from_secs(300))?;
    Ok(c)
}

fn workers(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "node_modules") {
                    continue;
                }
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "ts")
                && std::fs::read_to_string(&p).is_ok_and(|t| t.contains(".from("))
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out.sort();
    out
}

fn position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let col = before.rsplit('\n').next().unwrap_or("").encode_utf16().count() as u32;
    (line, col)
}

fn soak(bin: &Path, dir: &Path, minutes: u64, pool: usize) -> Result<(), String> {
    let spec = alchemy_ls_bench::synth::spec("ws10k").ok_or("no ws10k")?;
    alchemy_ls_bench::synth::ensure(&spec, dir).map_err(|e| e.to_string())?;
    let root = std::fs::canonicalize(dir).map_err(|e| e.to_string())?;
    let mut files = workers(&root);
    files.truncate(pool);
    if files.is_empty() {
        return Err("no worker with .from( in the workspace".into());
    }
    let t0 = Instant::now();
    let mut c = start(bin, &root)?;
    let pid = c.pid();
    println!(
        "indexed {} in {:.1?}; {} files with .from(",
        root.display(),
        t0.elapsed(),
        files.len()
    );
    let mut rng = Rng::new(42);
    let mut open: Vec<(PathBuf, String, i32)> = Vec::new();
    let mut samples: Vec<(f64, u64, Duration)> = Vec::new();
    let begin = Instant::now();
    let mut next_sample = Instant::now();
    let mut edits = 0u64;
    while begin.elapsed() < Duration::from_secs(minutes * 60) {
        if Instant::now() >= next_sample {
            let (rss, cpu) = sample(pid);
            samples.push((begin.elapsed().as_secs_f64(), rss, cpu));
            println!(
                "t={:>4.0}s rss={:>7.1} MiB cpu={:>7.1}s edits={edits}",
                begin.elapsed().as_secs_f64(),
                rss as f64 / 1024.0,
                cpu.as_secs_f64()
            );
            next_sample += Duration::from_secs(10);
        }
        if open.is_empty() || rng.chance(0.02) {
            if open.len() >= 6 {
                let (p, _, _) = open.remove(0);
                c.notify(
                    "textDocument/didClose",
                    json!({ "textDocument": { "uri": file_uri(&p) } }),
                )?;
            }
            let p = rng.pick(&files).clone();
            if !open.iter().any(|(q, _, _)| *q == p) {
                let text = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
                c.notify(
                    "textDocument/didOpen",
                    json!({ "textDocument": { "uri": file_uri(&p), "languageId": "typescript", "version": 1, "text": text } }),
                )?;
                open.push((p, text, 1));
            }
        }
        let i = rng.below(open.len());
        let (p, text, version) = &mut open[i];
        // type a comment, or break / repair a `.from(` argument
        let (at, del, ins): (usize, usize, String) = if rng.chance(0.3) {
            match (text.find(".from(X"), text.find(".from(")) {
                (Some(x), _) => (x + 6, 1, String::new()),
                (None, Some(f)) => (f + 6, 0, "X".into()),
                _ => (text.len(), 0, "\n".into()),
            }
        } else {
            let end = text.trim_end().len();
            (
                end,
                0,
                if rng.chance(0.1) {
                    "\n// ".into()
                } else {
                    "x".into()
                },
            )
        };
        let (l0, c0) = position(text, at);
        let (l1, c1) = position(text, at + del);
        text.replace_range(at..at + del, &ins);
        *version += 1;
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": file_uri(p), "version": *version },
                    "contentChanges": [{ "range": { "start": { "line": l0, "character": c0 }, "end": { "line": l1, "character": c1 } }, "text": ins }] }),
        )?;
        edits += 1;
        if edits.is_multiple_of(20) {
            let pos = json!({ "textDocument": { "uri": file_uri(p) }, "position": { "line": l0, "character": c0 } });
            let _ = c.request("textDocument/hover", pos, Duration::from_secs(30));
        }
        if edits.is_multiple_of(200) {
            c.quiesce(Duration::from_secs(120))?;
            c.notifications.clear();
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    c.quiesce(Duration::from_secs(120))?;
    let (rss_end, cpu_end) = sample(pid);
    std::thread::sleep(Duration::from_secs(30));
    let (rss_idle, cpu_idle) = sample(pid);
    let first = samples.get(1).copied().unwrap_or((0.0, rss_end, cpu_end));
    let max = samples.iter().map(|s| s.1).max().unwrap_or(0);
    // least-squares slope of RSS over the second half (MiB per minute)
    let half: Vec<&(f64, u64, Duration)> = samples.iter().skip(samples.len() / 2).collect();
    let n = half.len() as f64;
    let (sx, sy) = half
        .iter()
        .fold((0.0, 0.0), |(a, b), s| (a + s.0, b + s.1 as f64 / 1024.0));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = half.iter().fold((0.0, 0.0), |(a, b), s| {
        (
            a + (s.0 - mx) * (s.1 as f64 / 1024.0 - my),
            b + (s.0 - mx) * (s.0 - mx),
        )
    });
    let slope = if den > 0.0 { num / den * 60.0 } else { 0.0 };
    println!(
        "soak: {minutes} min, {edits} edits; RSS {:.1} MiB at 10 s, {:.1} MiB max, {:.1} MiB at the end, slope over the second half {slope:+.2} MiB/min; CPU {:.1} s busy; idle 30 s: CPU {:.3} s, RSS {:.1} MiB",
        first.1 as f64 / 1024.0,
        max as f64 / 1024.0,
        rss_end as f64 / 1024.0,
        cpu_end.as_secs_f64(),
        (cpu_idle - cpu_end).as_secs_f64(),
        rss_idle as f64 / 1024.0,
    );
    c.shutdown();
    Ok(())
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn large(bin: &Path) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = std::fs::canonicalize(dir.path()).map_err(|e| e.to_string())?;
    for ws in alchemy_ls_oracle::corpus::examples() {
        if ws.name == "examples/cross-worker" {
            ws.write(&root).map_err(|e| e.to_string())?;
        }
    }
    let a = root.join("src/workerA.ts");
    let a_text = std::fs::read_to_string(&a).map_err(|e| e.to_string())?;
    for mb in [10usize, 30, 60] {
        let mut c = start(bin, &root)?;
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": file_uri(&a), "languageId": "typescript", "version": 1, "text": a_text } }),
        )?;
        let line = "export const filler = \"0123456789 😀 中文 0123456789\";\n";
        let n = mb * 1_000_000 / line.len();
        let text = line.repeat(n);
        let big = root.join("src/big.ts");
        let t = Instant::now();
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": file_uri(&big), "languageId": "typescript", "version": 1, "text": text } }),
        )?;
        c.quiesce(Duration::from_secs(300))?;
        let open_time = t.elapsed();
        // one keystroke, analysed: the cost of a keystroke in this buffer
        let mut version = 1;
        let mut keystroke = Vec::new();
        for k in 0..10u32 {
            version += 1;
            let t = Instant::now();
            c.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": file_uri(&big), "version": version },
                        "contentChanges": [{ "range": { "start": { "line": n as u32 / 2, "character": k }, "end": { "line": n as u32 / 2, "character": k } }, "text": "x" }] }),
            )?;
            c.quiesce(Duration::from_secs(120))?;
            keystroke.push(t.elapsed());
        }
        // typing at 20 keys/s with a hover in workerA after each key
        let mut hovers = Vec::new();
        let t_burst = Instant::now();
        for k in 0..100u32 {
            version += 1;
            c.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": file_uri(&big), "version": version },
                        "contentChanges": [{ "range": { "start": { "line": n as u32 / 3, "character": k }, "end": { "line": n as u32 / 3, "character": k } }, "text": "y" }] }),
            )?;
            let t = Instant::now();
            c.request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": file_uri(&a) }, "position": { "line": 4, "character": 14 } }),
                Duration::from_secs(60),
            )?;
            hovers.push(t.elapsed());
            let spent = t.elapsed();
            if spent < Duration::from_millis(50) {
                std::thread::sleep(Duration::from_millis(50) - spent);
            }
        }
        c.quiesce(Duration::from_secs(120))?;
        let burst = t_burst.elapsed();
        let (rss, _) = sample(c.pid());
        println!(
            "large: {mb} MB buffer: open+analyse {:.0?}; one keystroke analysed p50 {:.0?} max {:.0?}; hover in another file while typing 20 keys/s: p50 {:.1?} p99 {:.1?} max {:.1?}; 100 keys settled after {:.1?}; RSS {:.0} MiB",
            open_time,
            percentile(&mut keystroke.clone(), 0.5),
            percentile(&mut keystroke, 1.0),
            percentile(&mut hovers.clone(), 0.5),
            percentile(&mut hovers.clone(), 0.99),
            percentile(&mut hovers, 1.0),
            burst,
            rss as f64 / 1024.0
        );
        c.shutdown();
    }
    Ok(())
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mode = if args.is_empty() {
        "soak".to_string()
    } else {
        args.remove(0)
    };
    let mut bin = std::env::current_exe()
        .unwrap_or_default()
        .with_file_name("alchemy-ls");
    let mut minutes = 10;
    let mut pool = usize::MAX;
    let mut dir = alchemy_ls_bench::locate::workspace_cache("ws10k");
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--bin" => bin = it.next().unwrap_or_default().into(),
            "--minutes" => minutes = it.next().and_then(|v| v.parse().ok()).unwrap_or(10),
            "--dir" => dir = it.next().unwrap_or_default().into(),
            "--files" => pool = it.next().and_then(|v| v.parse().ok()).unwrap_or(usize::MAX),
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let r = match mode.as_str() {
        "soak" => soak(&bin, &dir, minutes, pool),
        "large" => large(&bin),
        other => Err(format!("unknown mode {other} (soak | large)")),
    };
    if let Err(e) = r {
        eprintln!("alchemy-ls-soak: {e}");
        std::process::exit(1);
    }
}
