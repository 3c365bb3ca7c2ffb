//! The rule catalog (§5). Each rule is a function over the [`Model`] that pushes raw
//! diagnostics (default severity); `super::finalize` applies configuration and suppressions.

use alchemy_grammar::Span;

use super::diagnostic::{Diagnostic, Fix, Location, Related, Severity, Tag, TextEdit};
use super::model::Model;
use crate::workspace::FileId;

// Rules are registered here; each module has `pub fn check(m: &Model, out: &mut Vec<Diagnostic>)`.
pub mod consumer_bundles_runtime;
pub mod duplicate_binding;
pub mod duplicate_host;
pub mod from_non_host;
pub mod from_string_literal;
pub mod host_without_runtime;
pub mod not_bindable;
pub mod unresolved_import;
pub mod worker_live_not_provided;
// rules by the `rules` helper
pub mod container_multiple_namespaces;
pub mod deprecated_api;
pub mod deps_too_wide;
pub mod duplicate_name;
pub mod invalid_export_name;
pub mod main_missing_default_export;
pub mod self_type_mismatch;
pub mod unknown_rpc_method;

type RuleFn = fn(&Model, &mut Vec<Diagnostic>);

/// Every rule's check, in catalog order.
pub const CHECKS: &[RuleFn] = &[
    from_non_host::check,
    host_without_runtime::check,
    worker_live_not_provided::check,
    duplicate_host::check,
    consumer_bundles_runtime::check,
    duplicate_binding::check,
    not_bindable::check,
    from_string_literal::check,
    self_type_mismatch::check,
    duplicate_name::check,
    invalid_export_name::check,
    deps_too_wide::check,
    main_missing_default_export::check,
    unknown_rpc_method::check,
    container_multiple_namespaces::check,
    deprecated_api::check,
    unresolved_import::check,
];

/// Run every rule.
pub fn run_all(m: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for check in CHECKS {
        check(m, &mut out);
    }
    out
}

/// Builder for one diagnostic.
pub struct Diag {
    d: Diagnostic,
}

impl Diag {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Diag {
        Diag {
            d: Diagnostic {
                rule,
                severity,
                location: Location { file, span },
                message: message.into(),
                related: Vec::new(),
                fixes: Vec::new(),
                tags: Vec::new(),
            },
        }
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
            });
        }
        self
    }
    pub fn tag(mut self, tag: Tag) -> Diag {
        self.d.tags.push(tag);
        self
    }
    pub fn push(self, out: &mut Vec<Diagnostic>) {
        if !out
            .iter()
            .any(|o| o.rule == self.d.rule && o.location == self.d.location)
        {
            out.push(self.d);
        }
    }
}
