//! `from-non-host`: `X.from(W)` where W is not a valid host of X.

use alchemy_grammar::{Span, TypeKind};

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::fixes::{live_name_in_file, name_in_file};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::resources::Form;
use crate::analysis::scopes::{EvKind, FromArg};

pub const ID: &str = "from-non-host";

/// The rule's catalog entry (`alchemy-ls rules from-non-host`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "`X.from(W)` where W is not a valid host of X",
    description: "Reports `Counter.from(WorkerA)` when WorkerA does not both host Counter (provide \
CounterLive in its implementation) and list Counter in its Deps (the third type argument of \
`Cloudflare.Worker<Self, Shape, Deps>`, the second of `RpcWorker<Self, Deps>`). TypeScript answers such a \
binding with a long \"No overload matches this call\" error, or says nothing at all and the deploy fails. \
The message says which Worker does host the Durable Object and offers to bind from it, or to add the class \
to the Worker's Deps. It does not report when the Deps are a union, an alias or cannot be resolved, when a \
Worker binds a Durable Object it publishes itself with `.from(Self)`, or when the host is named by a string \
(see from-string-literal).",
    bad: r#"// workerA.ts: hosts Counter but does not list it in its Deps
export class WorkerA extends Cloudflare.Worker<WorkerA, {}>()("WorkerA", {
  main: import.meta.filename,
}) {}
export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.succeed(new Response("ok")) };
  }).pipe(Effect.provide(CounterLive)),
);

// workerB.ts
const counters = yield* Counter.from(WorkerA);"#,
    good: r#"// workerA.ts: Counter is hosted and published
export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}

// workerB.ts
const counters = yield* Counter.from(WorkerA);"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    let mut owners: Vec<&usize> = m.scopes.keys().collect();
    owners.sort();
    for &o in owners {
        if m.res(o).kind != ResourceKind::Worker {
            continue;
        }
        for ev in &m.scopes[&o].events {
            let EvKind::From {
                x,
                call,
                receiver,
                arg,
                arg_expr: Some(arg_expr),
            } = &ev.kind
            else {
                continue;
            };
            // `.from(W)`, or `.from("script")` where a Worker sets `name: "script"`
            let w = match arg {
                FromArg::Res(w) => *w,
                FromArg::Str(s) => match m.worker_with_script_name(s) {
                    Some(w) => w,
                    None => continue,
                },
                _ => continue,
            };
            let x = *x;
            if !m.res(x).form.is_bindable_do() || m.res(w).kind != ResourceKind::Worker {
                continue;
            }
            if m.publishes(w, x) {
                continue;
            }
            let deps = m.deps.get(&w);
            if deps.is_some_and(|d| d.unknown) {
                continue;
            }
            // W declares X but does not host it → host-without-runtime reports it.
            if m.declares(w, x) {
                continue;
            }
            let file = ev.file;
            let arg_span = ctx.span(file, *arg_expr);
            let call_text = ctx.text(file, ctx.span(file, *call));
            let xr = m.res(x);
            let wr = m.res(w);
            let xn = &xr.name;
            let wn = &wr.name;
            let x_live = live_label(m, x);
            if m.hosts_x(w, x) {
                if wr.form.is_modular_worker() {
                    // (a)
                    let suggestion = deps_fix(m, w, x);
                    let shown = suggestion.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
                    let ordinal = if wr.form == Form::RpcWorkerModular {
                        "second"
                    } else {
                        "third"
                    };
                    let msg = format!(
                        "{wn} hosts {xn} but does not list it in its Deps, so {call_text} cannot bind to it. Add {xn} as {wn}'s {ordinal} type argument: {shown}."
                    );
                    let mut d = Diag::new(&META, file, arg_span, msg);
                    if let Some(ta) = &wr.type_args {
                        let note = if deps.and_then(|d| d.node.as_ref()).is_some() {
                            format!("{wn}'s Deps does not include {xn}")
                        } else {
                            format!("{wn}'s type arguments have no Deps slot")
                        };
                        d = d.related(wr.file, ta.span, note);
                    } else {
                        d = d.related(wr.file, wr.span, format!("{wn} is declared here"));
                    }
                    if let Some(h) = m.hosts.get(&x).and_then(|hs| hs.iter().find(|h| h.worker == w)) {
                        d = d.related(h.file, h.span, format!("{wn} provides {x_live} here"));
                    }
                    if let Some((edits, _)) = suggestion {
                        d = d.fix(format!("Add {xn} to {wn}'s Deps"), edits);
                    }
                    d.push(out);
                } else {
                    // (b)
                    let inside = o == w;
                    let msg = if inside {
                        format!(
                            "{wn} hosts {xn}, but an inline Worker cannot publish Deps; inside {wn} itself, use yield* {xn} instead of {call_text}."
                        )
                    } else {
                        format!(
                            "{wn} hosts {xn}, but an inline Worker cannot publish Deps; declare it as Worker<{wn}, {{}}, {xn}>()(…) with export default {wn}.make(…)."
                        )
                    };
                    let mut d = Diag::new(&META, file, arg_span, msg).related(
                        wr.file,
                        wr.span,
                        format!("{wn} is an inline Worker"),
                    );
                    if inside {
                        let recv = ctx.text(file, ctx.span(file, *receiver)).to_string();
                        d = d.fix(
                            format!("Use yield* {xn}"),
                            vec![TextEdit {
                                file,
                                span: ctx.span(file, *call),
                                new_text: recv,
                            }],
                        );
                    }
                    d.push(out);
                }
                continue;
            }
            let valid = m.valid_hosts(x);
            if !valid.is_empty() {
                // (c)
                let names: Vec<String> = valid.iter().map(|h| m.res(*h).name.clone()).collect();
                let recv_text = ctx.text(file, ctx.span(file, *receiver));
                let uses: Vec<String> = names.iter().map(|n| format!("{recv_text}.from({n})")).collect();
                let who = if names.len() == 1 {
                    format!("{xn} is hosted by {}", names[0])
                } else {
                    format!("{xn} is hosted by {}", join_or(&names, "and"))
                };
                let msg = format!(
                    "{wn} does not host {xn}, so {call_text} has nothing to bind to. {who}: use {}.",
                    join_or(&uses, "or")
                );
                let mut d = Diag::new(&META, file, arg_span, msg);
                for &h in &valid {
                    let hr = m.res(h);
                    d = d.related(
                        hr.file,
                        hr.span,
                        format!("{} hosts {xn} and lists it in its Deps", hr.name),
                    );
                }
                for &h in &valid {
                    if let Some((name, mut edits)) = name_in_file(ctx, file, h) {
                        edits.insert(
                            0,
                            TextEdit {
                                file,
                                span: arg_span,
                                new_text: name.clone(),
                            },
                        );
                        d = d.fix(format!("Bind {xn} from {name}"), edits);
                    }
                }
                d.push(out);
            } else {
                // (d)
                let msg = format!(
                    "{wn} does not host {xn}, so {call_text} has nothing to bind to, and no Worker in this project does; provide {x_live} in a Worker and list {xn} in its Deps."
                );
                Diag::new(&META, file, arg_span, msg)
                    .related(wr.file, wr.span, format!("{wn} is declared here"))
                    .related(xr.file, xr.span, format!("{xn} is declared here"))
                    .push(out);
            }
        }
    }
}

/// "CounterLive" or a description of X's runtime layer.
pub fn live_label(m: &Model, x: usize) -> String {
    let ctx = &m.ctx;
    if let Some(&(f, _)) = ctx.makes.get(&x).and_then(|v| v.first())
        && let Some((n, _)) = live_name_in_file(ctx, f, x)
        && n != "default"
    {
        return n;
    }
    format!("{}Live", m.res(x).name)
}

/// The edits adding X to W's Deps (+ import), and the resulting type-argument text.
pub fn deps_fix(m: &Model, w: usize, x: usize) -> Option<(Vec<TextEdit>, String)> {
    let ctx = &m.ctx;
    let wr = m.res(w);
    let ta = wr.type_args.as_ref()?;
    let file = wr.file;
    let (xname, mut edits) = name_in_file(ctx, file, x)?;
    let slot = m.deps_slot(w)?;
    let last = ta.args.last()?;
    let edit = match ta.args.get(slot) {
        None => {
            let missing = slot - (ta.args.len() - 1);
            let text = if missing == 2 {
                format!(", {{}}, {xname}")
            } else {
                format!(", {xname}")
            };
            if missing > 2 {
                return None;
            }
            TextEdit {
                file,
                span: Span {
                    start: last.span.end,
                    end: last.span.end,
                },
                new_text: text,
            }
        }
        Some(node) => match &node.kind {
            TypeKind::Keyword(k) if k == "never" => TextEdit {
                file,
                span: node.span,
                new_text: xname.clone(),
            },
            _ => TextEdit {
                file,
                span: Span {
                    start: node.span.end,
                    end: node.span.end,
                },
                new_text: format!(" | {xname}"),
            },
        },
    };
    // the suggested type arguments, for the message
    let full = ctx.span(file, wr.callee);
    let mut shown = String::new();
    shown.push_str(ctx.text(file, full));
    let ta_text = ctx.text(file, ta.span);
    let rel_start = (edit.span.start - ta.span.start) as usize;
    let rel_end = (edit.span.end - ta.span.start) as usize;
    let mut new_ta = String::new();
    new_ta.push_str(&ta_text[..rel_start]);
    new_ta.push_str(&edit.new_text);
    new_ta.push_str(&ta_text[rel_end..]);
    shown.push_str(&collapse_ws(&new_ta));
    edits.insert(0, edit);
    Some((edits, shown))
}

fn collapse_ws(s: &str) -> String {
    let mut out = String::new();
    let mut last_ws = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !last_ws {
                out.push(' ');
            }
            last_ws = true;
        } else {
            out.push(c);
            last_ws = false;
        }
    }
    out.replace("< ", "<").replace(" >", ">")
}

pub fn join_or(items: &[String], word: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        _ => format!(
            "{} {word} {}",
            items[..items.len() - 1].join(", "),
            items[items.len() - 1]
        ),
    }
}
