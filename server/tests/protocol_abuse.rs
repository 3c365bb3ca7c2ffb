//! Protocol abuse against the real `alchemy-ls serve`: malformed JSON-RPC (bad JSON, wrong or
//! missing Content-Length, missing `jsonrpc`), unknown methods, wrong params, requests around
//! the lifecycle, positions far past the end of a document, a flood of 10,000 messages, exit
//! codes and orphan processes. What `lsp.rs` already covers (didChange for an unknown
//! document, versions going backwards, change ranges past the end, requests before
//! `initialize`, the injected panic, exit without shutdown) is not repeated here.
//!
//! Malformed framing needs raw bytes, so this file has its own minimal client ([`Raw`]);
//! well-formed sessions use the shared harness.

mod common;
mod lsp_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::fixture::Fixture;
use lsp_support::{Init, TestServer, file_uri};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(20);

/// A client that writes raw bytes and reads framed messages.
struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Messages received and not yet consumed.
    seen: Vec<Value>,
}

fn frame_bytes(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn frame(v: &Value) -> Vec<u8> {
    frame_bytes(serde_json::to_string(v).unwrap().as_bytes())
}

fn request(id: i64, method: &str, params: Value) -> Vec<u8> {
    frame(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
}

fn notification(method: &str, params: Value) -> Vec<u8> {
    frame(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
}

fn symbols(id: i64) -> Vec<u8> {
    request(id, "workspace/symbol", json!({ "query": "" }))
}

impl Raw {
    fn spawn() -> Raw {
        let mut child = Command::new(env!("CARGO_BIN_EXE_alchemy-ls"))
            .arg("serve")
            .env("ALCHEMY_LS_TEST_HOOKS", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn alchemy-ls serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("the server always sends Content-Length")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("the server sends valid JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Raw {
            child,
            stdin,
            rx,
            seen: Vec::new(),
        }
    }

    /// Write raw bytes. A server that has gone away is noticed by the next wait for a
    /// response, which says so.
    fn send(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        let _ = stdin.write_all(bytes).and_then(|_| stdin.flush());
    }

    fn exit_status(&mut self) -> String {
        match self.child.try_wait() {
            Ok(Some(status)) => format!("the server has EXITED ({status})"),
            _ => "the server is still running".to_string(),
        }
    }

    fn initialize(&mut self) {
        self.send(&request(1, "initialize", json!({ "capabilities": {} })));
        let r = self.response(json!(1));
        assert!(r.get("result").is_some(), "{r}");
        self.send(&notification("initialized", json!({})));
    }

    /// Wait for the response with `id`.
    fn response(&mut self, id: Value) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(i) = self
                .seen
                .iter()
                .position(|m| m.get("method").is_none() && m.get("id") == Some(&id))
            {
                return self.seen.remove(i);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) => self.seen.push(m),
                Err(_) => panic!(
                    "no response to {id} within {TIMEOUT:?}; {}; got {:#?}",
                    self.exit_status(),
                    self.seen
                ),
            }
        }
    }

    /// Everything that arrives within `d`.
    fn drain(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        while let Ok(m) = self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(m);
        }
    }

    /// Responses with an error and a null id (answers to what could not be parsed).
    fn unattributed_errors(&self) -> Vec<&Value> {
        self.seen
            .iter()
            .filter(|m| m.get("error").is_some() && m["id"].is_null())
            .collect()
    }

    /// `shutdown` + `exit`; returns the exit code.
    fn finish(mut self) -> Option<i32> {
        self.send(&request(9_999, "shutdown", Value::Null));
        let r = self.response(json!(9_999));
        assert!(r.get("error").is_none(), "{r}");
        self.send(&notification("exit", Value::Null));
        self.wait_exit()
    }

    fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assert_alive(raw: &mut Raw, id: i64) {
    raw.send(&symbols(id));
    let r = raw.response(json!(id));
    assert_eq!(r["result"], json!([]), "the server still answers: {r}");
}

// ------------------------------------------------------------------------------ framing

#[test]
fn invalid_json_is_a_parse_error_and_the_server_goes_on() {
    let mut raw = Raw::spawn();
    raw.initialize();
    raw.send(&frame_bytes(b"{not json"));
    raw.send(&frame_bytes(b"[1, 2"));
    raw.send(&frame_bytes(&[0xff, 0xfe, b'{', b'}']));
    raw.send(&frame_bytes(b""));
    assert_alive(&mut raw, 2);
    raw.drain(Duration::from_millis(200));
    for e in raw.unattributed_errors() {
        assert_eq!(e["error"]["code"], -32700, "parse errors: {e}");
    }
    assert_eq!(raw.finish(), Some(0));
}

#[test]
fn missing_jsonrpc_field_and_invalid_messages() {
    let mut raw = Raw::spawn();
    raw.initialize();
    // A request without "jsonrpc", one with the wrong version, one with an object as id,
    // a response to nothing, a bare string.
    raw.send(&frame(
        &json!({ "id": 2, "method": "workspace/symbol", "params": { "query": "" } }),
    ));
    raw.send(&frame(
        &json!({ "jsonrpc": "1.0", "id": 3, "method": "workspace/symbol", "params": { "query": "" } }),
    ));
    raw.send(&frame(
        &json!({ "jsonrpc": "2.0", "id": { "x": 1 }, "method": "workspace/symbol" }),
    ));
    raw.send(&frame(&json!({ "jsonrpc": "2.0", "id": 77, "result": null })));
    raw.send(&frame(&json!("hello")));
    assert_alive(&mut raw, 4);
    raw.drain(Duration::from_millis(200));
    // The invalid requests with a usable id are answered with an error (Invalid Request),
    // never a result; the rest (no usable id, a response) is not answered.
    for id in [2, 3] {
        let r = raw.response(json!(id));
        assert_eq!(r["error"]["code"], -32600, "invalid request {id}: {r}");
    }
    assert_eq!(raw.unattributed_errors(), Vec::<&Value>::new());
    assert_eq!(raw.finish(), Some(0));
}

#[test]
fn wrong_content_length_loses_at_most_the_messages_it_overlaps() {
    let mut raw = Raw::spawn();
    raw.initialize();
    let body = serde_json::to_vec(
        &json!({ "jsonrpc": "2.0", "id": 2, "method": "workspace/symbol", "params": { "query": "" } }),
    )
    .unwrap();
    // Too short: the body is cut, the rest is garbage before the next header.
    let mut short = format!("Content-Length: {}\r\n\r\n", body.len() - 5).into_bytes();
    short.extend_from_slice(&body);
    raw.send(&short);
    raw.send(&symbols(3));
    // A header that is not a number, a header line without a colon, no Content-Length.
    raw.send(b"Content-Length: lots\r\n\r\n{}");
    raw.send(b"garbage\r\n\r\n");
    raw.send(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}");
    // Let the server resynchronise, then it must answer again.
    std::thread::sleep(Duration::from_millis(300));
    let mut answered = false;
    for id in 10..20 {
        raw.send(&symbols(id));
        let deadline = Instant::now() + Duration::from_secs(2);
        while let Ok(m) = raw
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            raw.seen.push(m);
        }
        if raw.seen.iter().any(|m| m["id"] == id && m["result"] == json!([])) {
            answered = true;
            break;
        }
    }
    assert!(
        answered,
        "the server never recovered; {}: {:#?}",
        raw.exit_status(),
        raw.seen
    );
    // Too long: the body swallows the start of the next message; what follows still works.
    let mut long = format!("Content-Length: {}\r\n\r\n", body.len() + 40).into_bytes();
    long.extend_from_slice(&body);
    raw.send(&long);
    raw.send(&symbols(30));
    std::thread::sleep(Duration::from_millis(300));
    let mut answered = false;
    for id in 40..50 {
        raw.send(&symbols(id));
        let deadline = Instant::now() + Duration::from_secs(2);
        while let Ok(m) = raw
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            raw.seen.push(m);
        }
        if raw.seen.iter().any(|m| m["id"] == id && m["result"] == json!([])) {
            answered = true;
            break;
        }
    }
    assert!(
        answered,
        "the server never recovered after a long body; {}: {:#?}",
        raw.exit_status(),
        raw.seen
    );
    assert_eq!(raw.finish(), Some(0));
}

#[test]
fn absurd_content_length_does_not_allocate_or_hang() {
    let mut raw = Raw::spawn();
    raw.initialize();
    raw.send(b"Content-Length: 99999999999999\r\n\r\n{}");
    // Whatever the server makes of it, closing stdin ends it promptly, without a crash.
    drop(raw.stdin.take());
    let code = raw.wait_exit();
    assert!(code == Some(1) || code == Some(0), "exit code {code:?}");
}

// ------------------------------------------------------------------------------ methods

#[test]
fn unknown_methods_and_invalid_params() {
    let mut raw = Raw::spawn();
    raw.initialize();
    raw.send(&request(2, "alchemy/noSuchThing", json!({})));
    let r = raw.response(json!(2));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // Unknown notifications (with and without `$/`) are ignored: no answer at all.
    raw.send(&notification("alchemy/noSuchNotification", json!({ "x": 1 })));
    raw.send(&notification("$/setTrace", json!({ "value": "verbose" })));
    raw.send(&notification("$/cancelRequest", json!({ "id": 12345 })));
    // Wrong params: an error for the request, nothing else broken.
    raw.send(&request(4, "textDocument/hover", json!({ "nope": 1 })));
    let r = raw.response(json!(4));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    raw.send(&request(5, "textDocument/hover", json!([1, 2, 3])));
    let r = raw.response(json!(5));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    raw.send(&request(6, "textDocument/hover", Value::Null));
    let r = raw.response(json!(6));
    assert!(r.get("error").is_some(), "{r}");
    // Notifications with wrong params are dropped.
    raw.send(&notification(
        "textDocument/didOpen",
        json!({ "textDocument": 5 }),
    ));
    raw.send(&notification(
        "textDocument/didChange",
        json!({ "contentChanges": "x" }),
    ));
    assert_alive(&mut raw, 7);
    raw.drain(Duration::from_millis(200));
    let answered_notifications = raw
        .seen
        .iter()
        .filter(|m| m.get("method").is_none() && m["id"].is_null())
        .count();
    assert_eq!(
        answered_notifications, 0,
        "notifications must not be answered: {:#?}",
        raw.seen
    );
    assert_eq!(raw.finish(), Some(0));
}

/// The spec: a request whose method starts with `$/` and that the server does not know must
/// be answered with MethodNotFound (only notifications may be ignored), or the client waits
/// forever.
#[test]
fn unknown_dollar_request_is_answered() {
    let mut raw = Raw::spawn();
    raw.initialize();
    raw.send(&request(3, "$/unknownRequest", json!({})));
    let r = raw.response(json!(3));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // A string id, and a method tower-lsp knows as a notification sent as a request.
    raw.send(&frame(
        &json!({ "jsonrpc": "2.0", "id": "x", "method": "$/otherRequest" }),
    ));
    let r = raw.response(json!("x"));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    raw.send(&request(4, "$/cancelRequest", json!({ "id": 1 })));
    let r = raw.response(json!(4));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    assert_alive(&mut raw, 5);
    assert_eq!(raw.finish(), Some(0));
}

/// Headers besides Content-Length (any Content-Type, in any order, names in any case) and
/// blank lines between messages are accepted.
#[test]
fn other_headers_and_blank_lines_between_messages() {
    let mut raw = Raw::spawn();
    raw.initialize();
    let body = serde_json::to_vec(
        &json!({ "jsonrpc": "2.0", "id": 2, "method": "workspace/symbol", "params": { "query": "" } }),
    )
    .unwrap();
    let mut bytes = format!(
        "Content-Type: application/vscode-jsonrpc\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(&body);
    bytes.extend_from_slice(b"\r\n\r\n");
    raw.send(&bytes);
    let r = raw.response(json!(2));
    assert_eq!(r["result"], json!([]), "{r}");
    assert_alive(&mut raw, 3);
    assert_eq!(raw.finish(), Some(0));
}

#[test]
fn lifecycle_out_of_order() {
    let mut raw = Raw::spawn();
    // Notifications before initialize are dropped; shutdown before initialize is refused.
    raw.send(&notification(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": "file:///a.ts", "languageId": "typescript", "version": 1, "text": "x" } }),
    ));
    raw.send(&request(2, "shutdown", Value::Null));
    let r = raw.response(json!(2));
    assert_eq!(r["error"]["code"], -32002, "{r}");
    raw.initialize();
    // A second initialize is an error.
    raw.send(&request(3, "initialize", json!({ "capabilities": {} })));
    let r = raw.response(json!(3));
    assert!(r.get("error").is_some(), "{r}");
    assert_alive(&mut raw, 4);
    // After shutdown, requests are refused, and exit gives 0.
    raw.send(&request(5, "shutdown", Value::Null));
    let _ = raw.response(json!(5));
    raw.send(&symbols(6));
    let r = raw.response(json!(6));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    raw.send(&notification("exit", Value::Null));
    assert_eq!(raw.wait_exit(), Some(0));
}

/// Child processes of `pid` (from /proc).
#[cfg(target_os = "linux")]
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) {
            // pid (comm) state ppid …; comm may contain spaces, so split after ')'.
            let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
            let ppid: Option<u32> = after.split_whitespace().nth(1).and_then(|s| s.parse().ok());
            if ppid == Some(pid) {
                out.push(p);
            }
        }
    }
    out
}

#[cfg(target_os = "linux")]
#[test]
fn exit_codes_and_no_orphans() {
    // exit without shutdown → 1; the process is gone and left no child behind.
    let mut raw = Raw::spawn();
    raw.initialize();
    raw.send(&symbols(2));
    let _ = raw.response(json!(2));
    let pid = raw.child.id();
    assert_eq!(children(pid), Vec::<u32>::new(), "the server spawns no processes");
    raw.send(&notification("exit", Value::Null));
    assert_eq!(raw.wait_exit(), Some(1));
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}/status")).exists() || {
            // reaped by wait_exit: the pid may have been reused, but not as our child
            !children(std::process::id()).contains(&pid)
        }
    );
    // stdin closed without exit → 1, promptly.
    let mut raw = Raw::spawn();
    raw.initialize();
    drop(raw.stdin.take());
    assert_eq!(raw.wait_exit(), Some(1));
    // shutdown + exit → 0 (also while an analysis is running).
    let fx = Fixture::new("//- /package.json\n{}\n//- /alchemy.run.ts\nimport 'alchemy';\n");
    let mut raw = Raw::spawn();
    raw.send(&request(
        1,
        "initialize",
        json!({ "capabilities": {}, "rootUri": file_uri(&fx.root) }),
    ));
    let _ = raw.response(json!(1));
    raw.send(&notification("initialized", json!({})));
    assert_eq!(raw.finish(), Some(0));
}

// ------------------------------------------------------------------------------ positions

#[test]
fn requests_far_past_the_end_of_a_document() {
    let fx = Fixture::new("//- /a.ts\n");
    let mut s = TestServer::spawn();
    s.initialize(Init {
        root: Some(fx.root.clone()),
        ..Init::default()
    });
    let uri = file_uri(&fx.path("a.ts"));
    s.open(
        &uri,
        "import * as Cloudflare from \"alchemy/Cloudflare\";\nexport class W extends Cloudflare.Worker<W>()(\"W\", { main: import.meta.filename }) {}\n",
    );
    let unopened = file_uri(&fx.path("never-opened.ts"));
    for (line, character) in [
        (0, 10_000),
        (1, u32::MAX),
        (10_000, 0),
        (u32::MAX, u32::MAX),
        (2, 1),
    ] {
        for u in [&uri, &unopened] {
            let pos =
                json!({ "textDocument": { "uri": u }, "position": { "line": line, "character": character } });
            for method in [
                "textDocument/hover",
                "textDocument/definition",
                "textDocument/implementation",
                "textDocument/completion",
            ] {
                let r = s.request(method, pos.clone());
                assert!(r.is_ok(), "{method} at ({line},{character}): {r:?}");
            }
            let mut refs = pos.clone();
            refs["context"] = json!({ "includeDeclaration": true });
            assert!(s.request("textDocument/references", refs).is_ok());
            let range = json!({ "start": { "line": line, "character": character }, "end": { "line": 0, "character": 0 } });
            let r = s.request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": u }, "range": range, "context": { "diagnostics": [] } }),
            );
            assert!(r.is_ok(), "codeAction: {r:?}");
        }
    }
    for method in ["textDocument/documentSymbol", "textDocument/codeLens"] {
        let r = s.request(method, json!({ "textDocument": { "uri": unopened } }));
        assert!(r.is_ok(), "{method}: {r:?}");
    }
    s.shutdown();
}

// ------------------------------------------------------------------------------ volume

/// 10,000 messages without waiting: edits, requests of every kind, cancellations and an
/// injected panic in the middle. Every request is answered (with a result, "content
/// modified" or "request cancelled"), the document ends up right, and the session ends
/// with exit code 0.
#[test]
fn flood_of_ten_thousand_messages() {
    let fx = Fixture::new("//- /a.ts\n");
    let mut s = TestServer::spawn();
    s.initialize(Init {
        root: Some(fx.root.clone()),
        ..Init::default()
    });
    let uri = file_uri(&fx.path("a.ts"));
    let header = "import * as Cloudflare from \"alchemy/Cloudflare\";\n";
    s.open(&uri, header);
    let mut ids = Vec::new();
    let mut expected = header.to_string();
    let mut sent = 1;
    let mut version = 1;
    while sent < 10_000 {
        let line = expected.matches('\n').count() as u32;
        match sent % 5 {
            0 | 1 => {
                version += 1;
                let text = if sent % 10 == 0 { "\n" } else { "x" };
                let col = expected.rsplit('\n').next().unwrap().encode_utf16().count() as u32;
                s.change(&uri, version, [line, col, line, col], text);
                expected.push_str(text);
            }
            2 => {
                let pos = json!({ "textDocument": { "uri": uri }, "position": { "line": line / 2, "character": 3 } });
                let method = [
                    "textDocument/hover",
                    "textDocument/completion",
                    "textDocument/definition",
                ][sent % 3];
                ids.push(s.send_request(method, pos));
            }
            3 => {
                let id = s.send_request("workspace/symbol", json!({ "query": "W" }));
                ids.push(id);
                if sent % 7 == 0 {
                    s.notify("$/cancelRequest", json!({ "id": id }));
                }
            }
            _ => {
                if sent == 5_004 {
                    ids.push(s.send_request("alchemy/debugPanic", json!({})));
                } else {
                    s.notify("workspace/didChangeConfiguration", json!({ "settings": {} }));
                }
            }
        }
        sent += 1;
    }
    let mut errors = 0;
    for id in ids {
        if let Err(e) = s.response(id) {
            errors += 1;
            let code = e["code"].as_i64().unwrap();
            assert!(
                [-32801, -32800, -32603].contains(&code),
                "unexpected error for request {id}: {e}"
            );
        }
    }
    assert!(errors >= 1, "the injected panic is an error");
    let doc = s.document_text(&uri);
    assert_eq!(doc["text"].as_str().unwrap(), expected);
    assert_eq!(doc["version"], version);
    s.shutdown();
}
