//! Hostile workspaces through the real binary: `alchemy-ls check` and the language server on
//! invalid UTF-8, NUL bytes, a 5 MB file, 10,000-deep nesting, CRLF / lone CR / BOM, symlink
//! loops and links out of the workspace, unreadable and vanishing files, broken JSON configs;
//! the CLI's output on a large workspace; and the promise that nothing in the workspace is
//! ever written. See docs/reliability.md.

mod common;
mod lsp_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::fixture::Fixture;
use lsp_support::{Init, TestServer, file_uri};
use serde_json::{Value, json};

// ------------------------------------------------------------------------------ helpers

struct Run {
    code: i32,
    out: String,
    err: String,
    elapsed: Duration,
}

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alchemy-ls"));
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// Run the binary with a deadline (a hang is a failure, not a stuck test run).
fn run_cmd(mut cmd: Command, limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run alchemy-ls");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut s).unwrap();
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut s).unwrap();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("alchemy-ls did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let out = String::from_utf8(out_t.join().unwrap()).expect("stdout is UTF-8");
    let err = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
    // A signal (stack overflow, abort) has no code.
    let code = status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {status:?}\nstderr:\n{err}"));
    Run {
        code,
        out,
        err,
        elapsed,
    }
}

fn check(dir: &Path, extra: &[&str]) -> Run {
    let mut cmd = bin();
    cmd.arg("check").arg(dir).args(extra).current_dir(dir);
    run_cmd(cmd, Duration::from_secs(120))
}

/// `check --format json`; asserts the documented exit codes and a parseable report.
fn check_json(dir: &Path) -> (Run, Value) {
    let run = check(dir, &["--format", "json"]);
    assert!(
        run.code == 0 || run.code == 1,
        "exit code {} (expected 0 or 1)\nstderr:\n{}",
        run.code,
        run.err
    );
    let v: Value = serde_json::from_str(&run.out)
        .unwrap_or_else(|e| panic!("JSON output does not parse: {e}\n{}", run.out));
    let errors = v["summary"]["errors"].as_u64().unwrap();
    assert_eq!(
        run.code,
        i32::from(errors > 0),
        "exit code follows the error count"
    );
    (run, v)
}

/// (rule, path, line, column, endLine, endColumn, message) of every diagnostic.
fn diag_keys(v: &Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}:{}-{}:{} {}",
                d["rule"], d["path"], d["line"], d["column"], d["endLine"], d["endColumn"], d["message"]
            )
        })
        .collect()
}

fn examples_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

/// A copy of `examples/<name>` in a temporary directory.
fn example(name: &str) -> Fixture {
    let mut files = Vec::new();
    collect(&examples_dir(name), &examples_dir(name), &mut files);
    Fixture::from_files(&files)
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(base, &p, out);
        } else {
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

fn ts_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(ts_files(&p));
        } else if p.extension().is_some_and(|x| x == "ts") {
            out.push(p);
        }
    }
    out.sort();
    out
}

const ALCHEMY_IMPORT: &str =
    "import * as Cloudflare from \"alchemy/Cloudflare\";\nimport * as Effect from \"effect/Effect\";\n";

/// Files nested 10,000 levels deep, each importing Alchemy so that the analysis runs on them.
fn deep_files() -> Vec<(String, String)> {
    const N: usize = 10_000;
    let shapes = [
        (
            "parens",
            format!("const a = {}x{};", "(".repeat(N), ")".repeat(N)),
        ),
        (
            "calls",
            format!("const a = {}x{};", "f(".repeat(N), ")".repeat(N)),
        ),
        ("arrays", format!("const a = {}{};", "[".repeat(N), "]".repeat(N))),
        (
            "objects",
            format!("const a = {}1{};", "{a: ".repeat(N), "}".repeat(N)),
        ),
        ("arrows", format!("const a = {}1;", "() => ".repeat(N))),
        ("members", format!("const a = Effect{};", ".y".repeat(N))),
        ("binary", format!("const a = 1{};", " + 1".repeat(N))),
        (
            "blocks",
            format!("function f() {{ {}{} }}", "{".repeat(N), "}".repeat(N)),
        ),
        (
            "pipes",
            format!(
                "export default Effect.gen(function* () {{}}){};",
                ".pipe(Effect.provide(L))".repeat(N)
            ),
        ),
        (
            "gens",
            format!(
                "export default {}1{};",
                "Effect.gen(function* () { return ".repeat(N),
                "; })".repeat(N)
            ),
        ),
        ("from", format!("const c = {}", "Counter.from(".repeat(N))),
        ("union", format!("type T = A{};", " | A".repeat(N))),
        (
            "worker_in_worker",
            format!(
                "export class W extends Cloudflare.Worker<W>()(\"W\", {{ main: {}x{} }}) {{}}",
                "g(".repeat(N),
                ")".repeat(N)
            ),
        ),
    ];
    shapes
        .into_iter()
        .map(|(name, body)| (format!("src/deep_{name}.ts"), format!("{ALCHEMY_IMPORT}{body}\n")))
        .collect()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe extern "C" {
        fn geteuid() -> u32;
    }
    unsafe { geteuid() == 0 }
}

// ------------------------------------------------------------------------------ the CLI

#[test]
fn cli_invalid_utf8_and_nul_bytes() {
    let fx = example("cross-worker");
    let (_, clean) = check_json(&fx.root);
    std::fs::write(
        fx.path("src/bad.ts"),
        [
            ALCHEMY_IMPORT.as_bytes(),
            b"const s = \"\xff\xfe\xc3\x28\";\n\0\0export const n = 1;\0\n",
            b"export class X extends Cloudflare.Worker<X>()(\"X\\0\", { main: import.meta.filename }) {}\n",
        ]
        .concat(),
    )
    .unwrap();
    let (run, v) = check_json(&fx.root);
    assert!(
        run.err.contains("bad.ts") && run.err.contains("not valid UTF-8"),
        "the invalid file is reported: {}",
        run.err
    );
    // The other files are analysed as before; the bad one is analysed too (lossily).
    assert_eq!(
        v["summary"]["files"].as_u64().unwrap(),
        clean["summary"]["files"].as_u64().unwrap() + 1
    );
}

#[test]
fn cli_five_megabyte_file_is_fast_and_reported() {
    let fx = example("cross-worker");
    let mut big = String::from(ALCHEMY_IMPORT);
    let mut i = 0;
    while big.len() < 5 * 1024 * 1024 {
        big.push_str(&format!(
            "export class W{i} extends Cloudflare.Worker<W{i}>()(\"W{i}\", {{ main: import.meta.filename }}) {{}}\n"
        ));
        i += 1;
    }
    std::fs::write(fx.path("src/big.ts"), &big).unwrap();
    let (run, _) = check_json(&fx.root);
    // Debug build, two shared cores: generous, but a parse of 5 MB would take far longer.
    assert!(run.elapsed < Duration::from_secs(20), "took {:?}", run.elapsed);
    // A file over the parse limit is reported like the other problems, not skipped silently
    // (docs/reliability.md, finding 4).
    assert!(
        run.err.contains("big.ts") && (run.err.contains("too large") || run.err.contains("larger than")),
        "the skipped file is not mentioned: {:?}",
        run.err
    );
}

#[test]
fn cli_ten_thousand_levels_of_nesting() {
    let fx = Fixture::from_files(&deep_files());
    let (run, v) = check_json(&fx.root);
    assert_eq!(
        v["summary"]["files"].as_u64().unwrap() as usize,
        deep_files().len(),
        "{}",
        run.err
    );
    // Not only no crash: no quadratic blow-up either (a 10,000-long `.pipe(…)` chain took
    // about two minutes before the query match limit; debug build, shared cores).
    assert!(run.elapsed < Duration::from_secs(30), "took {:?}", run.elapsed);
    // Also with every other format (each renders positions of whatever was found).
    for format in ["human", "github", "sarif", "compact"] {
        let r = check(&fx.root, &["--format", format]);
        assert!(r.code == 0 || r.code == 1, "{format}: {}\n{}", r.code, r.err);
    }
    let mut graph = bin();
    graph.arg("graph").arg(&fx.root);
    let r = run_cmd(graph, Duration::from_secs(120));
    assert_eq!(r.code, 0, "graph: {}", r.err);
}

#[test]
fn cli_crlf_lone_cr_and_bom_give_the_same_diagnostics() {
    let fx = example("broken");
    let (_, lf) = check_json(&fx.root);
    let expected = diag_keys(&lf);
    assert!(expected.len() >= 3, "examples/broken has findings: {expected:#?}");
    let originals: Vec<(PathBuf, String)> = ts_files(&fx.root)
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect();
    type Variant = (&'static str, fn(&str) -> String);
    let variants: [Variant; 3] = [
        ("crlf", |t| t.replace('\n', "\r\n")),
        ("lone cr", |t| t.replace('\n', "\r")),
        ("bom", |t| format!("\u{FEFF}{t}")),
    ];
    for (name, f) in variants {
        for (p, t) in &originals {
            std::fs::write(p, f(t)).unwrap();
        }
        let (_, v) = check_json(&fx.root);
        assert_eq!(diag_keys(&v), expected, "{name}");
        // Fix edits stay applicable: same number, same places.
        let fixes = |v: &Value| -> Vec<String> {
            v["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|d| d["fixes"].as_array().unwrap().iter())
                .flat_map(|f| f["edits"].as_array().unwrap().iter())
                .map(|e| {
                    format!(
                        "{}:{}:{}-{}:{}",
                        e["path"], e["line"], e["column"], e["endLine"], e["endColumn"]
                    )
                })
                .collect()
        };
        assert_eq!(fixes(&v), fixes(&lf), "{name}: fix positions");
    }
}

#[cfg(unix)]
#[test]
fn cli_symlink_loop_and_links_out_of_the_workspace() {
    use std::os::unix::fs::symlink;
    let fx = example("cross-worker");
    let (_, clean) = check_json(&fx.root);
    // Outside: a broken stack that would be reported if it were read.
    let outside = example("broken");
    symlink(fx.path("src"), fx.path("src/loop")).unwrap();
    symlink(&fx.root, fx.path("src/up")).unwrap();
    symlink(&outside.root, fx.path("outside")).unwrap();
    symlink(outside.path("src/api.ts"), fx.path("src/api.ts")).unwrap();
    symlink(fx.path("src/nowhere.ts"), fx.path("src/dangling.ts")).unwrap();
    let (run, v) = check_json(&fx.root);
    assert_eq!(diag_keys(&v), diag_keys(&clean), "{}", run.err);
    assert_eq!(v["summary"]["files"], clean["summary"]["files"]);
}

#[cfg(unix)]
#[test]
fn cli_unreadable_file_is_a_warning_not_a_failure() {
    use std::os::unix::fs::PermissionsExt;
    let fx = example("cross-worker");
    let locked = fx.path("src/locked.ts");
    std::fs::write(&locked, format!("{ALCHEMY_IMPORT}export const x = 1;\n")).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut cmd = bin();
    if is_root() {
        // Root reads anything: run the check as `nobody` instead, if that is possible here.
        let setpriv = Path::new("/usr/bin/setpriv");
        if !setpriv.exists() {
            eprintln!("SKIPPED: running as root and setpriv is missing; chmod 000 denies nothing to root");
            return;
        }
        // `nobody` must be able to reach the binary and the fixture.
        let mut dirs: Vec<PathBuf> = fx.root.ancestors().map(Path::to_path_buf).collect();
        dirs.extend(fx.root.join("src").ancestors().take(1).map(Path::to_path_buf));
        for d in &dirs {
            if d.starts_with(&fx.root) {
                std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        for f in ts_files(&fx.root)
            .into_iter()
            .chain([fx.path("package.json"), fx.path("tsconfig.json")])
        {
            if f != locked {
                std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
        }
        let probe = Command::new(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_alchemy-ls"))
            .arg("--version")
            .output();
        match probe {
            Ok(o) if o.status.success() => {}
            _ => {
                eprintln!("SKIPPED: running as root and `nobody` cannot run the binary here");
                return;
            }
        }
        cmd = Command::new(setpriv);
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_alchemy-ls"))
            .env("NO_COLOR", "1");
    }
    cmd.arg("check")
        .arg(&fx.root)
        .args(["--format", "json"])
        .current_dir(&fx.root);
    let run = run_cmd(cmd, Duration::from_secs(120));
    assert!(run.code == 0 || run.code == 1, "{}: {}", run.code, run.err);
    assert!(
        run.err.contains("locked.ts") && run.err.contains("permission denied"),
        "{}",
        run.err
    );
    let v: Value = serde_json::from_str(&run.out).unwrap();
    assert!(v["summary"]["files"].as_u64().unwrap() >= 4, "{v}");
}

#[test]
fn cli_broken_package_json_and_tsconfig_are_reported_not_fatal() {
    let fx = example("cross-worker");
    let (_, clean) = check_json(&fx.root);
    std::fs::write(
        fx.path("package.json"),
        "{ \"name\": \"x\", \"dependencies\": { \"alchemy\": ",
    )
    .unwrap();
    std::fs::write(
        fx.path("tsconfig.json"),
        "{ \"compilerOptions\": { \"paths\": [ } \u{0}",
    )
    .unwrap();
    let (run, v) = check_json(&fx.root);
    assert!(run.err.contains("package.json"), "{}", run.err);
    assert!(run.err.contains("tsconfig.json"), "{}", run.err);
    assert_eq!(v["summary"]["files"], clean["summary"]["files"], "{}", run.err);
}

#[test]
fn cli_large_workspace_output_is_complete_in_every_format() {
    // 300 files, each with exactly one invalid-export-name finding (and one other),
    // analysed in parallel: nothing may be lost, truncated or interleaved.
    const N: usize = 300;
    let mut files = vec![("package.json".to_string(), "{ \"name\": \"many\" }\n".to_string())];
    for i in 0..N {
        files.push((
            format!("src/m{i:03}.ts"),
            format!(
                "{ALCHEMY_IMPORT}export class C{i} extends Cloudflare.DurableObjectNamespace<C{i}>()(\"bad-name-{i:03}\") {{}}\n"
            ),
        ));
    }
    let fx = Fixture::from_files(&files);
    let (run, v) = check_json(&fx.root);
    let diags = v["diagnostics"].as_array().unwrap();
    let unresolved: Vec<&Value> = diags
        .iter()
        .filter(|d| d["rule"] == "invalid-export-name")
        .collect();
    assert_eq!(unresolved.len(), N, "{}", run.err);
    assert_eq!(v["summary"]["files"].as_u64().unwrap() as usize, N);
    let mut paths: Vec<&str> = unresolved.iter().map(|d| d["path"].as_str().unwrap()).collect();
    paths.dedup();
    assert_eq!(paths.len(), N, "one per file, sorted");
    let total = diags.len();
    // github: one annotation line per diagnostic.
    let gh = check(&fx.root, &["--format", "github"]);
    let lines = gh.out.lines().filter(|l| l.starts_with("::")).count();
    assert_eq!(lines, total, "{}", gh.out);
    // sarif: one result per diagnostic, and it parses.
    let sarif = check(&fx.root, &["--format", "sarif"]);
    let s: Value = serde_json::from_str(&sarif.out).expect("SARIF parses");
    assert_eq!(s["runs"][0]["results"].as_array().unwrap().len(), total);
    // compact: one line per diagnostic.
    let compact = check(&fx.root, &["--format", "compact"]);
    assert_eq!(compact.out.lines().count(), total, "{}", compact.out);
    let lines = compact
        .out
        .lines()
        .filter(|l| l.contains("[invalid-export-name]"))
        .count();
    assert_eq!(lines, N, "{}", compact.out);
}

// ------------------------------------------------------------------------------ the server

fn uri(fx: &Fixture, rel: &str) -> String {
    file_uri(&fx.path(rel))
}

/// Hostile files on disk and in editor buffers: the server indexes, publishes, answers and
/// shuts down cleanly (the harness checks exit code 0 and that every request was answered).
#[test]
fn lsp_survives_hostile_documents() {
    let fx = example("cross-worker");
    for (p, t) in deep_files() {
        let full = fx.path(&p);
        std::fs::write(full, t).unwrap();
    }
    std::fs::write(
        fx.path("src/bad.ts"),
        b"import 'alchemy';\nconst s = \"\xff\0\";\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(fx.path("src"), fx.path("src/loop")).unwrap();
    let mut s = TestServer::spawn();
    s.initialize(Init {
        folders: vec![fx.root.clone()],
        work_done_progress: true,
        ..Init::default()
    });
    s.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    let probe = |s: &mut TestServer, uri: &str, line: u32, character: u32| {
        let pos =
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        for method in [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/completion",
            "textDocument/references",
        ] {
            let mut params = pos.clone();
            if method == "textDocument/references" {
                params["context"] = json!({ "includeDeclaration": true });
            }
            let r = s.request(method, params);
            assert!(
                r.is_ok() || r.as_ref().unwrap_err()["code"] == -32801,
                "{method}: {r:?}"
            );
        }
    };
    // Deep nesting, opened in the editor: parsed and analysed in the blocking pool.
    for (p, t) in deep_files() {
        let u = uri(&fx, &p);
        s.open(&u, &t);
        probe(&mut s, &u, 2, 5000);
    }
    // A 5 MB buffer (over the parse limit), CRLF, lone CR, BOM, NUL, emoji.
    let big = format!(
        "{ALCHEMY_IMPORT}{}",
        "export const a = 1; // 😀\n".repeat(210_000)
    );
    let hostile = [
        ("src/big.ts", big),
        (
            "src/crlf.ts",
            format!("{ALCHEMY_IMPORT}export const a = 1;\n").replace('\n', "\r\n"),
        ),
        (
            "src/cr.ts",
            format!("{ALCHEMY_IMPORT}export const a = 1;\n").replace('\n', "\r"),
        ),
        (
            "src/bom.ts",
            format!("\u{FEFF}{ALCHEMY_IMPORT}export const a = 1;\n"),
        ),
        ("src/nul.ts", format!("{ALCHEMY_IMPORT}const s = \"\0\";\0\n")),
    ];
    for (p, t) in &hostile {
        let u = uri(&fx, p);
        s.open(&u, t);
        probe(&mut s, &u, 2, 3);
        probe(&mut s, &u, 100_000, 100_000);
    }
    // Every document still has its text; the server is still serving.
    let doc = s.document_text(&uri(&fx, "src/big.ts"));
    assert_eq!(doc["text"].as_str().unwrap().len(), hostile[0].1.len());
    let r = s
        .request("workspace/symbol", json!({ "query": "Worker" }))
        .unwrap();
    assert!(r.as_array().is_some_and(|a| !a.is_empty()), "{r}");
    s.shutdown();
}

/// A file that vanishes (deleted on disk, then reported by the watcher), a change event for a
/// file that never existed, and a directory where a file was.
#[test]
fn lsp_files_vanishing_while_indexed() {
    let fx = example("cross-worker");
    let mut s = TestServer::spawn();
    s.initialize(Init {
        folders: vec![fx.root.clone()],
        work_done_progress: true,
        ..Init::default()
    });
    s.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    std::fs::remove_file(fx.path("src/object.ts")).unwrap();
    std::fs::create_dir(fx.path("src/dir.ts")).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [
            { "uri": uri(&fx, "src/object.ts"), "type": 2 },
            { "uri": uri(&fx, "src/never.ts"), "type": 2 },
            { "uri": uri(&fx, "src/never2.ts"), "type": 1 },
            { "uri": uri(&fx, "src/dir.ts"), "type": 1 },
            { "uri": "file:///", "type": 3 },
            { "uri": "untitled:Untitled-1", "type": 2 },
        ] }),
    );
    // A batch with an invalid URI does not deserialise: it is dropped as a whole, harmlessly.
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": "not a uri", "type": 2 }, { "uri": 5, "type": 9 }] }),
    );
    // workerA imports ./object.ts, which is gone: the server says so, and keeps serving.
    let a = uri(&fx, "src/workerA.ts");
    let text = std::fs::read_to_string(fx.path("src/workerA.ts")).unwrap();
    s.open(&a, &text);
    s.wait_for_diagnostics(
        &a,
        |d| d.iter().any(|d| d["code"] == "unresolved-import"),
        Duration::from_secs(20),
    );
    s.shutdown();
}

/// The server reports `Workspace::problems` (invalid JSON in package.json/tsconfig.json,
/// unreadable or non-UTF-8 files) as the CLI does: logged (docs/reliability.md, finding 5).
#[test]
fn lsp_reports_broken_json_configs_without_failing() {
    let fx = example("cross-worker");
    std::fs::write(fx.path("package.json"), "{ \"name\": ").unwrap();
    std::fs::write(fx.path("tsconfig.json"), "{ nope").unwrap();
    let mut s = TestServer::spawn();
    s.initialize(Init {
        folders: vec![fx.root.clone()],
        work_done_progress: true,
        ..Init::default()
    });
    s.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    s.drain_for(Duration::from_millis(300));
    let r = s.request("workspace/symbol", json!({ "query": "" }));
    assert!(r.is_ok(), "{r:?}");
    let logged: Vec<String> = s
        .notifications
        .iter()
        .filter(|n| n["method"] == "window/logMessage" || n["method"] == "window/showMessage")
        .map(|n| n["params"]["message"].as_str().unwrap_or_default().to_string())
        .collect();
    s.shutdown();
    for name in ["package.json", "tsconfig.json"] {
        assert!(
            logged.iter().any(|m| m.contains(name)),
            "{name} is not reported; messages: {logged:#?}"
        );
    }
}

// ------------------------------------------------------------------------------ safety

type Tree = BTreeMap<PathBuf, (Vec<u8>, SystemTime, u32)>;

/// Every entry under `dir` (files, directories, links), with content, mtime and mode.
fn tree_state(dir: &Path) -> Tree {
    fn walk(dir: &Path, out: &mut Tree) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            #[cfg(unix)]
            let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
            #[cfg(not(unix))]
            let mode = 0;
            let content = if meta.is_file() {
                std::fs::read(&p).unwrap()
            } else {
                Vec::new()
            };
            out.insert(p.clone(), (content, meta.modified().unwrap(), mode));
            if meta.is_dir() {
                walk(&p, out);
            }
        }
    }
    let mut out = Tree::new();
    walk(dir, &mut out);
    out
}

/// The tool never writes, creates or deletes anything in the workspace: neither `check` (in
/// every format), `graph`, nor a server session that opens, edits, asks for fixes, hovers and
/// saves (the client saves; the server only ever proposes edits).
#[test]
fn nothing_in_the_workspace_is_ever_written() {
    let fx = example("broken");
    // A config and a .gitignore, which the tool reads.
    std::fs::write(fx.path("alchemy-ls.toml"), "[rules]\n").unwrap();
    std::fs::write(fx.path(".gitignore"), "dist/\n").unwrap();
    let before = tree_state(&fx.root);
    // mtimes have a granularity: make any write visible.
    std::thread::sleep(Duration::from_millis(20));
    for format in ["human", "json", "github", "sarif", "compact"] {
        let r = check(&fx.root, &["--format", format]);
        assert_eq!(r.code, 1, "{format}: examples/broken has errors\n{}", r.err);
    }
    for format in ["json", "mermaid", "dot"] {
        let mut cmd = bin();
        cmd.args(["graph", "--format", format])
            .arg(&fx.root)
            .current_dir(&fx.root);
        assert_eq!(run_cmd(cmd, Duration::from_secs(60)).code, 0);
    }
    let mut s = TestServer::spawn();
    s.initialize(Init {
        folders: vec![fx.root.clone()],
        work_done_progress: true,
        ..Init::default()
    });
    s.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    for p in ts_files(&fx.root) {
        let u = file_uri(&p);
        let text = std::fs::read_to_string(&p).unwrap();
        s.open(&u, &text);
        s.change(&u, 2, [0, 0, 0, 0], "// edited\n");
        let end = json!({ "line": 1000, "character": 0 });
        let r = s.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": u }, "range": { "start": { "line": 0, "character": 0 }, "end": end }, "context": { "diagnostics": [] } }),
        );
        assert!(r.is_ok(), "{r:?}");
        let _ = s.request("textDocument/codeLens", json!({ "textDocument": { "uri": u } }));
        s.notify("textDocument/didSave", json!({ "textDocument": { "uri": u } }));
        s.close(&u);
    }
    s.drain_for(Duration::from_millis(300));
    assert!(
        !s.server_requests
            .iter()
            .any(|r| r["method"] == "workspace/applyEdit"),
        "the server asked the client to apply an edit on its own"
    );
    s.shutdown();
    let after = tree_state(&fx.root);
    let changed: Vec<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(changed.is_empty(), "changed, created or deleted: {changed:#?}");
}
