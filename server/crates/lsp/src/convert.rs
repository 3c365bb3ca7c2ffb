//! Protocol positions ↔ byte offsets, in the negotiated encoding. Every LSP position that
//! enters or leaves the server goes through here; the arithmetic itself is
//! [`alchemy_ls_core::line_index`].

use alchemy_grammar::Span;
use tower_lsp_server::lsp_types::{ClientCapabilities, Position, PositionEncodingKind, Range};

use alchemy_ls_core::line_index::{Encoding, LineCol, LineIndex};

/// Pick the position encoding from the client's `general.positionEncodings`: UTF-8 if
/// offered, else UTF-16 (the protocol default, always supported), else UTF-32 if that is the
/// only thing offered.
pub fn negotiate_encoding(caps: &ClientCapabilities) -> Encoding {
    let offered: &[PositionEncodingKind] = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_deref())
        .unwrap_or(&[]);
    if offered.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if offered.is_empty() || offered.contains(&PositionEncodingKind::UTF16) {
        Encoding::Utf16
    } else if offered.contains(&PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    }
}

pub fn encoding_kind(enc: Encoding) -> PositionEncodingKind {
    match enc {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

/// Converts between one text's byte offsets and protocol positions.
#[derive(Clone, Copy)]
pub struct Conv<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub enc: Encoding,
}

impl<'a> Conv<'a> {
    pub fn new(text: &'a str, index: &'a LineIndex, enc: Encoding) -> Self {
        Conv { text, index, enc }
    }

    /// Protocol position → byte offset (clamped into the text, onto a char boundary).
    pub fn offset(&self, pos: Position) -> u32 {
        self.index.offset(
            self.text,
            LineCol {
                line: pos.line,
                col: pos.character,
            },
            self.enc,
        )
    }

    /// Protocol range → byte span; a reversed range is normalised.
    pub fn span(&self, range: Range) -> Span {
        let a = self.offset(range.start);
        let b = self.offset(range.end);
        Span {
            start: a.min(b),
            end: a.max(b),
        }
    }

    pub fn position(&self, offset: u32) -> Position {
        let lc = self.index.line_col(self.text, offset, self.enc);
        Position::new(lc.line, lc.col)
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }
}

/// A tree-sitter point (row = number of `\n` before `offset`, column in bytes after the last
/// `\n`), as `Tree::edit` wants it. Not a protocol position.
pub fn ts_point(text: &str, offset: usize) -> tree_sitter::Point {
    let offset = alchemy_ls_core::line_index::floor_char_boundary(text, offset);
    let before = &text.as_bytes()[..offset];
    let row = memchr::memchr_iter(b'\n', before).count();
    let col = match memchr::memrchr(b'\n', before) {
        Some(nl) => offset - nl - 1,
        None => offset,
    };
    tree_sitter::Point { row, column: col }
}

/// The point after inserting `inserted` at `start`.
pub fn ts_point_after(start: tree_sitter::Point, inserted: &str) -> tree_sitter::Point {
    let bytes = inserted.as_bytes();
    let rows = memchr::memchr_iter(b'\n', bytes).count();
    match memchr::memrchr(b'\n', bytes) {
        Some(nl) => tree_sitter::Point {
            row: start.row + rows,
            column: bytes.len() - nl - 1,
        },
        None => tree_sitter::Point {
            row: start.row,
            column: start.column + bytes.len(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::lsp_types::GeneralClientCapabilities;

    fn caps(encs: Option<Vec<PositionEncodingKind>>) -> ClientCapabilities {
        ClientCapabilities {
            general: Some(GeneralClientCapabilities {
                position_encodings: encs,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn negotiation_prefers_utf8_then_utf16() {
        use PositionEncodingKind as K;
        assert_eq!(
            negotiate_encoding(&ClientCapabilities::default()),
            Encoding::Utf16
        );
        assert_eq!(negotiate_encoding(&caps(None)), Encoding::Utf16);
        assert_eq!(
            negotiate_encoding(&caps(Some(vec![K::UTF16, K::UTF8]))),
            Encoding::Utf8
        );
        assert_eq!(
            negotiate_encoding(&caps(Some(vec![K::UTF32, K::UTF16]))),
            Encoding::Utf16
        );
        assert_eq!(negotiate_encoding(&caps(Some(vec![K::UTF32]))), Encoding::Utf32);
        assert_eq!(
            negotiate_encoding(&caps(Some(vec![K::from("utf-7".to_string())]))),
            Encoding::Utf16
        );
    }

    #[test]
    fn emoji_cjk_crlf_round_trip() {
        let text = "a😀b\r\n中文x\r\n\r\nlast";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        let cases = [(Encoding::Utf16, 2), (Encoding::Utf8, 6), (Encoding::Utf32, 2)];
        for (enc, col) in cases {
            let conv = Conv::new(text, &idx, enc);
            assert_eq!(conv.position(x), Position::new(1, col), "{enc:?}");
            assert_eq!(conv.offset(Position::new(1, col)), x, "{enc:?}");
        }
        let conv = Conv::new(text, &idx, Encoding::Utf16);
        // `b` after the emoji: 3 UTF-16 units
        assert_eq!(conv.position(text.find('b').unwrap() as u32), Position::new(0, 3));
        // the empty line and the last line
        assert_eq!(
            conv.offset(Position::new(3, 0)),
            text.find("last").unwrap() as u32
        );
        assert_eq!(
            conv.offset(Position::new(2, 5)),
            text.find("\r\n\r\nlast").unwrap() as u32 + 2
        );
        // reversed range is normalised
        let s = conv.span(Range::new(Position::new(0, 3), Position::new(0, 0)));
        assert_eq!((s.start, s.end), (0, 5));
    }

    #[test]
    fn tree_sitter_points() {
        let text = "ab\ncd\r\nef";
        assert_eq!(ts_point(text, 0), tree_sitter::Point { row: 0, column: 0 });
        assert_eq!(ts_point(text, 4), tree_sitter::Point { row: 1, column: 1 });
        assert_eq!(ts_point(text, 7), tree_sitter::Point { row: 2, column: 0 });
        let p = ts_point_after(tree_sitter::Point { row: 1, column: 2 }, "x\nyz");
        assert_eq!(p, tree_sitter::Point { row: 2, column: 2 });
        let p = ts_point_after(tree_sitter::Point { row: 1, column: 2 }, "xy");
        assert_eq!(p, tree_sitter::Point { row: 1, column: 4 });
    }
}
