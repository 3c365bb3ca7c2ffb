//! The prefilter's verdicts by stat data: what the byte scan found in a file that is not an
//! Alchemy file (the module specifiers it imports, whether it mentions `RpcGroup`), keyed by
//! the file's path and its *stat data* (size, modification and status-change times, inode and
//! device), so that `check` does not read an unchanged file again (the facts cache stores the
//! table, [`crate::facts_cache`]).
//!
//! The rule is git's for its index: a file whose stat data differ from the recorded ones is
//! read again, and a verdict is only recorded when it cannot be *racy*: a file modified in
//! the same clock tick as it was read could change again without its times changing, so a
//! file whose modification or status-change time is not at least [`RACY_MARGIN`] older than
//! the start of the scan that read it is not recorded (it is read again by the next run,
//! which records it). The status-change time (`ctime`) cannot be set by a user, so a content
//! change that restores the size and the modification time (`touch -d`, some sync tools)
//! still changes the stat data. Directly relevant files (the Alchemy files) are always read:
//! their text is analysed.

use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A file's time within this margin of the scan's start (or later) is too recent to trust:
/// coarser than every file system's timestamp granularity (FAT's 2 s included).
pub const RACY_MARGIN: Duration = Duration::from_secs(2);

/// What identifies a file's content without reading it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileStat {
    pub size: u64,
    /// Modification time: seconds and nanoseconds since the Unix epoch.
    pub mtime: (i64, u32),
    /// Status-change time (Unix; the modification time elsewhere).
    pub ctime: (i64, u32),
    pub ino: u64,
    pub dev: u64,
}

impl FileStat {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> FileStat {
        use std::os::unix::fs::MetadataExt;
        FileStat {
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec().clamp(0, 999_999_999) as u32),
            ctime: (meta.ctime(), meta.ctime_nsec().clamp(0, 999_999_999) as u32),
            ino: meta.ino(),
            dev: meta.dev(),
        }
    }

    #[cfg(not(unix))]
    pub fn of(meta: &std::fs::Metadata) -> FileStat {
        let t = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or((i64::MAX, 0), |d| (d.as_secs() as i64, d.subsec_nanos()));
        FileStat {
            size: meta.len(),
            mtime: t,
            ctime: t,
            ino: 0,
            dev: 0,
        }
    }

    /// Is either time within [`RACY_MARGIN`] of `scan_start`, or later?
    pub fn is_racy(&self, scan_start: SystemTime) -> bool {
        let Ok(start) = scan_start.duration_since(std::time::UNIX_EPOCH) else {
            return true;
        };
        let limit = start.saturating_sub(RACY_MARGIN);
        let limit = (limit.as_secs() as i64, limit.subsec_nanos());
        self.mtime.max(self.ctime) >= limit
    }
}

/// The byte scan's verdict on a file that is not directly relevant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanEntry {
    pub stat: FileStat,
    /// Its static module specifiers (known externals left out).
    pub specifiers: Vec<String>,
    /// It mentions `RpcGroup`.
    pub support: bool,
}

/// The verdicts of one scan, for the prefilter of `prefilter_key` (the configured packages).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanTable {
    pub prefilter_key: u64,
    pub entries: HashMap<PathBuf, ScanEntry>,
}

impl ScanTable {
    /// The entry of `path` if it is still valid for `stat`.
    pub fn lookup(&self, path: &Path, stat: &FileStat) -> Option<&ScanEntry> {
        self.entries.get(path).filter(|e| e.stat == *stat)
    }

    /// The table as bytes: entries sorted by path, paths front-coded (a run's paths share
    /// long prefixes).
    pub fn encode(&self) -> Vec<u8> {
        encode_entries(
            self.prefilter_key,
            self.entries
                .iter()
                .map(|(p, e)| (p.as_path(), &e.stat, e.specifiers.as_slice(), e.support)),
        )
    }

    /// The table of [`ScanTable::encode`]'s bytes; `None` if they are not a whole table.
    pub fn decode(bytes: &[u8]) -> Option<ScanTable> {
        let mut r = Reader { bytes, at: 0 };
        let prefilter_key = r.u64()?;
        let n = r.u32()? as usize;
        let mut entries = HashMap::with_capacity_and_hasher(n.min(1 << 20), Default::default());
        let mut path: Vec<u8> = Vec::new();
        for _ in 0..n {
            let common = r.u32()? as usize;
            if common > path.len() {
                return None;
            }
            path.truncate(common);
            path.extend_from_slice(r.bytes_field()?);
            let stat = FileStat {
                size: r.u64()?,
                mtime: (r.u64()? as i64, r.u32()?),
                ctime: (r.u64()? as i64, r.u32()?),
                ino: r.u64()?,
                dev: r.u64()?,
            };
            let support = match r.take(1)?[0] {
                0 => false,
                1 => true,
                _ => return None,
            };
            let count = r.u32()? as usize;
            let mut specifiers = Vec::with_capacity(count.min(1024));
            for _ in 0..count {
                specifiers.push(std::str::from_utf8(r.bytes_field()?).ok()?.to_string());
            }
            entries.insert(
                path_from_bytes(&path)?,
                ScanEntry {
                    stat,
                    specifiers,
                    support,
                },
            );
        }
        (r.at == bytes.len() && entries.len() == n).then_some(ScanTable {
            prefilter_key,
            entries,
        })
    }
}

/// [`ScanTable::encode`] of entries (path, stat data, specifiers, support) borrowed from
/// elsewhere (the index's candidates: no copy of the table is made).
pub fn encode_entries<'e>(
    prefilter_key: u64,
    entries: impl Iterator<Item = (&'e Path, &'e FileStat, &'e [String], bool)>,
) -> Vec<u8> {
    let mut entries: Vec<(&[u8], &FileStat, &[String], bool)> = entries
        .filter_map(|(p, st, specs, support)| Some((path_bytes(p)?, st, specs, support)))
        .collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::with_capacity(entries.len() * 96 + 16);
    out.extend_from_slice(&prefilter_key.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    let mut prev: &[u8] = &[];
    for (p, s, specifiers, support) in entries {
        let common = prev.iter().zip(p).take_while(|(a, b)| a == b).count();
        put_u32(&mut out, common as u32);
        put_bytes(&mut out, &p[common..]);
        prev = p;
        out.extend_from_slice(&s.size.to_le_bytes());
        out.extend_from_slice(&s.mtime.0.to_le_bytes());
        put_u32(&mut out, s.mtime.1);
        out.extend_from_slice(&s.ctime.0.to_le_bytes());
        put_u32(&mut out, s.ctime.1);
        out.extend_from_slice(&s.ino.to_le_bytes());
        out.extend_from_slice(&s.dev.to_le_bytes());
        out.push(u8::from(support));
        put_u32(&mut out, specifiers.len() as u32);
        for spec in specifiers {
            put_bytes(&mut out, spec.as_bytes());
        }
    }
    out
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, b.len() as u32);
    out.extend_from_slice(b);
}

#[cfg(unix)]
fn path_bytes(p: &Path) -> Option<&[u8]> {
    use std::os::unix::ffi::OsStrExt;
    Some(p.as_os_str().as_bytes())
}

#[cfg(not(unix))]
fn path_bytes(p: &Path) -> Option<&[u8]> {
    p.to_str().map(str::as_bytes)
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(b)))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> Option<PathBuf> {
    std::str::from_utf8(b).ok().map(PathBuf::from)
}

/// Reads little-endian fields off a byte slice; `None` past its end (also the facts cache's).
pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn bytes_field(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(secs: i64, nanos: u32) -> FileStat {
        FileStat {
            size: 10,
            mtime: (secs, nanos),
            ctime: (secs, nanos),
            ino: 7,
            dev: 1,
        }
    }

    #[test]
    fn a_time_within_the_margin_of_the_scan_or_after_it_is_racy() {
        let start = std::time::UNIX_EPOCH + Duration::new(1_000, 500);
        type Time = (i64, u32);
        let cases: &[(Time, Time, bool)] = &[
            ((900, 0), (900, 0), false),
            ((997, 999_999_999), (997, 999_999_999), false),
            ((998, 499), (998, 499), false),
            ((998, 500), (998, 500), true),
            ((999, 0), (900, 0), true),
            ((900, 0), (999, 0), true), // a recent status change alone
            ((1_000, 500), (1_000, 500), true),
            ((2_000, 0), (2_000, 0), true), // in the future
        ];
        for &(mtime, ctime, racy) in cases {
            let s = FileStat {
                mtime,
                ctime,
                ..stat(0, 0)
            };
            assert_eq!(s.is_racy(start), racy, "mtime {mtime:?} ctime {ctime:?}");
        }
    }

    #[test]
    fn tables_round_trip_and_damage_is_detected() {
        let mut t = ScanTable {
            prefilter_key: 42,
            ..ScanTable::default()
        };
        for (i, p) in ["/w/a/x.ts", "/w/a/xy.ts", "/w/b.ts", "/w/a/x/z.ts", "/v"]
            .iter()
            .enumerate()
        {
            t.entries.insert(
                PathBuf::from(p),
                ScanEntry {
                    stat: stat(i as i64, i as u32),
                    specifiers: (0..i).map(|k| format!("./s{k}")).collect(),
                    support: i % 2 == 1,
                },
            );
        }
        let bytes = t.encode();
        assert_eq!(ScanTable::decode(&bytes), Some(t.clone()));
        for cut in 0..bytes.len() {
            assert_eq!(ScanTable::decode(&bytes[..cut]), None, "truncated at {cut}");
        }
        assert_eq!(ScanTable::decode(&[bytes.as_slice(), b"x"].concat()), None);
        let empty = ScanTable::default();
        assert_eq!(ScanTable::decode(&empty.encode()), Some(empty));
        // lookups need the same stat data
        let e = &t.entries[Path::new("/w/b.ts")];
        assert_eq!(t.lookup(Path::new("/w/b.ts"), &e.stat), Some(e));
        let mut other = e.stat;
        other.ctime.1 += 1;
        assert_eq!(t.lookup(Path::new("/w/b.ts"), &other), None);
        assert_eq!(t.lookup(Path::new("/w/c.ts"), &e.stat), None);
    }
}
