//! Configured severities, suppression comments and ordering.

use rustc_hash::{FxHashMap, FxHashSet as HashSet};

use alchemy_grammar::Span;

use crate::config::RuleLevel;
use crate::workspace::{FileId, Workspace};

use super::diagnostic::{Diagnostic, Fix, Location, Severity, Tag, TextEdit};

/// A suppression comment names a rule that does not exist (a typo suppresses nothing).
pub const INVALID_SUPPRESSION: &str = "invalid-suppression";
/// A suppression comment suppresses nothing; reported only when the rule is configured (or
/// with `check --report-unused-suppressions`).
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";

/// Apply `[rules]` levels, drop `off` rules and suppressed diagnostics, keep only diagnostics
/// in files under a workspace root, and sort by path, position and rule.
pub fn finalize(ws: &Workspace, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    finalize_in(ws, &[], diags)
}

/// [`finalize`], plus the findings about the suppression comments of `members` (the files
/// whose rules produced `diags`): [`INVALID_SUPPRESSION`] and [`UNUSED_SUPPRESSION`].
pub fn finalize_in(ws: &Workspace, members: &[FileId], diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut kept: Vec<Diagnostic> = Vec::new();
    // (file, suppression index, rule) of every suppression that hid a diagnostic; `*` for a
    // suppression that lists no rule.
    let mut used: HashSet<(FileId, usize, &'static str)> = HashSet::default();
    // whether a file is under a root, asked once per file (a path comparison per component)
    let mut rooted: FxHashMap<FileId, bool> = FxHashMap::default();
    for mut d in diags {
        if !apply_level(ws, &mut d) {
            continue;
        }
        let file = d.location.file;
        if !*rooted.entry(file).or_insert_with(|| under_roots(ws, file)) {
            continue;
        }
        let by = suppressing(ws, &d);
        if !by.is_empty() {
            for i in by {
                let s = &ws.file(file).facts.suppressions[i];
                used.insert((file, i, if s.rules.is_empty() { "*" } else { d.rule }));
            }
            continue;
        }
        kept.push(d);
    }
    // the first of identical diagnostics, without a copy of each
    let first: Vec<bool> = {
        let mut seen: HashSet<&Diagnostic> = HashSet::default();
        kept.iter().map(|d| seen.insert(d)).collect()
    };
    let mut out: Vec<Diagnostic> = kept
        .into_iter()
        .zip(first)
        .filter_map(|(d, first)| first.then_some(d))
        .collect();
    for &file in members {
        // only suppression comments are reported here: most files have none
        if !ws.file(file).facts.suppressions.is_empty() && under_roots(ws, file) {
            suppression_findings(ws, file, &used, &mut out);
        }
    }
    sort(ws, &mut out);
    out
}

/// Sets the configured level; `false` when the rule is `off`.
fn apply_level(ws: &Workspace, d: &mut Diagnostic) -> bool {
    match ws.config.rules.get(d.rule) {
        Some(RuleLevel::Off) => return false,
        Some(RuleLevel::Error) => d.severity = Severity::Error,
        Some(RuleLevel::Warning) => d.severity = Severity::Warning,
        Some(RuleLevel::Info) => d.severity = Severity::Info,
        None => {}
    }
    true
}

fn under_roots(ws: &Workspace, file: FileId) -> bool {
    let path = &ws.file(file).path;
    ws.roots.is_empty() || ws.roots.iter().any(|r| path.starts_with(r))
}

/// The order of [`finalize`]: path, position, rule, message.
pub fn sort(ws: &Workspace, diags: &mut [Diagnostic]) {
    // By the files' ranks in path order (computed once per snapshot), not by comparing paths
    // per comparison; the paths only break a tie of two files without a rank.
    diags.sort_by(|a, b| {
        let (fa, fb) = (a.location.file, b.location.file);
        ws.path_rank(fa)
            .cmp(&ws.path_rank(fb))
            .then_with(|| {
                if fa == fb {
                    std::cmp::Ordering::Equal
                } else {
                    ws.file(fa).path.cmp(&ws.file(fb).path)
                }
            })
            .then_with(|| {
                (a.location.span.start, a.rule, &a.message).cmp(&(b.location.span.start, b.rule, &b.message))
            })
    });
}

/// Indices of the suppressions of `d`'s file that hide it.
fn suppressing(ws: &Workspace, d: &Diagnostic) -> Vec<usize> {
    let src = ws.file(d.location.file);
    let line = src.line_index.line_of(d.location.span.start);
    let mut out = Vec::new();
    for (i, s) in src.facts.suppressions.iter().enumerate() {
        let applies = s.rules.is_empty() || s.rules.iter().any(|r| r == d.rule);
        if !applies {
            continue;
        }
        if !s.next_line || src.line_index.line_of(s.span.end) + 1 == line {
            out.push(i);
        }
    }
    out
}

/// Unknown rule ids in `file`'s suppressions, and (when configured) suppressions that hid
/// nothing.
fn suppression_findings(
    ws: &Workspace,
    file: FileId,
    used: &HashSet<(FileId, usize, &'static str)>,
    out: &mut Vec<Diagnostic>,
) {
    let src = ws.file(file);
    let level = |rule: &str| ws.config.rules.get(rule).copied();
    let invalid = match level(INVALID_SUPPRESSION) {
        Some(RuleLevel::Off) => None,
        Some(l) => Some(severity(l)),
        None => Some(Severity::Warning),
    };
    // Off unless configured: `--report-unused-suppressions` configures it as a warning.
    let unused = match level(UNUSED_SUPPRESSION) {
        None | Some(RuleLevel::Off) => None,
        Some(l) => Some(severity(l)),
    };
    let known = |id: &str| crate::config::rule_ids().any(|r| r == id);
    for (i, s) in src.facts.suppressions.iter().enumerate() {
        let location = Location { file, span: s.span };
        let directive = if s.next_line {
            "alchemy-ls-disable-next-line"
        } else {
            "alchemy-ls-disable"
        };
        if let Some(severity) = invalid {
            for id in s.rules.iter().filter(|id| !known(id)) {
                let hint = crate::config::rule_ids()
                    .map(|r| (strsim::levenshtein(id, r), r))
                    .filter(|(d, _)| *d <= 3)
                    .min()
                    .map(|(_, r)| format!(" (did you mean `{r}`?)"))
                    .unwrap_or_else(|| " (run `alchemy-ls rules` for the list)".to_string());
                out.push(Diagnostic {
                    rule: INVALID_SUPPRESSION,
                    severity,
                    location: location.clone(),
                    message: format!(
                        "`{directive} {id}` names no alchemy-ls rule, so it suppresses nothing{hint}."
                    ),
                    related: Vec::new(),
                    fixes: Vec::new(),
                    tags: Vec::new(),
                });
            }
        }
        let Some(severity) = unused else { continue };
        let idle: Vec<&str> = if s.rules.is_empty() {
            if used.contains(&(file, i, "*")) {
                continue;
            }
            Vec::new()
        } else {
            let idle: Vec<&str> = s
                .rules
                .iter()
                .filter(|id| known(id) && !used.contains(&(file, i, id.as_str())))
                .map(String::as_str)
                .collect();
            if idle.is_empty() {
                continue;
            }
            idle
        };
        let whole = s.rules.is_empty() || s.rules.iter().all(|id| idle.contains(&id.as_str()));
        let message = if idle.is_empty() {
            format!("This `{directive}` comment suppresses nothing; remove it.")
        } else if whole {
            format!(
                "This `{directive}` comment suppresses nothing ({} reported nothing here); remove it.",
                idle.join(", ")
            )
        } else {
            format!(
                "`{}` in this `{directive}` comment suppresses nothing; remove it from the list.",
                idle.join(", ")
            )
        };
        let fixes = match whole.then(|| comment_line(&src.text, s.span)).flatten() {
            Some(span) => vec![Fix {
                title: "Remove the unused suppression comment".to_string(),
                edits: vec![TextEdit {
                    file,
                    span,
                    new_text: String::new(),
                }],
                safe: true,
            }],
            None => Vec::new(),
        };
        out.push(Diagnostic {
            rule: UNUSED_SUPPRESSION,
            severity,
            location,
            message,
            related: Vec::new(),
            fixes,
            tags: vec![Tag::Unnecessary],
        });
    }
}

fn severity(l: RuleLevel) -> Severity {
    match l {
        RuleLevel::Error => Severity::Error,
        RuleLevel::Info => Severity::Info,
        _ => Severity::Warning,
    }
}

/// The whole line of a `//` comment that stands alone on it (with its line break), to delete.
fn comment_line(text: &str, span: Span) -> Option<Span> {
    let (start, end) = (span.start as usize, span.end as usize);
    let comment = text.get(start..end)?;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..start];
    let rest = &text[end..];
    let line_end = end + rest.find('\n').map_or(rest.len(), |i| i + 1);
    let after = &text[end..line_end];
    let blank = |s: &str| s.chars().all(|c| c.is_whitespace() || c == '\u{feff}');
    // keep a byte order mark that precedes the comment on the first line
    let bom = before.len() - before.trim_start_matches('\u{feff}').len();
    (comment.starts_with("//") && blank(before) && blank(after)).then(|| Span {
        start: (line_start + bom) as u32,
        end: line_end as u32,
    })
}
