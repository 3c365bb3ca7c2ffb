//! A language-server client over the child's stdio, for the oracle: requests with ids and
//! deadlines, notifications kept in order, the server's own requests answered (and kept, so
//! that `workspace/diagnostic/refresh` can be seen).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    responses: HashMap<i64, Value>,
    /// Every notification received, in order.
    pub notifications: Vec<Value>,
    /// Every request the server sent, in order.
    pub server_requests: Vec<Value>,
    stderr: Arc<Mutex<String>>,
    next_token: u64,
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

impl Client {
    pub fn spawn(bin: &Path) -> Result<Client, String> {
        let mut child = Command::new(bin)
            .arg("serve")
            .env("ALCHEMY_LS_TEST_HOOKS", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let err_pipe = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(m) = read_message(&mut r) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(err_pipe);
            let mut line = String::new();
            while r.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                let mut s = sink.lock().unwrap_or_else(|e| e.into_inner());
                if s.len() < 1 << 20 {
                    s.push_str(&line);
                }
                line.clear();
            }
        });
        Ok(Client {
            child,
            stdin,
            rx,
            next_id: 1,
            responses: HashMap::new(),
            notifications: Vec::new(),
            server_requests: Vec::new(),
            stderr,
            next_token: 0,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn write(&mut self, msg: &Value) -> Result<(), String> {
        let body = serde_json::to_vec(msg).map_err(|e| e.to_string())?;
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend_from_slice(&body);
        self.stdin
            .write_all(&framed)
            .and_then(|_| self.stdin.flush())
            .map_err(|e| format!("the server went away: {e}"))
    }

    pub fn notify(&mut self, method: &str, params: Value) -> Result<(), String> {
        self.write(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    /// Send a request and wait for its response: `Ok(result)`, or `Err` for an error response
    /// or a timeout.
    pub fn request(&mut self, method: &str, params: Value, timeout: Duration) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        self.write(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(r) = self.responses.remove(&id) {
                return match r.get("error") {
                    Some(e) => Err(format!("{method}: error {e}")),
                    None => Ok(r.get("result").cloned().unwrap_or(Value::Null)),
                };
            }
            if !self.pump(deadline) {
                return Err(format!("{method}: no response within {timeout:?}"));
            }
        }
    }

    fn pump(&mut self, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(msg) = self.rx.recv_timeout(left) else {
            return false;
        };
        let method = msg.get("method").and_then(Value::as_str).map(str::to_string);
        match (method, msg.get("id").cloned()) {
            (Some(method), Some(id)) => {
                let result = if method == "workspace/configuration" {
                    let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                    Value::Array(vec![Value::Null; n])
                } else {
                    Value::Null
                };
                self.server_requests.push(msg);
                let _ = self.write(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
            }
            (Some(_), None) => self.notifications.push(msg),
            (None, Some(id)) => {
                if let Some(id) = id.as_i64() {
                    self.responses.insert(id, msg);
                }
            }
            (None, None) => {}
        }
        true
    }

    /// Wait for a notification (received from now on, or before) matching `pred`.
    pub fn wait_notification(
        &mut self,
        method: &str,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Result<Value, String> {
        let deadline = Instant::now() + timeout;
        let mut seen = 0;
        loop {
            if let Some(n) = self.notifications[seen..]
                .iter()
                .find(|n| n["method"] == method && pred(&n["params"]))
            {
                return Ok(n["params"].clone());
            }
            seen = self.notifications.len();
            if !self.pump(deadline) {
                return Err(format!("no {method} notification within {timeout:?}"));
            }
        }
    }

    /// Wait until the server has analysed everything sent so far and published its
    /// diagnostics (test hook `alchemy/debugQuiescent`; its notification follows the published
    /// diagnostics on the server's output).
    pub fn quiesce(&mut self, timeout: Duration) -> Result<(), String> {
        self.next_token += 1;
        let token = self.next_token;
        match self.request("alchemy/debugQuiescent", json!({ "token": token }), timeout) {
            Ok(_) => {
                self.wait_notification("alchemy/quiescent", |p| p["token"] == token, timeout)?;
                Ok(())
            }
            // A build without the hook (to see the oracle find what an older binary gets
            // wrong): wait for two quiet seconds instead.
            Err(e) if e.contains("-32601") => {
                let mut quiet_since = Instant::now();
                let deadline = Instant::now() + timeout;
                while quiet_since.elapsed() < Duration::from_secs(2) && Instant::now() < deadline {
                    if self.pump(Instant::now() + Duration::from_millis(100)) {
                        quiet_since = Instant::now();
                    }
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// The last published diagnostics of every URI.
    pub fn last_published(&self) -> HashMap<String, Vec<Value>> {
        let mut out = HashMap::new();
        for n in &self.notifications {
            if n["method"] == "textDocument/publishDiagnostics"
                && let Some(uri) = n["params"]["uri"].as_str()
            {
                out.insert(
                    uri.to_string(),
                    n["params"]["diagnostics"].as_array().cloned().unwrap_or_default(),
                );
            }
        }
        out
    }

    /// `shutdown` + `exit`, then make sure the process is gone.
    pub fn shutdown(mut self) {
        let _ = self.request("shutdown", Value::Null, Duration::from_secs(10));
        let _ = self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
