//! Open documents: a rope per document with its version, incrementally edited, and the syntax
//! tree edited in step (`Tree::edit`) so that the reparse can be incremental.
//!
//! A `didChange` handler only edits the rope and the tree: O(log n) per change, plus the
//! length of the lines it touches, whatever the document's size. Materialising the text and
//! parsing it happen on the analysis worker ([`DocContent::materialize`]), once per round
//! however many keystrokes the round coalesces: a 60 MB buffer never holds up the message
//! loop.
//!
//! Guards never leave this module: every accessor returns owned data, so no caller can hold
//! a dashmap guard across an `.await`.

use std::path::PathBuf;
use std::sync::Arc;

use alchemy_grammar::{Dialect, FileFacts};
use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::lsp_types::{Position, TextDocumentContentChangeEvent, Uri};

use alchemy_ls_core::line_index::Encoding;

pub struct Document {
    pub version: i32,
    /// Canonical file path (`file:` URIs only).
    pub path: Option<PathBuf>,
    pub rope: Rope,
    pub dialect: Option<Dialect>,
    /// The tree of the last parse, with every later edit applied (`None` before the first
    /// parse, after a full replacement, for files that are not TypeScript or too large).
    pub tree: Option<tree_sitter::Tree>,
}

/// What the analysis worker needs of one version of a document (cheap to take: a rope and a
/// tree are shared, copy-on-write).
#[derive(Clone)]
pub struct DocContent {
    pub uri: Uri,
    pub version: i32,
    pub path: Option<PathBuf>,
    pub rope: Rope,
    pub dialect: Option<Dialect>,
    pub tree: Option<tree_sitter::Tree>,
}

impl std::fmt::Debug for DocContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocContent")
            .field("uri", &self.uri.as_str())
            .field("version", &self.version)
            .field("len", &self.rope.len_bytes())
            .finish()
    }
}

/// A document's text, parsed.
pub struct Materialized {
    pub text: Arc<str>,
    /// Facts of `text` (`None`: not TypeScript, or over the parse limit; the index decides).
    pub facts: Option<Arc<FileFacts>>,
    pub tree: Option<tree_sitter::Tree>,
}

impl DocContent {
    /// The text and its facts: an incremental reparse from the edited tree when there is one.
    /// A tree with syntax errors is parsed again from scratch: tree-sitter's error recovery
    /// may differ after an edit, and the server must give what `check` gives on the same text.
    pub fn materialize(&self) -> Materialized {
        let text: Arc<str> = Arc::from(String::from(&self.rope));
        let Some(dialect) = self.dialect else {
            return Materialized {
                text,
                facts: None,
                tree: None,
            };
        };
        if text.len() > alchemy_grammar::MAX_PARSE_BYTES {
            return Materialized {
                text,
                facts: None,
                tree: None,
            };
        }
        let mut tree = alchemy_grammar::parse(&text, dialect, self.tree.as_ref());
        if self.tree.is_some() && tree.root_node().has_error() {
            tree = alchemy_grammar::parse(&text, dialect, None);
        }
        let facts = Arc::new(alchemy_grammar::facts_from_tree(&text, &tree));
        Materialized {
            text,
            facts: Some(facts),
            tree: Some(tree),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    Applied,
    /// The document is not open; nothing changed.
    Unknown,
}

/// Protocol position → byte offset in `rope`, with the semantics of
/// [`alchemy_ls_core::line_index::LineIndex::offset`]: a column past the end of the line clamps to the
/// line's end (before its break), a line past the end clamps to the end of the text, a column
/// inside a character (a surrogate pair) clamps to the character's start. Lines break at LF,
/// CRLF and lone CR (ropey's `cr_lines`).
pub fn rope_offset(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let mut byte = rope.line_to_byte(line);
    let mut units = 0u32;
    for ch in rope.line(line).chars() {
        if ch == '\n' || ch == '\r' {
            break;
        }
        let w = match enc {
            Encoding::Utf8 => ch.len_utf8() as u32,
            Encoding::Utf16 => ch.len_utf16() as u32,
            Encoding::Utf32 => 1,
        };
        if units + w > pos.character {
            break;
        }
        units += w;
        byte += ch.len_utf8();
    }
    byte
}

/// A tree-sitter point for a byte offset of `rope` (row: the rope's line; column: bytes since
/// the line's start). tree-sitter counts rows at LF only, so after a lone CR the row is one
/// more than tree-sitter's: points only locate nodes, the reparse goes by bytes.
fn ts_point(rope: &Rope, byte: usize) -> tree_sitter::Point {
    let row = rope.byte_to_line(byte);
    tree_sitter::Point {
        row,
        column: byte - rope.line_to_byte(row),
    }
}

impl Document {
    pub fn new(text: &str, version: i32, path: Option<PathBuf>) -> Document {
        let dialect = path
            .as_deref()
            .and_then(|p| Dialect::from_path(&p.to_string_lossy()));
        Document {
            version,
            path,
            rope: Rope::from_str(text),
            dialect,
            tree: None,
        }
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
                    let a = rope_offset(&self.rope, range.start, enc);
                    let b = rope_offset(&self.rope, range.end, enc);
                    let (start, old_end) = (a.min(b), a.max(b));
                    let start_position = ts_point(&self.rope, start);
                    let old_end_position = ts_point(&self.rope, old_end);
                    let start_char = self.rope.byte_to_char(start);
                    let end_char = self.rope.byte_to_char(old_end);
                    self.rope.remove(start_char..end_char);
                    self.rope.insert(start_char, &change.text);
                    if let Some(tree) = &mut self.tree {
                        let new_end = start + change.text.len();
                        tree.edit(&tree_sitter::InputEdit {
                            start_byte: start,
                            old_end_byte: old_end,
                            new_end_byte: new_end,
                            start_position,
                            old_end_position,
                            new_end_position: ts_point(&self.rope, new_end),
                        });
                    }
                }
            }
        }
        self.version = version;
    }

    fn content(&self, uri: &Uri) -> DocContent {
        DocContent {
            uri: uri.clone(),
            version: self.version,
            path: self.path.clone(),
            rope: self.rope.clone(),
            dialect: self.dialect,
            tree: self.tree.clone(),
        }
    }
}

#[derive(Default)]
pub struct Documents {
    map: DashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&self, uri: Uri, doc: Document) -> DocContent {
        let content = doc.content(&uri);
        self.map.insert(uri, doc);
        content
    }

    pub fn close(&self, uri: &Uri) -> Option<Document> {
        self.map.remove(uri).map(|(_, d)| d)
    }

    /// Apply changes; returns the outcome, the version before and the new content. A version
    /// that does not increase is applied anyway (the client's text is the truth) and logged
    /// by the caller.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        enc: Encoding,
    ) -> (ChangeOutcome, Option<(i32, DocContent)>) {
        let Some(mut doc) = self.map.get_mut(uri) else {
            return (ChangeOutcome::Unknown, None);
        };
        let old = doc.version;
        doc.apply(changes, version, enc);
        let content = doc.content(uri);
        (ChangeOutcome::Applied, Some((old, content)))
    }

    /// Keep the tree parsed from `version`'s text, if the document is still at that version
    /// (the next reparse starts from it).
    pub fn set_tree(&self, uri: &Uri, version: i32, tree: tree_sitter::Tree) {
        if let Some(mut doc) = self.map.get_mut(uri)
            && doc.version == version
        {
            doc.tree = Some(tree);
        }
    }

    pub fn content(&self, uri: &Uri) -> Option<DocContent> {
        self.map.get(uri).map(|d| d.content(uri))
    }

    /// The document's text (materialised).
    pub fn text(&self, uri: &Uri) -> Option<(String, i32)> {
        self.map.get(uri).map(|d| (String::from(&d.rope), d.version))
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
    use alchemy_ls_core::line_index::{LineCol, LineIndex};
    use tower_lsp_server::lsp_types::Range;

    fn edit(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: text.to_string(),
        }
    }

    fn text(doc: &Document) -> String {
        String::from(&doc.rope)
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
            assert_eq!(text(&doc), "x😀Y\r\n中文!z\r\n", "{enc:?}");
            assert_eq!(doc.version, 2);
        }
    }

    #[test]
    fn edits_across_lines_and_full_replacement() {
        let mut doc = Document::new("a\r\nb\r\nc", 1, None);
        doc.apply(vec![edit(0, 1, 2, 0, "-")], 2, Encoding::Utf16);
        assert_eq!(text(&doc), "a-c");
        doc.apply(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new\n".into(),
            }],
            3,
            Encoding::Utf16,
        );
        assert_eq!(text(&doc), "new\n");
        // out-of-range positions clamp instead of panicking
        doc.apply(vec![edit(9, 9, 12, 0, "end")], 4, Encoding::Utf16);
        assert_eq!(text(&doc), "new\nend");
        // a position inside a surrogate pair clamps to the character start
        let mut doc = Document::new("😀", 1, None);
        doc.apply(vec![edit(0, 1, 0, 1, "x")], 2, Encoding::Utf16);
        assert_eq!(text(&doc), "x😀");
        // a reversed range is normalised
        let mut doc = Document::new("abcd", 1, None);
        doc.apply(vec![edit(0, 3, 0, 1, "")], 2, Encoding::Utf16);
        assert_eq!(text(&doc), "ad");
    }

    /// The rope's position arithmetic is the line index's, on every position of texts with
    /// every kind of line break, emoji and CJK (past the ends too).
    #[test]
    fn rope_offsets_match_the_line_index() {
        let texts = [
            "",
            "a",
            "a\nb",
            "a\r\nb\r\n",
            "a\rb\r\rc\r\n\r\nd",
            "x😀中y\r\n😀\n\n中文\rz",
            "\r",
            "\n\r\n\r",
            "é\u{2028}f\u{85}g",
        ];
        for t in texts {
            let rope = Rope::from_str(t);
            let idx = LineIndex::new(t);
            assert_eq!(rope.len_lines(), idx.line_count(), "{t:?}");
            for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                for line in 0..idx.line_count() as u32 + 2 {
                    for col in 0..12 {
                        let expected = idx.offset(t, LineCol { line, col }, enc) as usize;
                        let got = rope_offset(&rope, Position::new(line, col), enc);
                        assert_eq!(got, expected, "{t:?} {enc:?} {line}:{col}");
                    }
                }
            }
        }
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

    fn materialize(doc: &Document) -> Materialized {
        let uri: Uri = "file:///w/a.ts".parse().unwrap();
        doc.content(&uri).materialize()
    }

    #[test]
    fn incremental_reparse_gives_the_facts_of_a_fresh_parse() {
        let text0 = "import * as Cloudflare from \"alchemy/Cloudflare\";\nexport class W extends Cloudflare.Worker<W>()(\"W\", {}) {}\n";
        let mut doc = Document::new(text0, 1, Some(PathBuf::from("/w/a.ts")));
        let m = materialize(&doc);
        assert!(m.tree.is_some() && m.facts.is_some());
        doc.tree = m.tree;
        // rename the class, then type a half-finished `.from(` line, then delete it again
        doc.apply(vec![edit(1, 13, 1, 14, "Api")], 2, Encoding::Utf16);
        let m = materialize(&doc);
        doc.tree = m.tree;
        doc.apply(
            vec![edit(2, 0, 2, 0, "const c = Counter.from(\n")],
            3,
            Encoding::Utf16,
        );
        let m = materialize(&doc);
        let fresh = alchemy_grammar::extract(&m.text, Dialect::TypeScript);
        assert_eq!(m.facts.as_deref(), Some(&fresh), "with a syntax error");
        doc.tree = m.tree;
        doc.apply(vec![edit(2, 0, 3, 0, "")], 4, Encoding::Utf16);
        let m = materialize(&doc);
        let fresh = alchemy_grammar::extract(&m.text, Dialect::TypeScript);
        assert_eq!(m.facts.as_deref(), Some(&fresh));
        assert_eq!(fresh.decls[0].name, "Api");
    }

    /// The edit of the grammar-level finding (tree-sitter recovers differently after it than
    /// from scratch): the facts are those of a fresh parse.
    #[test]
    fn erroneous_edit_gives_the_facts_of_a_fresh_parse() {
        let text0 = "import * as Cloudflare from \"alchemy/Cloudflare\";\nexport class W extends Cloudflare.Worker<W>()(\"W\", {}) {}\n";
        let mut doc = Document::new(text0, 1, Some(PathBuf::from("/w/a.ts")));
        doc.tree = materialize(&doc).tree;
        let at = text0.find("re.Worker").unwrap() as u32 - text0.find('\n').unwrap() as u32 - 1;
        doc.apply(vec![edit(1, at, 1, at + 2, "/*")], 2, Encoding::Utf16);
        let m = materialize(&doc);
        assert_eq!(
            m.facts.as_deref(),
            Some(&alchemy_grammar::extract(&m.text, Dialect::TypeScript))
        );
    }
}
