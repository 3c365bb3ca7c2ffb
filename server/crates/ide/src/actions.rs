//! Code actions: the diagnostics' own fixes, a "suppress for this line / this file" quick fix
//! for every rule, and fix-all (`source.fixAll.alchemy-ls`): one round of the safe fixes
//! `alchemy-ls check --fix` applies (the same selection, [`alchemy_ls_core::analysis::fixes::safe_fix_round`]).

use std::path::Component;

use alchemy_grammar::Span;

use super::{CodeAction, CodeActionKind};
use alchemy_ls_core::analysis::finalize::{INVALID_SUPPRESSION, UNUSED_SUPPRESSION};
use alchemy_ls_core::analysis::fixes::{line_breaks_like, safe_fix_round};
use alchemy_ls_core::analysis::{Analysis, Diagnostic, TextEdit};
use alchemy_ls_core::workspace::{FileId, Workspace};

const NEXT_LINE: &str = "alchemy-ls-disable-next-line";
const FILE_WIDE: &str = "alchemy-ls-disable";

/// The actions for `span` of `file`: with `quickfix`, the fixes and suppressions of the
/// diagnostics overlapping the span; with `fix_all`, the file's fix-all when it fixes anything.
pub fn code_actions(
    ws: &Workspace,
    an: &Analysis,
    file: FileId,
    span: Span,
    quickfix: bool,
    fix_all: bool,
) -> Vec<CodeAction> {
    let mut out = Vec::new();
    if quickfix {
        for (i, d) in an.diagnostics.iter().enumerate() {
            if d.location.file != file || !touches(d.location.span, span) {
                continue;
            }
            for fix in &d.fixes {
                out.push(CodeAction {
                    title: fix.title.clone(),
                    kind: CodeActionKind::QuickFix,
                    diagnostics: vec![i],
                    edits: adapt(ws, &fix.edits),
                    preferred: d.fixes.len() == 1,
                });
            }
            out.extend(suppressions(ws, d).into_iter().map(|(title, edits)| CodeAction {
                title,
                kind: CodeActionKind::QuickFix,
                diagnostics: vec![i],
                edits,
                preferred: false,
            }));
        }
    }
    if fix_all && let Some(action) = fix_all_action(ws, an, file) {
        out.push(action);
    }
    out
}

/// A diagnostic's range touches the requested one (an empty range at the diagnostic's end
/// still counts: the cursor right after the squiggle).
fn touches(d: Span, r: Span) -> bool {
    d.start <= r.end && r.start <= d.end
}

/// The edits in the line breaks of the files they edit.
fn adapt(ws: &Workspace, edits: &[TextEdit]) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit {
            file: e.file,
            span: e.span,
            new_text: line_breaks_like(&ws.file(e.file).text, &e.new_text),
        })
        .collect()
}

fn under_node_modules(ws: &Workspace, file: FileId) -> bool {
    ws.file(file)
        .path
        .components()
        .any(|c| matches!(c, Component::Normal(n) if n == "node_modules"))
}

/// Fix-all for `file`: one round of `check --fix` over the file's diagnostics (their safe
/// fixes may edit other files, never one under `node_modules`).
pub fn fix_all_action(ws: &Workspace, an: &Analysis, file: FileId) -> Option<CodeAction> {
    let mine: Vec<(usize, &Diagnostic)> = an
        .diagnostics
        .iter()
        .enumerate()
        .filter(|(_, d)| d.location.file == file)
        .collect();
    let round = safe_fix_round(mine.iter().map(|(_, d)| *d), |f| !under_node_modules(ws, f));
    if round.fixes.is_empty() {
        return None;
    }
    let mut diagnostics = Vec::new();
    let mut edits = Vec::new();
    for (d, fix) in &round.fixes {
        if let Some((i, _)) = mine.iter().find(|(_, x)| std::ptr::eq(*x, *d)) {
            diagnostics.push(*i);
        }
        edits.extend(adapt(ws, &fix.edits));
    }
    let n = round.fixes.len();
    Some(CodeAction {
        title: format!(
            "Fix all auto-fixable alchemy-ls problems ({n} {})",
            if n == 1 { "fix" } else { "fixes" }
        ),
        kind: CodeActionKind::FixAll,
        diagnostics,
        edits,
        preferred: false,
    })
}

/// "Suppress RULE on this line" and "… in this file" (`alchemy-ls-disable-next-line RULE`,
/// `alchemy-ls-disable RULE`), extending a directive already there. None for the suppression
/// rules themselves.
pub fn suppressions(ws: &Workspace, d: &Diagnostic) -> Vec<(String, Vec<TextEdit>)> {
    if d.rule == INVALID_SUPPRESSION || d.rule == UNUSED_SUPPRESSION {
        return Vec::new();
    }
    let file = d.location.file;
    let src = ws.file(file);
    let text = &*src.text;
    let li = &src.line_index;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let line = li.line_of(d.location.span.start);
    let mut out = Vec::new();

    // this line: extend a next-line directive on the line above, else add one
    let above = src
        .facts
        .suppressions
        .iter()
        .find(|s| s.next_line && line > 0 && li.line_of(s.span.end) + 1 == line && !s.rules.is_empty());
    let edit = match above.and_then(|s| list_end(text, s.span, NEXT_LINE)) {
        Some(at) => TextEdit {
            file,
            span: Span { start: at, end: at },
            new_text: format!(", {}", d.rule),
        },
        None => {
            let start = li.line_start(line);
            let (ls, le) = li.line_range(text, line);
            let indent: String = text[ls as usize..le as usize]
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            TextEdit {
                file,
                span: Span { start, end: start },
                new_text: format!("{indent}// {NEXT_LINE} {}{eol}", d.rule),
            }
        }
    };
    out.push((format!("Suppress {} on this line", d.rule), vec![edit]));

    // this file: extend a file-wide directive, else add one at the top (after a shebang)
    let wide = src
        .facts
        .suppressions
        .iter()
        .find(|s| !s.next_line && !s.rules.is_empty());
    let edit = match wide.and_then(|s| list_end(text, s.span, FILE_WIDE)) {
        Some(at) => TextEdit {
            file,
            span: Span { start: at, end: at },
            new_text: format!(", {}", d.rule),
        },
        None => {
            let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
            let at = if text[bom..].starts_with("#!") {
                li.line_start(1).max(bom as u32)
            } else {
                bom as u32
            };
            let at_end_without_newline = at as usize == text.len() && text[bom..].starts_with("#!");
            TextEdit {
                file,
                span: Span { start: at, end: at },
                new_text: if at_end_without_newline {
                    format!("{eol}// {FILE_WIDE} {}{eol}", d.rule)
                } else {
                    format!("// {FILE_WIDE} {}{eol}", d.rule)
                },
            }
        }
    };
    out.push((format!("Suppress {} in this file", d.rule), vec![edit]));
    out
}

/// The offset just after the last rule id of the directive `word` in the comment at `span`.
fn list_end(text: &str, span: Span, word: &str) -> Option<u32> {
    let comment = text.get(span.start as usize..span.end as usize)?;
    let mut at = comment.find(word)? + word.len();
    // `alchemy-ls-disable` is a prefix of `alchemy-ls-disable-next-line`
    if word == FILE_WIDE && comment[at..].starts_with("-next-line") {
        return None;
    }
    let mut end = None;
    let rest = &comment[at..];
    let mut offset = 0;
    for token in rest.split_inclusive(|c: char| c == ',' || c.is_whitespace()) {
        let word_part = token.trim_end_matches(|c: char| c == ',' || c.is_whitespace());
        if word_part.is_empty() {
            offset += token.len();
            continue;
        }
        let is_rule = word_part.starts_with(|c: char| c.is_ascii_lowercase())
            && word_part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !is_rule {
            break;
        }
        end = Some(offset + word_part.len());
        offset += token.len();
    }
    at += end?;
    Some(span.start + at as u32)
}
