//! The deployed revision a workspace is compared with (deploy-impact rules): a plain
//! checkout (`--baseline-dir`) or a git revision read from the object database
//! (`--baseline`). The same discovery, resolution and analysis run on it as on the
//! workspace; only a [`Snapshot`] of what it deploys is kept.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::ctx::Ctx;
use crate::analysis::impact::{Baseline, Snapshot};
use crate::analysis::model::Model;
use crate::config::Config;
use crate::workspace::{self, LoadOptions, Workspace};

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
