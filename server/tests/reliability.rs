//! Regression tests for the findings of the second reliability round (docs/reliability.md,
//! "Round 2"): a FIFO or a path outside the workspace read by the server, a lone UTF-16
//! surrogate desynchronising a document, the server disagreeing with `check`, symlinked
//! roots, files over the size limit read whole, non-UTF-8 file names skipped, super-linear
//! fact extraction on deep nesting, and large buffers stalling other files. Each drives the
//! real binary.

mod common;
mod compare_support;
mod lsp_support;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::CString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::fixture::Fixture;
use compare_support::{self as compare, check_json, cli_lines, lsp_lines};
use lsp_support::{Init, TestServer, file_uri};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);
const VARIANT_1: (&str, &str) = ("Counter.from(WorkerA)", "Counter.from(WorkerB)");

// ------------------------------------------------------------------------------ helpers

fn examples_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
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

/// A copy of `examples/<name>` in a temporary directory.
fn example(name: &str) -> Fixture {
    let mut files = Vec::new();
    collect(&examples_dir(name), &examples_dir(name), &mut files);
    Fixture::from_files(&files)
}

/// A server on `root` (as given: not canonicalised), indexing finished.
fn server_on(root: &Path, mut init: Init) -> TestServer {
    init.folders = vec![root.to_path_buf()];
    init.work_done_progress = true;
    let mut s = TestServer::spawn();
    s.initialize(init);
    s.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    s
}

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    let r = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(r, 0, "mkfifo {}", path.display());
}

/// Whether some process has the FIFO open for reading: opening its write side without
/// blocking fails with ENXIO when nobody reads.
fn fifo_has_reader(path: &Path) -> bool {
    std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .is_ok()
}

/// Bytes the process has read through read(2) and friends so far (`/proc/<pid>/io`).
fn rchar(pid: u32) -> u64 {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap();
    io.lines()
        .find_map(|l| l.strip_prefix("rchar: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Peak resident set of a running process in KiB (`VmHWM`).
fn vm_hwm_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap()
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap()
}

/// Wait until the server has applied and published everything sent so far. Older binaries
/// lack the hook: then wait a while.
fn settle(s: &mut TestServer) {
    match s.request("alchemy/debugQuiescent", json!({ "token": "settle" })) {
        Ok(_) => {
            s.wait_notification("alchemy/quiescent", |p| p["token"] == "settle");
            s.notifications.retain(|n| n["method"] != "alchemy/quiescent");
        }
        Err(_) => s.drain_for(Duration::from_secs(3)),
    }
}

fn has_code(d: &[Value], code: &str) -> bool {
    d.iter().any(|d| d["code"] == code)
}

/// The last pushed diagnostics of every URI, as comparable lines (UTF-32 positions: the
/// server must have been initialised with `utf-32` only).
fn pushed_lines(s: &TestServer, root: &Path, texts: &BTreeMap<PathBuf, String>) -> BTreeSet<String> {
    let mut last: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for n in &s.notifications {
        if n["method"] == "textDocument/publishDiagnostics" {
            last.insert(
                n["params"]["uri"].as_str().unwrap().to_string(),
                n["params"]["diagnostics"].as_array().unwrap().clone(),
            );
        }
    }
    let text_of = |p: &Path| {
        texts
            .get(p)
            .cloned()
            .unwrap_or_else(|| std::fs::read_to_string(p).unwrap_or_default())
    };
    last.iter()
        .flat_map(|(uri, d)| lsp_lines(root, uri, d, "utf-32", &text_of))
        .collect()
}

/// A copy of `root` with the open buffers written over it (`buffers` by absolute path under
/// `root`): what `check` must agree with.
fn scratch_copy(root: &Path, buffers: &BTreeMap<PathBuf, String>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    collect(root, root, &mut files);
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    for (path, text) in buffers {
        let p = dir.path().join(path.strip_prefix(root).unwrap());
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// The server's latest diagnostics of every file equal `check --format json` on a copy of the
/// workspace with the open buffers written over it.
fn assert_server_matches_check(s: &mut TestServer, root: &Path, buffers: &BTreeMap<PathBuf, String>) {
    settle(s);
    let server = pushed_lines(s, root, buffers);
    let scratch = scratch_copy(root, buffers);
    let (_, v) = check_json(scratch.path());
    let cli = cli_lines(&v);
    let only_server: Vec<&String> = server.difference(&cli).collect();
    let only_cli: Vec<&String> = cli.difference(&server).collect();
    assert!(
        only_server.is_empty() && only_cli.is_empty(),
        "server ≠ check\nonly in the server:\n{only_server:#?}\nonly in check:\n{only_cli:#?}"
    );
}

fn utf32() -> Init {
    Init {
        encodings: Some(vec!["utf-32"]),
        ..Init::default()
    }
}

// ------------------------------------------------------------------------------ finding 1

/// A document whose path is a named pipe, opened and closed: the server must not read the
/// pipe (it would block the analysis for good); later edits are still analysed.
#[test]
fn f1_a_fifo_document_closed_does_not_block_the_analysis() {
    let fx = example("cross-worker");
    let pipe = fx.path("src/pipe.ts");
    mkfifo(&pipe);
    let mut s = server_on(&fx.root, Init::default());
    let u = file_uri(&pipe);
    s.open(&u, "import 'alchemy';\nexport const x = 1;\n");
    settle(&mut s);
    s.close(&u);
    let b = file_uri(&fx.path("src/workerB.ts"));
    let text = std::fs::read_to_string(fx.path("src/workerB.ts"))
        .unwrap()
        .replacen(VARIANT_1.0, VARIANT_1.1, 1);
    s.open(&b, &text);
    s.wait_for_diagnostics(&b, |d| has_code(d, "from-non-host"), WAIT);
    assert!(!fifo_has_reader(&pipe), "the server holds the FIFO open");
    s.shutdown();
}

/// A FIFO named `src/pipe.ts` appears and a watched-files event names it.
#[test]
fn f1_a_fifo_named_by_a_watched_files_event_is_not_read() {
    let fx = example("cross-worker");
    let mut s = server_on(&fx.root, Init::default());
    let pipe = fx.path("src/pipe.ts");
    mkfifo(&pipe);
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&pipe), "type": 1 }] }),
    );
    let b = file_uri(&fx.path("src/workerB.ts"));
    let text = std::fs::read_to_string(fx.path("src/workerB.ts"))
        .unwrap()
        .replacen(VARIANT_1.0, VARIANT_1.1, 1);
    s.open(&b, &text);
    s.wait_for_diagnostics(&b, |d| has_code(d, "from-non-host"), WAIT);
    assert!(!fifo_has_reader(&pipe), "the server holds the FIFO open");
    s.shutdown();
}

/// `check` given a FIFO as a path finishes and says why it skipped it.
#[test]
fn f1_check_given_a_fifo_reports_it_and_finishes() {
    let fx = example("cross-worker");
    let pipe = fx.path("src/pipe.ts");
    mkfifo(&pipe);
    let mut cmd = compare::bin();
    cmd.arg("check").arg(&fx.root).arg(&pipe).current_dir(&fx.root);
    let run = compare::run(cmd, Duration::from_secs(60));
    assert!(run.code == 0 || run.code == 1, "{}", run.err);
    assert!(
        run.err.contains("pipe.ts") && run.err.contains("not a regular file"),
        "the FIFO is reported: {}",
        run.err
    );
}

// ------------------------------------------------------------------------------ finding 2

/// Documents outside the workspace roots are analysed from their buffer only: closing them
/// reads nothing from disk (a FIFO would block, a 1.5 MB file would be read whole).
#[test]
fn f2_a_document_outside_the_workspace_is_never_read_from_disk() {
    let fx = example("cross-worker");
    let outside = tempfile::tempdir().unwrap();
    let outside = std::fs::canonicalize(outside.path()).unwrap();
    let mut s = server_on(&fx.root, Init::default());
    // A regular file: its bytes must not be read when its buffer closes.
    let big = outside.join("big.ts");
    let line = "export const filler = \"0123456789012345678901234567890123456789\";\n";
    std::fs::write(
        &big,
        format!("import 'alchemy';\n{}", line.repeat(1_500_000 / line.len())),
    )
    .unwrap();
    let u = file_uri(&big);
    s.open(&u, "import 'alchemy';\nexport const x = 1;\n");
    settle(&mut s);
    let before = rchar(s.pid());
    s.close(&u);
    settle(&mut s);
    let read = rchar(s.pid()) - before;
    assert!(read < 1_000_000, "closing an outside document read {read} bytes");
    // A FIFO: reading it would block the analysis.
    let pipe = outside.join("pipe.ts");
    mkfifo(&pipe);
    let u = file_uri(&pipe);
    s.open(&u, "export const y = 2;\n");
    settle(&mut s);
    s.close(&u);
    let b = file_uri(&fx.path("src/workerB.ts"));
    let text = std::fs::read_to_string(fx.path("src/workerB.ts"))
        .unwrap()
        .replacen(VARIANT_1.0, VARIANT_1.1, 1);
    s.open(&b, &text);
    s.wait_for_diagnostics(&b, |d| has_code(d, "from-non-host"), WAIT);
    assert!(!fifo_has_reader(&pipe), "the server holds the FIFO open");
    // A device: opened and closed, nothing is read.
    s.open("file:///dev/zero", "");
    s.close("file:///dev/zero");
    settle(&mut s);
    s.shutdown();
}

// ------------------------------------------------------------------------------ finding 3

fn did_change_raw(uri: &str, version: i32, line: u32, character: u32, text_json: &str) -> Vec<u8> {
    format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{uri}","version":{version}}},"contentChanges":[{{"range":{{"start":{{"line":{line},"character":{character}}},"end":{{"line":{line},"character":{character}}}}},"text":"{text_json}"}}]}}}}"#
    )
    .into_bytes()
}

/// A `didChange` whose text holds lone UTF-16 surrogates (valid JSON, as JavaScript's
/// `JSON.stringify` writes them) is applied with U+FFFD in their place, one UTF-16 unit each,
/// so that later edits land where the client meant them.
#[test]
fn f3_lone_surrogates_are_decoded_lossily_and_positions_stay_right() {
    let fx = Fixture::new("//- /a.ts\n");
    let mut s = TestServer::spawn();
    s.initialize(Init {
        root: Some(fx.root.clone()),
        ..Init::default()
    });
    let u = file_uri(&fx.path("a.ts"));
    s.open(&u, "abc");
    // 😀 as a valid pair, then a lone low and a lone high surrogate
    s.write_body(&did_change_raw(&u, 2, 0, 0, r"\ud83d\ude00|\ude00|\ud83d"));
    // after 😀 (2 units), |, U+FFFD, |, U+FFFD: 6 UTF-16 units
    s.change(&u, 3, [0, 6, 0, 6], "X");
    let doc = s.document_text(&u);
    assert_eq!(doc["text"], "😀|\u{FFFD}|\u{FFFD}Xabc");
    assert_eq!(doc["version"], 3);
    s.shutdown();
}

/// A notification that cannot be applied (params that do not decode, a body that is not
/// JSON) is reported to the client, never dropped silently.
#[test]
fn f3_undecodable_notifications_are_reported_to_the_client() {
    let fx = Fixture::new("//- /a.ts\n");
    let mut s = TestServer::spawn();
    s.initialize(Init {
        root: Some(fx.root.clone()),
        ..Init::default()
    });
    let u = file_uri(&fx.path("a.ts"));
    s.open(&u, "abc");
    s.write_body(
        format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{u}"}},"contentChanges":5}}}}"#
        )
        .as_bytes(),
    );
    s.write_body(b"{not json");
    // a barrier: everything before it has been handled
    let _ = s.request("workspace/symbol", json!({ "query": "" }));
    s.drain_for(Duration::from_millis(300));
    let logs = s.log_messages();
    assert!(
        logs.iter().any(|m| m.contains("textDocument/didChange")),
        "the dropped didChange is reported: {logs:#?}"
    );
    assert!(
        logs.iter().any(|m| m.contains("not JSON")),
        "the invalid body is reported: {logs:#?}"
    );
    s.shutdown();
}

// ------------------------------------------------------------------------------ finding 4

const UTIL: &str = r#"export * from "effect/Context";
export { Tag as MyTag } from "effect/Context";
import { Layer } from "effect";
export { Layer };
export const Cfg = Layer.empty;
export * as NS from "./more.ts";
"#;

const MORE: &str = "export const Starred = 1;\n";

const WORKER_C: &str = r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { GenericTag, MyTag, Layer, Cfg, NS } from "./util.ts";
import CounterLive, { Counter } from "./object.ts";

export class WorkerC extends Cloudflare.Worker<WorkerC, {}, Counter>()(
  "WorkerC",
  { main: import.meta.filename },
) {}
export default WorkerC.make(Effect.gen(function* () {
  const a = yield* GenericTag; const b = yield* MyTag; const c = yield* NS.Starred;
  return {};
}).pipe(Effect.provide(Layer.empty), Effect.provide(Cfg), Effect.provide(CounterLive)));
"#;

fn with_util(util: &str) -> Fixture {
    let fx = example("cross-worker");
    std::fs::write(fx.path("src/util.ts"), util).unwrap();
    std::fs::write(fx.path("src/more.ts"), MORE).unwrap();
    std::fs::write(fx.path("src/workerC.ts"), WORKER_C).unwrap();
    fx
}

/// Opening a file that does not import Alchemy changes no diagnostic.
#[test]
fn f4_opening_a_file_that_does_not_import_alchemy_changes_nothing() {
    let fx = with_util(UTIL);
    let mut s = server_on(&fx.root, utf32());
    let util = fx.path("src/util.ts");
    s.open(&file_uri(&util), UTIL);
    let buffers = BTreeMap::from([(util, UTIL.to_string())]);
    assert_server_matches_check(&mut s, &fx.root, &buffers);
    s.shutdown();
}

/// An open buffer edited so that it no longer imports Alchemy is treated as `check` treats
/// the same contents.
#[test]
fn f4_a_buffer_edited_to_no_longer_import_alchemy_matches_check() {
    let first = "import type { Stack } from \"alchemy\";\n";
    let fx = with_util(&format!("{first}{UTIL}"));
    let mut s = server_on(&fx.root, utf32());
    let util = fx.path("src/util.ts");
    let u = file_uri(&util);
    s.open(&u, &format!("{first}{UTIL}"));
    s.change(&u, 2, [0, 0, 1, 0], "");
    let buffers = BTreeMap::from([(util, UTIL.to_string())]);
    assert_server_matches_check(&mut s, &fx.root, &buffers);
    s.shutdown();
}

const API: &str = r#"import * as Cloudflare from "alchemy/Cloudflare";
export class Api extends Cloudflare.Worker<Api>()("Api", { main: import.meta.filename }) {}
"#;

const API2: &str = r#"import * as Cloudflare from "alchemy/Cloudflare";
export class Api2 extends Cloudflare.Worker<Api2>()("Api2", { main: import.meta.filename }) {}
"#;

const WORKER_D: &str = r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Counter } from "./object.ts";
import { Api } from "./api.ts";
import { Api2 } from "@app/api2";

export default class WorkerD extends Cloudflare.Worker<WorkerD>()(
  "WorkerD",
  { main: import.meta.filename },
  Effect.gen(function* () {
    const c = yield* Counter.from(Api);
    const d = yield* Counter.from(Api2);
    return {};
  }),
) {}
"#;

/// Unsaved new files (open buffers, not on disk) are seen by the resolver, also through a
/// tsconfig `paths` alias: their importers get the diagnostics `check` gives when the files
/// exist.
#[test]
fn f4_imports_of_unsaved_new_files_resolve() {
    let fx = example("cross-worker");
    std::fs::write(fx.path("src/workerD.ts"), WORKER_D).unwrap();
    std::fs::write(
        fx.path("tsconfig.json"),
        r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@app/*": ["./src/*"] } }, "include": ["src", "alchemy.run.ts"] }"#,
    )
    .unwrap();
    let mut s = server_on(&fx.root, utf32());
    let api = fx.path("src/api.ts");
    let api2 = fx.path("src/api2.ts");
    s.open(&file_uri(&api), API);
    s.open(&file_uri(&api2), API2);
    let d = file_uri(&fx.path("src/workerD.ts"));
    let diags = s.wait_for_diagnostics(
        &d,
        |d| d.iter().filter(|d| d["code"] == "from-non-host").count() == 2,
        WAIT,
    );
    assert!(!has_code(&diags, "unresolved-import"), "{diags:#?}");
    let buffers = BTreeMap::from([(api, API.to_string()), (api2, API2.to_string())]);
    assert_server_matches_check(&mut s, &fx.root, &buffers);
    s.shutdown();
}

// ------------------------------------------------------------------------------ finding 5

/// A workspace opened through a symlink: everything the client sees is under the client's
/// own URIs, and a second URI of the same file does not take the first one's buffer away.
#[test]
fn f5_symlinked_workspace_root_keeps_the_clients_uris() {
    let fx = example("cross-worker");
    let b_path = fx.path("src/workerB.ts");
    let b_disk = std::fs::read_to_string(&b_path).unwrap();
    std::fs::write(&b_path, b_disk.replacen(VARIANT_1.0, VARIANT_1.1, 1)).unwrap();
    let links = tempfile::tempdir().unwrap();
    let link = std::fs::canonicalize(links.path()).unwrap().join("ws");
    std::os::unix::fs::symlink(&fx.root, &link).unwrap();
    let mut s = server_on(&link, Init::default());
    let link_b = file_uri(&link.join("src/workerB.ts"));
    // a closed file's diagnostics, under the link
    s.wait_for_diagnostics(&link_b, |d| has_code(d, "from-non-host"), WAIT);
    // definition results, under the link
    let run = file_uri(&link.join("alchemy.run.ts"));
    let run_text = std::fs::read_to_string(link.join("alchemy.run.ts")).unwrap();
    s.open(&run, &run_text);
    let (line, col) = run_text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("yield* WorkerA").map(|c| (i as u32, c as u32 + 8)))
        .unwrap();
    let defs = s
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": run }, "position": { "line": line, "character": col } }),
        )
        .unwrap();
    let defs = defs.as_array().cloned().unwrap_or_default();
    assert!(!defs.is_empty(), "a definition for WorkerA");
    let link_prefix = file_uri(&link);
    for d in &defs {
        assert!(
            d["uri"].as_str().unwrap().starts_with(&link_prefix),
            "definition under the canonical path: {d}"
        );
    }
    // the buffer fixes the error
    let fixed = std::fs::read_to_string(&b_path)
        .unwrap()
        .replacen(VARIANT_1.1, VARIANT_1.0, 1);
    s.open(&link_b, &fixed);
    s.wait_for_diagnostics(&link_b, |d| d.is_empty(), WAIT);
    // the same file through its canonical path, opened and closed again
    let canonical_b = file_uri(&b_path);
    s.open(&canonical_b, &std::fs::read_to_string(&b_path).unwrap());
    s.close(&canonical_b);
    settle(&mut s);
    let diags = s.last_diagnostics(&link_b).unwrap_or_default();
    assert!(diags.is_empty(), "the open buffer was dropped: {diags:#?}");
    let hover = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": link_b }, "position": { "line": 9, "character": 30 } }),
    );
    assert!(hover.is_ok(), "{hover:?}");
    // nothing was ever published under the canonical root
    let canonical_prefix = file_uri(&fx.root);
    for n in &s.notifications {
        if n["method"] == "textDocument/publishDiagnostics" {
            let uri = n["params"]["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with(&canonical_prefix) || uri == canonical_b,
                "published under the canonical path: {uri}"
            );
        }
    }
    s.shutdown();
}

// ------------------------------------------------------------------------------ finding 6

fn sparse(path: &Path, len: u64) {
    let f = std::fs::File::create(path).unwrap();
    f.set_len(len).unwrap();
}

/// A source over the parse limit is reported without being read: a 1 GiB sparse file costs
/// `check` and the server no memory.
#[test]
fn f6_files_over_the_limit_are_reported_without_being_read() {
    let fx = example("cross-worker");
    sparse(&fx.path("src/huge.ts"), 1 << 30);
    let (run, _) = check_json(&fx.root);
    assert!(
        run.err.contains("huge.ts") && run.err.contains("too large"),
        "reported: {}",
        run.err
    );
    assert!(
        run.max_rss_kib < 300 * 1024,
        "check peaked at {} MiB",
        run.max_rss_kib / 1024
    );
    let mut s = server_on(&fx.root, Init::default());
    settle(&mut s);
    let hwm = vm_hwm_kib(s.pid());
    let logs = s.log_messages();
    s.shutdown();
    assert!(hwm < 300 * 1024, "the server peaked at {} MiB", hwm / 1024);
    assert!(
        logs.iter()
            .any(|m| m.contains("huge.ts") && m.contains("too large")),
        "logged: {logs:#?}"
    );
}

// ------------------------------------------------------------------------------ finding 7

/// A copy of the example with `src/workerB.ts` (holding a from-non-host error) renamed to a
/// name that is not valid UTF-8.
fn with_non_utf8_name() -> Fixture {
    let fx = example("cross-worker");
    let b = fx.path("src/workerB.ts");
    let text = std::fs::read_to_string(&b)
        .unwrap()
        .replacen(VARIANT_1.0, VARIANT_1.1, 1);
    std::fs::remove_file(&b).unwrap();
    let name = std::ffi::OsString::from_vec(b"worker\xe9B.ts".to_vec());
    std::fs::write(fx.path("src").join(&name), &text).unwrap();
    fx
}

/// `check` analyses a source whose file name is not valid UTF-8 (its path shown lossily, with
/// a warning), never skipping it silently.
#[test]
fn f7_check_analyses_non_utf8_file_names() {
    let fx = with_non_utf8_name();
    let (run, v) = check_json(&fx.root);
    let found: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "from-non-host")
        .collect();
    assert_eq!(found.len(), 1, "{v:#}\n{}", run.err);
    assert_eq!(found[0]["path"], "src/worker\u{FFFD}B.ts");
    assert_eq!(run.code, 1);
    assert!(run.err.contains("not valid UTF-8"), "{}", run.err);
}

/// The server publishes the diagnostics of such a file under its exact (percent-encoded)
/// URI.
#[test]
fn f7_the_server_publishes_non_utf8_file_names() {
    let fx = with_non_utf8_name();
    let mut s = server_on(&fx.root, Init::default());
    let u = format!("{}/src/worker%E9B.ts", file_uri(&fx.root));
    s.wait_for_diagnostics(&u, |d| has_code(d, "from-non-host"), WAIT);
    s.shutdown();
}

// ------------------------------------------------------------------------------ finding 8

const GEN_HEAD: &str = "import * as Effect from \"effect/Effect\";\nimport { Counter } from \"./object.ts\";\nimport { WorkerA as W } from \"./workerA.ts\";\n";

/// `yield* Counter.from(yield* Counter.from(… W))`, `n` levels.
fn deep_from(n: usize) -> String {
    format!(
        "{GEN_HEAD}export default Effect.gen(function* () {{ const x = {}W{}; }});\n",
        "yield* Counter.from(".repeat(n),
        ")".repeat(n)
    )
}

/// Nested `Effect.gen` bodies each binding `Counter.from(W)`, `n` levels.
fn deep_gens(n: usize) -> String {
    format!(
        "{GEN_HEAD}export default {}1{};\n",
        "Effect.gen(function* () { const c = yield* Counter.from(W); return ".repeat(n),
        "; })".repeat(n)
    )
}

/// Fact extraction is linear in the nesting depth: 50,000 levels (1 MB, under the parse
/// limit) are checked within a deadline that the quadratic scan missed by minutes.
#[test]
fn f8_deep_nesting_under_the_parse_limit_is_checked_in_time() {
    let fx = example("cross-worker");
    std::fs::write(fx.path("src/deep_from.ts"), deep_from(50_000)).unwrap();
    std::fs::write(fx.path("src/deep_gens.ts"), deep_gens(24_000)).unwrap();
    let mut cmd = compare::bin();
    cmd.arg("check").arg(&fx.root).current_dir(&fx.root);
    let run = compare::run(cmd, Duration::from_secs(40));
    assert!(run.code == 0 || run.code == 1, "{}", run.err);
}

/// In the server, a deeply nested buffer never holds up requests about other files.
#[test]
fn f8_a_deep_buffer_does_not_hold_up_other_files() {
    let fx = example("cross-worker");
    let mut s = server_on(&fx.root, Init::default());
    let a = file_uri(&fx.path("src/workerA.ts"));
    s.open(&a, &std::fs::read_to_string(fx.path("src/workerA.ts")).unwrap());
    settle(&mut s);
    let deep = file_uri(&fx.path("src/deep.ts"));
    s.open(&deep, &deep_from(50_000));
    for v in 2..5 {
        s.change(&deep, v, [4, 0, 4, 0], "x");
        let t = Instant::now();
        let r = s.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": a }, "position": { "line": 4, "character": 14 } }),
        );
        assert!(r.is_ok(), "{r:?}");
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "a hover in another file waited {:?}",
            t.elapsed()
        );
    }
    s.shutdown();
}

// ------------------------------------------------------------------------------ finding 9

/// Typing in a 40 MB buffer does not stall requests about other files.
#[test]
fn f9_typing_in_a_large_buffer_does_not_stall_other_files() {
    let fx = example("cross-worker");
    let mut s = server_on(&fx.root, Init::default());
    let a = file_uri(&fx.path("src/workerA.ts"));
    s.open(&a, &std::fs::read_to_string(fx.path("src/workerA.ts")).unwrap());
    let big = file_uri(&fx.path("src/big.ts"));
    let line = "// filler 😀 中文 0123456789 0123456789 0123456789\n";
    let n = 40_000_000 / line.len();
    s.open(&big, &line.repeat(n));
    settle(&mut s);
    let mut version = 1;
    for round in 0..5 {
        for _ in 0..10 {
            version += 1;
            s.change(&big, version, [n as u32 / 2, 3, n as u32 / 2, 3], "x");
        }
        let t = Instant::now();
        let r = s.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": a }, "position": { "line": 4, "character": 14 } }),
        );
        assert!(r.is_ok(), "{r:?}");
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "round {round}: a hover in another file waited {:?}",
            t.elapsed()
        );
    }
    s.shutdown();
}

// ------------------------------------------------------------------------------ idle

/// CPU time (user + system, in clock ticks) a process has used.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = stat.rsplit_once(')').unwrap().1;
    let f: Vec<&str> = after.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

/// Once the analysis has settled, the server sleeps: no timer, no polling, no busy thread —
/// also when it watches files itself (a client without watched files).
#[test]
fn an_idle_server_uses_no_cpu() {
    for server_watches in [false, true] {
        let fx = example("cross-worker");
        let mut s = server_on(
            &fx.root,
            Init {
                no_watched_files: server_watches,
                ..Init::default()
            },
        );
        if server_watches {
            s.wait_notification("window/logMessage", |p| {
                p["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("for changes on disk"))
            });
        }
        let b = file_uri(&fx.path("src/workerB.ts"));
        let text = std::fs::read_to_string(fx.path("src/workerB.ts")).unwrap();
        s.open(&b, &text);
        s.change(&b, 2, [0, 0, 0, 0], "// x\n");
        settle(&mut s);
        std::thread::sleep(Duration::from_millis(500));
        let before = cpu_ticks(s.pid());
        std::thread::sleep(Duration::from_secs(3));
        let used = cpu_ticks(s.pid()) - before;
        s.shutdown();
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        assert!(
            used * 1000 / hz <= 20,
            "the idle server (watching files itself: {server_watches}) used {} ms of CPU in 3 s",
            used * 1000 / hz
        );
    }
}
