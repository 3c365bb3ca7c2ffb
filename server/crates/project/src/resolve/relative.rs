//! Path probing for relative and absolute specifiers : exact path, `.js`→`.ts`
//! style extension substitution, appended extensions, then directories (`package.json`
//! `typings`/`types`/`main`, then `index.*`). Results are canonical (symlinks resolved).

use std::path::{Path, PathBuf};

use super::{Resolution, Resolver, not_found};

/// `./x`, `../x`, `.`, `..` or an absolute path.
pub(super) fn is_path_specifier(specifier: &str) -> bool {
    specifier == "."
        || specifier == ".."
        || specifier.starts_with("./")
        || specifier.starts_with("../")
        || specifier.starts_with('/')
}

/// A TypeScript source or declaration file name.
pub(super) fn is_ts_source(path: &Path) -> bool {
    let name = file_name(path);
    [".ts", ".tsx", ".mts", ".cts"].iter().any(|e| name.ends_with(e))
}

/// A declaration file name (`.d.ts`, `.d.mts`, `.d.cts`).
pub(super) fn is_declaration(path: &Path) -> bool {
    let name = file_name(path);
    [".d.ts", ".d.mts", ".d.cts"].iter().any(|e| name.ends_with(e))
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// For a JavaScript file name, the TypeScript files that stand for it, in TypeScript's order
/// (sources first, then the declaration). Empty for other names.
pub(super) fn ts_for_js(path: &Path) -> Vec<PathBuf> {
    let name = file_name(path);
    let (stem, exts): (&str, &[&str]) = if let Some(stem) = name.strip_suffix(".js") {
        (stem, &[".ts", ".tsx", ".d.ts"])
    } else if let Some(stem) = name.strip_suffix(".jsx") {
        (stem, &[".tsx", ".d.ts"])
    } else if let Some(stem) = name.strip_suffix(".mjs") {
        (stem, &[".mts", ".d.mts"])
    } else if let Some(stem) = name.strip_suffix(".cjs") {
        (stem, &[".cts", ".d.cts"])
    } else {
        return Vec::new();
    };
    exts.iter()
        .map(|e| path.with_file_name(format!("{stem}{e}")))
        .collect()
}

/// The file `path` names, as TypeScript probes it (no directory step). `exists` says whether
/// a file is there (on disk or as an unsaved buffer).
fn probe_file(path: &Path, exists: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    if is_ts_source(path) {
        return exists(path).then(|| path.to_path_buf());
    }
    let mapped = ts_for_js(path);
    if !mapped.is_empty() {
        return mapped.into_iter().find(|p| exists(p));
    }
    let name = file_name(path);
    if name.is_empty() {
        return None;
    }
    [".ts", ".tsx", ".d.ts"]
        .iter()
        .map(|e| path.with_file_name(format!("{name}{e}")))
        .find(|p| exists(p))
}

impl Resolver {
    /// Probe `path` as a file, then as a directory; canonical.
    pub(super) fn probe_path(&self, path: &Path) -> Option<PathBuf> {
        self.probe_path_depth(path, 0)
    }

    fn probe_path_depth(&self, path: &Path, depth: u32) -> Option<PathBuf> {
        let found = probe_file(path, |p| self.file_exists(p)).or_else(|| {
            if depth < 4 && self.dir_exists(path) {
                self.probe_dir(path, depth)
            } else {
                None
            }
        })?;
        Some(self.canonical_file(&found))
    }

    /// [`canonical`] for a file: its directory's canonical form is cached (resolving every
    /// import of a directory's files would otherwise `readlink` every path component each
    /// time); a file that is itself a symlink is resolved in full.
    pub(super) fn canonical_file(&self, path: &Path) -> PathBuf {
        if let Some(virtual_file) = self.virtual_match(path) {
            return virtual_file;
        }
        let plain = std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_symlink());
        if plain
            && let (Some(parent), Some(name)) = (path.parent(), path.file_name())
            && !parent.as_os_str().is_empty()
        {
            let dir = super::cache::cached(&self.cache.canonical_dirs, parent, || canonical(parent));
            return dir.join(name);
        }
        canonical(path)
    }

    /// A directory: its package.json `typings`/`types`/`main` (probed), then `index.*`.
    pub(super) fn probe_dir(&self, dir: &Path, depth: u32) -> Option<PathBuf> {
        if let Some(pkg) = self.cache.package_json(dir) {
            for field in ["typings", "types", "main"] {
                if let Some(entry) = pkg.str_of(field)
                    && let Some(found) = self.probe_path_depth(&normalize(&dir.join(entry)), depth + 1)
                {
                    return Some(found);
                }
            }
        }
        ["index.ts", "index.tsx", "index.d.ts"]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| self.file_exists(p))
    }

    pub(super) fn resolve_relative(&self, dir: &Path, specifier: &str) -> Resolution {
        let path = normalize(&dir.join(specifier));
        if let Some(found) = self.probe_path(&path) {
            return Resolution::File(found);
        }
        if path.is_file() {
            not_found(format!("not a TypeScript file: {specifier}"))
        } else if self.dir_exists(&path) {
            not_found(format!("no index file in directory: {specifier}"))
        } else {
            not_found(format!("file not found: {specifier}"))
        }
    }
}

pub(super) use crate::paths::canonical;

/// Lexically normalise `.` and `..` components (no file system access).
pub(super) fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
