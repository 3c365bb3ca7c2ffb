//! `alchemy-ls rules [ID]`.

use super::{EXIT_ERROR, EXIT_OK, Io};
use crate::catalog::{self, RULES, RuleMeta};

pub fn run(id: Option<&str>, io: &mut Io) -> i32 {
    let Some(id) = id else {
        return match super::emit(io, &list()) {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        };
    };
    match catalog::rule(id) {
        Some(rule) => match super::emit(io, &explain(rule)) {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        },
        None => {
            let suggestion = RULES
                .iter()
                .map(|r| (strsim::levenshtein(id, r.id), r.id))
                .filter(|(d, _)| *d <= 3)
                .min()
                .map(|(_, r)| format!(" (did you mean `{r}`?)"))
                .unwrap_or_default();
            let _ = writeln!(
                io.err,
                "alchemy-ls: unknown rule `{id}`{suggestion}; run `alchemy-ls rules` to list them"
            );
            EXIT_ERROR
        }
    }
}

/// `id  severity  summary`, aligned.
pub fn list() -> String {
    let width = RULES.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in RULES {
        out.push_str(&format!(
            "{:width$}  {:7}  {}\n",
            r.id,
            r.default_severity.as_str(),
            r.summary
        ));
    }
    out
}

/// One rule: header, explanation, a bad and a good example, and the docs link when one is
/// configured (`catalog::docs_url`).
pub fn explain(r: &RuleMeta) -> String {
    let indent = |code: &str| {
        code.lines()
            .map(|l| {
                if l.is_empty() {
                    "\n".to_string()
                } else {
                    format!("    {l}\n")
                }
            })
            .collect::<String>()
    };
    let more = catalog::help_uri(r.id)
        .map(|u| format!("More: {u}\n"))
        .unwrap_or_default();
    format!(
        "{} ({} by default)\n{}\n\n{}\n\nBad:\n\n{}\nGood:\n\n{}{more}",
        r.id,
        r.default_severity.as_str(),
        r.summary,
        wrap(r.description, 100),
        indent(r.bad),
        indent(r.good),
    )
}

/// Greedy word wrap.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if line_len > 0 && line_len + 1 + len > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out
}
