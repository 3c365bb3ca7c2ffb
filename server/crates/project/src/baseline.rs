//! The deployed revision a workspace is compared with (deploy-impact rules): a plain
//! checkout (`--baseline-dir`) or a git revision read from the object database
//! (`--baseline`). The same discovery, resolution and analysis run on it as on the
//! workspace; only a [`Snapshot`] of what it deploys is kept.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::workspace::{self, LoadOptions, Workspace};
use alchemy_ls_core::analysis::ctx::Ctx;
use alchemy_ls_core::analysis::impact::{Baseline, Snapshot};
use alchemy_ls_core::analysis::model::Model;

/// The snapshot of what a loaded workspace deploys.
pub fn snapshot_of(ws: &Workspace) -> Snapshot {
    let model = Model::build(Ctx::new(ws));
    Snapshot::of(&model)
}

/// The baseline from a plain checkout: `dir` stands for the workspace's first root.
pub fn from_dir(dir: &Path, config: Arc<Config>, opts: &LoadOptions) -> Result<Baseline, String> {
    if !dir.is_dir() {
        return Err(format!("baseline directory {}: not a directory", dir.display()));
    }
    let ws = workspace::load(&[dir.to_path_buf()], config, opts)
        .map_err(|e| format!("baseline {}: {e}", dir.display()))?;
    Ok(Baseline {
        rev: dir.display().to_string(),
        snapshot: snapshot_of(&ws),
    })
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

/// The files of `rev` under `subdir` of the repository at `repo` (a work tree or a bare
/// repository), read from the object database: (path relative to `subdir`, content). Only
/// blobs are read; nothing is checked out or written and no process is spawned.
pub fn git_tree_files(repo: &Path, rev: &str, subdir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let mut r = gix::open(repo).map_err(|e| format!("{}: not a git repository ({e})", repo.display()))?;
    // delta chains are resolved once per base object, not once per blob
    r.object_cache_size_if_unset(64 * 1024 * 1024);
    let id = r.rev_parse_single(rev).map_err(|e| {
        let shallow = r.is_shallow().unwrap_or(false);
        let hint = if shallow {
            " (this is a shallow clone: fetch the baseline, e.g. `git fetch --deepen=50 origin` or `fetch-depth: 0` in CI)"
        } else {
            ""
        };
        format!("baseline revision {rev:?} not found in {}: {e}{hint}", repo.display())
    })?;
    let object = id.object().map_err(|e| {
        format!("baseline revision {rev:?}: its object is missing ({e}); is the clone shallow?")
    })?;
    let tree = object
        .peel_to_tree()
        .map_err(|e| format!("baseline revision {rev:?} does not name a commit or tree: {e}"))?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse()
        .breadthfirst(&mut recorder)
        .map_err(|e| format!("baseline revision {rev:?}: cannot read its tree: {e}"))?;
    let prefix = subdir.to_string_lossy().replace('\\', "/");
    let prefix = prefix.trim_matches('/');
    let mut out = Vec::new();
    for entry in recorder.records {
        if !entry.mode.is_blob() {
            continue;
        }
        let Ok(path) = std::str::from_utf8(entry.filepath.as_ref()) else {
            continue;
        };
        let rel = if prefix.is_empty() {
            path
        } else {
            match path.strip_prefix(prefix).and_then(|p| p.strip_prefix('/')) {
                Some(p) => p,
                None => continue,
            }
        };
        let blob = r
            .find_object(entry.oid)
            .map_err(|e| format!("baseline revision {rev:?}: {path}: {e}"))?;
        out.push((PathBuf::from(rel), blob.data.clone()));
    }
    Ok(out)
}

/// What is written of a revision to read it like a checkout: sources and the files the
/// resolver and the configuration read (everything else is irrelevant to the analysis).
fn wanted(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == ".gitignore" || name == ".ignore" || name == "alchemy-ls.toml" {
        return true;
    }
    if path.components().any(|c| c.as_os_str() == "node_modules") {
        return false;
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("ts" | "tsx" | "mts" | "cts" | "json" | "jsonc" | "yaml" | "yml")
    )
}

/// The baseline from git revision `rev` of the repository holding `root` (the workspace's
/// first root). The revision's files under `root` are read from the object database and laid
/// out in a private temporary directory (never in the work tree; removed at once), where the
/// same discovery, resolution and analysis run as on the workspace.
pub fn from_git(root: &Path, rev: &str, config: Arc<Config>, opts: &LoadOptions) -> Result<Baseline, String> {
    let (repo, subdir) = repo_of(root).ok_or_else(|| {
        format!(
            "--baseline {rev}: {} is not inside a git repository (use --baseline-dir DIR for a plain checkout)",
            root.display()
        )
    })?;
    let files = git_tree_files(&repo, rev, &subdir)?;
    crate::timing::mark("baseline: revision read");
    if files.is_empty() {
        // The project did not exist at that revision: nothing was deployed from it.
        return Ok(Baseline {
            rev: rev.to_string(),
            snapshot: Snapshot::default(),
        });
    }
    let dir = tempfile::Builder::new()
        .prefix("alchemy-ls-baseline-")
        .tempdir()
        .map_err(|e| format!("--baseline {rev}: cannot create a temporary directory: {e}"))?;
    for (rel, data) in files.iter().filter(|(p, _)| wanted(p)) {
        let path = dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("--baseline {rev}: {e}"))?;
        }
        std::fs::write(&path, data).map_err(|e| format!("--baseline {rev}: {e}"))?;
    }
    let ws = workspace::load(&[dir.path().to_path_buf()], config, opts)
        .map_err(|e| format!("--baseline {rev}: {e}"))?;
    Ok(Baseline {
        rev: rev.to_string(),
        snapshot: snapshot_of(&ws),
    })
}
