//! Open documents: a rope per document with its version, incrementally edited; the syntax
//! tree is edited in step (`Tree::edit`) so the reparse can be incremental.
//!
//! Guards never leave this module: every accessor returns owned data, so no caller can hold
//! a dashmap guard across an `.await`.

use std::path::PathBuf;
use std::sync::Arc;

use alchemy_grammar::{Dialect, FileFacts};
use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::convert::{Conv, ts_point, ts_point_after};
use alchemy_ls_core::line_index::{Encoding, LineIndex};

pub struct Document {
    pub version: i32,
    /// Canonical file path (`file:` URIs only).
    pub path: Option<PathBuf>,
    pub rope: Rope,
    /// The rope's text, materialised once per version (the index and the analysis take it).
    pub text: Arc<str>,
    pub line_index: Arc<LineIndex>,
    pub dialect: Option<Dialect>,
    /// Syntax tree of the last parse of `text`; edited in step with each change and reparsed
    /// incrementally (`None` for files that are not TypeScript or are too large to parse).
    pub tree: Option<tree_sitter::Tree>,
    /// Facts of `text`, from `tree`.
    pub facts: Option<Arc<FileFacts>>,
}

/// A copy of what the rest of the server needs of a document.
#[derive(Clone, Debug)]
pub struct DocSnapshot {
    pub uri: Uri,
    pub version: i32,
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    pub line_index: Arc<LineIndex>,
    pub facts: Option<Arc<FileFacts>>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    Applied,
    /// The document is not open; nothing changed.
    Unknown,
}

impl Document {
    pub fn new(text: &str, version: i32, path: Option<PathBuf>) -> Document {
        let dialect = path
            .as_deref()
            .and_then(|p| Dialect::from_path(&p.to_string_lossy()));
        let mut doc = Document {
            version,
            path,
            rope: Rope::from_str(text),
            text: Arc::from(text),
            line_index: Arc::new(LineIndex::new(text)),
            dialect,
            tree: None,
            facts: None,
        };
        doc.reparse();
        doc
    }

    /// Parse `text` (incrementally when the edited previous tree is there) and extract its
    /// facts. A keystroke costs an incremental reparse of this one file.
    fn reparse(&mut self) {
        let Some(dialect) = self.dialect else { return };
        if self.text.len() > alchemy_grammar::MAX_PARSE_BYTES {
            self.tree = None;
            self.facts = None;
            return;
        }
        let tree = alchemy_grammar::parse(&self.text, dialect, self.tree.as_ref());
        self.facts = Some(Arc::new(alchemy_grammar::facts_from_tree(&self.text, &tree)));
        self.tree = Some(tree);
    }

    /// Apply one batch of content changes (each range refers to the text after the previous
    /// change, in `enc` positions).
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32, enc: Encoding) {
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.tree = None;
                }
                Some(range) => {
                    let span = Conv::new(&self.text, &self.line_index, enc).span(range);
                    let (start, old_end) = (span.start as usize, span.end as usize);
                    if let Some(tree) = &mut self.tree {
                        let start_position = ts_point(&self.text, start);
                        tree.edit(&tree_sitter::InputEdit {
                            start_byte: start,
                            old_end_byte: old_end,
                            new_end_byte: start + change.text.len(),
                            start_position,
                            old_end_position: ts_point(&self.text, old_end),
                            new_end_position: ts_point_after(start_position, &change.text),
                        });
                    }
                    let start_char = self.rope.byte_to_char(start);
                    let end_char = self.rope.byte_to_char(old_end);
                    self.rope.remove(start_char..end_char);
                    self.rope.insert(start_char, &change.text);
                }
            }
            let text: String = self.rope.to_string();
            self.line_index = Arc::new(LineIndex::new(&text));
            self.text = Arc::from(text);
        }
        self.reparse();
        self.version = version;
    }
}

#[derive(Default)]
pub struct Documents {
    map: DashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&self, uri: Uri, doc: Document) {
        self.map.insert(uri, doc);
    }

    pub fn close(&self, uri: &Uri) -> Option<Document> {
        self.map.remove(uri).map(|(_, d)| d)
    }

    /// Apply changes; returns the outcome and, if applied, the new snapshot. A version that
    /// does not increase is applied anyway (the client's text is the truth) and logged by
    /// the caller.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        enc: Encoding,
    ) -> (ChangeOutcome, Option<i32>) {
        let Some(mut doc) = self.map.get_mut(uri) else {
            return (ChangeOutcome::Unknown, None);
        };
        let old = doc.version;
        doc.apply(changes, version, enc);
        (ChangeOutcome::Applied, Some(old))
    }

    /// Run `f` on the document (under its guard; `f` must not block or await).
    pub fn with<R>(&self, uri: &Uri, f: impl FnOnce(&mut Document) -> R) -> Option<R> {
        self.map.get_mut(uri).map(|mut d| f(&mut d))
    }

    pub fn snapshot(&self, uri: &Uri) -> Option<DocSnapshot> {
        self.map.get(uri).map(|d| DocSnapshot {
            uri: uri.clone(),
            version: d.version,
            path: d.path.clone(),
            text: d.text.clone(),
            line_index: d.line_index.clone(),
            facts: d.facts.clone(),
        })
    }

    pub fn all(&self) -> Vec<DocSnapshot> {
        self.map
            .iter()
            .map(|d| DocSnapshot {
                uri: d.key().clone(),
                version: d.version,
                path: d.path.clone(),
                text: d.text.clone(),
                line_index: d.line_index.clone(),
                facts: d.facts.clone(),
            })
            .collect()
    }

    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.map.get(uri).map(|d| d.version)
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::lsp_types::{Position, Range};

    fn edit(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_edits_in_each_encoding() {
        // insert after the emoji on line 0 and after the CJK on line 1 (CRLF file)
        let original = "x😀y\r\n中文z\r\n";
        let cases = [
            (Encoding::Utf16, 3, 2),
            (Encoding::Utf8, 5, 6),
            (Encoding::Utf32, 2, 2),
        ];
        for (enc, c0, c1) in cases {
            let mut doc = Document::new(original, 1, None);
            doc.apply(vec![edit(0, c0, 0, c0 + 1, "Y"), edit(1, c1, 1, c1, "!")], 2, enc);
            assert_eq!(&*doc.text, "x😀Y\r\n中文!z\r\n", "{enc:?}");
            assert_eq!(doc.version, 2);
            assert_eq!(doc.rope.to_string(), &*doc.text);
        }
    }

    #[test]
    fn edits_across_lines_and_full_replacement() {
        let mut doc = Document::new("a\r\nb\r\nc", 1, None);
        doc.apply(vec![edit(0, 1, 2, 0, "-")], 2, Encoding::Utf16);
        assert_eq!(&*doc.text, "a-c");
        doc.apply(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new\n".into(),
            }],
            3,
            Encoding::Utf16,
        );
        assert_eq!(&*doc.text, "new\n");
        // out-of-range positions clamp instead of panicking
        doc.apply(vec![edit(9, 9, 12, 0, "end")], 4, Encoding::Utf16);
        assert_eq!(&*doc.text, "new\nend");
        // a position inside a surrogate pair clamps to the character start
        let mut doc = Document::new("😀", 1, None);
        doc.apply(vec![edit(0, 1, 0, 1, "x")], 2, Encoding::Utf16);
        assert_eq!(&*doc.text, "x😀");
    }

    #[test]
    fn unknown_document() {
        let docs = Documents::default();
        let uri: Uri = "file:///nope.ts".parse().unwrap();
        assert_eq!(
            docs.change(&uri, 1, vec![], Encoding::Utf16).0,
            ChangeOutcome::Unknown
        );
    }

    #[test]
    fn incremental_reparse_gives_the_facts_of_a_fresh_parse() {
        let text = "import * as Cloudflare from \"alchemy/Cloudflare\";\nexport class W extends Cloudflare.Worker<W>()(\"W\", {}) {}\n";
        let mut doc = Document::new(text, 1, Some(PathBuf::from("/w/a.ts")));
        assert!(doc.tree.is_some() && doc.facts.is_some());
        // rename the class, then type a half-finished `.from(` line, then delete it again
        doc.apply(vec![edit(1, 13, 1, 14, "Api")], 2, Encoding::Utf16);
        doc.apply(
            vec![edit(2, 0, 2, 0, "const c = Counter.from(\n")],
            3,
            Encoding::Utf16,
        );
        doc.apply(vec![edit(2, 0, 3, 0, "")], 4, Encoding::Utf16);
        let fresh = alchemy_grammar::extract(&doc.text, Dialect::TypeScript);
        assert_eq!(doc.facts.as_deref(), Some(&fresh));
        assert_eq!(fresh.decls[0].name, "Api");
    }
}
