//! `alchemy-ls check --fix` / `--fix-dry-run`: apply the safe fixes.
//!
//! Only fixes the rules mark safe ([`crate::analysis::Fix::safe`]) are applied, the first safe
//! fix of each diagnostic, never two overlapping edits in one round. Fixes can enable others,
//! so the analysis runs again on the edited texts (in memory, through the index's overlays)
//! until no safe fix is left or [`MAX_ROUNDS`] is reached. A fix that would edit a file outside
//! the checked paths, with `node_modules` in its path, or not on disk is skipped whole. Then either every
//! changed file is written atomically (a temporary file beside it, renamed over it) and the
//! paths are checked again from disk (`--fix`), or the changes are printed as a unified diff
//! (`--fix-dry-run`). Byte order marks and CRLF line breaks are kept.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use alchemy_grammar::Span;

use super::args::CheckArgs;
use super::check::{finish, load_for_check};
use super::paths::relative;
use super::{EXIT_ERROR, Io};
use crate::analysis::{self, Analysis};
use crate::workspace::Workspace;

/// Rounds of fixing before giving up on fixes that keep enabling others.
pub const MAX_ROUNDS: usize = 10;

pub fn run(args: &CheckArgs, io: &mut Io) -> i32 {
    let mut loaded = match load_for_check(args, io) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let scope = Scope::new(&args.input.paths);
    let mut analyzer = analysis::components::Analyzer::diagnostics_only();
    let mut ws = loaded.ws.clone();
    // Path → (text on disk, current text).
    let mut texts: BTreeMap<PathBuf, (Arc<str>, String)> = BTreeMap::new();
    // (report path, rule) of every applied fix, in order.
    let mut fixed: Vec<(String, &'static str)> = Vec::new();
    let mut skipped: usize = 0;
    let mut rounds = 0;
    let mut analysis = analysis::analyze_by_components(&mut analyzer, &ws);
    loop {
        let plan = plan(&ws, &analysis, &scope);
        if rounds == 0 {
            skipped = plan.skipped;
        }
        if plan.edits.is_empty() || rounds == MAX_ROUNDS {
            if !plan.edits.is_empty() {
                let _ = writeln!(
                    io.err,
                    "alchemy-ls: stopped after {MAX_ROUNDS} rounds of fixes; run --fix again"
                );
            }
            break;
        }
        rounds += 1;
        for (rule, file) in &plan.fixed {
            fixed.push((relative(&loaded.base, &ws.file(*file).path), rule));
        }
        for (file, edits) in plan.edits {
            let f = ws.file(file);
            let entry = texts
                .entry(f.path.clone())
                .or_insert_with(|| (f.text.clone(), f.text.to_string()));
            entry.1 = apply(&entry.1, edits);
            loaded.index.set_overlay(&f.path, Arc::from(entry.1.as_str()));
        }
        ws = loaded.index.snapshot();
        ws.baseline = loaded.ws.baseline.clone();
        analysis = analysis::analyze_by_components(&mut analyzer, &ws);
    }
    let changed: Vec<(&PathBuf, &Arc<str>, &String)> = texts
        .iter()
        .filter(|(_, (old, new))| **old != **new)
        .map(|(p, (old, new))| (p, old, new))
        .collect();
    let verb = if args.fix { "fixed" } else { "would fix" };
    let summary = format!(
        "alchemy-ls: {verb} {} in {}{}",
        super::report::plural(fixed.len(), "problem"),
        super::report::plural(changed.len(), "file"),
        by_rule(&fixed)
    );

    if args.fix_dry_run {
        let mut diff = String::new();
        for (path, old, new) in &changed {
            let rel = relative(&loaded.base, path);
            diff.push_str(
                &similar::TextDiff::from_lines(&***old, new.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{rel}"), &format!("b/{rel}"))
                    .to_string(),
            );
        }
        if let Err(code) = super::emit(io, &diff) {
            return code;
        }
        let _ = writeln!(io.err, "{summary}");
        let remaining = analysis.diagnostics.len();
        let _ = writeln!(
            io.err,
            "alchemy-ls: {} would remain{}",
            super::report::plural(remaining, "problem"),
            skipped_note(skipped)
        );
        let mut sink = Vec::new();
        let mut quiet = Io {
            out: &mut sink,
            err: io.err,
            color: false,
            color_err: io.color_err,
        };
        return finish(args, &mut quiet, &ws, &analysis, &loaded.base);
    }

    for (path, _, new) in &changed {
        if let Err(e) = write_atomically(path, new) {
            let _ = writeln!(io.err, "alchemy-ls: cannot write {}: {e}", path.display());
            return EXIT_ERROR;
        }
    }
    let _ = writeln!(io.err, "{summary}");
    // Check again, from disk.
    let reloaded = match load_for_check(args, io) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let after = analysis::analyze_by_components(
        &mut analysis::components::Analyzer::diagnostics_only(),
        &reloaded.ws,
    );
    let _ = writeln!(
        io.err,
        "alchemy-ls: {} remain{}",
        super::report::plural(after.diagnostics.len(), "problem"),
        skipped_note(skipped)
    );
    finish(args, io, &reloaded.ws, &after, &reloaded.base)
}

fn skipped_note(skipped: usize) -> String {
    if skipped == 0 {
        String::new()
    } else {
        format!(
            " ({} skipped: they would edit files outside the checked paths or under node_modules)",
            super::report::plural(skipped, "safe fix")
        )
    }
}

/// ` (deprecated-api ×2, self-type-mismatch)`
fn by_rule(fixed: &[(String, &'static str)]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, rule) in fixed {
        *counts.entry(rule).or_default() += 1;
    }
    if counts.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = counts
        .into_iter()
        .map(|(r, n)| {
            if n == 1 {
                r.to_string()
            } else {
                format!("{r} ×{n}")
            }
        })
        .collect();
    format!(" ({})", parts.join(", "))
}

/// The files a fix may edit: under a checked directory or a checked file, on disk, not under
/// `node_modules`.
struct Scope {
    dirs: Vec<PathBuf>,
    files: Vec<PathBuf>,
}

impl Scope {
    fn new(paths: &[PathBuf]) -> Scope {
        let mut scope = Scope {
            dirs: Vec::new(),
            files: Vec::new(),
        };
        for p in paths {
            let Ok(c) = p.canonicalize() else { continue };
            if c.is_dir() {
                scope.dirs.push(c);
            } else {
                scope.files.push(c);
            }
        }
        scope
    }

    fn allows(&self, path: &Path) -> bool {
        let inside = self.files.iter().any(|f| f == path) || self.dirs.iter().any(|d| path.starts_with(d));
        inside && !has_node_modules(path) && path.is_file()
    }
}

fn has_node_modules(path: &Path) -> bool {
    path.components()
        .any(|c| matches!(c, Component::Normal(n) if n == "node_modules"))
}

/// One round: the edits to apply, by file, and what they fix.
struct Plan {
    edits: HashMap<crate::workspace::FileId, Vec<(Span, String)>>,
    fixed: Vec<(&'static str, crate::workspace::FileId)>,
    skipped: usize,
}

fn plan(ws: &Workspace, analysis: &Analysis, scope: &Scope) -> Plan {
    let round = analysis::fixes::safe_fix_round(&analysis.diagnostics, |f| scope.allows(&ws.file(f).path));
    let mut plan = Plan {
        edits: HashMap::new(),
        fixed: Vec::new(),
        skipped: round.skipped,
    };
    for (d, fix) in round.fixes {
        for e in &fix.edits {
            let text = &ws.file(e.file).text;
            plan.edits
                .entry(e.file)
                .or_default()
                .push((e.span, analysis::fixes::line_breaks_like(text, &e.new_text)));
        }
        plan.fixed.push((d.rule, d.location.file));
    }
    plan
}

/// Applies non-overlapping edits; an edit never lands before a byte order mark.
fn apply(text: &str, mut edits: Vec<(Span, String)>) -> String {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    edits.sort_by_key(|(s, _)| std::cmp::Reverse((s.start, s.end)));
    let mut out = text.to_string();
    for (span, new_text) in edits {
        let start = (span.start as usize).max(bom).min(out.len());
        let end = (span.end as usize).max(start).min(out.len());
        if out.is_char_boundary(start) && out.is_char_boundary(end) {
            out.replace_range(start..end, &new_text);
        }
    }
    out
}

/// Writes `text` to a temporary file in `path`'s directory (with `path`'s permissions), then
/// renames it over `path`: a reader never sees a half-written file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(path)?.permissions();
    let mut n = 0u32;
    let (tmp, mut f) = loop {
        let tmp = dir.join(format!(".{name}.alchemy-ls-fix-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    let result = f
        .write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .and_then(|()| std::fs::set_permissions(&tmp, permissions))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixes::line_breaks_like;

    #[test]
    fn edits_keep_bom_and_crlf() {
        let text = "\u{feff}import a;\r\nx;\r\n";
        let new = line_breaks_like(text, "import b;\n");
        assert_eq!(new, "import b;\r\n");
        // an insertion at offset 0 lands after the BOM
        assert_eq!(
            apply(text, vec![(Span { start: 0, end: 0 }, new)]),
            "\u{feff}import b;\r\nimport a;\r\nx;\r\n"
        );
        assert_eq!(line_breaks_like("a\nb\n", "c\nd"), "c\nd");
    }

    #[test]
    fn edits_apply_back_to_front() {
        let edits = vec![
            (Span { start: 0, end: 1 }, "AA".to_string()),
            (Span { start: 2, end: 3 }, "C".to_string()),
        ];
        assert_eq!(apply("abc", edits), "AAbC");
    }

    #[test]
    fn scope_excludes_node_modules_and_outside() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        for f in ["app/a.ts", "app/node_modules/x/b.ts", "other/c.ts"] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "").unwrap();
        }
        let scope = Scope::new(&[root.join("app")]);
        assert!(scope.allows(&root.join("app/a.ts")));
        assert!(!scope.allows(&root.join("app/node_modules/x/b.ts")));
        assert!(!scope.allows(&root.join("other/c.ts")));
        assert!(!scope.allows(&root.join("app/missing.ts")));
        let one = Scope::new(&[root.join("other/c.ts")]);
        assert!(one.allows(&root.join("other/c.ts")) && !one.allows(&root.join("app/a.ts")));
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_keeps_permissions_and_leaves_no_temp_file() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("a.ts");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&p, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }
}
