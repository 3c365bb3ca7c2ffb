//! One session: a fresh copy of a workspace, a fresh server, a script applied action by
//! action; at each `Check` (and at the end) the server's latest diagnostics of every file
//! (pushed, and pulled for open documents when the client pulls) are compared with
//! `alchemy-ls check --format json` on a scratch copy holding the disk files and the open
//! buffers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::Client;
use crate::corpus::Workspace;
use crate::script::{Action, Model, apply};

const TIMEOUT: Duration = Duration::from_secs(60);

/// The client the session plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientKind {
    /// Declares pull diagnostics with refresh support (open documents are then pulled).
    pub pull: bool,
    /// `utf-8`, `utf-16` or `utf-32`.
    pub encoding: &'static str,
}

/// A comparison that found differences.
#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    /// Index of the `Check` action (or the script's length for the final comparison).
    pub at: usize,
    pub only_server: Vec<String>,
    pub only_check: Vec<String>,
}

/// Applied to `check`'s lines before the comparison (the oracle's self-test plants a
/// difference this way).
pub type Plant = fn(&mut BTreeSet<String>);

pub struct Session<'a> {
    pub bin: &'a Path,
    pub ws: &'a Workspace,
    pub client: ClientKind,
    pub plant: Option<Plant>,
    /// Diagnostics compared so far (coverage: a comparison of empty sets proves little).
    pub compared: std::cell::Cell<usize>,
    /// Wait for the analysis after every action (a replay then does not depend on which
    /// edits the server happened to coalesce into one round).
    pub step: bool,
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn file_uri(path: &Path) -> String {
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

/// Lines as the protocol counts them, without their breaks.
fn lines_of(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                out.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

/// A protocol position as the CLI's 1-based `line:column` (Unicode scalar values).
fn cli_pos(text: &str, pos: &Value, enc: &str) -> String {
    let line = pos["line"].as_u64().unwrap_or(0) as usize;
    let col = pos["character"].as_u64().unwrap_or(0) as usize;
    let line_text = lines_of(text).get(line).copied().unwrap_or("");
    let (mut units, mut chars) = (0, 0);
    for ch in line_text.chars() {
        if units >= col {
            break;
        }
        units += match enc {
            "utf-8" => ch.len_utf8(),
            "utf-32" => 1,
            _ => ch.len_utf16(),
        };
        chars += 1;
    }
    format!("{}:{}", line + 1, chars + 1)
}

/// `check`'s diagnostics as comparable lines.
pub fn cli_lines(report: &Value) -> BTreeSet<String> {
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let related: String = d["related"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    format!(
                        " [{} {}:{} {}]",
                        r["path"].as_str().unwrap_or(""),
                        r["line"],
                        r["column"],
                        r["message"].as_str().unwrap_or("")
                    )
                })
                .collect();
            format!(
                "{} {}:{}-{}:{} {} {} {}{}",
                d["path"].as_str().unwrap_or(""),
                d["line"],
                d["column"],
                d["endLine"],
                d["endColumn"],
                d["severity"].as_str().unwrap_or(""),
                d["rule"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap_or(""),
                related
            )
        })
        .collect()
}

impl Session<'_> {
    /// Run `script`: the first difference found (with `stop` set, the session ends there), or
    /// `Ok(None)`. `Err` is a failure of the harness or of the server (a crash, a timeout).
    pub fn run(&self, script: &[Action], stop: bool) -> Result<Option<Difference>, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = std::fs::canonicalize(dir.path()).map_err(|e| e.to_string())?;
        self.ws.write(&root).map_err(|e| e.to_string())?;
        let mut model = Model::new(self.ws);
        let mut client = Client::spawn(self.bin)?;
        let mut text_document =
            json!({ "publishDiagnostics": { "relatedInformation": true, "versionSupport": true } });
        let mut workspace =
            json!({ "workspaceFolders": true, "didChangeWatchedFiles": { "dynamicRegistration": true } });
        if self.client.pull {
            text_document["diagnostic"] = json!({ "dynamicRegistration": false });
            workspace["diagnostics"] = json!({ "refreshSupport": true });
        }
        let init = json!({
            "processId": null,
            "rootUri": file_uri(&root),
            "workspaceFolders": [{ "uri": file_uri(&root), "name": "ws" }],
            "capabilities": {
                "general": { "positionEncodings": [self.client.encoding] },
                "textDocument": text_document,
                "workspace": workspace,
            },
        });
        let r = client.request("initialize", init, TIMEOUT)?;
        if r["capabilities"]["positionEncoding"] != self.client.encoding {
            return Err(format!("encoding not negotiated: {}", r["capabilities"]));
        }
        let pulls = r["capabilities"].get("diagnosticProvider").is_some();
        if pulls != self.client.pull {
            return Err("the server's pull mode does not follow the client's capabilities".into());
        }
        client.notify("initialized", json!({}))?;
        let uri = |rel: &str| file_uri(&root.join(rel));
        let mut first = None;
        for (i, action) in script.iter().enumerate() {
            let mut write = |rel: &str, text: &str| {
                let p = root.join(rel);
                if let Some(parent) = p.parent() {
                    let _ = std::fs::create_dir_all(parent);
                }
                let _ = std::fs::write(p, text);
            };
            for (method, params) in apply(&mut model, action, self.client.encoding, &uri, &mut write) {
                client.notify(&method, params)?;
            }
            if self.step {
                client.quiesce(TIMEOUT)?;
            }
            if *action == Action::Check
                && let Some(d) = self.compare(&mut client, &root, &model, i)?
            {
                first.get_or_insert(d);
                if stop {
                    break;
                }
            }
        }
        if first.is_none() && script.last() != Some(&Action::Check) {
            first = self.compare(&mut client, &root, &model, script.len())?;
        }
        client.shutdown();
        Ok(first)
    }

    fn compare(
        &self,
        client: &mut Client,
        root: &Path,
        model: &Model,
        at: usize,
    ) -> Result<Option<Difference>, String> {
        client
            .quiesce(TIMEOUT)
            .map_err(|e| format!("{e}\nstderr:\n{}", client.stderr()))?;
        let mut by_uri: BTreeMap<String, Vec<Value>> = client.last_published().into_iter().collect();
        let root_uri = file_uri(root);
        let rel_of = |uri: &str| -> Option<String> {
            uri.strip_prefix(&root_uri)
                .map(|r| percent_decode(r.trim_start_matches('/')))
        };
        if self.client.pull {
            for rel in model.open.keys() {
                let u = file_uri(&root.join(rel));
                let r = client.request(
                    "textDocument/diagnostic",
                    json!({ "textDocument": { "uri": u } }),
                    TIMEOUT,
                )?;
                if r["kind"] != "full" {
                    return Err(format!("a pull without a previous result id answered {r}"));
                }
                let items = r["items"].as_array().cloned().unwrap_or_default();
                if by_uri.get(&u).is_some_and(|pushed| !pushed.is_empty()) {
                    return Err(format!(
                        "{rel} is open and pulled, yet its diagnostics were also pushed"
                    ));
                }
                by_uri.insert(u, items);
            }
        }
        let mut server = BTreeSet::new();
        for (u, diags) in &by_uri {
            let Some(rel) = rel_of(u) else {
                if !diags.is_empty() {
                    server.insert(format!("outside the workspace: {u}"));
                }
                continue;
            };
            let text = model.text(&rel).unwrap_or("");
            for d in diags {
                let related: String = d["relatedInformation"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        let ru = r["location"]["uri"].as_str().unwrap_or("");
                        let rrel = rel_of(ru).unwrap_or_else(|| ru.to_string());
                        let rt = model.text(&rrel).unwrap_or("");
                        format!(
                            " [{rrel} {} {}]",
                            cli_pos(rt, &r["location"]["range"]["start"], self.client.encoding),
                            r["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                let severity = match d["severity"].as_u64() {
                    Some(1) => "error",
                    Some(2) => "warning",
                    Some(3) => "info",
                    _ => "hint",
                };
                server.insert(format!(
                    "{rel} {}-{} {severity} {} {}{related}",
                    cli_pos(text, &d["range"]["start"], self.client.encoding),
                    cli_pos(text, &d["range"]["end"], self.client.encoding),
                    d["code"].as_str().unwrap_or(""),
                    d["message"].as_str().unwrap_or(""),
                ));
            }
        }
        let mut cli = run_check(self.bin, model)?;
        self.compared.set(self.compared.get() + cli.len());
        if let Some(plant) = self.plant {
            plant(&mut cli);
        }
        let only_server: Vec<String> = server.difference(&cli).cloned().collect();
        let only_check: Vec<String> = cli.difference(&server).cloned().collect();
        if only_server.is_empty() && only_check.is_empty() {
            Ok(None)
        } else {
            Ok(Some(Difference {
                at,
                only_server,
                only_check,
            }))
        }
    }
}

/// `check --format json` on a scratch copy of what the client holds: the disk files with the
/// open buffers written over them.
fn run_check(bin: &Path, model: &Model) -> Result<BTreeSet<String>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root: PathBuf = std::fs::canonicalize(dir.path()).map_err(|e| e.to_string())?;
    let mut files: BTreeMap<&str, &str> = model.disk.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    for (p, b) in &model.open {
        files.insert(p, &b.text);
    }
    for (rel, text) in files {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(p, text).map_err(|e| e.to_string())?;
    }
    let out = Command::new(bin)
        .arg("check")
        .arg(&root)
        .args(["--format", "json"])
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run check: {e}"))?;
    let code = out.status.code();
    if !matches!(code, Some(0 | 1)) {
        return Err(format!(
            "check exited with {code:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("check's JSON: {e}"))?;
    Ok(cli_lines(&v))
}
