//! Test support: in-memory workspace snapshots for the analysis' unit tests.

use std::path::PathBuf;
use std::sync::Arc;

use crate::line_index::LineIndex;
use crate::workspace::{FileId, Resolved, SourceFile, Workspace};

/// An in-memory snapshot of `files` (every import resolves to an external module).
pub(crate) fn snapshot(files: &[(&str, &str)]) -> Workspace {
    let sources: Vec<Arc<SourceFile>> = files
        .iter()
        .enumerate()
        .map(|(i, (path, text))| {
            let facts = alchemy_grammar::extract(text, alchemy_grammar::Dialect::TypeScript);
            let imports = facts
                .imports
                .iter()
                .map(|imp| Resolved::External {
                    specifier: imp.specifier.clone(),
                })
                .collect();
            Arc::new(SourceFile {
                id: FileId(i as u32),
                path: PathBuf::from("/ws").join(path),
                text: Arc::from(*text),
                line_index: Arc::new(LineIndex::new(text)),
                facts: Arc::new(facts),
                hash: i as u64,
                root: true,
                imports,
                reexports: Vec::new(),
            })
        })
        .collect();
    Workspace {
        roots: vec![PathBuf::from("/ws")],
        by_path: Arc::new(sources.iter().map(|f| (f.path.clone(), f.id)).collect()),
        files: Arc::new(sources),
        ..Workspace::default()
    }
}
