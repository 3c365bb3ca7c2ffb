//! The files a rename of a TypeScript name reads: every TypeScript source of the workspace
//! (discovery's rules: ignore files and globs, never `node_modules`) that spells the name, and
//! the re-exporting files (`export *`, `export {…} from`: a barrel passes a name on without
//! spelling it) whose re-exports lead, through other such barrels, to a file that spells it;
//! with the text of the snapshot for indexed files (open buffers, saved or not) and of the
//! disk for the others, and what each of its module specifiers resolves to.

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
    resolve_files(gather(roots, config, ws, name, cursor), resolver, name, cursor)
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
    // Read and searched in parallel (a monorepo's sources are mostly not indexed: read from
    // disk), kept in path order.
    use rayon::prelude::*;
    let finder = memmem::Finder::new(name.as_bytes());
    paths
        .into_par_iter()
        .with_min_len(64)
        .filter_map(|path| {
            let text: Arc<str> = match ws.file_id(&path) {
                Some(id) => ws.file(id).text.clone(),
                None => {
                    let meta = std::fs::metadata(&path).ok()?;
                    if !meta.is_file() || meta.len() > MAX_BYTES {
                        return None;
                    }
                    Arc::from(std::fs::read_to_string(&path).ok()?)
                }
            };
            let b = text.as_bytes();
            let keep = path == cursor || finder.find(b).is_some() || passes_on(b);
            keep.then_some((path, text))
        })
        .collect()
}

/// Can a file that does not spell the name still matter to its rename: it re-exports
/// (`export *`, `export {…} from`, `export type`), or holds a module object (`import * as`,
/// `import(…)`) that the rename must see used?
fn passes_on(b: &[u8]) -> bool {
    [
        &b"export {"[..],
        b"export *",
        b"export type",
        b"* as ",
        b"import(",
    ]
    .iter()
    .any(|needle| memmem::find(b, needle).is_some())
}

/// Does `text` spell `name` as a word (not inside a longer identifier)?
fn spells(text: &[u8], finder: &memmem::Finder<'_>) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    let len = finder.needle().len();
    finder.find_iter(text).any(|at| {
        let before = at > 0 && ident(text[at - 1]);
        let after = text.get(at + len).is_some_and(|&b| ident(b));
        !before && !after
    })
}

/// The gathered files that matter. The class is declared in the cursor's file or in a file
/// the cursor's file reaches through its imports (the forward closure) that spells the name;
/// what can refer to it is that file and whatever imports from it, directly or through files
/// that pass names on ([`passes_on`]: re-exports, module objects) — a walk back along the
/// resolved specifiers from those declaring candidates. In a large workspace many files spell
/// a common class name (every app's `Api`) and most re-export something; the rename parses
/// only the files connected to the class at hand.
fn relevant(
    files: Vec<(PathBuf, Arc<str>)>,
    resolver: &Resolver,
    name: &str,
    cursor: &Path,
) -> Vec<(PathBuf, Arc<str>)> {
    let finder = memmem::Finder::new(name.as_bytes());
    let index: HashMap<&Path, usize> = files
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.as_path(), i))
        .collect();
    // per file, in parallel: whether it spells the name or passes names on, and the gathered
    // files its specifiers resolve to
    use rayon::prelude::*;
    let (spelled, passes): (Vec<bool>, Vec<bool>) = files
        .par_iter()
        .map(|(_, t)| (spells(t.as_bytes(), &finder), passes_on(t.as_bytes())))
        .unzip();
    let targets: Vec<Vec<usize>> = files
        .par_iter()
        .with_min_len(16)
        .map(|(path, text)| {
            let mut specifiers = scan_specifiers(text.as_bytes());
            specifiers.extend(dynamic_specifiers(text.as_bytes()));
            specifiers
                .into_iter()
                .filter_map(|s| match resolver.resolve_memoised(path, &s) {
                    Resolution::File(p) => index.get(p.as_path()).copied(),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let Some(&start) = index.get(cursor) else {
        return files;
    };
    // the declaring candidates: the cursor's file and what it reaches that spells the name
    let mut reached = vec![false; files.len()];
    reached[start] = true;
    let mut stack = vec![start];
    while let Some(i) = stack.pop() {
        for &t in &targets[i] {
            if !reached[t] {
                reached[t] = true;
                stack.push(t);
            }
        }
    }
    let mut importers: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    for (i, ts) in targets.iter().enumerate() {
        for &t in ts {
            importers[t].push(i);
        }
    }
    let mut keep: Vec<bool> = (0..files.len())
        .map(|i| i == start || (reached[i] && spelled[i]))
        .collect();
    let mut stack: Vec<usize> = (0..files.len()).filter(|&i| keep[i]).collect();
    while let Some(d) = stack.pop() {
        for &i in &importers[d] {
            if !keep[i] && (spelled[i] || passes[i]) {
                keep[i] = true;
                if passes[i] {
                    stack.push(i);
                }
            }
        }
    }
    files
        .into_iter()
        .zip(keep)
        .filter_map(|(f, k)| k.then_some(f))
        .collect()
}

/// The resolving half of [`rename_files`]: narrows the gathered files to those that matter
/// (see [`relevant`]) and resolves their specifiers.
pub fn resolve_files(
    files: Vec<(PathBuf, Arc<str>)>,
    resolver: &Resolver,
    name: &str,
    cursor: &Path,
) -> (Vec<NameFile>, Option<usize>) {
    let files = relevant(files, resolver, name, cursor);
    let index: HashMap<PathBuf, usize> = files
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.clone(), i))
        .collect();
    let cursor_index = index.get(cursor).copied();
    use rayon::prelude::*;
    let out = files
        .into_par_iter()
        .with_min_len(16)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Two apps each declare an `Api` class: a rename in app A reads app A's declaration, its
    /// importers, the barrel chain that passes it on and a namespace importer through that
    /// barrel, and nothing of app B (which spells the name too) nor an unrelated barrel.
    #[test]
    fn only_files_connected_to_the_class_at_hand() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let files = [
            ("a/api.ts", "export class Api {}\n"),
            (
                "a/stack.ts",
                "import { Api } from './api';\nexport const s = Api;\n",
            ),
            ("a/index.ts", "export * from './api';\n"),
            ("a/outer.ts", "export * from './index';\n"),
            ("a/use.ts", "import * as ns from './outer';\nconst x = ns;\n"),
            ("a/plain.ts", "import { other } from './other';\n"),
            ("a/other.ts", "export const other = 1;\n"),
            ("b/api.ts", "export class Api {}\n"),
            (
                "b/stack.ts",
                "import { Api } from './api';\nexport const s = Api;\n",
            ),
            ("b/index.ts", "export * from './api';\n"),
        ];
        let gathered: Vec<(PathBuf, Arc<str>)> = files
            .iter()
            .map(|(rel, text)| {
                let p = root.join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, text).unwrap();
                (p, Arc::from(*text))
            })
            .collect();
        let resolver = Resolver::new(vec![root.clone()]);
        for cursor in ["a/api.ts", "a/stack.ts"] {
            let kept: Vec<String> = relevant(gathered.clone(), &resolver, "Api", &root.join(cursor))
                .into_iter()
                .map(|(p, _)| p.strip_prefix(&root).unwrap().to_string_lossy().into_owned())
                .collect();
            assert_eq!(
                kept,
                ["a/api.ts", "a/stack.ts", "a/index.ts", "a/outer.ts", "a/use.ts"],
                "cursor in {cursor}"
            );
        }
    }

    #[test]
    fn spelled_as_a_word_only() {
        let f = memmem::Finder::new("Api");
        assert!(spells(b"x = Api;", &f));
        assert!(spells(b"Api", &f));
        assert!(!spells(b"ApiLive", &f));
        assert!(!spells(b"myApi", &f));
        assert!(!spells(b"$Api", &f));
        assert!(spells(b"ns.Api.from(x)", &f));
    }
}
