//! Which discovered files are analysis roots: the prefilter's direct hits, plus (fixpoint)
//! every file that imports or re-exports a relevant file, found from the cheap specifier scan
//! without parsing.
//!
//! To keep the number of resolutions low, a relative specifier is only resolved when its last
//! segment could name a relevant file: its stem (`./cf.ts`, `./cf.js`, `./cf` → `cf`) is the
//! stem of a relevant file, or it names a directory holding one (`./lib` → `lib/index.ts`).
//! Bare and aliased specifiers are always resolved. Each (file, specifier) pair is resolved at
//! most once (the memo), whatever the number of rounds.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::{Path, PathBuf};

use super::index::Index;
use super::links::Link;

impl Index {
    pub(super) fn compute_relevance(&mut self) {
        debug_assert!(
            !self.relevance_inputs_gone,
            "a one-shot index was updated after its scan"
        );
        let mut relevant: HashSet<PathBuf> = self
            .candidates
            .iter()
            .filter(|(_, c)| c.direct)
            .map(|(p, _)| p.clone())
            .collect();
        // Buffers outside the workspace are roots of their own (like files given as paths):
        // they seed relevance. Buffers inside it that discovery skips do not, as on disk.
        for (p, text) in &self.overlays {
            if !self.candidates.contains_key(p)
                && self.is_outside(p)
                && text.len() as u64 <= super::load::MAX_SOURCE_BYTES
                && self.prefilter.is_relevant(text.as_bytes())
            {
                relevant.insert(p.clone());
            }
        }
        loop {
            let hints = Hints::new(&relevant);
            let pairs: Vec<(PathBuf, String)> = self
                .candidates
                .iter()
                .filter(|(p, c)| !c.direct && !relevant.contains(*p))
                .flat_map(|(p, c)| {
                    c.specifiers
                        .iter()
                        .filter(|s| hints.plausible(s) && !self.memo.contains(p, s))
                        .map(move |s| (p.clone(), s.clone()))
                })
                .collect();
            let resolved = self.memo.ensure(pairs, &self.resolver, &self.config);
            let grew = self.propagate(&mut relevant);
            if resolved == 0 && !grew {
                break;
            }
        }
        self.relevant = relevant;
    }

    /// Add every candidate that (transitively) imports a relevant file; true if any was added.
    fn propagate(&self, relevant: &mut HashSet<PathBuf>) -> bool {
        let mut importers: HashMap<&Path, Vec<&Path>> = HashMap::default();
        for (p, c) in &self.candidates {
            if c.direct || relevant.contains(p) {
                continue;
            }
            for s in &c.specifiers {
                if let Some(Link::File(t)) = self.memo.get(p, s) {
                    importers.entry(t.as_path()).or_default().push(p.as_path());
                }
            }
        }
        let mut queue: Vec<PathBuf> = relevant.iter().cloned().collect();
        let mut grew = false;
        while let Some(t) = queue.pop() {
            if let Some(froms) = importers.get(t.as_path()) {
                for f in froms {
                    if relevant.insert(f.to_path_buf()) {
                        grew = true;
                        queue.push(f.to_path_buf());
                    }
                }
            }
        }
        grew
    }
}

/// Names that a relative specifier must end with to possibly reach a relevant file.
struct Hints {
    stems: HashSet<String>,
    dirs: HashSet<String>,
}

impl Hints {
    fn new(relevant: &HashSet<PathBuf>) -> Hints {
        let mut stems = HashSet::default();
        let mut dirs = HashSet::default();
        for p in relevant {
            if let Some(name) = p.file_name().map(|n| n.to_string_lossy()) {
                stems.insert(strip_ext(&name).to_string());
            }
            if let Some(dir) = p
                .parent()
                .and_then(|d| d.file_name())
                .map(|n| n.to_string_lossy())
            {
                dirs.insert(dir.to_string());
            }
        }
        Hints { stems, dirs }
    }

    fn plausible(&self, spec: &str) -> bool {
        if !(spec.starts_with('.') || spec.starts_with('/')) {
            return true;
        }
        let last = spec.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if last.is_empty() || last == "." || last == ".." {
            return true;
        }
        self.stems.contains(strip_ext(last)) || self.dirs.contains(last)
    }
}

fn strip_ext(name: &str) -> &str {
    for ext in [
        ".d.ts", ".d.mts", ".d.cts", ".tsx", ".ts", ".mts", ".cts", ".jsx", ".js", ".mjs", ".cjs",
    ] {
        if let Some(stem) = name.strip_suffix(ext) {
            return stem;
        }
    }
    name
}
