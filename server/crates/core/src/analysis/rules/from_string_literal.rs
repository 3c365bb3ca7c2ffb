//! `from-string-literal`: `.from("name")` binds by physical script name.

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::fixes::name_in_file;
use crate::analysis::model::Model;
use crate::analysis::scopes::{EvKind, FromArg};

pub const ID: &str = "from-string-literal";

/// The rule's catalog entry (`alchemy-ls rules from-string-literal`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Warning,
    summary: "`.from(\"name\")` binds by physical script name",
    description: "`Counter.from(\"worker-a\")` (or `scriptName: \"worker-a\"`) binds by the physical \
script name, which is `<stack>-<id>-<stage>-<suffix>` unless the Worker sets `name`, so it rarely matches, \
and it adds no deploy ordering. Pass the Worker class instead. Non-literal names such as `h.workerName` are \
not reported.",
    bad: r#"const counters = yield* Counter.from("WorkerA");"#,
    good: r#"import { WorkerA } from "./workerA.ts";

const counters = yield* Counter.from(WorkerA);"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    let mut owners: Vec<&usize> = m.scopes.keys().collect();
    owners.sort();
    for &o in owners {
        for ev in &m.scopes[&o].events {
            let EvKind::From {
                x,
                receiver,
                arg: FromArg::Str(s),
                arg_expr: Some(a),
                ..
            } = &ev.kind
            else {
                continue;
            };
            // A Worker that sets `name: "<s>"` is that script: the binding resolves (and
            // `from-non-host` judges it like `.from(W)`).
            if m.worker_with_script_name(s).is_some() {
                continue;
            }
            let file = ev.file;
            let span = ctx.span(file, *a);
            let recv = ctx.text(file, ctx.span(file, *receiver));
            let target = m.worker_named(s);
            let suggestion = match target {
                Some(w) => format!("Use {recv}.from({}).", m.res(w).name),
                None => format!("Use {recv}.from(HostWorker) with the Worker class that hosts {recv}."),
            };
            let msg = format!(
                "{recv}.from(\"{s}\") binds by physical script name (<stack>-<id>-<stage>-<suffix> unless `name` is set), so it rarely matches and adds no deploy ordering. {suggestion}"
            );
            let mut d = Diag::new(&META, file, span, msg);
            if let Some(w) = target {
                let wr = m.res(w);
                d = d.related(
                    wr.file,
                    wr.span,
                    format!("{} has logical id or name \"{s}\"", wr.name),
                );
                if m.publishes(w, *x)
                    && let Some((name, mut edits)) = name_in_file(ctx, file, w)
                {
                    edits.insert(
                        0,
                        TextEdit {
                            file,
                            span,
                            new_text: name.clone(),
                        },
                    );
                    d = d.fix(format!("Bind {} from {name}", m.res(*x).name), edits);
                }
            }
            d.push(out);
        }
    }
    // DO descriptors with `scriptName: "lit"`
    for (_w, _file, _span, dres, script) in m.env_descriptors() {
        let Some(crate::analysis::model::ScriptName::Lit(s)) = script else {
            continue;
        };
        if m.worker_with_script_name(&s).is_some() {
            continue;
        }
        let dr = m.res(dres);
        let file = dr.file;
        let Some(sp) = dr.args.get(1).and_then(|a| ctx.prop(file, *a, "scriptName")) else {
            continue;
        };
        let span = ctx.span(file, sp.value);
        let suggestion = match m.worker_named(&s) {
            Some(w) => format!(
                "Use {}.from({}) in the Worker's implementation.",
                dr.name,
                m.res(w).name
            ),
            None => "Bind the Durable Object with .from(HostWorker) instead.".to_string(),
        };
        let msg = format!(
            "scriptName: \"{s}\" binds {} by physical script name (<stack>-<id>-<stage>-<suffix> unless `name` is set), so it rarely matches and adds no deploy ordering. {suggestion}",
            dr.label()
        );
        Diag::new(&META, file, span, msg).push(out);
    }
}
