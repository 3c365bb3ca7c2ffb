//! `--format github`: GitHub Actions workflow commands, which become annotations.

use std::fmt::Write;

use super::Report;
use crate::analysis::Severity;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for i in &report.items {
        let command = match i.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&i.at.path),
            i.at.start.line,
            i.at.start.column,
            i.at.end.line,
            i.at.end.column,
            escape_property(i.rule),
            escape_data(i.message)
        );
    }
    out
}

/// Escaping of a command's message (`toCommandValue` + `escapeData` of `@actions/core`).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping of a property value (`escapeProperty` of `@actions/core`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50%\r\nok"), "50%25%0D%0Aok");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
