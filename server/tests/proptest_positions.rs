//! Properties of the position funnel (`line_index.rs`, `lsp/convert.rs`) on random text made
//! of ASCII, 2/3/4-byte characters (é, 中, 😀), LF, CRLF and lone CR:
//! - offset → line/col → offset is the identity in UTF-8, UTF-16 and UTF-32 (a position
//!   between the `\r` and `\n` of a CRLF is not a place in a line: it maps to the `\r`);
//! - line/col agrees with a naive reference model;
//! - any line/col (even past the end, or inside a surrogate pair) gives a char boundary
//!   inside the text, and valid positions round-trip the other way too.

use alchemy_ls::line_index::{Encoding, LineCol, LineIndex};
use alchemy_ls::lsp::convert::Conv;
use proptest::prelude::*;
use tower_lsp_server::lsp_types::{Position, Range};

const PIECES: &[&str] = &[
    "a",
    "Z",
    " ",
    "é",
    "中",
    "😀",
    "\u{10FFFF}",
    "\n",
    "\r\n",
    "\r",
    "\r\r\n",
    "\t",
];
const ENCODINGS: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|v| v.concat())
}

fn units(s: &str, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => s.len() as u32,
        Encoding::Utf16 => s.encode_utf16().count() as u32,
        Encoding::Utf32 => s.chars().count() as u32,
    }
}

/// Reference model: the lines (content without break) and their start offsets.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    let b = text.as_bytes();
    while i < b.len() {
        let brk = match b[i] {
            b'\n' => 1,
            b'\r' if b.get(i + 1) == Some(&b'\n') => 2,
            b'\r' => 1,
            _ => 0,
        };
        if brk > 0 {
            out.push((start, &text[start..i]));
            i += brk;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push((start, &text[start..]));
    out
}

fn inside_crlf(text: &str, offset: usize) -> bool {
    let b = text.as_bytes();
    offset > 0 && b[offset - 1] == b'\r' && b.get(offset) == Some(&b'\n')
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn offsets_round_trip_and_match_the_model(text in text_strategy()) {
        let idx = LineIndex::new(&text);
        let model = lines(&text);
        prop_assert_eq!(idx.line_count(), model.len());
        for offset in text.char_indices().map(|(i, _)| i).chain([text.len()]) {
            for enc in ENCODINGS {
                let lc = idx.line_col(&text, offset as u32, enc);
                let back = idx.offset(&text, lc, enc) as usize;
                if inside_crlf(&text, offset) {
                    prop_assert_eq!(back, offset - 1, "{:?} {} in {:?}", enc, offset, text);
                    continue;
                }
                prop_assert_eq!(back, offset, "{:?} via {:?} in {:?}", enc, lc, text);
                // The model: the line whose content (or break) holds the offset.
                let line = model.iter().rposition(|(s, _)| *s <= offset).unwrap();
                let (start, _) = model[line];
                prop_assert_eq!(lc, LineCol { line: line as u32, col: units(&text[start..offset], enc) });
            }
        }
    }

    #[test]
    fn any_position_lands_on_a_char_boundary(
        text in text_strategy(),
        positions in prop::collection::vec((0u32..40, prop_oneof![0u32..12, any::<u32>()]), 1..20),
    ) {
        let idx = LineIndex::new(&text);
        let model = lines(&text);
        for (line, col) in positions {
            for enc in ENCODINGS {
                let o = idx.offset(&text, LineCol { line, col }, enc) as usize;
                prop_assert!(o <= text.len() && text.is_char_boundary(o), "{:?} ({},{}) → {}", enc, line, col, o);
                match model.get(line as usize) {
                    // Past the last line: the end of the text.
                    None => prop_assert_eq!(o, text.len()),
                    Some((start, content)) => {
                        // Never leaves the line's content.
                        prop_assert!(o >= *start && o <= start + content.len());
                        // A column that is exactly a char boundary of the line round-trips.
                        let w = units(&text[*start..o], enc);
                        if w == col {
                            prop_assert_eq!(idx.line_col(&text, o as u32, enc), LineCol { line, col });
                        } else {
                            // Clamped: past the end, or inside a character.
                            prop_assert!(w < col);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn protocol_ranges_round_trip(text in text_strategy(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let idx = LineIndex::new(&text);
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .filter(|&i| !inside_crlf(&text, i))
            .collect();
        let (x, y) = (bounds[a.index(bounds.len())], bounds[b.index(bounds.len())]);
        for enc in ENCODINGS {
            let conv = Conv::new(&text, &idx, enc);
            let span = alchemy_grammar::Span::new(x.min(y), x.max(y));
            let range = conv.range(span);
            prop_assert_eq!(conv.span(range), span);
            // Reversed ranges are normalised.
            prop_assert_eq!(conv.span(Range::new(range.end, range.start)), span);
            let far = Position::new(u32::MAX, u32::MAX);
            prop_assert_eq!(conv.offset(far) as usize, text.len());
        }
    }
}

/// The reference model itself.
#[test]
fn model_splits_on_every_break() {
    let m = lines("a\r\nb\rc\nd\r\r\n");
    let contents: Vec<&str> = m.iter().map(|(_, c)| *c).collect();
    assert_eq!(contents, ["a", "b", "c", "d", "", ""]);
    assert_eq!(m[1].0, 3);
}
