//! `workflow-rehosted`: a deploy-impact rule (against the baseline revision; see `analysis::impact`).

use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::impact;
use crate::analysis::model::Model;

pub const ID: &str = impact::WORKFLOW_REHOSTED;

/// The rule's catalog entry (`alchemy-ls rules workflow-rehosted`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Warning,
    summary: "a Workflow moved to another host Worker",
    description: "A Workflow's name derives from its host script and class (beta.63 and later), so hosting it in another \
Worker creates a new, empty Workflow while running instances stay with the old one.",
    bad: r#"// baseline: Api yields NotifyWorkflow; now Jobs does
yield* NotifyWorkflow;"#,
    good: r#"// keep yielding NotifyWorkflow in Api"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    impact::emit(m, &META, out);
}
