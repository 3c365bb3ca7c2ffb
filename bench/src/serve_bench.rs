//! The language-server measurements: initialize → first diagnostics, RSS after indexing,
//! `didChange` → `publishDiagnostics` latency (with the expected diagnostic appearing and
//! disappearing), and completion latency inside `.from(`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::lsp::{Client, codes, file_uri, is_publish_for, position};
use crate::synth::Manifest;

#[derive(Debug, Clone, Default)]
pub struct ServeResult {
    /// `initialize` sent → first `publishDiagnostics`.
    pub first_diagnostics: Duration,
    /// `initialize` sent → no more diagnostics for 1 s (minus that second).
    pub settled: Duration,
    pub rss_kib: u64,
    pub hwm_kib: u64,
    /// Per-rule counts over the workspace after indexing (latest publish per file).
    pub counts: BTreeMap<String, usize>,
    pub edits: Vec<Duration>,
    /// Edits whose expected diagnostic change never arrived (timeout).
    pub missed_edits: usize,
    pub completions: Vec<Duration>,
    /// Did the completion list offer the host?
    pub completion_ok: bool,
    pub errors: Vec<String>,
}

const EDIT_TIMEOUT: Duration = Duration::from_secs(10);

fn text_edit(text: &mut String, at: usize, old_len: usize, new: &str) -> Value {
    let (sl, sc) = position(text, at);
    let (el, ec) = position(text, at + old_len);
    text.replace_range(at..at + old_len, new);
    json!({ "range": { "start": { "line": sl, "character": sc }, "end": { "line": el, "character": ec } }, "text": new })
}

/// Byte offset of the Deps slot's DO name in the host's class heritage.
fn deps_offset(text: &str, m: &Manifest, current: &str) -> Option<usize> {
    let class_at = text.find(&format!("class {} extends", m.lsp.host_class))?;
    let open = class_at + text[class_at..].find('<')?;
    let close = open + text[open..].find(">()")?;
    text[open..close].find(current).map(|i| open + i)
}

pub fn run(
    bin: &Path,
    root: &Path,
    m: &Manifest,
    edits: usize,
    completions: usize,
) -> Result<ServeResult, String> {
    let root = root.canonicalize().map_err(|e| e.to_string())?;
    let host_path = root.join(&m.lsp.host_file);
    let consumer_path = root.join(&m.lsp.consumer_file);
    let host_uri = file_uri(&host_path);
    let consumer_uri = file_uri(&consumer_path);
    let mut host_text = std::fs::read_to_string(&host_path).map_err(|e| e.to_string())?;
    let consumer_text = std::fs::read_to_string(&consumer_path).map_err(|e| e.to_string())?;

    let mut c = Client::spawn(bin).map_err(|e| format!("cannot start {} serve: {e}", bin.display()))?;
    let mut r = ServeResult::default();
    let start = Instant::now();
    let id = c
        .request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": file_uri(&root),
                "workspaceFolders": [{ "uri": file_uri(&root), "name": "bench" }],
                "capabilities": {
                    "general": { "positionEncodings": ["utf-16"] },
                    "textDocument": {
                        "synchronization": { "dynamicRegistration": false },
                        "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
                        "completion": { "completionItem": { "snippetSupport": false } }
                    },
                    "workspace": { "workspaceFolders": true, "configuration": true }
                }
            }),
        )
        .map_err(|e| e.to_string())?;
    c.response(id, Duration::from_secs(30))
        .ok_or("no answer to initialize within 30 s")?;
    c.notify("initialized", json!({})).map_err(|e| e.to_string())?;
    for (uri, text) in [(&host_uri, &host_text), (&consumer_uri, &consumer_text)] {
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "typescript", "version": 1, "text": text } }),
        )
        .map_err(|e| e.to_string())?;
    }
    let is_publish =
        |m: &Value| m.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics");
    let (first_at, first) = c
        .wait_for(Duration::from_secs(120), is_publish)
        .ok_or("no publishDiagnostics within 120 s of initialize")?;
    r.first_diagnostics = first_at - start;
    let mut latest: HashMap<String, Vec<String>> = HashMap::new();
    let mut last_at = first_at;
    let mut record = |at: Instant, msg: &Value, latest: &mut HashMap<String, Vec<String>>| {
        if is_publish(msg)
            && let Some(uri) = msg.pointer("/params/uri").and_then(Value::as_str)
        {
            latest.insert(uri.to_string(), codes(msg));
            last_at = last_at.max(at);
        }
    };
    record(first_at, &first, &mut latest);
    for (at, msg) in c.drain_until_quiet(Duration::from_secs(1), Duration::from_secs(60)) {
        record(at, &msg, &mut latest);
    }
    r.settled = last_at - start;
    for codes in latest.values() {
        for code in codes {
            *r.counts.entry(code.clone()).or_insert(0) += 1;
        }
    }
    if let Some((rss, hwm)) = crate::machine::proc_rss_kib(c.pid()) {
        r.rss_kib = rss;
        r.hwm_kib = hwm;
    }
    if latest
        .get(&consumer_uri)
        .is_some_and(|c| c.iter().any(|c| c == "from-non-host"))
    {
        r.errors
            .push("the consumer file has a from-non-host before any edit".into());
    }

    // Edits to the host: toggle the DO in its Deps (the consumer's from-non-host appears and
    // disappears), and rename a stub method (the host's unknown-rpc-method appears and
    // disappears).
    let do_class = m.lsp.do_class.as_str();
    let method = format!(".{}(", m.lsp.host_method);
    let typo = format!(".{}All(", m.lsp.host_method);
    let mut version = 1;
    for i in 0..edits {
        let (change, uri, rule, appears) = match i % 4 {
            0 => {
                let at = deps_offset(&host_text, m, do_class).ok_or("Deps slot not found in the host")?;
                (
                    text_edit(&mut host_text, at, do_class.len(), "never"),
                    &consumer_uri,
                    "from-non-host",
                    true,
                )
            }
            1 => {
                let at = deps_offset(&host_text, m, "never").ok_or("`never` Deps not found in the host")?;
                (
                    text_edit(&mut host_text, at, "never".len(), do_class),
                    &consumer_uri,
                    "from-non-host",
                    false,
                )
            }
            2 => {
                let at = host_text.find(&method).ok_or("stub call not found in the host")?;
                (
                    text_edit(&mut host_text, at, method.len(), &typo),
                    &host_uri,
                    "unknown-rpc-method",
                    true,
                )
            }
            _ => {
                let at = host_text
                    .find(&typo)
                    .ok_or("renamed stub call not found in the host")?;
                (
                    text_edit(&mut host_text, at, typo.len(), &method),
                    &host_uri,
                    "unknown-rpc-method",
                    false,
                )
            }
        };
        // Forget what arrived before this edit.
        let _ = c.drain_until_quiet(Duration::from_millis(0), Duration::from_millis(0));
        version += 1;
        let sent = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": host_uri, "version": version }, "contentChanges": [change] }),
        )
        .map_err(|e| e.to_string())?;
        let got = c.wait_for(EDIT_TIMEOUT, |msg| {
            is_publish_for(msg, uri) && codes(msg).iter().any(|c| c == rule) == appears
        });
        match got {
            Some((at, _)) => r.edits.push(at - sent),
            None => {
                r.missed_edits += 1;
                r.errors.push(format!(
                    "edit {i}: {rule} never {} in {}",
                    if appears { "appeared" } else { "disappeared" },
                    if uri == &host_uri {
                        &m.lsp.host_file
                    } else {
                        &m.lsp.consumer_file
                    }
                ));
                if r.missed_edits > 3 {
                    break;
                }
            }
        }
    }
    // Let the last round finish before timing requests.
    let _ = c.drain_until_quiet(Duration::from_millis(300), Duration::from_secs(10));

    let from = format!("{do_class}.from(");
    let at = consumer_text
        .find(&from)
        .ok_or("`.from(` not found in the consumer")?
        + from.len();
    let (line, character) = position(&consumer_text, at);
    for _ in 0..completions {
        let sent = Instant::now();
        let id = c
            .request(
                "textDocument/completion",
                json!({ "textDocument": { "uri": consumer_uri }, "position": { "line": line, "character": character } }),
            )
            .map_err(|e| e.to_string())?;
        let Some((at, resp)) = c.response(id, Duration::from_secs(10)) else {
            r.errors.push("completion timed out".into());
            break;
        };
        r.completions.push(at - sent);
        let items = resp
            .pointer("/result/items")
            .or_else(|| resp.get("result"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        r.completion_ok = items
            .iter()
            .any(|it| it.get("label").and_then(Value::as_str) == Some(m.lsp.host_class.as_str()));
    }
    if !r.completion_ok {
        r.errors
            .push(format!("completion in {from} did not offer {}", m.lsp.host_class));
    }
    c.shutdown();
    Ok(r)
}
