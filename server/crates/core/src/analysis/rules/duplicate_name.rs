//! `duplicate-name`: two resources share an id or binding name where they collide.
//!
//! (1) two distinct Workers with one logical id in one stack; (2) in one Worker's scope two
//! distinct sources share a binding name (DO and Workflow names, service-binding targets'
//! logical ids, `env` keys); (3) two distinct Workflows with one name in a stack. Reported
//! at each later name, with the first related.

use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

use alchemy_grammar::{Expr, Span};

use super::{Diag, RuleMeta};
use crate::analysis::ctx::Env;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::resources::Form;
use crate::analysis::scopes::{EvKind, FromArg};
use crate::workspace::FileId;

pub const ID: &str = "duplicate-name";

/// The rule's catalog entry (`alchemy-ls rules duplicate-name`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "two resources share an id or binding name where they collide",
    description: "Alchemy keys resources by logical id, so two different Workers with one id in a stack \
silently become one. Likewise two Workflows with one name in a stack, and two different sources of one \
binding name (Durable Object names, Workflow names, service bindings, `env` keys) in one Worker, collide. \
The same declaration reached through re-exports, and one Durable Object name used in different Workers, are \
fine.",
    bad: r#"export class Api extends Cloudflare.Worker<Api>()("Api", { main: "./src/api.ts" }) {}
export class Api2 extends Cloudflare.Worker<Api2>()("Api", { main: "./src/api2.ts" }) {}"#,
    good: r#"export class Api extends Cloudflare.Worker<Api>()("Api", { main: "./src/api.ts" }) {}
export class Api2 extends Cloudflare.Worker<Api2>()("Api2", { main: "./src/api2.ts" }) {}"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    worker_ids(m, out);
    binding_names(m, out);
    workflow_names(m, out);
}

/// Two Workers deployed by one stack. (No same-package fallback: one id in successive
/// `deploy(…)` calls of tests is fine, and Workers no stack deploys are not deployed together.)
fn share_stack(m: &Model, a: usize, b: usize) -> bool {
    m.stacks_of(a).iter().any(|s| m.stacks_of(b).contains(s))
}

/// Where a resource's name is written: its logical id literal, else its declaration.
fn name_loc(m: &Model, r: usize) -> (FileId, Span) {
    m.ctx.decl_site(r)
}

fn order_key<'m>(m: &'m Model, loc: (FileId, Span)) -> (&'m std::path::Path, u32) {
    (m.ctx.ws.file(loc.0).path.as_path(), loc.1.start)
}

/// Resource names for messages; identical names are told apart by their file.
fn names_of(m: &Model, a: usize, b: usize) -> (String, String) {
    let (na, nb) = (&m.res(a).name, &m.res(b).name);
    if na != nb {
        return (na.clone(), nb.clone());
    }
    let place = |r: usize| {
        let (file, span) = name_loc(m, r);
        let src = m.ctx.ws.file(file);
        match m.res(r).instance {
            Some(_) => format!("{}:{}", rel_path(m, file), src.line_index.line_of(span.start) + 1),
            None => rel_path(m, file),
        }
    };
    (format!("{na} ({})", place(a)), format!("{nb} ({})", place(b)))
}

fn rel_path(m: &Model, file: FileId) -> String {
    let path = &m.ctx.ws.file(file).path;
    for root in &m.ctx.ws.roots {
        if let Ok(rel) = path.strip_prefix(root) {
            return rel.to_string_lossy().replace('\\', "/");
        }
    }
    path.file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// Resources grouped by logical id, each group sorted by where the id is written.
fn by_id<'m>(m: &'m Model, keep: impl Fn(usize) -> bool) -> BTreeMap<&'m str, Vec<usize>> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for r in 0..m.ctx.res.list.len() {
        if !keep(r) {
            continue;
        }
        if let Some(id) = &m.res(r).logical_id {
            groups.entry(id.as_str()).or_default().push(r);
        }
    }
    for g in groups.values_mut().filter(|g| g.len() > 1) {
        g.sort_by(|a, b| order_key(m, name_loc(m, *a)).cmp(&order_key(m, name_loc(m, *b))));
    }
    groups
}

/// Where each stack first deploys each Worker of `workers` (its `yield*`), for deploy order:
/// one pass over the events of the stacks that deploy them, keyed by (stack, Worker).
fn first_deploys<'m>(
    m: &'m Model,
    workers: impl Iterator<Item = usize>,
) -> HashMap<(usize, usize), (&'m std::path::Path, u32)> {
    let mut stacks: Vec<usize> = workers.flat_map(|w| m.stacks_of(w).iter().copied()).collect();
    stacks.sort_unstable();
    stacks.dedup();
    let mut first: HashMap<(usize, usize), (&std::path::Path, u32)> = HashMap::default();
    for s in stacks {
        let Some(scope) = m.scopes.get(&s) else { continue };
        for ev in &scope.events {
            if let EvKind::Yield { target } = &ev.kind {
                let at = order_key(m, (ev.file, ev.span));
                first
                    .entry((s, *target))
                    .and_modify(|k| *k = (*k).min(at))
                    .or_insert(at);
            }
        }
    }
    first
}

// (1)
fn worker_ids(m: &Model, out: &mut Vec<Diagnostic>) {
    let mut groups = by_id(m, |r| {
        m.res(r).kind == ResourceKind::Worker && m.res(r).form != Form::WorkerRef
    });
    // a lone Worker under its id has nothing to collide with
    groups.retain(|_, list| list.len() > 1);
    let first = first_deploys(m, groups.values().flatten().copied());
    let deploy_order = |w: usize| {
        m.stacks_of(w)
            .iter()
            .filter_map(|s| first.get(&(*s, w)))
            .min()
            .copied()
    };
    // the second Worker a stack deploys under an id silently reuses the first
    for list in groups.values_mut() {
        list.sort_by_cached_key(|&r| {
            let d = deploy_order(r);
            (d.is_none(), d, order_key(m, name_loc(m, r)))
        });
    }
    for (id, list) in groups {
        for (i, &b) in list.iter().enumerate() {
            let Some(&a) = list[..i].iter().find(|&&a| share_stack(m, a, b)) else {
                continue;
            };
            let (na, nb) = names_of(m, a, b);
            let (file, span) = name_loc(m, b);
            let (fa, sa) = name_loc(m, a);
            let msg = format!(
                "Worker id \"{id}\" is used by both {na} and {nb}; Alchemy keys resources by id, so {nb} silently reuses {na}. Give {nb} its own id."
            );
            Diag::new(&META, file, span, msg)
                .related(fa, sa, format!("{na} uses the id \"{id}\" first"))
                .push(out);
        }
    }
}

// (3)
fn workflow_names(m: &Model, out: &mut Vec<Diagnostic>) {
    let groups = by_id(m, |r| {
        matches!(m.res(r).form, Form::WorkflowClass | Form::WorkflowValue)
    });
    let hosts_of = |x: usize| -> Vec<usize> {
        m.hosts
            .get(&x)
            .map(|hs| hs.iter().map(|h| h.worker).collect())
            .unwrap_or_default()
    };
    for (id, list) in groups {
        for (i, &b) in list.iter().enumerate() {
            let hb = hosts_of(b);
            let Some(&a) = list[..i].iter().find(|&&a| {
                hosts_of(a)
                    .iter()
                    .any(|wa| hb.iter().any(|wb| wa == wb || share_stack(m, *wa, *wb)))
            }) else {
                continue;
            };
            let (na, nb) = names_of(m, a, b);
            let (file, span) = name_loc(m, b);
            let (fa, sa) = name_loc(m, a);
            let msg = format!(
                "Workflow name \"{id}\" is used by both {na} and {nb} in one stack; a workflow is keyed by its name, so one replaces the other. Give {nb} its own name."
            );
            Diag::new(&META, file, span, msg)
                .related(fa, sa, format!("{na} uses the name \"{id}\" first"))
                .push(out);
        }
    }
}

/// What provides a binding name in a Worker's scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Source {
    Res(usize),
    /// An `env` entry whose value is not a resource: (file, entry span).
    Env(FileId, Span),
}

struct Named {
    name: String,
    source: Source,
    loc: (FileId, Span),
}

// (2)
fn binding_names(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    let mut workers: Vec<usize> = (0..ctx.res.list.len())
        .filter(|&r| m.res(r).kind == ResourceKind::Worker)
        .collect();
    workers.sort();
    // hosted DOs/Workflows per Worker
    let mut hosted: HashMap<usize, Vec<usize>> = HashMap::default();
    for (&x, hs) in &m.hosts {
        for h in hs {
            hosted.entry(h.worker).or_default().push(x);
        }
    }
    for w in workers {
        let mut names: Vec<Named> = Vec::new();
        let add_res = |names: &mut Vec<Named>, r: usize| {
            if let Some(n) = &m.res(r).logical_id
                && !names.iter().any(|e| e.source == Source::Res(r))
            {
                names.push(Named {
                    name: n.clone(),
                    source: Source::Res(r),
                    loc: name_loc(m, r),
                });
            }
        };
        for &x in hosted.get(&w).map(|v| v.as_slice()).unwrap_or(&[]) {
            add_res(&mut names, x);
        }
        if let Some(scope) = m.scopes.get(&w) {
            for ev in &scope.events {
                match &ev.kind {
                    EvKind::From {
                        x,
                        arg: FromArg::Res(_) | FromArg::Str(_),
                        ..
                    } if m.res(*x).form.is_bindable_do() => add_res(&mut names, *x),
                    EvKind::Yield { target } if m.res(*target).form.is_bindable_do() => {
                        add_res(&mut names, *target);
                    }
                    EvKind::ServiceBind { target, .. } => add_res(&mut names, *target),
                    _ => {}
                }
            }
        }
        for (f, obj) in ctx.props(w) {
            for key in ["env", "bindings"] {
                let Some(p) = ctx.prop(f, obj, key) else { continue };
                let Some(Expr::Object { props, .. }) = ctx.kind(f, p.value) else {
                    continue;
                };
                for e in props {
                    let Some(k) = &e.key else { continue };
                    let source = match ctx.resource_of(f, e.value, &Env::default()) {
                        Some(r) => Source::Res(r),
                        None => Source::Env(f, e.span),
                    };
                    names.push(Named {
                        name: k.clone(),
                        source,
                        loc: (f, e.key_span),
                    });
                }
            }
        }
        names.sort_by(|a, b| order_key(m, a.loc).cmp(&order_key(m, b.loc)));
        let wn = &m.res(w).name;
        for (i, b) in names.iter().enumerate() {
            let Some(a) = names[..i]
                .iter()
                .find(|a| a.name == b.name && a.source != b.source)
            else {
                continue;
            };
            let describe = |n: &Named| match n.source {
                Source::Res(r) => m.res(r).name.clone(),
                Source::Env(..) => format!("the env entry {}", n.name),
            };
            let (da, db) = (describe(a), describe(b));
            let (da, db) = match (a.source, b.source) {
                (Source::Res(ra), Source::Res(rb)) if da == db => names_of(m, ra, rb),
                _ => (da, db),
            };
            let msg = format!(
                "{wn} binds two different resources under the name \"{}\": {da} and {db}; one binding replaces the other. Rename one of them.",
                b.name
            );
            Diag::new(&META, b.loc.0, b.loc.1, msg)
                .related(a.loc.0, a.loc.1, format!("{da} is bound as \"{}\" first", a.name))
                .push(out);
        }
    }
}
