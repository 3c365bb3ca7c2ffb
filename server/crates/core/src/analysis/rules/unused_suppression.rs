//! `unused-suppression`: a suppression comment that hid nothing. Only `analysis::finalize`
//! knows which diagnostics a comment hid, so the findings come from there and [`check`]
//! reports nothing of its own.

use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::finalize::UNUSED_SUPPRESSION;
use crate::analysis::model::Model;

/// The rule's catalog entry (`alchemy-ls rules unused-suppression`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: UNUSED_SUPPRESSION,
    default_severity: Severity::Warning,
    summary: "a suppression comment suppresses nothing (off unless configured or `--report-unused-suppressions`)",
    description: "Reports an `alchemy-ls-disable-next-line` or `alchemy-ls-disable` comment (or one rule id \
in its list) that hid no finding, typically left behind after the mistake was fixed. Off by default: turn it on \
with `unused-suppression = \"warning\"` in `[rules]` or `alchemy-ls check --report-unused-suppressions`. A \
comment that stands alone on its line and is unused as a whole has a safe fix that deletes the line.",
    bad: r#"// alchemy-ls-disable-next-line from-non-host
const counters = yield* Counter.from(WorkerA); // WorkerA hosts Counter: nothing to hide"#,
    good: r#"const counters = yield* Counter.from(WorkerA);"#,
};

/// Reported by `finalize` (see the module docs).
#[allow(clippy::ptr_arg)] // the signature of every rule check
pub fn check(_m: &Model, _out: &mut Vec<Diagnostic>) {}
