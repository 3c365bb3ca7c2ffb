//! The on-disk facts cache of `check` (never used by the language server, which keeps its
//! facts in memory and writes nothing).
//!
//! One *pack* file per set of checked paths, `facts-<hash of the canonical paths>.bin`, in a
//! cache directory that is safe to delete: by default `node_modules/.cache/alchemy-ls` under
//! the first path when a `node_modules` directory is there, else the user cache directory.
//! A pack holds the facts (`alchemy_grammar::FileFacts`, postcard-encoded) of the files the
//! last run loaded, keyed by the xxh3-64 hash of the file's content and its dialect: the same
//! key as the in-memory cache of the index. Facts depend on nothing else: no configuration
//! option changes what a file parses to, so the parse-relevant configuration is the binary
//! itself, identified in the pack's header (version, and size and modification time of the
//! executable): a pack written by another build is a miss and is replaced.
//!
//! The pack also holds the prefilter's verdicts on the files that are not Alchemy files, by
//! path and stat data ([`crate::workspace::scan_cache`]): a warm run reads only the files
//! whose stat data changed, besides the Alchemy files whose text it analyses.
//!
//! Writes are atomic (a temporary file in the directory, renamed over the pack); a pack is
//! rewritten only when the run parsed something it did not hold, it held files the run did
//! not load, or the run read a file its verdicts did not cover (or no longer found one), so its size is that of one run's facts; at most [`MAX_PACKS`] packs are kept
//! (the least recently written are deleted) and a pack over [`MAX_PACK_BYTES`] is not
//! written. A pack that cannot be read, has a bad checksum or a foreign header, and an entry
//! that does not decode, are misses: the file is parsed again, never answered wrongly.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use alchemy_grammar::{Dialect, FileFacts};
use rayon::prelude::*;

use crate::workspace::Workspace;
use crate::workspace::scan_cache::{Reader, ScanTable};

/// The first bytes of a pack (bump the digit when the layout changes).
const MAGIC: &[u8; 8] = b"ALSFACT2";
/// At most this many packs in a cache directory.
pub const MAX_PACKS: usize = 16;
/// A pack larger than this is not written.
pub const MAX_PACK_BYTES: usize = 512 << 20;

/// One cache entry's key: content hash and dialect.
pub type Key = (u64, Dialect);

/// A pack of one set of checked paths in one cache directory.
#[derive(Debug)]
pub struct FactsCache {
    dir: PathBuf,
    pack: PathBuf,
    /// The keys the pack held when it was read (to know whether it must be rewritten).
    held: HashSet<Key>,
    /// The encoded verdicts the pack held (kept when only the facts change).
    held_scan: Vec<u8>,
}

/// What a pack holds.
#[derive(Debug, Default)]
pub struct Contents {
    pub facts: Vec<(Key, Arc<FileFacts>)>,
    /// The prefilter's verdicts by stat data.
    pub scan: ScanTable,
}

/// The default cache directory for a check of `first` (the first PATH): `node_modules/.cache/
/// alchemy-ls` next to it when `node_modules` is a directory there, else the user cache dir
/// (`$XDG_CACHE_HOME`, `~/.cache`, `~/Library/Caches`, `%LOCALAPPDATA%`) + `alchemy-ls`.
pub fn default_dir(first: &Path) -> Option<PathBuf> {
    let root = if first.is_dir() { first } else { first.parent()? };
    let nm = root.join("node_modules");
    if nm.is_dir() {
        return Some(nm.join(".cache").join("alchemy-ls"));
    }
    user_cache_dir().map(|d| d.join("alchemy-ls"))
}

fn user_cache_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if cfg!(windows) {
        return env("LOCALAPPDATA");
    }
    if cfg!(target_os = "macos") {
        return env("HOME").map(|h| h.join("Library").join("Caches"));
    }
    env("XDG_CACHE_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| env("HOME").map(|h| h.join(".cache")))
}

/// What identifies the binary that wrote a pack: facts from another build may differ.
fn binary_identity() -> Vec<u8> {
    let mut id = format!("alchemy-ls {} facts", env!("CARGO_PKG_VERSION")).into_bytes();
    if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
        id.extend_from_slice(&meta.len().to_le_bytes());
        if let Ok(t) = meta.modified()
            && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
        {
            id.extend_from_slice(&d.as_nanos().to_le_bytes());
        }
    }
    id
}

fn dialect_byte(d: Dialect) -> u8 {
    match d {
        Dialect::TypeScript => 0,
        Dialect::Tsx => 1,
    }
}

fn dialect_from(b: u8) -> Option<Dialect> {
    match b {
        0 => Some(Dialect::TypeScript),
        1 => Some(Dialect::Tsx),
        _ => None,
    }
}

impl FactsCache {
    /// The pack of `roots` (the checked paths) in `dir`; nothing is read yet.
    pub fn new(dir: PathBuf, roots: &[PathBuf]) -> FactsCache {
        let mut key = Vec::new();
        for r in roots {
            let c = crate::paths::canonical(r);
            key.extend_from_slice(c.to_string_lossy().as_bytes());
            key.push(0);
        }
        let name = format!("facts-{:016x}.bin", xxhash_rust::xxh3::xxh3_64(&key));
        FactsCache {
            pack: dir.join(name),
            dir,
            held: HashSet::new(),
            held_scan: Vec::new(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The pack file.
    pub fn pack_path(&self) -> &Path {
        &self.pack
    }

    /// The pack's facts; an unreadable or foreign pack gives none, a bad entry is skipped.
    pub fn read(&mut self) -> Vec<(Key, Arc<FileFacts>)> {
        self.read_all().facts
    }

    /// The pack's facts and verdicts; an unreadable or foreign pack gives none, a bad facts
    /// entry is skipped.
    pub fn read_all(&mut self) -> Contents {
        let Ok(bytes) = std::fs::read(&self.pack) else {
            return Contents::default();
        };
        let Some((entries, scan_bytes)) = split_pack(&bytes, &binary_identity()) else {
            return Contents::default();
        };
        let (decoded, scan) = rayon::join(
            || {
                entries
                    .into_par_iter()
                    .filter_map(|(key, body)| {
                        Some((key, Arc::new(postcard::from_bytes::<FileFacts>(body).ok()?)))
                    })
                    .collect::<Vec<(Key, Arc<FileFacts>)>>()
            },
            || ScanTable::decode(scan_bytes),
        );
        self.held = decoded.iter().map(|(k, _)| *k).collect();
        if let Some(scan) = &scan {
            self.held_scan = scan_bytes.to_vec();
            if scan.entries.is_empty() {
                self.held_scan.clear();
            }
        }
        Contents {
            facts: decoded,
            scan: scan.unwrap_or_default(),
        }
    }

    /// Write the facts of `ws`'s parsed files and the encoded verdicts `scan` (`None`: those
    /// read before) as the new pack, unless the pack read before holds exactly them. Errors
    /// (a read-only directory, a full disk) are returned, and leave no partial pack behind.
    pub fn write(&self, ws: &Workspace, scan: Option<&[u8]>) -> std::io::Result<bool> {
        let mut seen = HashSet::new();
        let mut entries: Vec<(Key, &FileFacts)> = Vec::new();
        for f in ws.files.iter() {
            if f.hash == 0 || f.facts.too_large {
                continue;
            }
            let Some(d) = Dialect::from_path(&f.path.to_string_lossy()) else {
                continue;
            };
            if seen.insert((f.hash, d)) {
                entries.push(((f.hash, d), &f.facts));
            }
        }
        if seen == self.held && scan.is_none() {
            return Ok(false);
        }
        let scan_bytes = scan.unwrap_or(&self.held_scan);
        self.write_pack(&mut entries, scan_bytes)
    }

    /// Write `entries` as the pack, with no verdicts (atomically; not when over
    /// [`MAX_PACK_BYTES`]).
    pub fn write_entries(&self, entries: &mut [(Key, &FileFacts)]) -> std::io::Result<bool> {
        self.write_pack(entries, &[])
    }

    /// Write `entries` and the verdicts `scan` as the pack (nothing for `scan`: no verdicts).
    pub fn write_scan(&self, entries: &mut [(Key, &FileFacts)], scan: &ScanTable) -> std::io::Result<bool> {
        self.write_pack(entries, &scan.encode())
    }

    /// The pack is encoded as it is written (one entry at a time, through a buffer): the
    /// encoded facts are never all in memory (on a 13,000-file workspace they are ≈ 15 MB,
    /// and the write runs while the analysis holds its peak).
    fn write_pack(&self, entries: &mut [(Key, &FileFacts)], scan: &[u8]) -> std::io::Result<bool> {
        entries.sort_unstable_by_key(|((h, d), _)| (*h, dialect_byte(*d)));
        std::fs::create_dir_all(&self.dir)?;
        mark_cache_dir(&self.dir);
        // A name no other writer uses: this process and a counter.
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = self.dir.join(format!(".tmp-{}-{seq}", std::process::id()));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .and_then(|f| {
                let mut pack = PackWriter::new(
                    std::io::BufWriter::with_capacity(1 << 16, f),
                    &binary_identity(),
                    entries.len(),
                )?;
                let mut body = Vec::new();
                for (key, facts) in entries.iter() {
                    body.clear();
                    body = postcard::to_extend(*facts, body).unwrap_or_default();
                    pack.entry(*key, &body)?;
                    if pack.len > MAX_PACK_BYTES {
                        return Ok(false);
                    }
                }
                if pack.len + scan.len() + 12 > MAX_PACK_BYTES {
                    return Ok(false);
                }
                let mut out = pack.finish(scan)?;
                out.flush()?;
                Ok(true)
            });
        match written {
            Ok(true) => {}
            Ok(false) => {
                let _ = std::fs::remove_file(&tmp);
                return Ok(false);
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        }
        if let Err(e) = std::fs::rename(&tmp, &self.pack) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        prune(&self.dir, &self.pack);
        Ok(true)
    }
}

/// Writes a pack to `out` as it goes: magic, binary identity, the entries (key, encoded
/// facts) in the order given, the encoded verdicts, and the checksum of all that
/// ([`split_pack`] reads it).
struct PackWriter<W: Write> {
    out: W,
    hash: xxhash_rust::xxh3::Xxh3,
    /// Bytes written so far.
    len: usize,
}

impl<W: Write> PackWriter<W> {
    /// The header of a pack of `entries` entries.
    fn new(out: W, identity: &[u8], entries: usize) -> std::io::Result<PackWriter<W>> {
        let mut w = PackWriter {
            out,
            hash: xxhash_rust::xxh3::Xxh3::new(),
            len: 0,
        };
        w.put(MAGIC)?;
        w.put(&(identity.len() as u32).to_le_bytes())?;
        w.put(identity)?;
        w.put(&(entries as u32).to_le_bytes())?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.update(bytes);
        self.len += bytes.len();
        self.out.write_all(bytes)
    }

    fn entry(&mut self, (hash, d): Key, body: &[u8]) -> std::io::Result<()> {
        self.put(&hash.to_le_bytes())?;
        self.put(&[dialect_byte(d)])?;
        self.put(&(body.len() as u32).to_le_bytes())?;
        self.put(body)
    }

    /// The verdicts and the checksum; returns the writer.
    fn finish(mut self, scan: &[u8]) -> std::io::Result<W> {
        self.put(&(scan.len() as u32).to_le_bytes())?;
        self.put(scan)?;
        let sum = self.hash.digest();
        self.out.write_all(&sum.to_le_bytes())?;
        Ok(self.out)
    }
}

/// A whole pack in memory (see [`PackWriter`]).
#[cfg(test)]
fn encode_pack(entries: &[(Key, &[u8])], identity: &[u8], scan: &[u8]) -> Vec<u8> {
    let write = || -> std::io::Result<Vec<u8>> {
        let mut w = PackWriter::new(Vec::new(), identity, entries.len())?;
        for (key, body) in entries {
            w.entry(*key, body)?;
        }
        w.finish(scan)
    };
    write().expect("writing to a Vec cannot fail")
}

/// The entries of a pack (key, encoded facts) and its encoded verdicts (empty: none), or
/// `None` when it is not a whole pack of this binary (wrong magic or identity, truncated,
/// bad checksum).
type Split<'a> = (Vec<(Key, &'a [u8])>, &'a [u8]);

fn split_pack<'a>(bytes: &'a [u8], identity: &[u8]) -> Option<Split<'a>> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if xxhash_rust::xxh3::xxh3_64(body) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut r = Reader { bytes: body, at: 0 };
    if r.take(8)? != MAGIC {
        return None;
    }
    let id_len = r.u32()? as usize;
    if r.take(id_len)? != identity {
        return None;
    }
    let n = r.u32()? as usize;
    let mut entries = Vec::with_capacity(n.min(1 << 20));
    for _ in 0..n {
        let hash = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
        let d = dialect_from(r.take(1)?[0])?;
        let len = r.u32()? as usize;
        entries.push(((hash, d), r.take(len)?));
    }
    let scan_len = r.u32()? as usize;
    let scan = r.take(scan_len)?;
    (r.at == body.len()).then_some((entries, scan))
}

/// A `CACHEDIR.TAG` (backup tools skip the directory) and a `.gitignore` of `*` (it is never
/// committed), as other tools' caches have.
fn mark_cache_dir(dir: &Path) {
    let tag = dir.join("CACHEDIR.TAG");
    if !tag.exists() {
        let _ = std::fs::write(
            &tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n# alchemy-ls facts cache: safe to delete.\n",
        );
    }
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        let _ = std::fs::write(ignore, "*\n");
    }
}

/// Keep the [`MAX_PACKS`] most recently written packs (`keep` is one of them); delete stale
/// temporary files of interrupted writes (older than an hour).
fn prune(dir: &Path, keep: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    let mut packs = Vec::new();
    for e in rd.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Ok(meta) = e.metadata() else { continue };
        let modified = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
        if name.starts_with("facts-") && name.ends_with(".bin") {
            if e.path() != keep {
                packs.push((modified, e.path()));
            }
        } else if name.starts_with(".tmp") && now.duration_since(modified).is_ok_and(|d| d.as_secs() > 3600) {
            let _ = std::fs::remove_file(e.path());
        }
    }
    if packs.len() < MAX_PACKS {
        return;
    }
    packs.sort_unstable();
    let excess = packs.len() + 1 - MAX_PACKS;
    for (_, p) in packs.into_iter().take(excess) {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(entries: &[(Key, &[u8])], identity: &[u8], scan: &[u8]) -> Vec<u8> {
        encode_pack(entries, identity, scan)
    }

    #[test]
    fn a_whole_pack_splits_and_any_damage_is_a_miss() {
        let entries: Vec<(Key, &[u8])> = vec![((7, Dialect::TypeScript), b"abc"), ((9, Dialect::Tsx), b"")];
        let good = pack(&entries, b"me", b"verdicts");
        assert_eq!(
            split_pack(&good, b"me"),
            Some((entries.clone(), &b"verdicts"[..]))
        );
        assert_eq!(split_pack(&good, b"another build"), None);
        for cut in 0..good.len() {
            assert_eq!(split_pack(&good[..cut], b"me"), None, "truncated at {cut}");
        }
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x40;
            assert_eq!(split_pack(&bad, b"me"), None, "byte {i} flipped");
        }
    }

    #[test]
    fn facts_round_trip_through_postcard() {
        let text = "import * as Cloudflare from \"alchemy/Cloudflare\";\nexport class A extends Cloudflare.Worker<A>()(\"A\", { main: import.meta.filename }) {}\n// alchemy-ls-disable-next-line from-non-host\nconst x = `t${1}`;\n";
        let facts = alchemy_grammar::extract(text, Dialect::TypeScript);
        let bytes = postcard::to_stdvec(&facts).unwrap();
        assert_eq!(postcard::from_bytes::<FileFacts>(&bytes).unwrap(), facts);
    }
}
