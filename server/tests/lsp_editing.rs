//! Refactors and views over stdio, through the binary: rename of logical ids (with
//! `renamedFrom`, or refused) and of Worker/Durable Object class names across files, fix-all (the same fixes as `check --fix`), suppress quick
//! fixes, inlay hints, `workspace/diagnostic`, Go to Host with its explanation, references
//! with TypeScript's ranges, and the live stack graph (`alchemy/graph`). Positions come from
//! `$0` markers in the fixtures.

mod common;
mod lsp_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::fixture::{Fixture, parse_fixture};
use lsp_support::{Init, TestServer, apply_edits, binary, file_uri, position_at};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

/// A stack with two Workers: WorkerA hosts Counter, WorkerB binds it from WorkerA; the stack
/// yields both (`alchemy` beta.79: `Alchemy.renamedFrom` exists).
const APP: &str = r#"
//- /package.json
{ "name": "app", "type": "module", "dependencies": { "alchemy": "2.0.0-beta.79", "effect": "4.0.0-rc.117" } }
//- /alchemy.run.ts
import * as Alchemy from "alchemy";
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import WorkerALive, { WorkerA } from "./src/workerA.ts";
import WorkerB from "./src/workerB.ts";

export default Alchemy.Stack(
  "App",
  { state: Cloudflare.state(), providers: Cloudflare.providers() },
  Effect.gen(function* () {
    const a = yield* WorkerA;
    const b = yield* WorkerB;
    return { a: a.url.as<string>(), b: b.url.as<string>() };
  }).pipe(Effect.provide(WorkerALive)),
);
//- /src/counter.ts
import type { RuntimeContext } from "alchemy";
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";

export class Counter extends Cloudflare.DurableObjectNamespace<Counter, {
  increment: () => Effect.Effect<number, never, RuntimeContext>;
}>()("Counter") {}

export default Counter.make(
  Effect.gen(function* () {
    return Effect.gen(function* () {
      let n = 0;
      return { increment: () => Effect.sync(() => ++n) };
    });
  }),
);
//- /src/workerA.ts
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import CounterLive, { Counter } from "./counter.ts";

export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()(
  "WorkerA",
  { main: import.meta.filename },
) {}

export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return {
      fetch: Effect.gen(function* () {
        const n = yield* counters.getByName("a").increment();
        return new Response(`A: ${n}`);
      }),
    };
  }).pipe(Effect.provide(CounterLive)),
);
//- /src/api.ts
import * as Cloudflare from "alchemy/Cloudflare";

export class Api extends Cloudflare.Worker<Api>()(
  "Api",
  { main: import.meta.filename },
) {}
//- /src/workerB.ts
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Counter } from "./counter.ts";
import { WorkerA } from "./workerA.ts";

export default class WorkerB extends Cloudflare.Worker<WorkerB>()(
  "WorkerB",
  { main: import.meta.filename },
  Effect.gen(function* () {
    const counters = yield* Counter.from(WorkerA);
    return {
      fetch: Effect.gen(function* () {
        const n = yield* counters.getByName("b").increment();
        return new Response(`B: ${n}`);
      }),
    };
  }),
) {}
"#;

/// A fixture whose text has one `$0`: the files (marker removed), the marked file and the
/// marker's position (line, UTF-16 character).
/// The files of a fixture with its one `$0` removed: (files, the marked file, the position).
fn marked(text: &str) -> (Vec<(String, String)>, String, Value) {
    let mut files = parse_fixture(text);
    let mut at = None;
    for (path, content) in &mut files {
        if let Some(i) = content.find("$0") {
            assert!(at.is_none(), "more than one $0");
            let pos = position_at(content, i);
            content.replace_range(i..i + 2, "");
            at = Some((path.clone(), pos));
        }
    }
    let (path, pos) = at.expect("a $0 marker");
    (files, path, pos)
}

/// `base` with `from` replaced by `to` in file `path` (which must contain it).
fn edit_fixture(base: &str, path: &str, from: &str, to: &str) -> String {
    let files = parse_fixture(base);
    let mut out = String::new();
    for (p, content) in files {
        let content = if p == path {
            assert!(content.contains(from), "{from} in {p}");
            content.replacen(from, to, 1)
        } else {
            content
        };
        out.push_str(&format!("//- /{p}\n{content}"));
    }
    out
}

struct Session {
    fx: Fixture,
    s: TestServer,
    files: Vec<(String, String)>,
    marked: String,
    pos: Value,
}

impl Session {
    fn new(text: &str) -> Session {
        Session::with(text, Init::default())
    }

    /// A session on `files` as they are (no `$0` marker).
    fn with_files(files: Vec<(String, String)>, mut init: Init) -> Session {
        let fx = Fixture::from_files(&files);
        init.folders = vec![fx.root.clone()];
        let mut s = TestServer::spawn();
        s.initialize(init);
        Session {
            fx,
            s,
            files,
            marked: String::new(),
            pos: json!({ "line": 0, "character": 0 }),
        }
    }

    fn with(text: &str, mut init: Init) -> Session {
        let (files, marked, pos) = if text.contains("$0") {
            marked(text)
        } else {
            (
                parse_fixture(text),
                String::new(),
                json!({ "line": 0, "character": 0 }),
            )
        };
        let fx = Fixture::from_files(&files);
        init.folders = vec![fx.root.clone()];
        let mut s = TestServer::spawn();
        s.initialize(init);
        let mut t = Session {
            fx,
            s,
            files,
            marked,
            pos,
        };
        if !t.marked.is_empty() {
            let rel = t.marked.clone();
            t.open(&rel);
        }
        t
    }

    fn uri(&self, rel: &str) -> String {
        file_uri(&self.fx.path(rel))
    }

    fn text(&self, rel: &str) -> String {
        self.files
            .iter()
            .find(|(p, _)| p == rel)
            .map(|(_, c)| c.clone())
            .expect(rel)
    }

    fn open(&mut self, rel: &str) {
        let uri = self.uri(rel);
        let text = self.text(rel);
        self.s.open(&uri, &text);
    }

    /// `textDocument` + `position` at the `$0` marker.
    fn at_marker(&self) -> Value {
        json!({ "textDocument": { "uri": self.uri(&self.marked) }, "position": self.pos })
    }

    /// `textDocument/prepareRename` at the `$0` marker.
    fn prepare_rename(&mut self) -> Result<Value, Value> {
        let params = self.at_marker();
        self.s.request("textDocument/prepareRename", params)
    }

    /// `textDocument/rename` to `new_name` at the `$0` marker.
    fn rename_to(&mut self, new_name: &str) -> Result<Value, Value> {
        let mut params = self.at_marker();
        params["newName"] = json!(new_name);
        self.s.request("textDocument/rename", params)
    }

    /// The texts after applying a WorkspaceEdit's `changes`, by relative path.
    fn applied(&self, edit: &Value) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (uri, edits) in edit["changes"].as_object().expect("changes") {
            let rel = self
                .files
                .iter()
                .map(|(p, _)| p.clone())
                .find(|p| self.uri(p) == *uri)
                .unwrap_or_else(|| panic!("edit of an unknown file {uri}"));
            out.insert(
                rel.clone(),
                apply_edits(&self.text(&rel), edits.as_array().unwrap()),
            );
        }
        out
    }
}

// ------------------------------------------------------------------------------------ rename

#[test]
fn renaming_a_worker_id_adds_renamed_from_on_the_stack_yield() {
    let text = edit_fixture(APP, "src/workerA.ts", "\"WorkerA\",", "\"Work$0erA\",");
    let mut t = Session::new(&text);
    let prep = t.prepare_rename().expect("prepareRename");
    assert_eq!(prep["placeholder"], "WorkerA");
    assert_eq!(
        prep["range"],
        json!({ "start": { "line": 5, "character": 3 }, "end": { "line": 5, "character": 10 } })
    );
    let edit = t.rename_to("Edge").expect("rename");
    let after = t.applied(&edit);
    assert_eq!(after.len(), 2, "{edit:#}");
    assert!(
        after["src/workerA.ts"].contains("  \"Edge\",\n"),
        "{}",
        after["src/workerA.ts"]
    );
    assert!(
        after["alchemy.run.ts"].contains("const a = yield* WorkerA.pipe(Alchemy.renamedFrom(\"WorkerA\"));"),
        "{}",
        after["alchemy.run.ts"]
    );
    t.s.shutdown();
}

#[test]
fn renaming_imports_alchemy_where_the_stack_does_not() {
    let text = edit_fixture(APP, "src/workerA.ts", "\"WorkerA\",", "\"WorkerA$0\",");
    let text = edit_fixture(
        &text,
        "alchemy.run.ts",
        "import * as Alchemy from \"alchemy\";",
        "import { Stack } from \"alchemy\";",
    );
    let text = edit_fixture(
        &text,
        "alchemy.run.ts",
        "export default Alchemy.Stack(",
        "export default Stack(",
    );
    let mut t = Session::new(&text);
    let edit = t.rename_to("Edge").expect("rename");
    let stack = &t.applied(&edit)["alchemy.run.ts"];
    assert!(
        stack.starts_with("import * as Alchemy from \"alchemy\";\nimport { Stack } from \"alchemy\";"),
        "{stack}"
    );
    assert!(
        stack.contains("yield* WorkerA.pipe(Alchemy.renamedFrom(\"WorkerA\"))"),
        "{stack}"
    );
    t.s.shutdown();
}

fn refused(t: &mut Session, new_name: &str) -> String {
    let err = t.prepare_rename().err();
    let rename_err = t.rename_to(new_name).expect_err("rename is refused");
    let message = rename_err["message"].as_str().unwrap_or_default().to_string();
    if let Some(e) = err {
        assert_eq!(
            e["message"], rename_err["message"],
            "prepareRename and rename say the same"
        );
    }
    message
}

#[test]
fn renaming_is_refused_without_renamed_from_in_the_installed_beta() {
    let text = edit_fixture(APP, "package.json", "2.0.0-beta.79", "2.0.0-beta.66");
    let text = edit_fixture(&text, "src/workerA.ts", "\"WorkerA\",", "\"Wor$0kerA\",");
    let mut t = Session::new(&text);
    let msg = refused(&mut t, "Edge");
    assert!(
        msg.contains("beta.66") && msg.contains("renamedFrom (beta.69 and later)"),
        "{msg}"
    );
    t.s.shutdown();
}

#[test]
fn renaming_a_durable_object_name_is_refused_with_the_reason() {
    let text = edit_fixture(APP, "src/counter.ts", "}>()(\"Counter\")", "}>()(\"Cou$0nter\")");
    let mut t = Session::new(&text);
    let msg = refused(&mut t, "Tally");
    assert!(
        msg.contains("new, empty namespace") && msg.contains("cannot be renamed in place"),
        "{msg}"
    );
    t.s.shutdown();
}

#[test]
fn renaming_a_worker_class_renames_every_use_across_files_and_keeps_the_id() {
    let text = edit_fixture(
        APP,
        "src/workerA.ts",
        "export class WorkerA extends",
        "export class Work$0erA extends",
    );
    // a test file that imports no Alchemy package (never analysed) is renamed too
    let text = format!(
        "{text}//- /test/workerA.test.ts\nimport {{ WorkerA as W, WorkerA }} from \"../src/workerA.ts\";\nexport const all = {{ WorkerA, W }};\n"
    );
    let mut t = Session::new(&text);
    let prep = t.prepare_rename().expect("prepareRename");
    assert_eq!(prep["placeholder"], "WorkerA");
    assert_eq!(
        prep["range"],
        json!({ "start": { "line": 4, "character": 13 }, "end": { "line": 4, "character": 20 } })
    );
    let edit = t.rename_to("EdgeWorker").expect("rename");
    let after = t.applied(&edit);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        [
            "alchemy.run.ts",
            "src/workerA.ts",
            "src/workerB.ts",
            "test/workerA.test.ts"
        ],
        "{edit:#}"
    );
    let a = &after["src/workerA.ts"];
    assert!(
        a.contains(
            "export class EdgeWorker extends Cloudflare.Worker<EdgeWorker, {}, Counter>()(\n  \"WorkerA\","
        ) && a.contains("export default EdgeWorker.make("),
        "{a}"
    );
    let b = &after["src/workerB.ts"];
    assert!(
        b.contains("import { EdgeWorker } from \"./workerA.ts\";") && b.contains("Counter.from(EdgeWorker)"),
        "{b}"
    );
    let stack = &after["alchemy.run.ts"];
    assert!(
        stack.contains("import WorkerALive, { EdgeWorker } from")
            && stack.contains("const a = yield* EdgeWorker;"),
        "{stack}"
    );
    assert!(
        !stack.contains("renamedFrom"),
        "a class rename keeps the logical id: {stack}"
    );
    assert_eq!(
        after["test/workerA.test.ts"],
        "import { EdgeWorker as W, EdgeWorker } from \"../src/workerA.ts\";\nexport const all = { WorkerA: EdgeWorker, W };\n"
    );
    t.s.shutdown();
}

#[test]
fn a_class_rename_edits_unsaved_buffers_as_they_are() {
    let text = edit_fixture(
        APP,
        "alchemy.run.ts",
        "const a = yield* WorkerA;",
        "const a = yield* Wor$0kerA;",
    );
    let mut t = Session::new(&text);
    // workerB.ts open with unsaved changes: a line above, a use after non-ASCII text
    let unsaved = t.text("src/workerB.ts").replacen(
        "import { WorkerA } from \"./workerA.ts\";\n",
        "import { WorkerA } from \"./workerA.ts\";\n// ✨ unsaved\nexport const again = /* 🚀 é */ WorkerA;\n",
        1,
    );
    let uri = t.uri("src/workerB.ts");
    t.s.open(&uri, &unsaved);
    let edit = t.rename_to("Edge").expect("rename");
    let b = apply_edits(
        &unsaved,
        edit["changes"][&uri].as_array().expect("workerB.ts edited"),
    );
    assert_eq!(
        b,
        unsaved
            .replace("import { WorkerA }", "import { Edge }")
            .replace("/* 🚀 é */ WorkerA;", "/* 🚀 é */ Edge;")
            .replace("Counter.from(WorkerA)", "Counter.from(Edge)")
    );
    t.s.shutdown();
}

#[test]
fn a_class_rename_to_a_name_in_use_is_refused() {
    let text = edit_fixture(
        APP,
        "src/workerB.ts",
        "Counter.from(WorkerA)",
        "Counter.from(Work$0erA)",
    );
    let mut t = Session::new(&text);
    let err = t.rename_to("Counter").expect_err("refused");
    let msg = err["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("src/workerA.ts already declares or imports Counter"),
        "{msg}"
    );
    let err = t.rename_to("not valid").expect_err("refused");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("is not a valid class name"),
        "{err}"
    );
    t.s.shutdown();
}

#[test]
fn a_class_rename_on_a_shadowing_local_is_not_answered() {
    // a parameter named like the class: not the class, left to TypeScript (no answer, no error)
    let text = edit_fixture(
        APP,
        "src/workerB.ts",
        "Counter.from(WorkerA);",
        "Counter.from(WorkerA);\n    const twice = (WorkerA: number) => Wor$0kerA * 2;",
    );
    let mut t = Session::new(&text);
    let prep = t.prepare_rename();
    assert_eq!(prep, Ok(Value::Null));
    let edit = t.rename_to("Edge");
    assert_eq!(
        edit,
        Ok(Value::Null),
        "no class rename from a shadowing parameter"
    );
    t.s.shutdown();
}

#[test]
fn renaming_to_another_workers_id_is_refused() {
    let text = edit_fixture(APP, "src/workerA.ts", "\"WorkerA\",", "\"$0WorkerA\",");
    let mut t = Session::new(&text);
    let msg = refused(&mut t, "WorkerB");
    assert!(msg.contains("WorkerB already has the id \"WorkerB\""), "{msg}");
    t.s.shutdown();
}

#[test]
fn a_pending_rename_must_be_deployed_first() {
    let text = edit_fixture(
        APP,
        "alchemy.run.ts",
        "const a = yield* WorkerA;",
        "const a = yield* WorkerA.pipe(Alchemy.renamedFrom(\"Old\"));",
    );
    let text = edit_fixture(&text, "src/workerA.ts", "\"WorkerA\",", "\"WorkerA$0\",");
    let mut t = Session::new(&text);
    let msg = refused(&mut t, "Edge");
    assert!(
        msg.contains("already carries Alchemy.renamedFrom(\"Old\")"),
        "{msg}"
    );
    t.s.shutdown();
}

// ----------------------------------------------------------------------- fix-all, suppress

fn run_cli(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(binary())
        .args(args)
        .current_dir(root)
        .output()
        .expect("run alchemy-ls");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The rule fixtures (`tests/fixtures/rules*/**.txt`).
fn rule_fixtures() -> Vec<std::path::PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    let mut stack = vec![base];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "txt")
                && p.strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"))
                    .is_ok_and(|r| r.to_string_lossy().starts_with("rules"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Fix-all in the editor applies what `check --fix` applies: on every rule fixture with a
/// safe fix, requesting `source.fixAll.alchemy-ls` in each file until it offers nothing gives
/// the texts `check --fix` writes.
#[test]
fn fix_all_gives_what_check_fix_gives_on_every_fixture_with_a_safe_fix() {
    let mut compared = 0;
    for case in rule_fixtures() {
        let files = parse_fixture(&std::fs::read_to_string(&case).unwrap());
        let cli = Fixture::from_files(&files);
        let (_, json_out, _) = run_cli(&cli.root, &["check", ".", "--format", "json"]);
        let report: Value = serde_json::from_str(&json_out).unwrap_or(Value::Null);
        let has_safe = report["diagnostics"].as_array().is_some_and(|ds| {
            ds.iter().any(|d| {
                d["fixes"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|f| f["safe"] == true))
            })
        });
        if !has_safe {
            continue;
        }
        run_cli(&cli.root, &["check", ".", "--fix"]);
        let mut t = Session::with_files(files.clone(), Init::default());
        let mut texts: BTreeMap<String, String> = t.files.iter().cloned().collect();
        let mut versions: BTreeMap<String, i32> = BTreeMap::new();
        for rel in texts
            .keys()
            .filter(|p| p.ends_with(".ts") || p.ends_with(".tsx"))
            .cloned()
            .collect::<Vec<_>>()
        {
            let uri = t.uri(&rel);
            t.s.open(&uri, &texts[&rel]);
            versions.insert(rel, 1);
        }
        for round in 0..10 {
            let mut applied = false;
            for rel in versions.keys().cloned().collect::<Vec<_>>() {
                t.s.quiesce();
                let uri = t.uri(&rel);
                // VS Code's "Fix all auto-fixable problems" asks for `source.fixAll`; the
                // settings' codeActionsOnSave for the server's own kind
                let only = if round % 2 == 0 {
                    "source.fixAll"
                } else {
                    "source.fixAll.alchemy-ls"
                };
                let actions = t
                    .s
                    .request(
                        "textDocument/codeAction",
                        json!({
                            "textDocument": { "uri": uri },
                            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                            "context": { "diagnostics": [], "only": [only] },
                        }),
                    )
                    .expect("codeAction");
                let Some(action) = actions.as_array().and_then(|a| a.first()) else {
                    continue;
                };
                assert_eq!(action["kind"], "source.fixAll.alchemy-ls", "{action}");
                for (u, edits) in action["edit"]["changes"].as_object().unwrap() {
                    let target = versions
                        .keys()
                        .find(|p| t.uri(p) == *u)
                        .cloned()
                        .expect("an edit of an open file");
                    let new = apply_edits(&texts[&target], edits.as_array().unwrap());
                    let v = versions.get_mut(&target).unwrap();
                    *v += 1;
                    let turi = t.uri(&target);
                    let lines = texts[&target].lines().count() as u32 + 1;
                    t.s.change(&turi, *v, [0, 0, lines, 0], &new);
                    texts.insert(target, new);
                    applied = true;
                }
            }
            if !applied {
                break;
            }
            assert!(round < 9, "{}: fix-all does not converge", case.display());
        }
        for (rel, text) in &texts {
            let written = std::fs::read_to_string(cli.path(rel)).unwrap();
            assert_eq!(
                text,
                &written,
                "{}: {rel} after fix-all differs from check --fix",
                case.display()
            );
        }
        compared += 1;
        t.s.shutdown();
    }
    assert!(compared >= 3, "only {compared} fixtures with safe fixes");
}

fn code_actions_at(t: &mut Session, rel: &str, range: &Value, only: Option<&str>) -> Vec<Value> {
    let uri = t.uri(rel);
    let mut context = json!({ "diagnostics": [] });
    if let Some(k) = only {
        context["only"] = json!([k]);
    }
    t.s.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": range, "context": context }),
    )
    .expect("codeAction")
    .as_array()
    .cloned()
    .unwrap_or_default()
}

/// `Counter.from(Api)` in WorkerB: from-non-host.
fn wrong_host() -> String {
    edit_fixture(
        APP,
        "src/workerB.ts",
        "Counter.from(WorkerA);",
        "Counter.from(Api);",
    )
    .replace(
        "import { WorkerA } from \"./workerA.ts\";",
        "import { Api } from \"./api.ts\";",
    )
}

#[test]
fn every_diagnostic_can_be_suppressed_on_its_line_or_in_its_file() {
    for (which, comment) in [
        (
            "on this line",
            "    // alchemy-ls-disable-next-line from-non-host\n",
        ),
        ("in this file", "// alchemy-ls-disable from-non-host\n"),
    ] {
        let mut t = Session::new(&wrong_host());
        t.open("src/workerB.ts");
        let uri = t.uri("src/workerB.ts");
        let diags =
            t.s.wait_for_diagnostics(&uri, |d| d.iter().any(|d| d["code"] == "from-non-host"), WAIT);
        let d = diags
            .iter()
            .find(|d| d["code"] == "from-non-host")
            .unwrap()
            .clone();
        let actions = code_actions_at(&mut t, "src/workerB.ts", &d["range"], Some("quickfix"));
        let title = format!("Suppress from-non-host {which}");
        let action = actions
            .iter()
            .find(|a| a["title"] == title.as_str())
            .unwrap_or_else(|| panic!("no `{title}` in {actions:#?}"));
        assert_eq!(action["kind"], "quickfix");
        let after = t.applied(&action["edit"]);
        let text = &after["src/workerB.ts"];
        assert!(text.contains(comment), "{text}");
        let lines = t.text("src/workerB.ts").lines().count() as u32 + 1;
        t.s.change(&uri, 2, [0, 0, lines, 0], text);
        t.s.wait_for_diagnostics(&uri, |d| !d.iter().any(|d| d["code"] == "from-non-host"), WAIT);
        t.s.shutdown();
    }
}

#[test]
fn a_second_suppression_extends_the_comment_above() {
    let text = wrong_host().replace(
        "    const counters = yield* Counter.from(Api);",
        "    // alchemy-ls-disable-next-line duplicate-host\n    const counters = yield* Counter.from(Api);",
    );
    let mut t = Session::new(&text);
    t.open("src/workerB.ts");
    let uri = t.uri("src/workerB.ts");
    let diags =
        t.s.wait_for_diagnostics(&uri, |d| d.iter().any(|d| d["code"] == "from-non-host"), WAIT);
    let d = diags
        .iter()
        .find(|d| d["code"] == "from-non-host")
        .unwrap()
        .clone();
    let actions = code_actions_at(&mut t, "src/workerB.ts", &d["range"], None);
    let action = actions
        .iter()
        .find(|a| a["title"] == "Suppress from-non-host on this line")
        .unwrap();
    let text = &t.applied(&action["edit"])["src/workerB.ts"];
    assert!(
        text.contains(
            "    // alchemy-ls-disable-next-line duplicate-host, from-non-host\n    const counters"
        ),
        "{text}"
    );
    t.s.shutdown();
}

#[test]
fn fix_all_is_offered_only_as_a_source_action_and_only_with_safe_fixes() {
    let mut t = Session::new(&wrong_host());
    t.open("src/workerB.ts");
    t.s.quiesce();
    let everything = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 30, "character": 0 } });
    // from-non-host's fixes are not safe: nothing to fix all
    assert!(code_actions_at(&mut t, "src/workerB.ts", &everything, Some("source.fixAll")).is_empty());
    let quick = code_actions_at(&mut t, "src/workerB.ts", &everything, None);
    assert!(quick.iter().all(|a| a["kind"] == "quickfix"), "{quick:#?}");
    t.s.shutdown();
}

// -------------------------------------------------------------------------------- inlay hints

fn hints(t: &mut Session, rel: &str) -> Vec<(u32, u32, String)> {
    let uri = t.uri(rel);
    let r = t
        .s
        .request(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 200, "character": 0 } } }),
        )
        .expect("inlayHint");
    r.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|h| {
            let label = match &h["label"] {
                Value::String(s) => s.clone(),
                Value::Array(parts) => parts
                    .iter()
                    .map(|p| p["value"].as_str().unwrap_or_default())
                    .collect(),
                _ => String::new(),
            };
            (
                h["position"]["line"].as_u64().unwrap() as u32,
                h["position"]["character"].as_u64().unwrap() as u32,
                label,
            )
        })
        .collect()
}

#[test]
fn inlay_hints_show_the_binding_after_from() {
    let mut t = Session::new(APP);
    t.open("src/workerB.ts");
    t.s.quiesce();
    let h = hints(&mut t, "src/workerB.ts");
    // `    const counters = yield* Counter.from(WorkerA);` is line 9; the call ends at 49
    assert_eq!(h, vec![(9, 49, "→ WorkerA · Counter namespace".to_string())]);
    t.s.shutdown();

    let mut t = Session::new(&wrong_host());
    t.open("src/workerB.ts");
    t.s.quiesce();
    assert_eq!(
        hints(&mut t, "src/workerB.ts"),
        vec![(9, 45, "→ Api · Counter namespace (not hosted there)".to_string())]
    );
    t.s.shutdown();
}

#[test]
fn hosted_here_and_stack_hints_follow_the_settings() {
    // By default: no "hosted here" (noisy); the stack's Workers pulled in are shown.
    let only_b = edit_fixture(APP, "alchemy.run.ts", "    const a = yield* WorkerA;\n", "");
    let only_b = only_b.replace(
        "return { a: a.url.as<string>(), b: b.url.as<string>() };",
        "return { b: b.url.as<string>() };",
    );
    let mut t = Session::new(&only_b);
    t.open("src/workerA.ts");
    t.open("alchemy.run.ts");
    t.s.quiesce();
    assert_eq!(hints(&mut t, "src/workerA.ts"), vec![]);
    let stack = hints(&mut t, "alchemy.run.ts");
    assert_eq!(stack, vec![(10, 28, "+ WorkerA".to_string())], "{stack:?}");
    t.s.shutdown();

    let init = Init {
        initialization_options: Some(
            json!({ "inlayHints": { "hostedHere": true, "stackWorkers": false, "fromBinding": false } }),
        ),
        ..Default::default()
    };
    let mut t = Session::with(&only_b, init);
    t.open("src/workerA.ts");
    t.open("alchemy.run.ts");
    t.open("src/workerB.ts");
    t.s.quiesce();
    // `    const counters = yield* Counter;` is line 11; `Counter` ends at 35
    assert_eq!(
        hints(&mut t, "src/workerA.ts"),
        vec![(11, 35, "hosted here".to_string())]
    );
    assert_eq!(hints(&mut t, "alchemy.run.ts"), vec![]);
    assert_eq!(hints(&mut t, "src/workerB.ts"), vec![]);
    t.s.shutdown();
}

// --------------------------------------------------------------------- workspace/diagnostic

#[test]
fn workspace_diagnostic_reports_every_file_and_unchanged_ones_by_result_id() {
    let init = Init {
        pull_diagnostics: true,
        ..Default::default()
    };
    let mut t = Session::with(&wrong_host(), init);
    let caps = t.s.request("alchemy/debugQuiescent", json!({ "token": 0 }));
    assert!(caps.is_ok());
    let first =
        t.s.request("workspace/diagnostic", json!({ "previousResultIds": [] }))
            .expect("workspace/diagnostic");
    let items = first["items"].as_array().expect("items").clone();
    let b = t.uri("src/workerB.ts");
    let report = items
        .iter()
        .find(|r| r["uri"] == b.as_str())
        .unwrap_or_else(|| panic!("no report for workerB: {first:#}"));
    assert_eq!(report["kind"], "full");
    assert!(
        report["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "from-non-host"),
        "{report:#}"
    );
    let previous: Vec<Value> = items
        .iter()
        .map(|r| json!({ "uri": r["uri"], "value": r["resultId"] }))
        .collect();
    let second =
        t.s.request("workspace/diagnostic", json!({ "previousResultIds": previous }))
            .expect("workspace/diagnostic");
    for r in second["items"].as_array().unwrap() {
        assert_eq!(r["kind"], "unchanged", "{r:#}");
    }
    t.s.shutdown();
}

// ------------------------------------------------------------------------------ Go to Host

fn go_to_host(t: &mut Session) -> Value {
    t.s.request("alchemy/goToHost", t.at_marker())
        .expect("alchemy/goToHost")
}

#[test]
fn go_to_host_on_a_wrong_from_says_what_is_wrong_and_offers_the_real_host() {
    let text = wrong_host().replace("Counter.from(Api)", "Counter.from(A$0pi)");
    let mut t = Session::new(&text);
    let r = go_to_host(&mut t);
    let message = r["message"].as_str().expect("a message");
    assert!(
        message.contains("Counter") && message.contains("WorkerA"),
        "{message}"
    );
    let hosts = r["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 1, "{r:#}");
    assert_eq!(hosts[0]["name"], "WorkerA");
    assert_eq!(hosts[0]["location"]["uri"], t.uri("src/workerA.ts"));
    assert_eq!(r["named"]["name"], "Api");
    assert_eq!(r["named"]["location"]["uri"], t.uri("src/api.ts"));
    // Go to Implementation and alchemy/hosts lead to the real host, not to Api.
    let imp =
        t.s.request("textDocument/implementation", t.at_marker())
            .expect("implementation");
    assert_eq!(imp.as_array().unwrap().len(), 1, "{imp:#}");
    assert_eq!(imp[0]["uri"], t.uri("src/workerA.ts"));
    let hosts =
        t.s.request("alchemy/hosts", t.at_marker())
            .expect("alchemy/hosts");
    assert_eq!(hosts, imp);
    t.s.shutdown();
}

#[test]
fn go_to_host_says_when_nothing_hosts_the_resource() {
    let text = format!(
        "{APP}//- /src/lonely.ts\nimport * as Cloudflare from \"alchemy/Cloudflare\";\n\nexport class Lo$0nely extends Cloudflare.DurableObjectNamespace<Lonely>()(\"Lonely\") {{}}\n"
    );
    let mut t = Session::new(&text);
    let r = go_to_host(&mut t);
    assert_eq!(r["hosts"], json!([]));
    let message = r["message"].as_str().expect("a message");
    assert!(message.starts_with("No Worker hosts Lonely"), "{message}");
    t.s.shutdown();
}

#[test]
fn go_to_host_on_a_valid_from_goes_to_the_named_host_without_a_message() {
    let text = edit_fixture(
        APP,
        "src/workerB.ts",
        "Counter.from(WorkerA)",
        "Counter.from(Work$0erA)",
    );
    let mut t = Session::new(&text);
    let r = go_to_host(&mut t);
    assert!(r["message"].is_null(), "{r:#}");
    assert_eq!(r["hosts"][0]["name"], "WorkerA");
    t.s.shutdown();
}

// ------------------------------------------------------------------------------ references

#[test]
fn references_use_typescripts_ranges_and_include_the_hosts_yield() {
    let text = edit_fixture(
        APP,
        "src/counter.ts",
        "export class Counter",
        "export class Cou$0nter",
    );
    let mut t = Session::new(&text);
    let mut params = t.at_marker();
    params["context"] = json!({ "includeDeclaration": false });
    let refs =
        t.s.request("textDocument/references", params)
            .expect("references");
    let got: Vec<(String, u32, u32, u32)> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let rel = l["uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            let r = &l["range"];
            assert_eq!(r["start"]["line"], r["end"]["line"]);
            (
                rel,
                r["start"]["line"].as_u64().unwrap() as u32,
                r["start"]["character"].as_u64().unwrap() as u32,
                r["end"]["character"].as_u64().unwrap() as u32,
            )
        })
        .collect();
    // every range is the name `Counter` (as TypeScript's references are), or the Live
    for (rel, line, start, end) in &got {
        let line_text = t
            .text(&format!("src/{rel}"))
            .lines()
            .nth(*line as usize)
            .unwrap()
            .to_string();
        let word = &line_text[*start as usize..*end as usize];
        assert!(
            word == "Counter" || word == "CounterLive",
            "{rel}:{line}: {word:?} in {line_text:?}"
        );
    }
    // WorkerA's own `yield* Counter` (line 11) and WorkerB's `Counter.from(WorkerA)` (line 9)
    assert!(got.contains(&("workerA.ts".to_string(), 11, 28, 35)), "{got:?}");
    assert!(got.contains(&("workerB.ts".to_string(), 9, 28, 35)), "{got:?}");
    t.s.shutdown();
}

// ------------------------------------------------------------------------------ stack graph

fn graph(t: &mut Session) -> Value {
    t.s.request("alchemy/graph", json!({})).expect("alchemy/graph")
}

fn edge<'g>(g: &'g Value, kind: &str, from: &str, to: &str) -> Option<&'g Value> {
    g["edges"].as_array().unwrap().iter().find(|e| {
        e["kind"] == kind
            && e["from"].as_str().unwrap().ends_with(from)
            && e["to"].as_str().unwrap().ends_with(to)
    })
}

#[test]
fn the_graph_follows_unsaved_buffers_and_marks_wrong_relations() {
    let mut t = Session::new(APP);
    let g = graph(&mut t);
    let nodes = g["nodes"].as_array().unwrap();
    let a = nodes
        .iter()
        .find(|n| n["id"] == "src/workerA.ts#WorkerA")
        .expect("WorkerA");
    assert_eq!(a["kind"], "worker");
    assert_eq!(a["label"], "Worker");
    assert_eq!(a["location"]["uri"], t.uri("src/workerA.ts"));
    assert_eq!(
        a["location"]["range"]["start"],
        json!({ "line": 4, "character": 13 })
    );
    assert_eq!(a["stacks"], json!(["alchemy.run.ts#default"]));
    let counter = nodes
        .iter()
        .find(|n| n["id"] == "src/counter.ts#Counter")
        .expect("Counter");
    assert_eq!(
        counter["stacks"],
        json!(["alchemy.run.ts#default"]),
        "hosted by a deployed Worker"
    );
    let api = nodes.iter().find(|n| n["id"] == "src/api.ts#Api").expect("Api");
    assert_eq!(api["stacks"], json!([]), "no stack deploys Api");
    let binds = edge(&g, "binds", "#WorkerB", "#Counter").expect("WorkerB binds Counter");
    assert_eq!(binds["problems"], json!([]));
    assert_eq!(binds["location"]["uri"], t.uri("src/workerB.ts"));
    assert_eq!(binds["location"]["range"]["start"]["line"], 9);

    // An unsaved edit: WorkerB binds Counter from Api.
    let uri = t.uri("src/workerB.ts");
    let text = t.text("src/workerB.ts");
    t.s.open(&uri, &text);
    let wrong = text
        .replace("Counter.from(WorkerA)", "Counter.from(Api)")
        .replace(
            "import { WorkerA } from \"./workerA.ts\";",
            "import { Api } from \"./api.ts\";",
        );
    let lines = text.lines().count() as u32 + 1;
    t.s.change(&uri, 2, [0, 0, lines, 0], &wrong);
    let g = graph(&mut t);
    let binds = edge(&g, "binds", "#WorkerB", "#Counter").expect("WorkerB binds Counter");
    assert_eq!(binds["via"], "src/api.ts#Api");
    let problems = binds["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{binds:#}");
    assert_eq!(problems[0]["rule"], "from-non-host");
    assert_eq!(problems[0]["severity"], "error");
    assert!(problems[0]["message"].as_str().unwrap().contains("WorkerA"));
    // … and back
    t.s.change(&uri, 3, [0, 0, lines + 2, 0], &text);
    let g = graph(&mut t);
    assert_eq!(
        edge(&g, "binds", "#WorkerB", "#Counter").unwrap()["problems"],
        json!([])
    );
    t.s.shutdown();
}

#[test]
fn the_graph_exports_what_alchemy_ls_graph_prints() {
    let mut t = Session::new(APP);
    for format in ["mermaid", "dot", "json"] {
        let text =
            t.s.request("alchemy/graph", json!({ "format": format }))
                .expect("export");
        let (code, cli, err) = run_cli(&t.fx.root, &["graph", ".", "--format", format]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(text.as_str().expect("a string"), cli, "{format}");
    }
    t.s.shutdown();
}
