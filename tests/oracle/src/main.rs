//! `alchemy-ls-oracle`: run the differential oracle (see the crate docs).
//!
//! ```text
//! alchemy-ls-oracle [--bin PATH] [--seed N] [--budget SECS] [--steps N]
//!                   [--corpus all|examples|fixtures|bench] [--minimize SECS] [--out FILE]
//! alchemy-ls-oracle --replay FILE [--step] [--bin PATH]
//! ```
//! `--step` waits for the analysis after every action of the replayed script.
//! Exit code 0: no difference; 1: a difference (or a server failure), reported with its
//! minimised script (also written to `--out`); 2: a usage or setup error.
#![allow(clippy::print_stdout)] // a command-line tool: its report is its stdout

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

struct Options {
    bin: PathBuf,
    seed: u64,
    budget: u64,
    steps: usize,
    corpus: String,
    minimize: u64,
    out: Option<PathBuf>,
    replay: Option<PathBuf>,
    step: bool,
}

fn default_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.with_file_name(if cfg!(windows) {
        "alchemy-ls.exe"
    } else {
        "alchemy-ls"
    })
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        bin: default_bin(),
        seed: 1,
        budget: 150,
        steps: 30,
        corpus: "all".into(),
        minimize: 90,
        out: None,
        replay: None,
        step: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--bin" => o.bin = value()?.into(),
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--budget" => o.budget = value()?.parse().map_err(|e| format!("--budget: {e}"))?,
            "--steps" => o.steps = value()?.parse().map_err(|e| format!("--steps: {e}"))?,
            "--corpus" => o.corpus = value()?,
            "--minimize" => o.minimize = value()?.parse().map_err(|e| format!("--minimize: {e}"))?,
            "--out" => o.out = Some(value()?.into()),
            "--replay" => o.replay = Some(value()?.into()),
            "--step" => o.step = true,
            "-h" | "--help" => {
                println!(
                    "alchemy-ls-oracle [--bin PATH] [--seed N] [--budget SECS] [--steps N] [--corpus all|examples|fixtures|bench] [--minimize SECS] [--out FILE]\nalchemy-ls-oracle --replay FILE [--step] [--bin PATH]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if !o.bin.is_file() {
        return Err(format!("no alchemy-ls binary at {} (--bin)", o.bin.display()));
    }
    Ok(o)
}

fn replay(o: &Options, file: &PathBuf) -> Result<bool, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    match alchemy_ls_oracle::replay(&o.bin, &v, o.step)? {
        Some(d) => {
            println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
            Ok(false)
        }
        None => {
            println!("no difference");
            Ok(true)
        }
    }
}

fn main() -> ExitCode {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("alchemy-ls-oracle: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(file) = &o.replay {
        return match replay(&o, file) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("alchemy-ls-oracle: {e}");
                ExitCode::from(2)
            }
        };
    }
    let corpora = match alchemy_ls_oracle::corpora(&o.corpus) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("alchemy-ls-oracle: {e}");
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "alchemy-ls-oracle: seed {}, budget {} s, {} workspaces, binary {}",
        o.seed,
        o.budget,
        corpora.len(),
        o.bin.display()
    );
    let summary = alchemy_ls_oracle::run(
        &o.bin,
        &corpora,
        o.seed,
        Duration::from_secs(o.budget),
        o.steps,
        Duration::from_secs(o.minimize),
        |m| eprintln!("alchemy-ls-oracle: {m}"),
    );
    eprintln!(
        "alchemy-ls-oracle: {} sessions, {} actions, {} comparisons ({} diagnostics compared), {} differences",
        summary.sessions,
        summary.actions,
        summary.comparisons,
        summary.diagnostics,
        summary.findings.len()
    );
    match summary.findings.first() {
        None => ExitCode::SUCCESS,
        Some(f) => {
            let report = serde_json::to_string_pretty(&f.to_json()).unwrap_or_default();
            println!("{report}");
            if let Some(out) = &o.out {
                let _ = std::fs::write(out, &report);
                eprintln!(
                    "alchemy-ls-oracle: written to {} (replay with --replay)",
                    out.display()
                );
            }
            ExitCode::from(1)
        }
    }
}
