//! A language-server test harness: spawns the real `alchemy-ls serve` over stdio, answers
//! the server's requests (registration, progress, configuration), collects notifications, and
//! at the end shuts the server down and checks it exited with 0, that every request was
//! answered, and that no error was shown to the user.
#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The binary under test: `ALCHEMY_LS_TEST_BIN` if set (to run a test against another build,
/// e.g. to see it fail before a fix), else the one cargo built.
pub fn binary() -> std::path::PathBuf {
    match std::env::var_os("ALCHEMY_LS_TEST_BIN") {
        Some(p) => p.into(),
        None => env!("CARGO_BIN_EXE_alchemy-ls").into(),
    }
}

/// `file://` URI of an absolute path.
pub fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Options of the `initialize` request.
#[derive(Clone, Debug, Default)]
pub struct Init {
    /// `general.positionEncodings` offered (None: the field is absent).
    pub encodings: Option<Vec<&'static str>>,
    /// `workspaceFolders` (absolute paths).
    pub folders: Vec<std::path::PathBuf>,
    /// `rootUri` (absolute path).
    pub root: Option<std::path::PathBuf>,
    pub initialization_options: Option<Value>,
    /// Client supports pull diagnostics (`textDocument.diagnostic`) and their refresh.
    pub pull_diagnostics: bool,
    /// `workspace.configuration` support; the harness answers with `settings`.
    pub configuration: Option<Value>,
    /// `window.workDoneProgress`.
    pub work_done_progress: bool,
    /// With `pull_diagnostics`: do not declare refresh support (Neovim 0.11).
    pub no_refresh: bool,
    /// With `pull_diagnostics`: the key refresh support is declared under (default
    /// `diagnostics`, the spec's; `diagnostic` is what lsp-types 0.97 reads).
    pub refresh_key: Option<&'static str>,
    /// Do not declare `workspace.didChangeWatchedFiles` (Neovim on Linux).
    pub no_watched_files: bool,
}

pub struct TestServer {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    stderr: Arc<Mutex<String>>,
    next_id: i64,
    /// Requests sent and not yet answered.
    pending: BTreeSet<i64>,
    responses: HashMap<i64, Value>,
    /// Every notification received, in order.
    pub notifications: Vec<Value>,
    /// Every request the server sent to the client, in order.
    pub server_requests: Vec<Value>,
    /// What `workspace/configuration` is answered with (the `alchemy-ls` section).
    pub settings: Value,
    /// Messages of `window/showMessage` with these substrings are expected.
    pub allowed_errors: Vec<String>,
    done: bool,
    next_quiesce: u64,
}

impl TestServer {
    pub fn spawn() -> TestServer {
        TestServer::spawn_with_env(&[("ALCHEMY_LS_TEST_HOOKS", "1")])
    }

    pub fn spawn_with_env(env: &[(&str, &str)]) -> TestServer {
        TestServer::spawn_wrapped(&[], env)
    }

    /// Spawn `wrapper… alchemy-ls serve` (e.g. under strace).
    pub fn spawn_wrapped(wrapper: &[&str], env: &[(&str, &str)]) -> TestServer {
        let mut cmd = match wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(binary());
                c
            }
            None => Command::new(binary()),
        };
        cmd.arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn alchemy-ls serve");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let stderr_pipe = child.stderr.take().expect("stderr");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        TestServer {
            child,
            stdin,
            rx,
            stderr,
            next_id: 1,
            pending: BTreeSet::new(),
            responses: HashMap::new(),
            notifications: Vec::new(),
            server_requests: Vec::new(),
            settings: Value::Null,
            allowed_errors: Vec::new(),
            done: false,
            next_quiesce: 0,
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn write(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).unwrap();
        self.write_body(body.as_bytes());
    }

    /// Send one framed message whose body is given as is (e.g. JSON that serde_json would not
    /// write, like a lone surrogate escape).
    pub fn write_body(&mut self, body: &[u8]) {
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend_from_slice(body);
        self.stdin.write_all(&framed).expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait until the server has applied every change sent so far and published the
    /// diagnostics of that state (test hook `alchemy/debugQuiescent`).
    pub fn quiesce(&mut self) {
        self.next_quiesce += 1;
        let token = self.next_quiesce;
        match self.request("alchemy/debugQuiescent", json!({ "token": token })) {
            // the notification follows the published diagnostics (the response may overtake
            // them)
            Ok(_) => {
                self.wait_notification("alchemy/quiescent", |p| p["token"] == token);
            }
            // a build without the hook (ALCHEMY_LS_TEST_BIN, to see a test fail before a fix)
            Err(e) if e["code"] == -32601 => self.drain_for(Duration::from_secs(3)),
            Err(e) => panic!("debugQuiescent: {e}"),
        }
    }

    /// The `window/logMessage` texts received so far.
    pub fn log_messages(&self) -> Vec<String> {
        self.notifications
            .iter()
            .filter(|n| n["method"] == "window/logMessage")
            .map(|n| n["params"]["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Send a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.insert(id);
        self.write(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.write(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Wait for the response to `id`: `Ok(result)` or `Err(error)`.
    pub fn response(&mut self, id: i64) -> Result<Value, Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(resp) = self.responses.remove(&id) {
                return match resp.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(resp.get("result").cloned().unwrap_or(Value::Null)),
                };
            }
            if !self.pump(deadline) {
                panic!(
                    "no response to request {id} within {TIMEOUT:?}\nstderr:\n{}",
                    self.stderr()
                );
            }
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Receive and dispatch one message; false on timeout/EOF.
    fn pump(&mut self, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = match self.rx.recv_timeout(left) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return false,
        };
        self.dispatch(msg);
        true
    }

    fn dispatch(&mut self, msg: Value) {
        let method = msg.get("method").and_then(Value::as_str).map(str::to_string);
        let id = msg.get("id").cloned();
        match (method, id) {
            (Some(method), Some(id)) => {
                let result = match method.as_str() {
                    "workspace/configuration" => {
                        let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                        Value::Array(vec![self.settings.clone(); n])
                    }
                    _ => Value::Null,
                };
                self.server_requests.push(msg);
                if !self.done {
                    self.write(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
                }
            }
            (Some(method), None) => {
                if method == "window/showMessage" && msg["params"]["type"] == 1 {
                    let text = msg["params"]["message"].as_str().unwrap_or_default();
                    if !self.allowed_errors.iter().any(|a| text.contains(a.as_str())) {
                        panic!("unexpected error shown to the user: {msg}");
                    }
                }
                self.notifications.push(msg);
            }
            (None, Some(id)) => {
                let id = id.as_i64().expect("numeric response id");
                assert!(self.pending.remove(&id), "response to an unknown request: {msg}");
                self.responses.insert(id, msg);
            }
            (None, None) => panic!("malformed message: {msg}"),
        }
    }

    /// Collect messages for `d`.
    pub fn drain_for(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        while self.pump(deadline) {}
    }

    /// Wait for a notification matching `pred` (already received ones count).
    pub fn wait_notification(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = 0;
        loop {
            for n in &self.notifications[seen..] {
                if n["method"] == method && pred(&n["params"]) {
                    return n["params"].clone();
                }
            }
            seen = self.notifications.len();
            if !self.pump(deadline) {
                panic!(
                    "no {method} notification matched within {TIMEOUT:?}; got {:#?}",
                    self.notifications
                );
            }
        }
    }

    /// Wait until the server has sent `n` requests of `method`.
    pub fn wait_server_requests(&mut self, method: &str, n: usize) {
        let deadline = Instant::now() + TIMEOUT;
        while self
            .server_requests
            .iter()
            .filter(|r| r["method"] == method)
            .count()
            < n
        {
            if !self.pump(deadline) {
                panic!(
                    "fewer than {n} {method} requests within {TIMEOUT:?}: {:#?}",
                    self.server_requests
                );
            }
        }
    }

    /// The last published diagnostics of `uri`, if any.
    pub fn last_diagnostics(&self, uri: &str) -> Option<Vec<Value>> {
        self.notifications
            .iter()
            .rev()
            .find(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri)
            .map(|n| n["params"]["diagnostics"].as_array().cloned().unwrap_or_default())
    }

    /// Wait until the last published diagnostics of `uri` satisfy `pred`.
    pub fn wait_for_diagnostics(
        &mut self,
        uri: &str,
        pred: impl Fn(&[Value]) -> bool,
        timeout: Duration,
    ) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(d) = self.last_diagnostics(uri)
                && pred(&d)
            {
                return d;
            }
            if !self.pump(deadline) {
                panic!(
                    "diagnostics of {uri} never matched within {timeout:?}; last: {:#?}\nstderr:\n{}",
                    self.last_diagnostics(uri),
                    self.stderr()
                );
            }
        }
    }

    pub fn initialize(&mut self, init: Init) -> Value {
        let mut general = json!({});
        if let Some(encs) = &init.encodings {
            general["positionEncodings"] = json!(encs);
        }
        let mut text_document = json!({
            "synchronization": { "dynamicRegistration": false },
            "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
            "completion": { "completionItem": { "snippetSupport": false } },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
            "codeAction": { "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix"] } } },
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
        });
        let mut workspace = json!({
            "workspaceFolders": true,
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "configuration": init.configuration.is_some(),
        });
        if init.no_watched_files {
            workspace.as_object_mut().unwrap().remove("didChangeWatchedFiles");
        }
        if init.pull_diagnostics {
            text_document["diagnostic"] =
                json!({ "dynamicRegistration": false, "relatedDocumentSupport": false });
            if !init.no_refresh {
                workspace[init.refresh_key.unwrap_or("diagnostics")] = json!({ "refreshSupport": true });
            }
        }
        if let Some(settings) = &init.configuration {
            self.settings = settings.clone();
        }
        let folders: Vec<Value> = init
            .folders
            .iter()
            .map(|p| json!({ "uri": file_uri(p), "name": p.file_name().unwrap().to_string_lossy() }))
            .collect();
        let params = json!({
            "processId": null,
            "clientInfo": { "name": "alchemy-ls-tests" },
            "rootUri": init.root.as_deref().map(file_uri),
            "workspaceFolders": if folders.is_empty() { Value::Null } else { Value::Array(folders) },
            "initializationOptions": init.initialization_options,
            "capabilities": {
                "general": general,
                "textDocument": text_document,
                "workspace": workspace,
                "window": { "workDoneProgress": init.work_done_progress },
            },
        });
        let result = self.request("initialize", params).expect("initialize succeeds");
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "typescript", "version": 1, "text": text } }),
        );
    }

    /// One incremental change: replace `[(l0,c0), (l1,c1))` by `text`.
    pub fn change(&mut self, uri: &str, version: i32, range: [u32; 4], text: &str) {
        self.change_many(uri, version, vec![(range, text)]);
    }

    pub fn change_many(&mut self, uri: &str, version: i32, edits: Vec<([u32; 4], &str)>) {
        let changes: Vec<Value> = edits
            .into_iter()
            .map(|([l0, c0, l1, c1], text)| {
                json!({ "range": { "start": { "line": l0, "character": c0 }, "end": { "line": l1, "character": c1 } }, "text": text })
            })
            .collect();
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    pub fn close(&mut self, uri: &str) {
        self.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    }

    /// The server's text of a document (test hook `alchemy/debugDocumentText`).
    pub fn document_text(&mut self, uri: &str) -> Value {
        self.request("alchemy/debugDocumentText", json!({ "uri": uri }))
            .expect("debugDocumentText")
    }

    /// `shutdown` + `exit`; asserts exit code 0, all requests answered.
    pub fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Ok(Value::Null), "shutdown answered");
        self.notify("exit", Value::Null);
        let code = self.wait_exit();
        self.done = true;
        assert_eq!(
            code,
            Some(0),
            "exit code after shutdown + exit\nstderr:\n{}",
            self.stderr()
        );
        self.drain_for(Duration::from_millis(50));
        assert!(self.pending.is_empty(), "unanswered requests: {:?}", self.pending);
    }

    /// Send `exit` without `shutdown`; returns the exit code.
    pub fn exit_without_shutdown(mut self) -> Option<i32> {
        self.notify("exit", Value::Null);
        let code = self.wait_exit();
        self.done = true;
        code
    }

    fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit\nstderr:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.child.kill();
            let _ = self.child.wait();
            if !std::thread::panicking() {
                panic!("TestServer dropped without shutdown()");
            }
        }
    }
}

/// Read one `Content-Length` framed message; `None` at EOF.
fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Apply LSP text edits (UTF-16 positions, non-overlapping) to `text`, as a client would.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().unwrap() as usize;
        let ch = pos["character"].as_u64().unwrap() as usize;
        let mut start = 0;
        for _ in 0..line {
            match text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return text.len(),
            }
        }
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= ch || c == '\n' || c == '\r' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, e, t) in spans {
        out.replace_range(s..e, &t);
    }
    out
}

/// The tutorial stack (examples/cross-worker; line numbers matter).
pub const TUTORIAL: &str = r#"
//- /package.json
{ "name": "cross-worker-do", "type": "module", "dependencies": { "alchemy": "2.0.0-beta.49", "effect": "3.17.0" } }
//- /src/object.ts
import type { RuntimeContext } from "alchemy";
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";

export class Counter extends Cloudflare.DurableObjectNamespace<Counter, {
  increment: () => Effect.Effect<number, never, RuntimeContext>;
  get: () => Effect.Effect<number, never, RuntimeContext>;
}>()("Counter") {}

export default Counter.make(Effect.gen(function* () {
  return Effect.gen(function* () { let n = 0; return { increment: () => Effect.sync(() => ++n), get: () => Effect.succeed(n) }; });
}));
//- /src/workerA.ts
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import CounterLive, { Counter } from "./object.ts";

export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()(
  "WorkerA",
  { main: import.meta.filename },
) {}

export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.gen(function* () { /* … counters.getByName(name).increment() … */ }) };
  }).pipe(Effect.provide(CounterLive)),
);
//- /src/workerB.ts
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Counter } from "./object.ts";
import { WorkerA } from "./workerA.ts";

export default class WorkerB extends Cloudflare.Worker<WorkerB>()(
  "WorkerB",
  { main: import.meta.filename },
  Effect.gen(function* () {
    const counters = yield* Counter.from(WorkerA);
    return { fetch: Effect.gen(function* () { /* … counters.getByName(name).get() … */ }) };
  }),
) {}
//- /alchemy.run.ts
import * as Alchemy from "alchemy";
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import WorkerALive, { WorkerA } from "./src/workerA.ts";
import WorkerB from "./src/workerB.ts";

export default Alchemy.Stack(
  "CrossWorkerDO",
  { state: Cloudflare.state(), providers: Cloudflare.providers() },
  Effect.gen(function* () {
    const a = yield* WorkerA;
    const b = yield* WorkerB;
    return { urlA: a.url.as<string>(), urlB: b.url.as<string>() };
  }).pipe(Effect.provide(WorkerALive)),
);
"#;

/// The protocol position (UTF-16) at byte `offset` of `text`.
pub fn position_at(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

/// Where the `$0` markers of `pattern` fall in `text`, which holds `pattern` without them
/// exactly once: `Counter.from($0WorkerA)` is the position before `WorkerA`;
/// `Counter.from($0WorkerA$0)` the range of `WorkerA`.
fn markers(text: &str, pattern: &str) -> Vec<usize> {
    let plain = pattern.replace("$0", "");
    let mut found = text.match_indices(&plain);
    let (at, _) = found
        .next()
        .unwrap_or_else(|| panic!("{plain:?} is not in the text"));
    assert!(found.next().is_none(), "{plain:?} occurs more than once");
    let mut out = Vec::new();
    let mut rest = pattern;
    let mut shift = 0;
    while let Some(i) = rest.find("$0") {
        shift += i;
        out.push(at + shift);
        rest = &rest[i + 2..];
    }
    assert!(!out.is_empty(), "{pattern:?} has no $0");
    out
}

/// The position of the `$0` in `pattern` (see [`markers`]).
pub fn cursor(text: &str, pattern: &str) -> Value {
    position_at(text, markers(text, pattern)[0])
}

/// The range between the two `$0`s of `pattern` (see [`markers`]).
pub fn span(text: &str, pattern: &str) -> Value {
    let m = markers(text, pattern);
    assert_eq!(m.len(), 2, "{pattern:?} needs two $0");
    json!({ "start": position_at(text, m[0]), "end": position_at(text, m[1]) })
}
