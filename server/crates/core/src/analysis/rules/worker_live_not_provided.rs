//! `worker-live-not-provided`: a stack deploys a modular Worker without providing its Live.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{Diag, RuleMeta};
use super::from_non_host::join_or;
use super::host_without_runtime::{has_unknown_provide, stack_name};
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::fixes::{add_provide, live_name_in_file};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::scopes::{EvKind, FromArg};
use crate::workspace::FileId;
use alchemy_grammar::Span;

pub const ID: &str = "worker-live-not-provided";

/// The rule's catalog entry (`alchemy-ls rules worker-live-not-provided`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a stack deploys a modular Worker without providing its Live",
    description: "A stack that deploys a modular Worker (a class plus `WorkerA.make(...)`) must provide \
that Worker's runtime layer, usually the default export of its file. Without it the Worker is deployed as a \
bare script: without its bindings and without the Durable Object classes it hosts, so bindings to it fail at \
deploy. Older Alchemy versions compile this silently. Inline Workers (implementation passed to the class \
call) carry their runtime and are never reported.",
    bad: r#"import WorkerALive, { WorkerA } from "./src/workerA.ts";

export default Alchemy.Stack(
  "CrossWorkerDO",
  { state: Cloudflare.state(), providers: Cloudflare.providers() },
  Effect.gen(function* () {
    const a = yield* WorkerA;
    return { url: a.url.as<string>() };
  }),
);"#,
    good: r#"import WorkerALive, { WorkerA } from "./src/workerA.ts";

export default Alchemy.Stack(
  "CrossWorkerDO",
  { state: Cloudflare.state(), providers: Cloudflare.providers() },
  Effect.gen(function* () {
    const a = yield* WorkerA;
    return { url: a.url.as<string>() };
  }).pipe(Effect.provide(WorkerALive)),
);"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    let mut stacks: Vec<usize> = m
        .scopes
        .keys()
        .copied()
        .filter(|s| m.res(*s).kind == ResourceKind::Stack)
        .collect();
    stacks.sort();
    // Linear in the stacks' events and in the findings: where each stack yields each Worker,
    // and which Worker each one hosts, are indexed once (not searched per finding).
    let sites: HashMap<usize, Sites> = stacks.iter().map(|&s| (s, Sites::new(m, s))).collect();
    let mut hosted_by: HashMap<usize, Vec<String>> = HashMap::default();
    for (x, hs) in &m.hosts {
        let mut seen = HashSet::default();
        for h in hs {
            if seen.insert(h.worker) {
                hosted_by.entry(h.worker).or_default().push(m.res(*x).name.clone());
            }
        }
    }
    for v in hosted_by.values_mut() {
        v.sort();
    }
    let yields = |s: usize, w: usize| sites.get(&s).is_some_and(|x| x.yields.contains_key(&w));
    for s in stacks.iter().copied() {
        if has_unknown_provide(m, s) {
            continue;
        }
        let scope = &m.scopes[&s];
        let provided: HashSet<usize> = scope
            .events
            .iter()
            .flat_map(|e| match &e.kind {
                EvKind::Provide { set, .. } => set.items.clone(),
                _ => Vec::new(),
            })
            .collect();
        for &w in m.workers_of(s) {
            let wr = m.res(w);
            if !wr.form.is_modular_worker() || provided.contains(&w) {
                continue;
            }
            let Some((file, span)) = sites[&s].site(w) else {
                continue;
            };
            let wn = &wr.name;
            let sn = stack_name(m, s);
            // Reached only through a consumer's `.from(W)`/`bindWorker(W)` while another stack
            // deploys W itself: providing WLive here would deploy a second W.
            if !yields(s, w)
                && let Some(other) = m
                    .stacks_of(w)
                    .iter()
                    .copied()
                    .find(|&o| o != s && yields(o, w))
            {
                let on = stack_name(m, other);
                let binders = consumers_in_stack(m, w, s);
                let via = match binders.first() {
                    Some((c, x, _, _)) => format!("{}.from({wn}) in {}", m.res(*x).name, m.res(*c).name),
                    None => format!("a binding to {wn}"),
                };
                let msg = format!(
                    "Stack {sn} deploys a second {wn}: {via} pulls {wn} into {sn}, but {wn} is deployed by stack {on}, so this copy has no runtime layer and the binding does not reach {on}'s {wn}. Bind across stacks by script name (Worker.ref(\"{id}\", {{ stack: \"{on}\" }}) and .from(ref.workerName)), or deploy both Workers in one stack.",
                    id = wr.logical_id.as_deref().unwrap_or(wn),
                );
                let mut d = Diag::new(&META, file, span, msg);
                for (c, x, f, sp) in &binders {
                    d = d.related(
                        *f,
                        *sp,
                        format!("{} binds {} from {wn}", m.res(*c).name, m.res(*x).name),
                    );
                }
                let (of, osp) = sites
                    .get(&other)
                    .and_then(|x| x.yields.get(&w).copied())
                    .unwrap_or((wr.file, wr.span));
                d = d.related(of, osp, format!("stack {on} deploys {wn} here"));
                d.push(out);
                continue;
            }
            let hosted: &[String] = hosted_by.get(&w).map(Vec::as_slice).unwrap_or(&[]);
            let consumers = consumers_in_stack(m, w, s);
            let makes = ctx.makes.get(&w).cloned().unwrap_or_default();
            let stack_file = m.res(s).file;
            let live = live_name_in_file(ctx, stack_file, w);
            let what = if hosted.is_empty() {
                format!("{wn} would be deployed without its bindings")
            } else {
                let classes: Vec<String> = hosted.iter().map(|h| format!("the {h} class")).collect();
                format!(
                    "{wn} would be deployed without its bindings and without {}",
                    join_or(&classes, "and")
                )
            };
            let consequence = match consumers.first() {
                Some((c, x, _, _)) => format!(
                    ", so {}.from({wn}) in {} fails at deploy",
                    m.res(*x).name,
                    m.res(*c).name
                ),
                None => String::new(),
            };
            let msg = if makes.is_empty() {
                format!(
                    "Stack {sn} deploys {wn} but {wn} has no runtime layer: nothing calls {wn}.make(…). {what}{consequence}. Add export default {wn}.make(…) and provide it to the stack."
                )
            } else {
                let (lname, desc) = match &live {
                    Some((n, _)) => (n.clone(), live_desc(m, w, n)),
                    None => (format!("{wn}Live"), String::new()),
                };
                format!(
                    "Stack {sn} deploys {wn} but never provides {wn}'s runtime layer ({lname}{desc}). {what}{consequence}. Add .pipe(Effect.provide({lname}))."
                )
            };
            let mut d = Diag::new(&META, file, span, msg);
            if let Some(&(mf, call)) = makes.first() {
                let callee = match ctx.kind(mf, call) {
                    Some(alchemy_grammar::Expr::Call { callee, .. }) => ctx.span(mf, *callee),
                    _ => ctx.span(mf, call),
                };
                d = d.related(mf, callee, format!("{wn}'s runtime layer is defined here"));
            }
            for (c, x, f, sp) in &consumers {
                d = d.related(
                    *f,
                    *sp,
                    format!("{} binds {} from {wn}", m.res(*c).name, m.res(*x).name),
                );
            }
            if !makes.is_empty()
                && let Some((lname, imports)) = live
                && let Some(&(sf, effect)) = ctx.impls(s).first()
            {
                let mut edits: Vec<TextEdit> = add_provide(ctx, sf, effect, &lname);
                edits.extend(imports);
                d = d.fix(format!("Provide {lname} to the stack"), edits);
            }
            d.push(out);
        }
    }
}

fn live_desc(m: &Model, w: usize, _local: &str) -> String {
    let ctx = &m.ctx;
    let Some(&(mf, call)) = ctx.makes.get(&w).and_then(|v| v.first()) else {
        return String::new();
    };
    let facts = ctx.facts(mf);
    let is_default = facts.exports.iter().any(|e| match &e.kind {
        alchemy_grammar::ExportKind::DefaultExpr { expr } => {
            let sp = ctx.span(mf, *expr);
            let c = ctx.span(mf, call);
            sp.start <= c.start && c.end <= sp.end
        }
        _ => false,
    }) || ctx
        .syms
        .resolve_export(mf, "default")
        .is_some_and(|s| ctx.live_of_sym(&s, 0) == Some(w));
    if is_default {
        format!(", the default export of {}", m.rel_path(mf))
    } else {
        format!(", exported by {}", m.rel_path(mf))
    }
}

/// Where stack `s` yields each Worker, for the report site: the stack's own `yield* W`, else
/// the `yield*` of a deployed Worker that binds W (the first in the stack's order).
struct Sites {
    /// W → the stack's first `yield* W`.
    yields: HashMap<usize, (FileId, Span)>,
    /// W → the first `yield* C` of the stack whose Worker C binds W (`.from(W)` or a service
    /// binding).
    bound: HashMap<usize, (FileId, Span)>,
}

impl Sites {
    fn new(m: &Model, s: usize) -> Sites {
        let mut yields = HashMap::default();
        let mut bound = HashMap::default();
        let Some(scope) = m.scopes.get(&s) else {
            return Sites { yields, bound };
        };
        for ev in &scope.events {
            let EvKind::Yield { target } = &ev.kind else {
                continue;
            };
            yields.entry(*target).or_insert((ev.file, ev.span));
            let Some(ts) = m.scopes.get(target) else {
                continue;
            };
            for e in &ts.events {
                let h = match &e.kind {
                    EvKind::From {
                        arg: FromArg::Res(h), ..
                    } => *h,
                    EvKind::ServiceBind { target: t, .. } => *t,
                    _ => continue,
                };
                bound.entry(h).or_insert((ev.file, ev.span));
            }
        }
        Sites { yields, bound }
    }

    /// Where to report W (`None`: provided but never yielded, or deployed indirectly).
    fn site(&self, w: usize) -> Option<(FileId, Span)> {
        self.yields.get(&w).or_else(|| self.bound.get(&w)).copied()
    }
}

/// [`consumers`] that stack `s` deploys (messages name only the stack's own Workers).
fn consumers_in_stack(m: &Model, w: usize, s: usize) -> Vec<(usize, usize, FileId, Span)> {
    consumers(m, w)
        .into_iter()
        .filter(|(c, ..)| m.stacks_of(*c).contains(&s))
        .collect()
}

/// (consumer, X, file, span) for `X.from(W)` in other Workers.
fn consumers(m: &Model, w: usize) -> Vec<(usize, usize, FileId, Span)> {
    m.binders_of(w).to_vec()
}
