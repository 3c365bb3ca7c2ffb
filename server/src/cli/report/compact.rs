//! `--format compact`: `path:line:col: severity [rule] message`, one line each.

use std::fmt::Write;

use super::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for i in &report.items {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            i.at.path,
            i.at.start.line,
            i.at.start.column,
            i.severity.as_str(),
            i.rule,
            one_line(i.message)
        );
    }
    out
}

/// Line breaks in a message would break the one-line-per-diagnostic contract.
pub(super) fn one_line(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\n', '\r'], " ")
}
