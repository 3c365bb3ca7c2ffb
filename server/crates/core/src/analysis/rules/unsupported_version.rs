//! `unsupported-version`: the project's installed or declared `alchemy` predates the v2 API
//! alchemy-ls checks (before 2.0.0-beta.39), said once per package.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use alchemy_grammar::Span;

use super::{Diag, RuleMeta};
use crate::analysis::api::is_alchemy_module;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::gates::{FIRST_SUPPORTED_BETA, unsupported};
use crate::analysis::model::Model;
use crate::workspace::FileId;

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
    let ws = ctx.ws;
    // The packages of this view that are on an unsupported version.
    let packages: BTreeSet<Option<PathBuf>> = ws
        .iter()
        .filter(|src| unsupported(ws, src.id))
        .map(|src| m.package_dir(src.id))
        .collect();
    if packages.is_empty() {
        return;
    }
    // Said once per package, at the first Alchemy import (by path) of the whole package: the
    // files are read through `ws.file`, so a restricted view that lacks some of them asks for
    // them and the components of the package are analysed together.
    let mut first: BTreeMap<Option<PathBuf>, (FileId, Span)> = BTreeMap::new();
    for &id in &ws.order().sorted {
        if !unsupported(ws, id) {
            continue;
        }
        let key = ws.package_dirs.get(&id).cloned();
        if !packages.contains(&key) || first.contains_key(&key) {
            continue;
        }
        let src = ws.file(id);
        if let Some(imp) = src
            .facts
            .imports
            .iter()
            .find(|i| is_alchemy_module(&ctx.packages, &i.specifier))
        {
            first.insert(key, (id, imp.specifier_span));
        }
    }
    for (file, span) in first.into_values() {
        if !ws.in_view(file) {
            continue;
        }
        let Some(version) = ws.versions.get(&file) else {
            continue;
        };
        let msg = format!(
            "alchemy {version} predates the Alchemy v2 API that alchemy-ls checks (2.0.0-beta.{FIRST_SUPPORTED_BETA} and later), so its version-dependent checks are off for this package; upgrade alchemy to check it fully."
        );
        Diag::new(&META, file, span, msg).push(out);
    }
}
