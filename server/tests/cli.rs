//! The `alchemy-ls` binary: arguments, exit codes and error messages.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alchemy-ls"));
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run alchemy-ls");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// A temporary project with one Alchemy file and the given `alchemy-ls.toml`.
fn project(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("worker.ts"),
        "import * as Cloudflare from \"alchemy/Cloudflare\";\nexport default Cloudflare.Worker(\"W\", {});\n",
    )
    .unwrap();
    if let Some(config) = config {
        std::fs::write(dir.path().join("alchemy-ls.toml"), config).unwrap();
    }
    dir
}

#[test]
fn missing_path_is_a_usage_error() {
    let (code, out, err) = run(&["check", "does/not/exist"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert_eq!(err, "alchemy-ls: does/not/exist: no such file or directory\n");
}

#[test]
fn missing_path_among_several() {
    let dir = project(None);
    let (code, _, err) = run_in(dir.path(), &["graph", ".", "nope.ts"]);
    assert_eq!(code, 2);
    assert!(err.contains("nope.ts: no such file or directory"), "{err}");
}

#[test]
fn bad_format_is_a_usage_error() {
    let (code, out, err) = run(&["check", "--format", "xml", "."]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(
        err.contains("invalid value 'xml' for '--format <FORMAT>'"),
        "{err}"
    );
    assert!(
        err.contains("[possible values: human, json, github, sarif, compact]"),
        "{err}"
    );
}

#[test]
fn bad_max_warnings_is_a_usage_error() {
    let (code, _, err) = run(&["check", "--max-warnings", "many", "."]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn invalid_config_reports_file_line_column() {
    let dir = project(Some("[rules]\nfrom-non-host = \"loud\"\n"));
    let (code, out, err) = run_in(dir.path(), &["check", "."]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    let config = dir.path().canonicalize().unwrap().join("alchemy-ls.toml");
    let first = err.lines().next().unwrap_or_default();
    // `<path>:<line>:<column>: <reason>`
    let rest = first
        .strip_prefix(&format!("{}:", config.display()))
        .or_else(|| first.strip_prefix(&format!("{}:", dir.path().join("alchemy-ls.toml").display())))
        .unwrap_or_else(|| panic!("config path missing in {first:?}"));
    assert!(rest.starts_with("2:"), "line 2 expected: {first:?}");
    let reason = rest.splitn(3, ':').nth(2).unwrap_or_default();
    assert!(!reason.trim().is_empty(), "{first:?}");
}

#[test]
fn invalid_config_given_with_flag() {
    let dir = project(None);
    std::fs::write(dir.path().join("other.toml"), "ignore = 3\n").unwrap();
    let (code, _, err) = run_in(dir.path(), &["check", "--config", "other.toml", "."]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("other.toml:1:"), "{err}");
}

#[test]
fn missing_config_file_given_with_flag() {
    let dir = project(None);
    let (code, _, err) = run_in(dir.path(), &["check", "--config", "absent.toml", "."]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("absent.toml:1:1: "), "{err}");
}

#[test]
fn valid_config_and_clean_project() {
    let dir = project(Some("[rules]\nfrom-non-host = \"warning\"\n"));
    for format in ["human", "json", "github", "sarif", "compact"] {
        let (code, out, err) = run_in(dir.path(), &["check", "--format", format, "--deny-warnings"]);
        assert_eq!(code, 0, "{format}: {err}");
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(
                v["summary"],
                serde_json::json!({ "files": 1, "errors": 0, "warnings": 0 })
            );
        }
        if format == "human" {
            assert_eq!(out, "No problems found in 1 file.\n");
        }
        if format == "github" || format == "compact" {
            assert_eq!(out, "");
        }
    }
}

#[test]
fn rules_lists_every_rule() {
    let (code, out, err) = run(&["rules"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), alchemy_ls::catalog::RULES.len());
    insta::assert_snapshot!(out);
}

#[test]
fn rules_explains_one() {
    let (code, out, err) = run(&["rules", "from-non-host"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn unknown_rule_is_a_usage_error() {
    let (code, out, err) = run(&["rules", "nope"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "alchemy-ls: unknown rule `nope`; run `alchemy-ls rules` to list them\n"
    );
    let (code, _, err) = run(&["rules", "from-non-hots"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `from-non-host`?"), "{err}");
}

#[test]
fn version() {
    let (code, out, _) = run(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(out, format!("alchemy-ls {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn no_command_prints_usage() {
    let (code, out, err) = run(&[]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("Usage: alchemy-ls"), "{err}");
}

/// `--stdio` (repeated, as VS Code appends it), `serve` and `serve --stdio` are accepted and
/// start the server, which exits when its input closes.
#[test]
fn stdio_variants_start_the_server() {
    for args in [
        &["--stdio"][..],
        &["--stdio", "--stdio"],
        &["serve"],
        &["serve", "--stdio"],
    ] {
        let mut child = bin()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{args:?}: the server did not exit when stdin closed");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("Usage:") && !err.contains("unexpected argument"),
            "{args:?}: {err}"
        );
        assert_ne!(out.status.code(), Some(2), "{args:?}: {err}");
    }
}

#[test]
fn timings_go_to_stderr_only_when_asked() {
    let dir = project(None);
    let plain = bin()
        .args(["check", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        plain.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let timed = bin()
        .args(["check", "--format", "json"])
        .env("ALCHEMY_LS_TIMINGS", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(timed.stdout, plain.stdout, "stdout is the report only");
    let err = String::from_utf8_lossy(&timed.stderr);
    for phase in [
        "discovered",
        "read and prefiltered",
        "relevance",
        "loaded",
        "analysed",
        "reported",
    ] {
        assert!(
            err.contains(&format!(" ms {phase}\n")),
            "{phase} missing in {err}"
        );
    }
}
