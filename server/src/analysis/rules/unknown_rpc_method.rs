//! `unknown-rpc-method`: a method call not in the DO's Shape.
//!
//! `ns` comes from `const ns = yield* X` / `yield* X.from(…)` (X a DO or RPC DO); its uses
//! are found lexically in that function and in nested functions (handlers capture it).
//! Plain DO: `ns.getByName(…).m(…)` (directly or via a variable) with m ∉ Shape ∪ {fetch},
//! and `ns.idFromName(…)` & co. (typed, not implemented). RPC DO: `(yield* ns.getByName(…)).m(…)`
//! and `const c = yield* ns.getByName(…); c.m(…)` with m not an `Rpc.make` name.

use std::collections::HashMap;

use alchemy_grammar::{DeclKind, Expr, ExprId, FileFacts, Span, TypeKind, TypeNode};

use super::{Diag, RuleMeta};
use crate::analysis::api::EffectMod;
use crate::analysis::ctx::{Ctx, Env};
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::resources::Form;
use crate::analysis::symbols::Sym;
use crate::workspace::FileId;

pub const ID: &str = "unknown-rpc-method";

/// The rule's catalog entry (`alchemy-ls rules unknown-rpc-method`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a method call not in the DO/Worker Shape",
    description: "A call on a Durable Object stub (`counters.getByName(name).decrement()`) or a service \
binding to a method its Shape does not declare. Also reported: `idFromName`, `idFromString`, \
`newUniqueId`, `get` and `jurisdiction` on a namespace, which are typed but not implemented by Alchemy's \
runtime (use `getByName`). Calls are not checked when the Shape cannot be fully resolved; `fetch` is always \
allowed.",
    bad: r#"const counters = yield* Counter.from(WorkerA);
const n = yield* counters.getByName("global").decrement();"#,
    good: r#"const counters = yield* Counter.from(WorkerA);
const n = yield* counters.getByName("global").increment();"#,
};

/// Namespace methods typed by Alchemy but not implemented by its runtime.
const NOT_IMPLEMENTED: &[&str] = &["idFromName", "idFromString", "newUniqueId", "get", "jurisdiction"];

const MAX_DEPTH: u32 = 16;

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    let mut shapes: HashMap<usize, Option<Vec<String>>> = HashMap::new();
    for src in ctx.ws.iter() {
        let file = src.id;
        let facts = &*src.facts;
        let funcs = functions(facts);
        let mut tree: Option<Tree> = None;
        for f in &funcs {
            let Some(Expr::Function { body, .. }) = kind(facts, f.expr) else {
                continue;
            };
            let env = Env::default().with(&body.locals);
            for local in &body.locals {
                let Some(init) = local.init else { continue };
                let Some(x) = namespace_of(ctx, file, init, &env) else {
                    continue;
                };
                let rpc = m.res(x).kind == ResourceKind::RpcDurableObject;
                let shape = shapes.entry(x).or_insert_with(|| shape_of(m, x)).clone();
                let tree = tree.get_or_insert_with(|| Tree::new(facts, &src.text, &funcs));
                let found = tree.namespace_calls(&local.name, local.name_span, f.expr, rpc);
                for call in found {
                    match call {
                        Found::NotImplemented { name, span } if !rpc => {
                            let msg = format!(
                                "{name} is typed but not implemented by Alchemy's runtime; use getByName(name)."
                            );
                            Diag::new(&META, file, span, msg).push(out);
                        }
                        Found::NotImplemented { .. } => {}
                        Found::Method { name, span } => {
                            let Some(shape) = &shape else { continue };
                            if shape.contains(&name) || (!rpc && name == "fetch") {
                                continue;
                            }
                            report(m, x, rpc, shape, file, &name, span, out);
                        }
                    }
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    m: &Model,
    x: usize,
    rpc: bool,
    shape: &[String],
    file: FileId,
    name: &str,
    span: Span,
    out: &mut Vec<Diagnostic>,
) {
    let label = m.res(x).label();
    let (what, decl) = if rpc {
        ("RPC method", "schema")
    } else {
        ("method", "shape")
    };
    let listed = if shape.is_empty() {
        "no methods".to_string()
    } else {
        shape.join(", ")
    };
    let suggestion = suggest(name, shape);
    let msg = match &suggestion {
        Some(s) => format!("{label} has no {what} {name}; its {decl} declares {listed}. Did you mean {s}?"),
        None => format!(
            "{label} has no {what} {name}; its {decl} declares {listed}. Call one of those or add {name} to the {decl}."
        ),
    };
    let xr = m.res(x);
    let mut d = Diag::new(&META, file, span, msg).related(
        xr.file,
        xr.span,
        format!("{} is declared here", xr.name),
    );
    if let Some(s) = suggestion {
        d = d.fix(
            format!("Rename to {s}"),
            vec![TextEdit {
                file,
                span,
                new_text: s,
            }],
        );
    }
    d.push(out);
}

/// The closest declared name: edit distance ≤ 2 (unique best), else a unique prefix match.
pub fn suggest(name: &str, names: &[String]) -> Option<String> {
    let mut best: Option<(usize, &String)> = None;
    let mut tie = false;
    for n in names {
        let d = strsim::levenshtein(name, n);
        if d > 2 {
            continue;
        }
        match best {
            Some((bd, bn)) if d == bd && bn != n => tie = true,
            Some((bd, _)) if d >= bd => {}
            _ => {
                best = Some((d, n));
                tie = false;
            }
        }
    }
    if let Some((_, n)) = best
        && !tie
    {
        return Some(n.clone());
    }
    if name.is_empty() {
        return None;
    }
    let mut pre: Vec<&String> = names.iter().filter(|n| n.starts_with(name)).collect();
    pre.dedup();
    (pre.len() == 1).then(|| pre[0].clone())
}

// ------------------------------------------------------------------------------- namespaces

/// `yield* X` / `yield* X.from(…)` with X a (RPC) DO resource → X.
fn namespace_of(ctx: &Ctx, file: FileId, init: ExprId, env: &Env) -> Option<usize> {
    let Some(Expr::Yield {
        delegate: true,
        arg: Some(arg),
    }) = ctx.kind(file, init)
    else {
        return None;
    };
    let target = match ctx.member_call(file, *arg) {
        Some((obj, "from", _)) => obj,
        _ => *arg,
    };
    if !matches!(
        ctx.kind(file, target),
        Some(Expr::Ident { .. } | Expr::Member { .. })
    ) {
        return None;
    }
    let x = ctx.resource_of(file, target, env)?;
    let form = ctx.res.get(x).form;
    matches!(
        form,
        Form::D1 | Form::D2 | Form::D3 | Form::R1 | Form::R2 | Form::R4
    )
    .then_some(x)
}

// ------------------------------------------------------------------------------- shapes

/// X's method names, or `None` when the Shape is unknown.
pub fn shape_of(m: &Model, x: usize) -> Option<Vec<String>> {
    let ctx = &m.ctx;
    let info = m.res(x);
    let mut names = match info.form {
        Form::D1 => type_keys(m, info.file, info.type_args.as_ref()?.args.get(1)?, 0)?,
        Form::D2 | Form::D3 => {
            let imp = *info.args.get(1)?;
            let mut keys = Vec::new();
            for (f, inner) in effect_returns(ctx, info.file, imp, 0)? {
                for (f2, obj) in effect_returns(ctx, f, inner, 0)? {
                    keys.extend(object_keys(ctx, f2, obj)?);
                }
            }
            keys
        }
        Form::R1 | Form::R2 | Form::R4 => {
            let props = ctx.object_literal(info.file, *info.args.get(1)?)?;
            let schema = ctx.prop(info.file, props, "schema")?;
            group_names(ctx, info.file, schema.value, 0)?
        }
        _ => return None,
    };
    let mut seen = std::collections::HashSet::new();
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

// ------------------------------------------------------------------------------- uses

fn kind(facts: &FileFacts, e: ExprId) -> Option<&Expr> {
    facts.exprs.get(e as usize).map(|n| &n.kind)
}

/// A function expression of the file, with its span and the names of its locals.
struct Func {
    expr: ExprId,
    span: Span,
}

fn functions(facts: &FileFacts) -> Vec<Func> {
    facts
        .exprs
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n.kind, Expr::Function { .. }))
        .map(|(i, n)| Func {
            expr: i as ExprId,
            span: n.span,
        })
        .collect()
}

enum Found {
    Method { name: String, span: Span },
    NotImplemented { name: String, span: Span },
}

/// Parent links and the lexical structure of one file's expressions.
struct Tree<'f> {
    facts: &'f FileFacts,
    text: &'f str,
    parent: Vec<Option<ExprId>>,
    /// (function, local name, local init) for every function-body local.
    locals: Vec<(ExprId, &'f str, Span, ExprId)>,
    funcs: Vec<(ExprId, Span)>,
}

impl<'f> Tree<'f> {
    fn new(facts: &'f FileFacts, text: &'f str, funcs: &[Func]) -> Tree<'f> {
        let mut parent = vec![None; facts.exprs.len()];
        let mut set = |child: ExprId, p: ExprId| {
            if let Some(slot) = parent.get_mut(child as usize)
                && slot.is_none()
                && child != p
            {
                *slot = Some(p);
            }
        };
        let mut locals = Vec::new();
        for (i, n) in facts.exprs.iter().enumerate() {
            let p = i as ExprId;
            match &n.kind {
                Expr::Member { object, .. } => set(*object, p),
                Expr::Call { callee, args, .. } => {
                    set(*callee, p);
                    for a in args {
                        set(*a, p);
                    }
                }
                Expr::Object { props, .. } => {
                    for pr in props {
                        set(pr.value, p);
                    }
                }
                Expr::Array { elems, .. } => {
                    for e in elems {
                        set(*e, p);
                    }
                }
                Expr::Function { body, .. } => {
                    for r in &body.roots {
                        set(*r, p);
                    }
                    for l in &body.locals {
                        if let Some(init) = l.init {
                            set(init, p);
                            locals.push((p, l.name.as_str(), l.name_span, init));
                        }
                    }
                }
                Expr::Yield { arg: Some(a), .. } => set(*a, p),
                Expr::Other { children } => {
                    for c in children {
                        set(*c, p);
                    }
                }
                _ => {}
            }
        }
        Tree {
            facts,
            text,
            parent,
            locals,
            funcs: funcs.iter().map(|f| (f.expr, f.span)).collect(),
        }
    }

    fn kind(&self, e: ExprId) -> Option<&'f Expr> {
        kind(self.facts, e)
    }

    fn parent(&self, e: ExprId) -> Option<ExprId> {
        self.parent.get(e as usize).copied().flatten()
    }

    /// `e` is the callee of a call whose callee is `Member{object: of, property}`: the member.
    fn called_member(&self, of: ExprId) -> Option<(ExprId, &'f str, Span)> {
        let p = self.parent(of)?;
        let Some(Expr::Member {
            object,
            property,
            property_span,
        }) = self.kind(p)
        else {
            return None;
        };
        if *object != of {
            return None;
        }
        // `(x as T).m()` / `(x satisfies T).m()`: the lowering unwraps the cast, but the
        // member expression then starts before its object; a cast receiver is not checked.
        let obj_end = self
            .facts
            .exprs
            .get(of as usize)
            .map_or(0, |n| n.span.end as usize);
        let between = self.text.get(obj_end..property_span.start as usize).unwrap_or("");
        if between.contains(" as ") || between.contains("satisfies") {
            return None;
        }
        let c = self.parent(p)?;
        match self.kind(c) {
            Some(Expr::Call {
                callee,
                broken: false,
                ..
            }) if *callee == p => Some((c, property.as_str(), *property_span)),
            _ => None,
        }
    }

    /// Identifier uses of the local `name` declared in function `func` (declared at `decl`):
    /// inside `func`'s span, after the declaration, where no inner function redeclares it.
    fn uses(&self, name: &str, decl: Span, func: ExprId) -> Vec<ExprId> {
        let Some(&(_, fspan)) = self.funcs.iter().find(|(f, _)| *f == func) else {
            return Vec::new();
        };
        let declaring: Vec<(ExprId, Span)> = self
            .locals
            .iter()
            .filter(|(_, n, _, _)| *n == name)
            .filter_map(|(f, _, _, _)| self.funcs.iter().find(|(g, _)| g == f).copied())
            .collect();
        let mut out = Vec::new();
        for (i, n) in self.facts.exprs.iter().enumerate() {
            let Expr::Ident { name: n2 } = &n.kind else {
                continue;
            };
            if n2 != name || n.span.start < decl.end || n.span.end > fspan.end {
                continue;
            }
            // innermost function declaring `name` around this use
            let inner = declaring
                .iter()
                .filter(|(_, s)| s.start <= n.span.start && n.span.end <= s.end)
                .min_by_key(|(_, s)| s.len())
                .map(|(f, _)| *f);
            if inner == Some(func) {
                out.push(i as ExprId);
            }
        }
        out
    }

    /// The local a value is assigned to: (declaring function, name, name span).
    fn local_of(&self, init: ExprId) -> Option<(ExprId, &'f str, Span)> {
        self.locals
            .iter()
            .find(|l| l.3 == init)
            .map(|(f, n, s, _)| (*f, *n, *s))
    }

    /// Method calls on a stub value `v` (an expression): `v.m(…)` directly, or through
    /// `const s = v; s.m(…)`.
    fn stub_calls(&self, v: ExprId, out: &mut Vec<Found>) {
        if let Some((_, m, span)) = self.called_member(v) {
            out.push(Found::Method {
                name: m.to_string(),
                span,
            });
            return;
        }
        if let Some((f, name, span)) = self.local_of(v) {
            for u in self.uses(name, span, f) {
                if let Some((_, m, span)) = self.called_member(u) {
                    out.push(Found::Method {
                        name: m.to_string(),
                        span,
                    });
                }
            }
        }
    }

    fn namespace_calls(&self, ns: &str, decl: Span, func: ExprId, rpc: bool) -> Vec<Found> {
        let mut out = Vec::new();
        for u in self.uses(ns, decl, func) {
            let Some((call, prop, span)) = self.called_member(u) else {
                continue;
            };
            if prop == "getByName" {
                if rpc {
                    // only the yielded stub: `(yield* ns.getByName(k)).m(…)`
                    if let Some(y) = self.parent(call)
                        && matches!(self.kind(y), Some(Expr::Yield { delegate: true, arg: Some(a) }) if *a == call)
                    {
                        self.stub_calls(y, &mut out);
                    }
                } else {
                    self.stub_calls(call, &mut out);
                }
            } else if NOT_IMPLEMENTED.contains(&prop) {
                out.push(Found::NotImplemented {
                    name: prop.to_string(),
                    span,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::suggest;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn suggestions() {
        let shape = names(&["increment", "get", "reset"]);
        assert_eq!(suggest("incremnet", &shape).as_deref(), Some("increment"));
        assert_eq!(suggest("gte", &shape).as_deref(), Some("get"));
        assert_eq!(suggest("incr", &shape).as_deref(), Some("increment"));
        assert_eq!(suggest("decrement", &shape).as_deref(), Some("increment"));
        assert_eq!(suggest("delete", &shape), None);
        // ties are ambiguous
        assert_eq!(suggest("set", &names(&["get", "net"])), None);
        assert_eq!(suggest("", &shape), None);
    }
}
