//! `version-worker-hosts`: a version Worker (`version.parent`) hosts a Durable Object or
//! Workflow, or binds a DO its parent hosts by script.
//!
//! A version Worker uploads an immutable version of its parent's script; class migrations
//! apply to the parent script, so Alchemy rejects (at upload) any locally hosted DO or
//! Workflow class, and counts a DO binding to the parent's own script as hosted. Previews and
//! gradual rollouts of a Worker's own script (`version.traffic` without `parent`) may host.

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::scopes::{EvKind, FromArg};

pub const ID: &str = "version-worker-hosts";

/// The rule's catalog entry (`alchemy-ls rules version-worker-hosts`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a version Worker (`version.parent`) hosts a Durable Object or Workflow",
    description: "A Worker with `version: { parent }` is uploaded as a version of its parent's script, not \
as a script of its own. Durable Object and Workflow classes need migrations, which apply to the parent \
script, so Alchemy rejects the upload when the version hosts a Durable Object or Workflow, or binds a \
Durable Object of its parent by script (that counts as hosting it). Host the classes on the parent and \
roll the parent out gradually (`version: { traffic }` without `parent`) instead. Previews \
(`preview: { of }`) may host: each preview gets its own namespaces.",
    bad: r#"const api = yield* Api;
yield* Cloudflare.Worker("ApiCanary", {
  main: "./src/canary.ts",
  version: { parent: api, traffic: 10 },
  env: { COUNTER: Cloudflare.DurableObject("Counter") },
});"#,
    good: r#"const api = yield* Api;
yield* Cloudflare.Worker("ApiCanary", {
  main: "./src/canary.ts",
  version: { parent: api, traffic: 10 },
});"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let mut workers: Vec<usize> = (0..m.ctx.res.list.len())
        .filter(|&w| m.res(w).kind == ResourceKind::Worker)
        .collect();
    workers.sort();
    for w in workers {
        let rollout = m.rollout(w);
        let Some((pf, pspan, parent)) = rollout.parent else {
            continue;
        };
        let wn = &m.res(w).name;
        let pn = parent.map(|p| m.res(p).name.clone()).unwrap_or_else(|| "its parent".into());
        let mut hosted: Vec<(usize, crate::analysis::model::Host)> = m
            .hosts
            .iter()
            .flat_map(|(&x, hs)| hs.iter().filter(|h| h.worker == w).map(move |h| (x, h.clone())))
            .collect();
        hosted.sort_by_key(|(x, h)| (m.ctx.ws.path_rank(h.file), h.span.start, *x));
        for (x, h) in hosted {
            let xr = m.res(x);
            let what = if xr.kind == ResourceKind::Workflow {
                "Workflow"
            } else {
                "Durable Object"
            };
            let msg = format!(
                "{wn} is a version of {pn} (version.parent) and cannot host the {what} {}: class migrations apply to the parent script, so Alchemy rejects the upload. Host {} on {pn} and roll {pn} out with version: {{ traffic }} instead.",
                xr.label(),
                xr.name
            );
            Diag::new(&META, h.file, h.span, msg)
                .related(pf, pspan, format!("{wn} is a version of {pn}"))
                .push(out);
        }
        // `Counter.from(Parent)`: a binding to the parent's own script counts as hosting.
        let Some(parent) = parent else { continue };
        let Some(scope) = m.scopes.get(&w) else { continue };
        for ev in &scope.events {
            let EvKind::From {
                x,
                arg: FromArg::Res(h),
                arg_expr,
                ..
            } = &ev.kind
            else {
                continue;
            };
            if *h != parent {
                continue;
            }
            let xn = &m.res(*x).name;
            let msg = format!(
                "{wn} is a version of {pn}, and {xn}.from({pn}) binds a Durable Object of {pn}'s own script, which a version upload counts as hosting it, so Alchemy rejects the upload. A version of {pn} cannot use {pn}'s Durable Objects; roll {pn} out with version: {{ traffic }} instead."
            );
            let at = arg_expr.map(|a| m.ctx.span(ev.file, a)).unwrap_or(ev.span);
            Diag::new(&META, ev.file, at, msg)
                .related(pf, pspan, format!("{wn} is a version of {pn}"))
                .push(out);
        }
    }
}
