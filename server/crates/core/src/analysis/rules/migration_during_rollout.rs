//! `migration-during-rollout`: a deploy-impact rule (against the baseline revision; see `analysis::impact`).

use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::impact;
use crate::analysis::model::Model;

pub const ID: &str = impact::MIGRATION_DURING_ROLLOUT;

/// The rule's catalog entry (`alchemy-ls rules migration-during-rollout`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Warning,
    summary: "a gradual rollout changes the Durable Object classes a Worker hosts",
    description: "A Worker deployed as a gradual rollout of its own script (`version: { traffic }` below 100, no \
`parent`) cannot change the Durable Object classes it hosts: Alchemy rejects migrations during a rollout. \
Deploy the class change at full traffic first. Needs a baseline.",
    bad: r#"// baseline: hosted Counter; now also Room, at traffic 10
version: { traffic: 10 },"#,
    good: r#"version: { traffic: 100 },"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    impact::emit(m, &META, out);
}
