//! `do-renamed`: a deploy-impact rule (against the baseline revision; see `analysis::impact`).

use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::impact;
use crate::analysis::model::Model;

pub const ID: &str = impact::DO_RENAMED;

/// The rule's catalog entry (`alchemy-ls rules do-renamed`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a Durable Object's name string or `env` key changed: a new, empty namespace",
    description: "A Durable Object namespace is identified by the DO's name string (`DurableObject<…>()(\"Counter\")`), or \
by the `env` key of a descriptor. Changing it deletes the old namespace with its objects and creates an \
empty one. For a descriptor, keep the `env` key and change only `className`: that renames the class and \
keeps the data.",
    bad: r#"// baseline: ("Counter")
export class Counter extends Cloudflare.DurableObject<Counter, Shape>()("Counters") {}"#,
    good: r#"export class Counter extends Cloudflare.DurableObject<Counter, Shape>()("Counter") {}"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    impact::emit(m, &META, out);
}
