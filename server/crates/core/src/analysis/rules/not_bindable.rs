//! `not-bindable`: a value that cannot be bound, or not at this place.

use alchemy_grammar::{ConstructKind, Expr};

use super::{Diag, RuleMeta};
use crate::analysis::api::Api;
use crate::analysis::ctx::Env;
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::fixes::name_in_file;
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::resources::Form;
use crate::analysis::scopes::{EvKind, FromArg};

pub const ID: &str = "not-bindable";

/// The rule's catalog entry (`alchemy-ls rules not-bindable`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a value that cannot be bound, or not at this place",
    description: "Reports bindings that cannot work: `.from` or `.make` on a resource that has none \
(inline Durable Objects, Workflows, inline Workers), calling them on a runtime layer instead of the class, \
`Counter.from(...)` with something other than a Worker, `bindWorker`/`RpcWorker.bind` with something other \
than a Worker, `SomeWorker.bind(...)` (that is JavaScript's `Function.prototype.bind`), a container binding \
outside a Durable Object's outer init, `yield*` of a Durable Object or Workflow class or `X.from(...)` \
directly in a stack, and an RPC Durable Object descriptor with `scriptName` (dropped at run time).",
    bad: r#"// object.ts: export default Counter.make(...)
import Counter from "./object.ts";

const counters = yield* Counter.from(WorkerA);"#,
    good: r#"import { Counter } from "./object.ts";

const counters = yield* Counter.from(WorkerA);"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    let env = Env::default();
    // (1), (2), (5), (4): per construct
    for src in ctx.ws.iter() {
        let file = src.id;
        for c in &src.facts.constructs {
            if ctx.is_broken_call(file, c.expr) {
                continue;
            }
            match c.kind {
                ConstructKind::From | ConstructKind::Make => {
                    let Some((obj, prop, _)) = ctx.member_call(file, c.expr) else {
                        continue;
                    };
                    let recv_span = ctx.span(file, obj);
                    let recv = ctx.text(file, recv_span);
                    if let Some(r) = ctx.resource_of(file, obj, &env) {
                        let rr = m.res(r);
                        let lacks = match prop {
                            "from" => !rr.form.is_bindable_do(),
                            _ => !rr.form.is_modular(),
                        };
                        if !lacks {
                            continue;
                        }
                        let msg = match (prop, rr.kind) {
                            ("from", ResourceKind::Worker) => format!(
                                "{recv} is a Worker and has no .from; .from binds Durable Objects. Bind a Worker with Cloudflare.bindWorker({recv}) or list it in env."
                            ),
                            ("from", ResourceKind::Workflow) => format!(
                                "{recv} is a Workflow and has no .from; it is hosted by the Worker that yields it. Use yield* {recv} in that Worker."
                            ),
                            ("from", _) => format!(
                                "{recv} is inline and has no .from; it is hosted by the Worker that yields it. Use the modular form to bind it elsewhere."
                            ),
                            _ => format!(
                                "{recv} is an inline {} and has no .make; its implementation is the factory's last argument.",
                                kind_word(rr.kind)
                            ),
                        };
                        Diag::new(&META, file, recv_span, msg)
                            .related(rr.file, rr.span, format!("{} is declared here", rr.name))
                            .push(out);
                    } else if let Some(x) = ctx.live_of(file, obj, &env) {
                        let xr = m.res(x);
                        let msg = format!(
                            "{recv} here is the runtime layer ({}), not the class; import {{ {} }} instead.",
                            live_origin(m, file, obj),
                            xr.name
                        );
                        let mut d = Diag::new(&META, file, recv_span, msg).related(
                            xr.file,
                            xr.span,
                            format!("{} is declared here", xr.name),
                        );
                        if let Some(fix) = default_to_named(m, file, obj, &xr.name) {
                            d = d.fix(format!("Import {{ {} }} instead", xr.name), fix);
                        }
                        d.push(out);
                    }
                }
                ConstructKind::Binder => {
                    let Some(Expr::Call { callee, args, .. }) = ctx.kind(file, c.expr) else {
                        continue;
                    };
                    let api = ctx.api(file, *callee);
                    // (5) Worker.bind / SomeWorkerClass.bind
                    if let Some(Expr::Member { object, property, .. }) = ctx.kind(file, *callee)
                        && property == "bind"
                    {
                        let on_worker_class = ctx
                            .resource_of(file, *object, &env)
                            .is_some_and(|r| m.res(r).kind == ResourceKind::Worker);
                        if api == Some(Api::FunctionBind) || on_worker_class {
                            let sp = ctx.span(file, *callee);
                            let text = ctx.text(file, sp);
                            let msg = format!(
                                "{text} is Function.prototype.bind, not a binding: it binds nothing and yielding it throws. Use Cloudflare.bindWorker(…)."
                            );
                            let mut d = Diag::new(&META, file, sp, msg);
                            if api == Some(Api::FunctionBind)
                                && let Some(Expr::Member { object: ns, .. }) = ctx.kind(file, *object)
                            {
                                let ns_text = ctx.text(file, ctx.span(file, *ns));
                                d = d.fix(
                                    "Use bindWorker",
                                    vec![TextEdit {
                                        file,
                                        span: sp,
                                        new_text: format!("{ns_text}.bindWorker"),
                                    }],
                                );
                            }
                            d.push(out);
                            continue;
                        }
                    }
                    // (4) bindWorker(A) with A not a Worker
                    if matches!(api, Some(Api::BindWorker | Api::RpcWorkerBind))
                        && let Some(a) = args.first()
                    {
                        let target = ctx.resource_of(file, *a, &env);
                        let bad = match target {
                            Some(t) => {
                                m.res(t).kind != ResourceKind::Worker
                                    || (api == Some(Api::RpcWorkerBind)
                                        && !matches!(
                                            m.res(t).form,
                                            Form::RpcWorkerModular | Form::RpcWorkerInline
                                        ))
                            }
                            None => ctx.live_of(file, *a, &env).is_some(),
                        };
                        if bad {
                            let sp = ctx.span(file, *a);
                            let what = if api == Some(Api::RpcWorkerBind) {
                                "an RpcWorker"
                            } else {
                                "a Worker"
                            };
                            let msg = format!(
                                "{} is not {what} class, so it cannot be bound here; pass {what} class.",
                                ctx.text(file, sp)
                            );
                            Diag::new(&META, file, sp, msg).push(out);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // (3) X.from(A) with A a DO, Live, Workflow or Stack; (7) in a stack's own scope
    let mut owners: Vec<&usize> = m.scopes.keys().collect();
    owners.sort();
    for &o in owners {
        let okind = m.res(o).kind;
        for ev in &m.scopes[&o].events {
            match &ev.kind {
                EvKind::From {
                    x,
                    arg,
                    arg_expr: Some(a),
                    ..
                } if m.res(*x).form.is_bindable_do() => {
                    let asp = ctx.span(ev.file, *a);
                    let atext = ctx.text(ev.file, asp);
                    match arg {
                        FromArg::Live(w) if m.res(*w).kind == ResourceKind::Worker => {
                            let wn = &m.res(*w).name;
                            let msg = format!(
                                "{atext} is {wn}'s runtime layer, not the Worker class; pass the class: {}.from({wn}).",
                                m.res(*x).name
                            );
                            let mut d = Diag::new(&META, ev.file, asp, msg);
                            if let Some((name, mut edits)) = name_in_file(ctx, ev.file, *w) {
                                edits.insert(
                                    0,
                                    TextEdit {
                                        file: ev.file,
                                        span: asp,
                                        new_text: name.clone(),
                                    },
                                );
                                d = d.fix(format!("Pass {name}"), edits);
                            }
                            d.push(out);
                        }
                        FromArg::Live(_) => {
                            let msg = format!(
                                "{atext} is a runtime layer, not a Worker; .from takes the Worker class that hosts {}.",
                                m.res(*x).name
                            );
                            Diag::new(&META, ev.file, asp, msg).push(out);
                        }
                        FromArg::Res(r) if m.res(*r).kind != ResourceKind::Worker => {
                            let msg = format!(
                                "{atext} is a {}, not a Worker; .from takes the Worker class that hosts {}.",
                                kind_word(m.res(*r).kind),
                                m.res(*x).name
                            );
                            Diag::new(&META, ev.file, asp, msg).push(out);
                        }
                        _ => {}
                    }
                    if okind == ResourceKind::Stack {
                        let msg = format!(
                            "{} is bound in stack {}'s own effect; bindings belong in a Worker's implementation.",
                            m.res(*x).name,
                            m.res(o)
                                .logical_id
                                .clone()
                                .unwrap_or_else(|| m.res(o).name.clone())
                        );
                        Diag::new(&META, ev.file, ev.span, msg).push(out);
                    }
                }
                EvKind::Yield { target } if okind == ResourceKind::Stack => {
                    let t = m.res(*target);
                    if matches!(
                        t.kind,
                        ResourceKind::DurableObject | ResourceKind::RpcDurableObject | ResourceKind::Workflow
                    ) {
                        let msg = format!(
                            "{} is a {} yielded in stack {}'s own effect; yield it in the Worker that hosts it.",
                            t.name,
                            kind_word(t.kind),
                            m.res(o)
                                .logical_id
                                .clone()
                                .unwrap_or_else(|| m.res(o).name.clone())
                        );
                        Diag::new(&META, ev.file, ev.span, msg).push(out);
                    }
                }
                _ => {}
            }
        }
    }
    // (8) R3 with scriptName
    for r in &ctx.res.list {
        if r.form != Form::RpcDoValue {
            continue;
        }
        if let Some(&props) = r.args.get(1)
            && let Some(p) = ctx.prop(r.file, props, "scriptName")
        {
            let msg = format!(
                "scriptName is dropped at run time for the RPC Durable Object descriptor {}; bind it with {}.from(HostWorker) on a modular RPC Durable Object instead.",
                r.label(),
                r.name
            );
            Diag::new(&META, r.file, p.span, msg).push(out);
        }
    }
}

fn kind_word(k: ResourceKind) -> &'static str {
    k.label()
}

fn live_origin(m: &Model, file: crate::workspace::FileId, obj: u32) -> String {
    let ctx = &m.ctx;
    if let Some(Expr::Ident { name }) = ctx.kind(file, obj) {
        for imp in &ctx.facts(file).imports {
            if imp.default.as_ref().is_some_and(|b| &b.name == name) {
                return format!("default export of {}", imp.specifier);
            }
        }
    }
    "a .make(…) layer".into()
}

/// `import Counter from "./object.ts"` → `import { Counter } from "./object.ts"`.
fn default_to_named(
    m: &Model,
    file: crate::workspace::FileId,
    obj: u32,
    class: &str,
) -> Option<Vec<TextEdit>> {
    let ctx = &m.ctx;
    let Some(Expr::Ident { name }) = ctx.kind(file, obj) else {
        return None;
    };
    for imp in &ctx.facts(file).imports {
        if let Some(b) = &imp.default
            && &b.name == name
            && imp.named_span.is_none()
            && imp.namespace.is_none()
            && name == class
        {
            return Some(vec![TextEdit {
                file,
                span: b.span,
                new_text: format!("{{ {class} }}"),
            }]);
        }
    }
    None
}
