//! `unsupported-version`: the project's installed or declared `alchemy` predates the v2 API
//! alchemy-ls checks (before 2.0.0-beta.39), said once per package.

use std::collections::BTreeMap;

use super::{Diag, RuleMeta};
use crate::analysis::api::is_alchemy_module;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::gates::{FIRST_SUPPORTED_BETA, unsupported};
use crate::analysis::model::Model;

pub const ID: &str = "unsupported-version";

/// The rule's catalog entry (`alchemy-ls rules unsupported-version`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Info,
    summary: "the installed `alchemy` predates the v2 API alchemy-ls checks",
    description: "alchemy-ls checks Alchemy v2 stacks from 2.0.0-beta.39 on (the betas before it lack \
`.from` and took `bindings` instead of `env`; Alchemy 0.x is a different API). When the project's installed \
or declared `alchemy` is older, this is said once per package, at an Alchemy import, and the \
version-dependent checks stay silent rather than judge the code by a newer API.",
    bad: r#"// package.json: "alchemy": "2.0.0-beta.30"
import * as Cloudflare from "alchemy/Cloudflare";"#,
    good: r#"// package.json: "alchemy": "2.0.0-beta.79"
import * as Cloudflare from "alchemy/Cloudflare";"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    // package directory → (path, file, import specifier span, version text)
    let mut first: BTreeMap<Option<std::path::PathBuf>, (std::path::PathBuf, crate::workspace::FileId, alchemy_grammar::Span, String)> =
        BTreeMap::new();
    for src in ctx.ws.iter() {
        let Some(v) = ctx.ws.versions.get(&src.id) else {
            continue;
        };
        if !unsupported(ctx.ws, src.id) {
            continue;
        }
        let Some(imp) = src
            .facts
            .imports
            .iter()
            .find(|i| is_alchemy_module(&ctx.packages, &i.specifier))
        else {
            continue;
        };
        let key = m.package_dir(src.id);
        let cand = (src.path.clone(), src.id, imp.specifier_span, v.to_string());
        match first.get(&key) {
            Some(existing) if existing.0 <= cand.0 => {}
            _ => {
                first.insert(key, cand);
            }
        }
    }
    for (_, (_, file, span, version)) in first {
        let msg = format!(
            "alchemy {version} predates the Alchemy v2 API that alchemy-ls checks (2.0.0-beta.{FIRST_SUPPORTED_BETA} and later), so its version-dependent checks are off for this package; upgrade alchemy to check it fully."
        );
        Diag::new(&META, file, span, msg).push(out);
    }
}
