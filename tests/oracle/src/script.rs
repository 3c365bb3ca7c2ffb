//! Edit scripts: what a session does, generated at random and replayable (positions are
//! fractions of the current text, so a script stays valid when the minimiser drops actions:
//! an action that no longer applies, an edit of a document that is not open, is skipped).

use std::collections::BTreeMap;

use alchemy_ls_bench::rng::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::corpus::Workspace;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Action {
    /// Open a file with its disk text.
    Open {
        path: String,
    },
    Close {
        path: String,
    },
    /// Open a buffer of a file that is not on disk (an unsaved new file).
    NewFile {
        path: String,
        text: String,
    },
    /// Insert `text` at the fraction `at` of the buffer.
    Insert {
        path: String,
        at: f64,
        text: String,
    },
    /// Delete about `len` bytes at the fraction `at` of the buffer.
    Delete {
        path: String,
        at: f64,
        len: usize,
    },
    /// Replace the first (or every) occurrence of `from` by `to` (Deps edits, renames), in
    /// one `didChange`.
    Replace {
        path: String,
        from: String,
        to: String,
        all: bool,
    },
    /// Back to the text the buffer was opened with (one change over the whole text).
    Undo {
        path: String,
    },
    /// Every line break to CRLF.
    Crlf {
        path: String,
    },
    /// Save the buffer to disk (`didSave` and a watched-files event).
    Save {
        path: String,
    },
    /// A quiescent point: compare the server with `check`.
    Check,
}

/// What the client holds: the files on disk and the open buffers.
#[derive(Clone, Debug)]
pub struct Model {
    pub disk: BTreeMap<String, String>,
    /// Open buffers: text, version, the text they were opened with.
    pub open: BTreeMap<String, Buffer>,
}

#[derive(Clone, Debug)]
pub struct Buffer {
    pub text: String,
    pub version: i32,
    pub original: String,
}

impl Model {
    pub fn new(ws: &Workspace) -> Model {
        Model {
            disk: ws.files.iter().cloned().collect(),
            open: BTreeMap::new(),
        }
    }

    /// The text `check` must see for a file: the buffer if open, else the disk.
    pub fn text(&self, rel: &str) -> Option<&str> {
        self.open
            .get(rel)
            .map(|b| b.text.as_str())
            .or_else(|| self.disk.get(rel).map(String::as_str))
    }
}

/// Lines as the protocol counts them: byte offset → (line, column in `enc` units).
pub fn position(text: &str, offset: usize, enc: &str) -> (u32, u32) {
    let before = &text[..offset];
    let bytes = before.as_bytes();
    let mut line = 0u32;
    let mut start = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line += 1;
                start = i + 1;
            }
            b'\r' => {
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                line += 1;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    // a CR at the end of `before` followed by LF in `text` is one break: not a place
    let col_text = &text[start.min(offset)..offset];
    let col = match enc {
        "utf-8" => col_text.len(),
        "utf-32" => col_text.chars().count(),
        _ => col_text.encode_utf16().count(),
    };
    (line, col as u32)
}

/// The nearest place at or before `i` that is a char boundary and not inside a CRLF.
fn snap(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    if i > 0 && i < text.len() && text.as_bytes()[i - 1] == b'\r' && text.as_bytes()[i] == b'\n' {
        i -= 1;
    }
    i
}

fn range(text: &str, start: usize, end: usize, enc: &str) -> Value {
    let (l0, c0) = position(text, start, enc);
    let (l1, c1) = position(text, end, enc);
    json!({ "start": { "line": l0, "character": c0 }, "end": { "line": l1, "character": c1 } })
}

/// The messages one action sends (after updating the model), or none if it does not apply.
/// `uri` gives a file's URI; `disk_write` is called for a save.
pub fn apply(
    model: &mut Model,
    action: &Action,
    enc: &str,
    uri: &dyn Fn(&str) -> String,
    disk_write: &mut dyn FnMut(&str, &str),
) -> Vec<(String, Value)> {
    let change = |uri: String, version: i32, changes: Vec<Value>| {
        (
            "textDocument/didChange".to_string(),
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        )
    };
    match action {
        Action::Open { path } => {
            if model.open.contains_key(path) {
                return vec![];
            }
            let Some(text) = model.disk.get(path).cloned() else {
                return vec![];
            };
            model.open.insert(
                path.clone(),
                Buffer {
                    text: text.clone(),
                    version: 1,
                    original: text.clone(),
                },
            );
            vec![open_message(&uri(path), &text)]
        }
        Action::NewFile { path, text } => {
            if model.open.contains_key(path) || model.disk.contains_key(path) {
                return vec![];
            }
            model.open.insert(
                path.clone(),
                Buffer {
                    text: text.clone(),
                    version: 1,
                    original: text.clone(),
                },
            );
            vec![open_message(&uri(path), text)]
        }
        Action::Close { path } => {
            if model.open.remove(path).is_none() {
                return vec![];
            }
            vec![(
                "textDocument/didClose".to_string(),
                json!({ "textDocument": { "uri": uri(path) } }),
            )]
        }
        Action::Save { path } => {
            let Some(buf) = model.open.get(path) else {
                return vec![];
            };
            let existed = model.disk.contains_key(path);
            model.disk.insert(path.clone(), buf.text.clone());
            disk_write(path, &buf.text);
            vec![
                (
                    "textDocument/didSave".to_string(),
                    json!({ "textDocument": { "uri": uri(path) } }),
                ),
                (
                    "workspace/didChangeWatchedFiles".to_string(),
                    json!({ "changes": [{ "uri": uri(path), "type": if existed { 2 } else { 1 } }] }),
                ),
            ]
        }
        Action::Check => vec![],
        Action::Insert { path, at, text } => {
            let Some(buf) = model.open.get_mut(path) else {
                return vec![];
            };
            let i = snap(&buf.text, (at * buf.text.len() as f64) as usize);
            let r = range(&buf.text, i, i, enc);
            buf.text.insert_str(i, text);
            buf.version += 1;
            vec![change(
                uri(path),
                buf.version,
                vec![json!({ "range": r, "text": text })],
            )]
        }
        Action::Delete { path, at, len } => {
            let Some(buf) = model.open.get_mut(path) else {
                return vec![];
            };
            let start = snap(&buf.text, (at * buf.text.len() as f64) as usize);
            let mut end = snap(&buf.text, start + len);
            if end < buf.text.len()
                && end > start
                && buf.text.as_bytes()[end] == b'\n'
                && buf.text.as_bytes()[end - 1] == b'\r'
            {
                end += 1;
            }
            if end <= start {
                return vec![];
            }
            let r = range(&buf.text, start, end, enc);
            buf.text.replace_range(start..end, "");
            buf.version += 1;
            vec![change(
                uri(path),
                buf.version,
                vec![json!({ "range": r, "text": "" })],
            )]
        }
        Action::Replace { path, from, to, all } => {
            let Some(buf) = model.open.get_mut(path) else {
                return vec![];
            };
            if from.is_empty() {
                return vec![];
            }
            let mut at: Vec<usize> = buf.text.match_indices(from.as_str()).map(|(i, _)| i).collect();
            if at.is_empty() {
                return vec![];
            }
            if !all {
                at.truncate(1);
            }
            // last occurrence first: the earlier ones keep their positions
            let mut changes = Vec::new();
            for &i in at.iter().rev() {
                let r = range(&buf.text, i, i + from.len(), enc);
                buf.text.replace_range(i..i + from.len(), to);
                changes.push(json!({ "range": r, "text": to }));
            }
            buf.version += 1;
            vec![change(uri(path), buf.version, changes)]
        }
        Action::Undo { path } | Action::Crlf { path } => {
            let Some(buf) = model.open.get_mut(path) else {
                return vec![];
            };
            let new = match action {
                Action::Undo { .. } => buf.original.clone(),
                _ => buf.text.replace("\r\n", "\n").replace('\n', "\r\n"),
            };
            if new == buf.text {
                return vec![];
            }
            let r = range(&buf.text, 0, buf.text.len(), enc);
            buf.text = new.clone();
            buf.version += 1;
            vec![change(
                uri(path),
                buf.version,
                vec![json!({ "range": r, "text": new })],
            )]
        }
    }
}

fn open_message(uri: &str, text: &str) -> (String, Value) {
    (
        "textDocument/didOpen".to_string(),
        json!({ "textDocument": { "uri": uri, "languageId": "typescript", "version": 1, "text": text } }),
    )
}

/// Snippets typed into buffers: Alchemy syntax, half-typed constructs, emoji, CJK, line breaks.
const SNIPPETS: &[&str] = &[
    ".from(",
    "yield* ",
    "Counter",
    "WorkerA",
    "Effect.provide(",
    ")",
    "(",
    "<",
    ">",
    ", ",
    "{}",
    "never",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "😀",
    "中文",
    "é",
    "👍🏽",
    "// ",
    "/* ",
    " */",
    "\"",
    "'",
    "`",
    ";",
    "export ",
    "default ",
    "class X extends Cloudflare.Worker<X>()(\"X\", { main: import.meta.filename }) {}\n",
    "const c = yield* Counter.from(WorkerA);\n",
    "import { WorkerA } from \"./workerA.ts\";\n",
    "// alchemy-ls-disable-next-line\n",
    ".pipe(Effect.provide(CounterLive))",
    "Cloudflare.DurableObjectNamespace<",
];

/// Deps type arguments swapped in by Deps edits.
const DEPS: &[&str] = &["never", "Counter", "{}", "Room", "Counter | Room", "Api"];

fn identifiers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            cur.push(ch);
        } else {
            if cur.len() > 2 && cur.starts_with(|c: char| c.is_ascii_uppercase()) && !out.contains(&cur) {
                out.push(cur.clone());
            }
            cur.clear();
        }
    }
    out
}

/// A random slice of `text` (at most `max` bytes, on char boundaries).
fn fragment(rng: &mut Rng, text: &str, max: usize) -> String {
    if text.is_empty() {
        return String::new();
    }
    let a = snap(text, rng.below(text.len()));
    let b = snap(text, a + 1 + rng.below(max));
    text[a..b.max(a)].to_string()
}

/// The `Worker<…>`/`DurableObjectNamespace<…>` type arguments of a factory in `text`, if any:
/// a Deps edit rewrites them.
fn factory_type_args(text: &str) -> Option<String> {
    for head in ["Worker<", "DurableObjectNamespace<"] {
        if let Some(i) = text.find(head) {
            let rest = &text[i + head.len()..];
            let end = rest.find(">()")?;
            return Some(rest[..end].to_string());
        }
    }
    None
}

/// A random script of `steps` actions on `ws`, with a comparison every few steps and at the
/// end.
pub fn generate(rng: &mut Rng, ws: &Workspace, steps: usize) -> Vec<Action> {
    let sources: Vec<String> = ws.sources().into_iter().map(str::to_string).collect();
    let all_text: String = ws
        .files
        .iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let names = identifiers(&all_text);
    let mut model = Model::new(ws);
    let mut out = Vec::new();
    let mut new_files = 0;
    let noop_uri = |p: &str| p.to_string();
    for step in 0..steps {
        let open: Vec<String> = model.open.keys().cloned().collect();
        let roll = rng.below(100);
        let action = if open.is_empty() || roll < 12 {
            // open something (a disk file, sometimes a new file)
            if rng.chance(0.15) || sources.is_empty() {
                new_files += 1;
                let dir = match sources.is_empty() {
                    true => String::new(),
                    false => rng
                        .pick(&sources)
                        .rsplit_once('/')
                        .map(|(d, _)| d.to_string())
                        .unwrap_or_default(),
                };
                let base = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                let text = match sources.is_empty() {
                    true => SNIPPETS[30].to_string(),
                    false => {
                        let from = rng.pick(&sources).clone();
                        let t = ws.text(&from).unwrap_or_default();
                        // a copy of a file with its classes renamed, or a fragment of one
                        if rng.chance(0.5) {
                            let mut t = t.to_string();
                            for n in identifiers(&t).into_iter().take(3) {
                                t = t.replace(&n, &format!("{n}N{new_files}"));
                            }
                            t
                        } else {
                            fragment(rng, t, 400)
                        }
                    }
                };
                Action::NewFile {
                    path: format!("{base}oracle_new_{new_files}.ts"),
                    text,
                }
            } else {
                Action::Open {
                    path: rng.pick(&sources).clone(),
                }
            }
        } else {
            let path = rng.pick(&open).clone();
            let text = model.open[&path].text.clone();
            match roll {
                12..=17 => Action::Close { path },
                18..=42 => {
                    let snippet = if rng.chance(0.3) && !names.is_empty() {
                        rng.pick(&names).clone()
                    } else if rng.chance(0.2) {
                        let other = rng.pick(&ws.files).1.clone();
                        fragment(rng, &other, 300)
                    } else {
                        rng.pick(SNIPPETS).to_string()
                    };
                    Action::Insert {
                        path,
                        at: rng.unit(),
                        text: snippet,
                    }
                }
                43..=58 => {
                    let max = if rng.chance(0.2) { 200 } else { 12 };
                    Action::Delete {
                        path,
                        at: rng.unit(),
                        len: 1 + rng.below(max),
                    }
                }
                59..=68 => match factory_type_args(&text) {
                    // a Deps edit
                    Some(args) => {
                        let parts: Vec<&str> = args.split(',').map(str::trim).collect();
                        let to = if parts.len() >= 3 {
                            format!("{}, {}, {}", parts[0], parts[1], rng.pick(DEPS))
                        } else if rng.chance(0.5) {
                            format!("{}, {{}}, {}", parts[0], rng.pick(DEPS))
                        } else {
                            parts[0].to_string()
                        };
                        Action::Replace {
                            path,
                            from: args,
                            to,
                            all: false,
                        }
                    }
                    None => Action::Undo { path },
                },
                69..=76 => {
                    // a rename: one name for another (every occurrence in the buffer)
                    let here = identifiers(&text);
                    if here.is_empty() || names.is_empty() {
                        Action::Undo { path }
                    } else {
                        let from = rng.pick(&here).clone();
                        let to = if rng.chance(0.5) {
                            rng.pick(&names).clone()
                        } else {
                            format!("{from}2")
                        };
                        Action::Replace {
                            path,
                            from,
                            to,
                            all: true,
                        }
                    }
                }
                77..=84 => Action::Undo { path },
                85..=88 => Action::Crlf { path },
                _ => Action::Save { path },
            }
        };
        let _ = apply(&mut model, &action, "utf-16", &noop_uri, &mut |_, _| {});
        out.push(action);
        if step % 6 == 5 {
            out.push(Action::Check);
        }
    }
    out.push(Action::Check);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_protocol_lines_and_units() {
        let t = "a😀b\r\nc\rd\ne";
        assert_eq!(position(t, 0, "utf-16"), (0, 0));
        assert_eq!(position(t, 5, "utf-16"), (0, 3));
        assert_eq!(position(t, 5, "utf-8"), (0, 5));
        assert_eq!(position(t, 5, "utf-32"), (0, 2));
        assert_eq!(position(t, 8, "utf-16"), (1, 0));
        assert_eq!(position(t, 10, "utf-16"), (2, 0));
        assert_eq!(position(t, 12, "utf-16"), (3, 0));
        assert_eq!(snap(t, 7), 6, "never between CR and LF");
        assert_eq!(snap(t, 3), 1, "never inside a character");
    }

    #[test]
    fn replace_all_sends_changes_last_first() {
        let ws = Workspace {
            name: "t".into(),
            files: vec![("a.ts".into(), "X x X\nX".into())],
        };
        let mut m = Model::new(&ws);
        let uri = |p: &str| p.to_string();
        apply(
            &mut m,
            &Action::Open { path: "a.ts".into() },
            "utf-16",
            &uri,
            &mut |_, _| {},
        );
        let msgs = apply(
            &mut m,
            &Action::Replace {
                path: "a.ts".into(),
                from: "X".into(),
                to: "Yy".into(),
                all: true,
            },
            "utf-16",
            &uri,
            &mut |_, _| {},
        );
        assert_eq!(m.open["a.ts"].text, "Yy x Yy\nYy");
        let changes = msgs[0].1["contentChanges"].as_array().unwrap();
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[0]["range"]["start"], json!({ "line": 1, "character": 0 }));
        assert_eq!(changes[2]["range"]["start"], json!({ "line": 0, "character": 0 }));
    }
}
