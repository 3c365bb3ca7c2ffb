//! `alchemy-ls rules [ID]`.

use super::{EXIT_ERROR, EXIT_OK, Io};
use crate::catalog::{self, RULES, RuleMeta};

pub fn run(id: Option<&str>, io: &mut Io) -> i32 {
    let Some(id) = id else {
        let _ = io.out.write_all(list().as_bytes());
        return EXIT_OK;
    };
    match catalog::rule(id) {
        Some(rule) => {
            let _ = io.out.write_all(explain(rule).as_bytes());
            EXIT_OK
        }
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

/// One rule: header, explanation, a bad and a good example, the docs link.
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
    format!(
        "{} ({} by default)\n{}\n\n{}\n\nBad:\n\n{}\nGood:\n\n{}\nMore: {}\n",
        r.id,
        r.default_severity.as_str(),
        r.summary,
        wrap(r.description, 100),
        indent(r.bad),
        indent(r.good),
        catalog::help_uri(r.id)
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
