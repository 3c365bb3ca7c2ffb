//! The stdin side of the protocol: our own framing in front of tower-lsp-server's.
//!
//! tower-lsp-server 0.22 reads stdin through tokio-util's `FramedRead`, which ends the stream at
//! the first decode error (a bad Content-Length, a body that is not JSON, JSON that is not a
//! JSON-RPC message): one malformed frame ended the session. It also drops, unanswered, every
//! unknown method under `$/`, requests included, so the client waits forever.
//!
//! So a thread reads stdin itself ([`spawn_stdin_reader`]): [`FrameReader`] cuts the bytes into
//! bodies (and resynchronises on the next `Content-Length` after a bad header), [`classify`]
//! checks every body with tower-lsp's own message types, and only frames tower-lsp can decode
//! reach it, re-encoded with a single `Content-Length` header, through a channel
//! ([`FrameStream`], its `AsyncRead` stdin).
//!
//! Errors are answered without a second writer on stdout: tower-lsp owns stdout, and writing
//! there from this thread too could interleave bytes with its responses (or need a frame-level
//! multiplexer over its output). Instead an invalid *request* is rewritten into a request of
//! [`REJECT_METHOD`] with the same id, whose handler ([`reject`]) answers with the JSON-RPC error
//! we choose: tower-lsp writes that response like any other. A message without a usable id (a
//! body that is not JSON, an object id, a bare string, a malformed response) cannot be
//! answered that way and is dropped with a line on stderr. JSON-RPC would answer a parse error
//! with `id: null`, but tower-lsp tracks pending requests by id and answers a second pending
//! `null` with InvalidRequest, so two parse errors in a row would race; and no client waits
//! for an answer to a message it could not have given an id.

use std::borrow::Cow;
use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response, Result};

/// The internal method an invalid request is rewritten to (see the module docs).
pub const REJECT_METHOD: &str = "alchemy/$rejected";

/// The internal notification that reports a message the server could not use (see
/// [`process`]): its handler logs the reason to the client (`window/logMessage`).
pub const DROPPED_METHOD: &str = "alchemy/$dropped";

/// A body over this many bytes is refused (its header counts as bad).
pub const MAX_BODY: u64 = 256 * 1024 * 1024;

/// A header section (up to its blank line) over this many bytes is refused.
pub const MAX_HEADER: usize = 8 * 1024;

/// What resynchronisation scans for (case-insensitively).
const CONTENT_LENGTH: &[u8] = b"content-length";

/// What [`FrameReader`] found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A complete body, as long as its Content-Length said.
    Body(Vec<u8>),
    /// A bad header section: the reader now skips to the next `Content-Length`.
    BadHeader(String),
}

/// Cuts a byte stream into message bodies (`Content-Length: N\r\n…\r\n\r\n` + N bytes).
///
/// Lenient where it costs nothing: header names are case-insensitive, other headers
/// (Content-Type) are ignored, a bare `\n` ends a line like `\r\n`, blank lines between messages
/// are skipped. A bad header section (a line that is not `Name: value`, no or a non-numeric
/// Content-Length, a length over [`MAX_BODY`], a section over [`MAX_HEADER`]) is reported once,
/// then everything up to the next `Content-Length` is skipped.
#[derive(Debug, Default)]
pub struct FrameReader {
    buf: Vec<u8>,
    /// Start of the unread part of `buf`.
    pos: usize,
    /// Skipping to the next `Content-Length` after a bad header.
    resyncing: bool,
}

enum Header {
    Incomplete,
    Bad(String),
    Complete { header_len: usize, content_len: usize },
}

impl FrameReader {
    pub fn new() -> FrameReader {
        FrameReader::default()
    }

    /// Append bytes read from the input.
    pub fn feed(&mut self, data: &[u8]) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Bytes received and not yet part of an event (a partial message at the end of input).
    pub fn pending(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next body or bad header, or `None` until more input is fed.
    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            let data = &self.buf[self.pos..];
            if self.resyncing {
                match find_ignore_case(data, CONTENT_LENGTH) {
                    Some(i) => {
                        self.pos += i;
                        self.resyncing = false;
                        continue;
                    }
                    None => {
                        // Keep what could be the start of a split `Content-Length`.
                        let keep = data.len().min(CONTENT_LENGTH.len() - 1);
                        self.pos += data.len() - keep;
                        return None;
                    }
                }
            }
            return match parse_header(data) {
                Header::Incomplete => None,
                Header::Bad(reason) => {
                    // Step past this header's own `Content-Length`, then scan for the next.
                    self.pos += 1;
                    self.resyncing = true;
                    Some(Event::BadHeader(reason))
                }
                Header::Complete {
                    header_len,
                    content_len,
                } => {
                    let end = header_len + content_len;
                    if data.len() < end {
                        return None;
                    }
                    let body = data[header_len..end].to_vec();
                    self.pos += end;
                    Some(Event::Body(body))
                }
            };
        }
    }
}

fn parse_header(data: &[u8]) -> Header {
    let mut pos = 0;
    let mut seen_line = false;
    let mut content_len = None;
    loop {
        let Some(nl) = memchr::memchr(b'\n', &data[pos..]) else {
            return if data.len() > MAX_HEADER {
                Header::Bad(format!("header section over {MAX_HEADER} bytes"))
            } else {
                Header::Incomplete
            };
        };
        let line = &data[pos..pos + nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        pos += nl + 1;
        if pos > MAX_HEADER {
            return Header::Bad(format!("header section over {MAX_HEADER} bytes"));
        }
        if line.is_empty() {
            if !seen_line {
                continue; // blank lines between messages
            }
            return match content_len {
                Some(n) => Header::Complete {
                    header_len: pos,
                    content_len: n,
                },
                None => Header::Bad("no Content-Length header".to_string()),
            };
        }
        seen_line = true;
        let Some(colon) = memchr::memchr(b':', line) else {
            return Header::Bad(format!("not a header line: {}", preview(line)));
        };
        let name = trim(&line[..colon]);
        let value = trim(&line[colon + 1..]);
        if name.is_empty() || !name.iter().all(|&b| is_token_char(b)) {
            return Header::Bad(format!("not a header line: {}", preview(line)));
        }
        if name.eq_ignore_ascii_case(CONTENT_LENGTH) {
            match parse_length(value) {
                Ok(n) => content_len = Some(n),
                Err(reason) => return Header::Bad(reason),
            }
        }
    }
}

fn parse_length(value: &[u8]) -> std::result::Result<usize, String> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(format!("Content-Length is not a number: {}", preview(value)));
    }
    let digits = std::str::from_utf8(value).unwrap_or_default();
    match digits.parse::<u64>() {
        Ok(n) if n <= MAX_BODY => usize::try_from(n).map_err(|_| format!("Content-Length {n} too large")),
        _ => Err(format!(
            "Content-Length {} over the limit of {MAX_BODY} bytes",
            preview(value)
        )),
    }
}

/// RFC 9110 `tchar`.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |e| e + 1);
    &s[start..end]
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// At most 60 bytes, lossily decoded and escaped, for a log line.
fn preview(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(60)];
    let text: String = String::from_utf8_lossy(cut).escape_debug().collect();
    if cut.len() < bytes.len() {
        format!("\"{text}\"…")
    } else {
        format!("\"{text}\"")
    }
}

/// What tower-lsp's codec decodes a body into (its `Message` is private): trying our bodies
/// with the very same types guarantees that what we forward never fails its decoder.
#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code, reason = "only deserialised, to check the body")]
enum Incoming {
    Response(Response),
    Request(Request),
}

/// What to do with one body.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// A message tower-lsp decodes and handles correctly: pass it on unchanged.
    Forward,
    /// A request to refuse with this error: rewritten into a [`REJECT_METHOD`] request.
    Reject { id: Id, code: i64, message: String },
    /// Nothing can be answered (no usable id): drop it, log the reason.
    Drop(String),
}

/// Check one body against what tower-lsp can decode and answer.
pub fn classify(body: &[u8]) -> Verdict {
    let Ok(text) = std::str::from_utf8(body) else {
        return Verdict::Drop(format!("body is not UTF-8: {}", preview(body)));
    };
    match serde_json::from_str::<Incoming>(text) {
        Ok(Incoming::Response(_)) => Verdict::Forward,
        Ok(Incoming::Request(req)) => match req.id() {
            // tower-lsp drops every unknown `$/` method, and the `$/` methods it knows are
            // notifications: a `$/` request is always unknown, and must be answered.
            Some(id) if req.method().starts_with("$/") || req.method() == REJECT_METHOD => Verdict::Reject {
                id: id.clone(),
                code: ErrorCode::MethodNotFound.code(),
                message: format!("Method not found: {}", req.method()),
            },
            _ => Verdict::Forward,
        },
        Err(_) => invalid_message(text, body),
    }
}

fn invalid_message(text: &str, body: &[u8]) -> Verdict {
    let value = match serde_json::from_str::<Value>(text) {
        Ok(v) => v,
        Err(e) => return Verdict::Drop(format!("body is not JSON ({e}): {}", preview(body))),
    };
    let Some(obj) = value.as_object() else {
        return Verdict::Drop(format!("not a JSON-RPC message object: {}", preview(body)));
    };
    // What is wrong, for the error message and the log.
    let reason = match (obj.get("jsonrpc"), obj.get("method")) {
        (None, _) => "missing \"jsonrpc\": \"2.0\"",
        (Some(v), _) if v.as_str() != Some("2.0") => "\"jsonrpc\" is not \"2.0\"",
        (_, Some(m)) if !m.is_string() => "\"method\" is not a string",
        _ if obj
            .get("id")
            .is_some_and(|id| serde_json::from_value::<Id>(id.clone()).is_err()) =>
        {
            "\"id\" is not an integer, a string or null"
        }
        _ => "not a valid JSON-RPC message",
    };
    // A (malformed) response is never answered; a request with a usable id always is.
    let is_response =
        !obj.contains_key("method") && (obj.contains_key("result") || obj.contains_key("error"));
    let id = obj
        .get("id")
        .and_then(|id| serde_json::from_value::<Id>(id.clone()).ok());
    match id {
        Some(id) if !is_response => Verdict::Reject {
            id,
            code: ErrorCode::InvalidRequest.code(),
            message: format!("Invalid request: {reason}"),
        },
        _ => Verdict::Drop(format!("{reason}, and no id to answer: {}", preview(body))),
    }
}

/// One frame as tower-lsp reads it: a Content-Length header and the body.
pub fn encode(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// The body of the request that makes tower-lsp answer `id` with this error.
pub fn rejection_body(id: &Id, code: i64, message: &str) -> Vec<u8> {
    let request = json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": REJECT_METHOD,
        "params": { "code": code, "message": message },
    });
    serde_json::to_vec(&request).unwrap_or_default()
}

/// The params of a [`REJECT_METHOD`] request.
#[derive(Debug, Deserialize)]
pub struct Rejection {
    pub code: i64,
    pub message: String,
}

/// The [`REJECT_METHOD`] handler: answer with the error the reader chose.
pub fn reject<S>(_server: &S, rejection: Rejection) -> std::future::Ready<Result<Value>> {
    std::future::ready(Err(Error {
        code: ErrorCode::from(rejection.code),
        message: Cow::Owned(rejection.message),
        data: None,
    }))
}

/// What becomes of one body: the frames to forward to tower-lsp, in order, and the lines to
/// log on stderr.
#[derive(Debug, Default)]
pub struct Outcome {
    pub frames: Vec<Vec<u8>>,
    pub logs: Vec<String>,
}

impl Outcome {
    /// A message the server cannot use: logged on stderr and reported to the client through a
    /// [`DROPPED_METHOD`] notification (never dropped silently).
    fn report(&mut self, reason: String) {
        self.frames.push(encode(&dropped_body(&reason)));
        self.logs.push(format!("dropped a message: {reason}"));
    }
}

/// The body of the notification that reports a dropped message.
pub fn dropped_body(reason: &str) -> Vec<u8> {
    let note = json!({ "jsonrpc": "2.0", "method": DROPPED_METHOD, "params": { "message": reason } });
    serde_json::to_vec(&note).unwrap_or_default()
}

/// Decide what to do with one body: repair lone UTF-16 surrogates, check it (see
/// [`classify`]), check the params of the notifications the server acts on (tower-lsp drops
/// a notification whose params do not decode without a word), normalise `initialize`.
pub fn process(body: &[u8]) -> Outcome {
    let mut out = Outcome::default();
    let repaired = repair_lone_surrogates(body);
    if repaired.is_some() {
        out.logs
            .push("replaced lone UTF-16 surrogate escapes by U+FFFD".to_string());
    }
    let body = repaired.as_deref().unwrap_or(body);
    match classify(body) {
        Verdict::Forward => match check_params(body) {
            Params::Fine => out.frames.push(encode(body)),
            Params::Rewritten(new, reason) => {
                out.frames.push(encode(&new));
                if let Some(reason) = reason {
                    out.report(reason);
                }
            }
            Params::Invalid(reason) => out.report(reason),
        },
        Verdict::Reject { id, code, message } => {
            out.logs.push(format!("refused request {id}: {message}"));
            out.frames.push(encode(&rejection_body(&id, code, &message)));
        }
        Verdict::Drop(reason) => out.report(reason),
    }
    out
}

/// A JSON text with every lone UTF-16 surrogate escape (`\ud83d` without its pair, or a
/// lone low half) replaced by `\ufffd`, or `None` if there is none. JavaScript's
/// `JSON.stringify` writes such escapes for strings cut inside a surrogate pair; serde_json
/// refuses them. U+FFFD is one UTF-16 unit, like the surrogate it replaces, so positions
/// computed by the client on its text stay right. Backslashes only occur inside strings in
/// valid JSON, so escapes are recognised without tracking strings.
pub fn repair_lone_surrogates(body: &[u8]) -> Option<Vec<u8>> {
    let hex4 = |at: usize| -> Option<u16> {
        let digits = body.get(at..at + 4)?;
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape_at = |at: usize| -> Option<u16> {
        if body.get(at) == Some(&b'\\') && body.get(at + 1) == Some(&b'u') {
            hex4(at + 2)
        } else {
            None
        }
    };
    let mut i = memchr::memmem::find(body, b"\\u")?;
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(unit) = escape_at(i) else {
            i += 2; // another escape (`\\`, `\"`, …): skip both bytes
            continue;
        };
        let lone = match unit {
            0xD800..=0xDBFF => !matches!(escape_at(i + 6), Some(0xDC00..=0xDFFF)),
            0xDC00..=0xDFFF => true,
            _ => false,
        };
        if lone {
            let buf = out.get_or_insert_with(|| Vec::with_capacity(body.len()));
            buf.extend_from_slice(&body[copied..i]);
            buf.extend_from_slice(b"\\ufffd");
            i += 6;
            copied = i;
        } else if (0xD800..=0xDBFF).contains(&unit) {
            i += 12; // a valid pair
        } else {
            i += 6;
        }
    }
    let mut buf = out?;
    buf.extend_from_slice(&body[copied..]);
    Some(buf)
}

/// The outcome of checking a forwarded message's params.
enum Params {
    Fine,
    /// Forward this body instead; report the reason if there is one.
    Rewritten(Vec<u8>, Option<String>),
    /// The notification cannot be applied: report it.
    Invalid(String),
}

#[derive(Deserialize)]
struct Head {
    method: Option<String>,
    #[serde(default)]
    id: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[allow(dead_code, reason = "only deserialised, to check the params")]
struct WithParams<P> {
    params: P,
}

fn decodes<P: serde::de::DeserializeOwned>(body: &[u8]) -> std::result::Result<(), String> {
    serde_json::from_slice::<WithParams<P>>(body)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn check_params(body: &[u8]) -> Params {
    use tower_lsp_server::lsp_types as lsp;
    let Ok(head) = serde_json::from_slice::<Head>(body) else {
        return Params::Fine;
    };
    let Some(method) = head.method.as_deref() else {
        return Params::Fine;
    };
    if head.id.is_some() {
        return match method {
            "initialize" => match normalize_initialize(body) {
                Some(new) => Params::Rewritten(new, None),
                None => Params::Fine,
            },
            _ => Params::Fine,
        };
    }
    let checked = match method {
        "textDocument/didOpen" => decodes::<lsp::DidOpenTextDocumentParams>(body),
        "textDocument/didChange" => decodes::<lsp::DidChangeTextDocumentParams>(body),
        "textDocument/didClose" => decodes::<lsp::DidCloseTextDocumentParams>(body),
        "textDocument/didSave" => decodes::<lsp::DidSaveTextDocumentParams>(body),
        "workspace/didChangeConfiguration" => decodes::<lsp::DidChangeConfigurationParams>(body),
        "workspace/didChangeWorkspaceFolders" => decodes::<lsp::DidChangeWorkspaceFoldersParams>(body),
        "workspace/didChangeWatchedFiles" => return check_watched_files(body),
        _ => Ok(()),
    };
    match checked {
        Ok(()) => Params::Fine,
        Err(e) => Params::Invalid(format!(
            "{method} with params that do not decode ({e}); it was not applied{}",
            if method == "textDocument/didChange" {
                ": the document may now differ from the editor's, reopen it"
            } else {
                ""
            }
        )),
    }
}

/// `workspace/didChangeWatchedFiles`: events that do not decode (a bad URI) are left out and
/// reported, the others are applied (tower-lsp would drop the whole batch).
fn check_watched_files(body: &[u8]) -> Params {
    use tower_lsp_server::lsp_types::FileEvent;
    if decodes::<tower_lsp_server::lsp_types::DidChangeWatchedFilesParams>(body).is_ok() {
        return Params::Fine;
    }
    let Ok(mut v) = serde_json::from_slice::<Value>(body) else {
        return Params::Invalid("workspace/didChangeWatchedFiles that is not JSON".into());
    };
    let Some(changes) = v
        .get_mut("params")
        .and_then(|p| p.get_mut("changes"))
        .and_then(Value::as_array_mut)
    else {
        return Params::Invalid("workspace/didChangeWatchedFiles without a changes array".into());
    };
    let before = changes.len();
    changes.retain(|c| serde_json::from_value::<FileEvent>(c.clone()).is_ok());
    let left_out = before - changes.len();
    let reason = format!(
        "workspace/didChangeWatchedFiles: {left_out} of {before} events do not decode (bad URI or type); the others were applied"
    );
    match serde_json::to_vec(&v) {
        Ok(new) => Params::Rewritten(new, Some(reason)),
        Err(e) => Params::Invalid(format!("workspace/didChangeWatchedFiles: {e}")),
    }
}

/// LSP 3.17 declares diagnostic refresh support under `workspace.diagnostics`; lsp-types 0.97
/// (tower-lsp-server 0.22's types) reads `workspace.diagnostic`. Copy the spec's key over
/// when only it is present, so that the typed capabilities see it.
pub fn normalize_initialize(body: &[u8]) -> Option<Vec<u8>> {
    let mut v: Value = serde_json::from_slice(body).ok()?;
    let ws = v
        .get_mut("params")?
        .get_mut("capabilities")?
        .get_mut("workspace")?
        .as_object_mut()?;
    if ws.contains_key("diagnostic") {
        return None;
    }
    let spec = ws.get("diagnostics")?.clone();
    ws.insert("diagnostic".to_string(), spec);
    serde_json::to_vec(&v).ok()
}

/// Read `input` to its end: forward every acceptable frame (re-encoded, rewritten into a
/// rejection, or a report of what could not be used) to `forward`, which returns false once
/// the server is gone; `log` what is refused or dropped.
pub fn pump(mut input: impl Read, mut forward: impl FnMut(Vec<u8>) -> bool, mut log: impl FnMut(&str)) {
    let mut reader = FrameReader::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                log(&format!("cannot read stdin: {e}"));
                return;
            }
        };
        reader.feed(&chunk[..n]);
        while let Some(event) = reader.next_event() {
            let outcome = match event {
                Event::BadHeader(reason) => {
                    let mut out = Outcome::default();
                    out.report(format!(
                        "bad message header ({reason}), skipping to the next Content-Length"
                    ));
                    out
                }
                Event::Body(body) => process(&body),
            };
            for line in &outcome.logs {
                log(line);
            }
            for frame in outcome.frames {
                if !forward(frame) {
                    return;
                }
            }
        }
    }
    if reader.pending() > 0 {
        log(&format!(
            "stdin closed inside a message ({} bytes left)",
            reader.pending()
        ));
    }
}

/// tower-lsp's stdin: the frames [`pump`] forwards, as a byte stream; end of input when the
/// pump ends.
#[derive(Debug)]
pub struct FrameStream {
    rx: mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl FrameStream {
    pub fn new(rx: mpsc::Receiver<Vec<u8>>) -> FrameStream {
        FrameStream {
            rx,
            chunk: Vec::new(),
            pos: 0,
        }
    }
}

impl AsyncRead for FrameStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while this.pos == this.chunk.len() {
            match this.rx.poll_recv(cx) {
                Poll::Ready(Some(chunk)) => {
                    this.chunk = chunk;
                    this.pos = 0;
                }
                Poll::Ready(None) => return Poll::Ready(Ok(())), // end of input
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = buf.remaining().min(this.chunk.len() - this.pos);
        buf.put_slice(&this.chunk[this.pos..this.pos + n]);
        this.pos += n;
        Poll::Ready(Ok(()))
    }
}

/// Start the thread that pumps the process's stdin; tower-lsp reads the returned stream.
/// The thread ends at the end of stdin (the stream then ends too) or when the stream is
/// dropped; at exit it may still be blocked in a read, which is fine (the process exits).
pub fn spawn_stdin_reader() -> io::Result<FrameStream> {
    let (tx, rx) = mpsc::channel(64);
    std::thread::Builder::new()
        .name("alchemy-ls-stdin".to_string())
        .spawn(move || {
            pump(
                io::stdin().lock(),
                |frame| tx.blocking_send(frame).is_ok(),
                |message| eprintln!("alchemy-ls: {message}"),
            );
        })?;
    Ok(FrameStream::new(rx))
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// Feed `chunks` one by one, collecting every event as a line.
    fn events(chunks: &[&[u8]]) -> Vec<String> {
        let mut reader = FrameReader::new();
        let mut out = Vec::new();
        for chunk in chunks {
            reader.feed(chunk);
            while let Some(e) = reader.next_event() {
                out.push(match e {
                    Event::Body(b) => format!("body {}", String::from_utf8_lossy(&b)),
                    Event::BadHeader(reason) => format!("bad {reason}"),
                });
            }
        }
        out
    }

    /// Name, input chunks, expected events.
    type ReaderCase<'a> = (&'a str, Vec<&'a [u8]>, Vec<String>);

    /// Every case, fed as given, in one piece, and one byte at a time, gives the same events.
    #[test]
    fn frame_reader_cases() {
        let emoji = r#"{"t":"😀 é 中"}"#;
        let emoji_frame = frame(emoji);
        let arr = frame("[]");
        let huge_then_frame = format!("Content-Length: 99999999999999\r\n\r\n{{}}{}", frame("[]"));
        let over_limit = format!("Content-Length: {}\r\n\r\n{{}}{}", MAX_BODY + 1, frame("[]"));
        let long_line = format!("{}{}", "A".repeat(9000), frame("{}"));
        let too_short = format!("Content-Length: 5\r\n\r\n{{\"a\":1}}{}", frame("{}"));
        let too_long = format!("Content-Length: 10\r\n\r\n{{}}{}{}", frame("{}"), frame("[]"));
        let two = format!("{}{}", frame("{}"), frame("[1]"));
        let garbage = format!("{}garbage\r\n\r\n{}", frame("{}"), frame("[]"));
        let cases: Vec<ReaderCase> = vec![
            (
                "one frame",
                vec![b"Content-Length: 2\r\n\r\n{}"],
                vec!["body {}".into()],
            ),
            (
                "two frames in one read",
                vec![two.as_bytes()],
                vec!["body {}".into(), "body [1]".into()],
            ),
            (
                "header split across reads",
                vec![b"Content-Len", b"gth: 2\r", b"\n\r", b"\n{", b"}"],
                vec!["body {}".into()],
            ),
            (
                "Content-Type after and before",
                vec![
                    b"Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}",
                    b"Content-Type: application/vscode-jsonrpc; charset=utf8\r\nContent-Length: 2\r\n\r\n[]",
                ],
                vec!["body {}".into(), "body []".into()],
            ),
            (
                "case-insensitive name, spaces and tabs around the value",
                vec![b"content-LENGTH: \t 2 \r\n\r\n{}"],
                vec!["body {}".into()],
            ),
            (
                "bare LF line ends",
                vec![b"Content-Length: 2\n\n{}"],
                vec!["body {}".into()],
            ),
            (
                "blank lines between messages",
                vec![b"\r\n\r\nContent-Length: 2\r\n\r\n{}\r\n\nContent-Length: 2\r\n\r\n[]"],
                vec!["body {}".into(), "body []".into()],
            ),
            (
                "UTF-8 body: the length counts bytes",
                vec![emoji_frame.as_bytes(), emoji_frame.as_bytes()],
                vec![format!("body {emoji}"), format!("body {emoji}")],
            ),
            (
                "a body holding header-like text is opaque",
                vec![b"Content-Length: 25\r\n\r\nx\r\n\r\nContent-Length: 99\r\n"],
                vec!["body x\r\n\r\nContent-Length: 99\r\n".into()],
            ),
            (
                "empty body",
                vec![b"Content-Length: 0\r\n\r\n"],
                vec!["body ".into()],
            ),
            (
                "garbage between frames",
                vec![garbage.as_bytes()],
                vec![
                    "body {}".into(),
                    "bad not a header line: \"garbage\"".into(),
                    "body []".into(),
                ],
            ),
            (
                "garbage glued to a header",
                vec![b"xx}}Content-Length: 2\r\n\r\n{}"],
                vec![
                    "bad not a header line: \"xx}}Content-Length: 2\"".into(),
                    "body {}".into(),
                ],
            ),
            (
                "non-numeric length",
                vec![b"Content-Length: lots\r\n\r\n{}", arr.as_bytes()],
                vec![
                    "bad Content-Length is not a number: \"lots\"".into(),
                    "body []".into(),
                ],
            ),
            (
                "negative length",
                vec![b"Content-Length: -1\r\n\r\n", arr.as_bytes()],
                vec![
                    "bad Content-Length is not a number: \"-1\"".into(),
                    "body []".into(),
                ],
            ),
            (
                "no Content-Length",
                vec![
                    b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}",
                    arr.as_bytes(),
                ],
                vec!["bad no Content-Length header".into(), "body []".into()],
            ),
            (
                "huge length",
                vec![huge_then_frame.as_bytes()],
                vec![
                    "bad Content-Length \"99999999999999\" over the limit of 268435456 bytes".into(),
                    "body []".into(),
                ],
            ),
            (
                "just over the limit",
                vec![over_limit.as_bytes()],
                vec![
                    "bad Content-Length \"268435457\" over the limit of 268435456 bytes".into(),
                    "body []".into(),
                ],
            ),
            (
                "length too short: the rest is garbage before the next header",
                vec![too_short.as_bytes()],
                vec![
                    "body {\"a\":".into(),
                    "bad not a header line: \"1}Content-Length: 2\"".into(),
                    "body {}".into(),
                ],
            ),
            (
                "length too long: the body swallows the next header",
                vec![too_long.as_bytes()],
                vec![
                    "body {}Content-".into(),
                    "bad no Content-Length header".into(),
                    "body []".into(),
                ],
            ),
            (
                "header section without an end",
                vec![long_line.as_bytes()],
                vec!["bad header section over 8192 bytes".into(), "body {}".into()],
            ),
            (
                "incomplete at the end",
                vec![b"Content-Length: 10\r\n\r\n{}"],
                vec![],
            ),
            (
                "a limit-sized body is waited for",
                vec![b"Content-Length: 268435456\r\n\r\n{}"],
                vec![],
            ),
            (
                "space in a header name",
                vec![b"Content Length: 2\r\n\r\n{}", arr.as_bytes()],
                vec![
                    "bad not a header line: \"Content Length: 2\"".into(),
                    "body []".into(),
                ],
            ),
        ];
        for (name, chunks, expected) in cases {
            assert_eq!(events(&chunks), expected, "{name}: as given");
            let whole = chunks.concat();
            assert_eq!(events(&[&whole]), expected, "{name}: in one piece");
            let bytes: Vec<&[u8]> = whole.chunks(1).collect();
            assert_eq!(events(&bytes), expected, "{name}: byte by byte");
        }
    }

    #[test]
    fn incomplete_input_is_pending() {
        let mut reader = FrameReader::new();
        reader.feed(b"Content-Length: 10\r\n\r\n{}");
        assert_eq!(reader.next_event(), None);
        assert_eq!(reader.pending(), 24);
        reader.feed(b"[1,2,3,4]");
        assert_eq!(reader.next_event(), Some(Event::Body(b"{}[1,2,3,4".to_vec())));
        assert_eq!(reader.pending(), 1);
    }

    #[test]
    fn resynchronisation_keeps_little_of_a_garbage_stream() {
        let mut reader = FrameReader::new();
        reader.feed(b"garbage\r\n");
        assert!(matches!(reader.next_event(), Some(Event::BadHeader(_))));
        for _ in 0..1000 {
            reader.feed(&[b'x'; 1000]);
            assert_eq!(reader.next_event(), None);
            assert!(reader.pending() < CONTENT_LENGTH.len(), "{}", reader.pending());
        }
        // A `Content-Length` split over two reads is still found.
        reader.feed(b"xxConTent-");
        assert_eq!(reader.next_event(), None);
        reader.feed(b"length: 2\r\n\r\n{}");
        assert_eq!(reader.next_event(), Some(Event::Body(b"{}".to_vec())));
    }

    fn verdict(body: &[u8]) -> String {
        match classify(body) {
            Verdict::Forward => "forward".to_string(),
            Verdict::Reject { id, code, message } => {
                // The rewritten request is one tower-lsp decodes, to our method, with the id.
                let rewritten = rejection_body(&id, code, &message);
                match serde_json::from_slice::<Incoming>(&rewritten) {
                    Ok(Incoming::Request(req)) => {
                        assert_eq!(req.method(), REJECT_METHOD);
                        assert_eq!(req.id(), Some(&id));
                    }
                    _ => panic!(
                        "the rejection does not decode: {}",
                        String::from_utf8_lossy(&rewritten)
                    ),
                }
                format!("reject {id} {code} {message}")
            }
            Verdict::Drop(reason) => format!("drop {reason}"),
        }
    }

    #[test]
    fn classify_cases() {
        let deep = "[".repeat(10_000);
        let cases: Vec<(&[u8], &str)> = vec![
            (
                br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#,
                "forward",
            ),
            (
                br#"{"jsonrpc":"2.0","id":"a","method":"shutdown","params":null}"#,
                "forward",
            ),
            (
                br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
                "forward",
            ),
            (
                r#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"t":"😀 中"}}"#.as_bytes(),
                "forward",
            ),
            (br#"{"jsonrpc":"2.0","id":1,"method":"x","params":5}"#, "forward"),
            (br#"{"jsonrpc":"2.0","id":2}"#, "forward"),
            (br#"{"jsonrpc":"2.0","id":77,"result":null}"#, "forward"),
            (
                br#"{"jsonrpc":"2.0","id":7,"error":{"code":-1,"message":"no"}}"#,
                "forward",
            ),
            (
                br#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#,
                "forward",
            ),
            (
                br#"{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"off"}}"#,
                "forward",
            ),
            (
                br#"{"jsonrpc":"2.0","method":"$/progress","params":{}}"#,
                "forward",
            ),
            (
                br#"{"jsonrpc":"2.0","method":"$/logTrace","params":{}}"#,
                "forward",
            ),
            (br#"{"jsonrpc":"2.0","method":"$/unknown"}"#, "forward"),
            (
                br#"{"jsonrpc":"2.0","id":3,"method":"$/unknownRequest","params":{}}"#,
                "reject 3 -32601 Method not found: $/unknownRequest",
            ),
            (
                br#"{"jsonrpc":"2.0","id":"c","method":"$/cancelRequest","params":{"id":1}}"#,
                r#"reject "c" -32601 Method not found: $/cancelRequest"#,
            ),
            (
                br#"{"jsonrpc":"2.0","id":null,"method":"$/x"}"#,
                "reject null -32601 Method not found: $/x",
            ),
            (
                br#"{"jsonrpc":"2.0","id":5,"method":"alchemy/$rejected","params":{"code":0,"message":""}}"#,
                "reject 5 -32601 Method not found: alchemy/$rejected",
            ),
            (
                br#"{"id":2,"method":"workspace/symbol","params":{"query":""}}"#,
                r#"reject 2 -32600 Invalid request: missing "jsonrpc": "2.0""#,
            ),
            (
                br#"{"jsonrpc":"1.0","id":3,"method":"workspace/symbol"}"#,
                r#"reject 3 -32600 Invalid request: "jsonrpc" is not "2.0""#,
            ),
            (
                br#"{"jsonrpc":2.0,"id":"s","method":"workspace/symbol"}"#,
                r#"reject "s" -32600 Invalid request: "jsonrpc" is not "2.0""#,
            ),
            (
                br#"{"jsonrpc":"2.0","id":4,"method":5}"#,
                r#"reject 4 -32600 Invalid request: "method" is not a string"#,
            ),
            (
                br#"{"jsonrpc":"2.0","id":{"x":1},"method":"workspace/symbol"}"#,
                r#"drop "id" is not an integer, a string or null, and no id to answer: "{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"workspace/symbol\"}""#,
            ),
            (
                br#"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#,
                r#"drop "id" is not an integer, a string or null, and no id to answer: "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"m\"}""#,
            ),
            (
                br#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"m"}"#,
                r#"drop "id" is not an integer, a string or null, and no id to answer: "{\"jsonrpc\":\"2.0\",\"id\":18446744073709551615,\"method\":\"m\"}""#,
            ),
            (
                br#"{"id":77,"result":null}"#,
                r#"drop missing "jsonrpc": "2.0", and no id to answer: "{\"id\":77,\"result\":null}""#,
            ),
            (
                br#""hello""#,
                r#"drop not a JSON-RPC message object: "\"hello\"""#,
            ),
            (b"[1,2]", r#"drop not a JSON-RPC message object: "[1,2]""#),
            (
                b"{not json",
                r#"drop body is not JSON (key must be a string at line 1 column 2): "{not json""#,
            ),
            (
                b"[1, 2",
                r#"drop body is not JSON (EOF while parsing a list at line 1 column 5): "[1, 2""#,
            ),
            (
                b"",
                r#"drop body is not JSON (EOF while parsing a value at line 1 column 0): """#,
            ),
            (
                &[0xff, 0xfe, b'{', b'}'],
                "drop body is not UTF-8: \"\u{fffd}\u{fffd}{}\"",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(verdict(body), expected, "{}", String::from_utf8_lossy(body));
        }
        // Too deep for serde_json: an error, not a stack overflow.
        assert!(verdict(deep.as_bytes()).starts_with("drop body is not JSON (recursion limit exceeded"));
    }

    /// A reader that returns the given chunks, one per read.
    struct Chunks(VecDeque<Vec<u8>>);

    impl Read for Chunks {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some(mut chunk) = self.0.pop_front() else {
                return Ok(0);
            };
            let n = chunk.len().min(buf.len());
            buf[..n].copy_from_slice(&chunk[..n]);
            if n < chunk.len() {
                self.0.push_front(chunk.split_off(n));
            }
            Ok(n)
        }
    }

    fn run_pump(input: &[u8], chunk: usize) -> (Vec<Vec<u8>>, Vec<String>) {
        let chunks = input.chunks(chunk).map(<[u8]>::to_vec).collect();
        let mut forwarded = Vec::new();
        let mut logs = Vec::new();
        pump(
            Chunks(chunks),
            |frame| {
                forwarded.push(frame);
                true
            },
            |m| logs.push(m.to_string()),
        );
        (forwarded, logs)
    }

    /// A hostile stream: what is forwarded is exactly the valid frames, the rejections and a
    /// report of each dropped message, in order, each one frame tower-lsp decodes; everything
    /// else is logged.
    #[test]
    fn pump_forwards_decodable_frames_only() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"workspace/symbol","params":{"query":"😀"}}"#;
        let dollar = r#"{"jsonrpc":"2.0","id":2,"method":"$/unknownRequest"}"#;
        let no_version = r#"{"id":3,"method":"workspace/symbol"}"#;
        let note = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let mut input = Vec::new();
        for part in [
            frame(ok),
            frame("{not json"),
            "Content-Length: lots\r\n\r\n".to_string(),
            frame(dollar),
            "Content-Type: text/plain\r\n\r\n".to_string(),
            frame(no_version),
            frame(r#""hello""#),
            frame(note),
            "Content-Length: 50\r\n\r\n{}".to_string(),
        ] {
            input.extend_from_slice(part.as_bytes());
        }
        for chunk in [1, 7, 64 * 1024] {
            let (forwarded, logs) = run_pump(&input, chunk);
            let mut reader = FrameReader::new();
            let mut got = Vec::new();
            for f in &forwarded {
                reader.feed(f);
                let Some(Event::Body(body)) = reader.next_event() else {
                    panic!("not one frame: {}", String::from_utf8_lossy(f));
                };
                assert_eq!(reader.pending(), 0, "one frame per chunk");
                match serde_json::from_slice::<Incoming>(&body) {
                    Ok(Incoming::Request(r)) => got.push(format!("{} {:?}", r.method(), r.id())),
                    _ => panic!("tower-lsp cannot decode {}", String::from_utf8_lossy(&body)),
                }
            }
            assert_eq!(
                got,
                [
                    "workspace/symbol Some(Number(1))",
                    "alchemy/$dropped None",
                    "alchemy/$dropped None",
                    "alchemy/$rejected Some(Number(2))",
                    "alchemy/$dropped None",
                    "alchemy/$rejected Some(Number(3))",
                    "alchemy/$dropped None",
                    "initialized None",
                ],
                "chunk {chunk}"
            );
            assert_eq!(
                forwarded[0],
                frame(ok).into_bytes(),
                "valid frames are forwarded verbatim"
            );
            let expected_logs = [
                "dropped a message: body is not JSON",
                "dropped a message: bad message header (Content-Length is not a number",
                "refused request 2: Method not found: $/unknownRequest",
                "dropped a message: bad message header (no Content-Length header)",
                "refused request 3: Invalid request: missing \"jsonrpc\": \"2.0\"",
                "dropped a message: not a JSON-RPC message object",
                "stdin closed inside a message (24 bytes left)",
            ];
            assert_eq!(logs.len(), expected_logs.len(), "chunk {chunk}: {logs:#?}");
            for (log, want) in logs.iter().zip(expected_logs) {
                assert!(
                    log.starts_with(want),
                    "chunk {chunk}: {log:?} should start with {want:?}"
                );
            }
        }
    }

    #[test]
    fn lone_surrogates_are_repaired() {
        let cases: &[(&str, Option<&str>)] = &[
            (r#"{"t":"abc"}"#, None),
            (r#"{"t":"\ud83d\ude00"}"#, None),
            (r#"{"t":"\u00e9\\ud83d"}"#, None),
            (r#"{"t":"\ud83d"}"#, Some(r#"{"t":"\ufffd"}"#)),
            (r#"{"t":"\ude00x"}"#, Some(r#"{"t":"\ufffdx"}"#)),
            (
                r#"{"t":"\uD83D\uD83D\uDE00"}"#,
                Some(r#"{"t":"\ufffd\uD83D\uDE00"}"#),
            ),
            (
                r#"{"t":"\ud83d","u":"\ud83d\ude00\udbff"}"#,
                Some(r#"{"t":"\ufffd","u":"\ud83d\ude00\ufffd"}"#),
            ),
            (r#"{"t":"\ud8"}"#, None),
        ];
        for (input, expected) in cases {
            let got = repair_lone_surrogates(input.as_bytes()).map(|b| String::from_utf8(b).unwrap());
            assert_eq!(got.as_deref(), *expected, "{input}");
            if let Some(fixed) = got {
                let v: Value = serde_json::from_str(&fixed).expect("repaired JSON parses");
                assert!(v["t"].as_str().unwrap().contains('\u{FFFD}'));
            }
        }
        // One U+FFFD per lone surrogate: UTF-16 lengths are kept.
        let fixed = repair_lone_surrogates(br#"{"t":"a\ud83db"}"#).unwrap();
        let v: Value = serde_json::from_slice(&fixed).unwrap();
        assert_eq!(v["t"].as_str().unwrap().encode_utf16().count(), 3);
    }

    fn forwarded_methods(out: &Outcome) -> Vec<String> {
        out.frames
            .iter()
            .map(|f| {
                let mut reader = FrameReader::new();
                reader.feed(f);
                let Some(Event::Body(body)) = reader.next_event() else {
                    panic!("not one frame")
                };
                let v: Value = serde_json::from_slice(&body).unwrap();
                format!("{} {}", v["method"].as_str().unwrap_or(""), v["params"])
            })
            .collect()
    }

    #[test]
    fn notifications_that_cannot_be_applied_are_reported() {
        // a didChange with a lone surrogate: repaired, forwarded
        let out = process(
            br#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a.ts","version":2},"contentChanges":[{"text":"\ud83d"}]}}"#,
        );
        assert_eq!(out.frames.len(), 1);
        assert!(forwarded_methods(&out)[0].starts_with("textDocument/didChange"));
        // params that do not decode: reported instead of forwarded
        let out = process(
            br#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a.ts"},"contentChanges":5}}"#,
        );
        let m = forwarded_methods(&out);
        assert_eq!(m.len(), 1);
        assert!(
            m[0].starts_with("alchemy/$dropped") && m[0].contains("textDocument/didChange"),
            "{m:?}"
        );
        // watched files: the bad events are left out, the others applied, the loss reported
        let out = process(
            br#"{"jsonrpc":"2.0","method":"workspace/didChangeWatchedFiles","params":{"changes":[{"uri":"not a uri","type":2},{"uri":"file:///w/a.ts","type":2},{"uri":5,"type":9}]}}"#,
        );
        let m = forwarded_methods(&out);
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(
            m[0],
            r#"workspace/didChangeWatchedFiles {"changes":[{"type":2,"uri":"file:///w/a.ts"}]}"#
        );
        assert!(m[1].contains("2 of 3 events"), "{m:?}");
        // notifications the server does not act on are forwarded as they are
        let out = process(br#"{"jsonrpc":"2.0","method":"custom/x","params":5}"#);
        assert_eq!(forwarded_methods(&out), [r#"custom/x 5"#]);
    }

    #[test]
    fn initialize_gets_the_typed_refresh_key() {
        let spec = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"workspace":{"diagnostics":{"refreshSupport":true}}}}}"#;
        let out = normalize_initialize(spec).expect("rewritten");
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v["params"]["capabilities"]["workspace"]["diagnostic"]["refreshSupport"],
            true
        );
        let typed = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"workspace":{"diagnostic":{"refreshSupport":false},"diagnostics":{"refreshSupport":true}}}}}"#;
        assert!(
            normalize_initialize(typed).is_none(),
            "an explicit typed key is kept"
        );
        let none = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
        assert!(normalize_initialize(none).is_none());
    }

    #[test]
    fn pump_stops_when_the_server_is_gone() {
        let note = r#"{"jsonrpc":"2.0","method":"initialized"}"#;
        let mut input = Chunks(std::iter::repeat_n(frame(note).into_bytes(), 5).collect());
        let mut calls = 0;
        pump(
            &mut input,
            |_| {
                calls += 1;
                false
            },
            |_| {},
        );
        assert_eq!(calls, 1, "the first refused forward ends the pump");
        assert_eq!(input.0.len(), 4, "and it reads no further");
    }

    #[tokio::test]
    async fn frame_stream_yields_the_chunks_then_ends() {
        let (tx, rx) = mpsc::channel(4);
        let mut stream = FrameStream::new(rx);
        tx.send(b"Content-Length: 2\r\n\r\n{}".to_vec()).await.unwrap();
        tx.send(b"abc".to_vec()).await.unwrap();
        drop(tx);
        let mut out = Vec::new();
        loop {
            let mut space = [0u8; 5];
            let mut buf = ReadBuf::new(&mut space);
            std::future::poll_fn(|cx| Pin::new(&mut stream).poll_read(cx, &mut buf))
                .await
                .unwrap();
            if buf.filled().is_empty() {
                break;
            }
            assert!(buf.filled().len() <= 5);
            out.extend_from_slice(buf.filled());
        }
        assert_eq!(out, b"Content-Length: 2\r\n\r\n{}abc");
    }

    #[tokio::test]
    async fn reject_answers_with_the_chosen_error() {
        let r = reject(
            &(),
            Rejection {
                code: -32600,
                message: "Invalid request: x".into(),
            },
        )
        .await;
        let e = r.unwrap_err();
        assert_eq!(e.code.code(), -32600);
        assert_eq!(e.message, "Invalid request: x");
    }
}
