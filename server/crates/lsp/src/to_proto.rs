//! Analysis and IDE results → protocol types. Positions go through [`super::convert`], in the
//! snapshot's text of each file (the text the spans refer to).
#![allow(clippy::mutable_key_type)] // `Uri` hashes and compares by its string; its cell is a parse cache

use std::collections::HashMap;

use alchemy_grammar::Span;
use tower_lsp_server::lsp_types as lsp;
use tower_lsp_server::lsp_types::Uri;

use super::convert::Conv;
use super::state::Snapshot;
use alchemy_ls_core::analysis::{self, ResourceKind, Severity, Tag};
use alchemy_ls_ide as ide;
use alchemy_ls_project::workspace::FileId;

pub const SOURCE: &str = "alchemy-ls";
/// The client-side command code lenses carry: arguments `[uri, position, locations]`.
pub const SHOW_LOCATIONS_COMMAND: &str = "alchemy-ls.showLocations";

pub fn conv(snap: &Snapshot, file: FileId) -> Option<Conv<'_>> {
    let f = snap.ws.files.get(file.0 as usize)?;
    Some(Conv::new(&f.text, &f.line_index, snap.enc))
}

pub fn range(snap: &Snapshot, file: FileId, span: Span) -> Option<lsp::Range> {
    Some(conv(snap, file)?.range(span))
}

pub fn location(snap: &Snapshot, loc: &analysis::Location) -> Option<lsp::Location> {
    Some(lsp::Location::new(
        snap.uri(loc.file)?,
        range(snap, loc.file, loc.span)?,
    ))
}

/// The rule's documentation link (`codeDescription`), only when a real repository is configured
/// (`alchemy_ls_core::catalog::docs_url`).
pub fn rule_url(rule: &str) -> Option<Uri> {
    alchemy_ls_core::catalog::help_uri(rule)?.parse().ok()
}

pub fn diagnostic(snap: &Snapshot, d: &analysis::Diagnostic) -> Option<lsp::Diagnostic> {
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            Some(lsp::DiagnosticRelatedInformation {
                location: location(snap, &r.location)?,
                message: r.message.clone(),
            })
        })
        .collect();
    let tags: Vec<lsp::DiagnosticTag> = d
        .tags
        .iter()
        .map(|t| match t {
            Tag::Unnecessary => lsp::DiagnosticTag::UNNECESSARY,
            Tag::Deprecated => lsp::DiagnosticTag::DEPRECATED,
        })
        .collect();
    Some(lsp::Diagnostic {
        range: range(snap, d.location.file, d.location.span)?,
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.rule.to_string())),
        code_description: rule_url(d.rule).map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        data: None,
    })
}

/// Every file's protocol diagnostics, by file (files without diagnostics are absent).
pub fn diagnostics_by_file(snap: &Snapshot) -> HashMap<FileId, Vec<lsp::Diagnostic>> {
    let mut out: HashMap<FileId, Vec<lsp::Diagnostic>> = HashMap::new();
    for d in &snap.analysis.diagnostics {
        if let Some(pd) = diagnostic(snap, d) {
            out.entry(d.location.file).or_default().push(pd);
        }
    }
    out
}

/// A [`WorkspaceEdit`](lsp::WorkspaceEdit) from analysis edits (`changes` keyed by URI).
pub fn workspace_edit(snap: &Snapshot, edits: &[analysis::TextEdit]) -> Option<lsp::WorkspaceEdit> {
    let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for e in edits {
        let te = lsp::TextEdit::new(range(snap, e.file, e.span)?, e.new_text.clone());
        changes.entry(snap.uri(e.file)?).or_default().push(te);
    }
    Some(lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}

/// IDE code actions → protocol code actions (quick fixes carry their diagnostics).
pub fn code_actions(snap: &Snapshot, actions: &[ide::CodeAction]) -> Vec<lsp::CodeActionOrCommand> {
    actions
        .iter()
        .filter_map(|a| {
            let edit = workspace_edit(snap, &a.edits)?;
            let diagnostics: Vec<lsp::Diagnostic> = a
                .diagnostics
                .iter()
                .filter_map(|i| diagnostic(snap, snap.analysis.diagnostics.get(*i)?))
                .collect();
            Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: a.title.clone(),
                kind: Some(match a.kind {
                    ide::CodeActionKind::QuickFix => lsp::CodeActionKind::QUICKFIX,
                    ide::CodeActionKind::FixAll => {
                        lsp::CodeActionKind::from(super::capabilities::FIX_ALL_KIND)
                    }
                }),
                diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
                edit: Some(edit),
                is_preferred: a.preferred.then_some(true),
                ..Default::default()
            }))
        })
        .collect()
}

pub fn inlay_hint(snap: &Snapshot, file: FileId, h: &ide::InlayHint) -> Option<lsp::InlayHint> {
    Some(lsp::InlayHint {
        position: conv(snap, file)?.position(h.offset),
        label: lsp::InlayHintLabel::String(h.label.clone()),
        kind: None,
        text_edits: None,
        tooltip: h.tooltip.clone().map(lsp::InlayHintTooltip::String),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    })
}

/// A named location, `{ name, location }` (Go to Host).
pub fn named_location(snap: &Snapshot, t: &ide::NavTarget) -> Option<serde_json::Value> {
    Some(serde_json::json!({ "name": t.name, "location": nav_location(snap, t)? }))
}

/// `alchemy/goToHost`'s answer: `{ hosts: [{ name, location }], message?, named? }`.
pub fn go_to_host(snap: &Snapshot, g: &ide::GoToHost) -> serde_json::Value {
    serde_json::json!({
        "hosts": g.hosts.iter().filter_map(|t| named_location(snap, t)).collect::<Vec<_>>(),
        "message": g.message,
        "named": g.named.as_ref().and_then(|t| named_location(snap, t)),
    })
}

/// `alchemy/graph`'s answer (see docs/lsp.md).
pub fn live_graph(snap: &Snapshot, g: &ide::graph::LiveGraph) -> serde_json::Value {
    let loc = |file: FileId, span: Span| -> serde_json::Value {
        match (snap.uri(file), range(snap, file, span)) {
            (Some(uri), Some(r)) => serde_json::json!({ "uri": uri, "range": r }),
            _ => serde_json::Value::Null,
        }
    };
    let nodes: Vec<serde_json::Value> = g
        .nodes
        .iter()
        .map(|n| {
            serde_json::json!({
                "id": n.id,
                "kind": n.kind.as_str(),
                "label": n.kind.label(),
                "name": n.name,
                "logicalId": n.logical_id,
                "location": loc(n.file, n.span),
                "stacks": n.stacks,
            })
        })
        .collect();
    let edges: Vec<serde_json::Value> = g
        .edges
        .iter()
        .map(|e| {
            serde_json::json!({
                "kind": e.kind.as_str(),
                "from": e.from,
                "to": e.to,
                "via": e.via,
                "location": loc(e.file, e.span),
                "problems": e.problems.iter().map(|p| serde_json::json!({
                    "rule": p.rule,
                    "severity": p.severity.as_str(),
                    "message": p.message,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({ "version": 1, "nodes": nodes, "edges": edges })
}

pub fn nav_location(snap: &Snapshot, t: &ide::NavTarget) -> Option<lsp::Location> {
    Some(lsp::Location::new(
        snap.uri(t.file)?,
        range(snap, t.file, t.focus_span)?,
    ))
}

pub fn nav_locations(snap: &Snapshot, ts: &[ide::NavTarget]) -> Vec<lsp::Location> {
    ts.iter().filter_map(|t| nav_location(snap, t)).collect()
}

pub fn completion_item(
    snap: &Snapshot,
    file: FileId,
    c: &ide::CompletionItem,
) -> Option<lsp::CompletionItem> {
    let cv = conv(snap, file)?;
    let additional: Vec<lsp::TextEdit> = c
        .additional_edits
        .iter()
        .filter(|e| e.file == file)
        .map(|e| lsp::TextEdit::new(cv.range(e.span), e.new_text.clone()))
        .collect();
    Some(lsp::CompletionItem {
        label: c.label.clone(),
        kind: Some(match c.kind {
            ide::CompletionKind::Class => lsp::CompletionItemKind::CLASS,
            ide::CompletionKind::Method => lsp::CompletionItemKind::METHOD,
            ide::CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        }),
        detail: c.detail.clone(),
        documentation: c.documentation.as_ref().map(|md| {
            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: md.clone(),
            })
        }),
        sort_text: Some(c.sort_text.clone()),
        filter_text: Some(c.insert_text.clone()),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
            cv.range(c.replace_span),
            c.insert_text.clone(),
        ))),
        additional_text_edits: (!additional.is_empty()).then_some(additional),
        ..Default::default()
    })
}

pub fn hover(snap: &Snapshot, file: FileId, h: &ide::Hover) -> Option<lsp::Hover> {
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: h.markdown.clone(),
        }),
        range: range(snap, file, h.span),
    })
}

pub fn code_lens(snap: &Snapshot, file: FileId, l: &ide::CodeLens) -> Option<lsp::CodeLens> {
    let r = range(snap, file, l.span)?;
    let uri = snap.uri(file)?;
    let locations = nav_locations(snap, &l.targets);
    Some(lsp::CodeLens {
        range: r,
        command: Some(lsp::Command {
            title: l.title.clone(),
            command: SHOW_LOCATIONS_COMMAND.to_string(),
            arguments: Some(vec![
                serde_json::to_value(uri).ok()?,
                serde_json::to_value(r.start).ok()?,
                serde_json::to_value(locations).ok()?,
            ]),
        }),
        data: None,
    })
}

pub fn symbol_kind(kind: ResourceKind) -> lsp::SymbolKind {
    match kind {
        ResourceKind::DurableObject | ResourceKind::RpcDurableObject => lsp::SymbolKind::CLASS,
        ResourceKind::Worker => lsp::SymbolKind::MODULE,
        ResourceKind::Workflow => lsp::SymbolKind::FUNCTION,
        ResourceKind::Container => lsp::SymbolKind::OBJECT,
        ResourceKind::Stack => lsp::SymbolKind::PACKAGE,
        ResourceKind::Queue | ResourceKind::R2Bucket | ResourceKind::D1Database => lsp::SymbolKind::FIELD,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be spelled out
pub fn document_symbol(snap: &Snapshot, s: &ide::Symbol) -> Option<lsp::DocumentSymbol> {
    let full = range(snap, s.file, s.full_span)?;
    let mut focus = range(snap, s.file, s.focus_span)?;
    if focus.start < full.start || focus.end > full.end {
        focus = full; // selectionRange must be inside range
    }
    Some(lsp::DocumentSymbol {
        name: s.name.clone(),
        detail: s.detail.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: full,
        selection_range: focus,
        children: None,
    })
}

pub fn workspace_symbol(snap: &Snapshot, s: &ide::Symbol) -> Option<lsp::WorkspaceSymbol> {
    Some(lsp::WorkspaceSymbol {
        name: s.name.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        container_name: s.detail.clone(),
        location: lsp::OneOf::Left(lsp::Location::new(
            snap.uri(s.file)?,
            range(snap, s.file, s.focus_span)?,
        )),
        data: None,
    })
}
