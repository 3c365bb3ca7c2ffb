//! Editor queries over an analysed workspace, in byte offsets and [`FileId`]s. The language
//! server converts these to protocol types; nothing here knows JSON-RPC.

use crate::analysis::{Analysis, ResourceKind, TextEdit};
use crate::workspace::{FileId, Workspace};
use alchemy_grammar::Span;

/// A place to navigate to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavTarget {
    pub file: FileId,
    /// The whole declaration.
    pub full_span: Span,
    /// The name (what to select).
    pub focus_span: Span,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompletionItem {
    pub label: String,
    /// e.g. "hosts Counter · src/workerA.ts"
    pub detail: Option<String>,
    pub documentation: Option<String>,
    pub kind: CompletionKind,
    /// Sorts best first (lexicographic).
    pub sort_text: String,
    /// Span replaced by `insert_text` (the identifier prefix already typed).
    pub replace_span: Span,
    pub insert_text: String,
    /// E.g. the import of the completed worker.
    pub additional_edits: Vec<TextEdit>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Class,
    Method,
    Keyword,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CodeLens {
    pub span: Span,
    pub title: String,
    pub targets: Vec<NavTarget>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub name: String,
    pub kind: ResourceKind,
    pub file: FileId,
    pub full_span: Span,
    pub focus_span: Span,
    /// e.g. "worker · hosts Counter"
    pub detail: Option<String>,
}

/// Workers hosting the resource under the cursor (`alchemy/hosts`, `textDocument/implementation`).
pub fn hosts_at(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> Vec<NavTarget> {
    let _ = (ws, an, file, offset);
    Vec::new()
}

/// Definition of the resource name under the cursor (the `.from(Host)` argument → Host's class).
pub fn definition_at(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> Vec<NavTarget> {
    let _ = (ws, an, file, offset);
    Vec::new()
}

/// Every binding, hosting, deploying site of the resource under the cursor.
pub fn references_at(
    ws: &Workspace,
    an: &Analysis,
    file: FileId,
    offset: u32,
    include_declaration: bool,
) -> Vec<NavTarget> {
    let _ = (ws, an, file, offset, include_declaration);
    Vec::new()
}

/// Completion at `offset` (inside `X.from(|)`, a Deps type-argument slot, after `stub.`).
pub fn completion_at(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> Vec<CompletionItem> {
    let _ = (ws, an, file, offset);
    Vec::new()
}

pub fn hover_at(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> Option<Hover> {
    let _ = (ws, an, file, offset);
    None
}

pub fn code_lenses(ws: &Workspace, an: &Analysis, file: FileId) -> Vec<CodeLens> {
    let _ = (ws, an, file);
    Vec::new()
}

pub fn document_symbols(ws: &Workspace, an: &Analysis, file: FileId) -> Vec<Symbol> {
    let _ = (ws, an, file);
    Vec::new()
}

pub fn workspace_symbols(ws: &Workspace, an: &Analysis, query: &str) -> Vec<Symbol> {
    let _ = (ws, an, query);
    Vec::new()
}
