//! Editor queries over an analysed workspace, in byte offsets and [`FileId`]s. The language
//! server converts these to protocol types; nothing here knows JSON-RPC.

use alchemy_grammar::Span;
use alchemy_ls_core::analysis::{ResourceKind, TextEdit};
use alchemy_ls_core::workspace::FileId;

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

mod at;
mod complete;
mod info;

pub use at::{
    code_lenses, definition_at, document_symbols, hosts_at, hover_at, references_at, workspace_symbols,
};
pub use complete::completion_at;
