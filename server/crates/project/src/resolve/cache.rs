//! Caches of parsed configuration files (package.json, tsconfig.json, pnpm-workspace.yaml),
//! merged tsconfigs and workspace package maps, plus the problems met while reading them.
//! Locks are never held while computing; a poisoned lock is recovered, never a panic.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use super::jsonc::{self, Json};
use super::packages::Workspace;
use super::tsconfig::TsConfig;
use super::yaml;

/// Files larger than this are not read as configuration.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Default)]
pub(super) struct ConfigCache {
    files: RwLock<HashMap<PathBuf, Option<Arc<Json>>>>,
    pub(super) tsconfigs: RwLock<HashMap<PathBuf, Option<Arc<TsConfig>>>>,
    pub(super) nearest_tsconfig: RwLock<HashMap<PathBuf, Option<PathBuf>>>,
    pub(super) workspaces: RwLock<HashMap<PathBuf, Option<Arc<Workspace>>>>,
    /// `<dir>/…/node_modules/<name>` lookups, keyed by `dir/\0/name` (no real path).
    pub(super) node_modules: RwLock<HashMap<PathBuf, Option<PathBuf>>>,
    /// Bare specifier resolutions by `dir/\0/specifier` (see `Resolver::resolve_memoised`).
    pub(super) bare: RwLock<HashMap<PathBuf, super::Resolution>>,
    /// Canonical forms of directories (see `Resolver::canonical_file`).
    pub(super) canonical_dirs: RwLock<HashMap<PathBuf, PathBuf>>,
    problems: Mutex<BTreeSet<(PathBuf, String)>>,
    /// Read a git revision instead of the disk where they differ (a baseline).
    pub(super) revision: Option<Arc<crate::revision::RevisionFiles>>,
}

impl ConfigCache {
    pub(super) fn at_revision(revision: Arc<crate::revision::RevisionFiles>) -> ConfigCache {
        ConfigCache {
            revision: Some(revision),
            ..ConfigCache::default()
        }
    }

    pub(super) fn clear(&self) {
        write(&self.files).clear();
        write(&self.tsconfigs).clear();
        write(&self.nearest_tsconfig).clear();
        write(&self.workspaces).clear();
        write(&self.node_modules).clear();
        write(&self.canonical_dirs).clear();
        write(&self.bare).clear();
        self.problems.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    pub(super) fn forget_resolutions(&self) {
        write(&self.bare).clear();
    }

    pub(super) fn problems(&self) -> Vec<(PathBuf, String)> {
        self.problems
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Record a problem with the config file at `path` (reported under its canonical path).
    pub(super) fn report(&self, path: &Path, message: impl Into<String>) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.problems
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((path, message.into()));
    }

    /// The parsed JSONC (or, for `.yaml`/`.yml`, YAML) file at `path`; `None` if it is absent,
    /// unreadable or invalid (the latter two are reported).
    pub(super) fn read(&self, path: &Path) -> Option<Arc<Json>> {
        cached(&self.files, path, || self.load(path))
    }

    fn load(&self, path: &Path) -> Option<Arc<Json>> {
        use crate::revision::Lookup;
        let text = match self.revision.as_ref().map(|r| r.lookup(path)) {
            Some(Lookup::Absent) => return None,
            Some(Lookup::Content(bytes)) => {
                if bytes.len() as u64 > MAX_CONFIG_BYTES {
                    self.report(path, "file too large to read as configuration");
                    return None;
                }
                String::from_utf8_lossy(bytes).into_owned()
            }
            Some(Lookup::Disk) | None => {
                let meta = std::fs::metadata(path).ok()?;
                if !meta.is_file() {
                    return None;
                }
                if meta.len() > MAX_CONFIG_BYTES {
                    self.report(path, "file too large to read as configuration");
                    return None;
                }
                match std::fs::read(path) {
                    Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    Err(e) => {
                        self.report(path, format!("cannot read: {e}"));
                        return None;
                    }
                }
            }
        };
        let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let parsed = if is_yaml {
            yaml::parse(&text)
        } else {
            jsonc::parse(&text)
        };
        match parsed {
            Ok(json) => Some(Arc::new(json)),
            Err(message) => {
                self.report(path, message);
                None
            }
        }
    }

    /// `dir/package.json`, parsed.
    pub(super) fn package_json(&self, dir: &Path) -> Option<Arc<Json>> {
        self.read(&dir.join("package.json"))
    }
}

/// Look `key` up in `lock`, computing and inserting the value (without holding the lock) if absent.
pub(super) fn cached<V: Clone>(
    lock: &RwLock<HashMap<PathBuf, V>>,
    key: &Path,
    compute: impl FnOnce() -> V,
) -> V {
    if let Some(v) = lock.read().unwrap_or_else(|e| e.into_inner()).get(key) {
        return v.clone();
    }
    let value = compute();
    write(lock).entry(key.to_path_buf()).or_insert(value).clone()
}

fn write<K, V>(lock: &RwLock<HashMap<K, V>>) -> std::sync::RwLockWriteGuard<'_, HashMap<K, V>> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}
