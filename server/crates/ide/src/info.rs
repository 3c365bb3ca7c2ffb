//! Shared helpers for the IDE queries: the model, the resource under the cursor, labels.

use alchemy_grammar::{Expr, Span};

use super::NavTarget;
use alchemy_ls_core::analysis::Analysis;
use alchemy_ls_core::analysis::ctx::{Ctx, Env};
use alchemy_ls_core::analysis::graph::{EdgeKind, ResourceKind};
use alchemy_ls_core::analysis::model::Model;
use alchemy_ls_core::workspace::{FileId, Workspace};

pub fn model(ws: &Workspace) -> Model<'_> {
    Model::build(Ctx::new(ws))
}

/// Runs `f` on the model of `file`'s component, kept by the analysis of the snapshot (see
/// `analysis::components`); without one (an analysis of the whole workspace, or no `file`),
/// on a model of the whole workspace built for the call.
pub fn with_model<R>(ws: &Workspace, an: &Analysis, file: Option<FileId>, f: impl FnOnce(&Model) -> R) -> R {
    if let Some(m) = file
        .and_then(|file| an.components.of(file))
        .and_then(|c| c.model())
    {
        return f(m);
    }
    f(&model(ws))
}

/// What the cursor is on.
pub enum Hit {
    /// A resource name (declaration or reference); `expr` is the reference expression, if any.
    Resource { r: usize, span: Span },
    /// Inside `X.from(H)`: the call's receiver X and argument host H (if resolved).
    From {
        x: usize,
        host: Option<usize>,
        on_arg: bool,
        span: Span,
    },
}

pub fn hit(m: &Model, file: FileId, offset: u32) -> Option<Hit> {
    let ctx = &m.ctx;
    let facts = ctx.facts(file);
    // declaration names
    for (i, r) in ctx.res.list.iter().enumerate() {
        if r.file == file && r.span.contains(offset) && r.span.len() < 200 {
            return Some(Hit::Resource { r: i, span: r.span });
        }
    }
    // a name in an import statement
    for imp in &facts.imports {
        if !imp.span.contains(offset) {
            continue;
        }
        let names = imp
            .default
            .iter()
            .map(|b| (b.name.as_str(), b.span))
            .chain(imp.named.iter().map(|n| (n.local.as_str(), n.span)));
        for (name, span) in names {
            if span.contains(offset)
                && let Some(sym) = ctx.syms.resolve_name(file, name)
                && let Some(r) = ctx.res.of_sym(&ctx.syms, &sym)
            {
                return Some(Hit::Resource { r, span });
            }
        }
    }
    // smallest identifier / member chain containing the offset
    let mut best: Option<(u32, usize)> = None;
    for (i, n) in facts.exprs.iter().enumerate() {
        if !n.span.contains(offset) {
            continue;
        }
        let ok = match &n.kind {
            Expr::Ident { .. } => true,
            Expr::Member { property_span, .. } => property_span.contains(offset),
            _ => false,
        };
        if ok && best.is_none_or(|(len, _)| n.span.len() < len) {
            best = Some((n.span.len(), i));
        }
    }
    // enclosing `.from(…)` call
    let mut from_call: Option<(u32, usize)> = None;
    for c in &facts.constructs {
        if c.kind != alchemy_grammar::ConstructKind::From {
            continue;
        }
        let sp = ctx.span(file, c.expr);
        if sp.contains(offset) && from_call.is_none_or(|(len, _)| sp.len() < len) {
            from_call = Some((sp.len(), c.expr as usize));
        }
    }
    if let Some((_, e)) = best {
        let e = e as u32;
        if let Some(r) = ctx.resource_of(file, e, &Env::default()) {
            // on the receiver or the argument of a `.from` call?
            if let Some((_, call)) = from_call
                && let Some((obj, _, args)) = ctx.member_call(file, call as u32)
            {
                let on_arg = args.first().is_some_and(|a| ctx.span(file, *a).contains(offset));
                let x = ctx.resource_of(file, obj, &Env::default());
                if let (Some(x), true) = (x, on_arg || ctx.span(file, obj).contains(offset)) {
                    let host = args
                        .first()
                        .and_then(|a| ctx.resource_of(file, *a, &Env::default()));
                    return Some(Hit::From {
                        x,
                        host,
                        on_arg,
                        span: ctx.span(file, e),
                    });
                }
            }
            return Some(Hit::Resource {
                r,
                span: ctx.span(file, e),
            });
        }
    }
    if let Some((_, call)) = from_call
        && let Some((obj, _, args)) = ctx.member_call(file, call as u32)
        && let Some(x) = ctx.resource_of(file, obj, &Env::default())
    {
        let host = args
            .first()
            .and_then(|a| ctx.resource_of(file, *a, &Env::default()));
        return Some(Hit::From {
            x,
            host,
            on_arg: false,
            span: ctx.span(file, call as u32),
        });
    }
    None
}

pub fn nav(m: &Model, r: usize) -> NavTarget {
    let info = m.res(r);
    NavTarget {
        file: info.file,
        full_span: info.full_span,
        focus_span: info.span,
        name: info.name.clone(),
    }
}

pub fn site(m: &Model, file: FileId, span: Span, name: &str) -> NavTarget {
    let _ = m;
    NavTarget {
        file,
        full_span: span,
        focus_span: span,
        name: name.to_string(),
    }
}

/// Workers with a `hosts` edge to r.
pub fn hosts_of(m: &Model, r: usize) -> Vec<usize> {
    let mut v: Vec<usize> = m
        .graph()
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Hosts && e.to == r)
        .map(|e| e.from)
        .collect();
    v.sort();
    v.dedup();
    v
}

pub fn edges_to<'m>(
    m: &'m Model,
    r: usize,
    kind: EdgeKind,
) -> Vec<&'m alchemy_ls_core::analysis::graph::Edge> {
    m.graph()
        .edges
        .iter()
        .filter(|e| e.kind == kind && e.to == r)
        .collect()
}

pub fn edges_from<'m>(
    m: &'m Model,
    r: usize,
    kind: EdgeKind,
) -> Vec<&'m alchemy_ls_core::analysis::graph::Edge> {
    m.graph()
        .edges
        .iter()
        .filter(|e| e.kind == kind && e.from == r)
        .collect()
}

pub fn kind_label(k: ResourceKind) -> &'static str {
    k.label()
}

pub fn names(m: &Model, rs: &[usize]) -> String {
    let v: Vec<String> = rs.iter().map(|r| m.res(*r).name.clone()).collect();
    v.join(", ")
}
