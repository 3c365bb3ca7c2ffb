//! `resource-replaced`: a deploy-impact rule (against the baseline revision; see `analysis::impact`).

use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::impact;
use crate::analysis::model::Model;

pub const ID: &str = impact::RESOURCE_REPLACED;

/// The rule's catalog entry (`alchemy-ls rules resource-replaced`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "an R2 bucket's or D1 database's immutable prop changed",
    description: "An R2 bucket's `name`, `jurisdiction` or `locationHint`, and a D1 database's `name`, `jurisdiction` or \
`primaryLocationHint` cannot change in place: the deploy replaces the resource. The Workers then read a \
new, empty bucket (the objects stay in the old one) or database. Only an explicit change counts: removing \
`name` (or a D1 `primaryLocationHint`) keeps the deployed value.",
    bad: r#"// baseline: R2.Bucket("Uploads", { locationHint: "weur" })
yield* Cloudflare.R2.Bucket("Uploads", { locationHint: "enam" });"#,
    good: r#"yield* Cloudflare.R2.Bucket("Uploads", { locationHint: "weur" });"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    impact::emit(m, &META, out);
}
