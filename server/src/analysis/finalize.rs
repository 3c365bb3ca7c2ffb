//! Configured severities, suppression comments and ordering.

use crate::config::RuleLevel;
use crate::workspace::Workspace;

use super::diagnostic::{Diagnostic, Severity};

/// Apply `[rules]` levels, drop `off` rules and suppressed diagnostics, keep only diagnostics
/// in files under a workspace root, and sort by path, position and rule.
pub fn finalize(ws: &Workspace, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut seen: std::collections::HashSet<Diagnostic> = std::collections::HashSet::new();
    for mut d in diags {
        match ws.config.rules.get(d.rule) {
            Some(RuleLevel::Off) => continue,
            Some(RuleLevel::Error) => d.severity = Severity::Error,
            Some(RuleLevel::Warning) => d.severity = Severity::Warning,
            Some(RuleLevel::Info) => d.severity = Severity::Info,
            None => {}
        }
        let src = ws.file(d.location.file);
        if !ws.roots.is_empty() && !ws.roots.iter().any(|r| src.path.starts_with(r)) {
            continue;
        }
        if suppressed(ws, &d) {
            continue;
        }
        if seen.insert(d.clone()) {
            out.push(d);
        }
    }
    sort(ws, &mut out);
    out
}

/// The order of [`finalize`]: path, position, rule, message.
pub fn sort(ws: &Workspace, diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let pa = &ws.file(a.location.file).path;
        let pb = &ws.file(b.location.file).path;
        (pa, a.location.span.start, a.rule, &a.message).cmp(&(pb, b.location.span.start, b.rule, &b.message))
    });
}

fn suppressed(ws: &Workspace, d: &Diagnostic) -> bool {
    let src = ws.file(d.location.file);
    let line = src.line_index.line_of(d.location.span.start);
    src.facts.suppressions.iter().any(|s| {
        let applies = s.rules.is_empty() || s.rules.iter().any(|r| r == d.rule);
        if !applies {
            return false;
        }
        if s.next_line {
            src.line_index.line_of(s.span.end) + 1 == line
        } else {
            true
        }
    })
}
