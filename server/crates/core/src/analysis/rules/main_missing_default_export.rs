//! `main-missing-default-export`: the `main` file lacks the default export the bundle needs.
//!
//! The bundle entry does `import entrypoint from <main>` (Containers: the `handler` export),
//! so `main`'s default export must be this resource's runtime: its Live (modular), the class
//! (inline class) or the call/its const (value form). No IO: a `main` that is not in the
//! workspace index is not judged.

use std::path::{Component, Path, PathBuf};

use alchemy_grammar::{DeclKind, ExportKind, Expr, Span};

use super::{Diag, RuleMeta};
use crate::analysis::ctx::Env;
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::resources::Form;
use crate::analysis::symbols::Sym;
use crate::workspace::FileId;

pub const ID: &str = "main-missing-default-export";

/// The rule's catalog entry (`alchemy-ls rules main-missing-default-export`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "the `main` file lacks the default export the bundle needs",
    description: "The bundle of a Worker or Container imports the default export of its `main` file as \
its entry. Reported when that file is missing, has no default export, has two, or exports something other \
than this resource's runtime (for a modular Worker its layer, `WorkerA.make(...)`; for an inline Worker class \
the class). TypeScript is silent; bundling fails. `main` values that are not static, and Vite sites, are not \
checked.",
    bad: r#"// src/workerA.ts
export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}

export const WorkerALive = WorkerA.make(Effect.gen(function* () {
  return { fetch: Effect.succeed(new Response("ok")) };
}));"#,
    good: r#"// src/workerA.ts
export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}

export const WorkerALive = WorkerA.make(Effect.gen(function* () {
  return { fetch: Effect.succeed(new Response("ok")) };
}));
export default WorkerALive;"#,
};

/// What the entry export of `main` must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// A Live of the resource (`X.make(…)`).
    Live,
    /// The resource itself (inline class, value call or its const).
    Res,
    /// Any default export (W5 plain scripts).
    AnyDefault,
}

/// What an export turned out to be.
enum Found {
    Live(usize),
    Res(usize),
    Unknown,
}

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for r in 0..ctx.res.list.len() {
        let info = m.res(r);
        let expect = match info.form {
            Form::WorkerModular | Form::RpcWorkerModular | Form::ContainerClass => Expect::Live,
            Form::WorkerInline | Form::WorkerValue | Form::RpcWorkerInline | Form::ContainerValue => {
                Expect::Res
            }
            Form::WorkerAsync => Expect::AnyDefault,
            _ => continue,
        };
        for (f, obj) in ctx.props(r) {
            let Some(p) = ctx.prop(f, obj, "main") else {
                continue;
            };
            let targets: Vec<FileId> = match ctx.kind(f, p.value) {
                Some(Expr::ImportMeta { property })
                    if matches!(property.as_str(), "filename" | "url" | "path") =>
                {
                    vec![f]
                }
                Some(Expr::Str { value }) => resolve_main(m, r, f, value),
                _ => continue,
            };
            let handler = if info.kind == ResourceKind::Container {
                ctx.prop(f, obj, "handler")
                    .and_then(|h| ctx.str_value(f, h.value))
            } else {
                None
            };
            let main_span = ctx.span(f, p.value);
            for target in targets {
                if let Some(d) = judge(m, r, expect, target, handler, f, main_span) {
                    d.push(out);
                }
            }
        }
    }
}

fn judge(
    m: &Model,
    r: usize,
    expect: Expect,
    target: FileId,
    handler: Option<&str>,
    file: FileId,
    span: Span,
) -> Option<Diag> {
    let ctx = &m.ctx;
    let info = m.res(r);
    let n = &info.name;
    let what = if info.kind == ResourceKind::Container {
        "Container"
    } else {
        "Worker"
    };
    // (the words of a finding: only built for one)
    let words = || {
        let wanted = match expect {
            Expect::Live => format!("{n}.make(…)"),
            _ => n.clone(),
        };
        (rel_path(m, target), wanted)
    };
    let facts = ctx.facts(target);

    if let Some(h) = handler {
        let named = facts.exports.iter().any(|e| match &e.kind {
            ExportKind::Local { exported, .. } | ExportKind::From { exported, .. } => exported == h,
            ExportKind::Star { alias, .. } => alias.is_none() || alias.as_deref() == Some(h),
            ExportKind::DefaultExpr { .. } => false,
        }) || facts.decls.iter().any(|d| d.exported && d.name == h);
        if !named {
            let (path, wanted) = words();
            let msg = format!(
                "{n}'s main is {path}, which has no export {h}; the bundle imports the handler export {h} as the {what}'s entry, so bundling fails ([MISSING_EXPORT]). Export {wanted} as {h}."
            );
            return Some(Diag::new(&META, file, span, msg));
        }
        let sym = ctx.syms.resolve_export(target, h)?;
        return mismatch(m, r, expect, &sym).map(|other| {
            let (path, wanted) = words();
            let msg = format!(
                "{n}'s main is {path}, whose export {h} is {other}, not {n}'s runtime; the bundle imports it as the {what}'s entry. Export {wanted} as {h}."
            );
            Diag::new(&META, file, span, msg)
        });
    }

    let defaults: Vec<Span> = facts
        .exports
        .iter()
        .filter(|e| match &e.kind {
            ExportKind::Local { exported, .. } | ExportKind::From { exported, .. } => exported == "default",
            ExportKind::DefaultExpr { .. } => true,
            ExportKind::Star { .. } => false,
        })
        .map(|e| e.span)
        .collect();
    if defaults.len() >= 2 {
        let (path, wanted) = words();
        let msg = format!(
            "{n}'s main {path} has {} default exports; the bundle imports main's default export as the {what}'s entry, so bundling fails. Keep one default export: {wanted}.",
            if defaults.len() == 2 {
                "two".to_string()
            } else {
                defaults.len().to_string()
            }
        );
        let mut d = Diag::new(&META, file, span, msg);
        for s in &defaults[1..] {
            d = d.related(target, *s, "another default export");
        }
        return Some(d);
    }
    if defaults.is_empty() {
        let (path, wanted) = words();
        let msg = format!(
            "{n}'s main is {path}, which has no default export; the bundle imports main's default export as the {what}'s entry, so bundling fails ([MISSING_EXPORT]). Add export default {wanted}."
        );
        let mut d = Diag::new(&META, file, span, msg);
        if let Some((title, edit)) = append_default(m, r, expect, target) {
            d = d.fix(title, vec![edit]);
        }
        return Some(d);
    }
    if expect == Expect::AnyDefault {
        return None;
    }
    let sym = ctx.syms.resolve_export(target, "default")?;
    let other = mismatch(m, r, expect, &sym)?;
    let (path, wanted) = words();
    let msg = format!(
        "{n}'s main is {path}, whose default export is {other}, not {n}'s runtime; the bundle imports main's default export as the {what}'s entry. Make {wanted} the default export."
    );
    let mut d = Diag::new(&META, file, span, msg);
    if let Some(s) = defaults.first() {
        d = d.related(target, *s, "the default export");
    }
    Some(d)
}

/// A description of what `sym` is, when it is definitely not the expected runtime.
fn mismatch(m: &Model, r: usize, expect: Expect, sym: &Sym) -> Option<String> {
    let found = classify(m, sym);
    match (expect, found) {
        (Expect::Live, Found::Live(x)) | (Expect::Res, Found::Res(x)) if x == r => None,
        // a modular resource without any `.make` has no Live to compare with
        (Expect::Live, _) if !m.ctx.makes.contains_key(&r) => None,
        (Expect::Live, Found::Res(x)) if x == r => Some(format!("the class {} itself", m.res(x).name)),
        (_, Found::Live(x)) => Some(format!("the runtime layer of {}", m.res(x).name)),
        (_, Found::Res(x)) => Some(m.res(x).name.clone()),
        (_, Found::Unknown) => None,
    }
}

fn classify(m: &Model, sym: &Sym) -> Found {
    let ctx = &m.ctx;
    if let Some(x) = ctx.live_of_sym(sym, 0) {
        return Found::Live(x);
    }
    if let Some(x) = ctx.res.of_sym(&ctx.syms, sym) {
        return Found::Res(x);
    }
    Found::Unknown
}

/// `export default L;` for a module-level `const L = X.make(…)` (or the resource's own
/// class/const) in `target`.
fn append_default(m: &Model, r: usize, expect: Expect, target: FileId) -> Option<(String, TextEdit)> {
    let ctx = &m.ctx;
    let facts = ctx.facts(target);
    let decl = facts
        .decls
        .iter()
        .enumerate()
        .find(|(i, d)| match (&d.kind, expect) {
            (DeclKind::Var { init: Some(init), .. }, Expect::Live) => {
                ctx.live_of(target, *init, &Env::default()) == Some(r)
            }
            (DeclKind::Var { .. } | DeclKind::Class { .. }, Expect::Res) => {
                ctx.res.of_sym(
                    &ctx.syms,
                    &Sym::Decl {
                        file: target,
                        decl: *i,
                    },
                ) == Some(r)
            }
            _ => false,
        })?;
    let name = &decl.1.name;
    let stmt = ctx.text(target, decl.1.span).trim_end();
    let semi = if stmt.ends_with(';')
        || (matches!(decl.1.kind, DeclKind::Class { .. }) && uses_semicolons(m, target))
    {
        ";"
    } else {
        ""
    };
    let text = &ctx.ws.file(target).text;
    let end = text.len() as u32;
    let new_text = if text.is_empty() || text.ends_with("\n\n") {
        format!("export default {name}{semi}\n")
    } else if text.ends_with('\n') {
        format!("\nexport default {name}{semi}\n")
    } else {
        format!("\n\nexport default {name}{semi}\n")
    };
    Some((
        format!("Add export default {name}"),
        TextEdit {
            file: target,
            span: Span { start: end, end },
            new_text,
        },
    ))
}

/// Whether the file's imports end with semicolons (default yes).
fn uses_semicolons(m: &Model, file: FileId) -> bool {
    m.ctx
        .facts(file)
        .imports
        .last()
        .map(|i| m.ctx.text(file, i.span).trim_end().ends_with(';'))
        .unwrap_or(true)
}

/// A string `main`: relative to the package root of the stacks deploying the resource, else
/// of the declaring file. Only indexed files are returned.
fn resolve_main(m: &Model, r: usize, declaring: FileId, value: &str) -> Vec<FileId> {
    let mut bases: Vec<FileId> = m.stacks_of(r).iter().map(|s| m.res(*s).file).collect();
    if bases.is_empty() {
        bases.push(declaring);
    }
    let mut out = Vec::new();
    for b in bases {
        let Some(dir) = m.package_dir(b) else { continue };
        let p = normalize(&dir.join(value));
        if let Some(id) = m.ctx.ws.file_id(&p)
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

fn rel_path(m: &Model, file: FileId) -> String {
    let path = &m.ctx.ws.file(file).path;
    for root in &m.ctx.ws.roots {
        if let Ok(rel) = path.strip_prefix(root) {
            return rel.to_string_lossy().replace('\\', "/");
        }
    }
    path.display().to_string()
}
