//! What the client can do (resolved once at `initialize`) and what the server advertises.

use tower_lsp_server::lsp_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CodeLensOptions,
    CompletionOptions, DiagnosticOptions, DiagnosticServerCapabilities, HoverProviderCapability,
    ImplementationProviderCapability, InlayHintOptions, InlayHintServerCapabilities, OneOf, RenameOptions,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    WorkDoneProgressOptions, WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};

use super::convert::{encoding_kind, negotiate_encoding};
use super::settings::Features;
use alchemy_ls_core::line_index::Encoding;

/// Client capabilities the server acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientCaps {
    pub encoding: Encoding,
    /// `textDocument.diagnostic` present: the client pulls diagnostics of open documents.
    pub pull_diagnostics: bool,
    /// `workspace.diagnostics.refreshSupport` (the spec's key; the stdin reader copies it to
    /// the `workspace.diagnostic` key that lsp-types reads, see `frames::normalize_initialize`).
    pub diagnostic_refresh: bool,
    /// `window.workDoneProgress`.
    pub work_done_progress: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`.
    pub watched_files_dynamic: bool,
    /// `workspace.configuration`.
    pub configuration: bool,
    /// `workspace.codeLens.refreshSupport`.
    pub code_lens_refresh: bool,
}

impl Default for ClientCaps {
    fn default() -> Self {
        ClientCaps::from_capabilities(&ClientCapabilities::default())
    }
}

impl ClientCaps {
    /// Diagnostics of open documents go by pull: only when the client pulls *and* can be told
    /// to pull again. A client that pulls only when a document changes (Neovim 0.11: no
    /// refresh support) would keep stale diagnostics in the documents that depend on another
    /// one; it gets them pushed instead, like every client does for closed files.
    pub fn pull_mode(&self) -> bool {
        self.pull_diagnostics && self.diagnostic_refresh
    }

    pub fn from_capabilities(caps: &ClientCapabilities) -> ClientCaps {
        let ws = caps.workspace.as_ref();
        ClientCaps {
            encoding: negotiate_encoding(caps),
            pull_diagnostics: caps
                .text_document
                .as_ref()
                .is_some_and(|t| t.diagnostic.is_some()),
            diagnostic_refresh: ws
                .and_then(|w| w.diagnostic.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            work_done_progress: caps
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            watched_files_dynamic: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            code_lens_refresh: ws
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
        }
    }
}

/// The code action kind of fix-all: VS Code's "Fix All" and `editor.codeActionsOnSave` with
/// `source.fixAll` (or this exact kind) ask for it.
pub const FIX_ALL_KIND: &str = "source.fixAll.alchemy-ls";

/// Characters that open a completion (`X.from(|`, `Deps<|`, `A | |`, `, |`, `stub.|`).
pub const COMPLETION_TRIGGERS: &[&str] = &["(", ".", "<", ",", " "];

pub fn server_capabilities(client: &ClientCaps, features: &Features) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding_kind(client.encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            ..Default::default()
        })),
        definition_provider: features.definition.then_some(OneOf::Left(true)),
        implementation_provider: features
            .implementation
            .then_some(ImplementationProviderCapability::Simple(true)),
        references_provider: features.references.then_some(OneOf::Left(true)),
        hover_provider: features.hover.then_some(HoverProviderCapability::Simple(true)),
        completion_provider: features.completion.then(|| CompletionOptions {
            trigger_characters: Some(COMPLETION_TRIGGERS.iter().map(|s| s.to_string()).collect()),
            resolve_provider: Some(false),
            ..Default::default()
        }),
        code_lens_provider: features.code_lens.then_some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        code_action_provider: features.code_action.then(|| {
            CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::from(FIX_ALL_KIND)]),
                resolve_provider: Some(false),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        document_symbol_provider: features.document_symbol.then_some(OneOf::Left(true)),
        rename_provider: features.rename.then_some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        inlay_hint_provider: features.inlay_hints.then_some(OneOf::Right(
            InlayHintServerCapabilities::Options(InlayHintOptions {
                resolve_provider: Some(false),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            }),
        )),
        workspace_symbol_provider: features.workspace_symbol.then_some(OneOf::Left(true)),
        diagnostic_provider: client.pull_mode().then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("alchemy-ls".to_string()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        experimental: Some(serde_json::json!({
            "alchemyHosts": features.implementation,
            "alchemyGoToHost": features.implementation,
            "alchemyGraph": true,
        })),
        ..Default::default()
    }
}
