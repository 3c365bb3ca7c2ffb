//! `unresolved-import`: an import the analysis needs cannot be resolved.

use rustc_hash::FxHashSet as HashSet;
use smallvec::SmallVec;

use alchemy_grammar::{ConstructKind, Expr, ExprId, FileFacts, TypeKind, TypeNode};

use super::{Diag, RuleMeta};
use crate::analysis::api::is_exempt_module;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::model::Model;
use crate::analysis::symbols::Sym;
use crate::workspace::Resolved;

pub const ID: &str = "unresolved-import";

/// The rule's catalog entry (`alchemy-ls rules unresolved-import`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Info,
    summary: "an import the analysis needs cannot be resolved",
    description: "An import or re-export that an Alchemy construct needs (a Deps type, a `.from` \
receiver or argument, a `yield*` operand, a provided layer, an `env` value) cannot be resolved to a \
workspace source file: the module is not found, only type declarations or a non-workspace package exist, \
or the name is not exported. Relations through it are not checked, so other rules stay silent there. \
Reported once per import declaration. Alchemy itself, `effect`, `@effect/*`, `cloudflare:*`, `node:*`, \
Node built-ins and `@cloudflare/*` are never reported.",
    bad: r#"// no workspace package, tsconfig path or file matches "@acme/backend"
import { Backend } from "@acme/backend";

const counters = yield* Counter.from(Backend);"#,
    good: r#"// package.json: "workspaces": ["packages/*"], with packages/backend named @acme/backend
import { Backend } from "@acme/backend";

const counters = yield* Counter.from(Backend);"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for src in ctx.ws.iter() {
        if !src.root {
            continue;
        }
        let facts = &src.facts;
        // What the file's constructs use: read only once an import could be reported (an
        // import that resolves needs no look at the file's constructs).
        let mut needed: Option<HashSet<&str>> = None;
        for (i, imp) in facts.imports.iter().enumerate() {
            let bindings: SmallVec<[&str; 4]> = imp
                .default
                .iter()
                .map(|b| b.name.as_str())
                .chain(imp.namespace.iter().map(|b| b.name.as_str()))
                .chain(imp.named.iter().map(|n| n.local.as_str()))
                .collect();
            let target = src.imports.get(i);
            if bindings.is_empty()
                || matches!(target, None | Some(Resolved::Opaque { .. }))
                || is_exempt_module(&ctx.packages, &imp.specifier)
            {
                continue;
            }
            // For a workspace module: the bindings whose name it does not export.
            let unresolved: SmallVec<[&str; 2]> = match target {
                Some(Resolved::File(_)) => {
                    let u: SmallVec<[&str; 2]> = bindings
                        .iter()
                        .copied()
                        .filter(|l| matches!(ctx.syms.resolve_name(src.id, l), Some(Sym::Unresolved { .. })))
                        .collect();
                    if u.is_empty() {
                        continue;
                    }
                    u
                }
                _ => SmallVec::new(),
            };
            let needed = needed.get_or_insert_with(|| needed_names(facts));
            let used: Vec<&str> = bindings.into_iter().filter(|l| needed.contains(l)).collect();
            if used.is_empty() {
                continue;
            }
            let reason = match target {
                Some(Resolved::NotFound { reason }) => reason.clone(),
                Some(Resolved::External { .. }) => {
                    "not a workspace source: only an installed package or type declarations match".into()
                }
                Some(Resolved::File(_)) => {
                    // names not exported by the target
                    let missing: Vec<&str> = used.iter().copied().filter(|l| unresolved.contains(l)).collect();
                    if missing.is_empty() {
                        continue;
                    }
                    let names: Vec<String> = imp
                        .named
                        .iter()
                        .filter(|n| missing.contains(&n.local.as_str()))
                        .map(|n| n.imported.clone())
                        .chain(
                            imp.default
                                .iter()
                                .filter(|b| missing.contains(&b.name.as_str()))
                                .map(|_| "default".to_string()),
                        )
                        .collect();
                    format!("the module does not export {}", names.join(", "))
                }
                Some(Resolved::Opaque { .. }) | None => continue,
            };
            let msg = format!(
                "Cannot resolve \"{}\" ({reason}); relations through {} are unchecked.",
                imp.specifier,
                used.join(", ")
            );
            Diag::new(&META, src.id, imp.specifier_span, msg).push(out);
        }
    }
}

/// Root identifiers that Alchemy constructs of a file use: `.from` receivers and arguments,
/// `yield*` operands, provided layers, factory type arguments and props.
fn needed_names<'f>(facts: &'f FileFacts) -> HashSet<&'f str> {
    let mut out = HashSet::default();
    let root = |e: ExprId, out: &mut HashSet<&'f str>| {
        let mut cur = e;
        for _ in 0..16 {
            match facts.exprs.get(cur as usize).map(|n| &n.kind) {
                Some(Expr::Ident { name }) => {
                    out.insert(name.as_str());
                    return;
                }
                Some(Expr::Member { object, .. }) => cur = *object,
                _ => return,
            }
        }
    };
    for c in &facts.constructs {
        let Some(Expr::Call {
            callee,
            args,
            type_args,
            ..
        }) = facts.exprs.get(c.expr as usize).map(|n| &n.kind)
        else {
            if let (ConstructKind::YieldStar, Some(Expr::Yield { arg: Some(a), .. })) =
                (c.kind, facts.exprs.get(c.expr as usize).map(|n| &n.kind))
            {
                root(*a, &mut out);
            }
            continue;
        };
        match c.kind {
            ConstructKind::From | ConstructKind::Make => {
                root(*callee, &mut out);
                for a in args {
                    root(*a, &mut out);
                }
            }
            ConstructKind::Provide | ConstructKind::Binder => {
                for a in args {
                    root(*a, &mut out);
                }
            }
            ConstructKind::ClassFactory => {
                if let Some(Expr::Call {
                    type_args: Some(ta), ..
                }) = facts.exprs.get(*callee as usize).map(|n| &n.kind)
                {
                    for t in &ta.args {
                        type_names(t, &mut out);
                    }
                }
            }
            ConstructKind::ValueFactory => {
                if let Some(ta) = type_args {
                    for t in &ta.args {
                        type_names(t, &mut out);
                    }
                }
            }
            ConstructKind::YieldStar => {}
        }
    }
    out
}

fn type_names<'f>(t: &'f TypeNode, out: &mut HashSet<&'f str>) {
    match &t.kind {
        TypeKind::Ref { name, args } => {
            out.insert(name.split('.').next().unwrap_or(name));
            for a in args {
                type_names(a, out);
            }
        }
        TypeKind::Union(v) | TypeKind::Intersection(v) | TypeKind::Tuple(v) => {
            for a in v {
                type_names(a, out);
            }
        }
        TypeKind::Array(a) => type_names(a, out),
        TypeKind::Typeof(n) => {
            out.insert(n.split('.').next().unwrap_or(n));
        }
        _ => {}
    }
}
