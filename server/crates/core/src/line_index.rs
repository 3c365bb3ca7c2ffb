//! The one place where byte offsets become lines and columns, and back.
//!
//! Internally every offset is a byte offset. Lines break at LF, CRLF and lone CR. Columns are
//! counted in the requested [`Encoding`]: UTF-8 bytes, UTF-16 code units (LSP default) or
//! Unicode scalar values (UTF-32: the CLI's JSON contract and LSP's `utf-32`).

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

/// A 0-based line and column (in some [`Encoding`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of one text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the start of each line; always starts with 0.
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0u32];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i as u32 + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts,
            len: text.len() as u32,
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Byte offset where 0-based `line` starts (clamped to the end of the text).
    pub fn line_start(&self, line: u32) -> u32 {
        self.starts.get(line as usize).copied().unwrap_or(self.len)
    }

    /// The byte range of a line's content, without its line break.
    pub fn line_range(&self, text: &str, line: u32) -> (u32, u32) {
        let start = self.line_start(line);
        let mut end = self.starts.get(line as usize + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end as usize - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        (start, end)
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(i) => i as u32,
            Err(i) => i as u32 - 1,
        }
    }

    /// Byte offset → line/column in `enc`. Offsets inside a character or past the end are
    /// clamped to the previous character boundary / the end.
    pub fn line_col(&self, text: &str, offset: u32, enc: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len) as usize) as u32;
        let line = self.line_of(offset);
        let start = self.starts[line as usize] as usize;
        let segment = &text[start..offset as usize];
        LineCol {
            line,
            col: count_units(segment, enc),
        }
    }

    /// Line/column in `enc` → byte offset. A column past the end of the line clamps to the
    /// line's end (before its break); a line past the end clamps to the end of the text; a
    /// column inside a surrogate pair clamps to the character's start.
    pub fn offset(&self, text: &str, pos: LineCol, enc: Encoding) -> u32 {
        if pos.line as usize >= self.starts.len() {
            return self.len;
        }
        let (start, end) = self.line_range(text, pos.line);
        let line_text = &text[start as usize..end as usize];
        let mut units = 0u32;
        for (i, ch) in line_text.char_indices() {
            let w = char_units(ch, enc);
            if units + w > pos.col {
                return start + i as u32;
            }
            units += w;
        }
        end
    }
}

fn char_units(ch: char, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => ch.len_utf8() as u32,
        Encoding::Utf16 => ch.len_utf16() as u32,
        Encoding::Utf32 => 1,
    }
}

fn count_units(s: &str, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => s.len() as u32,
        Encoding::Utf16 => s.chars().map(|c| c.len_utf16() as u32).sum(),
        Encoding::Utf32 => s.chars().count() as u32,
    }
}

/// The largest char boundary `<= i`.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_lf_crlf_cr() {
        let text = "a\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(
            idx.line_col(text, 7, Encoding::Utf16),
            LineCol { line: 3, col: 0 }
        );
        assert_eq!(
            idx.line_col(text, 5, Encoding::Utf16),
            LineCol { line: 2, col: 0 }
        );
        assert_eq!(idx.line_range(text, 1), (2, 3));
    }

    #[test]
    fn columns_in_each_encoding() {
        let text = "x😀中y";
        let idx = LineIndex::new(text);
        let y = text.find('y').unwrap() as u32;
        assert_eq!(idx.line_col(text, y, Encoding::Utf8).col, 8);
        assert_eq!(idx.line_col(text, y, Encoding::Utf16).col, 4);
        assert_eq!(idx.line_col(text, y, Encoding::Utf32).col, 3);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let lc = idx.line_col(text, y, enc);
            assert_eq!(idx.offset(text, lc, enc), y);
        }
        // inside the surrogate pair → start of the emoji
        assert_eq!(idx.offset(text, LineCol { line: 0, col: 2 }, Encoding::Utf16), 1);
        // past the end of the line → end of line
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 99 }, Encoding::Utf16),
            text.len() as u32
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 5, col: 0 }, Encoding::Utf16),
            text.len() as u32
        );
    }

    #[test]
    fn offset_inside_char_clamps() {
        let text = "é";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 1, Encoding::Utf16).col, 0);
    }
}
