//! `--format json`: the stable machine-readable contract (`"version": 1`).

use serde::Serialize;

use super::{Located, Report};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<Diag<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Diag<'a> {
    rule: &'a str,
    severity: &'static str,
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
    related: Vec<Related<'a>>,
    fixes: Vec<Fix<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct Fix<'a> {
    title: &'a str,
    /// Applied by `check --fix`.
    safe: bool,
    edits: Vec<Edit<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Edit<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    new_text: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
}

pub fn render(report: &Report) -> String {
    let out = Output {
        version: 1,
        diagnostics: report
            .items
            .iter()
            .map(|i| Diag {
                rule: i.rule,
                severity: i.severity.as_str(),
                path: &i.at.path,
                line: i.at.start.line,
                column: i.at.start.column,
                end_line: i.at.end.line,
                end_column: i.at.end.column,
                message: i.message,
                related: i
                    .related
                    .iter()
                    .map(|r| Related {
                        path: &r.at.path,
                        line: r.at.start.line,
                        column: r.at.start.column,
                        message: r.message,
                    })
                    .collect(),
                fixes: i
                    .fixes
                    .iter()
                    .map(|f| Fix {
                        title: f.title,
                        safe: f.safe,
                        edits: f.edits.iter().map(|e| edit(&e.at, e.new_text)).collect(),
                    })
                    .collect(),
            })
            .collect(),
        summary: Summary {
            files: report.files,
            errors: report.errors,
            warnings: report.warnings,
        },
    };
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}

fn edit<'a>(at: &'a Located, new_text: &'a str) -> Edit<'a> {
    Edit {
        path: &at.path,
        line: at.start.line,
        column: at.start.column,
        end_line: at.end.line,
        end_column: at.end.column,
        new_text,
    }
}
