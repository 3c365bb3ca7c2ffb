//! `deprecated-api`: stale API name or form for the installed version.
//!
//! Version-independent triggers: (1) `bindings:` in Worker/Vite props → `env`; (2)
//! `toPromiseApi` → `toRpcAsync`; (3) the old Workflow body (the outer effect returns an
//! `Effect.gen`). Version-dependent ones (4) need the installed `alchemy` version of a file,
//! see [`alchemy_version`].

use alchemy_grammar::{Expr, Span};

use super::{Diag, RuleMeta};
use crate::analysis::api::{Api, EffectMod, classify, is_alchemy_module};
use crate::analysis::diagnostic::{Diagnostic, Severity, Tag, TextEdit};
use crate::analysis::gates;
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::resources::{Form, ResInfo};
use crate::analysis::symbols::Sym;
use crate::workspace::FileId;

pub const ID: &str = "deprecated-api";

/// The rule's catalog entry (`alchemy-ls rules deprecated-api`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Warning,
    summary: "stale API name or form for the installed version",
    description: "Reports API names and forms that the installed Alchemy version no longer (or not yet) \
has: `bindings:` in Worker props (now `env`), `toPromiseApi` (now `toRpcAsync`), the old Workflow body, \
`DurableObjectNamespace` versus `DurableObject` and `RpcDurableObjectNamespace` versus `RpcDurableObject`, \
props in the class call versus in `.make(props, impl)`, `Container.bind`/`bindContainer` versus container \
layers, and `Cloudflare.Vite` versus `Cloudflare.Website.Vite`. The version is read from \
`node_modules/alchemy/package.json` or the nearest `package.json`; version checks are skipped when it is \
unknown.",
    bad: r#"export default Cloudflare.Worker(
  "Api",
  { main: import.meta.filename, bindings: { Bucket } },
  Effect.gen(function* () {
    return { fetch: Effect.succeed(new Response("ok")) };
  }),
);"#,
    good: r#"export default Cloudflare.Worker(
  "Api",
  { main: import.meta.filename, env: { Bucket } },
  Effect.gen(function* () {
    return { fetch: Effect.succeed(new Response("ok")) };
  }),
);"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let mut found = Vec::new();
    bindings_prop(m, &mut found);
    to_promise_api(m, &mut found);
    old_workflow_body(m, &mut found);
    versioned_names(m, &mut found);
    versioned_forms(m, &mut found);
    out.extend(found.into_iter().filter(|d| judged(m, d.location.file)));
}

/// The installed `alchemy` version of a file as its beta number (see [`gates::beta_of`]);
/// an unknown version keeps every version-dependent trigger silent.
pub fn alchemy_version(m: &Model, file: FileId) -> Option<u32> {
    gates::beta_of(m.ctx.ws, file)
}

/// The first beta that reads `env` (before it, `bindings` was the prop).
const ENV_PROP_BETA: u32 = 45;

/// Whether a finding in `file` may be reported: never against a version alchemy-ls does not
/// check (before beta.39: `unsupported-version` says so once).
fn judged(m: &Model, file: FileId) -> bool {
    !gates::unsupported(m.ctx.ws, file)
}

// (1) `bindings:` → `env`
fn bindings_prop(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for r in 0..ctx.res.list.len() {
        if m.res(r).kind != ResourceKind::Worker {
            continue;
        }
        for (f, obj) in ctx.props(r) {
            let Some(p) = ctx.prop(f, obj, "bindings") else {
                continue;
            };
            // `bindings` is the current prop before beta.45
            if alchemy_version(m, f).is_some_and(|b| b < ENV_PROP_BETA) {
                continue;
            }
            let key_text = ctx.text(f, p.key_span);
            let quote = key_text
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\''))
                .map(String::from)
                .unwrap_or_default();
            let msg = "bindings was renamed to env (beta.45) and is no longer read, so these bindings are never created; rename it to env.";
            let mut d = Diag::new(&META, f, p.key_span, msg).tag(Tag::Deprecated);
            if ctx.prop(f, obj, "env").is_none() {
                d = d.safe_fix(
                    "Rename bindings to env",
                    vec![TextEdit {
                        file: f,
                        span: p.key_span,
                        new_text: format!("{quote}env{quote}"),
                    }],
                );
            }
            d.push(out);
        }
    }
}

// (2) `toPromiseApi` → `toRpcAsync`
fn to_promise_api(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    let msg =
        "toPromiseApi was renamed to toRpcAsync and the old name no longer exists (TS2339); use toRpcAsync.";
    for src in ctx.ws.iter() {
        // both forms spell the name out (a text search is cheaper than a walk over every
        // expression of every file)
        if !src.text.contains("toPromiseApi") {
            continue;
        }
        let file = src.id;
        let facts = &*src.facts;
        // named imports: `import { toPromiseApi } from "alchemy/Cloudflare"`
        for imp in &facts.imports {
            for n in &imp.named {
                if n.imported != "toPromiseApi" || !is_stale(m, file, &n.local) {
                    continue;
                }
                let name_span = Span {
                    start: n.span.start,
                    end: n.span.start + "toPromiseApi".len() as u32,
                };
                if ctx.text(file, name_span) != "toPromiseApi" {
                    continue;
                }
                let mut edits = vec![TextEdit {
                    file,
                    span: name_span,
                    new_text: "toRpcAsync".into(),
                }];
                if n.local == n.imported {
                    for node in &facts.exprs {
                        if matches!(&node.kind, Expr::Ident { name } if name == "toPromiseApi")
                            && node.span != name_span
                            && ctx.text(file, node.span) == "toPromiseApi"
                        {
                            edits.push(TextEdit {
                                file,
                                span: node.span,
                                new_text: "toRpcAsync".into(),
                            });
                        }
                    }
                }
                Diag::new(&META, file, name_span, msg)
                    .tag(Tag::Deprecated)
                    .safe_fix("Rename toPromiseApi to toRpcAsync", edits)
                    .push(out);
            }
        }
        // member uses: `Cloudflare.toPromiseApi(…)`
        for (i, node) in facts.exprs.iter().enumerate() {
            let Expr::Member {
                property,
                property_span,
                ..
            } = &node.kind
            else {
                continue;
            };
            if property != "toPromiseApi" || ctx.api(file, i as u32) != Some(Api::ToPromiseApi) {
                continue;
            }
            Diag::new(&META, file, *property_span, msg)
                .tag(Tag::Deprecated)
                .safe_fix(
                    "Rename toPromiseApi to toRpcAsync",
                    vec![TextEdit {
                        file,
                        span: *property_span,
                        new_text: "toRpcAsync".into(),
                    }],
                )
                .push(out);
        }
    }
}

/// A local name bound to Alchemy's `toPromiseApi`.
fn is_stale(m: &Model, file: FileId, local: &str) -> bool {
    matches!(
        m.ctx.syms.resolve_name(file, local),
        Some(Sym::External { module, name }) if is_alchemy_module(&m.ctx.packages, &module) && classify(&name) == Api::ToPromiseApi
    )
}

// (3) old Workflow body: `Workflow(…, Effect.gen(function* () { return Effect.gen(…) }))`
fn old_workflow_body(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for r in 0..ctx.res.list.len() {
        let info = m.res(r);
        if !matches!(info.form, Form::WorkflowClass | Form::WorkflowValue) {
            continue;
        }
        for (f, imp) in ctx.impls(r) {
            let mut outer = imp;
            while let Some((obj, "pipe", _)) = ctx.member_call(f, outer) {
                outer = obj;
            }
            let Some(("gen", args)) = ctx.effect_call(f, outer, EffectMod::Effect) else {
                continue;
            };
            let Some(g) = args
                .iter()
                .rev()
                .find(|a| matches!(ctx.kind(f, **a), Some(Expr::Function { .. })))
            else {
                continue;
            };
            let Some(Expr::Function { body, .. }) = ctx.kind(f, *g) else {
                continue;
            };
            for ret in &body.returns {
                let Some(("gen", _)) = ctx.effect_call(f, *ret, EffectMod::Effect) else {
                    continue;
                };
                let Some(Expr::Call { callee, .. }) = ctx.kind(f, *ret) else {
                    continue;
                };
                let n = &info.name;
                let msg = format!(
                    "Workflow {n}'s body returns Effect.gen(…), the old Workflow form; the body is now a function of the workflow input: return Effect.fn(function* (input) {{ … }})."
                );
                Diag::new(&META, f, ctx.span(f, *callee), msg)
                    .tag(Tag::Deprecated)
                    .push(out);
            }
        }
    }
}

// (4a, 4b, 4f) names that depend on the installed version; silent while the version is unknown.
fn versioned_names(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for info in &ctx.res.list {
        let file = info.file;
        let Some(beta) = alchemy_version(m, file) else {
            continue;
        };
        let (old, new) = match info.api {
            Api::DurableObject { new_name: false } if beta >= 59 => {
                ("DurableObjectNamespace", "DurableObject")
            }
            Api::RpcDurableObject { new_name: false } if beta >= 59 => {
                ("RpcDurableObjectNamespace", "RpcDurableObject")
            }
            Api::DurableObject { new_name: true } if beta <= 58 => {
                ("DurableObject", "DurableObjectNamespace")
            }
            Api::RpcDurableObject { new_name: true } if beta <= 58 => {
                ("RpcDurableObject", "RpcDurableObjectNamespace")
            }
            Api::Site if beta >= 59 && ctx.text(file, ctx.span(file, info.callee)).ends_with(".Vite") => {
                let Some(Expr::Member { property_span, .. }) = ctx.kind(file, info.callee) else {
                    continue;
                };
                if ctx
                    .text(file, ctx.span(file, info.callee))
                    .ends_with("Website.Vite")
                    || origin(m, info) != Origin::Alchemy
                {
                    continue;
                }
                let msg =
                    format!("Vite moved to Website.Vite in alchemy beta.{beta} (TS2339); use Website.Vite.");
                Diag::new(&META, file, *property_span, msg)
                    .tag(Tag::Deprecated)
                    .safe_fix(
                        "Use Website.Vite",
                        vec![TextEdit {
                            file,
                            span: *property_span,
                            new_text: "Website.Vite".into(),
                        }],
                    )
                    .push(out);
                continue;
            }
            _ => continue,
        };
        let (span, fixable) = match ctx.kind(file, info.callee) {
            Some(Expr::Member { property_span, .. }) => (*property_span, true),
            _ => (ctx.span(file, info.callee), false),
        };
        if ctx.text(file, span) != old || origin(m, info) != Origin::Alchemy {
            continue;
        }
        let msg = format!("{old} is named {new} in the installed alchemy (beta.{beta}); use {new}.");
        let mut d = Diag::new(&META, file, span, msg).tag(Tag::Deprecated);
        if fixable {
            d = d.safe_fix(
                format!("Rename to {new}"),
                vec![TextEdit {
                    file,
                    span,
                    new_text: new.into(),
                }],
            );
        }
        d.push(out);
    }
}

/// Where a resource's factory comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// An external module other than the fork.
    Alchemy,
    /// The fork (always G1, never versioned).
    Fork,
    /// Not an external module's member.
    Other,
}

/// A resource's [`Origin`]: its factory resolved, only for a resource about to be reported
/// (few are).
fn origin(m: &Model, info: &ResInfo) -> Origin {
    match m.ctx.syms.resolve_expr(info.file, info.callee) {
        Some(Sym::External { module, .. }) if gates::is_fork_module(&module) => Origin::Fork,
        Some(Sym::External { .. }) => Origin::Alchemy,
        _ => Origin::Other,
    }
}

// (4c) props in a 2-argument class call with ≥ beta.58; (4d) `.make(props, impl)` with beta.49;
// (4e) `Container.bind` / `bindContainer` with ≥ beta.58.
fn versioned_forms(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for (r, info) in ctx.res.list.iter().enumerate() {
        if info.class.is_none() {
            continue;
        }
        // (the factory is resolved only for a resource about to be reported)
        let from_fork = std::cell::OnceCell::new();
        let from_fork = || *from_fork.get_or_init(|| origin(m, info) == Origin::Fork);
        let Some(beta) = alchemy_version(m, info.file) else {
            continue;
        };
        // (4c)
        let two_arg_props = match info.api {
            Api::Worker => info.form == Form::WorkerModular && info.args.len() == 2,
            // Container<Self, Shape> with `.make`; not the image container `Container<Self>()(id, props)`
            Api::Container => {
                info.args.len() == 2
                    && info.type_args.as_ref().is_some_and(|t| t.args.len() >= 2)
                    && ctx.makes.contains_key(&r)
            }
            Api::RpcWorker => {
                info.form == Form::RpcWorkerModular
                    && info.args.get(1).is_some_and(|p| match ctx.kind(info.file, *p) {
                        Some(Expr::Object { props, .. }) => {
                            props.iter().any(|pp| pp.key.as_deref() != Some("schema"))
                        }
                        _ => false,
                    })
            }
            _ => false,
        };
        if beta >= 58 && two_arg_props && !from_fork() {
            let props_span = ctx.span(info.file, info.args[1]);
            let msg = format!(
                "Since alchemy beta.58, {}'s props belong in the first argument of {}.make(props, impl), not in the class call (TS2554); move them to each .make(…).",
                info.name, info.name
            );
            Diag::new(&META, info.file, props_span, msg)
                .tag(Tag::Deprecated)
                .push(out);
        }
        // (4d)
        if beta <= 49 && info.form.is_modular() {
            for &(f, call) in ctx.makes.get(&r).map(|v| v.as_slice()).unwrap_or(&[]) {
                if let Some(props) = ctx.make_props(f, call)
                    && matches!(info.api, Api::Worker | Api::RpcWorker | Api::Container)
                    && !from_fork()
                {
                    let msg = format!(
                        "alchemy beta.{beta} takes {}'s props in the class call ({}<{}>()(id, props)) and only the implementation in .make(impl); move the props to the class call.",
                        info.name,
                        ctx.text(info.file, ctx.span(info.file, info.callee)),
                        info.name
                    );
                    Diag::new(&META, f, ctx.span(f, props), msg)
                        .tag(Tag::Deprecated)
                        .push(out);
                }
            }
        }
    }
    // (4e)
    for src in ctx.ws.iter() {
        let file = src.id;
        let Some(beta) = alchemy_version(m, file) else {
            continue;
        };
        if beta < 58 {
            continue;
        }
        for c in &src.facts.constructs {
            let Some(Expr::Call { callee, args, .. }) = ctx.kind(file, c.expr) else {
                continue;
            };
            let api = ctx.api(file, *callee);
            if !matches!(api, Some(Api::ContainerBind | Api::BindContainer)) {
                continue;
            }
            if gates::from_fork(&ctx.syms, file, *callee) {
                continue;
            }
            let c_name = args
                .first()
                .map(|a| ctx.text(file, ctx.span(file, *a)))
                .unwrap_or("Sandbox");
            let layer = if beta >= 59 {
                format!("Cloudflare.Containers.layer({c_name})")
            } else {
                format!("Cloudflare.layerContainer({c_name})")
            };
            let msg = format!(
                "{} is gone in alchemy beta.{beta} (Container.bind is Function.prototype.bind there); bind the container with yield* {c_name} and provide {layer} on the Durable Object's init.",
                ctx.text(file, ctx.span(file, *callee))
            );
            Diag::new(&META, file, ctx.span(file, *callee), msg)
                .tag(Tag::Deprecated)
                .push(out);
        }
    }
}
