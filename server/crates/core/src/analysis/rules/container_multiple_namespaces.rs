//! `container-multiple-namespaces`: one Container bound from several DO classes.
//!
//! A Container accepts one Durable Object namespace; binding it (binds-container) in
//! the outer inits of ≥ 2 distinct DO classes of one stack fails at deploy.

use rustc_hash::FxHashMap as HashMap;

use alchemy_grammar::Span;

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::scopes::EvKind;
use crate::workspace::FileId;

pub const ID: &str = "container-multiple-namespaces";

/// The rule's catalog entry (`alchemy-ls rules container-multiple-namespaces`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "one Container bound from several DO classes",
    description: "A Container can only be bound to one Durable Object namespace, so binding one Container \
class in the outer init of two different Durable Object classes of one stack fails at deploy. Give each \
Durable Object its own Container class. One Durable Object hosted by several Workers is fine.",
    bad: r#"export class Agent extends Cloudflare.DurableObjectNamespace<Agent>()("Agent",
  Effect.gen(function* () {
    const sandbox = yield* Cloudflare.bindContainer(Sandbox);
    return Effect.gen(function* () { return {}; });
  }),
) {}

export class Room extends Cloudflare.DurableObjectNamespace<Room>()("Room",
  Effect.gen(function* () {
    const sandbox = yield* Cloudflare.bindContainer(Sandbox);
    return Effect.gen(function* () { return {}; });
  }),
) {}"#,
    good: r#"export class Room extends Cloudflare.DurableObjectNamespace<Room>()("Room",
  Effect.gen(function* () {
    const sandbox = yield* Cloudflare.bindContainer(RoomSandbox);
    return Effect.gen(function* () { return {}; });
  }),
) {}"#,
};

/// One binds-container site: (DO, file, span).
type Bind = (usize, FileId, Span);

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let mut binds: HashMap<usize, Vec<Bind>> = HashMap::default();
    for (&o, scope) in &m.scopes {
        if !matches!(
            m.res(o).kind,
            ResourceKind::DurableObject | ResourceKind::RpcDurableObject
        ) {
            continue;
        }
        for ev in &scope.events {
            if let EvKind::ContainerBind { container, .. } = ev.kind {
                binds.entry(container).or_default().push((o, ev.file, ev.span));
            }
        }
    }
    let mut containers: Vec<usize> = binds.keys().copied().collect();
    containers.sort();
    for c in containers {
        let mut list = binds.remove(&c).unwrap_or_default();
        list.sort_by(|a, b| {
            let pa = &m.ctx.ws.file(a.1).path;
            let pb = &m.ctx.ws.file(b.1).path;
            (pa, a.2.start, a.0).cmp(&(pb, b.2.start, b.0))
        });
        list.dedup();
        let cn = &m.res(c).name;
        for (i, b) in list.iter().enumerate() {
            if !list[..i].iter().any(|e| e.0 != b.0 && same_stack(m, e.0, b.0)) {
                continue;
            }
            // every DO binding this Container in b's stack, in order of first bind
            let mut dos: Vec<usize> = Vec::new();
            for e in &list {
                if (e.0 == b.0 || same_stack(m, e.0, b.0)) && !dos.contains(&e.0) {
                    dos.push(e.0);
                }
            }
            let names: Vec<String> = dos.iter().map(|d| m.res(*d).name.clone()).collect();
            let msg = format!(
                "Container {cn} is bound by {}; a Container accepts one Durable Object namespace and deploy fails (\"A Container can only be bound to one Durable Object namespace\"). Give each DO its own Container class.",
                join_and(&names)
            );
            let mut d = Diag::new(&META, b.1, b.2, msg);
            for e in &list {
                if e.0 != b.0 && dos.contains(&e.0) {
                    d = d.related(e.1, e.2, format!("{} binds {cn} here", m.res(e.0).name));
                }
            }
            d.push(out);
        }
    }
}

/// Stacks deploying the Workers that host DO `d`.
fn stacks_of_do(m: &Model, d: usize) -> Vec<usize> {
    let mut v: Vec<usize> = m
        .hosts
        .get(&d)
        .map(|hs| {
            hs.iter()
                .flat_map(|h| m.stacks_of(h.worker).iter().copied())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v.dedup();
    v
}

/// Two DOs are in one stack: their hosts are deployed by a common stack; if neither is
/// deployed by any stack, they are in the same package.
fn same_stack(m: &Model, a: usize, b: usize) -> bool {
    let sa = stacks_of_do(m, a);
    let sb = stacks_of_do(m, b);
    if !sa.is_empty() || !sb.is_empty() {
        return sa.iter().any(|s| sb.contains(s));
    }
    m.package_dir(m.res(a).file) == m.package_dir(m.res(b).file)
}

fn join_and(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}
