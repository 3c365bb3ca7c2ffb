//! The files a rename of a TypeScript name reads: every TypeScript source of the workspace
//! (discovery's rules: ignore files and globs, never `node_modules`) that mentions the name or
//! re-exports (`export {`, `export *`: a barrel passes a name on without spelling it), with
//! the text of the snapshot for indexed files (open buffers, saved or not) and of the disk for
//! the others, and what each of its module specifiers resolves to.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memchr::memmem;

use crate::config::Config;
use crate::resolve::{Resolution, Resolver};
use crate::workspace::Workspace;
use crate::workspace::discover::{ConfigIgnore, discover_dir, is_source_name};
use crate::workspace::prefilter::scan_specifiers;

/// One gathered file: canonical path, text, specifier → index into the returned list.
pub type NameFile = (PathBuf, Arc<str>, HashMap<String, usize>);

/// Files larger than this are skipped (as the parser does).
const MAX_BYTES: u64 = alchemy_grammar::MAX_PARSE_BYTES as u64;

/// The workspace's files that may refer to `name` (see the module comment), with what their
/// specifiers resolve to; `cursor` (a canonical path) is always included. The second value is
/// `cursor`'s index.
pub fn rename_files(
    roots: &[PathBuf],
    config: &Config,
    resolver: &Resolver,
    ws: &Workspace,
    name: &str,
    cursor: &Path,
) -> (Vec<NameFile>, Option<usize>) {
    resolve_files(gather(roots, config, ws, name, cursor), resolver, cursor)
}

/// The reading half of [`rename_files`] (no resolution: the language server resolves under
/// its index's lock, and reads without it).
pub fn gather(
    roots: &[PathBuf],
    config: &Config,
    ws: &Workspace,
    name: &str,
    cursor: &Path,
) -> Vec<(PathBuf, Arc<str>)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for root in roots {
        let (ignore, _) = ConfigIgnore::new(config, root);
        let (found, _) = discover_dir(root, &ignore, false);
        paths.extend(found);
    }
    // indexed files under the roots that discovery does not list (new files, open buffers)
    for f in ws.iter() {
        if is_source_name(&f.path)
            && roots.iter().any(|r| f.path.starts_with(r))
            && !f.path.components().any(|c| c.as_os_str() == "node_modules")
        {
            paths.push(f.path.clone());
        }
    }
    paths.push(cursor.to_path_buf());
    paths.sort();
    paths.dedup();
    let finder = memmem::Finder::new(name.as_bytes());
    let mut files: Vec<(PathBuf, Arc<str>)> = Vec::new();
    for path in paths {
        let text: Arc<str> = match ws.file_id(&path) {
            Some(id) => ws.file(id).text.clone(),
            None => {
                let Ok(meta) = std::fs::metadata(&path) else {
                    continue;
                };
                if !meta.is_file() || meta.len() > MAX_BYTES {
                    continue;
                }
                match std::fs::read_to_string(&path) {
                    Ok(t) => Arc::from(t),
                    Err(_) => continue,
                }
            }
        };
        let b = text.as_bytes();
        let keep = path == cursor
            || finder.find(b).is_some()
            || memmem::find(b, b"export {").is_some()
            || memmem::find(b, b"export *").is_some()
            || memmem::find(b, b"export type").is_some();
        if keep {
            files.push((path, text));
        }
    }
    files
}

/// The resolving half of [`rename_files`].
pub fn resolve_files(
    files: Vec<(PathBuf, Arc<str>)>,
    resolver: &Resolver,
    cursor: &Path,
) -> (Vec<NameFile>, Option<usize>) {
    let index: HashMap<PathBuf, usize> = files
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.clone(), i))
        .collect();
    let cursor_index = index.get(cursor).copied();
    let out = files
        .into_iter()
        .map(|(path, text)| {
            let mut specifiers = scan_specifiers(text.as_bytes());
            specifiers.extend(dynamic_specifiers(text.as_bytes()));
            let mut resolved = HashMap::new();
            for s in specifiers {
                if let Resolution::File(p) = resolver.resolve_memoised(&path, &s)
                    && let Some(&i) = index.get(&p)
                {
                    resolved.insert(s, i);
                }
            }
            (path, text, resolved)
        })
        .collect();
    (out, cursor_index)
}

/// `import("x")` specifiers (a rename must know when a module that exports the name is
/// imported dynamically).
fn dynamic_specifiers(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for at in memmem::find_iter(bytes, b"import(") {
        let mut i = at + 7;
        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        let Some(&q @ (b'"' | b'\'' | b'`')) = bytes.get(i) else {
            continue;
        };
        let start = i + 1;
        if let Some(len) = bytes[start..]
            .iter()
            .take(1024)
            .position(|&b| b == q || b == b'\n')
            && bytes[start + len] == q
            && let Ok(s) = std::str::from_utf8(&bytes[start..start + len])
        {
            out.push(s.to_string());
        }
    }
    out
}
