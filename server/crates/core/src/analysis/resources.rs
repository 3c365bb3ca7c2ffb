//! Resource declarations (docs/alchemy-model.md, "Resources"): every DO, RPC DO, Worker, Workflow, Container and Stack form,
//! recognised from the construct candidates of each file through import resolution.

use rustc_hash::FxHashMap as HashMap;

use alchemy_grammar::{
    ClassId, ConstructKind, DeclKind, ExportKind, Expr, ExprId, FileFacts, Span, TypeArgs,
};

use super::api::{Api, api_of};
use super::graph::ResourceKind;
use super::symbols::{Sym, Symbols};
use crate::workspace::{FileId, SourceFile, Workspace};

/// The syntactic form of a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// Modular DO class: `class X extends DurableObject<X, Shape>()("X") {}` with a separate
    /// `X.make(impl)` (bound elsewhere with `X.from(Host)`).
    DoModular,
    /// Inline DO class: the implementation is the class factory's second argument.
    DoInlineClass,
    /// Inline DO value: `const X = DurableObject("X", impl)`.
    DoInlineValue,
    /// DO descriptor: `DurableObject("X", { className, … })` as an `env` value (no impl).
    DoDescriptor,
    /// Modular RPC DO class (`RpcDurableObject<X, Shape>()("X")` + `.make`).
    RpcDoModular,
    /// Inline RPC DO class (implementation as the third argument).
    RpcDoInlineClass,
    /// RPC DO value without implementation.
    RpcDoValue,
    /// Inline RPC DO value (implementation as the third argument).
    RpcDoInlineValue,
    /// Modular Worker class (W1/W1′/W2; G1 with props, G2/G3 without).
    WorkerModular,
    /// External Worker class (≥ beta.66): `Worker<Self>()(id, props)` with no `.make` anywhere;
    /// deployed as-is (a plain `main`, a raw `script` or assets only), no Live.
    WorkerExternal,
    /// `Worker.ref(id, { stack?, stage? })`: a Worker deployed by another stack or stage.
    WorkerRef,
    /// W3 inline Worker class.
    WorkerInline,
    /// W4 value Worker with impl.
    WorkerValue,
    /// W5 async Worker (plain script).
    WorkerAsync,
    /// W6 modular RpcWorker class.
    RpcWorkerModular,
    /// W6 inline RpcWorker (class with impl, or value form).
    RpcWorkerInline,
    /// W7 site (Vite, StaticSite, Website.*).
    Site,
    WorkflowClass,
    WorkflowValue,
    WorkflowDescriptor,
    /// Container class with `.make` (or image container class).
    ContainerClass,
    ContainerValue,
    /// S1 `Stack(name, props, effect)`.
    StackValue,
    /// S2 `class X extends Stack<X, …>()(name)` + `X.make(props, effect)`.
    StackHandle,
    /// `Queues.Queue(id, props?)`.
    Queue,
    /// `R2.Bucket(id, props?)`.
    R2Bucket,
    /// `D1.Database(id, props?)`.
    D1Database,
}

impl Form {
    pub fn is_modular(self) -> bool {
        matches!(
            self,
            Form::DoModular
                | Form::RpcDoModular
                | Form::WorkerModular
                | Form::RpcWorkerModular
                | Form::ContainerClass
                | Form::StackHandle
        )
    }
    pub fn is_modular_worker(self) -> bool {
        matches!(self, Form::WorkerModular | Form::RpcWorkerModular)
    }
    pub fn is_bindable_do(self) -> bool {
        matches!(self, Form::DoModular | Form::RpcDoModular)
    }
    pub fn is_inline_hostable(self) -> bool {
        matches!(
            self,
            Form::DoInlineClass
                | Form::DoInlineValue
                | Form::RpcDoInlineClass
                | Form::RpcDoInlineValue
                | Form::WorkflowClass
                | Form::WorkflowValue
        )
    }
}

/// Everything known about one resource declaration.
#[derive(Clone, Debug)]
pub struct ResInfo {
    pub kind: ResourceKind,
    pub form: Form,
    pub api: Api,
    pub file: FileId,
    pub class: Option<ClassId>,
    /// The factory call (the outer call for class forms).
    pub call: ExprId,
    /// The inner `F<…>()` call of class forms.
    pub inner_call: Option<ExprId>,
    /// The callee expression (`Cloudflare.Worker`).
    pub callee: ExprId,
    pub type_args: Option<TypeArgs>,
    /// Arguments of the factory call.
    pub args: Vec<ExprId>,
    /// Display name (class/const name, or the logical id).
    pub name: String,
    /// Graph key.
    pub key: String,
    /// Logical id / DO name (first string argument).
    pub logical_id: Option<String>,
    pub logical_id_span: Option<Span>,
    /// Span of the class name, const name or call (the resource's "line").
    pub span: Span,
    pub full_span: Span,
    /// The module-level symbol naming this resource, if any.
    pub sym: Option<Sym>,
    /// A resource built by a factory function (`function makeApi(opts) { return
    /// Worker(opts.name, …) }`) is one resource per call of that function: the call (file,
    /// call expression) and the function (in this resource's file) it instantiates.
    pub instance: Option<Instance>,
}

/// One call of a factory function that builds a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance {
    pub site_file: FileId,
    pub site_call: ExprId,
    /// The factory function expression (in the resource's file).
    pub func: ExprId,
}

impl ResInfo {
    /// `logical id` if it differs from the class name, for messages: `Agent ("Agents")`.
    pub fn label(&self) -> String {
        match &self.logical_id {
            Some(id) if *id != self.name => format!("{} (\"{}\")", self.name, id),
            _ => self.name.clone(),
        }
    }
    /// The DO/Workflow name (binding name and exported class name).
    pub fn do_name(&self) -> Option<&str> {
        self.logical_id.as_deref()
    }
}

/// All resources of a workspace, with lookup tables.
#[derive(Default, Debug)]
pub struct Resources {
    pub list: Vec<ResInfo>,
    pub by_sym: HashMap<Sym, usize>,
    /// Factory call (outer) or class expression → resource.
    pub by_expr: HashMap<(FileId, ExprId), usize>,
}

impl Resources {
    pub fn collect(ws: &Workspace, syms: &Symbols, packages: &[String]) -> Resources {
        use rayon::prelude::*;
        // Each file's resources depend on that file and name resolution only: collected in
        // parallel, then appended in file order (the indices and tables are those of a
        // sequential collection: every table key names its own file).
        let files: Vec<&SourceFile> = ws.iter().collect();
        let parts: Vec<Resources> = files
            .par_iter()
            .with_min_len(64)
            .map(|src| {
                let mut part = Resources::default();
                let path = src.path.to_string_lossy();
                if !(path.ends_with(".d.ts") || path.ends_with(".d.mts") || path.ends_with(".d.cts")) {
                    collect_file(&mut part, syms, packages, src.id, &src.facts);
                    collect_refs(&mut part, syms, packages, src.id, &src.facts);
                }
                part
            })
            .collect();
        // Every key names its part's file: the tables are filled concurrently, in any order.
        let mut bases = Vec::with_capacity(parts.len());
        let mut total = 0;
        for p in &parts {
            bases.push(total);
            total += p.list.len();
        }
        let mut lists = Vec::with_capacity(parts.len());
        let mut syms = Vec::with_capacity(parts.len());
        let mut exprs = Vec::with_capacity(parts.len());
        for p in parts {
            lists.push(p.list);
            syms.push(p.by_sym);
            exprs.push(p.by_expr);
        }
        let (list, (by_sym, by_expr)) = rayon::join(
            || {
                let mut list = Vec::with_capacity(total);
                lists.into_iter().for_each(|l| list.extend(l));
                list
            },
            || {
                rayon::join(
                    || {
                        let mut all: HashMap<Sym, usize> = HashMap::default();
                        all.reserve(syms.iter().map(|m| m.len()).sum());
                        for (m, &base) in syms.into_iter().zip(&bases) {
                            all.extend(m.into_iter().map(|(k, v)| (k, base + v)));
                        }
                        all
                    },
                    || {
                        let mut all: HashMap<(FileId, ExprId), usize> = HashMap::default();
                        all.reserve(exprs.iter().map(|m| m.len()).sum());
                        for (m, &base) in exprs.into_iter().zip(&bases) {
                            all.extend(m.into_iter().map(|(k, v)| (k, base + v)));
                        }
                        all
                    },
                )
            },
        );
        let mut res = Resources {
            list,
            by_sym,
            by_expr,
        };
        res.dedup_keys(ws);
        res
    }

    /// Graph ids must be unique: on a collision within a file, a resource named by a
    /// module-level declaration keeps its key and the others get `@<line>` appended (a
    /// factory's instances, declared on one line, `@<line>:<n>`).
    pub fn dedup_keys(&mut self, ws: &Workspace) {
        // The colliding groups (each a file's resources sharing a key), by their first member.
        let groups: Vec<Vec<usize>> = {
            let mut first: HashMap<(FileId, &str), usize> = HashMap::default();
            first.reserve(self.list.len());
            let mut dups: HashMap<usize, Vec<usize>> = HashMap::default();
            for (i, r) in self.list.iter().enumerate() {
                let f = *first.entry((r.file, r.key.as_str())).or_insert(i);
                if f != i {
                    dups.entry(f).or_insert_with(|| vec![f]).push(i);
                }
            }
            let mut groups: Vec<Vec<usize>> = dups.into_values().collect();
            groups.sort_unstable();
            groups
        };
        for mut idxs in groups {
            let file = self.list[idxs[0]].file;
            idxs.sort_by_key(|&i| {
                (
                    !matches!(self.list[i].sym, Some(Sym::Decl { .. })),
                    self.list[i].span.start,
                    i,
                )
            });
            let src = ws.file(file);
            let mut used: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
            for &i in &idxs[1..] {
                let line = src.line_index.line_of(self.list[i].span.start) + 1;
                let mut key = format!("{}@{line}", self.list[i].key);
                let mut n = 2;
                while !used.insert(key.clone()) {
                    key = format!("{}@{line}:{n}", self.list[i].key);
                    n += 1;
                }
                self.list[i].key = key;
            }
        }
    }

    pub fn get(&self, i: usize) -> &ResInfo {
        &self.list[i]
    }

    /// The resource a symbol names (following `const X = Y` aliases).
    pub fn of_sym(&self, syms: &Symbols, sym: &Sym) -> Option<usize> {
        if let Some(&r) = self.by_sym.get(sym) {
            return Some(r);
        }
        let s = syms.unalias(sym.clone());
        if let Some(&r) = self.by_sym.get(&s) {
            return Some(r);
        }
        if let Sym::DefaultExpr { file, expr } = s {
            return self.by_expr.get(&(file, expr)).copied();
        }
        None
    }
}

fn collect_file(res: &mut Resources, syms: &Symbols, packages: &[String], file: FileId, facts: &FileFacts) {
    // heritage expr → class id; const init → decl index; default export expr.
    let mut heritage: HashMap<ExprId, ClassId> = HashMap::default();
    for (i, c) in facts.classes.iter().enumerate() {
        if let Some(h) = c.heritage {
            heritage.insert(h, i as ClassId);
        }
    }
    let mut const_of: HashMap<ExprId, usize> = HashMap::default();
    let mut class_decl: HashMap<ClassId, usize> = HashMap::default();
    for (i, d) in facts.decls.iter().enumerate() {
        match &d.kind {
            DeclKind::Var { init: Some(init), .. } => {
                const_of.insert(*init, i);
            }
            DeclKind::Class { class } => {
                class_decl.insert(*class, i);
            }
            _ => {}
        }
    }
    // `const X = class extends …` → the class expression's id maps to X's decl.
    let mut class_expr_const: HashMap<ClassId, usize> = HashMap::default();
    for (init, &d) in &const_of {
        if let Some(Expr::Class { class }) = facts.exprs.get(*init as usize).map(|n| &n.kind) {
            class_expr_const.insert(*class, d);
        }
    }
    let mut default_exprs: Vec<ExprId> = Vec::new();
    for e in &facts.exports {
        if let ExportKind::DefaultExpr { expr } = e.kind {
            default_exprs.push(expr);
        }
    }

    for c in &facts.constructs {
        match c.kind {
            ConstructKind::ClassFactory => {
                let Some(Expr::Call {
                    callee: inner, args, ..
                }) = kind(facts, c.expr)
                else {
                    continue;
                };
                let Some(Expr::Call {
                    callee, type_args, ..
                }) = kind(facts, *inner)
                else {
                    continue;
                };
                let Some(api) = api_of(syms, packages, file, *callee) else {
                    continue;
                };
                let Some(&class_id) = heritage.get(&c.expr) else {
                    continue;
                };
                let class = &facts.classes[class_id as usize];
                let Some((rkind, form)) = class_form(facts, api, args) else {
                    continue;
                };
                let (logical_id, logical_id_span) = first_string(facts, args);
                let (name, key, sym) = if let Some(&d) = class_decl.get(&class_id) {
                    let n = facts.decls[d].name.clone();
                    (n.clone(), n, Some(Sym::Decl { file, decl: d }))
                } else if let Some(&d) = class_expr_const.get(&class_id) {
                    let n = facts.decls[d].name.clone();
                    (n.clone(), n, Some(Sym::Decl { file, decl: d }))
                } else {
                    // anonymous `export default class extends …`, or a class expression in a body
                    let class_expr = facts
                        .exprs
                        .iter()
                        .position(|n| matches!(n.kind, Expr::Class { class } if class == class_id))
                        .map(|p| p as ExprId);
                    let is_default = class_expr.is_some_and(|e| default_exprs.contains(&e));
                    let display = class
                        .name
                        .clone()
                        .or_else(|| logical_id.clone())
                        .unwrap_or_else(|| "default".into());
                    if is_default {
                        let sym = class_expr.map(|e| Sym::DefaultExpr { file, expr: e });
                        if let Some(e) = class_expr {
                            res.by_expr.insert((file, e), res.list.len());
                        }
                        (display, "default".to_string(), sym)
                    } else {
                        if let Some(e) = class_expr {
                            res.by_expr.insert((file, e), res.list.len());
                        }
                        (display.clone(), logical_id.clone().unwrap_or(display), None)
                    }
                };
                let span = class.name_span.unwrap_or(class.span);
                push(
                    res,
                    ResInfo {
                        kind: rkind,
                        form,
                        api,
                        file,
                        class: Some(class_id),
                        call: c.expr,
                        inner_call: Some(*inner),
                        callee: *callee,
                        type_args: type_args.as_deref().cloned(),
                        args: args.clone(),
                        name,
                        key,
                        logical_id,
                        logical_id_span,
                        span,
                        full_span: class.span,
                        sym,
                        instance: None,
                    },
                );
            }
            ConstructKind::ValueFactory => {
                let Some(Expr::Call {
                    callee,
                    args,
                    type_args,
                    ..
                }) = kind(facts, c.expr)
                else {
                    continue;
                };
                let Some(api) = api_of(syms, packages, file, *callee) else {
                    continue;
                };
                let Some((rkind, form)) = value_form(facts, api, args) else {
                    continue;
                };
                let (logical_id, logical_id_span) = first_string(facts, args);
                let node_span = facts.exprs[c.expr as usize].span;
                let (name, key, sym, span) = if let Some(&d) = const_of.get(&c.expr) {
                    let decl = &facts.decls[d];
                    (
                        decl.name.clone(),
                        decl.name.clone(),
                        Some(Sym::Decl { file, decl: d }),
                        decl.name_span,
                    )
                } else if default_exprs.contains(&c.expr) {
                    let n = logical_id.clone().unwrap_or_else(|| "default".into());
                    (
                        n,
                        "default".to_string(),
                        Some(Sym::DefaultExpr { file, expr: c.expr }),
                        node_span,
                    )
                } else {
                    let n = logical_id.clone().unwrap_or_else(|| "anonymous".into());
                    (n.clone(), n, None, node_span)
                };
                res.by_expr.insert((file, c.expr), res.list.len());
                push(
                    res,
                    ResInfo {
                        kind: rkind,
                        form,
                        api,
                        file,
                        class: None,
                        call: c.expr,
                        inner_call: None,
                        callee: *callee,
                        type_args: type_args.as_deref().cloned(),
                        args: args.clone(),
                        name,
                        key,
                        logical_id,
                        logical_id_span,
                        span,
                        full_span: node_span,
                        sym,
                        instance: None,
                    },
                );
            }
            _ => {}
        }
    }
}

/// `Worker.ref(id, { stack?, stage? })`: a Worker deployed by another stack or stage, as an
/// external node `id@stack/stage` of the graph (it binds and transfers, never deploys).
fn collect_refs(res: &mut Resources, syms: &Symbols, packages: &[String], file: FileId, facts: &FileFacts) {
    for (i, n) in facts.exprs.iter().enumerate() {
        let Expr::Call {
            callee,
            args,
            type_args,
            broken: false,
            ..
        } = &n.kind
        else {
            continue;
        };
        if !matches!(kind(facts, *callee), Some(Expr::Member { property, .. }) if property == "ref") {
            continue;
        }
        if api_of(syms, packages, file, *callee) != Some(Api::WorkerRef) {
            continue;
        }
        let (Some(id), logical_id_span) = first_string(facts, args) else {
            continue;
        };
        let opt = |key: &str| {
            let Some(Expr::Object { props, .. }) = args.get(1).and_then(|a| kind(facts, *a)) else {
                return None;
            };
            let p = props.iter().find(|p| p.key.as_deref() == Some(key))?;
            match kind(facts, p.value)? {
                Expr::Str { value } => Some(value.clone()),
                _ => None,
            }
        };
        let place = match (opt("stack"), opt("stage")) {
            (Some(stack), Some(stage)) => format!("@{stack}/{stage}"),
            (Some(stack), None) => format!("@{stack}"),
            (None, Some(stage)) => format!("@{stage}"),
            (None, None) => "@ref".to_string(),
        };
        let name = format!("{id}{place}");
        let e = i as ExprId;
        push(
            res,
            ResInfo {
                kind: ResourceKind::Worker,
                form: Form::WorkerRef,
                api: Api::WorkerRef,
                file,
                class: None,
                call: e,
                inner_call: None,
                callee: *callee,
                type_args: type_args.as_deref().cloned(),
                args: args.clone(),
                name: name.clone(),
                key: name,
                logical_id: Some(id),
                logical_id_span,
                span: n.span,
                full_span: n.span,
                sym: None,
                instance: None,
            },
        );
    }
}

fn push(res: &mut Resources, info: ResInfo) {
    let idx = res.list.len();
    if let Some(s) = &info.sym {
        res.by_sym.entry(s.clone()).or_insert(idx);
    }
    res.by_expr.entry((info.file, info.call)).or_insert(idx);
    res.list.push(info);
}

pub fn kind(facts: &FileFacts, e: ExprId) -> Option<&Expr> {
    facts.exprs.get(e as usize).map(|n| &n.kind)
}

fn first_string(facts: &FileFacts, args: &[ExprId]) -> (Option<String>, Option<Span>) {
    match args.first().and_then(|a| facts.exprs.get(*a as usize)) {
        Some(n) => match &n.kind {
            Expr::Str { value } => (Some(value.clone()), Some(n.span)),
            _ => (None, None),
        },
        None => (None, None),
    }
}

/// An argument that is an Effect implementation (not an object literal / string).
pub fn is_effect_arg(facts: &FileFacts, e: ExprId) -> bool {
    !matches!(
        kind(facts, e),
        Some(Expr::Object { .. } | Expr::Str { .. } | Expr::Array { .. }) | None
    )
}

fn class_form(facts: &FileFacts, api: Api, args: &[ExprId]) -> Option<(ResourceKind, Form)> {
    use ResourceKind as K;
    Some(match api {
        Api::DurableObject { .. } => match args.get(1) {
            Some(a) if is_effect_arg(facts, *a) => (K::DurableObject, Form::DoInlineClass),
            _ => (K::DurableObject, Form::DoModular),
        },
        Api::RpcDurableObject { .. } => {
            if args.len() >= 3 {
                (K::RpcDurableObject, Form::RpcDoInlineClass)
            } else {
                (K::RpcDurableObject, Form::RpcDoModular)
            }
        }
        Api::Worker => {
            if args.len() >= 3 {
                (K::Worker, Form::WorkerInline)
            } else {
                (K::Worker, Form::WorkerModular)
            }
        }
        Api::RpcWorker => {
            if args.len() >= 3 {
                (K::Worker, Form::RpcWorkerInline)
            } else {
                (K::Worker, Form::RpcWorkerModular)
            }
        }
        Api::Site => (K::Worker, Form::Site),
        Api::Workflow => (K::Workflow, Form::WorkflowClass),
        Api::Container => (K::Container, Form::ContainerClass),
        Api::Stack => (K::Stack, Form::StackHandle),
        _ => return None,
    })
}

fn value_form(facts: &FileFacts, api: Api, args: &[ExprId]) -> Option<(ResourceKind, Form)> {
    use ResourceKind as K;
    // A value factory needs a first argument (the logical id / name).
    args.first()?;
    Some(match api {
        Api::DurableObject { .. } => match args.get(1) {
            Some(a) if is_effect_arg(facts, *a) => (K::DurableObject, Form::DoInlineValue),
            _ => (K::DurableObject, Form::DoDescriptor),
        },
        Api::RpcDurableObject { .. } => {
            if args.len() >= 3 {
                (K::RpcDurableObject, Form::RpcDoInlineValue)
            } else {
                (K::RpcDurableObject, Form::RpcDoValue)
            }
        }
        Api::Worker => {
            if args.len() >= 3 {
                (K::Worker, Form::WorkerValue)
            } else {
                (K::Worker, Form::WorkerAsync)
            }
        }
        Api::RpcWorker => (K::Worker, Form::RpcWorkerInline),
        Api::Site => (K::Worker, Form::Site),
        Api::Workflow => match args.last() {
            Some(a) if args.len() >= 2 && is_effect_arg(facts, *a) => (K::Workflow, Form::WorkflowValue),
            _ => (K::Workflow, Form::WorkflowDescriptor),
        },
        Api::Container => (K::Container, Form::ContainerValue),
        Api::Stack if args.len() >= 2 => (K::Stack, Form::StackValue),
        Api::Queue => (K::Queue, Form::Queue),
        Api::R2Bucket => (K::R2Bucket, Form::R2Bucket),
        Api::D1Database => (K::D1Database, Form::D1Database),
        _ => return None,
    })
}
