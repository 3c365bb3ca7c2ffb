//! The incremental index behind both the CLI ([`super::load`]) and the language server.
//!
//! State: the *candidates* (discovered sources, with their prefilter verdict), editor
//! *overlays*, the loaded files (by stable [`FileId`]), the resolution memo and a facts
//! cache by content hash. Every mutation ends in [`Index::settle`], which recomputes the
//! relevant roots, loads what became reachable through imports and unloads what no longer
//! is.
//!
//! FileIds: a path keeps its id for the life of the Index; ids are never reused for another
//! path. A file that is deleted or no longer reachable keeps its slot in
//! [`Workspace::files`] with empty text and facts (`root: false`, no imports) and is removed
//! from [`Workspace::by_path`]; if it comes back it gets its old id again.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use alchemy_grammar::{Dialect, ExportKind, FileFacts};
use rayon::prelude::*;

use crate::config::{CONFIG_FILE_NAME, Config};
use crate::resolve::Resolver;
use alchemy_ls_core::line_index::LineIndex;

use super::discover::{self, ConfigIgnore};
use super::links::{Link, Links, Memo};
use super::load::{
    LoadOptions, MAX_SOURCE_BYTES, ReadText, decode, read_into, read_text, read_text_within,
    too_large_message,
};

/// How long the index waits for one file read after a change on disk or a closed buffer.
const DISK_READ_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);
use super::prefilter::{Prefilter, scan_specifiers};
use super::scan_cache::{FileStat, ScanEntry, ScanTable};
use super::{FileId, Resolved, SourceFile, Workspace};

/// The prefilter's verdict on a discovered file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Candidate {
    /// Mentions an Alchemy package (see [`Prefilter::is_relevant`]).
    pub direct: bool,
    /// For files that do not: their statically imported specifiers (cheap scan).
    pub specifiers: Vec<String>,
    /// Not relevant itself but read by the analysis when a relevant file imports it: it
    /// mentions `RpcGroup` (an RPC Durable Object's or Worker's schema, whose procedure
    /// names `unknown-rpc-method` checks calls against).
    pub support: bool,
}

impl Candidate {
    const DIRECT: Candidate = Candidate {
        direct: true,
        specifiers: Vec::new(),
        support: false,
    };
    /// A file over the size limit: never read, so never relevant (opaque to its importers).
    const UNREAD: Candidate = Candidate {
        direct: false,
        specifiers: Vec::new(),
        support: false,
    };
}

pub struct Index {
    /// Canonical workspace root directories (a file given as a path contributes its parent).
    pub(super) root_dirs: Vec<PathBuf>,
    /// Canonical directories to walk.
    pub(super) walk_roots: Vec<PathBuf>,
    /// Canonical files given as paths: always roots.
    pub(super) explicit_files: Vec<PathBuf>,
    /// Problems with the given paths (missing, not canonicalisable).
    pub(super) input_problems: Vec<(PathBuf, String)>,
    pub(super) config: Arc<Config>,
    pub(super) opts: LoadOptions,
    pub(super) resolver: Resolver,
    pub(super) prefilter: Prefilter,
    pub(super) cfg_ignore: ConfigIgnore,
    pub(super) discover_problems: Vec<(PathBuf, String)>,
    pub(super) candidates: FxHashMap<PathBuf, Candidate>,
    pub(super) overlays: FxHashMap<PathBuf, Arc<str>>,
    /// Texts read by the last discovery, consumed by the next settle (avoids reading twice).
    pub(super) prefetched: FxHashMap<PathBuf, Arc<str>>,
    pub(super) files: Vec<Arc<SourceFile>>,
    /// Parallel to `files`; `None` until computed (or for dead slots).
    pub(super) links: Vec<Option<Links>>,
    /// Every id ever handed out.
    pub(super) ids: FxHashMap<PathBuf, FileId>,
    /// Live files only.
    /// Shared with the snapshots (copied on write: unchanged while the file set is).
    pub(super) by_path: Arc<HashMap<PathBuf, FileId>>,
    pub(super) memo: Memo,
    pub(super) facts_cache: FxHashMap<(u64, Dialect), Arc<FileFacts>>,
    /// Per-path problems from reading files.
    pub(super) load_problems: FxHashMap<PathBuf, String>,
    /// Loaded files to read again.
    pub(super) stale: FxHashSet<PathBuf>,
    /// Loaded files whose links must be recomputed.
    pub(super) relink: FxHashSet<PathBuf>,
    /// The relevant candidates, valid unless `relevance_dirty`.
    pub(super) relevant: FxHashSet<PathBuf>,
    pub(super) relevance_dirty: bool,
    /// The analysis roots (relevant files, overlays, explicit files), valid unless
    /// `roots_dirty`.
    pub(super) root_set: FxHashSet<PathBuf>,
    pub(super) roots_dirty: bool,
    /// Why a file could not be loaded (for the `NotFound` of its importers).
    pub(super) failed: FxHashMap<PathBuf, String>,
    /// The Alchemy version of each root file, recomputed by every full settle (the set of
    /// roots and the resolver's view of package.json files only change there).
    pub(super) versions: Arc<FxHashMap<FileId, crate::resolve::AlchemyVersion>>,
    /// Each file's nearest directory holding a `package.json` (see `Workspace::package_dirs`).
    package_dirs: Arc<FxHashMap<FileId, PathBuf>>,
    /// Bumped when something outside the sources changed (see [`Workspace::epoch`]).
    pub(super) epoch: u64,
    /// The git revision this index reads instead of the disk where they differ (a baseline).
    revision: Option<Arc<crate::revision::RevisionFiles>>,
    /// Verdicts of an earlier scan by stat data (the facts cache of `check`), used by the
    /// next scan; `Some` also makes the scans record the stat data of what they read.
    scan_seed: Option<ScanTable>,
    scan_record: Option<ScanRecord>,
    /// Loaded once, never updated (see [`Index::set_one_shot`]).
    one_shot: bool,
    /// The candidates' specifiers were freed (a one-shot index after its scan).
    pub(super) relevance_inputs_gone: bool,
}

/// What an earlier run knew: facts by content hash, the prefilter's verdicts by stat data.
#[derive(Debug, Default)]
pub struct Seed {
    pub facts: Vec<((u64, Dialect), Arc<FileFacts>)>,
    pub scan: ScanTable,
}

/// The stat data of the files the last scan classified without the text being kept.
#[derive(Default)]
struct ScanRecord {
    /// When the scan started (before any file was looked at): see [`FileStat::is_racy`].
    start: Option<std::time::SystemTime>,
    stats: FxHashMap<PathBuf, FileStat>,
    /// Files of the seed found unchanged, files read.
    hits: usize,
    misses: usize,
    /// Entries in the seed, if it was one of this prefilter.
    seeded: Option<usize>,
    /// The verdicts encoded at the end of the scan (`stats` is emptied then).
    encoded: Option<Vec<u8>>,
}

impl Index {
    pub fn new(roots: Vec<PathBuf>, config: Arc<Config>, opts: LoadOptions) -> Index {
        let mut root_dirs = Vec::new();
        let mut walk_roots = Vec::new();
        let mut explicit_files = Vec::new();
        let mut input_problems = Vec::new();
        for r in &roots {
            match std::fs::canonicalize(r) {
                Ok(c) if c.is_dir() => {
                    root_dirs.push(c.clone());
                    walk_roots.push(c);
                }
                Ok(c) => {
                    if let Some(parent) = c.parent() {
                        root_dirs.push(parent.to_path_buf());
                    }
                    explicit_files.push(c);
                }
                Err(e) => input_problems.push((r.clone(), super::load::io_reason(&e))),
            }
        }
        root_dirs.sort();
        root_dirs.dedup();
        walk_roots.sort();
        walk_roots.dedup();
        explicit_files.sort();
        explicit_files.dedup();
        let fallback_base = root_dirs.first().cloned().unwrap_or_default();
        let (cfg_ignore, cfg_problems) = ConfigIgnore::new(&config, &fallback_base);
        input_problems.extend(cfg_problems);
        Index {
            resolver: Resolver::new(root_dirs.clone()),
            prefilter: Prefilter::new(&config.packages),
            root_dirs,
            walk_roots,
            explicit_files,
            input_problems,
            config,
            opts,
            cfg_ignore,
            discover_problems: Vec::new(),
            candidates: FxHashMap::default(),
            overlays: FxHashMap::default(),
            prefetched: FxHashMap::default(),
            files: Vec::new(),
            links: Vec::new(),
            ids: FxHashMap::default(),
            by_path: Arc::default(),
            memo: Memo::default(),
            facts_cache: FxHashMap::default(),
            load_problems: FxHashMap::default(),
            stale: FxHashSet::default(),
            relink: FxHashSet::default(),
            relevant: FxHashSet::default(),
            relevance_dirty: true,
            root_set: FxHashSet::default(),
            roots_dirty: true,
            failed: FxHashMap::default(),
            versions: Arc::default(),
            package_dirs: Arc::default(),
            epoch: 0,
            revision: None,
            scan_seed: None,
            scan_record: None,
            one_shot: false,
            relevance_inputs_gone: false,
        }
    }

    /// This index is loaded once by [`Index::scan`] and never updated (`check`): what only
    /// an update needs is freed as soon as the scan is done with it, before the parsed facts
    /// pile up: the specifiers of the files that are not Alchemy files (found by the byte
    /// scan, read by the relevance fixpoint only) and the resolutions made from the files
    /// that turned out not to be relevant (those of them that get loaded are resolved
    /// again); the other resolutions once every loaded file is linked. The snapshot is the
    /// same. An update afterwards is a bug (debug builds panic).
    pub fn set_one_shot(&mut self) {
        self.one_shot = true;
    }

    /// See [`Index::set_one_shot`].
    fn forget_relevance_inputs(&mut self) {
        for c in self.candidates.values_mut() {
            c.specifiers = Vec::new();
        }
        let relevant = &self.relevant;
        self.memo.retain_importers(|p| relevant.contains(p));
        self.relevance_inputs_gone = true;
    }

    /// The prefilter's verdicts of an earlier run by stat data (see
    /// [`super::scan_cache`]): the next [`Index::scan`] does not read a non-Alchemy file whose
    /// stat data are unchanged. Also makes the scans record what [`Index::scan_table`]
    /// returns. A table of another prefilter (other configured packages) is not used.
    pub fn seed_scan_table(&mut self, table: ScanTable) {
        let valid = table.prefilter_key == self.prefilter.key();
        self.scan_record.get_or_insert_default().seeded = valid.then_some(table.entries.len());
        self.scan_seed = Some(if valid { table } else { ScanTable::default() });
    }

    /// The verdicts of the last scan by stat data, for the next run, encoded
    /// ([`ScanTable::encode`]): every non-Alchemy file it classified whose stat data are not
    /// racy. `None` when it is exactly the seed (nothing read, nothing gone), when no seed was
    /// given, or when they were taken already.
    pub fn take_encoded_scan_table(&mut self) -> Option<Vec<u8>> {
        self.scan_record.as_mut()?.encoded.take()
    }

    /// Encodes the verdicts the scan just recorded (see [`Index::take_encoded_scan_table`])
    /// and forgets their stat data: encoded, they take a third of the memory of the table
    /// by path (on a 50,000-file workspace, 3.5 MB against ≈ 9 MB), and the scan is when the
    /// candidates are final.
    fn encode_scan_record(&mut self) {
        let Some(rec) = self.scan_record.as_mut() else {
            return;
        };
        let stats = std::mem::take(&mut rec.stats);
        let Some(start) = rec.start else {
            return;
        };
        if rec.misses == 0 && Some(rec.hits) == rec.seeded {
            rec.encoded = None;
            return;
        }
        let candidates = &self.candidates;
        let entries = stats
            .iter()
            .filter(|(_, st)| !st.is_racy(start))
            .filter_map(|(p, st)| {
                let c = candidates.get(p).filter(|c| !c.direct)?;
                Some((p.as_path(), st, c.specifiers.as_slice(), c.support))
            });
        rec.encoded = Some(super::scan_cache::encode_entries(self.prefilter.key(), entries));
    }

    /// An index of git revision `revision` of the workspace (a baseline): the files that
    /// differ from the disk are read from the revision, the others from disk; untracked files
    /// are not part of it. Static: call [`Index::scan`] once, and no edit afterwards.
    pub fn at_revision(
        roots: Vec<PathBuf>,
        config: Arc<Config>,
        opts: LoadOptions,
        revision: Arc<crate::revision::RevisionFiles>,
    ) -> Index {
        let mut index = Index::new(roots, config, opts);
        index.resolver = Resolver::at_revision(index.root_dirs.clone(), revision.clone());
        for (path, bytes) in revision.changed_files() {
            if dialect_of(path).is_none() {
                continue;
            }
            if let ReadText::Text(text, problem) = decode(bytes) {
                if let Some(p) = problem {
                    index.load_problems.insert(path.to_path_buf(), p);
                }
                index.overlays.insert(path.to_path_buf(), text);
            }
        }
        index.revision = Some(revision);
        index
    }

    /// Facts known from elsewhere (the on-disk cache of `check`), by content hash and dialect:
    /// a file whose content has one of these hashes is not parsed.
    pub fn seed_facts_entries(
        &mut self,
        entries: impl IntoIterator<Item = ((u64, Dialect), Arc<FileFacts>)>,
    ) {
        self.facts_cache.extend(entries);
    }

    /// Parse nothing that `ws` already parsed: its files' facts seed the facts cache (by
    /// content hash), e.g. the work tree's for a baseline of mostly the same files.
    pub fn seed_facts(&mut self, ws: &Workspace) {
        for f in ws.files.iter() {
            if f.hash != 0
                && let Some(d) = dialect_of(&f.path)
            {
                self.facts_cache
                    .entry((f.hash, d))
                    .or_insert_with(|| f.facts.clone());
            }
        }
    }

    /// Full discovery and load (initial indexing; also after `.gitignore` or config changes).
    /// Every loaded file is read again (unchanged contents are not parsed again).
    pub fn scan(&mut self) {
        self.scan_seeded(|| None);
    }

    /// [`Index::scan`], with what an earlier run knew (see [`Index::seed_facts_entries`] and
    /// [`Index::seed_scan_table`]) given by `seed`, called once discovery is done (e.g. to
    /// wait for a cache read on another thread while the tree is walked). `seed` must not
    /// wait for work of the rayon pool.
    pub fn scan_seeded(&mut self, seed: impl FnOnce() -> Option<Seed>) {
        if let Some(rec) = &mut self.scan_record {
            let seeded = if self.scan_seed.is_some() {
                rec.seeded
            } else {
                None
            };
            *rec = ScanRecord {
                start: Some(std::time::SystemTime::now()),
                seeded,
                ..ScanRecord::default()
            };
        }
        self.discover_problems.clear();
        let mut paths = Vec::new();
        for root in &self.walk_roots {
            let (files, problems) = discover::discover_dir(root, &self.cfg_ignore, self.opts.no_ignore);
            paths.extend(files);
            self.discover_problems.extend(problems);
        }
        if let Some(seed) = seed() {
            self.seed_facts_entries(seed.facts);
            self.seed_scan_table(seed.scan);
            if let Some(rec) = &mut self.scan_record
                && rec.start.is_none()
            {
                rec.start = Some(std::time::SystemTime::now());
            }
        }
        paths.extend(self.explicit_files.iter().cloned());
        if let Some(rev) = &self.revision {
            paths.retain(|p| rev.has_discovered(p));
        }
        // (byte order: cheaper than comparing paths component by component, and only the
        // duplicates matter here)
        paths.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        paths.dedup();
        crate::timing::mark("discovered");

        // Each file is read into a per-thread buffer and classified there; only the texts of
        // directly relevant files are kept (most files are never parsed: keeping their text
        // would cost an allocation and page faults each, and memory until the settle).
        // A file whose verdict is known by its stat data (a seed) is not read.
        let prefilter = &self.prefilter;
        let overlays = &self.overlays;
        let recording = self.scan_record.is_some();
        let mut seed = self.scan_seed.take().unwrap_or_default();
        let work: Vec<(PathBuf, Option<ScanEntry>)> = paths
            .into_iter()
            .filter(|p| !overlays.contains_key(p))
            .map(|p| {
                let known = seed.entries.remove(&p);
                (p, known)
            })
            .collect();
        drop(seed);
        let classified: Vec<(PathBuf, Scanned, Option<StatSeen>)> = work
            .into_par_iter()
            .map_init(Vec::new, |buf: &mut Vec<u8>, (p, known)| {
                let (scanned, stat) = scan_file(prefilter, &p, buf, known, recording);
                (p, scanned, stat)
            })
            .collect();

        crate::timing::mark("read and prefiltered");
        self.candidates.clear();
        self.prefetched.clear();
        for (path, scanned, stat) in classified {
            if let (Some(rec), Some((stat, hit))) = (&mut self.scan_record, stat) {
                if hit {
                    rec.hits += 1;
                } else {
                    rec.misses += 1;
                }
                rec.stats.insert(path.clone(), stat);
            }
            match scanned {
                Scanned::Direct(ReadText::Text(text, problem)) => {
                    match problem {
                        Some(p) => self.load_problems.insert(path.clone(), p),
                        None => self.load_problems.remove(&path),
                    };
                    self.prefetched.insert(path.clone(), text);
                    self.candidates.insert(path, Candidate::DIRECT);
                }
                Scanned::Other(c) => {
                    self.load_problems.remove(&path);
                    self.candidates.insert(path, c);
                }
                Scanned::Direct(ReadText::Missing) => {}
                Scanned::Direct(ReadText::Error(e)) => {
                    self.load_problems.insert(path, e);
                }
                Scanned::Direct(ReadText::TooLarge(len)) => {
                    // Not read: whether it mentions Alchemy is unknown. Imports of it
                    // resolve to an opaque module, and it is reported.
                    self.load_problems.insert(path.clone(), too_large_message(len));
                    self.candidates.insert(path, Candidate::UNREAD);
                }
            }
        }
        let overlay_candidates: Vec<(PathBuf, Candidate)> = self
            .overlays
            .iter()
            .filter(|(p, _)| self.is_discoverable(p))
            .map(|(p, t)| (p.clone(), classify(&self.prefilter, t)))
            .collect();
        for (p, t) in &self.overlays {
            if t.len() as u64 > MAX_SOURCE_BYTES {
                self.load_problems
                    .insert(p.clone(), too_large_message(t.len() as u64));
            }
        }
        self.candidates.extend(overlay_candidates);
        self.encode_scan_record();
        self.stale.extend(self.by_path.keys().cloned());
        self.relevance_dirty = true;
        // The directly relevant files are roots whatever the import fixpoint finds: parse
        // them (into the facts cache) while it runs.
        let prefetched = std::mem::take(&mut self.prefetched);
        let cache = std::mem::take(&mut self.facts_cache);
        let (parsed, ()) = rayon::join(
            || {
                prefetched
                    .par_iter()
                    .filter_map(|(path, text)| {
                        let (hash, facts) = cached_facts(&cache, path, text);
                        Some(((hash, dialect_of(path)?), facts))
                    })
                    .collect::<Vec<_>>()
            },
            || {
                self.compute_relevance();
                crate::timing::mark("relevance");
                self.relevance_dirty = false;
                self.roots_dirty = true;
                if self.one_shot {
                    self.forget_relevance_inputs();
                }
                // ... and resolve their imports, found by the byte scan, for the link step.
                let pairs: Vec<(PathBuf, String)> = prefetched
                    .iter()
                    .flat_map(|(p, t)| scan_specifiers(t.as_bytes()).into_iter().map(|s| (p.clone(), s)))
                    .collect();
                self.memo.ensure(pairs, &self.resolver, &self.config);
                crate::timing::mark("direct hits' imports resolved");
            },
        );
        crate::timing::mark("direct hits parsed");
        self.facts_cache = cache;
        self.facts_cache.extend(parsed);
        self.prefetched = prefetched;
        self.settle();
    }

    /// An open editor buffer: its text replaces the disk content. A buffer inside the
    /// workspace is what `check` would read there: a root if the prefilter finds it relevant
    /// (opening a file changes no diagnostic). A buffer outside every workspace root is a root
    /// of its own (like a file given to `check` as a path), analysed from its text only. A
    /// buffer of a file that is not on disk (an unsaved new file) is seen by the resolver.
    pub fn set_overlay(&mut self, path: &Path, text: Arc<str>) {
        let path = canonical(path);
        let too_large = text.len() as u64 > MAX_SOURCE_BYTES;
        let cand = classify(&self.prefilter, &text);
        let old = self.overlays.insert(path.clone(), text);
        if too_large {
            let len = self.overlays[&path].len() as u64;
            self.load_problems.insert(path.clone(), too_large_message(len));
        } else if old.as_ref().is_some_and(|o| o.len() as u64 > MAX_SOURCE_BYTES) {
            self.load_problems.remove(&path);
        }
        if old.is_none() && !on_disk(&path) {
            // An unsaved new file: imports of it must resolve as if it existed.
            self.resolver.add_virtual_file(&path);
            self.note_created(&path);
        }
        if self.candidates.contains_key(&path) || (old.is_none() && self.is_discoverable(&path)) {
            self.set_candidate(path.clone(), cand);
        } else if old
            .as_ref()
            .is_none_or(|old| self.prefilter.is_relevant(old.as_bytes()) != cand.direct)
        {
            // An overlay outside the candidates: a seed of relevance if it mentions Alchemy.
            self.relevance_dirty = true;
        }
        let was_root = old.as_ref().is_some_and(|o| self.is_outside_root(&path, o.len()));
        let is_root = self.is_outside_root(&path, self.overlays[&path].len());
        self.roots_dirty |= old.is_none() || was_root != is_root;
        self.stale.insert(path);
        self.settle();
    }

    /// Like [`Index::set_overlay`], with facts the caller already extracted from `text` (the
    /// language server reparses open documents incrementally): they are used instead of a
    /// full parse.
    pub fn set_overlay_with_facts(&mut self, path: &Path, text: Arc<str>, facts: Arc<FileFacts>) {
        if let Some(dialect) = dialect_of(&canonical(path)) {
            let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
            self.facts_cache.insert((hash, dialect), facts);
        }
        self.set_overlay(path, text);
    }

    /// The buffer was closed: fall back to the disk content (or drop the file if it is not on
    /// disk or no longer relevant). A buffer outside the workspace roots is never replaced by
    /// what is on disk: the file is dropped unless workspace files import it.
    pub fn remove_overlay(&mut self, path: &Path) {
        let path = canonical(path);
        let Some(old) = self.overlays.remove(&path) else {
            return;
        };
        if old.len() as u64 > MAX_SOURCE_BYTES {
            self.load_problems.remove(&path);
        }
        self.relevance_dirty = true;
        self.roots_dirty = true;
        if self.resolver.remove_virtual_file(&path) && !on_disk(&path) {
            self.note_deleted(&path);
        }
        if self.is_outside(&path) {
            // Loaded again (from disk) only if the settle finds it imported.
            if self.by_path.contains_key(&path) {
                self.stale.insert(path.clone());
            }
        } else {
            self.refresh_from_disk(&path);
        }
        self.settle();
    }

    /// A watched file was created, changed or deleted. `package.json`, `tsconfig*.json`,
    /// `jsconfig.json` and `pnpm-workspace.yaml` invalidate every resolution;
    /// `.gitignore`/`.ignore` and created directories trigger a new discovery; a deleted
    /// directory removes the files under it; `alchemy-ls.toml` is ignored here (the caller
    /// reloads the config and calls [`Index::set_config`]). Prefer
    /// [`Index::files_changed_on_disk`] for a batch of events (one settle for all).
    pub fn file_changed_on_disk(&mut self, path: &Path) {
        self.files_changed_on_disk(std::slice::from_ref(&path.to_path_buf()));
    }

    /// [`Index::file_changed_on_disk`] for a batch of paths (e.g. one
    /// `workspace/didChangeWatchedFiles` notification).
    pub fn files_changed_on_disk(&mut self, paths: &[PathBuf]) {
        let mut rescan = false;
        let mut reresolve = false;
        for path in paths {
            match self.note_change(path) {
                Change::Rescan => rescan = true,
                Change::Reresolve => reresolve = true,
                Change::Done => {}
            }
        }
        if reresolve || rescan {
            // package.json files may have appeared or gone: what the analysis reads of the
            // disk (package directories) may change without any source changing.
            self.epoch += 1;
        }
        if reresolve {
            self.resolver.invalidate();
            self.memo.clear();
            self.relink.extend(self.by_path.keys().cloned());
            self.relevance_dirty = true;
        }
        if rescan {
            self.scan();
        } else {
            self.settle();
        }
    }

    fn note_change(&mut self, path: &Path) -> Change {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
            return Change::Done;
        };
        let name: &str = &name;
        if name == CONFIG_FILE_NAME {
            return Change::Done;
        }
        if name == "package.json"
            || name == "jsconfig.json"
            || name == "pnpm-workspace.yaml"
            || (name.starts_with("tsconfig") && name.ends_with(".json"))
        {
            return Change::Reresolve;
        }
        if name == ".gitignore" || name == ".ignore" {
            return Change::Rescan;
        }
        let path = canonical(path);
        if Dialect::from_path(name).is_none() || path.is_dir() {
            if path.is_dir() {
                return Change::Rescan;
            }
            // A deleted directory: forget the files under it.
            let under: Vec<PathBuf> = self
                .candidates
                .keys()
                .chain(self.by_path.keys())
                .filter(|p| p.starts_with(&path))
                .cloned()
                .collect::<FxHashSet<_>>()
                .into_iter()
                .collect();
            for p in under {
                self.note_file_change(&p);
            }
            return Change::Done;
        }
        self.note_file_change(&path);
        Change::Done
    }

    /// A TypeScript file (canonical path) was created, changed or deleted.
    fn note_file_change(&mut self, path: &Path) {
        let exists = path.is_file();
        let known = self.candidates.contains_key(path) || self.by_path.contains_key(path);
        if self.resolver.is_virtual_file(path) {
            // An unsaved buffer: it exists for the resolver whatever the disk holds.
        } else if exists && !known {
            self.note_created(path);
        } else if !exists {
            if known {
                self.resolver.forget_resolutions();
            }
            let affected = self.memo.forget(|l| matches!(l, Link::File(t) if t == path));
            self.memo.forget_importer(path);
            self.after_forget(affected);
        }
        if !self.overlays.contains_key(path) {
            self.refresh_from_disk(path);
        }
    }

    /// A source appeared (on disk, or as an unsaved buffer): resolutions that failed, or that
    /// picked a sibling, may change.
    fn note_created(&mut self, path: &Path) {
        self.resolver.forget_resolutions();
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let stem_dir = strip_source_ext(path);
        let affected = self.memo.forget(|l| match l {
            Link::NotFound(_) => true,
            Link::File(t) => t.parent() == Some(dir.as_path()) || t.starts_with(&stem_dir),
            Link::External(_) => false,
        });
        self.after_forget(affected);
    }

    /// A source disappeared: resolutions to it are forgotten.
    fn note_deleted(&mut self, path: &Path) {
        self.resolver.forget_resolutions();
        let affected = self.memo.forget(|l| matches!(l, Link::File(t) if t == path));
        self.memo.forget_importer(path);
        self.after_forget(affected);
    }

    /// Replace the configuration; discovery runs again when `ignore` or `packages` changed.
    pub fn set_config(&mut self, config: Arc<Config>) {
        let rediscover = config.ignore != self.config.ignore
            || config.packages != self.config.packages
            || config.source != self.config.source;
        self.config = config;
        if rediscover {
            let fallback_base = self.root_dirs.first().cloned().unwrap_or_default();
            let (cfg_ignore, problems) = ConfigIgnore::new(&self.config, &fallback_base);
            self.cfg_ignore = cfg_ignore;
            self.input_problems
                .retain(|(_, m)| !m.starts_with("invalid ignore glob"));
            self.input_problems.extend(problems);
            self.prefilter = Prefilter::new(&self.config.packages);
            self.memo.clear();
            self.relink.extend(self.by_path.keys().cloned());
            self.scan();
        }
    }

    /// An immutable snapshot (clones `Arc`s and the path map).
    pub fn snapshot(&self) -> Workspace {
        let mut problems: Vec<(PathBuf, String)> = self
            .input_problems
            .iter()
            .chain(&self.discover_problems)
            .cloned()
            .chain(self.load_problems.iter().map(|(p, m)| (p.clone(), m.clone())))
            .chain(self.resolver.config_problems())
            .collect();
        for (path, id) in self.by_path.iter() {
            let f = &self.files[id.0 as usize];
            if f.root && f.facts.too_large && !self.load_problems.contains_key(path) {
                problems.push((
                    path.clone(),
                    format!(
                        "file too large to analyse ({:.1} MB, the limit is {} MB); its resources are not checked",
                        f.text.len() as f64 / (1024.0 * 1024.0),
                        alchemy_grammar::MAX_PARSE_BYTES / (1024 * 1024)
                    ),
                ));
            }
        }
        problems.sort();
        problems.dedup();
        let mut ws = Workspace::default();
        ws.roots = self.root_dirs.clone();
        ws.files = Arc::new(self.files.clone());
        ws.by_path = self.by_path.clone();
        ws.config = self.config.clone();
        ws.problems = problems;
        ws.versions = self.versions.clone();
        ws.package_dirs = self.package_dirs.clone();
        ws.epoch = self.epoch;
        ws
    }

    /// The id of a live file (the path is canonicalised if it is not found as given).
    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.by_path
            .get(path)
            .copied()
            .or_else(|| self.by_path.get(&canonical(path)).copied())
    }

    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    // ------------------------------------------------------------------ internals

    /// Outside every walked root (and not a file given as a path).
    pub(super) fn is_outside(&self, path: &Path) -> bool {
        !self.walk_roots.iter().any(|r| path.starts_with(r)) && !self.explicit_files.iter().any(|f| f == path)
    }

    /// An overlay (of `len` bytes) that is a root because it is outside the workspace.
    fn is_outside_root(&self, path: &Path, len: usize) -> bool {
        self.is_outside(path) && len as u64 <= MAX_SOURCE_BYTES
    }

    fn is_discoverable(&self, path: &Path) -> bool {
        self.explicit_files.iter().any(|f| f == path)
            || self
                .walk_roots
                .iter()
                .any(|r| discover::is_discoverable(path, r, &self.cfg_ignore, self.opts.no_ignore))
    }

    fn set_candidate(&mut self, path: PathBuf, cand: Candidate) {
        if self.candidates.get(&path) != Some(&cand) {
            self.candidates.insert(path, cand);
            self.relevance_dirty = true;
        }
    }

    fn after_forget(&mut self, affected: FxHashSet<PathBuf>) {
        for p in affected {
            if self.candidates.get(&p).is_some_and(|c| !c.direct) {
                self.relevance_dirty = true;
            }
            if self.by_path.contains_key(&p) {
                self.relink.insert(p);
            }
        }
    }

    /// Re-read `path` from disk and update its candidate entry and loaded state.
    fn refresh_from_disk(&mut self, path: &Path) {
        if !self.candidates.contains_key(path)
            && !self.by_path.contains_key(path)
            && !self.is_discoverable(path)
        {
            self.load_problems.remove(path);
            return;
        }
        match read_text_within(path, DISK_READ_LIMIT) {
            ReadText::Text(text, problem) => {
                match problem {
                    Some(p) => self.load_problems.insert(path.to_path_buf(), p),
                    None => self.load_problems.remove(path),
                };
                if self.candidates.contains_key(path) || self.is_discoverable(path) {
                    let cand = classify(&self.prefilter, &text);
                    self.set_candidate(path.to_path_buf(), cand);
                }
                self.prefetched.insert(path.to_path_buf(), text);
            }
            ReadText::Missing => {
                self.load_problems.remove(path);
                if self.candidates.remove(path).is_some() {
                    self.relevance_dirty = true;
                }
            }
            ReadText::Error(e) => {
                self.load_problems.insert(path.to_path_buf(), e);
                if self.candidates.remove(path).is_some() {
                    self.relevance_dirty = true;
                }
            }
            ReadText::TooLarge(len) => {
                self.load_problems
                    .insert(path.to_path_buf(), too_large_message(len));
                if self.candidates.contains_key(path) || self.is_discoverable(path) {
                    self.set_candidate(path.to_path_buf(), Candidate::UNREAD);
                }
            }
        }
        if self.by_path.contains_key(path) {
            self.stale.insert(path.to_path_buf());
        }
    }

    /// Bring the loaded set in line with the roots: load what is reachable, unload the rest,
    /// and fill the resolution tables.
    fn settle(&mut self) {
        if self.relevance_dirty {
            self.compute_relevance();
            crate::timing::mark("relevance");
            self.relevance_dirty = false;
            self.roots_dirty = true;
        }
        if !self.roots_dirty && self.settle_fast() {
            return;
        }
        if self.roots_dirty {
            self.root_set = self
                .relevant
                .iter()
                .chain(
                    self.overlays
                        .iter()
                        .filter(|(p, t)| self.is_outside_root(p, t.len()))
                        .map(|(p, _)| p),
                )
                .chain(
                    self.explicit_files
                        .iter()
                        .filter(|f| self.candidates.contains_key(*f)),
                )
                .cloned()
                .collect();
            self.roots_dirty = false;
        }
        let mut roots: Vec<PathBuf> = self.root_set.iter().cloned().collect();
        roots.sort_unstable();

        let mut visited: FxHashSet<PathBuf> = roots.iter().cloned().collect();
        let mut layer = roots;
        while !layer.is_empty() {
            self.load_layer(&layer);
            crate::timing::mark("layer parsed");
            self.link_layer(&layer);
            crate::timing::mark("layer linked");
            let mut next = Vec::new();
            for p in &layer {
                let Some(id) = self.by_path.get(p) else { continue };
                if let Some(links) = &self.links[id.0 as usize] {
                    for t in links.targets() {
                        if !visited.contains(t) && !self.is_opaque(t) {
                            visited.insert(t.to_path_buf());
                            next.push(t.to_path_buf());
                        }
                    }
                }
            }
            next.sort_unstable();
            layer = next;
        }

        if self.one_shot {
            // Every loaded file is linked: the resolutions are not asked again.
            self.memo = Memo::default();
        }
        // Unload what is no longer reachable.
        let dead: Vec<PathBuf> = self
            .by_path
            .keys()
            .filter(|p| !visited.contains(*p))
            .cloned()
            .collect();
        for p in dead {
            self.kill(&p);
        }
        let all: Vec<FileId> = self.by_path.values().copied().collect();
        self.finalize(&all);
        self.versions = Arc::new(self.compute_versions());
        self.package_dirs = Arc::new(self.compute_package_dirs());
        self.stale.clear();
        self.relink.clear();
        self.prefetched.clear();
        self.prune_facts_cache();
    }

    /// A discovered source the prefilter cleared (no Alchemy mention, imports nothing
    /// relevant) and that is not a root: imports of it resolve to [`Resolved::Opaque`]
    /// and it is never parsed.
    fn is_opaque(&self, path: &Path) -> bool {
        self.candidates.get(path).is_some_and(|c| !c.direct && !c.support)
            && !self.relevant.contains(path)
            && !self.root_set.contains(path)
    }

    fn compute_versions(&self) -> FxHashMap<FileId, crate::resolve::AlchemyVersion> {
        let mut versions = FxHashMap::default();
        let mut by_dir: FxHashMap<&Path, Option<crate::resolve::AlchemyVersion>> = FxHashMap::default();
        for (path, id) in self.by_path.iter() {
            if !self.files[id.0 as usize].root {
                continue;
            }
            let Some(dir) = path.parent() else { continue };
            let v = *by_dir
                .entry(dir)
                .or_insert_with(|| self.resolver.alchemy_version(path));
            if let Some(v) = v {
                versions.insert(*id, v);
            }
        }
        versions
    }

    fn compute_package_dirs(&self) -> FxHashMap<FileId, PathBuf> {
        let mut out = FxHashMap::default();
        let mut by_dir: FxHashMap<&Path, Option<PathBuf>> = FxHashMap::default();
        for (path, id) in self.by_path.iter() {
            let Some(dir) = path.parent() else { continue };
            let found = by_dir
                .entry(dir)
                .or_insert_with(|| {
                    dir.ancestors()
                        .find(|d| d.join("package.json").is_file())
                        .map(Path::to_path_buf)
                })
                .clone();
            if let Some(d) = found {
                out.insert(*id, d);
            }
        }
        out
    }

    /// The common case of an edit: only loaded files changed and none of their resolved
    /// imports did, so the set of loaded files stays the same. Returns false (with the
    /// changed files loaded and linked) when a full settle is needed.
    fn settle_fast(&mut self) -> bool {
        let mut pending: Vec<PathBuf> = self.stale.iter().chain(&self.relink).cloned().collect();
        pending.sort_unstable();
        pending.dedup();
        if pending.iter().any(|p| !self.by_path.contains_key(p)) {
            return false;
        }
        let old: Vec<Option<Links>> = pending
            .iter()
            .map(|p| self.links[self.by_path[p].0 as usize].clone())
            .collect();
        self.load_layer(&pending);
        self.link_layer(&pending);
        self.stale.clear();
        self.relink.clear();
        let mut ids = Vec::with_capacity(pending.len());
        for (p, old) in pending.iter().zip(old) {
            let Some(&id) = self.by_path.get(p) else {
                return false;
            };
            if old.is_none() || self.links[id.0 as usize] != old {
                return false;
            }
            ids.push(id);
        }
        self.finalize(&ids);
        self.prefetched.clear();
        if self.facts_cache.len() > 2 * self.by_path.len() + 64 {
            self.prune_facts_cache();
        }
        true
    }

    /// Keep the facts of live files only.
    fn prune_facts_cache(&mut self) {
        let live: FxHashSet<(u64, Dialect)> = self
            .files
            .iter()
            .filter(|f| self.by_path.contains_key(&f.path))
            .filter_map(|f| Some((f.hash, dialect_of(&f.path)?)))
            .collect();
        self.facts_cache.retain(|k, _| live.contains(k));
    }

    /// Read and parse the files of `layer` that are not loaded yet (or stale), in parallel.
    fn load_layer(&mut self, layer: &[PathBuf]) {
        let todo: Vec<&PathBuf> = layer
            .iter()
            .filter(|p| !self.by_path.contains_key(*p) || self.stale.contains(*p))
            .collect();
        if todo.is_empty() {
            return;
        }
        let this = &*self;
        let loaded: Vec<Loaded> = todo
            .into_par_iter()
            .map(|p| {
                let read = match this.overlays.get(p).or_else(|| this.prefetched.get(p)) {
                    Some(t) => ReadText::Text(t.clone(), None),
                    // (an untracked file is read from disk when imported: ignored build
                    // output or an install, unlike the untracked sources discovery drops)
                    None if this
                        .revision
                        .as_ref()
                        .is_some_and(|r| r.lookup(p) == crate::revision::Lookup::Absent) =>
                    {
                        ReadText::Missing
                    }
                    None => read_text(p),
                };
                let parsed = match &read {
                    ReadText::Text(text, _) => Some(this.facts_for(p, text)),
                    _ => None,
                };
                (p.clone(), read, parsed)
            })
            .collect();
        for (path, read, parsed) in loaded {
            match (read, parsed) {
                (ReadText::Text(text, problem), Some((hash, facts))) => {
                    if let Some(p) = problem {
                        self.load_problems.insert(path.clone(), p);
                    }
                    if let Some(d) = dialect_of(&path) {
                        self.facts_cache.insert((hash, d), facts.clone());
                    }
                    self.failed.remove(&path);
                    let root = self.root_set.contains(&path);
                    self.install(path, text, hash, facts, root);
                }
                (ReadText::Error(e), _) => {
                    self.load_problems.insert(path.clone(), e.clone());
                    self.failed.insert(path.clone(), e);
                    self.kill(&path);
                }
                (ReadText::TooLarge(len), _) => {
                    // Loaded without its text: its facts say it was not parsed.
                    self.load_problems.insert(path.clone(), too_large_message(len));
                    self.failed.remove(&path);
                    let root = self.root_set.contains(&path);
                    let facts = Arc::new(FileFacts {
                        too_large: true,
                        quote: '"',
                        ..FileFacts::default()
                    });
                    self.install(path, Arc::from(""), 0, facts, root);
                }
                _ => {
                    self.failed.insert(path.clone(), "the file does not exist".into());
                    self.kill(&path);
                }
            }
        }
    }

    /// The facts of `text` (from the cache when the content is unchanged) and its hash.
    fn facts_for(&self, path: &Path, text: &str) -> (u64, Arc<FileFacts>) {
        cached_facts(&self.facts_cache, path, text)
    }

    fn install(&mut self, path: PathBuf, text: Arc<str>, hash: u64, facts: Arc<FileFacts>, root: bool) {
        let id = match self.ids.get(&path) {
            Some(&id) => id,
            None => {
                let id = FileId(self.files.len() as u32);
                self.ids.insert(path.clone(), id);
                self.files.push(dead_file(id, path.clone()));
                self.links.push(None);
                id
            }
        };
        let i = id.0 as usize;
        let unchanged =
            self.by_path.contains_key(&path) && self.files[i].hash == hash && *self.files[i].text == *text;
        if self.by_path.get(&path) != Some(&id) {
            Arc::make_mut(&mut self.by_path).insert(path.clone(), id);
        }
        if unchanged && self.links[i].is_some() {
            return;
        }
        self.files[i] = Arc::new(SourceFile {
            id,
            line_index: Arc::new(LineIndex::new(&text)),
            path: path.clone(),
            text,
            facts,
            hash,
            root,
            imports: Vec::new(),
            reexports: Vec::new(),
        });
        self.links[i] = None;
    }

    fn kill(&mut self, path: &Path) {
        if let Some(id) = self.by_path.get(path).copied() {
            Arc::make_mut(&mut self.by_path).remove(path);
            let i = id.0 as usize;
            self.files[i] = dead_file(id, path.to_path_buf());
            self.links[i] = None;
        }
    }

    /// Compute the links of the layer's files that lack them.
    fn link_layer(&mut self, layer: &[PathBuf]) {
        let mut todo: Vec<(FileId, &PathBuf)> = Vec::new();
        for p in layer {
            if let Some(&id) = self.by_path.get(p)
                && (self.links[id.0 as usize].is_none() || self.relink.contains(p))
            {
                todo.push((id, p));
            }
        }
        if todo.is_empty() {
            return;
        }
        // (pairs resolved already, e.g. the roots' imports found by the byte scan, are not
        // copied only to be dropped by `ensure`)
        let memo = &self.memo;
        let pairs: Vec<(PathBuf, String)> = todo
            .iter()
            .flat_map(|(id, p)| {
                specifiers(&self.files[id.0 as usize].facts)
                    .filter(move |s| !memo.contains(p, s))
                    .map(move |s| ((*p).clone(), s.to_string()))
            })
            .collect();
        self.memo.ensure(pairs, &self.resolver, &self.config);
        for (id, p) in todo {
            let facts = self.files[id.0 as usize].facts.clone();
            let link = |s: &str| {
                self.memo
                    .get(p, s)
                    .cloned()
                    .unwrap_or_else(|| Link::NotFound("not resolved".into()))
            };
            let links = Links {
                imports: facts.imports.iter().map(|i| link(&i.specifier)).collect(),
                reexports: facts
                    .exports
                    .iter()
                    .map(|e| reexport_specifier(&e.kind).map(link))
                    .collect(),
            };
            self.links[id.0 as usize] = Some(links);
        }
    }

    /// Turn path links into [`Resolved`] tables and set the root flags.
    fn finalize(&mut self, ids: &[FileId]) {
        let failed = &self.failed;
        let root_set = &self.root_set;
        let to_resolved = |l: &Link, specifier: &str| -> Resolved {
            match l {
                Link::File(p) => match self.by_path.get(p) {
                    Some(&id) => Resolved::File(id),
                    None if self.is_opaque(p) => Resolved::Opaque {
                        specifier: specifier.to_string(),
                        path: p.clone(),
                    },
                    None => Resolved::NotFound {
                        reason: failed
                            .get(p)
                            .cloned()
                            .unwrap_or_else(|| "the file could not be loaded".into()),
                    },
                },
                Link::External(s) => Resolved::External { specifier: s.clone() },
                Link::NotFound(r) => Resolved::NotFound { reason: r.clone() },
            }
        };
        let mut updates = Vec::new();
        for &id in ids {
            let i = id.0 as usize;
            let path = &self.files[i].path;
            let Some(links) = &self.links[i] else { continue };
            let facts = &self.files[i].facts;
            let imports: Vec<Resolved> = links
                .imports
                .iter()
                .zip(&facts.imports)
                .map(|(l, imp)| to_resolved(l, &imp.specifier))
                .collect();
            let reexports: Vec<Option<Resolved>> = links
                .reexports
                .iter()
                .zip(&facts.exports)
                .map(|(l, e)| {
                    let l = l.as_ref()?;
                    Some(to_resolved(l, reexport_specifier(&e.kind).unwrap_or_default()))
                })
                .collect();
            let root = root_set.contains(path);
            let f = &self.files[i];
            if f.imports != imports || f.reexports != reexports || f.root != root {
                updates.push((
                    i,
                    SourceFile {
                        imports,
                        reexports,
                        root,
                        ..(**f).clone()
                    },
                ));
            }
        }
        for (i, f) in updates {
            self.files[i] = Arc::new(f);
        }
    }
}

/// What a disk change requires beyond its own file.
enum Change {
    Done,
    Reresolve,
    Rescan,
}

/// A file read (and parsed, with its content hash) by [`Index::load_layer`].
type Loaded = (PathBuf, ReadText, Option<(u64, Arc<FileFacts>)>);

/// The facts of `text` (from `cache` when the content is unchanged) and its hash.
fn cached_facts(
    cache: &FxHashMap<(u64, Dialect), Arc<FileFacts>>,
    path: &Path,
    text: &str,
) -> (u64, Arc<FileFacts>) {
    let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    let Some(dialect) = dialect_of(path) else {
        return (
            hash,
            Arc::new(FileFacts {
                quote: '"',
                ..FileFacts::default()
            }),
        );
    };
    if let Some(f) = cache.get(&(hash, dialect)) {
        return (hash, f.clone());
    }
    (hash, Arc::new(alchemy_grammar::extract(text, dialect)))
}

/// Classify a file's text with the prefilter.
pub(super) fn classify(prefilter: &Prefilter, text: &str) -> Candidate {
    classify_bytes(prefilter, text.as_bytes())
}

fn classify_bytes(prefilter: &Prefilter, bytes: &[u8]) -> Candidate {
    if prefilter.is_relevant(bytes) {
        return Candidate::DIRECT;
    }
    let mut specifiers = scan_specifiers(bytes);
    specifiers.retain(|s| !super::links::is_known_external(s));
    Candidate {
        direct: false,
        specifiers,
        support: memchr::memmem::find(bytes, b"RpcGroup").is_some(),
    }
}

/// A discovered file after the prefilter.
enum Scanned {
    /// Directly relevant (its text, or why it could not be read).
    Direct(ReadText),
    /// Not directly relevant (text dropped).
    Other(Candidate),
}

/// A file's stat data, and whether they were the seed's.
type StatSeen = (FileStat, bool);

/// Classify the file at `path` (read into `buf`), or take `known`'s verdict when its stat
/// data are unchanged. With `record`, also the stat data of a file found not directly
/// relevant, and whether they were `known`'s.
fn scan_file(
    prefilter: &Prefilter,
    path: &Path,
    buf: &mut Vec<u8>,
    known: Option<ScanEntry>,
    record: bool,
) -> (Scanned, Option<StatSeen>) {
    if let Some(known) = known
        && let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
        && FileStat::of(&meta) == known.stat
    {
        let cand = Candidate {
            direct: false,
            specifiers: known.specifiers,
            support: known.support,
        };
        return (Scanned::Other(cand), Some((known.stat, true)));
    }
    let meta = match read_into(path, buf) {
        Ok(meta) => meta,
        Err(failed) => return (Scanned::Direct(failed), None),
    };
    let cand = classify_bytes(prefilter, buf);
    if cand.direct {
        (Scanned::Direct(decode(buf)), None)
    } else {
        let stat = record.then(|| (FileStat::of(&meta), false));
        (Scanned::Other(cand), stat)
    }
}

fn specifiers(facts: &FileFacts) -> impl Iterator<Item = &str> {
    facts
        .imports
        .iter()
        .map(|i| i.specifier.as_str())
        .chain(facts.exports.iter().filter_map(|e| reexport_specifier(&e.kind)))
}

fn reexport_specifier(kind: &ExportKind) -> Option<&str> {
    match kind {
        ExportKind::From { specifier, .. } | ExportKind::Star { specifier, .. } => Some(specifier),
        _ => None,
    }
}

fn dialect_of(path: &Path) -> Option<Dialect> {
    Dialect::from_path(&path.to_string_lossy())
}

/// Whether anything is at `path` on disk (a file, or a link, even dangling).
fn on_disk(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn dead_file(id: FileId, path: PathBuf) -> Arc<SourceFile> {
    Arc::new(SourceFile {
        id,
        path,
        text: Arc::from(""),
        line_index: Arc::new(LineIndex::new("")),
        facts: Arc::new(FileFacts {
            quote: '"',
            ..FileFacts::default()
        }),
        hash: 0,
        root: false,
        imports: Vec::new(),
        reexports: Vec::new(),
    })
}

pub(super) use crate::paths::canonical;

/// `/a/b.ts` → `/a/b` (a directory a specifier might have resolved into before).
fn strip_source_ext(path: &Path) -> PathBuf {
    let s = path.to_string_lossy();
    for ext in [".d.ts", ".d.mts", ".d.cts", ".tsx", ".ts", ".mts", ".cts"] {
        if let Some(stem) = s.strip_suffix(ext) {
            return PathBuf::from(stem);
        }
    }
    path.to_path_buf()
}
