//! `invalid-suppression`: a suppression comment names a rule that does not exist. The findings
//! come from `analysis::finalize` (which reads the suppression comments of each component's
//! files), so [`check`] reports nothing of its own.

use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::finalize::INVALID_SUPPRESSION;
use crate::analysis::model::Model;

/// The rule's catalog entry (`alchemy-ls rules invalid-suppression`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: INVALID_SUPPRESSION,
    default_severity: Severity::Warning,
    summary: "a suppression comment names a rule that does not exist",
    description: "`// alchemy-ls-disable-next-line RULE` and `// alchemy-ls-disable RULE` only hide the rules \
they list by id; a misspelt or removed id hides nothing, so the finding it was meant for is still reported, or \
silently comes back when the code changes. The message suggests the closest rule id.",
    bad: r#"// alchemy-ls-disable-next-line from-non-hots
const counters = yield* Counter.from(WorkerB);"#,
    good: r#"// alchemy-ls-disable-next-line from-non-host
const counters = yield* Counter.from(WorkerB);"#,
};

/// Reported by `finalize` (see the module docs).
#[allow(clippy::ptr_arg)] // the signature of every rule check
pub fn check(_m: &Model, _out: &mut Vec<Diagnostic>) {}
