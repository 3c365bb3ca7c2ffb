//! `do-deleted`: a deploy-impact rule (against the baseline revision; see `analysis::impact`).

use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::impact;
use crate::analysis::model::Model;

pub const ID: &str = impact::DO_DELETED;

/// The rule's catalog entry (`alchemy-ls rules do-deleted`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a Durable Object namespace hosted at the baseline is hosted by no Worker now",
    description: "Compared with the baseline revision (`check --baseline REV`, or the editor's baseline), a Durable \
Object namespace that a Worker hosted is hosted by no Worker of the stack now: its class was removed, its \
runtime layer is no longer provided, or its Worker is no longer deployed. The next deploy sends it as a \
deleted class and every object of the namespace, with its storage, is gone. `alchemy plan` does not show \
this. Keep hosting it, move it to another Worker with `transferredFrom`, or suppress the finding to accept \
the loss. A Worker that leaves the stack with `RemovalPolicy.retain(true)` keeps its script and data \
(reported as info).",
    bad: r#"// baseline: WorkerA hosted Counter
export default WorkerA.make(
  Effect.gen(function* () {
    return {};
  }), // CounterLive is no longer provided
);"#,
    good: r#"export default WorkerA.make(
  Effect.gen(function* () {
    yield* Counter;
    return {};
  }).pipe(Effect.provide(CounterLive)),
);"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    impact::emit(m, &META, out);
}
