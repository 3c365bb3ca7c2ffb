//! Module resolution: TypeScript's `moduleResolution: "bundler"` for relative
//! specifiers, tsconfig `paths`/`baseUrl`, `package.json` `imports`/`exports`, npm/yarn/bun
//! and pnpm workspaces and `node_modules`; plus the installed Alchemy version (
//! `deprecated-api`). Reads files, never writes; never panics; config errors are collected in
//! [`Resolver::config_problems`] and resolution goes on as if the file were absent.

pub use alchemy_ls_core::builtins::is_node_builtin;
mod cache;
mod exports_map;
pub mod jsonc;
mod packages;
mod relative;
mod tsconfig;
mod version;
mod yaml;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::revision::{Lookup, RevisionFiles};

pub use version::AlchemyVersion;

use cache::ConfigCache;

/// What a module specifier resolves to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// A source file (canonical absolute path; symlinks resolved): `.ts`/`.tsx`/`.mts`/`.cts`
    /// or a declaration file (`.d.ts`, `.d.mts`, `.d.cts`).
    File(PathBuf),
    /// Outside the workspace: a `node_modules` package that is not a workspace package, a Node
    /// built-in, `node:*`, `bun:*`, `cloudflare:*`. `package` is the package name
    /// (`@scope/name`), or the whole specifier for `scheme:` specifiers.
    External { package: String },
    /// Nothing matched; `reason` completes `Cannot resolve "x" (<reason>)`.
    NotFound { reason: String },
}

/// The resolver: stateless apart from caches of parsed configuration files. `Send + Sync`.
pub struct Resolver {
    roots: Vec<PathBuf>,
    cache: ConfigCache,
    /// Sources that exist only as editor buffers (unsaved new files), canonical.
    virtual_files: RwLock<HashSet<PathBuf>>,
}

/// The reason given when a bare specifier matches nothing.
pub const NO_MATCH: &str = "no workspace package, tsconfig path or file matches";

impl Resolver {
    /// `roots`: workspace root directories (canonical). Resolution may read files anywhere upward
    /// of the importing file (tsconfig.json, package.json, node_modules) but never writes.
    pub fn new(roots: Vec<PathBuf>) -> Resolver {
        Resolver {
            roots,
            cache: ConfigCache::default(),
            virtual_files: RwLock::default(),
        }
    }

    /// A resolver that sees a git revision: its files where they differ from the disk (a
    /// baseline; see [`crate::revision`]).
    pub fn at_revision(roots: Vec<PathBuf>, revision: Arc<RevisionFiles>) -> Resolver {
        Resolver {
            roots,
            cache: ConfigCache::at_revision(revision),
            virtual_files: RwLock::default(),
        }
    }

    /// The revision this resolver sees, if any.
    pub fn revision(&self) -> Option<&Arc<RevisionFiles>> {
        self.cache.revision.as_ref()
    }

    /// Resolve as if the source at `path` (canonical) existed: an editor buffer of a file
    /// that is not on disk. Forgets the memoised resolutions.
    pub fn add_virtual_file(&self, path: &Path) {
        let added = self
            .virtual_files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf());
        if added {
            self.forget_resolutions();
        }
    }

    /// Undo [`Self::add_virtual_file`]; true if `path` was virtual.
    pub fn remove_virtual_file(&self, path: &Path) -> bool {
        let removed = self
            .virtual_files
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(path);
        if removed {
            self.forget_resolutions();
        }
        removed
    }

    pub fn is_virtual_file(&self, path: &Path) -> bool {
        self.virtual_files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(path)
    }

    /// The virtual file a probed path names (the probe may go through symlinked directories:
    /// compared by canonical directory).
    fn virtual_match(&self, path: &Path) -> Option<PathBuf> {
        let set = self.virtual_files.read().unwrap_or_else(|e| e.into_inner());
        if set.is_empty() {
            return None;
        }
        if set.contains(path) {
            return Some(path.to_path_buf());
        }
        let (parent, name) = (path.parent()?, path.file_name()?);
        let canonical = relative::canonical(parent).join(name);
        set.contains(&canonical).then_some(canonical)
    }

    /// A file the resolver may pick: a file on disk or a virtual file.
    pub(super) fn file_exists(&self, path: &Path) -> bool {
        match self.cache.revision.as_ref().map(|r| r.lookup(path)) {
            Some(Lookup::Absent) => false,
            Some(Lookup::Content(_)) => true,
            Some(Lookup::Disk) | None => path.is_file() || self.virtual_match(path).is_some(),
        }
    }

    /// A directory on disk, or one holding a virtual file (an unsaved file in a new
    /// directory).
    pub(super) fn dir_exists(&self, path: &Path) -> bool {
        if path.is_dir() {
            return true;
        }
        if let Some(rev) = &self.cache.revision
            && rev.changed_files().any(|(f, _)| f.starts_with(path))
        {
            return true;
        }
        let set = self.virtual_files.read().unwrap_or_else(|e| e.into_inner());
        !set.is_empty() && set.iter().any(|f| f.starts_with(path))
    }

    /// Resolve `specifier` as imported from the file `from` (absolute path).
    pub fn resolve(&self, from: &Path, specifier: &str) -> Resolution {
        let dir = from.parent().unwrap_or(from);
        if specifier.is_empty() {
            return not_found("empty module specifier");
        }
        if relative::is_path_specifier(specifier) {
            return self.resolve_relative(dir, specifier);
        }
        if alchemy_ls_core::builtins::is_scheme_builtin(specifier) {
            return Resolution::External {
                package: specifier.to_string(),
            };
        }
        if specifier.starts_with('#') {
            return self.resolve_imports(from, specifier);
        }
        self.resolve_bare(from, specifier)
    }

    /// [`Self::resolve`], memoised per (directory, specifier) for bare specifiers: every file
    /// of a directory gets the same answer (unless a solution-style tsconfig makes it depend
    /// on the file), and a monorepo's files import the same few packages.
    pub fn resolve_memoised(&self, from: &Path, specifier: &str) -> Resolution {
        let Some(dir) = from.parent() else {
            return self.resolve(from, specifier);
        };
        if specifier.is_empty()
            || relative::is_path_specifier(specifier)
            || specifier.starts_with('#')
            || self.tsconfig_depends_on_file(dir)
        {
            return self.resolve(from, specifier);
        }
        let key = dir.join("\0").join(specifier);
        cache::cached(&self.cache.bare, &key, || self.resolve(from, specifier))
    }

    /// Forget the memoised bare resolutions (call when a source file was created or deleted:
    /// a `paths` alias or a package export may now find another file).
    pub fn forget_resolutions(&self) {
        self.cache.forget_resolutions();
    }

    /// Forget cached tsconfig/package.json/pnpm-workspace data (call after such a file changed).
    pub fn invalidate(&self) {
        self.cache.clear();
    }

    /// Problems met while reading config files, as (path, message), sorted by path. Not fatal:
    /// resolution continues as if the file were absent. Files are re-read after [`Self::invalidate`].
    pub fn config_problems(&self) -> Vec<(PathBuf, String)> {
        self.cache.problems()
    }

    /// The installed or declared `alchemy` version for a file (`deprecated-api`, versions).
    pub fn alchemy_version(&self, from: &Path) -> Option<AlchemyVersion> {
        self.alchemy_version_for(from.parent().unwrap_or(from))
    }

    /// A bare specifier: tsconfig `paths`, `baseUrl`, workspace packages, the package's own
    /// name (self-reference), `node_modules`, Node built-ins.
    fn resolve_bare(&self, from: &Path, specifier: &str) -> Resolution {
        let dir = from.parent().unwrap_or(from);
        let mut reason = None;
        if let Some(config) = self.tsconfig_for(from) {
            match self.resolve_with_tsconfig(&config, specifier) {
                Ok(Some(path)) => return Resolution::File(path),
                Ok(None) => {}
                Err(r) => reason = Some(r),
            }
        }
        let Some((name, subpath)) = packages::split_package_name(specifier) else {
            return not_found(reason.unwrap_or_else(|| NO_MATCH.to_string()));
        };
        if let Some(ws) = self.workspace_for(dir)
            && let Some(pkg_dir) = ws.packages.get(name)
        {
            return self.resolve_in_package(pkg_dir, name, &subpath);
        }
        if let Some(pkg_dir) = self.self_reference(dir, name) {
            return self.resolve_in_package(&pkg_dir, name, &subpath);
        }
        if let Some(found) = self.find_in_node_modules(dir, name) {
            if self.is_workspace_source(dir, &found) {
                return self.resolve_in_package(&found, name, &subpath);
            }
            return Resolution::External {
                package: name.to_string(),
            };
        }
        if alchemy_ls_core::builtins::is_node_builtin(name) {
            return Resolution::External {
                package: name.to_string(),
            };
        }
        not_found(reason.unwrap_or_else(|| NO_MATCH.to_string()))
    }
}

fn not_found(reason: impl Into<String>) -> Resolution {
    Resolution::NotFound {
        reason: reason.into(),
    }
}
