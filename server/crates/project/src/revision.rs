//! A git revision seen through the work tree: what differs between the files of a revision
//! (under a workspace root) and the files on disk, read from git's object database and index
//! without checking anything out, writing anything or spawning a process.
//!
//! Most files of a revision are byte-identical to the work tree (a baseline is usually a
//! few commits away). Git's index says which without reading them: a tracked file whose stat
//! data matches its index entry has the index entry's blob id, and a blob id equal to the
//! revision's means the same content. So only the files that differ are read from the object
//! database; every other file is read from disk by the same discovery, resolution and loading
//! as the work tree (and its facts are shared with the work tree's). A stat mismatch (an
//! edited file, a racy entry) only makes a file count as changed: its content is then taken
//! from the revision, which is right either way.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The differences between a revision and the work tree under a root.
#[derive(Debug, Default)]
pub struct RevisionFiles {
    /// The revision as given (`origin/main`, `HEAD~1`, a sha).
    pub name: String,
    /// The commit (or tree) id it resolved to, in hex.
    pub id: String,
    /// The workspace root (canonical) these paths are under.
    pub root: PathBuf,
    /// Tracked files whose content at the revision (may) differ from the disk: `Some(content)`
    /// (empty for files the analysis never reads), or `None` when the revision lacks them.
    changed: HashMap<PathBuf, Option<Arc<[u8]>>>,
    /// Every file git knows under the root (in the revision or in the index): a file found on
    /// disk under the root that is not here is untracked, so absent from the revision.
    known: HashSet<PathBuf>,
    /// No file under the root at the revision (the project did not exist yet).
    pub empty: bool,
}

/// What the revision holds at a path.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The same as the disk (or a path git does not track, like `node_modules`).
    Disk,
    /// Not in the revision.
    Absent,
    /// This content.
    Content(&'a [u8]),
}

impl RevisionFiles {
    /// What the revision holds at `path` (absolute, canonical).
    pub fn lookup(&self, path: &Path) -> Lookup<'_> {
        match self.changed.get(path) {
            Some(Some(bytes)) => Lookup::Content(bytes),
            Some(None) => Lookup::Absent,
            None => Lookup::Disk,
        }
    }

    /// Whether a file discovered on disk is part of the revision (tracked files the revision
    /// has; untracked files under the root are not).
    pub fn has_discovered(&self, path: &Path) -> bool {
        match self.lookup(path) {
            Lookup::Absent => false,
            Lookup::Content(_) => true,
            Lookup::Disk => !path.starts_with(&self.root) || self.known.contains(path),
        }
    }

    /// The files of the revision whose content differs from the disk, with that content.
    pub fn changed_files(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.changed
            .iter()
            .filter_map(|(p, c)| c.as_deref().map(|c| (p.as_path(), c)))
    }

    /// How many files differ from the disk (for timings and tests).
    pub fn changed_count(&self) -> usize {
        self.changed.len()
    }

    /// A revision built from explicit differences (tests of the consumers).
    pub fn from_parts(
        name: &str,
        root: PathBuf,
        changed: HashMap<PathBuf, Option<Arc<[u8]>>>,
        known: HashSet<PathBuf>,
    ) -> RevisionFiles {
        RevisionFiles {
            name: name.to_string(),
            id: String::new(),
            root,
            changed,
            known,
            empty: false,
        }
    }
}

/// Where a workspace root is inside its git repository: (repository work tree, the root
/// relative to it), or `None` outside a repository.
pub fn repo_of(root: &Path) -> Option<(PathBuf, PathBuf)> {
    let root = root.canonicalize().ok()?;
    let mut dir = Some(root.as_path());
    while let Some(d) = dir {
        if d.join(".git").exists() {
            let rel = root.strip_prefix(d).ok()?.to_path_buf();
            return Some((d.to_path_buf(), rel));
        }
        dir = d.parent();
    }
    None
}

/// The files the analysis reads: sources and the configuration files of resolution. Changed
/// files of other kinds are only recorded as present.
fn read_by_analysis(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == ".gitignore" || name == ".ignore" || name == "alchemy-ls.toml" {
        return true;
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("ts" | "tsx" | "mts" | "cts" | "json" | "jsonc" | "yaml" | "yml")
    )
}

/// Open a repository reading only its own configuration (no user or system git config, no
/// environment): nothing outside the repository is read, and nothing is run.
fn open(dir: &Path) -> gix::Result<gix::Repository> {
    gix::open_opts(dir, gix::open::Options::isolated())
}

/// Resolve `rev` to its commit's tree.
fn open_tree<'r>(repo: &'r gix::Repository, rev: &str) -> Result<(gix::Tree<'r>, String), String> {
    let id = repo.rev_parse_single(rev).map_err(|e| {
        let shallow = repo.is_shallow().unwrap_or(false);
        let hint = if shallow {
            " (this is a shallow clone: fetch the baseline, e.g. `git fetch --deepen=50 origin` or `fetch-depth: 0` in CI)"
        } else {
            ""
        };
        format!(
            "baseline revision {rev:?} not found in {}: {e}{hint}",
            repo.workdir().unwrap_or(repo.git_dir()).display()
        )
    })?;
    let object = id.object().map_err(|e| {
        format!("baseline revision {rev:?}: its object is missing ({e}); is the clone shallow?")
    })?;
    let tree = object
        .peel_to_tree()
        .map_err(|e| format!("baseline revision {rev:?} does not name a commit or tree: {e}"))?;
    Ok((tree, id.to_string()))
}

/// The commit id `rev` names in the repository holding `root`, without reading any tree
/// (cheap: the language server asks again when git's refs may have moved). `None` outside a
/// repository or when `rev` does not resolve.
pub fn resolve_id(root: &Path, rev: &str) -> Option<String> {
    let (repo_dir, _) = repo_of(root)?;
    let repo = open(&repo_dir).ok()?;
    repo.rev_parse_single(rev).ok().map(|id| id.to_string())
}

/// The upstream of the checked-out branch (`refs/remotes/origin/main`), if it has one
/// that exists; `None` on a detached HEAD or a branch without upstream.
pub fn upstream_of_head(root: &Path) -> Option<String> {
    let (repo_dir, _) = repo_of(root)?;
    let repo = open(&repo_dir).ok()?;
    let head = repo.head_name().ok()??;
    let upstream = repo
        .branch_remote_tracking_ref_name(head.as_ref(), gix::remote::Direction::Fetch)?
        .ok()?;
    repo.find_reference(upstream.as_ref()).ok()?;
    Some(upstream.shorten().to_string())
}

/// Whether the file at `path` has blob id `id`.
fn same_blob(path: &Path, id: gix::ObjectId) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|data| gix::objs::compute_hash(id.kind(), gix::objs::Kind::Blob, &data).ok())
        == Some(id)
}

/// Read revision `rev` of the repository holding `root` as differences from the work tree.
pub fn read(root: &Path, rev: &str) -> Result<RevisionFiles, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", root.display()))?;
    let (repo_dir, subdir) = repo_of(&root).ok_or_else(|| {
        format!(
            "--baseline {rev}: {} is not inside a git repository (use --baseline-dir DIR for a plain checkout)",
            root.display()
        )
    })?;
    let repo_dir = repo_dir.canonicalize().unwrap_or(repo_dir);
    let mut repo =
        open(&repo_dir).map_err(|e| format!("{}: not a git repository ({e})", repo_dir.display()))?;
    // delta chains are resolved once per base object, not once per blob
    repo.object_cache_size_if_unset(16 * 1024 * 1024);
    let (tree, id) = open_tree(&repo, rev)?;
    let prefix = subdir.to_string_lossy().replace('\\', "/");
    let prefix = prefix.trim_matches('/').to_string();

    // The revision's blobs under the root: path → blob id.
    let mut at_rev: HashMap<PathBuf, gix::ObjectId> = HashMap::new();
    let subtree = if prefix.is_empty() {
        Some(tree)
    } else {
        match tree.lookup_entry_by_path(&prefix) {
            Ok(Some(entry)) if entry.mode().is_tree() => {
                entry.object().ok().and_then(|o| o.try_into_tree().ok())
            }
            Ok(_) => None,
            Err(e) => return Err(format!("baseline revision {rev:?}: cannot read its tree: {e}")),
        }
    };
    if let Some(subtree) = subtree {
        let mut recorder = gix::traverse::tree::Recorder::default();
        subtree
            .traverse()
            .breadthfirst(&mut recorder)
            .map_err(|e| format!("baseline revision {rev:?}: cannot read its tree: {e}"))?;
        for entry in recorder.records {
            if !entry.mode.is_blob() {
                continue;
            }
            let Ok(rel) = std::str::from_utf8(entry.filepath.as_ref()) else {
                continue;
            };
            at_rev.insert(root.join(rel), entry.oid);
        }
    }
    let empty = at_rev.is_empty();

    // The index: which tracked files are (by their stat data) unchanged since they were
    // staged, and with which blob.
    let index = repo
        .index_or_empty()
        .map_err(|e| format!("{}: cannot read git's index: {e}", repo_dir.display()))?;
    let stamp = index.timestamp();
    let options = gix::index::entry::stat::Options::default();
    let mut changed: HashMap<PathBuf, Option<gix::ObjectId>> = HashMap::new();
    let mut known: HashSet<PathBuf> = HashSet::new();
    for entry in index.entries() {
        let Ok(rel) = std::str::from_utf8(entry.path(&index).as_ref()) else {
            continue;
        };
        let rel = if prefix.is_empty() {
            rel
        } else {
            match rel
                .strip_prefix(prefix.as_str())
                .and_then(|r| r.strip_prefix('/'))
            {
                Some(r) => r,
                None => continue,
            }
        };
        let path = root.join(rel);
        let base = at_rev.get(&path).copied();
        let clean = base == Some(entry.id)
            && entry.stage_raw() == 0
            && gix::index::fs::Metadata::from_path_no_follow(&path)
                .ok()
                .and_then(|m| gix::index::entry::Stat::from_fs(&m).ok())
                .is_some_and(|disk| {
                    entry.stat.matches(&disk, options)
                        // racily clean (written in the second the index was): compare
                        // contents, as git does
                        && (!entry.stat.is_racy(stamp, options) || same_blob(&path, entry.id))
                });
        if !clean {
            changed.insert(path.clone(), base);
        }
        known.insert(path);
    }
    // Files of the revision that are not in the index (deleted since, or never staged).
    for (path, oid) in &at_rev {
        if known.insert(path.clone()) {
            changed.insert(path.clone(), Some(*oid));
        }
    }

    let mut contents: HashMap<PathBuf, Option<Arc<[u8]>>> = HashMap::with_capacity(changed.len());
    for (path, oid) in changed {
        let content = match oid {
            None => None,
            Some(_)
                if !read_by_analysis(&path) || path.components().any(|c| c.as_os_str() == "node_modules") =>
            {
                Some(Arc::from(&[][..]))
            }
            Some(oid) => {
                let blob = repo.find_object(oid).map_err(|e| {
                    format!(
                        "baseline revision {rev:?}: {}: {e}",
                        path.strip_prefix(&root).unwrap_or(&path).display()
                    )
                })?;
                Some(Arc::from(&blob.data[..]))
            }
        };
        contents.insert(path, content);
    }
    Ok(RevisionFiles {
        name: rev.to_string(),
        id,
        root,
        changed: contents,
        known,
        empty,
    })
}
