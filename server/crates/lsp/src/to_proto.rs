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

fn spans_overlap(a: Span, b: Span) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// Quick fixes of the diagnostics of `file` overlapping `span`.
pub fn code_actions(snap: &Snapshot, file: FileId, span: Span) -> Vec<lsp::CodeActionOrCommand> {
    let mut out = Vec::new();
    for d in &snap.analysis.diagnostics {
        if d.location.file != file || !spans_overlap(d.location.span, span) || d.fixes.is_empty() {
            continue;
        }
        let Some(pd) = diagnostic(snap, d) else { continue };
        for fix in &d.fixes {
            let Some(edit) = workspace_edit(snap, &fix.edits) else {
                continue;
            };
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.title.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![pd.clone()]),
                edit: Some(edit),
                is_preferred: Some(d.fixes.len() == 1),
                ..Default::default()
            }));
        }
    }
    out
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
