//! `unknown-rpc-method`: a method call not in the DO's Shape.
//!
//! `ns` comes from `const ns = yield* X` / `yield* X.from(…)` (X a DO or RPC DO); its uses
//! are found lexically in that function and in nested functions (handlers capture it).
//! Plain DO: `ns.getByName(…).m(…)` (directly or via a variable) with m ∉ Shape ∪ {fetch},
//! and `ns.idFromName(…)` & co. (typed, not implemented). RPC DO: `(yield* ns.getByName(…)).m(…)`
//! and `const c = yield* ns.getByName(…); c.m(…)` with m not an `Rpc.make` name.

use rustc_hash::FxHashMap as HashMap;

use alchemy_grammar::{ConstructKind, Expr, ExprId, FileFacts, Span};

use super::{Diag, RuleMeta};
use crate::analysis::ctx::{Ctx, Env};
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::shape::shape_of;
use crate::analysis::resources::Form;
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


pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    let mut shapes: HashMap<usize, Option<Vec<String>>> = HashMap::default();
    for src in ctx.ws.iter() {
        let file = src.id;
        let facts = &*src.facts;
        // A namespace local is `const ns = yield* …`: a file without `yield*` has none.
        if !facts.constructs.iter().any(|c| c.kind == ConstructKind::YieldStar) {
            continue;
        }
        let funcs = functions(facts);
        let mut tree: Option<Tree> = None;
        for f in &funcs {
            let Some(Expr::Function { body, .. }) = kind(facts, f.expr) else {
                continue;
            };
            // Only `const ns = yield* …` can bind a namespace: no environment to build otherwise.
            let yields = |l: &alchemy_grammar::Local| {
                l.init.is_some_and(|i| {
                    matches!(
                        kind(facts, i),
                        Some(Expr::Yield {
                            delegate: true,
                            arg: Some(_)
                        })
                    )
                })
            };
            if !body.locals.iter().any(yields) {
                continue;
            }
            let env = ctx.with_locals(&Env::default(), &body.locals);
            for local in &body.locals {
                let Some(init) = local.init else { continue };
                let Some(x) = namespace_of(ctx, file, init, &env) else {
                    continue;
                };
                let rpc = m.res(x).kind == ResourceKind::RpcDurableObject;
                let shape = shapes.entry(x).or_insert_with(|| shape_of(m, x));
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
                            let Some(shape) = shape.as_deref() else { continue };
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
        Form::DoModular | Form::DoInlineClass | Form::DoInlineValue | Form::RpcDoModular | Form::RpcDoInlineClass | Form::RpcDoInlineValue
    )
    .then_some(x)
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

/// The file's functions in expression order.
fn functions(facts: &FileFacts) -> Vec<Func> {
    let mut v: Vec<Func> = facts
        .functions
        .iter()
        .filter_map(|&f| {
            Some(Func {
                expr: f,
                span: facts.exprs.get(f as usize)?.span,
            })
        })
        .collect();
    v.sort_unstable_by_key(|f| f.expr);
    v
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
