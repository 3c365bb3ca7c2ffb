//! The method names of a Durable Object's Shape: what `unknown-rpc-method` checks calls
//! against and what completion after `stub.` offers (one computation for both).
//!
//! Modular DO classes: the Shape type argument (a type literal, or an interface/alias resolved completely,
//! `extends` and intersections included); inline DOs: the object literal the inner (per-instance)
//! effect returns; RPC DOs: the procedure names of the `RpcGroup` in `schema`. `None` when the
//! Shape is not understood.

use alchemy_grammar::{DeclKind, Expr, ExprId, TypeKind, TypeNode};

use super::api::EffectMod;
use super::ctx::{Ctx, Env};
use super::model::Model;
use super::resources::Form;
use super::symbols::Sym;
use crate::workspace::FileId;

const MAX_DEPTH: u32 = 16;

/// X's method names, or `None` when the Shape is unknown.
pub fn shape_of(m: &Model, x: usize) -> Option<Vec<String>> {
    let ctx = &m.ctx;
    let info = m.res(x);
    let mut names = match info.form {
        Form::DoModular => type_keys(m, info.file, info.type_args.as_ref()?.args.get(1)?, 0)?,
        Form::DoInlineClass | Form::DoInlineValue => {
            let imp = *info.args.get(1)?;
            let mut keys = Vec::new();
            for (f, inner) in effect_returns(ctx, info.file, imp, 0)? {
                for (f2, obj) in effect_returns(ctx, f, inner, 0)? {
                    keys.extend(object_keys(ctx, f2, obj)?);
                }
            }
            keys
        }
        Form::RpcDoModular | Form::RpcDoInlineClass | Form::RpcDoInlineValue => {
            let props = ctx.object_literal(info.file, *info.args.get(1)?)?;
            let schema = ctx.prop(info.file, props, "schema")?;
            group_names(ctx, info.file, schema.value, 0)?
        }
        _ => return None,
    };
    let mut seen = rustc_hash::FxHashSet::default();
    names.retain(|n| seen.insert(n.clone()));
    Some(names)
}

/// Member names of a Shape type: a type literal, or an interface/alias resolved completely.
fn type_keys(m: &Model, file: FileId, t: &TypeNode, depth: u32) -> Option<Vec<String>> {
    if depth > MAX_DEPTH {
        return None;
    }
    match &t.kind {
        TypeKind::Object {
            members,
            opaque: false,
        } => Some(members.iter().map(|m| m.name.clone()).collect()),
        TypeKind::Intersection(items) => {
            let mut keys = Vec::new();
            for i in items {
                keys.extend(type_keys(m, file, i, depth + 1)?);
            }
            Some(keys)
        }
        TypeKind::Ref { name, .. } => named_type_keys(m, file, name, depth + 1),
        _ => None,
    }
}

fn named_type_keys(m: &Model, file: FileId, name: &str, depth: u32) -> Option<Vec<String>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let Sym::Decl { file: f2, decl } = m.resolve_dotted(file, name)? else {
        return None;
    };
    match &m.ctx.facts(f2).decls[decl].kind {
        DeclKind::TypeAlias { ty } => type_keys(m, f2, ty, depth + 1),
        DeclKind::Interface { members, extends } => {
            let mut keys: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
            for e in extends {
                keys.extend(named_type_keys(m, f2, e, depth + 1)?);
            }
            Some(keys)
        }
        _ => None,
    }
}

/// What an Effect expression returns: `Effect.gen(function* { return a })` → a;
/// `Effect.succeed(a)` → a; `Effect.sync(() => a)` → a; `E.pipe(…)` → E's; consts followed.
fn effect_returns(ctx: &Ctx, file: FileId, e: ExprId, depth: u32) -> Option<Vec<(FileId, ExprId)>> {
    if depth > MAX_DEPTH {
        return None;
    }
    match ctx.kind(file, e)? {
        Expr::Call { .. } => {
            if let Some((prop, args)) = ctx.effect_call(file, e, EffectMod::Effect) {
                return match prop {
                    "gen" | "sync" => {
                        let f = args
                            .iter()
                            .rev()
                            .find(|a| matches!(ctx.kind(file, **a), Some(Expr::Function { .. })))?;
                        let Some(Expr::Function { body, .. }) = ctx.kind(file, *f) else {
                            return None;
                        };
                        (!body.returns.is_empty()).then(|| body.returns.iter().map(|r| (file, *r)).collect())
                    }
                    "succeed" => Some(vec![(file, *args.first()?)]),
                    _ => None,
                };
            }
            match ctx.member_call(file, e) {
                Some((obj, "pipe", _)) => effect_returns(ctx, file, obj, depth + 1),
                _ => None,
            }
        }
        Expr::Ident { .. } | Expr::Member { .. } => {
            let (f2, init, _) = ctx.const_init(file, e, &Env::default())?;
            effect_returns(ctx, f2, init, depth + 1)
        }
        _ => None,
    }
}

fn object_keys(ctx: &Ctx, file: FileId, e: ExprId) -> Option<Vec<String>> {
    match ctx.kind(file, e)? {
        Expr::Object {
            props,
            has_spread: false,
        } => props.iter().map(|p| p.key.clone()).collect(),
        _ => None,
    }
}

/// The procedure names of an Effect `RpcGroup`: `RpcGroup.make(a, b, …)` whose members are
/// `Rpc.make("name", …)` (possibly chained: `.annotate(…)`, `.middleware(…)`) or consts
/// holding one; `g.add(…)`, `g.merge(other)` and group-preserving chains (`.annotate`,
/// `.middleware`, `.annotateRpcs`); followed through consts, imports and class heritage
/// (`class CounterRpcs extends RpcGroup.make(…) {}`) in any file. `None` when any part is
/// not understood (then nothing is reported).
fn group_names(ctx: &Ctx, file: FileId, e: ExprId, depth: u32) -> Option<Vec<String>> {
    if depth > MAX_DEPTH {
        return None;
    }
    match ctx.kind(file, e)? {
        Expr::Call { .. } => {
            let (obj, method, args) = ctx.member_call(file, e)?;
            match method {
                "make" if ends_with_name(ctx, file, obj, "RpcGroup") => {
                    args.iter().map(|a| rpc_name(ctx, file, *a, depth + 1)).collect()
                }
                "add" => {
                    let mut names = group_names(ctx, file, obj, depth + 1)?;
                    for a in args {
                        names.push(rpc_name(ctx, file, *a, depth + 1)?);
                    }
                    Some(names)
                }
                "merge" => {
                    let mut names = group_names(ctx, file, obj, depth + 1)?;
                    for a in args {
                        names.extend(group_names(ctx, file, *a, depth + 1)?);
                    }
                    Some(names)
                }
                "annotate" | "annotateRpcs" | "middleware" | "annotateContext" | "annotateRpcsContext" => {
                    group_names(ctx, file, obj, depth + 1)
                }
                _ => None,
            }
        }
        Expr::Ident { .. } | Expr::Member { .. } => {
            let (f2, init) = module_value(ctx, file, e)?;
            group_names(ctx, f2, init, depth + 1)
        }
        Expr::Class { class } => {
            let h = ctx.facts(file).classes.get(*class as usize)?.heritage?;
            group_names(ctx, file, h, depth + 1)
        }
        _ => None,
    }
}

/// The name of one procedure: `Rpc.make("name", …)`, a chain on it, or a const holding it.
fn rpc_name(ctx: &Ctx, file: FileId, e: ExprId, depth: u32) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    match ctx.kind(file, e)? {
        Expr::Call { .. } => {
            let (obj, method, args) = ctx.member_call(file, e)?;
            if method == "make" && ends_with_name(ctx, file, obj, "Rpc") {
                return ctx.str_value(file, *args.first()?).map(|s| s.to_string());
            }
            // `Rpc.make("x", …).annotate(…)` / `.middleware(…)` / `.setSuccess(…)` …
            rpc_name(ctx, file, obj, depth + 1)
        }
        Expr::Ident { .. } | Expr::Member { .. } => {
            let (f2, init) = module_value(ctx, file, e)?;
            rpc_name(ctx, f2, init, depth + 1)
        }
        _ => None,
    }
}

/// What a module-level name holds: a const's initialiser or a class (its expression stands
/// for its heritage), in whichever file declares it.
fn module_value(ctx: &Ctx, file: FileId, e: ExprId) -> Option<(FileId, ExprId)> {
    match ctx.syms.unalias(ctx.syms.resolve_expr(file, e)?) {
        Sym::Decl { file: f2, decl } => match &ctx.facts(f2).decls[decl].kind {
            DeclKind::Var { init: Some(init), .. } => Some((f2, *init)),
            DeclKind::Class { class } => {
                let h = ctx.facts(f2).classes.get(*class as usize)?.heritage?;
                Some((f2, h))
            }
            _ => None,
        },
        Sym::DefaultExpr { file: f2, expr } => Some((f2, expr)),
        _ => None,
    }
}

fn ends_with_name(ctx: &Ctx, file: FileId, e: ExprId, name: &str) -> bool {
    match ctx.kind(file, e) {
        Some(Expr::Ident { name: n }) => n == name,
        Some(Expr::Member { property, .. }) => property == name,
        _ => false,
    }
}
