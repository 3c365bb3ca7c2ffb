//! `duplicate-host`: two Workers host the same DO or Workflow.

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::{Host, Model};
use crate::analysis::scopes::{EvKind, FromArg};

pub const ID: &str = "duplicate-host";

/// The rule's catalog entry (`alchemy-ls rules duplicate-host`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Warning,
    summary: "two Workers host the same DO or Workflow",
    description: "When two Workers of one stack both host the same Durable Object, each gets its own \
namespace, so state written through one is invisible to the other; a Workflow hosted twice is bound to the \
first script only. Share a modular Durable Object by hosting it in one Worker and binding it with \
`Counter.from(WorkerA)` elsewhere. A Worker binding the class only with `Counter.from(Self)` (an isolated \
namespace on purpose) is not counted.",
    bad: r#"// workerA.ts
export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.succeed(new Response("a")) };
  }).pipe(Effect.provide(CounterLive)),
);

// workerC.ts
export default WorkerC.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.succeed(new Response("c")) };
  }).pipe(Effect.provide(CounterLive)),
);"#,
    good: r#"// workerC.ts: bind the namespace WorkerA hosts
export default WorkerC.make(
  Effect.gen(function* () {
    const counters = yield* Counter.from(WorkerA);
    return { fetch: Effect.succeed(new Response("c")) };
  }),
);"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let mut xs: Vec<&usize> = m.hosts.keys().collect();
    xs.sort();
    for &x in xs {
        let counted: Vec<&Host> = m.hosts[&x]
            .iter()
            .filter(|h| !binds_only_self(m, h.worker, x) && !bundles_as_consumer(m, h.worker, x))
            .collect();
        if counted.len() < 2 {
            continue;
        }
        let xr = m.res(x);
        for h in &counted {
            let others: Vec<&&Host> = counted
                .iter()
                .filter(|o| o.worker != h.worker && m.same_stack(o.worker, h.worker))
                .collect();
            if others.is_empty() {
                continue;
            }
            let hn = &m.res(h.worker).name;
            let other = &m.res(others[0].worker).name;
            let (first, second) = if h.worker < others[0].worker {
                (hn, other)
            } else {
                (other, hn)
            };
            let msg = match xr.kind {
                ResourceKind::Workflow => format!(
                    "{} is hosted by both {first} and {second}; one workflow resource is created, bound to the first script only; yield {} in one Worker.",
                    xr.label(),
                    xr.name
                ),
                _ if xr.form.is_bindable_do() => format!(
                    "{} is hosted by both {first} and {second}, each with its own namespace, so state written through one is invisible to the other. To share, use {}.from({other}) in {hn}; to separate on purpose, bind with {}.from({hn}).",
                    xr.name, xr.name, xr.name
                ),
                _ => {
                    let ns = xr.logical_id.clone().unwrap_or_else(|| xr.name.clone());
                    format!(
                        "{} is hosted by both {first} and {second}, each with its own \"{ns}\" namespace, so state is not shared. To share it, make {} modular (class + {}.make) and bind it with {}.from({first}); if the isolation is intended, suppress this warning.",
                        xr.label(),
                        xr.name,
                        xr.name,
                        xr.name
                    )
                }
            };
            let mut d = Diag::new(&META, h.file, h.span, msg);
            for o in &others {
                d = d.related(
                    o.file,
                    o.span,
                    format!("{} also hosts {}", m.res(o.worker).name, xr.name),
                );
            }
            d.push(out);
        }
    }
}

/// The host binds X only as `X.from(Self)` (the isolated-namespace idiom).
fn binds_only_self(m: &Model, w: usize, x: usize) -> bool {
    let Some(scope) = m.scopes.get(&w) else {
        return false;
    };
    let mut self_from = false;
    for ev in &scope.events {
        match &ev.kind {
            EvKind::From {
                x: ex,
                arg: FromArg::Res(h),
                ..
            } if *ex == x && *h == w => self_from = true,
            EvKind::Yield { target } if *target == x && m.res(x).form.is_bindable_do() => return false,
            _ => {}
        }
    }
    self_from
}

/// The Worker binds X remotely and bundles it (consumer-bundles-runtime reports it).
pub fn bundles_as_consumer(m: &Model, w: usize, x: usize) -> bool {
    let Some(scope) = m.scopes.get(&w) else {
        return false;
    };
    let mut remote = false;
    let mut local = false;
    for ev in &scope.events {
        match &ev.kind {
            EvKind::From { x: ex, arg, .. } if *ex == x => match arg {
                FromArg::Res(h) if *h != w => remote = true,
                FromArg::Str(_) => remote = true,
                FromArg::Res(_) => local = true,
                _ => {}
            },
            EvKind::Yield { target } if *target == x => local = true,
            _ => {}
        }
    }
    remote && !local
}
