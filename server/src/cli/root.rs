//! The repository root that `--format github` and SARIF paths are relative to: GitHub resolves
//! an annotation's `file` and a SARIF `uri` against the root of the checked-out repository, so
//! checking one app of a monorepo must still report `apps/api/src/worker.ts`.

use std::path::{Path, PathBuf};

/// The nearest directory at or above `start` that holds a `.git` (a directory, or a file in a
/// worktree or submodule); else the current directory; else `start` itself.
pub fn repository_root(start: &Path) -> PathBuf {
    let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
    if let Some(root) = start.ancestors().find(|d| d.join(".git").exists()) {
        return root.to_path_buf();
    }
    std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .unwrap_or(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_up_to_the_git_directory_or_file() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().canonicalize().unwrap();
        let app = repo.join("apps/api/src");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        assert_eq!(repository_root(&app), repo);
        assert_eq!(repository_root(&repo), repo);
        // a worktree: `.git` is a file
        let wt = repo.join("apps/wt");
        std::fs::create_dir_all(wt.join("src")).unwrap();
        std::fs::write(wt.join(".git"), "gitdir: ../../.git/worktrees/wt\n").unwrap();
        assert_eq!(repository_root(&wt.join("src")), wt);
    }
}
