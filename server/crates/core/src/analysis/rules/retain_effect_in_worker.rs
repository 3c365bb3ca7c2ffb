//! `retain-effect-in-worker`: an Effect-valued `RemovalPolicy.retain(…)` on a resource
//! yielded inside a Worker's init.
//!
//! The condition Effect is run with the stack's services (`Stage`, …), which a Worker's init
//! does not have at run time: it fails with "Service not found: Stage".

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::scopes::EvKind;

pub const ID: &str = "retain-effect-in-worker";

/// The rule's catalog entry (`alchemy-ls rules retain-effect-in-worker`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Warning,
    summary: "an Effect-valued `RemovalPolicy.retain(…)` inside a Worker's init",
    description: "`RemovalPolicy.retain(condition)` accepts a boolean or an Effect producing one. An Effect \
condition is evaluated with the stack's services, which do not exist when the resource is declared inside \
a Worker's init: at run time it fails with \"Service not found: Stage\". Compute the condition in the stack \
and pass a boolean, or declare the resource in the stack. A boolean (`retain(true)`, \
`retain(stage === \"prod\")`) and any condition in the stack itself are fine.",
    bad: r#"// inside a Worker's init
const uploads = yield* Cloudflare.R2.Bucket("Uploads").pipe(
  Alchemy.RemovalPolicy.retain(Effect.map(Alchemy.Stage, (s) => s === "prod")),
);"#,
    good: r#"// inside a Worker's init
const uploads = yield* Cloudflare.R2.Bucket("Uploads").pipe(Alchemy.RemovalPolicy.retain(true));"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let mut owners: Vec<&usize> = m.scopes.keys().collect();
    owners.sort();
    for &o in owners {
        if m.res(o).kind != ResourceKind::Worker {
            continue;
        }
        for ev in &m.scopes[&o].events {
            let EvKind::Retain {
                target, effect: true, ..
            } = &ev.kind
            else {
                continue;
            };
            let msg = format!(
                "{}'s RemovalPolicy.retain condition is an Effect, evaluated with the stack's services, which {}'s init does not have: it fails at run time with \"Service not found: Stage\". Pass a boolean computed in the stack, or declare {} in the stack.",
                m.res(*target).name,
                m.res(o).name,
                m.res(*target).name
            );
            Diag::new(&META, ev.file, ev.span, msg).push(out);
        }
    }
}
