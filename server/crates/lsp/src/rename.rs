//! `prepareRename`/`rename` of a Worker's or Durable Object's class name: the IO half. The
//! workspace's TypeScript files that may refer to the class are gathered here (snapshot text
//! for indexed files and open buffers, the disk for the others; the index's resolver for their
//! specifiers) and handed to `ide`, which decides the edits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tower_lsp_server::lsp_types as lsp;

use alchemy_ls_core::line_index::LineIndex;
use alchemy_ls_core::workspace::FileId;
use alchemy_ls_ide as ide;
use alchemy_ls_project::rename_files;

use super::convert::Conv;
use super::host::Host;
use super::state::{Snapshot, State, lock};

/// The files a rename of `name` reads, and the cursor file's index among them (`None`: the
/// index is not built yet).
fn files(
    snap: &Snapshot,
    host: &Mutex<Host>,
    file: FileId,
    name: &str,
) -> Option<(Vec<ide::RenameFile>, usize)> {
    let cursor = snap.ws.file(file).path.clone();
    let read = rename_files::gather(&snap.ws.roots, &snap.ws.config, &snap.ws, name, &cursor);
    let (gathered, at) = {
        let host = lock(host);
        rename_files::resolve_files(read, host.resolver()?, name, &cursor)
    };
    let files = gathered
        .into_iter()
        .map(|(path, text, resolved)| ide::RenameFile { path, text, resolved })
        .collect();
    Some((files, at?))
}

/// The class name under the cursor, unless the cursor is in a logical id string.
fn class_name(snap: &Snapshot, file: FileId, offset: u32) -> Option<String> {
    let name = ide::class_name_at(&snap.ws, &snap.analysis, file, offset)?;
    (!ide::on_logical_id(&snap.ws, &snap.analysis, file, offset)).then_some(name)
}

/// `prepareRename` on a Worker's or Durable Object's class name (`Some(Ok(None))`: the word
/// is such a name but not bound to the class here, e.g. a parameter: TypeScript's business);
/// `None` when the cursor is not on such a name (the logical-id rename answers then).
pub fn prepare(
    snap: &Snapshot,
    host: &Mutex<Host>,
    file: FileId,
    offset: u32,
) -> Option<Result<Option<ide::PrepareRename>, ide::RenameError>> {
    let name = class_name(snap, file, offset)?;
    let (files, cursor) = files(snap, host, file, &name)?;
    Some(ide::prepare_class_rename(
        &snap.ws,
        &snap.analysis,
        &files,
        cursor,
        offset,
        &name,
    ))
}

/// `rename` of a class name: the workspace edit, or why not; `None` and `Some(Ok(None))` as
/// for [`prepare`].
pub fn rename(
    snap: &Snapshot,
    host: &Mutex<Host>,
    file: FileId,
    offset: u32,
    new_name: &str,
) -> Option<Result<Option<lsp::WorkspaceEdit>, ide::RenameError>> {
    let name = class_name(snap, file, offset)?;
    let (files, cursor) = files(snap, host, file, &name)?;
    match ide::rename_class(&snap.ws, &snap.analysis, &files, cursor, offset, &name, new_name) {
        Ok(None) => Some(Ok(None)),
        Ok(Some(edits)) => Some(Ok(workspace_edit(snap, &files, &edits))),
        Err(e) => Some(Err(e)),
    }
}

/// Edits of files known by path → a protocol edit (positions from the text the edits were
/// computed on).
#[allow(clippy::mutable_key_type)] // `Uri` hashes and compares by its string; its cell is a parse cache
fn workspace_edit(
    snap: &Snapshot,
    files: &[ide::RenameFile],
    edits: &[ide::FileEdit],
) -> Option<lsp::WorkspaceEdit> {
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    let mut indexes: HashMap<&std::path::Path, (Arc<str>, LineIndex)> = HashMap::new();
    for e in edits {
        let f = files.iter().find(|f| f.path == e.path)?;
        let (text, index) = indexes
            .entry(&f.path)
            .or_insert_with(|| (f.text.clone(), LineIndex::new(&f.text)));
        let range = Conv::new(text, index, snap.enc).range(e.span);
        changes
            .entry(snap.uri_of_path(&e.path)?)
            .or_default()
            .push(lsp::TextEdit::new(range, e.new_text.clone()));
    }
    Some(lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}

/// The answer of [`rename`] for the protocol: the edit, unless an open document it edits has
/// changed since the snapshot the edit was computed on (its offsets would be stale), or the
/// refusal's message.
pub fn still_current(
    snap: &Snapshot,
    state: &State,
    answer: Result<Option<lsp::WorkspaceEdit>, ide::RenameError>,
) -> Result<Option<lsp::WorkspaceEdit>, String> {
    let edit = answer.map_err(|e| e.message().to_string())?;
    for (path, doc) in &snap.open {
        let edited = edit
            .as_ref()
            .and_then(|e| e.changes.as_ref())
            .is_some_and(|c| c.contains_key(&doc.uri));
        if edited && state.open_version(path).is_some_and(|(_, v)| v != doc.version) {
            return Err(format!(
                "{} changed while the rename was computed: rename again.",
                path.display()
            ));
        }
    }
    Ok(edit)
}
