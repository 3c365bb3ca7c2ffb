//! `consumer-bundles-runtime`: a consumer binds a DO remotely but also bundles its runtime.

use alchemy_grammar::{Expr, Span};

use super::{Diag, RuleMeta};
use super::duplicate_host::bundles_as_consumer;
use crate::analysis::ctx::Ctx;
use crate::analysis::diagnostic::{Diagnostic, Severity, Tag, TextEdit};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::scopes::{EvKind, FromArg};
use crate::workspace::FileId;

pub const ID: &str = "consumer-bundles-runtime";

/// The rule's catalog entry (`alchemy-ls rules consumer-bundles-runtime`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Warning,
    summary: "a consumer binds a DO remotely but also bundles its runtime",
    description: "A Worker that binds a Durable Object hosted elsewhere (`Counter.from(WorkerA)`) \
does not need its runtime layer. Providing `CounterLive` as well makes its script bundle and export its own, \
unused copy of the class: a second, empty namespace. The binding still reaches the host. An import of the \
layer that is never provided is not reported.",
    bad: r#"export default class WorkerB extends Cloudflare.Worker<WorkerB>()(
  "WorkerB",
  { main: import.meta.filename },
  Effect.gen(function* () {
    const counters = yield* Counter.from(WorkerA);
    return { fetch: Effect.succeed(new Response("b")) };
  }).pipe(Effect.provide(CounterLive)),
) {}"#,
    good: r#"export default class WorkerB extends Cloudflare.Worker<WorkerB>()(
  "WorkerB",
  { main: import.meta.filename },
  Effect.gen(function* () {
    const counters = yield* Counter.from(WorkerA);
    return { fetch: Effect.succeed(new Response("b")) };
  }),
) {}"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    let mut owners: Vec<usize> = m
        .scopes
        .keys()
        .copied()
        .filter(|w| m.res(*w).kind == ResourceKind::Worker)
        .collect();
    owners.sort();
    for w in owners {
        let scope = &m.scopes[&w];
        for ev in &scope.events {
            let EvKind::Provide {
                set,
                arg,
                provide_call,
            } = &ev.kind
            else {
                continue;
            };
            for &x in &set.items {
                if !m.res(x).form.is_bindable_do() || !bundles_as_consumer(m, w, x) {
                    continue;
                }
                let from = scope.events.iter().find(|e| matches!(&e.kind, EvKind::From { x: ex, arg: a, .. } if *ex == x && !matches!(a, FromArg::Res(h) if *h == w)));
                let (wn, xn) = (&m.res(w).name, &m.res(x).name);
                let live = ctx.text(ev.file, ev.span);
                let host = match from.map(|f| &f.kind) {
                    Some(EvKind::From {
                        arg: FromArg::Res(h), ..
                    }) => m.res(*h).name.clone(),
                    Some(EvKind::From {
                        arg: FromArg::Str(s), ..
                    }) => format!("\"{s}\""),
                    _ => "another Worker".into(),
                };
                let msg = format!(
                    "{wn} binds {xn} from {host} but also provides {live}, so its script bundles and exports its own, unused {xn} class (a second, empty namespace). Remove {live} from {wn}."
                );
                let mut d = Diag::new(&META, ev.file, ev.span, msg).tag(Tag::Unnecessary);
                if let Some(f) = from {
                    d = d.related(f.file, f.span, format!("{wn} binds {xn} from {host} here"));
                }
                if let Some(edit) = removal(ctx, ev.file, *arg, *provide_call) {
                    d = d.fix(format!("Remove {live} from {wn}"), vec![edit]);
                }
                d.push(out);
            }
        }
    }
}

/// Delete an array element (with its comma), the `Effect.provide(L)` pipe argument, or the
/// whole `.pipe(…)` if it was alone.
fn removal(ctx: &Ctx, file: FileId, arg: u32, provide_call: u32) -> Option<TextEdit> {
    let text = &ctx.ws.file(file).text;
    let arg_span = ctx.span(file, arg);
    // array element
    if let Some(Expr::Call { args, .. }) = ctx.kind(file, provide_call)
        && let Some(Expr::Array { elems, .. }) = args.last().and_then(|a| ctx.kind(file, *a))
        && elems.len() > 1
        && let Some(i) = elems.iter().position(|e| *e == arg)
    {
        let span = if i + 1 < elems.len() {
            Span {
                start: arg_span.start,
                end: ctx.span(file, elems[i + 1]).start,
            }
        } else {
            Span {
                start: ctx.span(file, elems[i - 1]).end,
                end: arg_span.end,
            }
        };
        return Some(TextEdit {
            file,
            span,
            new_text: String::new(),
        });
    }
    // find the `.pipe(…)` call that has provide_call as an argument
    let facts = ctx.facts(file);
    for (i, n) in facts.exprs.iter().enumerate() {
        let Expr::Call { callee, args, .. } = &n.kind else {
            continue;
        };
        if !args.contains(&provide_call) {
            continue;
        }
        let Some(Expr::Member { object, property, .. }) = ctx.kind(file, *callee) else {
            return None;
        };
        if property != "pipe" {
            return None;
        }
        if args.len() == 1 {
            let obj_end = ctx.span(file, *object).end;
            let _ = i;
            return Some(TextEdit {
                file,
                span: Span {
                    start: obj_end,
                    end: n.span.end,
                },
                new_text: String::new(),
            });
        }
        let k = args.iter().position(|a| *a == provide_call)?;
        let pc = ctx.span(file, provide_call);
        let span = if k + 1 < args.len() {
            Span {
                start: pc.start,
                end: ctx.span(file, args[k + 1]).start,
            }
        } else {
            Span {
                start: ctx.span(file, args[k - 1]).end,
                end: pc.end,
            }
        };
        let _ = text;
        return Some(TextEdit {
            file,
            span,
            new_text: String::new(),
        });
    }
    None
}
