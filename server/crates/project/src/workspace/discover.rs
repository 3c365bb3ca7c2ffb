//! File discovery: which TypeScript sources under the workspace roots are candidates for
//! analysis.
//!
//! Rules: `.ts`/`.tsx`/`.mts`/`.cts` files, not declaration files (`.d.ts`, `.d.mts`,
//! `.d.cts`); never under `node_modules`, `dist`, `build`, `.wrangler`, `.alchemy` or `.git`
//! (even with `--no-ignore`); not matched by the config's `ignore` globs; not gitignored
//! (`.gitignore` files are honoured also outside a git repository, plus `.git/info/exclude`
//! and `.ignore`; the user's global gitignore is not read, so results do not depend on the
//! machine) unless `no_ignore`. Symbolic links are never followed (no loops, nothing outside
//! the workspace); a symlink given as a root is resolved first.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{WalkBuilder, WalkState};

use crate::config::Config;

/// The problem recorded for a source whose file name is not valid UTF-8 (it is analysed;
/// reports show its path lossily).
pub const NON_UTF8_NAME: &str =
    "the file name is not valid UTF-8; it is analysed, and shown with U+FFFD in place of the invalid bytes";

/// Directory names that are never descended into.
pub const DEFAULT_EXCLUDES: &[&str] = &["node_modules", "dist", "build", ".wrangler", ".alchemy", ".git"];

/// Is `path` a TypeScript source that discovery considers (by name only)? A name that is not
/// valid UTF-8 counts by its lossy form (its extension is ASCII either way).
pub fn is_source_name(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    let name: &str = &name;
    let ts = [".ts", ".tsx", ".mts", ".cts"]
        .iter()
        .any(|ext| name.ends_with(ext) && name.len() > ext.len());
    ts && !is_declaration_name(name)
}

/// `.d.ts`, `.d.mts`, `.d.cts` (also `.d.tsx`, which TypeScript never emits but is harmless).
pub fn is_declaration_name(name: &str) -> bool {
    [".d.ts", ".d.mts", ".d.cts", ".d.tsx"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

fn is_default_excluded(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| DEFAULT_EXCLUDES.contains(&n))
}

/// The config's `ignore` globs compiled against their base directory.
pub struct ConfigIgnore {
    matcher: Option<Gitignore>,
    base: PathBuf,
}

impl ConfigIgnore {
    /// `fallback_base`: the directory globs are relative to when the config has no file.
    pub fn new(config: &Config, fallback_base: &Path) -> (ConfigIgnore, Vec<(PathBuf, String)>) {
        let base = config
            .base_dir()
            .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf()))
            .unwrap_or_else(|| fallback_base.to_path_buf());
        let mut problems = Vec::new();
        if config.ignore.is_empty() {
            return (ConfigIgnore { matcher: None, base }, problems);
        }
        let mut builder = GitignoreBuilder::new(&base);
        for glob in &config.ignore {
            if let Err(e) = builder.add_line(None, glob) {
                let at = config.source.clone().unwrap_or_else(|| base.clone());
                problems.push((at, format!("invalid ignore glob `{glob}`: {e}")));
            }
        }
        let matcher = match builder.build() {
            Ok(m) => Some(m),
            Err(e) => {
                problems.push((base.clone(), format!("invalid ignore globs: {e}")));
                None
            }
        };
        (ConfigIgnore { matcher, base }, problems)
    }

    /// Does an ignore glob match `path` itself (not its parents)?
    pub fn matches(&self, path: &Path, is_dir: bool) -> bool {
        match &self.matcher {
            Some(m) if path.starts_with(&self.base) => m.matched(path, is_dir).is_ignore(),
            _ => false,
        }
    }

    /// Does an ignore glob match `path` or one of its parent directories?
    pub fn matches_path_or_parents(&self, path: &Path, is_dir: bool) -> bool {
        match &self.matcher {
            Some(m) if path.starts_with(&self.base) && path != self.base => {
                m.matched_path_or_any_parents(path, is_dir).is_ignore()
            }
            _ => false,
        }
    }
}

/// A walk of `root` with discovery's rules: symlinks not followed, hidden entries included,
/// `.gitignore`/`.ignore`/`.git/info/exclude` honoured (also outside a repository; the user's
/// global gitignore never) unless `no_ignore`, and never into the [`DEFAULT_EXCLUDES`] below
/// `root`. The config's `ignore` globs are the caller's.
pub fn walk_builder(root: &Path, no_ignore: bool) -> WalkBuilder {
    let mut builder = WalkBuilder::new(root);
    builder
        .follow_links(false)
        .hidden(false)
        .require_git(false)
        .git_global(false)
        .git_ignore(!no_ignore)
        .git_exclude(!no_ignore)
        .ignore(!no_ignore)
        .parents(!no_ignore)
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_some_and(|t| t.is_dir()) && is_default_excluded(e.file_name()))
        });
    builder
}

/// Would discovery descend into the directory `dir` (canonical, under `root`)? Not when a
/// component below `root` is one of the [`DEFAULT_EXCLUDES`] or a `.gitignore` ignores it.
pub fn is_walked_dir(dir: &Path, root: &Path) -> bool {
    let Ok(rel) = dir.strip_prefix(root) else {
        return false;
    };
    !rel.components().any(|c| is_default_excluded(c.as_os_str())) && !gitignored(dir, true)
}

/// Discover the candidate sources under `root` (a canonical directory). Returns paths sorted
/// by their bytes (cheaper than by components; the order only has to be deterministic) and
/// problems met on the way (unreadable directories, bad `.gitignore` lines).
pub fn discover_dir(
    root: &Path,
    cfg_ignore: &ConfigIgnore,
    no_ignore: bool,
) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut builder = walk_builder(root, no_ignore);
    builder.threads(std::thread::available_parallelism().map_or(2, |n| n.get()).min(8));
    let files = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let files = &files;
        let problems = &problems;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    if let Some(p) = error_path(&e) {
                        lock(problems).push((p, e.to_string()));
                    }
                    return WalkState::Continue;
                }
            };
            let Some(ft) = entry.file_type() else {
                return WalkState::Continue;
            };
            let path = entry.path();
            if ft.is_dir() {
                if entry.depth() > 0 && cfg_ignore.matches(path, true) {
                    return WalkState::Skip;
                }
                return WalkState::Continue;
            }
            // Symlinks (to files or directories) are never followed.
            if ft.is_file() && is_source_name(path) && !cfg_ignore.matches(path, false) {
                if path.file_name().is_some_and(|n| n.to_str().is_none()) {
                    lock(problems).push((path.to_path_buf(), NON_UTF8_NAME.to_string()));
                }
                lock(files).push(path.to_path_buf());
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    let mut problems = problems.into_inner().unwrap_or_else(|e| e.into_inner());
    problems.sort();
    (files, problems)
}

/// Would discovery (under `root`) pick up `path`? For files created after the initial walk.
/// `path` must be canonical and under `root`.
pub fn is_discoverable(path: &Path, root: &Path, cfg_ignore: &ConfigIgnore, no_ignore: bool) -> bool {
    if !is_source_name(path) {
        return false;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut comps: Vec<_> = rel.components().collect();
    comps.pop();
    if comps.iter().any(|c| is_default_excluded(c.as_os_str())) {
        return false;
    }
    if cfg_ignore.matches_path_or_parents(path, false) {
        return false;
    }
    if no_ignore {
        return true;
    }
    !gitignored(path, false)
}

/// Is `path` ignored by a `.gitignore` in one of its ancestor directories? The deepest
/// matching file decides (as git does); negations re-include.
fn gitignored(path: &Path, is_dir: bool) -> bool {
    let mut dir = path.parent();
    while let Some(d) = dir {
        let gi_path = d.join(".gitignore");
        if gi_path.is_file() {
            let (gi, _) = Gitignore::new(&gi_path);
            let m = gi.matched_path_or_any_parents(path, is_dir);
            if m.is_ignore() {
                return true;
            }
            if m.is_whitelist() {
                return false;
            }
        }
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    false
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walked_dirs_follow_discovery() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        for d in [
            "src/lib",
            "dist/x",
            "packages/a/node_modules/b",
            "coverage/r",
            "keep",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join(".gitignore"), "coverage/\n").unwrap();
        for (d, walked) in [
            ("src/lib", true),
            ("keep", true),
            ("dist", false),
            ("dist/x", false),
            ("packages/a/node_modules/b", false),
            ("coverage", false),
            ("coverage/r", false),
        ] {
            assert_eq!(is_walked_dir(&root.join(d), &root), walked, "{d}");
        }
        assert!(!is_walked_dir(Path::new("/elsewhere"), &root));
        // the same directories as the walk
        let mut walked: Vec<String> = walk_builder(&root, false)
            .build()
            .flatten()
            .filter(|e| e.depth() > 0 && e.file_type().is_some_and(|t| t.is_dir()))
            .map(|e| {
                e.path()
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        walked.sort();
        assert_eq!(walked, ["keep", "packages", "packages/a", "src", "src/lib"]);
    }
}
