//! A workspace snapshot: which files exist, their text and facts, and what each of their
//! imports resolves to. The project crate builds it (all IO happens there); the analysis
//! sees it closed and immutable.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use alchemy_grammar::FileFacts;

use crate::config::Config;
use crate::line_index::LineIndex;

/// Stable id of a file within one [`Workspace`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// What one import (or re-export) specifier of a file resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A source file in the index.
    File(FileId),
    /// A bare specifier that is not a workspace source: an installed package, a Node
    /// built-in, `cloudflare:*`, or a package whose only sources are `.d.ts`/`.js`.
    External { specifier: String },
    /// A workspace source that cannot hold or lead to Alchemy resources: it mentions no
    /// Alchemy package and imports nothing that does (the prefilter's verdict). It is not
    /// parsed; its names resolve like an external module's.
    Opaque { specifier: String, path: PathBuf },
    /// Nothing matched; `reason` completes "Cannot resolve "x" (…)".
    NotFound { reason: String },
}

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Canonical absolute path.
    pub path: PathBuf,
    pub text: Arc<str>,
    pub line_index: Arc<LineIndex>,
    pub facts: Arc<FileFacts>,
    /// Content hash of `text`.
    pub hash: u64,
    /// Passed the prefilter or is open in an editor (a root of the analysis); files only
    /// reached through imports are `false`.
    pub root: bool,
    /// Parallel to `facts.imports`.
    pub imports: Vec<Resolved>,
    /// Parallel to `facts.exports`; `Some` for `ExportKind::From`/`Star`.
    pub reexports: Vec<Option<Resolved>>,
}

/// The live files of a snapshot sorted by path, and each one's position in that order.
#[derive(Debug, Default)]
pub struct FileOrder {
    pub sorted: Vec<FileId>,
    /// Indexed by file id; `u32::MAX` for ids that are not live.
    pub rank: Vec<u32>,
}

impl FileOrder {
    /// The position of `id` in path order, `u32::MAX` if it is not live.
    pub fn rank_of(&self, id: FileId) -> u32 {
        self.rank.get(id.0 as usize).copied().unwrap_or(u32::MAX)
    }
}

/// An immutable snapshot of the indexed workspace.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// Workspace roots (canonical absolute directories).
    pub roots: Vec<PathBuf>,
    pub files: Arc<Vec<Arc<SourceFile>>>,
    pub by_path: Arc<HashMap<PathBuf, FileId>>,
    pub config: Arc<Config>,
    /// Non-fatal problems met while indexing, as (path, message), sorted: unreadable or
    /// non-UTF-8 files, unreadable directories, invalid `package.json`/`tsconfig.json`/
    /// `pnpm-workspace.yaml` (from the resolver).
    pub problems: Vec<(PathBuf, String)>,
    /// The Alchemy version installed or declared for each root file (`deprecated-api`
    /// "Version"); files with an unknown version are absent.
    pub versions: Arc<rustc_hash::FxHashMap<FileId, crate::version::AlchemyVersion>>,
    /// The nearest directory at or above each file that holds a `package.json` ("the same
    /// package" of the rules); files without one are absent.
    pub package_dirs: Arc<rustc_hash::FxHashMap<FileId, PathBuf>>,
    /// Changes when configuration files on disk (package.json, tsconfig, ignore files)
    /// changed: analysis results cached by source identity are stale then.
    pub epoch: u64,
    /// The deployed revision to compare with (deploy-impact rules), if one is configured.
    pub baseline: Option<Arc<crate::analysis::impact::Baseline>>,
    /// The live files in path order, and each one's rank in it (computed on first use).
    pub(crate) order: std::sync::OnceLock<Arc<FileOrder>>,
    /// Set on a view restricted to some files (see [`Workspace::restricted_to`]).
    pub(crate) view: Option<Arc<View>>,
}

/// The files a restricted [`Workspace`] iterates over, and the other files it was asked for.
#[derive(Debug)]
pub(crate) struct View {
    members: Vec<bool>,
    /// The members that are live, in path order.
    sorted: Vec<FileId>,
    foreign: Mutex<Vec<FileId>>,
}

impl View {
    /// Out of line: the common case (a member) stays a flag test in [`Workspace::file`].
    #[cold]
    #[inline(never)]
    fn record_foreign(&self, id: FileId) {
        let mut foreign = self.foreign.lock().unwrap_or_else(|e| e.into_inner());
        if !foreign.contains(&id) {
            foreign.push(id);
        }
    }
}

impl Workspace {
    /// The file `id`. On a restricted view, asking for a file outside the view is recorded
    /// (see [`Workspace::foreign_accesses`]); the file is returned all the same.
    #[inline]
    pub fn file(&self, id: FileId) -> &SourceFile {
        if let Some(v) = &self.view
            && !v.members.get(id.0 as usize).copied().unwrap_or(false)
        {
            v.record_foreign(id);
        }
        &self.files[id.0 as usize]
    }

    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    /// The live files (only the view's members on a restricted view), in path order.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        let sorted: &[FileId] = match &self.view {
            Some(v) => &v.sorted,
            None => &self.order_ref().sorted,
        };
        sorted.iter().map(|id| &*self.files[id.0 as usize])
    }

    /// The live files in path order. Everything the analysis iterates goes in this order, so
    /// its results never depend on the order in which files were loaded (which differs between
    /// `check` and an editor session).
    pub fn order(&self) -> Arc<FileOrder> {
        self.order_ref().clone()
    }

    /// [`Workspace::order`], borrowed.
    fn order_ref(&self) -> &Arc<FileOrder> {
        self.order.get_or_init(|| {
            let mut sorted: Vec<(&Path, FileId)> =
                self.by_path.iter().map(|(p, id)| (p.as_path(), *id)).collect();
            sorted.sort_unstable();
            let sorted: Vec<FileId> = sorted.into_iter().map(|(_, id)| id).collect();
            let mut rank = vec![
                u32::MAX;
                self.files
                    .len()
                    .max(sorted.iter().map(|id| id.0 as usize + 1).max().unwrap_or(0))
            ];
            for (i, id) in sorted.iter().enumerate() {
                rank[id.0 as usize] = i as u32;
            }
            Arc::new(FileOrder { sorted, rank })
        })
    }

    /// Adopts `order` as this snapshot's path order when it was computed for the same set of
    /// paths (the same `by_path` table): an edit does not sort every path again. Returns
    /// whether it was adopted.
    pub fn adopt_order(&self, by_path: &Arc<HashMap<PathBuf, FileId>>, order: &Arc<FileOrder>) -> bool {
        if !Arc::ptr_eq(&self.by_path, by_path) {
            return false;
        }
        let _ = self.order.set(order.clone());
        true
    }

    /// A file's position in path order (for sorting by path cheaply); files that are not
    /// live sort last.
    pub fn path_rank(&self, id: FileId) -> u32 {
        self.order_ref().rank_of(id)
    }

    /// A view of this snapshot that iterates over `members` only (shares every table).
    pub fn restricted_to(&self, members: &[FileId]) -> Workspace {
        // Computed before the clone so that every view shares one order.
        let order = self.order();
        let mut flags = vec![false; self.files.len()];
        for m in members {
            if let Some(f) = flags.get_mut(m.0 as usize) {
                *f = true;
            }
        }
        let mut sorted: Vec<FileId> = members
            .iter()
            .copied()
            .filter(|&id| order.rank_of(id) != u32::MAX)
            .collect();
        sorted.sort_unstable_by_key(|&id| order.rank_of(id));
        sorted.dedup();
        Workspace {
            view: Some(Arc::new(View {
                members: flags,
                sorted,
                foreign: Mutex::new(Vec::new()),
            })),
            ..self.clone()
        }
    }

    /// The files outside a restricted view that were asked for through [`Workspace::file`].
    pub fn foreign_accesses(&self) -> Vec<FileId> {
        match &self.view {
            Some(v) => v.foreign.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            None => Vec::new(),
        }
    }

    /// Whether `id` is one of the files this snapshot iterates over (a live file, and a member
    /// of the view on a restricted one). Asking does not count as an access.
    pub fn in_view(&self, id: FileId) -> bool {
        self.order_ref().rank_of(id) != u32::MAX
            && self
                .view
                .as_ref()
                .is_none_or(|v| v.members.get(id.0 as usize).copied().unwrap_or(false))
    }

    /// Whether this is an unrestricted snapshot.
    pub fn is_whole(&self) -> bool {
        self.view.is_none()
    }
}
