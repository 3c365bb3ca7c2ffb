//! `do-moved-without-transfer`: a deploy-impact rule (against the baseline revision; see `analysis::impact`).

use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::impact;
use crate::analysis::model::Model;

pub const ID: &str = impact::DO_MOVED;

/// The rule's catalog entry (`alchemy-ls rules do-moved-without-transfer`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a Durable Object moved to another host without `transferredFrom`",
    description: "A Durable Object hosted by one Worker at the baseline is hosted by another Worker now. Without \
`transferredFrom` naming the old host (beta.63 and later) the deploy fails with \
`DurableObjectTransferRequired`, or the old host's next deploy deletes the namespace. Add \
`transferredFrom: \"OldHost\"` to the class props or descriptor (a fix is offered); a pure move is two \
deploys: add it on the new host first, remove it from the old one in the next deploy. Before beta.63 no \
move keeps the data.",
    bad: r#"// baseline: hosted by WorkerA; now WorkerB provides CounterLive
export class Counter extends Cloudflare.DurableObject<Counter, Shape>()("Counter") {}"#,
    good: r#"export class Counter extends Cloudflare.DurableObject<Counter, Shape>()("Counter", {
  transferredFrom: "WorkerA",
}) {}"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    impact::emit(m, &META, out);
}
