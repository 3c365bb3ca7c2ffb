//! The analysed model: per-resource scopes, Deps contracts, hosting and deployment, and the
//! graph derived from them (docs/alchemy-model.md, "Scopes and relations").

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::PathBuf;
use std::sync::Mutex;

use alchemy_grammar::{DeclKind, Span, TypeKind, TypeNode};

use rayon::prelude::*;

use super::api::Api;
use super::ctx::Ctx;
use super::graph::{Edge, EdgeKind, Graph, Resource, ResourceKind};
use super::resources::Form;
use super::scopes::{EvKind, FromArg, Scope, Walker};
use super::symbols::Sym;
use crate::workspace::FileId;

/// The `scriptName` of a descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptName {
    Lit(String),
    /// `h.workerName` or another expression.
    Other,
}

/// A Worker's rollout props: a *version* of a parent Worker (`version.parent`: no script of
/// its own), a gradual rollout of its own script (`version.traffic` without a parent), or a
/// *preview* of another Worker (`preview.of`).
#[derive(Clone, Debug, Default)]
pub struct Rollout {
    /// The `version` key.
    pub version: Option<(FileId, Span)>,
    /// The `parent: …` property and the Worker it names.
    pub parent: Option<(FileId, Span, Option<usize>)>,
    /// `traffic` when it is a number literal.
    pub traffic: Option<f64>,
    pub traffic_span: Option<(FileId, Span)>,
    /// The `preview` key and the Worker `preview.of` names.
    pub preview: Option<(FileId, Span, Option<usize>)>,
}

impl Rollout {
    /// A version of another Worker's script (or a preview): not a script of its own, and its
    /// hosted classes are not a namespace of their own (version) or are per preview.
    pub fn is_version_or_preview(&self) -> bool {
        self.parent.is_some() || self.preview.is_some()
    }
}

/// A Durable Object namespace a Worker hosts (see [`Model::hosted_namespaces`]).
#[derive(Clone, Debug)]
pub struct HostedNamespace {
    pub x: usize,
    /// The namespace id: the DO's name string, or a descriptor's `env` key.
    pub id: String,
    /// The exported class: `className ?? name` for a descriptor, the name otherwise.
    pub class_name: String,
    pub descriptor: bool,
    /// Where the Worker hosts it.
    pub file: FileId,
    pub span: Span,
}

/// A `X.from(W)` site: (consumer, X, file, span).
pub type Binder = (usize, usize, FileId, Span);

/// An understood `env` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvValue {
    /// A resource: a descriptor, a Worker class (service binding), a Container.
    Res(usize),
    /// `WorkerEntrypoint(target, …)`: a service binding to a named entrypoint of `target`.
    Entrypoint(usize),
    /// `Cloudflare.Self`: a service binding to the Worker itself (no edge).
    SelfBinding,
}

/// How wide a Deps type is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wide {
    /// any / unknown / object / Object / {}
    Any,
    /// [A, B] / A[]
    Tuple,
    /// typeof A
    Typeof,
}

#[derive(Clone, Debug, Default)]
pub struct Deps {
    /// The Deps type node, if the slot is present.
    pub node: Option<TypeNode>,
    /// Resolved members (resource, span of the member in the type arguments).
    pub members: Vec<(usize, Span)>,
    pub wide: Option<Wide>,
    /// Some member could not be resolved (alias to something unknown, unresolved import).
    pub unknown: bool,
}

#[derive(Clone, Debug)]
pub struct Host {
    pub worker: usize,
    pub file: FileId,
    pub span: Span,
    pub via: Option<usize>,
    /// The host's only local use of X is `X.from(Self)`/`yield* X` … (for duplicate-host)
    pub by_provide: bool,
}

pub struct Model<'a> {
    pub ctx: Ctx<'a>,
    /// Scope of each resource that has one (Workers, Stacks: transitive; DOs/Workflows: their
    /// own outer init, not transitive).
    pub scopes: HashMap<usize, Scope>,
    pub deps: HashMap<usize, Deps>,
    /// X → hosts (one per worker).
    pub hosts: HashMap<usize, Vec<Host>>,
    /// Worker → stacks deploying it.
    pub deployed_by: HashMap<usize, Vec<usize>>,
    /// Stack → the Workers it deploys, sorted (the inverse of `deployed_by`).
    pub deploys: HashMap<usize, Vec<usize>>,
    /// Worker W → every `X.from(W)` of another Worker's scope: (consumer, X, file, span),
    /// in owner order (built on first use).
    from_index: std::sync::OnceLock<HashMap<usize, Vec<Binder>>>,
    /// The relation graph, built on first use ([`Model::graph`]; the component analysis
    /// builds it while the rules run, which do not read it).
    graph: std::sync::OnceLock<Graph>,
    /// Worker by logical id or literal `name` prop (the first Worker in list order).
    workers_by_name: HashMap<String, usize>,
    /// Worker by literal `name` prop only: its physical script name.
    workers_by_script: HashMap<String, usize>,
    /// Names [`Model::worker_named`] found no Worker for (on a restricted workspace view,
    /// the Worker may be outside it: see `analysis::components`).
    missed_names: Mutex<Vec<String>>,
    /// The deploy-impact findings against the baseline, computed once (see `impact`).
    pub impact: std::sync::OnceLock<Vec<super::impact::Finding>>,
    /// Every Worker's understood `env` entries, in Worker order (computed once: the hosts,
    /// the graph, rules and the deploy-impact snapshot all read them).
    env_keyed: std::sync::OnceLock<Vec<EnvEntry>>,
    /// Worker → what it hosts (the keys of `hosts` it is a host of), sorted.
    hosted_by: std::sync::OnceLock<HashMap<usize, Vec<usize>>>,
}

/// An understood `env` entry: (Worker, file, entry span, value span, value, key).
type EnvEntry = (usize, FileId, Span, Span, EnvValue, Option<String>);

impl<'a> Model<'a> {
    pub fn build(ctx: Ctx<'a>) -> Model<'a> {
        let mut m = Model {
            ctx,
            scopes: HashMap::default(),
            deps: HashMap::default(),
            hosts: HashMap::default(),
            deployed_by: HashMap::default(),
            deploys: HashMap::default(),
            from_index: std::sync::OnceLock::new(),
            graph: std::sync::OnceLock::new(),
            workers_by_name: HashMap::default(),
            workers_by_script: HashMap::default(),
            missed_names: Mutex::new(Vec::new()),
            impact: std::sync::OnceLock::new(),
            env_keyed: std::sync::OnceLock::new(),
            hosted_by: std::sync::OnceLock::new(),
        };
        // Each Worker's `name` prop is evaluated in parallel, the tables filled in order.
        let scripts: Vec<(usize, Option<String>)> = {
            let m = &m;
            (0..m.ctx.res.list.len())
                .into_par_iter()
                .with_min_len(16)
                .filter(|&r| {
                    let info = m.ctx.res.get(r);
                    info.kind == ResourceKind::Worker && info.form != Form::WorkerRef
                })
                .map(|r| (r, m.name_prop(r)))
                .collect()
        };
        for (r, script) in scripts {
            if let Some(s) = &script {
                m.workers_by_script.entry(s.clone()).or_insert(r);
            }
            for name in m.ctx.res.get(r).logical_id.clone().into_iter().chain(script) {
                m.workers_by_name.entry(name).or_insert(r);
            }
        }
        // Each resource's scope and Deps read the context only: computed in parallel (an
        // edit in a 1,000-Worker stack re-analyses one component, on one core otherwise).
        let n = m.ctx.res.list.len();
        let computed: Vec<(usize, Option<Scope>, Option<Deps>)> = {
            let m = &m;
            (0..n)
                .into_par_iter()
                .with_min_len(16)
                .map(|r| {
                    let info = m.ctx.res.get(r);
                    let scope = match info.kind {
                        ResourceKind::Worker | ResourceKind::Stack => Some(Walker::scope_of(&m.ctx, r, true)),
                        ResourceKind::DurableObject
                        | ResourceKind::RpcDurableObject
                        | ResourceKind::Workflow => Some(Walker::outer_init_of(&m.ctx, r)),
                        ResourceKind::Container
                        | ResourceKind::Queue
                        | ResourceKind::R2Bucket
                        | ResourceKind::D1Database => None,
                    };
                    let deps = (info.kind == ResourceKind::Worker).then(|| m.compute_deps(r));
                    (r, scope, deps)
                })
                .collect()
        };
        for (r, scope, deps) in computed {
            if let Some(s) = scope {
                m.scopes.insert(r, s);
            }
            if let Some(d) = deps {
                m.deps.insert(r, d);
            }
        }
        // Both read the scopes only.
        let (hosts, (deployed_by, deploys)) = rayon::join(|| m.hosts_table(), || m.deployed_tables());
        m.hosts = hosts;
        m.deployed_by = deployed_by;
        m.deploys = deploys;
        m
    }

    /// The relation graph (resources and their edges).
    pub fn graph(&self) -> &Graph {
        self.graph.get_or_init(|| self.build_graph())
    }

    /// The relation graph, taken out of the model.
    pub fn into_graph(self) -> Graph {
        self.graph();
        self.graph.into_inner().unwrap_or_default()
    }

    pub fn res(&self, r: usize) -> &super::resources::ResInfo {
        self.ctx.res.get(r)
    }

    /// The index of the Deps slot in a Worker's type arguments.
    pub fn deps_slot(&self, w: usize) -> Option<usize> {
        match self.res(w).form {
            Form::WorkerModular | Form::WorkerExternal => Some(2),
            Form::RpcWorkerModular => Some(1),
            _ => None,
        }
    }

    fn compute_deps(&self, w: usize) -> Deps {
        let mut d = Deps::default();
        let info = self.res(w);
        let Some(slot) = self.deps_slot(w) else { return d };
        let Some(node) = info.type_args.as_ref().and_then(|t| t.args.get(slot)) else {
            return d;
        };
        d.node = Some(node.clone());
        self.read_deps(info.file, node, &mut d, 0);
        d
    }

    fn read_deps(&self, file: FileId, node: &TypeNode, d: &mut Deps, depth: u32) {
        if depth > 16 {
            d.unknown = true;
            return;
        }
        match &node.kind {
            TypeKind::Union(items) => {
                for t in items {
                    self.read_deps(file, t, d, depth + 1);
                }
            }
            TypeKind::Keyword(k) => match k.as_str() {
                "never" => {}
                "any" | "unknown" | "object" => d.wide = Some(Wide::Any),
                _ => d.unknown = true,
            },
            TypeKind::Object { members, .. } if members.is_empty() => d.wide = Some(Wide::Any),
            TypeKind::Tuple(_) | TypeKind::Array(_) => d.wide = Some(Wide::Tuple),
            TypeKind::Typeof(_) => d.wide = Some(Wide::Typeof),
            TypeKind::Ref { name, .. } => {
                if name == "Object" && self.resolve_dotted(file, name).is_none() {
                    d.wide = Some(Wide::Any);
                    return;
                }
                match self.resolve_dotted(file, name) {
                    Some(sym) => {
                        if let Some(r) = self.ctx.res.of_sym(&self.ctx.syms, &sym) {
                            d.members.push((r, node.span));
                        } else if let Sym::Decl { file: f2, decl } = sym
                            && let DeclKind::TypeAlias { ty } = &self.ctx.facts(f2).decls[decl].kind
                        {
                            let ty = ty.clone();
                            self.read_deps(f2, &ty, d, depth + 1);
                        } else {
                            d.unknown = true;
                        }
                    }
                    None => d.unknown = true,
                }
            }
            _ => d.unknown = true,
        }
    }

    /// Resolve a dotted type name (`Counter`, `NS.Counter`) in `file`.
    pub fn resolve_dotted(&self, file: FileId, name: &str) -> Option<Sym> {
        let mut parts = name.split('.');
        let first = parts.next()?;
        let mut sym = self.ctx.syms.resolve_name(file, first)?;
        for p in parts {
            sym = self.ctx.syms.member(&sym, p)?;
        }
        Some(sym)
    }

    pub fn declares(&self, w: usize, x: usize) -> bool {
        self.deps
            .get(&w)
            .is_some_and(|d| d.members.iter().any(|(m, _)| *m == x))
    }

    pub fn hosts_x(&self, w: usize, x: usize) -> bool {
        self.hosts
            .get(&x)
            .is_some_and(|hs| hs.iter().any(|h| h.worker == w))
    }

    /// W publishes X: declares it, or has wide Deps and hosts it.
    pub fn publishes(&self, w: usize, x: usize) -> bool {
        self.declares(w, x) || (self.deps.get(&w).is_some_and(|d| d.wide.is_some()) && self.hosts_x(w, x))
    }

    /// Workers that publish and host X.
    pub fn valid_hosts(&self, x: usize) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .hosts
            .get(&x)
            .map(|hs| {
                hs.iter()
                    .map(|h| h.worker)
                    .filter(|w| self.publishes(*w, x))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v.dedup();
        v
    }

    fn hosts_table(&self) -> HashMap<usize, Vec<Host>> {
        let mut hosts: HashMap<usize, Vec<Host>> = HashMap::default();
        for (&w, scope) in &self.scopes {
            if self.res(w).kind != ResourceKind::Worker {
                continue;
            }
            for ev in &scope.events {
                let (targets, by_provide): (Vec<usize>, bool) = match &ev.kind {
                    EvKind::Provide { set, .. } => (
                        set.items
                            .iter()
                            .copied()
                            .filter(|r| matches!(self.res(*r).form, Form::DoModular | Form::RpcDoModular))
                            .collect(),
                        true,
                    ),
                    EvKind::Yield { target } if self.res(*target).form.is_inline_hostable() => {
                        (vec![*target], false)
                    }
                    _ => continue,
                };
                for x in targets {
                    let list = hosts.entry(x).or_default();
                    if !list.iter().any(|h| h.worker == w) {
                        list.push(Host {
                            worker: w,
                            file: ev.file,
                            span: ev.span,
                            via: ev.via,
                            by_provide,
                        });
                    }
                }
            }
        }
        for (w, file, span, d, script) in self.env_descriptors() {
            if script.is_none() {
                let list = hosts.entry(d).or_default();
                if !list.iter().any(|h| h.worker == w) {
                    list.push(Host {
                        worker: w,
                        file,
                        span,
                        via: None,
                        by_provide: false,
                    });
                }
            }
        }
        for list in hosts.values_mut() {
            let ws = self.ctx.ws;
            list.sort_by_key(|h| (ws.path_rank(h.file), h.span.start, h.worker));
        }
        hosts
    }

    /// Each Worker's deploying stacks, and each stack's Workers (both sorted).
    #[allow(clippy::type_complexity)]
    fn deployed_tables(&self) -> (HashMap<usize, Vec<usize>>, HashMap<usize, Vec<usize>>) {
        let mut deployed: HashMap<usize, Vec<usize>> = HashMap::default();
        for (&s, scope) in &self.scopes {
            if self.res(s).kind != ResourceKind::Stack {
                continue;
            }
            let mut seen: HashSet<usize> = HashSet::default();
            let mut work: Vec<usize> = Vec::new();
            for ev in &scope.events {
                match &ev.kind {
                    EvKind::Yield { target } if self.res(*target).kind == ResourceKind::Worker => {
                        work.push(*target);
                    }
                    EvKind::Provide { set, .. } => work.extend(
                        set.items
                            .iter()
                            .copied()
                            .filter(|r| self.res(*r).kind == ResourceKind::Worker),
                    ),
                    _ => {}
                }
            }
            while let Some(w) = work.pop() {
                // a `Worker.ref` is deployed elsewhere
                if !seen.insert(w) || self.res(w).form == Form::WorkerRef {
                    continue;
                }
                deployed.entry(w).or_default().push(s);
                if let Some(ws) = self.scopes.get(&w) {
                    for ev in &ws.events {
                        match &ev.kind {
                            EvKind::From {
                                arg: FromArg::Res(h), ..
                            } if self.res(*h).kind == ResourceKind::Worker => work.push(*h),
                            EvKind::ServiceBind { target, .. }
                                if self.res(*target).kind == ResourceKind::Worker =>
                            {
                                work.push(*target);
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        let mut deploys: HashMap<usize, Vec<usize>> = HashMap::default();
        for v in deployed.values_mut() {
            v.sort();
            v.dedup();
        }
        for (&w, ss) in &deployed {
            for &s in ss {
                deploys.entry(s).or_default().push(w);
            }
        }
        for v in deploys.values_mut() {
            v.sort();
        }
        (deployed, deploys)
    }

    /// The Workers stack `s` deploys, sorted.
    pub fn workers_of(&self, s: usize) -> &[usize] {
        self.deploys.get(&s).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Every `X.from(W)` in another Worker's scope: (consumer, X, file, span), by owner.
    pub fn binders_of(&self, w: usize) -> &[Binder] {
        let index = self.from_index.get_or_init(|| {
            let mut owners: Vec<&usize> = self.scopes.keys().collect();
            owners.sort();
            let mut index: HashMap<usize, Vec<Binder>> = HashMap::default();
            for &c in owners {
                if self.res(c).kind != ResourceKind::Worker {
                    continue;
                }
                for ev in &self.scopes[&c].events {
                    if let EvKind::From {
                        x,
                        arg: FromArg::Res(h),
                        ..
                    } = &ev.kind
                        && *h != c
                    {
                        index.entry(*h).or_default().push((c, *x, ev.file, ev.span));
                    }
                }
            }
            index
        });
        index.get(&w).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Stacks deploying W (empty when no stack deploys it).
    pub fn stacks_of(&self, w: usize) -> &[usize] {
        self.deployed_by.get(&w).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Whether two workers are in the same stack (deployed by one stack, else same package).
    pub fn same_stack(&self, a: usize, b: usize) -> bool {
        let sa = self.stacks_of(a);
        let sb = self.stacks_of(b);
        if !sa.is_empty() || !sb.is_empty() {
            return sa.iter().any(|s| sb.contains(s));
        }
        self.package_dir(self.res(a).file) == self.package_dir(self.res(b).file)
    }

    /// A file's path relative to the first workspace root, with forward slashes.
    pub fn rel_path(&self, file: FileId) -> String {
        let path = &self.ctx.ws.file(file).path;
        let rel = self
            .ctx
            .ws
            .roots
            .iter()
            .find_map(|r| path.strip_prefix(r).ok())
            .unwrap_or(path);
        rel.to_string_lossy().replace('\\', "/")
    }

    /// The nearest directory with a package.json (from the snapshot), for "same package".
    pub fn package_dir(&self, file: FileId) -> Option<PathBuf> {
        self.ctx.ws.package_dirs.get(&file).cloned()
    }

    fn build_graph(&self) -> Graph {
        let mut g = Graph::default();
        for info in &self.ctx.res.list {
            g.resources.push(Resource {
                kind: info.kind,
                name: info.name.clone(),
                key: info.key.clone(),
                logical_id: info.logical_id.clone(),
                file: info.file,
                span: info.span,
                full_span: info.full_span,
            });
        }
        let mut edges: Vec<Edge> = Vec::new();
        let mut seen: HashSet<(EdgeKind, usize, usize, Option<usize>)> = HashSet::default();
        let mut add = |edges: &mut Vec<Edge>, kind, from, to, via, file, span| {
            if seen.insert((kind, from, to, via)) {
                edges.push(Edge {
                    kind,
                    from,
                    to,
                    via,
                    file,
                    span,
                });
            }
        };
        // declares
        for (&w, d) in &self.deps {
            for (x, span) in &d.members {
                add(
                    &mut edges,
                    EdgeKind::Declares,
                    w,
                    *x,
                    None,
                    self.res(w).file,
                    *span,
                );
            }
        }
        // hosts
        for (&x, hs) in &self.hosts {
            for h in hs {
                add(&mut edges, EdgeKind::Hosts, h.worker, x, h.via, h.file, h.span);
            }
        }
        for (&o, scope) in &self.scopes {
            let okind = self.res(o).kind;
            for ev in &scope.events {
                match &ev.kind {
                    EvKind::From { x, arg, .. } if okind == ResourceKind::Worker => {
                        if !matches!(self.res(*x).form, Form::DoModular | Form::RpcDoModular) {
                            continue;
                        }
                        match arg {
                            FromArg::Res(h)
                                if self.res(*h).kind == ResourceKind::Worker
                                    && (*h != o || !self.publishes(o, *x)) =>
                            {
                                add(&mut edges, EdgeKind::Binds, o, *x, Some(*h), ev.file, ev.span);
                            }
                            FromArg::Str(s) => {
                                let via = self.worker_named(s);
                                add(&mut edges, EdgeKind::Binds, o, *x, via, ev.file, ev.span);
                            }
                            FromArg::Ref(r) => {
                                add(&mut edges, EdgeKind::Binds, o, *x, Some(*r), ev.file, ev.span);
                            }
                            _ => {}
                        }
                    }
                    EvKind::ServiceBind { target, .. } if okind == ResourceKind::Worker => {
                        add(
                            &mut edges,
                            EdgeKind::ServiceBinds,
                            o,
                            *target,
                            None,
                            ev.file,
                            ev.span,
                        );
                    }
                    EvKind::ContainerBind { container, .. } => {
                        let d = match okind {
                            ResourceKind::DurableObject | ResourceKind::RpcDurableObject => Some(o),
                            _ => None,
                        };
                        if let Some(d) = d {
                            add(
                                &mut edges,
                                EdgeKind::BindsContainer,
                                d,
                                *container,
                                None,
                                ev.file,
                                ev.span,
                            );
                        }
                    }
                    EvKind::Consumes { queue, worker } => {
                        let consumer = worker.or((okind == ResourceKind::Worker).then_some(o));
                        if let Some(w) = consumer {
                            add(&mut edges, EdgeKind::Consumes, w, *queue, None, ev.file, ev.span);
                        }
                    }
                    EvKind::Yield { target }
                        if okind == ResourceKind::Stack
                            && self.res(*target).kind == ResourceKind::Worker
                            && self.res(*target).form != Form::WorkerRef =>
                    {
                        add(&mut edges, EdgeKind::Deploys, o, *target, None, ev.file, ev.span);
                    }
                    EvKind::Provide { set, .. } if okind == ResourceKind::Stack => {
                        for &w in &set.items {
                            if self.res(w).kind == ResourceKind::Worker {
                                add(&mut edges, EdgeKind::Provides, o, w, None, ev.file, ev.span);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        // DO descriptors with a scriptName bind to that script
        for (w, file, span, d, script) in self.env_descriptors() {
            match script {
                Some(ScriptName::Lit(s)) => {
                    let via = self.worker_named(&s);
                    add(&mut edges, EdgeKind::Binds, w, d, via, file, span);
                }
                Some(ScriptName::Other) => add(&mut edges, EdgeKind::Binds, w, d, None, file, span),
                None => {}
            }
        }
        // service bindings through `env: { K: T }` and `WorkerEntrypoint(T, …)`
        for (w, file, span, t) in self.env_service_bindings() {
            add(&mut edges, EdgeKind::ServiceBinds, w, t, None, file, span);
        }
        // transferredFrom: DO → every former host that resolves
        for (x, info) in self.ctx.res.list.iter().enumerate() {
            if info.kind != ResourceKind::DurableObject {
                continue;
            }
            for (file, span, host) in self.transferred_from(x) {
                if let Some(h) = host {
                    add(&mut edges, EdgeKind::TransfersFrom, x, h, None, file, span);
                }
            }
        }
        // a Container in an async Worker's `env`: a DO namespace that Worker hosts
        for (w, file, span, c) in self.env_containers() {
            add(&mut edges, EdgeKind::Hosts, w, c, None, file, span);
        }
        edges.sort_by(|a, b| {
            let (ra, rb) = (self.ctx.ws.path_rank(a.file), self.ctx.ws.path_rank(b.file));
            (ra, a.span.start, a.kind, a.from, a.to).cmp(&(rb, b.span.start, b.kind, b.from, b.to))
        });
        g.edges = edges;
        g
    }

    /// The Worker whose logical id or `name` prop equals `s`.
    pub fn worker_named(&self, s: &str) -> Option<usize> {
        let found = self.workers_by_name.get(s).copied();
        if found.is_none() {
            let mut missed = self.missed_names.lock().unwrap_or_else(|e| e.into_inner());
            if !missed.iter().any(|m| m == s) {
                missed.push(s.to_string());
            }
        }
        found
    }

    /// The Worker whose literal `name` prop (its physical script name) is `s`: a binding by
    /// that script name reaches it (§ `.from("script-name")`, typed since beta.59).
    pub fn worker_with_script_name(&self, s: &str) -> Option<usize> {
        let found = self.workers_by_script.get(s).copied();
        if found.is_none() {
            // the Worker may be outside a restricted component view
            let _ = self.worker_named(s);
        }
        found
    }

    /// The names [`Model::worker_named`] was asked for and did not find.
    pub fn missed_names(&self) -> Vec<String> {
        self.missed_names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The names [`Model::worker_named`] finds: every Worker's logical id and literal `name`.
    pub fn worker_names(&self) -> Vec<String> {
        self.workers_by_name.keys().cloned().collect()
    }

    /// The literal `name` prop of a Worker.
    pub fn name_prop(&self, w: usize) -> Option<String> {
        self.ctx.props(w).into_iter().find_map(|(f, o)| {
            let p = self.ctx.prop(f, o, "name")?;
            let env = self.ctx.env_for(w, f, p.span);
            self.ctx.str_eval(f, p.value, &env)
        })
    }

    /// Every `env`/`bindings` entry of every Worker whose value the analysis understands
    /// (inline or through a const): (worker, file, entry span, value span, value).
    fn env_entries(&self) -> impl Iterator<Item = (usize, FileId, Span, Span, EnvValue)> + '_ {
        self.env_entries_keyed()
            .iter()
            .map(|&(w, f, e, v, val, _)| (w, f, e, v, val))
    }

    /// [`Model::env_entries`] with each entry's key (`COUNTER` of `env: { COUNTER: … }`), in
    /// Worker order.
    fn env_entries_keyed(&self) -> &[EnvEntry] {
        self.env_keyed.get_or_init(|| self.collect_env_entries())
    }

    /// Worker `w`'s entries of [`Model::env_entries_keyed`].
    fn env_entries_of(&self, w: usize) -> &[EnvEntry] {
        let all = self.env_entries_keyed();
        let start = all.partition_point(|e| e.0 < w);
        let end = all.partition_point(|e| e.0 <= w);
        &all[start..end]
    }

    fn collect_env_entries(&self) -> Vec<EnvEntry> {
        let mut out = Vec::new();
        for (w, info) in self.ctx.res.list.iter().enumerate() {
            if info.kind != ResourceKind::Worker {
                continue;
            }
            for (f, o) in self.ctx.props(w) {
                for key in ["env", "bindings"] {
                    let Some(p) = self.ctx.prop(f, o, key) else {
                        continue;
                    };
                    let Some(alchemy_grammar::Expr::Object { props, .. }) = self.ctx.kind(f, p.value) else {
                        continue;
                    };
                    for entry in props {
                        let value = self.env_value(w, f, entry.value);
                        if let Some(v) = value {
                            out.push((
                                w,
                                f,
                                entry.span,
                                self.ctx.span(f, entry.value),
                                v,
                                entry.key.clone(),
                            ));
                        }
                    }
                }
            }
        }
        out
    }

    /// What an `env` value is: a resource (descriptor, Worker class, container), a
    /// `WorkerEntrypoint(target, …)` service binding, or `Cloudflare.Self`.
    fn env_value(&self, w: usize, f: FileId, e: alchemy_grammar::ExprId) -> Option<EnvValue> {
        let env = self.ctx.env_for(w, f, self.ctx.span(f, e));
        if let Some(r) = self.ctx.resource_value(f, e, &env) {
            return Some(EnvValue::Res(r));
        }
        match self.ctx.kind(f, e)? {
            alchemy_grammar::Expr::Call { callee, args, .. } => match self.ctx.api(f, *callee)? {
                Api::WorkerEntrypoint => {
                    let t = self.ctx.resource_value(f, *args.first()?, &env)?;
                    (self.res(t).kind == ResourceKind::Worker).then_some(EnvValue::Entrypoint(t))
                }
                _ => None,
            },
            alchemy_grammar::Expr::Ident { .. } | alchemy_grammar::Expr::Member { .. } => {
                match self.ctx.api(f, e)? {
                    Api::SelfBinding => Some(EnvValue::SelfBinding),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `env: { K: T }` / `{ T }` entries naming a Worker class, and `WorkerEntrypoint(T, …)`:
    /// (worker, file, span, target).
    pub fn env_service_bindings(&self) -> Vec<(usize, FileId, Span, usize)> {
        self.env_entries()
            .filter_map(|(w, f, span, _, v)| match v {
                EnvValue::Res(t) | EnvValue::Entrypoint(t) if self.res(t).kind == ResourceKind::Worker => {
                    Some((w, f, span, t))
                }
                _ => None,
            })
            .collect()
    }

    /// `env` entries whose value is a Container (a DO namespace the Worker hosts, with its
    /// container application): (worker, file, value span, container).
    pub fn env_containers(&self) -> Vec<(usize, FileId, Span, usize)> {
        self.env_entries()
            .filter_map(|(w, f, _, value_span, v)| match v {
                EnvValue::Res(c) if self.res(c).kind == ResourceKind::Container => {
                    Some((w, f, value_span, c))
                }
                _ => None,
            })
            .collect()
    }

    /// The Durable Object namespaces Worker `w` hosts, each with its namespace id (the DO's
    /// name string; a descriptor's `env` key) and class name (`className ?? name`), for the
    /// deploy-impact comparison.
    pub fn hosted_namespaces(&self, w: usize) -> Vec<HostedNamespace> {
        let mut out: Vec<HostedNamespace> = Vec::new();
        let descriptors: Vec<(usize, Span, &Option<String>)> = self
            .env_entries_of(w)
            .iter()
            .filter_map(|(_, _, _, vspan, v, key)| match *v {
                EnvValue::Res(d) if matches!(self.res(d).form, Form::DoDescriptor | Form::RpcDoValue) => {
                    Some((d, *vspan, key))
                }
                _ => None,
            })
            .collect();
        for &x in self.hosted_of(w) {
            let Some(h) = self.hosts[&x].iter().find(|h| h.worker == w) else {
                continue;
            };
            let info = self.res(x);
            if !matches!(
                info.kind,
                ResourceKind::DurableObject | ResourceKind::RpcDurableObject
            ) {
                continue;
            }
            let Some(name) = info.logical_id.clone() else {
                continue;
            };
            if matches!(info.form, Form::DoDescriptor | Form::RpcDoValue) {
                let class_name = info
                    .args
                    .get(1)
                    .and_then(|a| self.ctx.prop(info.file, *a, "className"))
                    .and_then(|p| self.ctx.str_value(info.file, p.value))
                    .map(str::to_string)
                    .unwrap_or_else(|| name.clone());
                for (d, vspan, key) in descriptors.iter().filter(|(d, ..)| *d == x) {
                    let _ = d;
                    out.push(HostedNamespace {
                        x,
                        id: key.as_ref().cloned().unwrap_or_else(|| name.clone()),
                        class_name: class_name.clone(),
                        descriptor: true,
                        file: h.file,
                        span: *vspan,
                    });
                }
            } else {
                out.push(HostedNamespace {
                    x,
                    id: name.clone(),
                    class_name: name,
                    descriptor: false,
                    file: h.file,
                    span: h.span,
                });
            }
        }
        out
    }

    /// The Workflows Worker `w` hosts: (workflow, its name).
    pub fn hosted_workflows(&self, w: usize) -> Vec<(usize, String)> {
        self.hosted_of(w)
            .iter()
            .filter(|&&x| self.res(x).kind == ResourceKind::Workflow)
            .filter_map(|&x| Some((x, self.res(x).logical_id.clone()?)))
            .collect()
    }

    /// What Worker `w` hosts (DOs, Workflows), sorted.
    pub fn hosted_of(&self, w: usize) -> &[usize] {
        let index = self.hosted_by.get_or_init(|| {
            let mut index: HashMap<usize, Vec<usize>> = HashMap::default();
            // each of X's hosts is a distinct Worker (see `hosts_table`)
            for (&x, hs) in &self.hosts {
                for h in hs {
                    index.entry(h.worker).or_default().push(x);
                }
            }
            for list in index.values_mut() {
                list.sort_unstable();
            }
            index
        });
        index.get(&w).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `env` entries whose value is a DO/Workflow descriptor (DoDescriptor, RpcDoValue, WorkflowDescriptor),
    /// inline or held in a const: (worker, file, descriptor span, resource, scriptName).
    pub fn env_descriptors(&self) -> Vec<(usize, FileId, Span, usize, Option<ScriptName>)> {
        self.env_entries()
            .filter_map(|(w, f, _, value_span, v)| match v {
                EnvValue::Res(d)
                    if matches!(
                        self.res(d).form,
                        Form::DoDescriptor | Form::RpcDoValue | Form::WorkflowDescriptor
                    ) =>
                {
                    Some((w, f, value_span, d))
                }
                _ => None,
            })
            .map(|(w, f, value_span, d)| {
                let df = self.res(d).file;
                let script = self.res(d).args.get(1).and_then(|a| {
                    let sp = self.ctx.prop(df, *a, "scriptName")?;
                    Some(match self.ctx.str_value(df, sp.value) {
                        Some(s) => ScriptName::Lit(s.to_string()),
                        None => ScriptName::Other,
                    })
                });
                (w, f, value_span, d, script)
            })
            .collect()
    }

    /// A Worker's `version: { parent, traffic }` / `preview: { of }` props (≥ beta.66 / .78).
    pub fn rollout(&self, w: usize) -> Rollout {
        let mut out = Rollout::default();
        if self.res(w).kind != ResourceKind::Worker {
            return out;
        }
        for (f, o) in self.ctx.props(w) {
            if let Some(v) = self.ctx.prop(f, o, "version") {
                out.version = Some((f, v.key_span));
                if let Some(obj) = self.ctx.object_literal(f, v.value) {
                    if let Some(p) = self.ctx.prop(f, obj, "parent") {
                        out.parent = Some((f, p.span, self.parent_worker(w, f, p.value)));
                    }
                    if let Some(t) = self.ctx.prop(f, obj, "traffic") {
                        out.traffic = self
                            .ctx
                            .text(f, self.ctx.span(f, t.value))
                            .trim()
                            .parse::<f64>()
                            .ok();
                        out.traffic_span = Some((f, t.span));
                    }
                }
            }
            if let Some(p) = self.ctx.prop(f, o, "preview") {
                let of = self
                    .ctx
                    .object_literal(f, p.value)
                    .and_then(|obj| self.ctx.prop(f, obj, "of"))
                    .and_then(|of| self.parent_worker(w, f, of.value));
                out.preview = Some((f, p.key_span, of));
            }
        }
        out
    }

    /// The Worker a `version.parent` / `preview.of` value names (class, resource, local
    /// holding one, `Worker.ref`, or a logical id / script name).
    fn parent_worker(&self, w: usize, f: FileId, e: alchemy_grammar::ExprId) -> Option<usize> {
        if let Some(s) = self.ctx.str_value(f, e) {
            return self.worker_named(s);
        }
        let env = self.ctx.env_for(w, f, self.ctx.span(f, e));
        self.ctx
            .resource_value(f, e, &env)
            .filter(|r| self.res(*r).kind == ResourceKind::Worker)
    }

    /// The `transferredFrom` entries of a DO (class props or descriptor; ≥ beta.63): each
    /// entry's file, span and the former host it names, when it resolves to a Worker of the
    /// workspace (by class, resource, thunk, logical id or `name`).
    pub fn transferred_from(&self, x: usize) -> Vec<(FileId, Span, Option<usize>)> {
        let info = self.res(x);
        if !matches!(info.kind, ResourceKind::DurableObject) {
            return Vec::new();
        }
        let f = info.file;
        let Some(props) = info.args.get(1).and_then(|a| self.ctx.object_literal(f, *a)) else {
            return Vec::new();
        };
        let Some(p) = self.ctx.prop(f, props, "transferredFrom") else {
            return Vec::new();
        };
        let entries: Vec<alchemy_grammar::ExprId> = match self.ctx.kind(f, p.value) {
            Some(alchemy_grammar::Expr::Array { elems, .. }) => elems.clone(),
            _ => vec![p.value],
        };
        entries
            .into_iter()
            .map(|e| (f, self.ctx.span(f, e), self.transfer_source(f, e, 0)))
            .collect()
    }

    /// The Worker a `transferredFrom` entry names.
    fn transfer_source(&self, f: FileId, e: alchemy_grammar::ExprId, depth: u32) -> Option<usize> {
        if depth > 8 {
            return None;
        }
        if let Some(s) = self.ctx.str_value(f, e) {
            return self.worker_named(s);
        }
        if let Some(r) = self.ctx.resource_of(f, e, &Default::default()) {
            return (self.res(r).kind == ResourceKind::Worker).then_some(r);
        }
        match self.ctx.kind(f, e)? {
            // a thunk `() => WorkerA`
            alchemy_grammar::Expr::Function { body, .. } => {
                let r = *body.returns.first()?;
                self.transfer_source(f, r, depth + 1)
            }
            // `b.workerName` of a Worker
            alchemy_grammar::Expr::Member { object, property, .. } if property == "workerName" => {
                self.transfer_source(f, *object, depth + 1)
            }
            _ => None,
        }
    }

    /// Whether `api` is one of the Worker factories.
    pub fn is_worker_api(api: Api) -> bool {
        matches!(api, Api::Worker | Api::RpcWorker | Api::Site)
    }
}
