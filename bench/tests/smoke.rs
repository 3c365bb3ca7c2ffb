//! CI smoke test: generate the ws2k workspace, run the built `alchemy-ls check` on it and
//! require exactly the planted diagnostics (counts per rule, not time). Also checks that the
//! generator is deterministic.

use std::path::PathBuf;

use alchemy_ls_bench::check::{compare, run_check};
use alchemy_ls_bench::synth::{self, generate};

/// `target/<profile>/alchemy-ls` next to this test's own `deps/` directory, (re)built with
/// cargo first: `cargo test -p alchemy-ls-bench` alone does not build it, and a stale binary
/// would test old code. (A no-op when it is up to date.)
fn alchemy_ls_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>")
        .to_path_buf();
    let bin = profile_dir.join(alchemy_ls_bench::locate::binary_name());
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("debug");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(alchemy_ls_bench::locate::workspace_root())
        .args(["build", "-p", "alchemy-ls", "--bin", "alchemy-ls"])
        .env("CARGO_TARGET_DIR", profile_dir.parent().expect("target dir"));
    if profile == "release" {
        cmd.arg("--release");
    }
    let status = cmd.status().expect("run cargo build");
    assert!(status.success(), "cargo build -p alchemy-ls failed");
    assert!(bin.is_file(), "{} missing after the build", bin.display());
    bin
}

#[test]
fn ws2k_check_reports_exactly_the_planted_mistakes() {
    let spec = synth::spec("ws2k").expect("ws2k");
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = generate(&spec, dir.path()).expect("generate ws2k");
    assert_eq!(manifest.workers, 200);
    assert_eq!(manifest.durable_objects, 100);
    assert!(manifest.other_files >= 1_700, "{}", manifest.other_files);
    assert_eq!(manifest.expected.len(), 5, "{:?}", manifest.expected);

    let run = run_check(&alchemy_ls_binary(), dir.path()).expect("alchemy-ls check");
    if let Err(e) = compare(&manifest.expected, &run.counts) {
        panic!("wrong diagnostics on ws2k: {e}\n{}", run.listing.join("\n"));
    }
    assert_eq!(run.exit_code, 1, "errors were planted: exit code 1");
}

#[test]
fn generator_is_deterministic() {
    let spec = synth::spec("mini").expect("mini");
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let ma = generate(&spec, a.path()).expect("generate");
    let mb = generate(&spec, b.path()).expect("generate");
    assert_eq!(ma, mb);
    let mut files = Vec::new();
    let mut stack = vec![a.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 300, "{}", files.len());
    for p in files {
        let rel = p.strip_prefix(a.path()).expect("under a");
        let other = b.path().join(rel);
        assert_eq!(
            std::fs::read(&p).expect("read a"),
            std::fs::read(&other).unwrap_or_default(),
            "{} differs between two runs",
            rel.display()
        );
    }
}
