//! Fix mechanics shared by the rules: add an import (keeping the file's style), add a
//! provided layer, compute relative specifiers.

use std::path::{Component, Path, PathBuf};

use alchemy_grammar::{Expr, ExprId, Span};

use std::collections::HashMap;

use super::api::EffectMod;
use super::ctx::Ctx;
use super::diagnostic::{Diagnostic, Fix, TextEdit};
use super::symbols::Sym;
use crate::workspace::{FileId, Resolved};

/// One round of safe fixes as `alchemy-ls check --fix` applies them, and the editors' fix-all
/// (`source.fixAll.alchemy-ls`): the first safe fix of each diagnostic, in order.
pub struct SafeFixRound<'d> {
    /// The fixes taken, with their diagnostics.
    pub fixes: Vec<(&'d Diagnostic, &'d Fix)>,
    /// Safe fixes skipped because an edit of theirs is in a file `allows` rejects.
    pub skipped: usize,
}

/// The first safe fix of each diagnostic, in order; a fix with an edit in a file `allows`
/// rejects is skipped (counted), and a fix whose edits overlap or touch an edit already taken
/// waits for the next round (two insertions at one point have no defined order).
pub fn safe_fix_round<'d>(
    diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    allows: impl Fn(FileId) -> bool,
) -> SafeFixRound<'d> {
    let mut taken: HashMap<FileId, Vec<Span>> = HashMap::new();
    let mut round = SafeFixRound {
        fixes: Vec::new(),
        skipped: 0,
    };
    for d in diagnostics {
        let Some(fix) = d.fixes.iter().find(|f| f.safe) else {
            continue;
        };
        if !fix.edits.iter().all(|e| allows(e.file)) {
            round.skipped += 1;
            continue;
        }
        let conflicts = fix.edits.iter().any(|e| {
            taken
                .get(&e.file)
                .is_some_and(|t| t.iter().any(|s| s.start <= e.span.end && e.span.start <= s.end))
        });
        if conflicts {
            continue;
        }
        for e in &fix.edits {
            taken.entry(e.file).or_default().push(e.span);
        }
        round.fixes.push((d, fix));
    }
    round
}

/// `new_text` with the line breaks of `text` (CRLF when the file mostly uses them).
pub fn line_breaks_like(text: &str, new_text: &str) -> String {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count() - crlf;
    if crlf > lf {
        new_text.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        new_text.to_string()
    }
}

/// How an export is imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Default,
    Named,
}

/// The local name under which `sym` is already visible in `file`, if any.
pub fn visible_name(ctx: &Ctx, file: FileId, sym: &Sym, preferred: &str) -> Option<String> {
    if ctx
        .syms
        .resolve_name(file, preferred)
        .as_ref()
        .map(|s| ctx.syms.unalias(s.clone()))
        == Some(ctx.syms.unalias(sym.clone()))
    {
        return Some(preferred.to_string());
    }
    let facts = ctx.facts(file);
    for imp in &facts.imports {
        let names = imp
            .default
            .iter()
            .map(|b| b.name.clone())
            .chain(imp.named.iter().map(|n| n.local.clone()));
        for n in names {
            if let Some(s) = ctx.syms.resolve_name(file, &n)
                && ctx.syms.unalias(s) == ctx.syms.unalias(sym.clone())
            {
                return Some(n);
            }
        }
    }
    None
}

/// Edits that import `name` (exported by `target` as default or named) into `file`.
/// Returns no edits when `name` already resolves there. Extends an existing import of the
/// same module; otherwise adds one after the last import, in the file's quote and extension
/// style.
pub fn add_import(ctx: &Ctx, file: FileId, name: &str, target: FileId, kind: ImportKind) -> Vec<TextEdit> {
    if file == target {
        return Vec::new();
    }
    let src = ctx.ws.file(file);
    let facts = &src.facts;
    if ctx.syms.resolve_name(file, name).is_some() {
        return Vec::new();
    }
    // existing import of the module
    for (i, imp) in facts.imports.iter().enumerate() {
        if src.imports.get(i) != Some(&Resolved::File(target)) || imp.type_only || imp.namespace.is_some() {
            continue;
        }
        match kind {
            ImportKind::Default if imp.default.is_none() => {
                // `import { A } from` → `import Name, { A } from`
                if let Some(ns) = imp.named_span {
                    return vec![TextEdit {
                        file,
                        span: Span::new(ns.start as usize, ns.start as usize),
                        new_text: format!("{name}, "),
                    }];
                }
            }
            ImportKind::Named => {
                if let Some(last) = imp.named.last() {
                    return vec![TextEdit {
                        file,
                        span: Span {
                            start: last.span.end,
                            end: last.span.end,
                        },
                        new_text: format!(", {name}"),
                    }];
                }
                if let Some(ns) = imp.named_span {
                    // `import {} from`
                    let at = ns.start + 1;
                    return vec![TextEdit {
                        file,
                        span: Span { start: at, end: at },
                        new_text: format!(" {name} "),
                    }];
                }
                if let Some(d) = &imp.default {
                    return vec![TextEdit {
                        file,
                        span: Span {
                            start: d.span.end,
                            end: d.span.end,
                        },
                        new_text: format!(", {{ {name} }}"),
                    }];
                }
            }
            _ => {}
        }
    }
    let spec = specifier_for(ctx, file, target);
    let q = if facts.quote == '\'' { '\'' } else { '"' };
    let semi = if facts
        .imports
        .last()
        .map(|i| ctx.text(file, i.span).trim_end().ends_with(';'))
        .unwrap_or(true)
    {
        ";"
    } else {
        ""
    };
    let clause = match kind {
        ImportKind::Default => name.to_string(),
        ImportKind::Named => format!("{{ {name} }}"),
    };
    let line = format!("import {clause} from {q}{spec}{q}{semi}");
    match facts.imports.last() {
        Some(last) => vec![TextEdit {
            file,
            span: Span {
                start: last.span.end,
                end: last.span.end,
            },
            new_text: format!("\n{line}"),
        }],
        None => vec![TextEdit {
            file,
            span: Span { start: 0, end: 0 },
            new_text: format!("{line}\n"),
        }],
    }
}

/// The specifier for importing `target` from `file`, in the style of the file's other
/// relative imports (`.ts` extension, `.js`, or none).
pub fn specifier_for(ctx: &Ctx, file: FileId, target: FileId) -> String {
    let src = ctx.ws.file(file);
    let facts = &src.facts;
    let mut style = "ts";
    if let Some(imp) = facts.imports.iter().find(|i| i.specifier.starts_with('.')) {
        let s = &imp.specifier;
        style = if s.ends_with(".ts") || s.ends_with(".tsx") {
            "ts"
        } else if s.ends_with(".js") || s.ends_with(".jsx") {
            "js"
        } else {
            "none"
        };
    }
    let from_dir = src.path.parent().unwrap_or(Path::new("/"));
    let to = &ctx.ws.file(target).path;
    let mut rel = relative_path(from_dir, to).to_string_lossy().replace('\\', "/");
    if !rel.starts_with("../") {
        rel = format!("./{rel}");
    }
    match style {
        "js" => {
            if let Some(stem) = rel.strip_suffix(".ts") {
                rel = format!("{stem}.js");
            } else if let Some(stem) = rel.strip_suffix(".tsx") {
                rel = format!("{stem}.jsx");
            }
        }
        "none" => {
            for ext in [".ts", ".tsx"] {
                if let Some(stem) = rel.strip_suffix(ext) {
                    rel = stem.to_string();
                    break;
                }
            }
        }
        _ => {}
    }
    rel
}

pub fn relative_path(from_dir: &Path, to: &Path) -> PathBuf {
    let a: Vec<Component> = from_dir.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(b.iter()).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c.as_os_str());
    }
    out
}

/// The local name of Effect's `Effect` module in `file` (default `Effect`).
pub fn effect_name(ctx: &Ctx, file: FileId) -> String {
    let facts = ctx.facts(file);
    for imp in &facts.imports {
        for b in imp.namespace.iter().chain(imp.default.iter()) {
            if imp.specifier == "effect/Effect" {
                return b.name.clone();
            }
        }
        for n in &imp.named {
            if n.imported == "Effect" && (imp.specifier == "effect" || imp.specifier.starts_with("effect/")) {
                return n.local.clone();
            }
        }
    }
    "Effect".to_string()
}

/// Edits that add layer `name` to the provides of effect expression `e` in `file`:
/// `, L` into an existing `Effect.provide([…])`; else `, Effect.provide(L)` into an existing
/// `E.pipe(…)`; else `.pipe(Effect.provide(L))` after E.
pub fn add_provide(ctx: &Ctx, file: FileId, e: ExprId, name: &str) -> Vec<TextEdit> {
    let eff = effect_name(ctx, file);
    if let Some((_, "pipe", pargs)) = ctx.member_call(file, e) {
        for a in pargs {
            if let Some(("provide", largs)) = ctx.effect_call(file, *a, EffectMod::Effect)
                && let [l] = largs
                && let Some(Expr::Array { .. }) = ctx.kind(file, *l)
            {
                let sp = ctx.span(file, *l);
                let inner = ctx.text(file, sp);
                let trimmed = inner[..inner.len() - 1].trim_end();
                let at = sp.start + trimmed.len() as u32;
                let sep = if trimmed.ends_with('[') {
                    ""
                } else if trimmed.ends_with(',') {
                    " "
                } else {
                    ", "
                };
                return vec![TextEdit {
                    file,
                    span: Span { start: at, end: at },
                    new_text: format!("{sep}{name}"),
                }];
            }
        }
        if let Some(Expr::Call { args_span, args, .. }) = ctx.kind(file, e) {
            let inner = ctx.text(file, *args_span);
            let body = inner[..inner.len().saturating_sub(1)].trim_end();
            let at = args_span.start + body.len() as u32;
            let sep = if args.is_empty() {
                ""
            } else if body.ends_with(',') {
                " "
            } else {
                ", "
            };
            return vec![TextEdit {
                file,
                span: Span { start: at, end: at },
                new_text: format!("{sep}{eff}.provide({name})"),
            }];
        }
    }
    let sp = ctx.span(file, e);
    vec![TextEdit {
        file,
        span: Span {
            start: sp.end,
            end: sp.end,
        },
        new_text: format!(".pipe({eff}.provide({name}))"),
    }]
}

/// How module `file` exports symbol `sym`: `default`, or a name.
pub fn export_of(ctx: &Ctx, file: FileId, sym: &Sym) -> Option<(String, ImportKind)> {
    let facts = ctx.facts(file);
    let target = ctx.syms.unalias(sym.clone());
    let mut names: Vec<String> = facts
        .exports
        .iter()
        .filter_map(|e| match &e.kind {
            alchemy_grammar::ExportKind::Local { exported, .. } => Some(exported.clone()),
            alchemy_grammar::ExportKind::DefaultExpr { .. } => Some("default".into()),
            _ => None,
        })
        .collect();
    names.extend(facts.decls.iter().filter(|d| d.exported).map(|d| d.name.clone()));
    // prefer a named export
    names.sort_by_key(|n| n == "default");
    for n in names {
        if let Some(s) = ctx.syms.resolve_export(file, &n)
            && ctx.syms.unalias(s) == target
        {
            let kind = if n == "default" {
                ImportKind::Default
            } else {
                ImportKind::Named
            };
            return Some((n, kind));
        }
    }
    None
}

/// The local name to use for resource `r` in `file`, and the edits importing it if needed.
/// `None` when `r` cannot be imported (not exported).
pub fn name_in_file(ctx: &Ctx, file: FileId, r: usize) -> Option<(String, Vec<TextEdit>)> {
    let info = ctx.res.get(r);
    let sym = info.sym.clone()?;
    if let Some(n) = visible_name(ctx, file, &sym, &info.name) {
        return Some((n, Vec::new()));
    }
    if info.file == file {
        return Some((info.name.clone(), Vec::new()));
    }
    let (export, kind) = export_of(ctx, info.file, &sym)?;
    let local = if kind == ImportKind::Default {
        info.name.clone()
    } else {
        export
    };
    if ctx.syms.resolve_name(file, &local).is_some() {
        return None; // name clash: leave it to the user
    }
    Some((local.clone(), add_import(ctx, file, &local, info.file, kind)))
}

/// The local name to use in `file` for the Live of `r` (the default export or a named
/// export of the file holding `r.make(…)`), and the import edits.
pub fn live_name_in_file(ctx: &Ctx, file: FileId, r: usize) -> Option<(String, Vec<TextEdit>)> {
    let info = ctx.res.get(r);
    for &(mf, call) in ctx.makes.get(&r)? {
        // an exported const/default whose value is this make
        let facts = ctx.facts(mf);
        let mut candidates: Vec<(String, ImportKind)> = Vec::new();
        for e in &facts.exports {
            match &e.kind {
                alchemy_grammar::ExportKind::DefaultExpr { expr }
                    if ctx.live_of(mf, *expr, &Default::default()) == Some(r)
                        && contains(ctx, mf, *expr, call) =>
                {
                    candidates.push(("default".into(), ImportKind::Default));
                }
                alchemy_grammar::ExportKind::Local { exported, local, .. } => {
                    if let Some(s) = ctx.syms.resolve_name(mf, local)
                        && ctx.live_of_sym(&s, 0) == Some(r)
                    {
                        let k = if exported == "default" {
                            ImportKind::Default
                        } else {
                            ImportKind::Named
                        };
                        candidates.push((exported.clone(), k));
                    }
                }
                _ => {}
            }
        }
        for d in facts.decls.iter().filter(|d| d.exported) {
            if let alchemy_grammar::DeclKind::Var { init: Some(i), .. } = d.kind
                && ctx.live_of(mf, i, &Default::default()) == Some(r)
            {
                candidates.push((d.name.clone(), ImportKind::Named));
            }
        }
        // prefer the default export (the runtime main imports)
        candidates.sort_by_key(|c| c.1 != ImportKind::Default);
        if let Some((export, kind)) = candidates.into_iter().next() {
            if mf == file {
                return Some((export, Vec::new()));
            }
            // already imported under some name?
            let src = ctx.ws.file(file);
            for (i, imp) in src.facts.imports.iter().enumerate() {
                if src.imports.get(i) != Some(&Resolved::File(mf)) {
                    continue;
                }
                if kind == ImportKind::Default
                    && let Some(d) = &imp.default
                {
                    return Some((d.name.clone(), Vec::new()));
                }
                if let Some(n) = imp.named.iter().find(|n| n.imported == export) {
                    return Some((n.local.clone(), Vec::new()));
                }
            }
            let local = if kind == ImportKind::Default {
                format!("{}Live", info.name)
            } else {
                export
            };
            if ctx.syms.resolve_name(file, &local).is_some() {
                return None;
            }
            return Some((local.clone(), add_import(ctx, file, &local, mf, kind)));
        }
    }
    None
}

fn contains(ctx: &Ctx, file: FileId, outer: ExprId, inner: ExprId) -> bool {
    let a = ctx.span(file, outer);
    let b = ctx.span(file, inner);
    a.start <= b.start && b.end <= a.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::diagnostic::{Location, Severity};

    fn diag(rule: &'static str, fixes: Vec<(bool, u32, u32)>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: Severity::Warning,
            location: Location {
                file: FileId(0),
                span: Span { start: 0, end: 1 },
            },
            message: String::new(),
            related: Vec::new(),
            fixes: fixes
                .into_iter()
                .map(|(safe, start, end)| Fix {
                    title: String::new(),
                    edits: vec![TextEdit {
                        file: FileId(if start >= 100 { 1 } else { 0 }),
                        span: Span { start, end },
                        new_text: "x".into(),
                    }],
                    safe,
                })
                .collect(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn a_round_takes_the_first_safe_fix_and_leaves_conflicts_for_the_next() {
        let ds = vec![
            diag("a", vec![(false, 0, 1), (true, 2, 4)]), // the safe one, not the first
            diag("b", vec![(true, 4, 5)]),                // touches a's edit: next round
            diag("c", vec![(true, 3, 3)]),                // inside a's edit: next round
            diag("d", vec![(true, 6, 7)]),
            diag("e", vec![(false, 8, 9)]),    // no safe fix
            diag("f", vec![(true, 100, 101)]), // in a file the caller rejects
        ];
        let round = safe_fix_round(&ds, |f| f == FileId(0));
        let taken: Vec<&str> = round.fixes.iter().map(|(d, _)| d.rule).collect();
        assert_eq!(taken, ["a", "d"]);
        assert_eq!(round.fixes[0].1.edits[0].span, Span { start: 2, end: 4 });
        assert_eq!(round.skipped, 1);
    }

    #[test]
    fn line_breaks_follow_the_file() {
        assert_eq!(line_breaks_like("a\r\nb\r\n", "x\ny"), "x\r\ny");
        assert_eq!(line_breaks_like("a\nb\n", "x\r\ny"), "x\r\ny");
        assert_eq!(line_breaks_like("a\nb\r\nc\n", "x\ny"), "x\ny");
    }
}
