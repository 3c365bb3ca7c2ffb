//! `host-without-runtime`: a DO is published or bound locally but its runtime is not provided.

use rustc_hash::FxHashSet as HashSet;

use super::{Diag, RuleMeta};
use super::from_non_host::live_label;
use crate::analysis::ctx::Ctx;
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::fixes::{add_provide, live_name_in_file};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::resources::Form;
use crate::analysis::scopes::{EvKind, FromArg};

pub const ID: &str = "host-without-runtime";

/// The rule's catalog entry (`alchemy-ls rules host-without-runtime`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a DO is published or bound locally but its runtime is not provided",
    description: "A Worker that lists a modular Durable Object in its Deps, or binds it locally with \
`yield* Counter`, must also provide the Durable Object's runtime layer (`CounterLive`, the result of \
`Counter.make(...)`) in its implementation; otherwise its script does not contain the class and every \
binding to it fails at deploy. Also reported: a Durable Object layer provided to a stack instead of to the \
Worker that hosts it, and an `env` descriptor without `scriptName` whose Worker's `main` exports no such \
class. Inline Durable Objects and Workflows (hosted by `yield*`) never need a layer.",
    bad: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}

export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.succeed(new Response("ok")) };
  }),
);"#,
    good: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}

export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.succeed(new Response("ok")) };
  }).pipe(Effect.provide(CounterLive)),
);"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    let mut owners: Vec<usize> = m.scopes.keys().copied().collect();
    owners.sort();
    let mut reported: HashSet<(usize, usize)> = HashSet::default();
    // (1) declared in Deps but not hosted
    for &w in &owners {
        let wr = m.res(w);
        let external = wr.form == Form::WorkerExternal;
        if wr.kind != ResourceKind::Worker || !(wr.form.is_modular_worker() || external) {
            continue;
        }
        if has_unknown_provide(m, w) {
            continue;
        }
        let Some(deps) = m.deps.get(&w) else { continue };
        for &(x, span) in &deps.members {
            if !m.res(x).form.is_bindable_do() || m.hosts_x(w, x) || !reported.insert((w, x)) {
                continue;
            }
            let (xn, wn) = (&m.res(x).name, &wr.name);
            let live = live_label(m, x);
            if external {
                let msg = format!(
                    "{wn} is an external Worker (props in the class call and no {wn}.make anywhere), deployed as-is without a runtime layer, so it can never host {xn} and {xn}.from({wn}) fails at deploy. Remove {xn} from its Deps, or make {wn} modular: Worker<{wn}, {{}}, {xn}>()(\"{id}\") with export default {wn}.make(props, impl) providing {live}.",
                    id = wr.logical_id.as_deref().unwrap_or(wn),
                );
                let d = Diag::new(&META, wr.file, span, msg);
                add_consumers(m, d, x, w).push(out);
                continue;
            }
            let msg = format!(
                "{wn} lists {xn} in its Deps but never provides {live}, so its script lacks the {xn} class and {xn}.from({wn}) fails at deploy. Add Effect.provide({live}) to {wn}'s implementation."
            );
            let mut d = Diag::new(&META, wr.file, span, msg);
            d = add_consumers(m, d, x, w);
            d = add_fix(ctx, d, m, w, x);
            d.push(out);
        }
    }
    // (2) bound locally without a Live
    for &w in &owners {
        let wr = m.res(w);
        if wr.kind != ResourceKind::Worker || has_unknown_provide(m, w) {
            continue;
        }
        for ev in &m.scopes[&w].events {
            let x = match &ev.kind {
                EvKind::Yield { target } if m.res(*target).form.is_bindable_do() => *target,
                EvKind::From {
                    x,
                    arg: FromArg::Res(h),
                    ..
                } if *h == w && m.res(*x).form.is_bindable_do() && m.publishes(w, *x) => *x,
                _ => continue,
            };
            if m.hosts_x(w, x) || !reported.insert((w, x)) {
                continue;
            }
            let (xn, wn) = (&m.res(x).name, &wr.name);
            let live = live_label(m, x);
            let msg = format!(
                "{wn} binds {xn} locally but does not provide {live}; add .pipe(Effect.provide({live}))."
            );
            let mut d = Diag::new(&META, ev.file, ev.span, msg);
            d = add_fix(ctx, d, m, w, x);
            d.push(out);
        }
    }
    // (3) a DO Live provided in a stack's scope
    for &s in &owners {
        if m.res(s).kind != ResourceKind::Stack {
            continue;
        }
        for ev in &m.scopes[&s].events {
            let EvKind::Provide { set, .. } = &ev.kind else {
                continue;
            };
            for &x in &set.items {
                let xr = m.res(x);
                if !matches!(
                    xr.kind,
                    ResourceKind::DurableObject | ResourceKind::RpcDurableObject
                ) {
                    continue;
                }
                let text = ctx.text(ev.file, ev.span);
                let msg = format!(
                    "{text} belongs inside the Worker that hosts {}, not in stack {}; provide it in that Worker's implementation.",
                    xr.name,
                    stack_name(m, s)
                );
                Diag::new(&META, ev.file, ev.span, msg)
                    .related(xr.file, xr.span, format!("{} is declared here", xr.name))
                    .push(out);
            }
        }
    }
}

pub fn stack_name(m: &Model, s: usize) -> String {
    let r = m.res(s);
    r.logical_id.clone().unwrap_or_else(|| r.name.clone())
}

/// Whether a scope provides something whose outputs are unknown.
pub fn has_unknown_provide(m: &Model, owner: usize) -> bool {
    m.scopes.get(&owner).is_some_and(|s| {
        s.events
            .iter()
            .any(|e| matches!(&e.kind, EvKind::Provide { set, .. } if set.unknown))
    })
}

fn add_consumers(m: &Model, mut d: Diag, x: usize, w: usize) -> Diag {
    for &(c, ex, file, span) in m.binders_of(w) {
        if ex == x {
            d = d.related(
                file,
                span,
                format!("{} binds {} from {}", m.res(c).name, m.res(x).name, m.res(w).name),
            );
        }
    }
    d
}

/// "Provide CounterLive in WorkerA": add the Live to the first implementation of W.
fn add_fix(ctx: &Ctx, d: Diag, m: &Model, w: usize, x: usize) -> Diag {
    let Some(&(f, e)) = ctx.impls(w).first() else {
        return d;
    };
    let Some((name, imports)) = live_name_in_file(ctx, f, x) else {
        return d;
    };
    let mut edits: Vec<TextEdit> = add_provide(ctx, f, e, &name);
    edits.extend(imports);
    d.fix(format!("Provide {name} in {}", m.res(w).name), edits)
}
