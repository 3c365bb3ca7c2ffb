//! A readable rendering of a loaded [`Workspace`] for snapshots (workspace tests).
#![allow(dead_code)]

use std::fmt::Write;
use std::path::Path;

use alchemy_grammar::ExportKind;
use alchemy_ls_project::workspace::{Resolved, Workspace};

/// One line per live file (`root`/`dep`, relative path), then its resolution table, then
/// the problems. Checks the id invariants on the way.
pub fn summary(ws: &Workspace, root: &Path) -> String {
    let rel = |p: &Path| match p.strip_prefix(root) {
        Ok(r) => r.to_string_lossy().replace('\\', "/"),
        Err(_) => p.display().to_string(),
    };
    let mut live: Vec<_> = ws.by_path.iter().collect();
    live.sort();
    let mut out = String::new();
    for (path, &id) in live {
        let f = ws.file(id);
        assert_eq!(f.id, id, "id of {}", path.display());
        assert_eq!(&f.path, path, "path of {id:?}");
        assert_eq!(
            f.imports.len(),
            f.facts.imports.len(),
            "imports of {}",
            path.display()
        );
        assert_eq!(
            f.reexports.len(),
            f.facts.exports.len(),
            "reexports of {}",
            path.display()
        );
        let kind = if f.root { "root" } else { "dep " };
        let large = if f.facts.too_large { " (too large)" } else { "" };
        writeln!(out, "{kind} {}{large}", rel(path)).unwrap();
        let show = |r: &Resolved| match r {
            Resolved::File(t) => format!("file {}", rel(&ws.file(*t).path)),
            Resolved::External { specifier } => format!("external {specifier}"),
            Resolved::Opaque { path, .. } => format!("opaque {}", rel(path)),
            Resolved::NotFound { reason } => format!("not found ({reason})"),
        };
        for (imp, r) in f.facts.imports.iter().zip(&f.imports) {
            writeln!(out, "  import {:?} -> {}", imp.specifier, show(r)).unwrap();
        }
        for (exp, r) in f.facts.exports.iter().zip(&f.reexports) {
            let spec = match &exp.kind {
                ExportKind::From { specifier, .. } | ExportKind::Star { specifier, .. } => Some(specifier),
                _ => None,
            };
            match (spec, r) {
                (Some(s), Some(r)) => writeln!(out, "  reexport {s:?} -> {}", show(r)).unwrap(),
                (None, None) => {}
                (s, r) => panic!("reexport table mismatch in {}: {s:?} vs {r:?}", path.display()),
            }
        }
    }
    for (p, m) in &ws.problems {
        writeln!(out, "problem {}: {m}", rel(p)).unwrap();
    }
    out
}

/// Relative paths of the live files, sorted, with `*` marking roots.
pub fn file_list(ws: &Workspace, root: &Path) -> Vec<String> {
    let mut v: Vec<String> = ws
        .by_path
        .iter()
        .map(|(p, &id)| {
            let r = p
                .strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/");
            if ws.file(id).root { format!("*{r}") } else { r }
        })
        .collect();
    v.sort();
    v
}
