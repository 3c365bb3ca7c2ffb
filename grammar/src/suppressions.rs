//! `alchemy-ls-disable[-next-line] [rule, …]` comments → [`Suppression`].

use crate::facts::{Span, Suppression};

const NEXT_LINE: &str = "alchemy-ls-disable-next-line";
const FILE: &str = "alchemy-ls-disable";

/// Reads the directive of one comment (`comment` is its full text, `span` its range).
pub fn parse_suppression(comment: &str, span: Span) -> Option<Suppression> {
    let mut search = 0;
    while let Some(pos) = comment[search..].find(FILE) {
        let at = search + pos;
        let (next_line, rest) = if comment[at..].starts_with(NEXT_LINE) {
            (true, &comment[at + NEXT_LINE.len()..])
        } else {
            (false, &comment[at + FILE.len()..])
        };
        // `alchemy-ls-disabled`, `alchemy-ls-disable-line` …: not a directive; keep looking.
        if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            search = at + FILE.len();
            continue;
        }
        return Some(Suppression {
            span,
            next_line,
            rules: rule_list(rest),
        });
    }
    None
}

/// Rule ids (lowercase words with dashes) separated by commas or spaces, up to the first
/// token that is not one (`--`, a description, `*/`).
fn rule_list(rest: &str) -> Vec<String> {
    let mut rules = Vec::new();
    for token in rest
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let is_rule = token.starts_with(|c: char| c.is_ascii_lowercase())
            && token
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !is_rule {
            break;
        }
        rules.push(token.to_string());
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    type Expected = Option<(bool, &'static [&'static str])>;

    #[test]
    fn directives() {
        let span = Span::default();
        let cases: [(&str, Expected); 9] = [
            (
                "// alchemy-ls-disable-next-line from-non-host, duplicate-host",
                Some((true, &["from-non-host", "duplicate-host"])),
            ),
            (
                "// alchemy-ls-disable-next-line from-non-host -- reason here",
                Some((true, &["from-non-host"])),
            ),
            ("/* alchemy-ls-disable-next-line */", Some((true, &[]))),
            ("// alchemy-ls-disable", Some((false, &[]))),
            (
                "/* alchemy-ls-disable deps-too-wide */",
                Some((false, &["deps-too-wide"])),
            ),
            ("// alchemy-ls-disable a b,c", Some((false, &["a", "b", "c"]))),
            ("// alchemy-ls-disabled", None),
            ("// alchemy-ls-disable-line x", None),
            ("// eslint-disable-next-line", None),
        ];
        for (text, expected) in cases {
            let got = parse_suppression(text, span).map(|s| (s.next_line, s.rules));
            let expected = expected.map(|(n, r)| (n, r.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
            assert_eq!(got, expected, "{text}");
        }
    }
}
