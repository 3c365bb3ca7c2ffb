//! The differential oracle in `cargo test`: a fixed seed and the budget of
//! `ORACLE_BUDGET_SECS` (default 20 s; `.ci/run` sets its own), over the examples, the rule
//! fixtures and a generated bench workspace. And a self-test: a planted difference is found
//! and its script minimised.

use std::path::PathBuf;
use std::time::Duration;

use alchemy_ls_oracle::corpus;
use alchemy_ls_oracle::script::Action;
use alchemy_ls_oracle::session::{ClientKind, Session};

/// `target/<profile>/alchemy-ls`, (re)built with cargo first (`cargo test -p
/// alchemy-ls-oracle` alone does not build another package's binary; a no-op when fresh).
fn alchemy_ls_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>")
        .to_path_buf();
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("debug")
        .to_string();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(corpus::repo_root())
        .args(["build", "--quiet", "-p", "alchemy-ls", "--bin", "alchemy-ls"])
        .env("CARGO_TARGET_DIR", profile_dir.parent().expect("target dir"));
    if profile == "release" {
        cmd.arg("--release");
    }
    assert!(
        cmd.status().expect("run cargo build").success(),
        "cargo build -p alchemy-ls failed"
    );
    let bin = profile_dir.join("alchemy-ls");
    assert!(bin.is_file(), "{} missing", bin.display());
    bin
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn the_server_agrees_with_check_after_random_edit_sessions() {
    let bin = alchemy_ls_binary();
    let seed = env_u64("ORACLE_SEED", 1);
    let budget = Duration::from_secs(env_u64("ORACLE_BUDGET_SECS", 20));
    let mut corpora = corpus::examples();
    corpora.push(corpus::bench_mini().expect("generate the bench workspace"));
    corpora.extend(corpus::rule_fixtures());
    assert!(corpora.len() > 20, "{} workspaces", corpora.len());
    let summary = alchemy_ls_oracle::run(&bin, &corpora, seed, budget, 30, Duration::from_secs(120), |m| {
        eprintln!("oracle: {m}");
    });
    eprintln!(
        "oracle: seed {seed}, {} sessions, {} actions, {} comparisons, {} diagnostics compared",
        summary.sessions, summary.actions, summary.comparisons, summary.diagnostics
    );
    if let Some(f) = summary.findings.first() {
        panic!(
            "the server and check differ (replay: save this JSON and run alchemy-ls-oracle --replay FILE):\n{}",
            serde_json::to_string_pretty(&f.to_json()).unwrap()
        );
    }
    assert!(
        summary.comparisons > 0 && summary.diagnostics > 0,
        "nothing was compared"
    );
}

/// A difference is caught and minimised: `check`'s from-non-host lines are hidden from the
/// comparison, and a script that produces one among unrelated edits must fail and shrink to
/// the edit that produces it.
#[test]
fn a_planted_difference_is_found_and_minimised() {
    let bin = alchemy_ls_binary();
    let ws = corpus::examples()
        .into_iter()
        .find(|w| w.name == "examples/cross-worker")
        .expect("examples/cross-worker");
    fn hide_from_non_host(lines: &mut std::collections::BTreeSet<String>) {
        lines.retain(|l| !l.contains(" from-non-host "));
    }
    let session = Session {
        bin: &bin,
        ws: &ws,
        client: ClientKind {
            pull: true,
            encoding: "utf-16",
        },
        plant: Some(hide_from_non_host),
        compared: Default::default(),
        step: false,
    };
    let b = "src/workerB.ts".to_string();
    let a = "src/workerA.ts".to_string();
    let script = vec![
        Action::Open { path: a.clone() },
        Action::Insert {
            path: a.clone(),
            at: 0.0,
            text: "// 😀 中文\r\n".into(),
        },
        Action::Open { path: b.clone() },
        Action::Check,
        Action::Crlf { path: a.clone() },
        Action::Replace {
            path: b.clone(),
            from: "Counter.from(WorkerA)".into(),
            to: "Counter.from(WorkerB)".into(),
            all: false,
        },
        Action::Undo { path: a.clone() },
        Action::Close { path: a.clone() },
        Action::Check,
    ];
    let found = session.run(&script, true).expect("the session runs");
    let d = found.expect("the planted difference is found");
    assert!(d.only_server.iter().any(|l| l.contains("from-non-host")), "{d:?}");
    let (minimal, diff) = alchemy_ls_oracle::minimize::minimize(&session, &script, Duration::from_secs(120));
    assert!(diff.is_some(), "the minimised script still fails");
    let actions: Vec<&Action> = minimal.iter().filter(|a| **a != Action::Check).collect();
    assert_eq!(actions.len(), 2, "minimised to open + replace: {minimal:#?}");
    assert!(matches!(actions[0], Action::Open { path } if *path == b));
    assert!(matches!(actions[1], Action::Replace { .. }));
}

/// Every difference the oracle found and that was fixed stays fixed: the scripts of
/// `tests/oracle/findings/` replay without a difference, each a few times (some only failed
/// when their edits landed in one analysis round).
#[test]
fn past_findings_replay_without_a_difference() {
    let bin = alchemy_ls_binary();
    let dir = corpus::repo_root().join("tests/oracle/findings");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/oracle/findings")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no finding in {}", dir.display());
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read the finding");
        let finding: serde_json::Value = serde_json::from_str(&text).expect("finding JSON");
        for (round, step) in [(1, true), (2, false), (3, false), (4, true)] {
            let diff = alchemy_ls_oracle::replay(&bin, &finding, step)
                .unwrap_or_else(|e| panic!("{}: replay failed: {e}", file.display()));
            assert!(
                diff.is_none(),
                "{} (replay {round}) differs again:\n{}",
                file.display(),
                serde_json::to_string_pretty(&diff).unwrap_or_default()
            );
        }
    }
}
