//! Workspaces (npm/yarn/bun `workspaces`, `pnpm-workspace.yaml`), workspace package maps,
//! `node_modules` lookup and resolution inside one package directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::cache::cached;
use super::exports_map;
use super::jsonc::Json;
use super::relative::canonical;
use super::{Resolution, Resolver, not_found};

/// One workspace (monorepo) root and its packages.
#[derive(Debug, Default)]
pub(super) struct Workspace {
    /// Canonical root directory.
    pub root: PathBuf,
    /// Package name → canonical package directory.
    pub packages: HashMap<String, PathBuf>,
    /// The default catalog (`catalog:` / `catalog:default`).
    pub catalog: HashMap<String, String>,
    /// Named catalogs (`catalog:<name>`).
    pub catalogs: HashMap<String, HashMap<String, String>>,
}

const MAX_WALK_DEPTH: usize = 12;

/// Split a bare specifier into its package name and subpath (`"."` or `"./rest"`).
pub(super) fn split_package_name(specifier: &str) -> Option<(&str, String)> {
    let name_end = if specifier.starts_with('@') {
        let slash = specifier.find('/')?;
        if slash == 1 {
            return None;
        }
        specifier[slash + 1..]
            .find('/')
            .map_or(specifier.len(), |i| slash + 1 + i)
    } else {
        specifier.find('/').unwrap_or(specifier.len())
    };
    let name = &specifier[..name_end];
    if name.is_empty() || name.ends_with('/') || name.starts_with('.') || name.contains('\\') {
        return None;
    }
    let rest = &specifier[name_end..];
    let subpath = if rest.is_empty() || rest == "/" {
        ".".to_string()
    } else {
        format!(".{rest}")
    };
    Some((name, subpath))
}

impl Resolver {
    /// The workspace containing `dir`: the nearest directory upwards with a `pnpm-workspace.yaml`
    /// or a `package.json` with `workspaces`.
    pub(super) fn workspace_for(&self, dir: &Path) -> Option<Arc<Workspace>> {
        cached(&self.cache.workspaces, dir, || {
            let root = dir.ancestors().find(|d| {
                self.file_exists(&d.join("pnpm-workspace.yaml"))
                    || self
                        .cache
                        .package_json(d)
                        .is_some_and(|p| p.get("workspaces").is_some())
            })?;
            if root == dir {
                Some(Arc::new(self.load_workspace(root)))
            } else {
                self.workspace_for(root)
            }
        })
    }

    fn load_workspace(&self, root: &Path) -> Workspace {
        let mut ws = Workspace {
            root: canonical(root),
            ..Workspace::default()
        };
        let pkg = self.cache.package_json(root);
        let mut patterns = Vec::new();
        let pnpm_path = root.join("pnpm-workspace.yaml");
        if self.file_exists(&pnpm_path) {
            if let Some(yaml) = self.cache.read(&pnpm_path) {
                patterns = string_list(yaml.get("packages"));
                read_catalogs(&mut ws, &yaml);
            }
            // pnpm always counts the root package as a workspace package.
            if let Some(name) = pkg.as_ref().and_then(|p| p.str_of("name")) {
                ws.packages.insert(name.to_string(), ws.root.clone());
            }
        } else if let Some(spec) = pkg.as_ref().and_then(|p| p.get("workspaces")) {
            patterns = match spec {
                Json::Arr(_) => string_list(Some(spec)),
                _ => string_list(spec.get("packages")),
            };
            read_catalogs(&mut ws, spec);
        }
        if let Some(pkg) = &pkg {
            // Bun also reads top-level `catalog`/`catalogs`.
            read_catalogs(&mut ws, pkg);
        }
        let mut dirs = expand_workspace_globs(root, &patterns);
        if let Some(rev) = self.revision() {
            // A baseline: packages the revision has and the work tree no longer does (the
            // walk sees the disk; packages the revision lacks read as absent below).
            for (path, _) in rev.changed_files() {
                if path.file_name().is_some_and(|n| n == "package.json")
                    && let Some(dir) = path.parent()
                    && dir
                        .strip_prefix(root)
                        .is_ok_and(|rel| matches_workspace_globs(rel, &patterns))
                    && !dirs.iter().any(|d| d == dir)
                {
                    dirs.push(dir.to_path_buf());
                }
            }
            dirs.sort();
        }
        for dir in dirs {
            if let Some(name) = self
                .cache
                .package_json(&dir)
                .and_then(|p| p.str_of("name").map(String::from))
            {
                ws.packages.entry(name).or_insert_with(|| canonical(&dir));
            }
        }
        ws
    }

    /// `node_modules/<name>` in `dir` or an ancestor, canonical.
    pub(super) fn find_in_node_modules(&self, dir: &Path, name: &str) -> Option<PathBuf> {
        // Memoised: every file of a directory asks the same (a stat per ancestor otherwise).
        super::cache::cached(&self.cache.node_modules, &dir.join("\0").join(name), || {
            dir.ancestors()
                .map(|d| d.join("node_modules").join(name))
                .find(|p| p.is_dir())
                .map(|p| canonical(&p))
        })
    }

    /// An installed package directory that is really workspace source (a symlink into a root).
    pub(super) fn is_workspace_source(&self, dir: &Path, pkg_dir: &Path) -> bool {
        if pkg_dir.components().any(|c| c.as_os_str() == "node_modules") {
            return false;
        }
        self.roots.iter().any(|r| pkg_dir.starts_with(r))
            || self
                .workspace_for(dir)
                .is_some_and(|ws| pkg_dir.starts_with(&ws.root))
    }

    /// The nearest package.json's directory if it is package `name` with `exports` (Node's
    /// package self-reference).
    pub(super) fn self_reference(&self, dir: &Path, name: &str) -> Option<PathBuf> {
        let (pkg_dir, pkg) = dir
            .ancestors()
            .find_map(|d| self.cache.package_json(d).map(|p| (d, p)))?;
        (pkg.str_of("name") == Some(name) && pkg.get("exports").is_some()).then(|| pkg_dir.to_path_buf())
    }

    /// `subpath` (`"."` or `"./x"`) of the package `name` in `pkg_dir`: `exports`, else
    /// `types`/`typings`/`main`/`index.*` (for `"."`) or path probing.
    pub(super) fn resolve_in_package(&self, pkg_dir: &Path, name: &str, subpath: &str) -> Resolution {
        let pkg = self.cache.package_json(pkg_dir);
        if let Some(exports) = pkg.as_ref().and_then(|p| p.get("exports")) {
            let Some(targets) = exports_map::lookup_exports(exports, subpath) else {
                return not_found(format!("package \"{name}\" does not export \"{subpath}\""));
            };
            return match exports_map::pick_target(self, pkg_dir, &targets) {
                Some(path) => Resolution::File(path),
                None if targets.is_empty() => {
                    not_found(format!("package \"{name}\" does not export \"{subpath}\""))
                }
                None => not_found(format!(
                    "package \"{name}\" export \"{subpath}\" has no TypeScript file: {}",
                    targets.join(", ")
                )),
            };
        }
        if subpath == "." {
            return match self.probe_dir(pkg_dir, 0) {
                Some(path) => Resolution::File(self.canonical_file(&path)),
                None => not_found(format!(
                    "package \"{name}\" has no TypeScript entry (types, main or index.ts)"
                )),
            };
        }
        match self.probe_path(&pkg_dir.join(subpath)) {
            Some(path) => Resolution::File(path),
            None => not_found(format!("package \"{name}\" has no file for \"{subpath}\"")),
        }
    }
}

fn string_list(value: Option<&Json>) -> Vec<String> {
    value
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(Json::as_str)
        .map(String::from)
        .collect()
}

fn string_map(value: Option<&Json>) -> HashMap<String, String> {
    let entries = value.and_then(Json::as_object).unwrap_or_default();
    entries
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

/// Merge `catalog` and `catalogs` of `holder` into `ws` (earlier sources win).
fn read_catalogs(ws: &mut Workspace, holder: &Json) {
    for (k, v) in string_map(holder.get("catalog")) {
        ws.catalog.entry(k).or_insert(v);
    }
    for (name, entries) in holder
        .get("catalogs")
        .and_then(Json::as_object)
        .unwrap_or_default()
    {
        let target = ws.catalogs.entry(name.clone()).or_default();
        for (k, v) in string_map(Some(entries)) {
            target.entry(k).or_insert(v);
        }
    }
}

/// Directories under `root` matched by the workspace globs (`!` negates), in sorted order.
fn expand_workspace_globs(root: &Path, patterns: &[String]) -> Vec<PathBuf> {
    let (positive, negative) = split_patterns(patterns);
    let (Some(pos), Some(neg)) = (glob_set(&positive), glob_set(&negative)) else {
        return Vec::new();
    };
    let segments: Vec<Vec<&str>> = positive.iter().map(|p| p.split('/').collect()).collect();
    let mut out = Vec::new();
    walk(root, "", 0, &segments, &pos, &neg, &mut out);
    out
}

/// The including and the excluding (`!`) patterns, without `./` and trailing slashes.
fn split_patterns(patterns: &[String]) -> (Vec<String>, Vec<String>) {
    let clean = |p: &str| p.trim_start_matches("./").trim_end_matches('/').to_string();
    let positive = patterns
        .iter()
        .filter(|p| !p.starts_with('!'))
        .map(|p| clean(p))
        .collect();
    let negative = patterns
        .iter()
        .filter_map(|p| p.strip_prefix('!'))
        .map(clean)
        .collect();
    (positive, negative)
}

/// Whether the directory `rel` (relative to the workspace root) is a workspace package by
/// the `workspaces` / `pnpm-workspace.yaml` patterns.
fn matches_workspace_globs(rel: &Path, patterns: &[String]) -> bool {
    let (positive, negative) = split_patterns(patterns);
    let rel = rel.to_string_lossy().replace('\\', "/");
    if rel.is_empty() || rel.split('/').any(|c| c == "node_modules") {
        return false;
    }
    glob_set(&positive).is_some_and(|g| g.is_match(&rel))
        && !glob_set(&negative).is_some_and(|g| g.is_match(&rel))
}

fn walk(
    dir: &Path,
    rel: &str,
    depth: usize,
    patterns: &[Vec<&str>],
    pos: &GlobSet,
    neg: &GlobSet,
    out: &mut Vec<PathBuf>,
) {
    if depth >= MAX_WALK_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        // Symlinked directories are not followed (no loops).
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|n| n != "node_modules" && !n.starts_with('.'))
        .collect();
    names.sort();
    for name in names {
        let child_rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let segs: Vec<&str> = child_rel.split('/').collect();
        if !patterns.iter().any(|p| could_match(p, &segs)) {
            continue;
        }
        let child = dir.join(&name);
        if pos.is_match(&child_rel)
            && !neg.is_match(&child_rel)
            && !neg.is_match(format!("{child_rel}/package.json"))
            && child.join("package.json").is_file()
        {
            out.push(child.clone());
        }
        walk(&child, &child_rel, depth + 1, patterns, pos, neg, out);
    }
}

/// Whether a directory with these leading segments can match the pattern or contain a match.
fn could_match(pattern: &[&str], segs: &[&str]) -> bool {
    for (i, seg) in segs.iter().enumerate() {
        match pattern.get(i) {
            None => return false,
            Some(&"**") => return true,
            Some(p) if p.contains(['*', '?', '[', '{']) => {}
            Some(p) if p == seg => {}
            Some(_) => return false,
        }
    }
    true
}

fn glob_set(patterns: &[String]) -> Option<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        if let Ok(glob) = GlobBuilder::new(p).literal_separator(true).build() {
            builder.add(glob);
        }
    }
    builder.build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        assert_eq!(split_package_name("@a/b/c/d"), Some(("@a/b", "./c/d".into())));
        assert_eq!(split_package_name("@a/b"), Some(("@a/b", ".".into())));
        assert_eq!(split_package_name("x/Client"), Some(("x", "./Client".into())));
        assert_eq!(split_package_name("@a"), None);
        assert_eq!(split_package_name("@/x"), None);
    }

    #[test]
    fn descend_pruning() {
        assert!(could_match(&["packages", "*"], &["packages"]));
        assert!(could_match(&["packages", "*"], &["packages", "a"]));
        assert!(!could_match(&["packages", "*"], &["packages", "a", "b"]));
        assert!(!could_match(&["packages", "*"], &["src"]));
        assert!(could_match(&["apps", "**"], &["apps", "a", "b", "c"]));
    }
}
