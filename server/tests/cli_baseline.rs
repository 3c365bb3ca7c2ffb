//! `check --baseline REV` on real git repositories (two or more commits), through the binary:
//! each deploy-impact rule and its look-alike from the impact fixtures, the quick fixes
//! applied and re-checked, and the failure modes (no repository, unknown revision, shallow
//! clone missing the base, a base where the project did not exist, a base with syntax errors,
//! a project in a subdirectory of the repository).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::fixture::{impact_revisions, write_files};
use common::git::git;

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alchemy-ls"));
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .arg("check")
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

/// A repository whose first commit is `base` and whose work tree (committed as a second
/// commit) is `head`, under `sub` of the repository.
fn repo(base: &[(String, String)], head: &[(String, String)], sub: &str) -> (tempfile::TempDir, PathBuf) {
    repo_with(base, head, sub, true)
}

/// [`repo`], the head committed or only written to the work tree (edited, deleted and
/// untracked files: the baseline is then `HEAD`).
fn repo_with(
    base: &[(String, String)],
    head: &[(String, String)],
    sub: &str,
    commit_head: bool,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let project = root.join(sub);
    std::fs::create_dir_all(&project).unwrap();
    git(&root, &["init", "-q"]);
    write_files(&project, base);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "base"]);
    for (p, _) in base {
        let _ = std::fs::remove_file(project.join(p));
    }
    write_files(&project, head);
    if commit_head {
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "--allow-empty", "-m", "head"]);
    }
    (dir, project)
}

fn rules_of(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("json output");
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_impact_rule_and_look_alike_through_git() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/impact");
    let mut cases = 0;
    for rule_dir in std::fs::read_dir(&dir).unwrap() {
        let rule_dir = rule_dir.unwrap().path();
        let rule = rule_dir.file_name().unwrap().to_string_lossy().to_string();
        for case in std::fs::read_dir(&rule_dir).unwrap() {
            let case = case.unwrap().path();
            let name = case.file_stem().unwrap().to_string_lossy().to_string();
            let (base, head) = impact_revisions(&format!("{rule}/{name}.txt"));
            let (_keep, project) = repo(&base, &head, "");
            let (code, out, err) = check(&project, &["--baseline", "HEAD~1", "--format", "json"]);
            let rules = rules_of(&out);
            if name.starts_with("clean") {
                assert!(rules.is_empty(), "{rule}/{name}: {rules:?}\n{err}");
                assert_eq!(code, 0, "{rule}/{name}: {err}");
            } else {
                assert!(rules.contains(&rule), "{rule}/{name}: {rules:?}\n{err}");
            }
            // the head not committed: edits, deletions and untracked files in the work tree
            let (_keep2, wt) = repo_with(&base, &head, "", false);
            let (_, out2, err2) = check(&wt, &["--baseline", "HEAD", "--format", "json"]);
            assert_eq!(rules_of(&out2), rules, "{rule}/{name} uncommitted\n{err2}");
            // the same against the head itself: nothing changes, nothing to report
            let (_, same, _) = check(&project, &["--baseline", "HEAD", "--format", "json"]);
            assert!(
                !rules_of(&same).iter().any(|r| r == &rule),
                "{rule}/{name}: reported against an identical baseline"
            );
            cases += 1;
        }
    }
    assert!(cases >= 14);
}

#[test]
fn fixes_apply_and_recheck_clean() {
    for case in [
        "do-moved-without-transfer/trigger_moved_to_worker_b.txt",
        "worker-replaced/trigger_logical_id_changed.txt",
    ] {
        let (base, head) = impact_revisions(case);
        let (_keep, project) = repo(&base, &head, "");
        let rule = case.split('/').next().unwrap();
        let (_, out, _) = check(&project, &["--baseline", "HEAD~1", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let d = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["rule"] == rule)
            .unwrap_or_else(|| panic!("{case}: no {rule}"));
        let fix = &d["fixes"][0];
        for e in fix["edits"].as_array().unwrap() {
            let path = project.join(e["path"].as_str().unwrap());
            let text = std::fs::read_to_string(&path).unwrap();
            let idx = common::fixture::offset_of(
                &text,
                e["line"].as_u64().unwrap() as u32,
                e["column"].as_u64().unwrap() as u32,
            );
            let end = common::fixture::offset_of(
                &text,
                e["endLine"].as_u64().unwrap() as u32,
                e["endColumn"].as_u64().unwrap() as u32,
            );
            let mut t = text.clone();
            t.replace_range(idx..end, e["newText"].as_str().unwrap());
            std::fs::write(&path, t).unwrap();
        }
        let (code, out, err) = check(&project, &["--baseline", "HEAD~1", "--format", "json"]);
        assert!(
            !rules_of(&out).iter().any(|r| r == rule),
            "{case}: fix did not remove it\n{out}\n{err}"
        );
        assert!(code == 0 || code == 1, "{err}");
    }
}

#[test]
fn project_in_a_subdirectory_of_the_repository() {
    let (base, head) = impact_revisions("do-renamed/trigger_name_string_changed.txt");
    let (_keep, project) = repo(&base, &head, "apps/api");
    let (code, out, err) = check(&project, &["--baseline", "HEAD~1", "--format", "json"]);
    assert!(rules_of(&out).contains(&"do-renamed".to_string()), "{out}\n{err}");
    assert_eq!(code, 1);
    // the related note names the base revision and a path relative to the project
    assert!(out.contains("@ HEAD~1"), "{out}");
    // the same from the repository root, with the project as PATH
    let root = project.parent().unwrap().parent().unwrap().to_path_buf();
    let (_, out2, err2) = check(&root, &["apps/api", "--baseline", "HEAD~1", "--format", "json"]);
    assert!(
        rules_of(&out2).contains(&"do-renamed".to_string()),
        "{out2}\n{err2}"
    );
}

#[test]
fn config_names_the_baseline_and_off_disables_it() {
    let (base, mut head) = impact_revisions("do-renamed/trigger_name_string_changed.txt");
    head.push(("alchemy-ls.toml".into(), "baseline = \"HEAD~1\"\n".into()));
    let (_keep, project) = repo(&base, &head, "");
    let (_, out, _) = check(&project, &["--format", "json"]);
    assert!(rules_of(&out).contains(&"do-renamed".to_string()), "{out}");
    let (_, out, _) = check(&project, &["--baseline", "off", "--format", "json"]);
    assert!(!rules_of(&out).contains(&"do-renamed".to_string()), "{out}");
}

#[test]
fn not_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &impact_revisions("do-renamed/trigger_name_string_changed.txt").1,
    );
    let (code, out, err) = check(dir.path(), &["--baseline", "origin/main"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("is not inside a git repository"), "{err}");
}

#[test]
fn unknown_revision_is_a_clear_error() {
    let (base, head) = impact_revisions("do-renamed/trigger_name_string_changed.txt");
    let (_keep, project) = repo(&base, &head, "");
    let (code, _, err) = check(&project, &["--baseline", "no-such-branch"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("baseline revision \"no-such-branch\" not found"),
        "{err}"
    );
}

#[test]
fn shallow_clone_missing_the_base_is_a_clear_error() {
    let (base, head) = impact_revisions("do-renamed/trigger_name_string_changed.txt");
    let (_keep, project) = repo(&base, &head, "");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", project.display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let c = clone.path().join("c");
    let (code, _, err) = check(&c, &["--baseline", "HEAD~1"]);
    assert_eq!(code, 2);
    assert!(err.contains("shallow"), "{err}");
}

#[test]
fn base_where_the_project_did_not_exist_is_silent() {
    let (_, head) = impact_revisions("do-renamed/trigger_name_string_changed.txt");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    git(&root, &["init", "-q"]);
    std::fs::write(root.join("README.md"), "empty\n").unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "first"]);
    write_files(&root.join("app"), &head);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "project"]);
    let (code, out, err) = check(&root.join("app"), &["--baseline", "HEAD~1", "--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(rules_of(&out).is_empty(), "{out}");
    assert!(err.contains("nothing to compare"), "{err}");
}

#[test]
fn base_with_syntax_errors_does_not_fail() {
    let (mut base, head) = impact_revisions("do-renamed/trigger_name_string_changed.txt");
    for (p, c) in &mut base {
        if p == "src/counter.ts" {
            c.push_str("\nexport const broken = (;\n");
        }
    }
    let (_keep, project) = repo(&base, &head, "");
    let (code, out, err) = check(&project, &["--baseline", "HEAD~1", "--format", "json"]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(rules_of(&out).contains(&"do-renamed".to_string()), "{out}\n{err}");
}

/// A workspace package the base has and the work tree deleted: the baseline still resolves
/// into it (the package list comes from the revision, not from the disk), so the Durable
/// Object it defined, hosted at the base, is reported as deleted.
#[test]
fn a_package_deleted_since_the_base_is_still_read_at_the_base() {
    let file = |p: &str, c: &str| (p.to_string(), c.to_string());
    let shared = vec![
        file(
            "package.json",
            r#"{ "name": "mono", "private": true, "workspaces": ["packages/*", "apps/*"], "dependencies": { "alchemy": "2.0.0-beta.79" } }"#,
        ),
        file(
            "apps/api/package.json",
            r#"{ "name": "@mono/api", "dependencies": { "alchemy": "2.0.0-beta.79", "@mono/objects": "workspace:*" } }"#,
        ),
        file(
            "alchemy.run.ts",
            r#"import * as Alchemy from "alchemy";
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import ApiLive, { Api } from "./apps/api/src/api.ts";

export default Alchemy.Stack(
  "App",
  { state: Cloudflare.state(), providers: Cloudflare.providers() },
  Effect.gen(function* () {
    yield* Api;
  }).pipe(Effect.provide(ApiLive)),
);
"#,
        ),
    ];
    let mut base = shared.clone();
    base.push(file(
        "packages/objects/package.json",
        r#"{ "name": "@mono/objects", "exports": { ".": "./src/index.ts" }, "dependencies": { "alchemy": "2.0.0-beta.79" } }"#,
    ));
    base.push(file(
        "packages/objects/src/index.ts",
        r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";

export class Counter extends Cloudflare.DurableObject<Counter, { get: () => Effect.Effect<number> }>()(
  "Counter",
) {}

export const CounterLive = Counter.make(
  Effect.gen(function* () {
    return Effect.gen(function* () {
      return { get: () => Effect.succeed(1) };
    });
  }),
);
"#,
    ));
    base.push(file(
        "apps/api/src/api.ts",
        r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Counter, CounterLive } from "@mono/objects";

export class Api extends Cloudflare.Worker<Api, {}, Counter>()("Api") {}

export default Api.make(
  { main: import.meta.filename },
  Effect.gen(function* () {
    yield* Counter;
    return {};
  }).pipe(Effect.provide(CounterLive)),
);
"#,
    ));
    let mut head = shared;
    head.push(file(
        "apps/api/src/api.ts",
        r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";

export class Api extends Cloudflare.Worker<Api>()("Api") {}

export default Api.make(
  { main: import.meta.filename },
  Effect.gen(function* () {
    return {};
  }),
);
"#,
    ));
    for commit in [true, false] {
        let (_keep, project) = repo_with(&base, &head, "", commit);
        // (git tracks no directories: the emptied one goes too)
        std::fs::remove_dir_all(project.join("packages")).unwrap();
        let rev = if commit { "HEAD~1" } else { "HEAD" };
        let (_, out, err) = check(&project, &["--baseline", rev, "--format", "json"]);
        assert_eq!(rules_of(&out), ["do-deleted"], "commit={commit}\n{out}\n{err}");
    }
}
