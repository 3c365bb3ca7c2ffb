//! What CI runs hit: a full or closed stdout, a path without Alchemy files, `--format github`
//! and SARIF paths relative to the repository root, the step summary, suppression comments
//! with unknown or unused rule ids, and the documentation link configuration.

use std::path::Path;
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alchemy-ls"));
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run alchemy-ls");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, c) in files {
        let p = root.join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, c).unwrap();
    }
}

const BROKEN_WORKER: &str = "import * as Cloudflare from \"alchemy/Cloudflare\";\n\
export class Counter extends Cloudflare.DurableObjectNamespace<Other>()(\"Counter\") {}\n\
export class Other extends Cloudflare.DurableObjectNamespace<Other, {}>()(\"Other\") {}\n";

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_exits_2_with_a_message() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for args in [
        &["check", "broken"][..],
        &["check", "broken", "--format", "sarif"],
        &["graph", "broken"],
        &["rules"],
        &["rules", "from-non-host"],
        &["--help"],
    ] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = bin()
            .args(args)
            .current_dir(&examples)
            .stdout(full)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("alchemy-ls: cannot write to stdout: "),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_closed_pipe_exits_2_with_a_message() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut child = bin()
        .args(["check", "broken", "--format", "sarif"])
        .current_dir(&examples)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader went away before anything was written
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write to stdout"), "{err}");
}

#[test]
fn a_path_without_alchemy_files_is_noted_and_fails_with_error_on_empty() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), &[("docs/readme.ts", "export const x = 1;\n")]);
    let (code, _, err) = run_in(tmp.path(), &["check", "docs"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "alchemy-ls: no Alchemy files found under docs\n");
    let (code, _, err) = run_in(tmp.path(), &["check", "docs", "--error-on-empty"]);
    assert_eq!(code, 2);
    assert_eq!(err, "alchemy-ls: no Alchemy files found under docs\n");
    // a project with Alchemy files says nothing of the kind
    write(tmp.path(), &[("app/w.ts", BROKEN_WORKER)]);
    let (code, _, err) = run_in(tmp.path(), &["check", "app", "--error-on-empty"]);
    assert_eq!(code, 1);
    assert!(!err.contains("no Alchemy files"), "{err}");
}

#[test]
fn github_and_sarif_paths_are_relative_to_the_repository_root() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    write(&repo, &[("apps/api/src/w.ts", BROKEN_WORKER)]);
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let app = repo.join("apps/api");
    // from the app's directory, from the root, and from outside the repository
    for (cwd, path) in [
        (&app, "."),
        (&repo, "apps/api"),
        (&tmp.path().to_path_buf(), "repo/apps/api"),
    ] {
        let (code, out, _) = run_in(cwd, &["check", path, "--format", "github"]);
        assert_eq!(code, 1);
        assert!(
            out.starts_with("::error file=apps/api/src/w.ts,line=2,col="),
            "{cwd:?} {path}: {out}"
        );
        let (_, out, _) = run_in(cwd, &["check", path, "--format", "sarif"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let run = &v["runs"][0];
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "apps/api/src/w.ts"
        );
        let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
        assert!(root.ends_with("/repo/"), "{root}");
        // human, json and compact stay relative to the first PATH
        let (_, out, _) = run_in(cwd, &["check", path, "--format", "compact"]);
        assert!(out.starts_with("src/w.ts:2:"), "{out}");
    }
    // without .git: relative to the current directory
    std::fs::remove_dir(repo.join(".git")).unwrap();
    let (_, out, _) = run_in(&repo.join("apps"), &["check", "api", "--format", "github"]);
    assert!(out.starts_with("::error file=api/src/w.ts,"), "{out}");
}

#[test]
fn step_summary_is_appended_as_markdown() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[
            ("apps/api/src/w.ts", BROKEN_WORKER),
            ("clean/x.ts", "export {};\n"),
        ],
    );
    std::fs::create_dir_all(tmp.path().join(".git")).unwrap();
    let summary = tmp.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let s = summary.to_str().unwrap();
    let (code, _, err) = run_in(&tmp.path().join("apps/api"), &["check", ".", "--step-summary", s]);
    assert_eq!(code, 1, "{err}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("earlier step\n### alchemy-ls\n\nFound 2 errors in 1 file.\n"),
        "{md}"
    );
    assert!(
        md.contains("| error | `self-type-mismatch` | `apps/api/src/w.ts:2:"),
        "{md}"
    );
    let (code, _, _) = run_in(tmp.path(), &["check", "clean", "--step-summary", s]);
    assert_eq!(code, 0);
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.ends_with("### alchemy-ls\n\nNo problems found in 0 files.\n\n"),
        "{md}"
    );
    // an unwritable summary file is an error
    let (code, _, err) = run_in(
        tmp.path(),
        &["check", "clean", "--step-summary", "/nonexistent/dir/x.md"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot write the step summary"), "{err}");
}

fn compact(dir: &Path, extra: &[&str]) -> (i32, Vec<String>) {
    let mut args = vec!["check", ".", "--format", "compact"];
    args.extend_from_slice(extra);
    let (code, out, err) = run_in(dir, &args);
    assert!(code != 2, "{err}");
    (code, out.lines().map(str::to_string).collect())
}

#[test]
fn suppression_comments_with_unknown_or_unused_rules() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[(
            "w.ts",
            "import * as Cloudflare from \"alchemy/Cloudflare\";\n\
// alchemy-ls-disable-next-line self-type-mismatch\n\
export class Counter extends Cloudflare.DurableObjectNamespace<Other>()(\"Counter\") {}\n\
// alchemy-ls-disable-next-line self-type-mismach\n\
export class Other extends Cloudflare.DurableObjectNamespace<Other, {}>()(\"Other\") {}\n\
// alchemy-ls-disable-next-line from-non-host, self-type-mismatch\n\
export class Third extends Cloudflare.DurableObjectNamespace<Counter>()(\"Third\") {}\n",
        )],
    );
    // The typo is a warning (exit 0 when nothing else fails); unused ones are not reported.
    let (code, lines) = compact(tmp.path(), &[]);
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(
        lines,
        vec![
            "w.ts:4:1: warning [invalid-suppression] `alchemy-ls-disable-next-line self-type-mismach` names no \
alchemy-ls rule, so it suppresses nothing (did you mean `self-type-mismatch`?)."
        ]
    );
    let (_, lines) = compact(tmp.path(), &["--report-unused-suppressions"]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[1].starts_with("w.ts:6:1: warning [unused-suppression] `from-non-host` in this"),
        "{lines:?}"
    );
    // configured levels apply; `off` silences
    std::fs::write(
        tmp.path().join("alchemy-ls.toml"),
        "[rules]\ninvalid-suppression = \"error\"\nunused-suppression = \"off\"\n",
    )
    .unwrap();
    let (code, lines) = compact(tmp.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("error [invalid-suppression]"), "{lines:?}");
    // the flag does not override a configured `off`
    let (_, lines) = compact(tmp.path(), &["--report-unused-suppressions"]);
    assert_eq!(lines.len(), 1, "{lines:?}");
}

#[test]
fn documentation_links_only_for_a_real_repository() {
    let (code, out, _) = run_in(Path::new(env!("CARGO_MANIFEST_DIR")), &["rules", "from-non-host"]);
    assert_eq!(code, 0);
    // The text is there either way; a link only when Cargo.toml names a real repository.
    assert!(out.contains("Bad:") && out.contains("Good:"), "{out}");
    match alchemy_ls::catalog::docs_url() {
        Some(url) => assert!(out.contains(&format!("More: {url}#from-non-host")), "{out}"),
        None => assert!(!out.contains("http"), "{out}"),
    }
    // the placeholder of this repository
    assert_eq!(
        alchemy_ls::catalog::REPOSITORY,
        "https://example.invalid/alchemy-ls"
    );
    assert_eq!(alchemy_ls::catalog::docs_url(), None);
}
