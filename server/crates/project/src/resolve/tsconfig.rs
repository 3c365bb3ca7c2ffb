//! tsconfig.json: the nearest config upwards (or a covering project reference), `extends`
//! chains (string or array, relative or package), and `paths`/`baseUrl` resolution.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::Resolver;
use super::cache::cached;
use super::jsonc::Json;
use super::packages::split_package_name;
use super::relative::{canonical, normalize};

/// `compilerOptions.paths`: key → substitutions, in source order.
type PathsMap = Vec<(String, Vec<String>)>;

/// A tsconfig with its `extends` chain merged (later wins).
#[derive(Debug, Default)]
pub(super) struct TsConfig {
    /// Canonical directory of this config file.
    pub dir: PathBuf,
    /// Absolute `baseUrl`, resolved against the config that defines it.
    pub base_url: Option<PathBuf>,
    /// `paths` with the directory of the config that defines them.
    pub paths: Option<(PathBuf, PathsMap)>,
    /// This file's own `references`, as config file paths (not inherited).
    pub references: Vec<PathBuf>,
    /// `include`, `files`, `exclude`, each with the directory of the config defining it.
    pub include: Option<(PathBuf, Vec<String>)>,
    pub files: Option<(PathBuf, Vec<String>)>,
    pub exclude: Option<(PathBuf, Vec<String>)>,
}

const MAX_EXTENDS_DEPTH: usize = 16;

impl Resolver {
    /// The tsconfig governing `from`: the nearest `tsconfig.json` upwards; if it has no `paths` but
    /// `references`, the first referenced config whose `include`/`files` cover `from`.
    pub(super) fn tsconfig_for(&self, from: &Path) -> Option<Arc<TsConfig>> {
        let config = self.nearest_tsconfig(from.parent()?)?;
        if config.paths.is_some() || config.references.is_empty() {
            return Some(config);
        }
        let file = self.canonical_file(from);
        for reference in &config.references {
            if let Some(referenced) = self.load_tsconfig(reference)
                && covers(&referenced, &file)
            {
                return Some(referenced);
            }
        }
        Some(config)
    }

    /// The `tsconfig.json` nearest to `dir` (at or above it).
    fn nearest_tsconfig(&self, dir: &Path) -> Option<Arc<TsConfig>> {
        let path = cached(&self.cache.nearest_tsconfig, dir, || {
            dir.ancestors()
                .map(|d| d.join("tsconfig.json"))
                .find(|p| self.file_exists(p))
        })?;
        self.load_tsconfig(&path)
    }

    /// Whether [`Self::tsconfig_for`] can differ between files of `dir` (a solution-style
    /// config picks the referenced project whose `files`/`include` cover the file).
    pub(super) fn tsconfig_depends_on_file(&self, dir: &Path) -> bool {
        self.nearest_tsconfig(dir)
            .is_some_and(|c| c.paths.is_none() && !c.references.is_empty())
    }

    pub(super) fn load_tsconfig(&self, path: &Path) -> Option<Arc<TsConfig>> {
        let path = self.canonical_file(path);
        cached(&self.cache.tsconfigs, &path, || {
            self.load_tsconfig_uncached(&path, &mut Vec::new()).map(Arc::new)
        })
    }

    fn load_tsconfig_uncached(&self, path: &Path, stack: &mut Vec<PathBuf>) -> Option<TsConfig> {
        if stack.len() >= MAX_EXTENDS_DEPTH || stack.iter().any(|p| p == path) {
            self.cache.report(path, "circular or too deep `extends` chain");
            return None;
        }
        let json = self.cache.read(path)?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut merged = TsConfig {
            dir: dir.clone(),
            ..TsConfig::default()
        };
        let extends: Vec<&str> = match json.get("extends") {
            Some(Json::Str(s)) => vec![s.as_str()],
            Some(Json::Arr(items)) => items.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        };
        stack.push(path.to_path_buf());
        for spec in extends {
            match self.find_extended(&dir, spec) {
                Some(parent_path) => {
                    if let Some(parent) = self.load_tsconfig_uncached(&canonical(&parent_path), stack) {
                        merged.overlay(parent);
                    }
                }
                None => self
                    .cache
                    .report(path, format!("cannot find the config \"{spec}\" it extends")),
            }
        }
        stack.pop();
        merged.overlay(own_fields(&json, &dir));
        merged.references = references(&json, &dir);
        Some(merged)
    }

    /// The file an `extends` entry names: a path (`.json` optional) or a package config.
    fn find_extended(&self, dir: &Path, spec: &str) -> Option<PathBuf> {
        let as_file = |p: PathBuf| -> Option<PathBuf> {
            if self.file_exists(&p) {
                return Some(p);
            }
            let with_json = p.with_file_name(format!("{}.json", p.file_name()?.to_str()?));
            if self.file_exists(&with_json) {
                return Some(with_json);
            }
            let inner = p.join("tsconfig.json");
            self.file_exists(&inner).then_some(inner)
        };
        if super::relative::is_path_specifier(spec) {
            return as_file(normalize(&dir.join(spec)));
        }
        let (name, subpath) = split_package_name(spec)?;
        let pkg_dir = self
            .workspace_for(dir)
            .and_then(|ws| ws.packages.get(name).cloned())
            .or_else(|| self.find_in_node_modules(dir, name))?;
        if subpath != "." {
            return as_file(pkg_dir.join(subpath.trim_start_matches("./")));
        }
        if let Some(field) = self
            .cache
            .package_json(&pkg_dir)
            .and_then(|p| p.str_of("tsconfig").map(String::from))
            && let Some(found) = as_file(pkg_dir.join(field))
        {
            return Some(found);
        }
        as_file(pkg_dir.join("tsconfig.json"))
    }

    /// `paths` then `baseUrl`. `Ok(None)`: no `paths` key matched and no `baseUrl` file exists;
    /// `Err(reason)`: a `paths` key matched but none of its substitutions exists.
    pub(super) fn resolve_with_tsconfig(
        &self,
        config: &TsConfig,
        specifier: &str,
    ) -> Result<Option<PathBuf>, String> {
        let mut failed = None;
        let base_url = config.base_url.as_deref().map(|b| config.expand(b));
        if let Some((paths_dir, entries)) = &config.paths {
            let base = base_url.as_deref().unwrap_or(paths_dir);
            if let Some((key, subs)) = match_paths(entries, specifier) {
                for sub in &subs {
                    if let Some(found) = self.probe_path(&normalize(&config.expand(&base.join(sub)))) {
                        return Ok(Some(found));
                    }
                }
                failed = Some(format!(
                    "tsconfig path \"{key}\" matched but no file exists: {}",
                    subs.join(", ")
                ));
            }
        }
        if let Some(base) = &base_url
            && let Some(found) = self.probe_path(&normalize(&base.join(specifier)))
        {
            return Ok(Some(found));
        }
        failed.map_or(Ok(None), Err)
    }
}

/// TypeScript's `${configDir}` template (TS 5.5): in `paths`, `baseUrl`, `include`, `files` and
/// `exclude`, the directory of the config in use (the one a project is compiled with), even
/// when an extended config defines the value.
const CONFIG_DIR: &str = "${configDir}";

impl TsConfig {
    /// `path` with a `${configDir}` component (joined to a defining config's directory, or
    /// alone) replaced by this config's directory.
    fn expand(&self, path: &Path) -> PathBuf {
        let mut comps = path.components();
        let found = comps.by_ref().position(|c| c.as_os_str() == CONFIG_DIR);
        match found {
            Some(_) => normalize(&self.dir.join(comps.as_path())),
            None => path.to_path_buf(),
        }
    }

    /// `(dir, patterns)` with the `${configDir}` patterns made absolute.
    fn expand_all(&self, (dir, items): &(PathBuf, Vec<String>)) -> (PathBuf, Vec<String>) {
        let items = items
            .iter()
            .map(|i| match i.strip_prefix(CONFIG_DIR) {
                Some(rest) => self
                    .dir
                    .join(rest.trim_start_matches('/'))
                    .to_string_lossy()
                    .into_owned(),
                None => i.clone(),
            })
            .collect();
        (dir.clone(), items)
    }

    /// Overwrite the fields `other` sets.
    fn overlay(&mut self, other: TsConfig) {
        if other.base_url.is_some() {
            self.base_url = other.base_url;
        }
        if other.paths.is_some() {
            self.paths = other.paths;
        }
        if other.include.is_some() {
            self.include = other.include;
        }
        if other.files.is_some() {
            self.files = other.files;
        }
        if other.exclude.is_some() {
            self.exclude = other.exclude;
        }
    }
}

/// The fields this file itself sets.
fn own_fields(json: &Json, dir: &Path) -> TsConfig {
    let options = json.get("compilerOptions");
    let strings = |v: Option<&Json>| -> Option<(PathBuf, Vec<String>)> {
        let items = v?.as_array()?;
        Some((
            dir.to_path_buf(),
            items.iter().filter_map(Json::as_str).map(String::from).collect(),
        ))
    };
    let paths = options
        .and_then(|o| o.get("paths"))
        .and_then(Json::as_object)
        .map(|entries| {
            let entries = entries
                .iter()
                .map(|(k, v)| {
                    let subs = v
                        .as_array()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(Json::as_str)
                        .map(String::from);
                    (k.clone(), subs.collect())
                })
                .collect();
            (dir.to_path_buf(), entries)
        });
    TsConfig {
        dir: dir.to_path_buf(),
        base_url: options
            .and_then(|o| o.str_of("baseUrl"))
            // (a `${configDir}` base is expanded where it is used, with the config in use)
            .map(|b| {
                if b.starts_with(CONFIG_DIR) {
                    PathBuf::from(b)
                } else {
                    normalize(&dir.join(b))
                }
            }),
        paths,
        references: Vec::new(),
        include: strings(json.get("include")),
        files: strings(json.get("files")),
        exclude: strings(json.get("exclude")),
    }
}

fn references(json: &Json, dir: &Path) -> Vec<PathBuf> {
    let Some(items) = json.get("references").and_then(Json::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|r| r.str_of("path"))
        .map(|p| {
            let p = normalize(&dir.join(p));
            if p.is_dir() { p.join("tsconfig.json") } else { p }
        })
        .collect()
}

/// The `paths` key matching `specifier` (exact keys first, then the longest prefix before `*`),
/// with its substitutions' `*` replaced.
fn match_paths(entries: &[(String, Vec<String>)], specifier: &str) -> Option<(String, Vec<String>)> {
    if let Some((key, subs)) = entries.iter().find(|(k, _)| !k.contains('*') && k == specifier) {
        return Some((key.clone(), subs.clone()));
    }
    let mut best: Option<(&str, &[String], &str)> = None;
    for (key, subs) in entries {
        let Some((prefix, suffix)) = key.split_once('*') else {
            continue;
        };
        if suffix.contains('*') || specifier.len() < prefix.len() + suffix.len() {
            continue;
        }
        if specifier.starts_with(prefix)
            && specifier.ends_with(suffix)
            && best.is_none_or(|(k, _, _)| prefix.len() > k.split_once('*').map_or(0, |(p, _)| p.len()))
        {
            best = Some((
                key,
                subs,
                &specifier[prefix.len()..specifier.len() - suffix.len()],
            ));
        }
    }
    let (key, subs, star) = best?;
    Some((
        key.to_string(),
        subs.iter().map(|s| s.replace('*', star)).collect(),
    ))
}

/// Whether the config's `files`/`include` (minus `exclude`) cover `file` (canonical).
fn covers(config: &TsConfig, file: &Path) -> bool {
    let files = config.files.as_ref().map(|f| config.expand_all(f));
    if let Some((dir, files)) = &files
        && files.iter().any(|f| canonical(&dir.join(f)) == file)
    {
        return true;
    }
    let include = match (&config.include, &config.files) {
        (Some(include), _) => config.expand_all(include),
        (None, Some(_)) => return false,
        (None, None) => (config.dir.clone(), vec!["**/*".to_string()]),
    };
    if !glob_set(&include).is_some_and(|set| set.is_match(file)) {
        return false;
    }
    !config
        .exclude
        .as_ref()
        .map(|e| config.expand_all(e))
        .as_ref()
        .and_then(glob_set)
        .is_some_and(|set| set.is_match(file))
}

/// Absolute globs for tsconfig `include`/`exclude` patterns; a pattern whose last segment has
/// no wildcard and no extension also names a directory (`src` = `src/**/*`).
fn glob_set((dir, patterns): &(PathBuf, Vec<String>)) -> Option<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let abs = normalize(&dir.join(pattern));
        let abs = abs.to_str()?;
        let last = abs.rsplit('/').next().unwrap_or("");
        let mut globs = vec![abs.to_string()];
        if !last.contains(['*', '?', '.']) || last == "**" {
            globs.push(format!("{}/**/*", abs.trim_end_matches("/**")));
        }
        for g in globs {
            if let Ok(glob) = GlobBuilder::new(&g).literal_separator(true).build() {
                builder.add(glob);
            }
        }
    }
    builder.build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_longest_prefix_and_exact() {
        let entries = vec![
            ("@/*".to_string(), vec!["./src/*".to_string()]),
            (
                "@/lib/*".to_string(),
                vec!["./lib/*".to_string(), "./vendor/*".to_string()],
            ),
            ("exact".to_string(), vec!["./e.ts".to_string()]),
        ];
        assert_eq!(
            match_paths(&entries, "@/lib/x").unwrap().1,
            ["./lib/x", "./vendor/x"]
        );
        assert_eq!(match_paths(&entries, "@/a/b").unwrap().1, ["./src/a/b"]);
        assert_eq!(match_paths(&entries, "exact").unwrap().1, ["./e.ts"]);
        assert!(match_paths(&entries, "other").is_none());
    }
}
