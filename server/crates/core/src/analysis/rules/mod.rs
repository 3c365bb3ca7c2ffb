//! The rule catalog (docs/rules.md). Each rule is a function over the [`Model`] that pushes raw
//! diagnostics (default severity); `super::finalize` applies configuration and suppressions.

use alchemy_grammar::Span;

use super::diagnostic::{Diagnostic, Fix, Location, Related, Severity, Tag, TextEdit};
use super::model::Model;
use crate::workspace::FileId;

/// The catalog entry of one rule: everything `alchemy-ls rules`, docs/rules.md, SARIF rule
/// metadata, config validation and the editor settings schema are generated from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable id, e.g. `from-non-host`.
    pub id: &'static str,
    pub default_severity: Severity,
    /// One line, shown by `alchemy-ls rules`.
    pub summary: &'static str,
    /// A few plain sentences: when the rule reports and when it does not.
    pub description: &'static str,
    /// TypeScript that triggers the rule.
    pub bad: &'static str,
    /// The corrected code.
    pub good: &'static str,
}

type RuleFn = fn(&Model, &mut Vec<Diagnostic>);

/// One rule: its catalog entry and its check.
pub struct Rule {
    pub meta: &'static RuleMeta,
    pub check: RuleFn,
}

/// The rule registry: one line per rule module (`pub const META: RuleMeta` and
/// `pub fn check(m: &Model, out: &mut Vec<Diagnostic>)`), in catalog order. Adding a rule is
/// adding its module here; everything else is generated from [`METAS`].
macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every rule, in catalog order.
        pub const RULES: &[Rule] = &[$(Rule { meta: &$module::META, check: $module::check }),*];
        /// Every rule's catalog entry, in catalog order.
        pub const METAS: &[&RuleMeta] = &[$(&$module::META),*];
    };
}

registry!(
    from_non_host,
    host_without_runtime,
    worker_live_not_provided,
    duplicate_host,
    consumer_bundles_runtime,
    duplicate_binding,
    not_bindable,
    from_string_literal,
    self_type_mismatch,
    duplicate_name,
    invalid_export_name,
    deps_too_wide,
    main_missing_default_export,
    unknown_rpc_method,
    container_multiple_namespaces,
    deprecated_api,
    version_worker_hosts,
    version_worker_prop,
    too_many_tags,
    duplicate_queue_consumer,
    retain_effect_in_worker,
    effectful_container_in_env,
    unsupported_version,
    do_deleted,
    do_renamed,
    do_moved_without_transfer,
    worker_replaced,
    resource_replaced,
    workflow_rehosted,
    migration_during_rollout,
    unresolved_import,
    // reported by `analysis::finalize`, which sees the suppression comments and what they hid
    invalid_suppression,
    unused_suppression,
);

/// Run every rule; one diagnostic per (rule, location), the first one kept.
pub fn run_all(m: &Model) -> Vec<Diagnostic> {
    // The rules only read the model: they run in parallel, each thread taking the next rule
    // of [`start_order`] when it is done with one (costly rules first, so that the threads
    // finish together), and their findings are concatenated in catalog order.
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let order = start_order();
    let next = AtomicUsize::new(0);
    let found: Vec<OnceLock<Vec<Diagnostic>>> = RULES.iter().map(|_| OnceLock::new()).collect();
    let work = || {
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let mut out = Vec::new();
            (RULES[i].check)(m, &mut out);
            let _ = found[i].set(out);
        }
    };
    rayon::scope(|s| {
        for _ in 1..rayon::current_num_threads().min(RULES.len()) {
            s.spawn(|_| work());
        }
        work();
    });
    let mut out = Vec::new();
    for f in found {
        out.extend(f.into_inner().unwrap_or_default());
    }
    let mut seen = rustc_hash::FxHashSet::default();
    out.retain(|d| seen.insert((d.rule, d.location.clone())));
    out
}

/// The rules that cost most, in that order (`alchemy-ls-bench profile` on the bench's
/// 1,000-Worker stacks and many-findings workspace): started first.
const COSTLY_FIRST: &[&str] = &[
    "unknown-rpc-method",
    "unresolved-import",
    "not-bindable",
    "deprecated-api",
    "worker-live-not-provided",
    "duplicate-name",
    "main-missing-default-export",
    "self-type-mismatch",
    "version-worker-hosts",
    "version-worker-prop",
    "too-many-tags",
    "duplicate-binding",
];

/// Indices into [`RULES`]: [`COSTLY_FIRST`], then the others in catalog order.
fn start_order() -> &'static [usize] {
    static ORDER: std::sync::OnceLock<Vec<usize>> = std::sync::OnceLock::new();
    ORDER.get_or_init(|| {
        let costly = COSTLY_FIRST
            .iter()
            .filter_map(|id| RULES.iter().position(|r| r.meta.id == *id));
        let rest = (0..RULES.len()).filter(|i| !COSTLY_FIRST.contains(&RULES[*i].meta.id));
        costly.chain(rest).collect()
    })
}

/// Builder for one diagnostic.
pub struct Diag {
    d: Diagnostic,
}

impl Diag {
    /// A diagnostic of `rule` at its default severity.
    pub fn new(rule: &'static RuleMeta, file: FileId, span: Span, message: impl Into<String>) -> Diag {
        Diag {
            d: Diagnostic {
                rule: rule.id,
                severity: rule.default_severity,
                location: Location { file, span },
                message: message.into(),
                related: Vec::new(),
                fixes: Vec::new(),
                tags: Vec::new(),
            },
        }
    }
    /// A severity other than the rule's default for this one finding.
    pub fn severity(mut self, severity: Severity) -> Diag {
        self.d.severity = severity;
        self
    }
    pub fn related(mut self, file: FileId, span: Span, message: impl Into<String>) -> Diag {
        self.d.related.push(Related {
            location: Location { file, span },
            message: message.into(),
        });
        self
    }
    pub fn fix(mut self, title: impl Into<String>, edits: Vec<TextEdit>) -> Diag {
        if !edits.is_empty() {
            self.d.fixes.push(Fix {
                title: title.into(),
                edits,
                safe: false,
            });
        }
        self
    }
    /// A fix `check --fix` applies unattended (see [`Fix::safe`]).
    pub fn safe_fix(mut self, title: impl Into<String>, edits: Vec<TextEdit>) -> Diag {
        if !edits.is_empty() {
            self.d.fixes.push(Fix {
                title: title.into(),
                edits,
                safe: true,
            });
        }
        self
    }
    pub fn tag(mut self, tag: Tag) -> Diag {
        self.d.tags.push(tag);
        self
    }
    /// Add the diagnostic (a second one of the rule at the same location is dropped by
    /// [`run_all`]).
    pub fn push(self, out: &mut Vec<Diagnostic>) {
        out.push(self.d);
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn every_rule_starts_exactly_once_and_the_costly_list_names_rules() {
        for id in COSTLY_FIRST {
            assert!(RULES.iter().any(|r| r.meta.id == *id), "{id} is not a rule");
        }
        let mut order = start_order().to_vec();
        assert_eq!(order.len(), RULES.len());
        order.sort_unstable();
        assert_eq!(order, (0..RULES.len()).collect::<Vec<_>>());
    }
}
