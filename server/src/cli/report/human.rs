//! `--format human`: code frames with the span underlined, related notes, fix hints and a
//! summary line (rendered by `annotate-snippets`).

use annotate_snippets::{Level, Renderer, Snippet};

use super::{Located, Report};
use crate::analysis::Severity;

/// A snippet's text: the lines a span covers, joined with `\n`, and the span inside it.
struct Frame {
    source: String,
    first_line: usize,
    range: std::ops::Range<usize>,
}

pub fn render(report: &Report, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for item in &report.items {
        let level = match item.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Info => Level::Info,
        };
        let primary = frame(report, &item.at);
        let related: Vec<(Frame, &Located, &str)> = item
            .related
            .iter()
            .map(|r| (frame(report, &r.at), &r.at, r.message))
            .collect();
        let hints: Vec<String> = item.fixes.iter().map(|f| hint(report, item, f)).collect();

        let mut message = level.title(item.message).id(item.rule).snippet(
            Snippet::source(&primary.source)
                .line_start(primary.first_line)
                .origin(&item.at.path)
                .annotation(level.span(primary.range.clone())),
        );
        for (f, at, msg) in &related {
            message = message.snippet(
                Snippet::source(&f.source)
                    .line_start(f.first_line)
                    .origin(&at.path)
                    .annotation(Level::Note.span(f.range.clone()).label(msg)),
            );
        }
        for h in &hints {
            message = message.footer(Level::Help.title(h));
        }
        out.push_str(&renderer.render(message).to_string());
        out.push_str("\n\n");
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// `fix available: Bind Counter from WorkerA (replace with `WorkerA`)`.
fn hint(report: &Report, item: &super::Item, fix: &super::FixItem) -> String {
    let what = match fix.edits.as_slice() {
        [e] => {
            let old = report
                .text(e.at.file)
                .get(e.at.span.start as usize..e.at.span.end as usize)
                .unwrap_or("");
            let new = super::compact::one_line(e.new_text);
            let place = if e.at.path == item.at.path && e.at.start.line == item.at.start.line {
                String::new()
            } else {
                format!(" at {}:{}:{}", e.at.path, e.at.start.line, e.at.start.column)
            };
            match (old.is_empty(), new.is_empty()) {
                (true, _) => format!(" (insert `{new}`{place})"),
                (false, true) => format!(" (delete `{}`{place})", super::compact::one_line(old)),
                (false, false) if old.len() <= 40 && !old.contains('\n') => {
                    format!(" (replace `{old}` with `{new}`{place})")
                }
                (false, false) => format!(" (replace with `{new}`{place})"),
            }
        }
        [] => String::new(),
        edits => format!(" ({} edits)", edits.len()),
    };
    let kind = if fix.safe {
        "safe fix available (--fix)"
    } else {
        "fix available"
    };
    format!("{kind}: {}{what}", fix.title)
}

/// `Found 1 error and 2 warnings in 4 files.` / `No problems found in 4 files.`
pub fn summary(report: &Report) -> String {
    let files = plural(report.files, "file");
    let mut parts = Vec::new();
    if report.errors > 0 {
        parts.push(plural(report.errors, "error"));
    }
    if report.warnings > 0 {
        parts.push(plural(report.warnings, "warning"));
    }
    if report.infos > 0 {
        parts.push(format!("{} info", report.infos));
    }
    match parts.len() {
        0 => format!("No problems found in {files}."),
        1 => format!("Found {} in {files}.", parts[0]),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("Found {} and {last} in {files}.", parts.join(", "))
        }
    }
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The lines `at` covers, normalised to `\n` breaks (CR and CRLF files render correctly).
fn frame(report: &Report, at: &Located) -> Frame {
    let text = report.text(at.file);
    let Some(file) = report.ws.files.get(at.file.0 as usize) else {
        return Frame {
            source: String::new(),
            first_line: 1,
            range: 0..0,
        };
    };
    let index = &file.line_index;
    let (start, end) = (at.span.start, at.span.end);
    let first = index.line_of(start);
    let mut last = index.line_of(end);
    if last > first && end == index.line_start(last) {
        last -= 1; // a span ending at a line break does not show the next line
    }
    let mut source = String::new();
    let (mut from, mut to) = (0, 0);
    for line in first..=last {
        let (ls, le) = index.line_range(text, line);
        if line > first {
            source.push('\n');
        }
        let base = source.len();
        if line == first {
            from = base + (start.clamp(ls, le) - ls) as usize;
        }
        if line == last {
            to = base + (end.clamp(ls, le) - ls) as usize;
        }
        source.push_str(text.get(ls as usize..le as usize).unwrap_or(""));
    }
    let from = from.min(source.len());
    Frame {
        source,
        first_line: first as usize + 1,
        range: from..to.max(from),
    }
}
