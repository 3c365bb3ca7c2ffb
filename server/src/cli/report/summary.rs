//! `check --step-summary FILE`: a Markdown summary appended to FILE (GitHub shows
//! `$GITHUB_STEP_SUMMARY` on the run's page).

use std::io::Write;
use std::path::Path;

use super::Report;
use crate::analysis::Severity;

/// At most this many findings are listed; the rest are counted.
const MAX_ROWS: usize = 100;

pub fn render(report: &Report) -> String {
    let mut out = String::from("### alchemy-ls\n\n");
    let files = super::human::plural(report.files, "file");
    if report.errors + report.warnings + report.infos == 0 {
        out.push_str(&format!("No problems found in {files}.\n"));
        return out;
    }
    let mut counts = Vec::new();
    for (n, what) in [
        (report.errors, "error"),
        (report.warnings, "warning"),
        (report.infos, "info"),
    ] {
        if n > 0 {
            counts.push(super::human::plural(n, what));
        }
    }
    out.push_str(&format!("Found {} in {files}.\n\n", counts.join(", ")));
    out.push_str("| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
    for i in report.items.iter().take(MAX_ROWS) {
        let severity = match i.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        out.push_str(&format!(
            "| {severity} | `{}` | `{}:{}:{}` | {} |\n",
            i.rule,
            i.at.path.replace('|', "\\|").replace('`', "'"),
            i.at.start.line,
            i.at.start.column,
            cell(i.message)
        ));
    }
    if report.items.len() > MAX_ROWS {
        out.push_str(&format!("\n… and {} more.\n", report.items.len() - MAX_ROWS));
    }
    out
}

/// A table cell: one line, pipes and HTML escaped.
fn cell(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// Appends [`render`] to `file` (created if missing), followed by a blank line.
pub fn append(file: &Path, report: &Report) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(file)?;
    let text = render(report);
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_in_their_column() {
        assert_eq!(cell("a | b\nc <T>"), "a \\| b c &lt;T&gt;");
    }
}
