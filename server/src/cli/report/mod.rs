//! Reporters for `alchemy-ls check`: the analysis' diagnostics, located (relative path,
//! 1-based line and column in Unicode scalar values) and sorted once, then rendered in one of
//! the output formats.

mod compact;
mod github;
mod human;
mod json;
mod sarif;
mod summary;

pub use human::plural;
pub use summary::append as append_step_summary;

use std::path::Path;

use alchemy_grammar::Span;

use crate::analysis::{Analysis, Diagnostic, Severity};
use crate::cli::paths::relative;
use crate::line_index::Encoding;
use crate::workspace::{FileId, Workspace};

/// Output format of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
    Compact,
}

/// A 1-based line and column; columns count Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A located range: the report path and 1-based start and (exclusive) end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub file: FileId,
    pub path: String,
    pub start: Pos,
    pub end: Pos,
    /// The byte span, clamped to the file's text.
    pub span: Span,
}

pub struct RelatedItem<'a> {
    pub at: Located,
    pub message: &'a str,
}

pub struct EditItem<'a> {
    pub at: Located,
    pub new_text: &'a str,
}

pub struct FixItem<'a> {
    pub title: &'a str,
    pub safe: bool,
    pub edits: Vec<EditItem<'a>>,
}

/// One diagnostic, located.
pub struct Item<'a> {
    pub rule: &'a str,
    pub severity: Severity,
    pub message: &'a str,
    pub at: Located,
    pub related: Vec<RelatedItem<'a>>,
    pub fixes: Vec<FixItem<'a>>,
}

/// Everything a reporter needs.
pub struct Report<'a> {
    pub ws: &'a Workspace,
    /// The directory report paths are relative to.
    pub base: &'a Path,
    /// Number of analysed (root) files.
    pub files: usize,
    /// Sorted by path, line, column, rule.
    pub items: Vec<Item<'a>>,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl<'a> Report<'a> {
    pub fn new(ws: &'a Workspace, analysis: &'a Analysis, base: &'a Path) -> Report<'a> {
        let mut items: Vec<Item<'a>> = analysis.diagnostics.iter().map(|d| item(ws, base, d)).collect();
        items.sort_by(|a, b| {
            (&a.at.path, a.at.start, a.rule, a.at.end, a.message)
                .cmp(&(&b.at.path, b.at.start, b.rule, b.at.end, b.message))
        });
        let count = |s: Severity| items.iter().filter(|i| i.severity == s).count();
        Report {
            ws,
            base,
            files: ws.iter().filter(|f| f.root).count(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            items,
        }
    }

    /// The source text of a file ("" for an unknown id).
    pub fn text(&self, file: FileId) -> &'a str {
        self.ws.files.get(file.0 as usize).map(|f| &*f.text).unwrap_or("")
    }
}

fn item<'a>(ws: &Workspace, base: &Path, d: &'a Diagnostic) -> Item<'a> {
    Item {
        rule: d.rule,
        severity: d.severity,
        message: &d.message,
        at: locate(ws, base, d.location.file, d.location.span),
        related: d
            .related
            .iter()
            .map(|r| RelatedItem {
                at: locate(ws, base, r.location.file, r.location.span),
                message: &r.message,
            })
            .collect(),
        fixes: d
            .fixes
            .iter()
            .map(|f| FixItem {
                title: &f.title,
                safe: f.safe,
                edits: f
                    .edits
                    .iter()
                    .map(|e| EditItem {
                        at: locate(ws, base, e.file, e.span),
                        new_text: &e.new_text,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Byte span → report location. Never panics: unknown files give `<unknown>` at 1:1 and spans
/// are clamped to the text.
pub fn locate(ws: &Workspace, base: &Path, file: FileId, span: Span) -> Located {
    let Some(f) = ws.files.get(file.0 as usize) else {
        let p = Pos { line: 1, column: 1 };
        return Located {
            file,
            path: "<unknown>".to_string(),
            start: p,
            end: p,
            span: Span { start: 0, end: 0 },
        };
    };
    let len = f.text.len() as u32;
    let start = span.start.min(len);
    let end = span.end.clamp(start, len);
    let pos = |offset: u32| {
        let lc = f.line_index.line_col(&f.text, offset, Encoding::Utf32);
        Pos {
            line: lc.line + 1,
            column: lc.col + 1,
        }
    };
    Located {
        file,
        path: relative(base, &f.path),
        start: pos(start),
        end: pos(end),
        span: Span { start, end },
    }
}

/// Renders the report in `format`; `color` only affects `human`.
pub fn render(format: Format, report: &Report, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Github => github::render(report),
        Format::Sarif => sarif::render(report),
        Format::Compact => compact::render(report),
    }
}

#[cfg(test)]
mod tests;
