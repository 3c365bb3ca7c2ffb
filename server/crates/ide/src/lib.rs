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

/// What Go to Host leads to (`alchemy/goToHost`), and what is wrong when the code says
/// otherwise.
#[derive(Clone, Debug, PartialEq)]
pub struct GoToHost {
    /// The Workers hosting the resource (on a valid `.from(H)` argument: H).
    pub hosts: Vec<NavTarget>,
    /// Set when the cursor is on a `.from(H)` whose H does not host the resource, on a resource
    /// no Worker hosts, or on nothing Go to Host understands.
    pub message: Option<String>,
    /// With a message on a `.from(H)` argument: H.
    pub named: Option<NavTarget>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeActionKind {
    QuickFix,
    /// `source.fixAll.alchemy-ls`.
    FixAll,
}

/// A code action: its edits, and the diagnostics (indices into `Analysis::diagnostics`) it
/// resolves.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeAction {
    pub title: String,
    pub kind: CodeActionKind,
    pub diagnostics: Vec<usize>,
    pub edits: Vec<TextEdit>,
    pub preferred: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InlayHintKind {
    /// After `X.from(W)`: the binding.
    Binding,
    /// After a host's `yield* X`: "hosted here".
    Hosting,
    /// After a stack's `yield* W`: the Workers W pulls in.
    Stack,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InlayHint {
    /// Where the hint goes (after the expression).
    pub offset: u32,
    pub label: String,
    pub kind: InlayHintKind,
    pub tooltip: Option<String>,
}

/// Which inlay hints to give (the `inlayHints` setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InlayHintOptions {
    pub from_binding: bool,
    pub hosted_here: bool,
    pub stack_workers: bool,
}

impl Default for InlayHintOptions {
    fn default() -> Self {
        InlayHintOptions {
            from_binding: true,
            hosted_here: false,
            stack_workers: true,
        }
    }
}

/// Where a rename applies (the id string's contents, or the class name) and its current text.
#[derive(Clone, Debug, PartialEq)]
pub struct PrepareRename {
    pub span: Span,
    pub placeholder: String,
}

/// Why a rename is refused (shown to the user).
#[derive(Clone, Debug, PartialEq)]
pub enum RenameError {
    Refused(String),
}

impl RenameError {
    pub fn message(&self) -> &str {
        match self {
            RenameError::Refused(m) => m,
        }
    }
}

mod actions;
mod at;
mod complete;
pub mod graph;
mod info;
mod inlay;
mod rename;
mod rename_class;
mod scope;

pub use actions::{code_actions, fix_all_action, suppressions};

pub use at::{
    code_lenses, definition_at, document_symbols, go_to_host, hosts_at, hover_at, references_at,
    workspace_symbols,
};
pub use complete::completion_at;
pub use inlay::inlay_hints;
pub use rename::{on_logical_id, prepare_rename, rename};
pub use rename_class::{
    FileEdit, RenameFile, class_name_at, prepare_class_rename, rename_class, valid_class_name,
};
