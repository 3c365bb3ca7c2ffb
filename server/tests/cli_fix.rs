//! `check --fix` and `--fix-dry-run` on every rule fixture that has a safe fix, on the
//! examples, and on the edge cases: BOM and CRLF files, files under `node_modules`, files
//! outside the checked paths.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::fixture::{Fixture, parse_fixture};
use serde_json::Value;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
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

fn json_check(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["check", ".", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(dir, &args);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v, err)
}

fn diagnostics(v: &Value) -> Vec<Value> {
    v["diagnostics"].as_array().cloned().unwrap_or_default()
}

fn has_safe_fix(d: &Value) -> bool {
    d["fixes"]
        .as_array()
        .is_some_and(|fs| fs.iter().any(|f| f["safe"] == true))
}

/// Every file under `root` (relative path → bytes).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn fixture_files() -> Vec<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for set in std::fs::read_dir(&base).unwrap() {
        let set = set.unwrap().path();
        if !set.file_name().unwrap().to_string_lossy().starts_with("rules") {
            continue;
        }
        for rule in std::fs::read_dir(&set).unwrap() {
            for case in std::fs::read_dir(rule.unwrap().path()).unwrap() {
                let case = case.unwrap().path();
                if case.extension().is_some_and(|e| e == "txt") {
                    out.push(case);
                }
            }
        }
    }
    out.sort();
    out
}

/// The rules docs/cli.md lists as having safe fixes (the `Safe fixes` table).
fn documented_safe_rules() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cli.md")).unwrap();
    let section = doc
        .split("### Safe fixes")
        .nth(1)
        .expect("docs/cli.md has a `### Safe fixes` section");
    let section = section.split("\n#").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn fix_applies_every_safe_fix_of_every_rule_fixture() {
    let mut rules_with_safe_fixes = BTreeSet::new();
    let mut cases = 0;
    for case in fixture_files() {
        let name = case.display().to_string();
        let files = parse_fixture(&std::fs::read_to_string(&case).unwrap());
        let fx = Fixture::from_files(&files);
        let (_, before, _) = json_check(&fx.root, &[]);
        let fixable: Vec<Value> = diagnostics(&before).into_iter().filter(has_safe_fix).collect();
        if fixable.is_empty() {
            continue;
        }
        cases += 1;
        for d in &fixable {
            rules_with_safe_fixes.insert(d["rule"].as_str().unwrap().to_string());
        }

        // --fix-dry-run: a diff, nothing written.
        let untouched = snapshot(&fx.root);
        let (_, diff, err) = run(&fx.root, &["check", ".", "--fix-dry-run"]);
        assert!(diff.contains("\n+++ b/"), "{name}: no diff\n{diff}\n{err}");
        assert!(err.contains("would fix"), "{name}: {err}");
        assert_eq!(snapshot(&fx.root), untouched, "{name}: --fix-dry-run wrote files");

        // --fix: the findings are gone, the re-check is the report.
        let (code, after, err) = json_check(&fx.root, &["--fix"]);
        assert!(
            err.contains(&format!("fixed {} problem", fixable.len())) || err.contains("fixed "),
            "{name}: {err}"
        );
        let remaining = diagnostics(&after);
        for d in &fixable {
            assert!(
                !remaining.iter().any(|r| r["rule"] == d["rule"]
                    && r["path"] == d["path"]
                    && r["message"] == d["message"]),
                "{name}: still reported after --fix: {d}\n{remaining:#?}"
            );
        }
        assert!(
            !remaining.iter().any(has_safe_fix),
            "{name}: safe fixes left after --fix: {remaining:#?}"
        );
        // The files the dry run named are the files --fix changed.
        let fixed = snapshot(&fx.root);
        let changed: BTreeSet<String> = fixed
            .iter()
            .filter(|(p, bytes)| untouched.get(*p) != Some(*bytes))
            .map(|(p, _)| p.to_string_lossy().replace('\\', "/"))
            .collect();
        let in_diff: BTreeSet<String> = diff
            .lines()
            .filter_map(|l| l.strip_prefix("+++ b/"))
            .map(|l| l.trim().to_string())
            .collect();
        assert_eq!(changed, in_diff, "{name}");
        assert_eq!(fixed.len(), untouched.len(), "{name}: files created or removed");
        // A plain check agrees with the re-check, and a second --fix changes nothing.
        let (code2, plain, _) = json_check(&fx.root, &[]);
        assert_eq!((code, &after), (code2, &plain), "{name}");
        let (_, _, err) = json_check(&fx.root, &["--fix"]);
        assert!(err.contains("fixed 0 problems in 0 files"), "{name}: {err}");
        assert_eq!(snapshot(&fx.root), fixed, "{name}: second --fix changed files");
    }
    assert!(cases >= 10, "only {cases} fixtures with safe fixes");
    assert_eq!(
        rules_with_safe_fixes,
        documented_safe_rules(),
        "rules with safe fixes vs the `Safe fixes` table of docs/cli.md"
    );
}

fn promise_api_fixture() -> Vec<(String, String)> {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules/deprecated-api/trigger_to_promise_api.txt");
    parse_fixture(&std::fs::read_to_string(case).unwrap())
}

#[test]
fn fix_keeps_bom_and_crlf() {
    let files: Vec<(String, String)> = promise_api_fixture()
        .into_iter()
        .map(|(p, c)| {
            if p.ends_with(".ts") {
                (p, format!("\u{feff}{}", c.replace('\n', "\r\n")))
            } else {
                (p, c)
            }
        })
        .collect();
    let fx = Fixture::from_files(&files);
    let (_, after, err) = json_check(&fx.root, &["--fix"]);
    assert!(err.contains("fixed 2 problems in 1 file"), "{err}");
    assert!(
        !diagnostics(&after).iter().any(|d| d["rule"] == "deprecated-api"),
        "{after:#}"
    );
    let text = std::fs::read_to_string(fx.root.join("src/client.ts")).unwrap();
    assert!(
        text.starts_with('\u{feff}') && !text[3..].contains('\u{feff}'),
        "{text:?}"
    );
    assert!(
        text.contains("toRpcAsync") && !text.contains("toPromiseApi"),
        "{text}"
    );
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "a bare LF: {text:?}"
    );
}

#[test]
fn fix_never_writes_under_node_modules_or_outside_the_checked_paths() {
    // The same broken file in the project, in node_modules (checked explicitly) and in a
    // sibling directory that is not checked.
    let mut files = Vec::new();
    for (p, c) in promise_api_fixture() {
        files.push((format!("app/{p}"), c.clone()));
        files.push((format!("app/node_modules/dep/{p}"), c.clone()));
        files.push((format!("other/{p}"), c));
    }
    let fx = Fixture::from_files(&files);
    let before = snapshot(&fx.root);
    let (_, _, err) = run(
        &fx.root,
        &["check", "app/node_modules/dep/src/client.ts", "--fix"],
    );
    assert!(
        err.contains("fixed 0 problems") && err.contains("skipped"),
        "{err}"
    );
    assert_eq!(snapshot(&fx.root), before);
    let (_, _, err) = run(&fx.root, &["check", "app/src", "--fix"]);
    assert!(err.contains("fixed 2 problems in 1 file"), "{err}");
    let after = snapshot(&fx.root);
    let changed: Vec<&PathBuf> = after.keys().filter(|p| before.get(*p) != after.get(*p)).collect();
    assert_eq!(changed, vec![&PathBuf::from("app/src/client.ts")]);
}

#[test]
fn fix_on_the_examples_changes_nothing_unsafe() {
    // The examples' findings have no safe fix: --fix writes nothing and reports them.
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for (project, code) in [("broken", 1), ("cross-worker", 0)] {
        let tmp = tempfile::tempdir().unwrap();
        let dst = tmp.path().join(project);
        copy_dir(&examples.join(project), &dst);
        let before = snapshot(&dst);
        let (c1, plain, _) = run(&dst, &["check", "."]);
        let (c2, out, err) = run(&dst, &["check", ".", "--fix"]);
        assert_eq!((c1, c2), (code, code), "{project}: {err}");
        assert_eq!(plain, out, "{project}");
        assert!(err.contains("fixed 0 problems in 0 files"), "{project}: {err}");
        assert_eq!(snapshot(&dst), before, "{project}");
    }
}

#[test]
fn unused_suppression_is_fixed_by_removing_its_line() {
    let fx = Fixture::new(
        "//- src/w.ts\n\
         import * as Cloudflare from \"alchemy/Cloudflare\";\n\
         // alchemy-ls-disable-next-line from-non-host\n\
         export default Cloudflare.Worker(\"W\", {});\n",
    );
    let (_, v, _) = json_check(&fx.root, &["--report-unused-suppressions"]);
    let d = diagnostics(&v);
    assert_eq!(d.len(), 1, "{v:#}");
    assert_eq!(d[0]["rule"], "unused-suppression");
    let (code, v, err) = json_check(&fx.root, &["--report-unused-suppressions", "--fix"]);
    assert_eq!(code, 0, "{err}");
    assert!(diagnostics(&v).is_empty(), "{v:#}");
    assert_eq!(
        std::fs::read_to_string(fx.root.join("src/w.ts")).unwrap(),
        "import * as Cloudflare from \"alchemy/Cloudflare\";\nexport default Cloudflare.Worker(\"W\", {});\n"
    );
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
