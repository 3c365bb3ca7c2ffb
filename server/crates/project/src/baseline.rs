//! The deployed revision a workspace is compared with (deploy-impact rules): a plain
//! checkout (`--baseline-dir`) or a git revision read from the object database
//! (`--baseline`, read as differences from the work tree, see [`crate::revision`]). The
//! same discovery, resolution and analysis run on it as on the workspace; only a
//! [`Snapshot`] of what it deploys is kept.

use std::path::Path;
use std::sync::Arc;

use crate::config::Config;
use crate::revision::{self, RevisionFiles};
use crate::workspace::{Index, LoadOptions, Workspace};

pub use crate::revision::repo_of;
use alchemy_ls_core::analysis::ctx::Ctx;
use alchemy_ls_core::analysis::impact::{Baseline, Snapshot};
use alchemy_ls_core::analysis::model::Model;

/// The snapshot of what a loaded workspace deploys.
pub fn snapshot_of(ws: &Workspace) -> Snapshot {
    let model = Model::build(Ctx::new(ws));
    Snapshot::of(&model)
}

/// The baseline from a plain checkout: `dir` stands for the workspace's first root. A file
/// whose content `head` (the work tree's snapshot, when given) already parsed is not parsed
/// again: a deployed checkout is mostly the same files.
pub fn from_dir(
    dir: &Path,
    config: Arc<Config>,
    opts: &LoadOptions,
    head: Option<&Workspace>,
) -> Result<Baseline, String> {
    if !dir.is_dir() {
        return Err(format!("baseline directory {}: not a directory", dir.display()));
    }
    let ws = load(Index::new(vec![dir.to_path_buf()], config, *opts), head);
    Ok(Baseline {
        rev: dir.display().to_string(),
        snapshot: snapshot_of(&ws),
    })
}

/// The baseline from git revision `rev` of the repository holding `root` (the workspace's
/// first root). Only the files that differ from the work tree are read from git's object
/// database (see [`crate::revision`]); the others are read from disk, and their facts are
/// taken from `head` (the work tree's snapshot) when given. Nothing is checked out or written
/// and no process is spawned.
pub fn from_git(
    root: &Path,
    rev: &str,
    config: Arc<Config>,
    opts: &LoadOptions,
    head: Option<&Workspace>,
) -> Result<Baseline, String> {
    let files = revision::read(root, rev)?;
    crate::timing::mark("baseline: revision read");
    from_revision(root, Arc::new(files), config, opts, head)
}

/// [`from_git`] for a revision already read.
pub fn from_revision(
    root: &Path,
    files: Arc<RevisionFiles>,
    config: Arc<Config>,
    opts: &LoadOptions,
    head: Option<&Workspace>,
) -> Result<Baseline, String> {
    if files.empty {
        // The project did not exist at that revision: nothing was deployed from it.
        return Ok(Baseline {
            rev: files.name.clone(),
            snapshot: Snapshot::default(),
        });
    }
    let rev = files.name.clone();
    let ws = load(
        Index::at_revision(vec![root.to_path_buf()], config, *opts, files),
        head,
    );
    Ok(Baseline {
        rev,
        snapshot: snapshot_of(&ws),
    })
}

/// The baseline's snapshot from its index, seeded with `head`'s facts when given. The index
/// is one-shot (it is never updated) and is dropped before the caller builds the model: it
/// held ≈ 40 MB of ws50k's resolutions and scan tables at the peak otherwise.
fn load(mut index: Index, head: Option<&Workspace>) -> Workspace {
    index.set_one_shot();
    if let Some(head) = head {
        index.seed_facts(head);
    }
    index.scan();
    let ws = index.snapshot();
    crate::timing::mark("baseline: loaded");
    ws
}
