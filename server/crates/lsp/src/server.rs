//! The `LanguageServer` implementation: notifications apply their state change before their
//! first `.await`; requests to the client are spawned with a timeout, never awaited in a
//! handler; CPU work runs on blocking threads (see [`super::requests`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::request::{RegisterCapability, WorkspaceConfiguration};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{ClientCaps, FIX_ALL_KIND, server_capabilities};
use super::documents::{ChangeOutcome, Document};
use super::host::{Change, canonical, single_file_root};
use super::requests::{self, with_file, with_snapshot};
use super::settings::Settings;
use super::state::{PathMap, State, lock, uri_path, uri_to_path};
use super::to_proto;
use super::worker::{self, CLIENT_REQUEST_TIMEOUT, result_id};
use alchemy_ls_ide as ide;

pub const CONFIG_SECTION: &str = "alchemy-ls";

/// Globs registered for `workspace/didChangeWatchedFiles`.
pub const WATCHED_GLOBS: &[&str] = &[
    "**/*.{ts,tsx,mts,cts}",
    "**/tsconfig*.json",
    "**/package.json",
    "**/alchemy-ls.toml",
    // git's refs: a commit, a checkout or a fetch moves the baseline's revision
    "**/.git/HEAD",
    "**/.git/refs/**",
    "**/.git/packed-refs",
];

pub struct Server {
    pub client: Client,
    pub state: Arc<State>,
}

impl Server {
    pub fn new(client: Client) -> Server {
        let state = Arc::new(State::default());
        tokio::spawn(worker::run(state.clone(), client.clone()));
        Server { client, state }
    }

    fn log(&self, typ: MessageType, message: String) {
        let client = self.client.clone();
        tokio::spawn(async move { client.log_message(typ, message).await });
    }

    fn apply_settings_value(&self, value: &Value) {
        let (settings, problems) = Settings::from_value(value);
        let raw = settings.raw.clone();
        self.state.set_settings(settings);
        self.state.queue([Change::Settings(raw)]);
        watch_files(&self.state, &self.client);
        if !problems.is_empty() {
            self.log(
                MessageType::WARNING,
                format!("alchemy-ls settings: {}", problems.join("; ")),
            );
        }
    }

    /// Ask the client for the `alchemy-ls` section, in a task of its own.
    fn pull_configuration(&self) {
        let client = self.client.clone();
        let state = self.state.clone();
        tokio::spawn(async move {
            let params = ConfigurationParams {
                items: vec![ConfigurationItem {
                    scope_uri: None,
                    section: Some(CONFIG_SECTION.to_string()),
                }],
            };
            let res = tokio::time::timeout(
                CLIENT_REQUEST_TIMEOUT,
                client.send_request::<WorkspaceConfiguration>(params),
            )
            .await;
            if let Ok(Ok(mut values)) = res
                && let Some(value) = values.pop()
                && !value.is_null()
            {
                let (settings, problems) = Settings::from_value(&value);
                let raw = settings.raw.clone();
                state.set_settings(settings);
                state.queue([Change::Settings(raw)]);
                watch_files(&state, &client);
                if !problems.is_empty() {
                    client
                        .log_message(
                            MessageType::WARNING,
                            format!("alchemy-ls settings: {}", problems.join("; ")),
                        )
                        .await;
                }
            }
        });
    }

    fn register_watchers(&self) {
        let client = self.client.clone();
        tokio::spawn(async move {
            let watchers = WATCHED_GLOBS
                .iter()
                .map(|g| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(g.to_string()),
                    kind: None,
                })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let params = RegistrationParams {
                registrations: vec![Registration {
                    id: "alchemy-ls/watched-files".into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                    register_options: serde_json::to_value(options).ok(),
                }],
            };
            let res = tokio::time::timeout(
                CLIENT_REQUEST_TIMEOUT,
                client.send_request::<RegisterCapability>(params),
            )
            .await;
            if !matches!(res, Ok(Ok(()))) {
                client
                    .log_message(MessageType::WARNING, "could not register file watchers")
                    .await;
            }
        });
    }

    /// New workspace roots, as (canonical, client) pairs.
    fn set_roots(&self, roots: Vec<(PathBuf, PathBuf)>) {
        let map = PathMap::new(roots);
        let canonical = map.canonical_roots();
        self.state.set_paths(map);
        self.state
            .has_roots
            .store(!canonical.is_empty(), Ordering::SeqCst);
        self.state.queue([Change::Roots(canonical)]);
        watch_files(&self.state, &self.client);
    }

    fn features(&self) -> super::settings::Features {
        self.state.settings().features
    }
}

/// Start or stop the server's own file watcher for the current settings and roots.
fn watch_files(state: &Arc<State>, client: &Client) {
    let client = client.clone();
    super::fswatch::reconcile(state, move |line| {
        let client = client.clone();
        tokio::spawn(async move { client.log_message(MessageType::INFO, line).await });
    });
}

/// A root as (canonical path, the client's path).
fn root_pair(client: PathBuf) -> (PathBuf, PathBuf) {
    (canonical(&client), client)
}

fn folder_paths(folders: &[WorkspaceFolder]) -> Vec<(PathBuf, PathBuf)> {
    folders
        .iter()
        .filter_map(|f| uri_to_path(&f.uri).map(root_pair))
        .collect()
}

#[allow(deprecated)] // root_uri / root_path: older clients send only these
fn initial_roots(params: &InitializeParams) -> Vec<(PathBuf, PathBuf)> {
    if let Some(folders) = &params.workspace_folders
        && !folders.is_empty()
    {
        return folder_paths(folders);
    }
    if let Some(uri) = &params.root_uri {
        return uri_to_path(uri).map(root_pair).into_iter().collect();
    }
    if let Some(path) = &params.root_path {
        return vec![root_pair(PathBuf::from(path))];
    }
    Vec::new()
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        // Compile the tree-sitter queries while the client sends its configuration.
        std::thread::spawn(alchemy_grammar::warm_up);
        let caps = ClientCaps::from_capabilities(&params.capabilities);
        *self.state.caps.write().unwrap_or_else(|e| e.into_inner()) = caps;
        let (settings, problems) =
            Settings::from_value(params.initialization_options.as_ref().unwrap_or(&Value::Null));
        let features = settings.features;
        self.state.set_settings(settings);
        if !problems.is_empty() {
            tracing_free_log(&format!("alchemy-ls settings: {}", problems.join("; ")));
        }
        let roots = PathMap::new(initial_roots(&params));
        self.state
            .has_roots
            .store(!roots.canonical_roots().is_empty(), Ordering::SeqCst);
        self.state.set_paths(roots);
        Ok(InitializeResult {
            capabilities: server_capabilities(&caps, &features),
            server_info: Some(ServerInfo {
                name: "alchemy-ls".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let caps = self.state.caps();
        let raw = self.state.settings().raw;
        let roots = self.state.paths().canonical_roots();
        let mut changes = vec![Change::Settings(raw)];
        if !roots.is_empty() {
            changes.push(Change::Roots(roots));
        }
        self.state.queue(changes);
        if caps.configuration {
            self.pull_configuration();
        }
        if caps.watched_files_dynamic {
            self.register_watchers();
        }
        watch_files(&self.state, &self.client);
        self.log(
            MessageType::INFO,
            format!("alchemy-ls {} ready", env!("CARGO_PKG_VERSION")),
        );
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shutdown.store(true, Ordering::SeqCst);
        self.state.wake.notify_one();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let path = uri_path(&doc.uri);
        let document = Document::new(&doc.text, doc.version, path.clone());
        let content = self.state.docs.open(doc.uri.clone(), document);
        let Some(path) = path else { return };
        if !self.state.has_roots.load(Ordering::SeqCst)
            && let Some(root) = uri_to_path(&doc.uri).as_deref().and_then(single_file_root)
        {
            self.set_roots(vec![root_pair(root)]);
        }
        self.state.queue_document(path, content);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let enc = self.state.caps().encoding;
        let (outcome, applied) = self.state.docs.change(&uri, version, params.content_changes, enc);
        if outcome == ChangeOutcome::Unknown {
            self.log(
                MessageType::WARNING,
                format!("didChange for a document that is not open: {}", uri.as_str()),
            );
            return;
        }
        let Some((old, content)) = applied else { return };
        if version <= old {
            self.log(
                MessageType::WARNING,
                format!(
                    "didChange version {version} does not increase ({old}) for {}",
                    uri.as_str()
                ),
            );
        }
        if let Some(path) = uri_path(&uri) {
            self.state.queue_document(path, content);
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let doc = self.state.docs.close(&uri);
        if let Some(path) = doc.and_then(|d| d.path) {
            self.state.queue_close(path, &uri);
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut baseline = false;
        let mut paths = Vec::new();
        for c in &params.changes {
            let Some(path) = uri_path(&c.uri) else { continue };
            if path.components().any(|c| c.as_os_str() == ".git") {
                // git's refs moved: the baseline's revision is resolved again
                baseline = true;
            } else {
                paths.push(path);
            }
        }
        self.state.queue_disk_changes(paths, baseline);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let pushed = match &params.settings {
            Value::Object(map) if map.get(CONFIG_SECTION).is_some_and(|v| !v.is_null()) => {
                Some(&params.settings)
            }
            _ => None,
        };
        match pushed {
            Some(value) => self.apply_settings_value(value),
            None if self.state.caps().configuration => self.pull_configuration(),
            None => self.apply_settings_value(&params.settings),
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut roots = self.state.paths().pairs().to_vec();
        let removed = folder_paths(&params.event.removed);
        roots.retain(|r| !removed.iter().any(|x| x.0 == r.0));
        for added in folder_paths(&params.event.added) {
            if !roots.contains(&added) {
                roots.push(added);
            }
        }
        self.set_roots(roots);
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        if !self.features().definition {
            return Ok(None);
        }
        let pos = params.text_document_position_params;
        let locations = with_file(&self.state, &pos.text_document.uri, move |snap, file| {
            let offset = to_proto::conv(snap, file)?.offset(pos.position);
            let targets = ide::definition_at(&snap.ws, &snap.analysis, file, offset);
            Some(to_proto::nav_locations(snap, &targets))
        })
        .await?;
        Ok(locations.map(GotoDefinitionResponse::Array))
    }

    async fn goto_implementation(
        &self,
        params: request::GotoImplementationParams,
    ) -> Result<Option<request::GotoImplementationResponse>> {
        if !self.features().implementation {
            return Ok(None);
        }
        let locations = hosts(&self.state, params.text_document_position_params).await?;
        Ok(locations.map(GotoDefinitionResponse::Array))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        if !self.features().references {
            return Ok(None);
        }
        let pos = params.text_document_position;
        let include = params.context.include_declaration;
        with_file(&self.state, &pos.text_document.uri, move |snap, file| {
            let offset = to_proto::conv(snap, file)?.offset(pos.position);
            let targets = ide::references_at(&snap.ws, &snap.analysis, file, offset, include);
            Some(to_proto::nav_locations(snap, &targets))
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        if !self.features().completion {
            return Ok(None);
        }
        let pos = params.text_document_position;
        let items = with_file(&self.state, &pos.text_document.uri, move |snap, file| {
            let offset = to_proto::conv(snap, file)?.offset(pos.position);
            let items = ide::completion_at(&snap.ws, &snap.analysis, file, offset);
            Some(
                items
                    .iter()
                    .filter_map(|c| to_proto::completion_item(snap, file, c))
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
        Ok(items.map(CompletionResponse::Array))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        if !self.features().hover {
            return Ok(None);
        }
        let pos = params.text_document_position_params;
        with_file(&self.state, &pos.text_document.uri, move |snap, file| {
            let offset = to_proto::conv(snap, file)?.offset(pos.position);
            let hover = ide::hover_at(&snap.ws, &snap.analysis, file, offset)?;
            to_proto::hover(snap, file, &hover)
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        if !self.features().code_lens {
            return Ok(None);
        }
        with_file(&self.state, &params.text_document.uri, move |snap, file| {
            let lenses = ide::code_lenses(&snap.ws, &snap.analysis, file);
            Some(
                lenses
                    .iter()
                    .filter_map(|l| to_proto::code_lens(snap, file, l))
                    .collect(),
            )
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        if !self.features().code_action {
            return Ok(None);
        }
        // `only` kinds are prefixes: `source` and `source.fixAll` ask for fix-all too
        let (quickfix, fix_all) = match &params.context.only {
            None => (true, false),
            Some(only) => (
                only.iter()
                    .any(|k| k.as_str() == "quickfix" || k.as_str().is_empty()),
                only.iter().any(|k| {
                    let k = k.as_str();
                    k.is_empty() || k == "source" || k == "source.fixAll" || k == FIX_ALL_KIND
                }),
            ),
        };
        if !quickfix && !fix_all {
            return Ok(None);
        }
        let range = params.range;
        with_file(&self.state, &params.text_document.uri, move |snap, file| {
            let span = to_proto::conv(snap, file)?.span(range);
            let actions = ide::code_actions(&snap.ws, &snap.analysis, file, span, quickfix, fix_all);
            Some(to_proto::code_actions(snap, &actions))
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        if !self.features().rename {
            return Ok(None);
        }
        let host = self.state.host.clone();
        let answer = with_file(&self.state, &params.text_document.uri, move |snap, file| {
            let cv = to_proto::conv(snap, file)?;
            let offset = cv.offset(params.position);
            let class = super::rename::prepare(snap, &host, file, offset);
            Some(
                match class.unwrap_or_else(|| ide::prepare_rename(&snap.ws, &snap.analysis, file, offset)) {
                    Ok(Some(p)) => Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
                        range: cv.range(p.span),
                        placeholder: p.placeholder,
                    })),
                    Ok(None) => Ok(None),
                    Err(e) => Err(e.message().to_string()),
                },
            )
        })
        .await?;
        match answer {
            Some(Ok(r)) => Ok(r),
            Some(Err(message)) => Err(refused(message)),
            None => Ok(None),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        if !self.features().rename {
            return Ok(None);
        }
        let pos = params.text_document_position;
        let new_name = params.new_name;
        let host = self.state.host.clone();
        // the edits of other open documents must be computed on their current text
        super::requests::current_snapshot(&self.state).await;
        let state = self.state.clone();
        let answer = with_file(&self.state, &pos.text_document.uri, move |snap, file| {
            let offset = to_proto::conv(snap, file)?.offset(pos.position);
            if let Some(class) = super::rename::rename(snap, &host, file, offset, &new_name) {
                return Some(super::rename::still_current(snap, &state, class));
            }
            Some(
                match ide::rename(&snap.ws, &snap.analysis, file, offset, &new_name) {
                    Ok(edits) => Ok(to_proto::workspace_edit(snap, &edits)),
                    Err(e) => Err(e.message().to_string()),
                },
            )
        })
        .await?;
        match answer {
            Some(Ok(edit)) => Ok(edit),
            Some(Err(message)) => Err(refused(message)),
            None => Ok(None),
        }
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        if !self.features().inlay_hints {
            return Ok(None);
        }
        let opts = self.state.settings().inlay_hints;
        let range = params.range;
        with_file(&self.state, &params.text_document.uri, move |snap, file| {
            let span = to_proto::conv(snap, file)?.span(range);
            let hints = ide::inlay_hints(&snap.ws, &snap.analysis, file, span, opts);
            Some(
                hints
                    .iter()
                    .filter_map(|h| to_proto::inlay_hint(snap, file, h))
                    .collect(),
            )
        })
        .await
    }

    /// Every file's diagnostics (an `unchanged` report where the client's result id is still
    /// right). Once a client asks, files that are not open are reported here instead of being
    /// pushed, and a change to them asks for a refresh.
    #[allow(clippy::mutable_key_type)] // `Uri` hashes and compares by its string; its cell is a parse cache
    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        self.state.workspace_pull.store(true, Ordering::SeqCst);
        let previous: std::collections::HashMap<Uri, String> = params
            .previous_result_ids
            .into_iter()
            .map(|p| (p.uri, p.value))
            .collect();
        let snap = requests::current_snapshot(&self.state).await;
        let versions: std::collections::HashMap<Uri, i32> = snap
            .open
            .values()
            .flat_map(|d| d.uris.iter().map(move |u| (u.clone(), d.version)))
            .collect();
        let s = snap.clone();
        let by_uri: Vec<(Uri, Vec<Diagnostic>)> = requests::blocking(move || {
            let mut out: Vec<(Uri, Vec<Diagnostic>)> = to_proto::diagnostics_by_file(&s)
                .into_iter()
                .filter_map(|(file, diags)| Some((s.uri(file)?, diags)))
                .collect();
            out.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            out
        })
        .await?;
        let mut reported = std::collections::HashMap::new();
        let mut items = Vec::new();
        // files the client had a report for and that have none now: an empty report
        let mut uris: Vec<(Uri, Vec<Diagnostic>)> = by_uri;
        for uri in previous.keys() {
            if !uris.iter().any(|(u, _)| u == uri) {
                uris.push((uri.clone(), Vec::new()));
            }
        }
        for (uri, diags) in uris {
            let id = result_id(&diags);
            let version = versions.get(&uri).map(|v| *v as i64);
            reported.insert(uri.clone(), id.clone());
            if previous.get(&uri) == Some(&id) {
                items.push(WorkspaceDocumentDiagnosticReport::Unchanged(
                    WorkspaceUnchangedDocumentDiagnosticReport {
                        uri,
                        version,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id: id,
                        },
                    },
                ));
            } else {
                items.push(WorkspaceDocumentDiagnosticReport::Full(
                    WorkspaceFullDocumentDiagnosticReport {
                        uri,
                        version,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: Some(id),
                            items: diags,
                        },
                    },
                ));
            }
        }
        *lock(&self.state.workspace_reported) = reported;
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items },
        ))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        if !self.features().document_symbol {
            return Ok(None);
        }
        let symbols = with_file(&self.state, &params.text_document.uri, move |snap, file| {
            let symbols = ide::document_symbols(&snap.ws, &snap.analysis, file);
            Some(
                symbols
                    .iter()
                    .filter_map(|s| to_proto::document_symbol(snap, s))
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
        Ok(symbols.map(DocumentSymbolResponse::Nested))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<OneOf<Vec<SymbolInformation>, Vec<WorkspaceSymbol>>>> {
        if !self.features().workspace_symbol {
            return Ok(None);
        }
        let query = params.query;
        let symbols = with_snapshot(&self.state, move |snap| {
            let symbols = ide::workspace_symbols(&snap.ws, &snap.analysis, &query);
            symbols
                .iter()
                .filter_map(|s| to_proto::workspace_symbol(snap, s))
                .collect::<Vec<_>>()
        })
        .await?;
        Ok(Some(OneOf::Right(symbols)))
    }

    /// A pull is answered at once from the analysis of the document's current text when it
    /// is ready within [`PULL_WAIT`], else from the latest analysis (the document's previous
    /// text): never an error and never an empty report because the document moved on (VS
    /// Code shows either as an empty list: diagnostics blink while typing). When the
    /// diagnostics then change, the worker asks for a refresh.
    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let previous = params.previous_result_id;
        let path = uri_path(&uri);
        if let Some(path) = &path {
            let known = self.state.latest().ws.file_id(path).is_some();
            let limit = if known { PULL_WAIT } else { requests::SNAPSHOT_WAIT };
            let _ = requests::snapshot_for(&self.state, path, limit).await;
        }
        let (items, id) = loop {
            let snap = self.state.latest();
            let items = match &path {
                Some(path) => {
                    let path = path.clone();
                    let s = snap.clone();
                    requests::blocking(move || {
                        let Some(file) = s.ws.file_id(&path) else {
                            return Vec::new();
                        };
                        s.analysis
                            .diagnostics
                            .iter()
                            .filter(|d| d.location.file == file)
                            .filter_map(|d| to_proto::diagnostic(&s, d))
                            .collect::<Vec<Diagnostic>>()
                    })
                    .await?
                }
                None => Vec::new(),
            };
            let id = result_id(&items);
            lock(&self.state.pulled).insert(uri.clone(), id.clone());
            // A snapshot published meanwhile may have missed this answer: answer from it.
            if Arc::ptr_eq(&self.state.latest(), &snap) {
                break (items, id);
            }
        };
        let report = if previous.as_deref() == Some(id.as_str()) {
            DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id: id },
            })
        } else {
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items,
                },
            })
        };
        Ok(DocumentDiagnosticReportResult::Report(report))
    }
}

/// `alchemy/quiescent` (test hook): sent once the analysis has settled, with the params of the
/// `alchemy/debugQuiescent` request.
enum Quiescent {}

impl tower_lsp_server::lsp_types::notification::Notification for Quiescent {
    type Params = Value;
    const METHOD: &'static str = "alchemy/quiescent";
}

/// How long a pull waits for the analysis of the document's current text before it answers
/// from the latest one (shorter than the time between two keystrokes: a pull still pending at
/// the next keystroke is cancelled by VS Code, which then shows no diagnostics).
pub const PULL_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// Log before the client is initialized (stderr; stdout is the protocol channel).
fn tracing_free_log(message: &str) {
    eprintln!("{message}");
}

pub async fn hosts(state: &State, pos: TextDocumentPositionParams) -> Result<Option<Vec<Location>>> {
    with_file(state, &pos.text_document.uri, move |snap, file| {
        let offset = to_proto::conv(snap, file)?.offset(pos.position);
        let targets = ide::hosts_at(&snap.ws, &snap.analysis, file, offset);
        Some(to_proto::nav_locations(snap, &targets))
    })
    .await
}

/// A refused request (a rename alchemy-ls does not do): the message is for the user.
fn refused(message: String) -> Error {
    Error {
        // LSP 3.17 `RequestFailed`: the request was understood but cannot be done
        code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32803),
        message: std::borrow::Cow::Owned(message),
        data: None,
    }
}

/// `alchemy/graph` params: `format` `"json"` (default: the live graph), or `"mermaid"`, `"dot"`
/// (what `alchemy-ls graph --format … <first root>` prints, as a string).
#[derive(Debug, Default, serde::Deserialize)]
pub struct GraphParams {
    #[serde(default)]
    pub format: Option<String>,
}

/// Custom requests.
impl Server {
    /// `alchemy/goToHost`: where Go to Host leads, and what is wrong when the code names a
    /// Worker that does not host the resource (`{ hosts, message?, named? }`, docs/lsp.md).
    pub async fn alchemy_go_to_host(&self, params: TextDocumentPositionParams) -> Result<Value> {
        if !self.features().implementation {
            return Ok(serde_json::json!({ "hosts": [] }));
        }
        let answer = with_file(&self.state, &params.text_document.uri, move |snap, file| {
            let offset = to_proto::conv(snap, file)?.offset(params.position);
            let g = ide::go_to_host(&snap.ws, &snap.analysis, file, offset);
            Some(to_proto::go_to_host(snap, &g))
        })
        .await?;
        Ok(answer.unwrap_or_else(|| serde_json::json!({ "hosts": [], "message": "This file is not part of the workspace alchemy-ls analyses." })))
    }

    /// `alchemy/graph`: the stack graph of the current analysis (open buffers included).
    pub async fn alchemy_graph(&self, params: Option<GraphParams>) -> Result<Value> {
        let format = params
            .and_then(|p| p.format)
            .unwrap_or_else(|| "live".to_string());
        with_snapshot(&self.state, move |snap| {
            let base = snap.ws.roots.first().cloned().unwrap_or_default();
            match format.as_str() {
                "mermaid" | "dot" | "json" => {
                    let graph = ide::graph::workspace_graph(&snap.ws, &snap.analysis);
                    let view = ide::graph::GraphView::new(&snap.ws, &graph, &base);
                    Ok(Value::String(match format.as_str() {
                        "mermaid" => view.mermaid(),
                        "dot" => view.dot(),
                        _ => view.json(),
                    }))
                }
                "live" => {
                    let g = ide::graph::live_graph(&snap.ws, &snap.analysis, &base);
                    Ok(to_proto::live_graph(snap, &g))
                }
                other => Err(Error::invalid_params(format!(
                    "alchemy/graph: unknown format `{other}` (json, mermaid, dot)"
                ))),
            }
        })
        .await?
    }

    /// `alchemy/hosts`: the Workers hosting the resource under the cursor.
    pub async fn alchemy_hosts(&self, params: TextDocumentPositionParams) -> Result<Vec<Location>> {
        if !self.features().implementation {
            return Ok(Vec::new());
        }
        Ok(hosts(&self.state, params).await?.unwrap_or_default())
    }

    /// `alchemy/debugPanic` (test hook, `ALCHEMY_LS_TEST_HOOKS=1`): panics on a blocking thread.
    pub async fn debug_panic(&self, _params: Value) -> Result<Value> {
        if !self.state.test_hooks {
            return Err(Error::method_not_found());
        }
        requests::blocking(|| -> Value { panic!("alchemy/debugPanic: injected panic") }).await
    }

    /// `alchemy/debugDocumentText` (test hook): the server's text and version of a document.
    pub async fn debug_document_text(&self, params: TextDocumentIdentifier) -> Result<Value> {
        if !self.state.test_hooks {
            return Err(Error::method_not_found());
        }
        Ok(match self.state.docs.text(&params.uri) {
            Some((text, version)) => serde_json::json!({ "text": text, "version": version }),
            None => Value::Null,
        })
    }

    /// `alchemy/debugQuiescent` (test hook): answered once every change sent before it is
    /// analysed and its diagnostics published; an `alchemy/quiescent` notification with the
    /// same params follows those diagnostics.
    pub async fn debug_quiescent(&self, params: Value) -> Result<Value> {
        if !self.state.test_hooks {
            return Err(Error::method_not_found());
        }
        // settled: the last generation published and no baseline read under way (its end
        // queues another generation)
        let state = self.state.clone();
        let settle = async move {
            loop {
                let wanted = state.generation();
                let mut rx = state.published_tx.subscribe();
                rx.wait_for(|g| *g >= wanted).await.ok()?;
                drop(rx);
                let mut reads = state.baseline_reads.subscribe();
                reads.wait_for(|n| *n == 0).await.ok()?;
                if state.generation() == wanted {
                    return Some(());
                }
            }
        };
        let settled = matches!(
            tokio::time::timeout(std::time::Duration::from_secs(120), settle).await,
            Ok(Some(()))
        );
        match settled {
            true => {
                // Responses and notifications reach stdout through different channels: the
                // client waits for this notification, which follows the published
                // diagnostics on theirs.
                self.client.send_notification::<Quiescent>(params).await;
                Ok(Value::Null)
            }
            false => Err(requests::internal_error(
                "the analysis did not settle within 120 s",
            )),
        }
    }

    /// `alchemy/$dropped` (internal, from the stdin reader): a message that could not be used,
    /// reported to the client.
    pub async fn dropped(&self, params: Value) {
        let reason = params
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("a message could not be used");
        self.client
            .log_message(MessageType::WARNING, format!("alchemy-ls: {reason}"))
            .await;
    }
}
