//! Path-level resolution results and their memo: every (importing file, specifier) pair is
//! resolved once, until something that can change the answer happens.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::resolve::{Resolution, Resolver};

/// What a specifier resolved to, by path (ids are assigned once targets are loaded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Link {
    File(PathBuf),
    External(String),
    NotFound(String),
}

/// The links of one loaded file: parallel to `facts.imports` and `facts.exports`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Links {
    pub imports: Vec<Link>,
    pub reexports: Vec<Option<Link>>,
}

impl Links {
    pub fn targets(&self) -> impl Iterator<Item = &Path> {
        self.imports
            .iter()
            .chain(self.reexports.iter().flatten())
            .filter_map(|l| match l {
                Link::File(p) => Some(p.as_path()),
                _ => None,
            })
    }
}

/// Memoised resolutions, keyed by importing file then specifier.
#[derive(Default)]
pub(super) struct Memo {
    map: HashMap<PathBuf, HashMap<String, Link>>,
}

impl Memo {
    pub fn get(&self, from: &Path, specifier: &str) -> Option<&Link> {
        self.map.get(from)?.get(specifier)
    }

    pub fn contains(&self, from: &Path, specifier: &str) -> bool {
        self.get(from, specifier).is_some()
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Resolve every pair not memoised yet (in parallel); returns how many were resolved.
    pub fn ensure(&mut self, pairs: Vec<(PathBuf, String)>, resolver: &Resolver, config: &Config) -> usize {
        let mut pairs: Vec<_> = pairs.into_iter().filter(|(f, s)| !self.contains(f, s)).collect();
        pairs.sort_unstable_by(|a, b| (a.0.as_os_str(), &a.1).cmp(&(b.0.as_os_str(), &b.1)));
        pairs.dedup();
        let resolved: Vec<(PathBuf, String, Link)> = pairs
            .into_par_iter()
            .map(|(from, spec)| {
                let link = resolve_one(resolver, config, &from, &spec);
                (from, spec, link)
            })
            .collect();
        let n = resolved.len();
        for (from, spec, link) in resolved {
            self.map.entry(from).or_default().insert(spec, link);
        }
        n
    }

    /// Forget entries for which `stale` holds; returns the importing files affected.
    pub fn forget(&mut self, mut stale: impl FnMut(&Link) -> bool) -> HashSet<PathBuf> {
        let mut affected = HashSet::default();
        self.map.retain(|from, specs| {
            let before = specs.len();
            specs.retain(|_, link| !stale(link));
            if specs.len() != before {
                affected.insert(from.clone());
            }
            !specs.is_empty()
        });
        affected
    }

    /// Keep what was resolved from the files for which `keep` holds only.
    pub fn retain_importers(&mut self, mut keep: impl FnMut(&Path) -> bool) {
        self.map.retain(|from, _| keep(from));
        self.map.shrink_to_fit();
    }

    /// Forget everything resolved from `from` (the file itself was deleted).
    pub fn forget_importer(&mut self, from: &Path) {
        self.map.remove(from);
    }
}

fn resolve_one(resolver: &Resolver, config: &Config, from: &Path, spec: &str) -> Link {
    if config.is_alchemy_specifier(spec) {
        return Link::External(spec.to_string());
    }
    match resolver.resolve_memoised(from, spec) {
        Resolution::File(p) => Link::File(p),
        Resolution::External { .. } => Link::External(spec.to_string()),
        Resolution::NotFound { reason } => Link::NotFound(reason),
    }
}

/// Specifiers that can never lead to a workspace source (skipped by the relevance scan).
pub(super) fn is_known_external(spec: &str) -> bool {
    [
        "node:",
        "cloudflare:",
        "bun:",
        "effect/",
        "@effect/",
        "@cloudflare/",
    ]
    .iter()
    .any(|p| spec.starts_with(p))
        || spec == "effect"
}
