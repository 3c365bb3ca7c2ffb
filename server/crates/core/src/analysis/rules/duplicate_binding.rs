//! `duplicate-binding`: one Worker binds the same DO to two different scripts.

use rustc_hash::FxHashMap as HashMap;

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::scopes::{EvKind, Event, FromArg};

pub const ID: &str = "duplicate-binding";

/// The rule's catalog entry (`alchemy-ls rules duplicate-binding`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "one Worker binds the same DO to two different scripts",
    description: "A Durable Object binding is named after the Durable Object, and when a Worker \
registers two bindings with one name the last one wins. Binding one Durable Object to two different \
scripts (or locally and remotely) in one Worker therefore makes both handles reach the same script. Keep \
one binding. Binding the same target twice is fine.",
    bad: r#"Effect.gen(function* () {
  const a = yield* Counter.from(WorkerA);
  const c = yield* Counter.from(WorkerC);
  return { fetch: Effect.succeed(new Response("d")) };
})"#,
    good: r#"Effect.gen(function* () {
  const a = yield* Counter.from(WorkerA);
  return { fetch: Effect.succeed(new Response("d")) };
})"#,
};

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
enum Target {
    Local,
    Script(usize),
    Lit(String),
}

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let mut owners: Vec<usize> = m
        .scopes
        .keys()
        .copied()
        .filter(|w| m.res(*w).kind == ResourceKind::Worker)
        .collect();
    owners.sort();
    for w in owners {
        let mut by_x: HashMap<usize, Vec<(Target, &Event)>> = HashMap::default();
        for ev in &m.scopes[&w].events {
            let (x, t) = match &ev.kind {
                EvKind::Yield { target } if m.res(*target).form.is_bindable_do() => (*target, Target::Local),
                EvKind::From { x, arg, .. } if m.res(*x).form.is_bindable_do() => match arg {
                    FromArg::Res(h) if *h == w => (*x, Target::Local),
                    FromArg::Res(h) if m.res(*h).kind == ResourceKind::Worker => (*x, Target::Script(*h)),
                    FromArg::Str(s) => (*x, Target::Lit(s.clone())),
                    _ => continue,
                },
                _ => continue,
            };
            by_x.entry(x).or_default().push((t, ev));
        }
        let mut xs: Vec<&usize> = by_x.keys().collect();
        xs.sort();
        for x in xs {
            let mut list = by_x[x].clone();
            list.sort_by_key(|(_, e)| (m.ctx.ws.path_rank(e.file), e.span.start));
            let first = &list[0];
            let name = |t: &Target| match t {
                Target::Local => format!("{} itself", m.res(w).name),
                Target::Script(h) => m.res(*h).name.clone(),
                Target::Lit(s) => format!("\"{s}\""),
            };
            let xr = m.res(*x);
            let binding = xr.logical_id.clone().unwrap_or_else(|| xr.name.clone());
            for (t, ev) in list.iter().skip(1) {
                if *t == first.0 {
                    continue;
                }
                let msg = format!(
                    "{} binds {} twice, to {} and to {}; both bindings are named \"{binding}\" and the last wins, so both handles reach the same script. Keep one binding.",
                    m.res(w).name,
                    xr.name,
                    name(&first.0),
                    name(t)
                );
                Diag::new(&META, ev.file, ev.span, msg)
                    .related(
                        first.1.file,
                        first.1.span,
                        format!("first binding of {}", xr.name),
                    )
                    .push(out);
            }
        }
    }
}
