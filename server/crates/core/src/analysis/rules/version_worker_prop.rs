//! `version-worker-prop`: a version Worker (`version.parent`) or a preview Worker
//! (`preview.of`) sets a prop that belongs to its parent's script.

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;

pub const ID: &str = "version-worker-prop";

/// The rule's catalog entry (`alchemy-ls rules version-worker-prop`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a version or preview Worker sets a prop that belongs to its parent's script",
    description: "A version Worker (`version: { parent }`) and a preview Worker (`preview: { of }`) upload a \
version of their parent's script, so script-level settings belong to the parent and Alchemy rejects the \
upload when they are set here. A version may not set `name`, `namespace`, `crons`, `tailConsumers`, \
`streamingTailConsumers`, `domain`, `routes`, `tags`, `logpush`, `observability`, `placement`, `limits`, \
`workersDev`, `access` or `vite`; a preview may not set `name`, `namespace`, `crons`, `tailConsumers`, \
`streamingTailConsumers`, `domain`, `routes`, `workersDev` or `access`. `preview` and `version` together \
are rejected as well. A gradual rollout of a Worker's own script (`version: { traffic }` without `parent`) \
may set anything.",
    bad: r#"yield* Cloudflare.Worker("ApiCanary", {
  main: "./src/canary.ts",
  version: { parent: api, traffic: 10 },
  routes: [{ pattern: "api.example.com/*" }],
});"#,
    good: r#"yield* Cloudflare.Worker("ApiCanary", {
  main: "./src/canary.ts",
  version: { parent: api, traffic: 10 },
});"#,
};

/// Props a version Worker may not set (Alchemy's `validateVersionWorkerProps`).
const VERSION_FORBIDDEN: &[&str] = &[
    "name",
    "namespace",
    "crons",
    "tailConsumers",
    "streamingTailConsumers",
    "domain",
    "routes",
    "tags",
    "logpush",
    "observability",
    "placement",
    "limits",
    "workersDev",
    "access",
    "vite",
];

/// Props a preview Worker may not set.
const PREVIEW_FORBIDDEN: &[&str] = &[
    "name",
    "namespace",
    "crons",
    "tailConsumers",
    "streamingTailConsumers",
    "domain",
    "routes",
    "workersDev",
    "access",
];

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for w in 0..ctx.res.list.len() {
        if m.res(w).kind != ResourceKind::Worker {
            continue;
        }
        let rollout = m.rollout(w);
        let wn = &m.res(w).name;
        let name_of = |p: Option<usize>| p.map(|p| m.res(p).name.clone()).unwrap_or_else(|| "its parent".into());
        let (forbidden, what, parent) = match (&rollout.parent, &rollout.preview) {
            (Some((_, _, p)), None) => (VERSION_FORBIDDEN, "a version", name_of(*p)),
            (None, Some((_, _, p))) => (PREVIEW_FORBIDDEN, "a preview", name_of(*p)),
            (Some(_), Some((f, span, _))) => {
                let msg = format!(
                    "{wn} sets both preview and version, which Alchemy rejects: use preview.of for branch and pull-request previews, version.parent / version.traffic for canaries and gradual rollouts."
                );
                Diag::new(&META, *f, *span, msg).push(out);
                continue;
            }
            (None, None) => continue,
        };
        for (f, obj) in ctx.props(w) {
            let Some(alchemy_grammar::Expr::Object { props, .. }) = ctx.kind(f, obj) else {
                continue;
            };
            for p in props {
                let Some(key) = p.key.as_deref() else { continue };
                if !forbidden.contains(&key) {
                    continue;
                }
                let msg = format!(
                    "{wn} is {what} of {parent}, so {key} belongs to {parent}'s script and Alchemy rejects the upload; remove it here or set it on {parent}."
                );
                Diag::new(&META, f, p.key_span, msg).push(out);
            }
        }
    }
}
