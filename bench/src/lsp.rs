//! A minimal LSP client over a child's stdio: Content-Length framing, requests with ids,
//! notifications, and automatic answers to the server's own requests
//! (`workspace/configuration`, `window/workDoneProgress/create`, `client/registerCapability`).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub struct Client {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    rx: Receiver<(Instant, Value)>,
    /// Messages received but not yet consumed by a wait.
    pending: VecDeque<(Instant, Value)>,
    next_id: i64,
}

fn send(stdin: &Mutex<ChildStdin>, msg: &Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(msg)?;
    let mut w = stdin.lock().unwrap_or_else(|p| p.into_inner());
    write!(w, "Content-Length: {}\r\n\r\n", body.len())?;
    w.write_all(&body)?;
    w.flush()
}

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
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The answer a minimal client gives to a server→client request.
fn answer(method: &str, params: &Value) -> Value {
    match method {
        "workspace/configuration" => {
            let n = params.get("items").and_then(Value::as_array).map_or(0, Vec::len);
            Value::Array(vec![Value::Null; n])
        }
        _ => Value::Null,
    }
}

/// `file://` URI of an absolute path (percent-encoding what is not unreserved or `/`).
pub fn file_uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

impl Client {
    pub fn spawn(bin: &Path) -> std::io::Result<Client> {
        let mut child = Command::new(bin)
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = Arc::new(Mutex::new(
            child
                .stdin
                .take()
                .ok_or_else(|| std::io::Error::other("no stdin"))?,
        ));
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        let (tx, rx) = channel();
        let replies = stdin.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::with_capacity(1 << 16, stdout);
            while let Some(msg) = read_message(&mut r) {
                let at = Instant::now();
                if let (Some(id), Some(method)) = (msg.get("id"), msg.get("method").and_then(Value::as_str)) {
                    let result = answer(method, msg.get("params").unwrap_or(&Value::Null));
                    let _ = send(&replies, &json!({ "jsonrpc": "2.0", "id": id, "result": result }));
                }
                if tx.send((at, msg)).is_err() {
                    break;
                }
            }
        });
        Ok(Client {
            child,
            stdin,
            rx,
            pending: VecDeque::new(),
            next_id: 1,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn notify(&mut self, method: &str, params: Value) -> std::io::Result<()> {
        send(
            &self.stdin,
            &json!({ "jsonrpc": "2.0", "method": method, "params": params }),
        )
    }

    pub fn request(&mut self, method: &str, params: Value) -> std::io::Result<i64> {
        let id = self.next_id;
        self.next_id += 1;
        send(
            &self.stdin,
            &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
        )?;
        Ok(id)
    }

    /// Next message satisfying `pred`, buffering the others; `None` on timeout or EOF.
    pub fn wait_for(
        &mut self,
        timeout: Duration,
        mut pred: impl FnMut(&Value) -> bool,
    ) -> Option<(Instant, Value)> {
        if let Some(i) = self.pending.iter().position(|(_, m)| pred(m)) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok((at, m)) => {
                    if pred(&m) {
                        return Some((at, m));
                    }
                    self.pending.push_back((at, m));
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    pub fn response(&mut self, id: i64, timeout: Duration) -> Option<(Instant, Value)> {
        self.wait_for(timeout, |m| {
            m.get("id").and_then(Value::as_i64) == Some(id) && m.get("method").is_none()
        })
    }

    /// Every message received until `quiet` passes without one (or `max` elapses).
    pub fn drain_until_quiet(&mut self, quiet: Duration, max: Duration) -> Vec<(Instant, Value)> {
        let mut out: Vec<(Instant, Value)> = self.pending.drain(..).collect();
        let deadline = Instant::now() + max;
        while Instant::now() < deadline {
            match self.rx.recv_timeout(quiet) {
                Ok(m) => out.push(m),
                Err(_) => break,
            }
        }
        out
    }

    /// `shutdown` + `exit`, then wait (killing the child after 5 s).
    pub fn shutdown(mut self) {
        if let Ok(id) = self.request("shutdown", Value::Null) {
            let _ = self.response(id, Duration::from_secs(5));
        }
        let _ = self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `textDocument/publishDiagnostics` for `uri`?
pub fn is_publish_for(m: &Value, uri: &str) -> bool {
    m.get("method").and_then(Value::as_str) == Some("textDocument/publishDiagnostics")
        && m.pointer("/params/uri").and_then(Value::as_str) == Some(uri)
}

/// The rule ids (`code`) of a publishDiagnostics message.
pub fn codes(m: &Value) -> Vec<String> {
    m.pointer("/params/diagnostics")
        .and_then(Value::as_array)
        .map(|ds| {
            ds.iter()
                .filter_map(|d| d.get("code").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// 0-based line and UTF-16 column of byte `offset` in `text`.
pub fn position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].encode_utf16().count() as u32;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_uris() {
        assert_eq!(position("ab\ncd", 4), (1, 1));
        assert_eq!(position("ab", 0), (0, 0));
        assert_eq!(position("é\nx", 4), (1, 1));
        assert_eq!(position("éx", 3), (0, 2));
        assert_eq!(file_uri(Path::new("/a b/c.ts")), "file:///a%20b/c.ts");
    }

    #[test]
    fn framing_round_trip() {
        let raw = b"Content-Length: 17\r\n\r\n{\"jsonrpc\":\"2.0\"}";
        let mut r = std::io::Cursor::new(&raw[..]);
        assert_eq!(read_message(&mut r), Some(json!({ "jsonrpc": "2.0" })));
        assert_eq!(read_message(&mut r), None);
    }
}
