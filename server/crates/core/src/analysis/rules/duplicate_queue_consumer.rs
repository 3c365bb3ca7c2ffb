//! `duplicate-queue-consumer`: two Workers of one stack consume the same Queue.
//!
//! Cloudflare allows one Worker consumer per queue; Alchemy's reconciler fails the deploy when
//! the queue already has a Worker consumer pointing at another Worker's script.

use std::collections::BTreeMap;

use alchemy_grammar::Span;

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::scopes::EvKind;
use crate::workspace::FileId;

pub const ID: &str = "duplicate-queue-consumer";

/// The rule's catalog entry (`alchemy-ls rules duplicate-queue-consumer`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "two Workers of one stack consume the same Queue",
    description: "Cloudflare allows one Worker consumer per queue, and Alchemy fails the deploy when a queue \
already has a Worker consumer pointing at another Worker. Reported when two Workers deployed by one stack \
both consume one Queue (`Queues.consumeQueueMessages(queue, …)` in their init, or a `Queues.Consumer` with \
their `scriptName`). One Worker consuming several queues is fine; to fan a queue out, consume it in one \
Worker and call the others from there.",
    bad: r#"// api.ts
yield* Cloudflare.Queues.consumeQueueMessages(jobs, handle);
// worker.ts
yield* Cloudflare.Queues.consumeQueueMessages(jobs, handle);"#,
    good: r#"// api.ts: the one consumer of jobs
yield* Cloudflare.Queues.consumeQueueMessages(jobs, handle);"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    // queue → (consumer, file, span), in file order
    let mut by_queue: BTreeMap<usize, Vec<(usize, FileId, Span)>> = BTreeMap::new();
    let mut owners: Vec<&usize> = m.scopes.keys().collect();
    owners.sort();
    for &o in owners {
        for ev in &m.scopes[&o].events {
            let EvKind::Consumes { queue, worker } = &ev.kind else {
                continue;
            };
            let consumer = match worker {
                Some(w) => *w,
                None if m.res(o).kind == ResourceKind::Worker => o,
                None => continue,
            };
            let list = by_queue.entry(*queue).or_default();
            if !list.iter().any(|(c, ..)| *c == consumer) {
                list.push((consumer, ev.file, ev.span));
            }
        }
    }
    for (q, mut list) in by_queue {
        list.sort_by(|a, b| {
            let pa = &m.ctx.ws.file(a.1).path;
            let pb = &m.ctx.ws.file(b.1).path;
            (pa, a.2.start).cmp(&(pb, b.2.start))
        });
        let qn = m.res(q).label();
        for (i, &(b, fb, sb)) in list.iter().enumerate() {
            let Some(&(a, fa, sa)) = list[..i].iter().find(|(a, ..)| {
                m.stacks_of(*a).iter().any(|s| m.stacks_of(b).contains(s))
            }) else {
                continue;
            };
            let (an, bn) = (&m.res(a).name, &m.res(b).name);
            let msg = format!(
                "Queue {qn} is consumed by both {an} and {bn}, but Cloudflare allows one Worker consumer per queue, so the deploy fails. Consume {qn} in one Worker."
            );
            Diag::new(&META, fb, sb, msg)
                .related(fa, sa, format!("{an} consumes {qn} here"))
                .push(out);
        }
    }
}
