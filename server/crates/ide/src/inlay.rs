//! Inlay hints: after `X.from(W)` the binding Alchemy makes (W's script, X's namespace); after
//! a host's own `yield* X`, "hosted here"; after a stack's `yield* W`, the Workers it pulls in
//! through W's bindings that the stack does not yield itself.

use std::collections::BTreeSet;

use alchemy_grammar::Span;

use super::info::{names, with_model};
use super::{InlayHint, InlayHintKind, InlayHintOptions};
use alchemy_ls_core::analysis::Analysis;
use alchemy_ls_core::analysis::graph::ResourceKind;
use alchemy_ls_core::analysis::model::Model;
use alchemy_ls_core::analysis::scopes::{EvKind, FromArg};
use alchemy_ls_core::workspace::{FileId, Workspace};

pub fn inlay_hints(
    ws: &Workspace,
    an: &Analysis,
    file: FileId,
    range: Span,
    opts: InlayHintOptions,
) -> Vec<InlayHint> {
    if !opts.from_binding && !opts.hosted_here && !opts.stack_workers {
        return Vec::new();
    }
    with_model(ws, an, Some(file), |m| hints_in(m, file, range, opts))
}

fn hints_in(m: &Model, file: FileId, range: Span, opts: InlayHintOptions) -> Vec<InlayHint> {
    let ctx = &m.ctx;
    let mut out: Vec<InlayHint> = Vec::new();
    let mut owners: Vec<&usize> = m.scopes.keys().collect();
    owners.sort();
    let inside = |s: Span| s.end >= range.start && s.start <= range.end;
    for &o in owners {
        let owner = m.res(o);
        for ev in &m.scopes[&o].events {
            if ev.file != file || !inside(ev.span) {
                continue;
            }
            match &ev.kind {
                EvKind::From { x, call, arg, .. }
                    if opts.from_binding && owner.kind == ResourceKind::Worker =>
                {
                    let xr = m.res(*x);
                    if !xr.form.is_bindable_do() {
                        continue;
                    }
                    let class = xr.do_name().unwrap_or(&xr.name).to_string();
                    let (script, note) = match arg {
                        FromArg::Res(h) if *h == o => ("this Worker".to_string(), ""),
                        FromArg::Res(h) if m.res(*h).kind == ResourceKind::Worker => {
                            let hr = m.res(*h);
                            let script = m
                                .name_prop(*h)
                                .or_else(|| hr.logical_id.clone())
                                .unwrap_or_else(|| hr.name.clone());
                            let note = if m.publishes(*h, *x) && m.hosts_x(*h, *x) {
                                ""
                            } else {
                                " (not hosted there)"
                            };
                            (script, note)
                        }
                        FromArg::Str(s) => (format!("script \"{s}\""), ""),
                        _ => continue,
                    };
                    let at = ctx.span(file, *call).end;
                    push(
                        &mut out,
                        InlayHint {
                            offset: at,
                            label: format!("→ {script} · {class} namespace{note}"),
                            kind: InlayHintKind::Binding,
                            tooltip: Some(format!(
                                "{} binds the Durable Object namespace of class `{class}` in the script `{}`",
                                ctx.text(file, ctx.span(file, *call)),
                                script.trim_start_matches("script ").trim_matches('"')
                            )),
                        },
                    );
                }
                EvKind::Yield { target } if ev.via.is_none() => {
                    let t = m.res(*target);
                    match (owner.kind, t.kind) {
                        (
                            ResourceKind::Worker,
                            ResourceKind::DurableObject
                            | ResourceKind::RpcDurableObject
                            | ResourceKind::Workflow,
                        ) if opts.hosted_here && m.hosts_x(o, *target) => push(
                            &mut out,
                            InlayHint {
                                offset: ev.span.end,
                                label: "hosted here".to_string(),
                                kind: InlayHintKind::Hosting,
                                tooltip: Some(format!("{} hosts {}", owner.name, t.name)),
                            },
                        ),
                        (ResourceKind::Stack, ResourceKind::Worker) if opts.stack_workers => {
                            let pulled = pulled_in(m, o, *target);
                            if !pulled.is_empty() {
                                let list: Vec<usize> = pulled.into_iter().collect();
                                push(
                                    &mut out,
                                    InlayHint {
                                        offset: ev.span.end,
                                        label: format!("+ {}", names(m, &list)),
                                        kind: InlayHintKind::Stack,
                                        tooltip: Some(format!(
                                            "Deploying {} also deploys {}, which it binds (`.from`, service bindings) and {} does not yield itself",
                                            t.name,
                                            names(m, &list),
                                            owner.name
                                        )),
                                    },
                                );
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }
    out.sort_by(|a, b| (a.offset, &a.label).cmp(&(b.offset, &b.label)));
    out
}

fn push(out: &mut Vec<InlayHint>, h: InlayHint) {
    if !out.iter().any(|x| x.offset == h.offset && x.label == h.label) {
        out.push(h);
    }
}

/// The Workers `w` binds (`.from(W)`, service bindings), transitively, that stack `s` does not
/// yield itself.
fn pulled_in(m: &Model, s: usize, w: usize) -> BTreeSet<usize> {
    let yielded: BTreeSet<usize> = m.scopes[&s]
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EvKind::Yield { target } if m.res(target).kind == ResourceKind::Worker => Some(target),
            _ => None,
        })
        .collect();
    let mut out = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut work = vec![w];
    while let Some(x) = work.pop() {
        if !seen.insert(x) {
            continue;
        }
        if x != w && !yielded.contains(&x) {
            out.insert(x);
        }
        let Some(scope) = m.scopes.get(&x) else { continue };
        for ev in &scope.events {
            match &ev.kind {
                EvKind::From {
                    arg: FromArg::Res(h), ..
                } if m.res(*h).kind == ResourceKind::Worker && *h != x => work.push(*h),
                EvKind::ServiceBind { target, .. } if m.res(*target).kind == ResourceKind::Worker => {
                    work.push(*target);
                }
                _ => {}
            }
        }
    }
    out
}
