//! Shared analysis context: symbols, resources, `.make` calls and expression helpers.

use rustc_hash::FxHashMap as HashMap;

use alchemy_grammar::{ConstructKind, DeclKind, Expr, ExprId, FileFacts, Local, Param, Span};

use super::api::{Api, EffectMod, api_of, effect_mod};
use super::resources::{Form, Resources, kind};
use super::symbols::{Sym, Symbols};
use crate::workspace::{FileId, Workspace};

pub struct Ctx<'a> {
    pub ws: &'a Workspace,
    pub syms: Symbols<'a>,
    pub packages: Vec<String>,
    pub res: Resources,
    /// resource → every `X.make(…)` call in the project.
    pub makes: HashMap<usize, Vec<(FileId, ExprId)>>,
    /// A factory function's call → the resource instance it builds.
    pub instance_at: HashMap<(FileId, ExprId), usize>,
    /// Name indexes of long local lists (see [`Ctx::with_locals`]), by the list's address and
    /// length.
    locals_index: std::sync::Mutex<rustc_hash::FxHashMap<(usize, usize), LocalsIndex>>,
    /// [`Ctx::module_resource_depth`] of each identifier and member expression asked for, once the
    /// resources and their instances are known (empty until then).
    module_res: ModuleResMemo,
    /// [`Ctx::props`] of each resource (read by many passes per Worker).
    props_of: Vec<Sites>,
    /// [`Ctx::impls`] of each resource.
    impls_of: Vec<Sites>,
}

/// A resource's props objects or implementations, as (file, expression).
type Sites = smallvec::SmallVec<[(FileId, ExprId); 2]>;

/// One slot per expression of each file of the view: [`UNKNOWN`], [`NO_RESOURCE`] or a
/// resource index. Written at most once per slot with the value any thread would compute,
/// so relaxed atomics suffice.
#[derive(Default)]
struct ModuleResMemo {
    /// A file's first slot.
    base: HashMap<FileId, usize>,
    slots: Box<[std::sync::atomic::AtomicU32]>,
}

const UNKNOWN: u32 = u32::MAX;
const NO_RESOURCE: u32 = u32::MAX - 1;

impl ModuleResMemo {
    fn new(ws: &Workspace) -> ModuleResMemo {
        let mut base = HashMap::default();
        let mut len = 0;
        for src in ws.iter() {
            base.insert(src.id, len);
            len += src.facts.exprs.len();
        }
        let slots = (0..len)
            .map(|_| std::sync::atomic::AtomicU32::new(UNKNOWN))
            .collect();
        ModuleResMemo { base, slots }
    }

    fn slot(&self, file: FileId, e: ExprId) -> Option<&std::sync::atomic::AtomicU32> {
        let base = *self.base.get(&file)?;
        self.slots.get(base + e as usize)
    }
}

/// A function body's locals by the hash of their name: the position of the last local whose
/// name has that hash (no borrowed names, so that [`Ctx`] stays covariant).
type LocalsIndex = std::sync::Arc<rustc_hash::FxHashMap<u64, u32>>;

fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name)
}

/// Local lists longer than this get a name index: a stack body with a thousand
/// `const w = yield* W` is looked up at every one of them.
const INDEXED_LOCALS: usize = 16;

fn index_locals(locals: &[Local]) -> LocalsIndex {
    let mut m = rustc_hash::FxHashMap::default();
    for (i, l) in locals.iter().enumerate() {
        m.insert(name_hash(&l.name), i as u32);
    }
    std::sync::Arc::new(m)
}

/// One function body's locals in an [`Env`].
#[derive(Clone)]
struct LocalFrame<'a> {
    locals: &'a [Local],
    index: Option<LocalsIndex>,
}

impl<'a> LocalFrame<'a> {
    /// The last local named `name`.
    fn find(&self, name: &str) -> Option<&'a Local> {
        match &self.index {
            // The last local of this hash is the last of this name, unless another name
            // shares the hash: then scan.
            Some(index) => match index
                .get(&name_hash(name))
                .and_then(|&i| self.locals.get(i as usize))
            {
                Some(l) if l.name == name => Some(l),
                Some(_) => self.locals.iter().rev().find(|l| l.name == name),
                None => None,
            },
            None => self.locals.iter().rev().find(|l| l.name == name),
        }
    }
}

/// Lexical environment while walking function bodies: enclosing bodies' locals (innermost
/// last), and the parameters of called functions bound to the call's arguments.
#[derive(Clone, Default)]
pub struct Env<'a> {
    locals: Vec<LocalFrame<'a>>,
    pub frames: Vec<std::sync::Arc<ArgFrame<'a>>>,
}

/// A function's parameters bound to the arguments of one call (`makeApi({ name: "Api" })`).
pub struct ArgFrame<'a> {
    pub params: &'a [Param],
    /// The file of the call (where the arguments are) and the call expression.
    pub file: FileId,
    pub call: ExprId,
    pub args: Vec<ExprId>,
    /// The caller's environment (for arguments that name the caller's locals).
    pub env: Env<'a>,
}

/// What a parameter name is bound to: the argument (or, for a destructured field, the
/// argument's property of that name), in the caller's file and environment.
pub struct Bound<'e, 'a> {
    pub file: FileId,
    pub arg: ExprId,
    pub field: Option<&'a str>,
    pub env: &'e Env<'a>,
}

impl<'a> Env<'a> {
    /// This environment with a function body's locals (see also [`Ctx::with_locals`], which
    /// indexes long lists).
    pub fn with(&self, locals: &'a [Local]) -> Env<'a> {
        let mut e = self.clone();
        e.locals.push(LocalFrame { locals, index: None });
        e
    }
    /// This environment with a function's parameters bound to a call's arguments.
    pub fn with_args(
        &self,
        params: &'a [Param],
        file: FileId,
        call: ExprId,
        args: &[ExprId],
        caller: &Env<'a>,
    ) -> Env<'a> {
        let mut e = self.clone();
        if !params.is_empty() {
            e.frames.push(std::sync::Arc::new(ArgFrame {
                params,
                file,
                call,
                args: args.to_vec(),
                env: caller.clone(),
            }));
        }
        e
    }
    pub fn lookup(&self, name: &str) -> Option<&'a Local> {
        self.locals.iter().rev().find_map(|frame| frame.find(name))
    }
    /// The argument a parameter name is bound to (innermost call first).
    pub fn param(&self, name: &str) -> Option<Bound<'_, 'a>> {
        for frame in self.frames.iter().rev() {
            for (i, p) in frame.params.iter().enumerate() {
                let field = if p.name.as_deref() == Some(name) {
                    None
                } else if let Some((key, _)) = p.fields.iter().find(|(_, local)| local == name) {
                    Some(key.as_str())
                } else {
                    continue;
                };
                return frame.args.get(i).map(|&arg| Bound {
                    file: frame.file,
                    arg,
                    field,
                    env: &frame.env,
                });
            }
        }
        None
    }
    /// The calls whose parameters are bound here, innermost first.
    pub fn calls(&self) -> impl Iterator<Item = (FileId, ExprId)> + '_ {
        self.frames.iter().rev().map(|f| (f.file, f.call))
    }
    /// Whether `name` is a local or a bound parameter (not a module-level name).
    pub fn shadows(&self, name: &str) -> bool {
        self.lookup(name).is_some() || self.param(name).is_some()
    }
}

impl<'a> Ctx<'a> {
    pub fn new(ws: &'a Workspace) -> Ctx<'a> {
        let syms = Symbols::new(ws);
        let packages = ws.config.packages.clone();
        let res = Resources::collect(ws, &syms, &packages);
        let mut ctx = Ctx {
            ws,
            syms,
            packages,
            res,
            makes: HashMap::default(),
            instance_at: HashMap::default(),
            locals_index: Default::default(),
            module_res: ModuleResMemo::default(),
            props_of: Vec::new(),
            impls_of: Vec::new(),
        };
        ctx.collect_instances();
        ctx.module_res = ModuleResMemo::new(ws);
        // `X.make(…)` calls: resolved per file in parallel, recorded in file order
        let found: Vec<(usize, FileId, ExprId)> = {
            use rayon::prelude::*;
            let ctx = &ctx;
            let files: Vec<&crate::workspace::SourceFile> = ws.iter().collect();
            files
                .par_iter()
                .with_min_len(64)
                .flat_map_iter(|src| {
                    src.facts.constructs.iter().filter_map(move |c| {
                        if c.kind != ConstructKind::Make {
                            return None;
                        }
                        let Some(Expr::Call { callee, .. }) = kind(&src.facts, c.expr) else {
                            return None;
                        };
                        let Some(Expr::Member { object, .. }) = kind(&src.facts, *callee) else {
                            return None;
                        };
                        let r = ctx.resource_of(src.id, *object, &Env::default())?;
                        Some((r, src.id, c.expr))
                    })
                })
                .collect()
        };
        let mut makes: HashMap<usize, Vec<(FileId, ExprId)>> = HashMap::default();
        for (r, file, expr) in found {
            makes.entry(r).or_default().push((file, expr));
        }
        ctx.makes = makes;
        ctx.classify_external_workers();
        (ctx.props_of, ctx.impls_of) = {
            use rayon::prelude::*;
            let ctx = &ctx;
            (0..ctx.res.list.len())
                .into_par_iter()
                .with_min_len(64)
                .map(|r| (ctx.compute_props(r), ctx.compute_impls(r)))
                .unzip()
        };
        ctx
    }

    /// From beta.66 a `Worker` class call with props (two arguments) and no `.make` on that
    /// class anywhere is an external Worker (a plain `main`, a raw `script` or assets only),
    /// deployed as-is; before, and in the fork, it is the first generation's modular form.
    fn classify_external_workers(&mut self) {
        let external: Vec<usize> = (0..self.res.list.len())
            .filter(|&r| {
                let info = &self.res.list[r];
                info.api == Api::Worker
                    && info.form == Form::WorkerModular
                    && info.class.is_some()
                    && info.args.len() == 2
                    && !self.makes.contains_key(&r)
                    && !super::gates::from_fork(&self.syms, info.file, info.callee)
                    && super::gates::has(self.ws, info.file, super::gates::Gate::ExternalClassWorker)
            })
            .collect();
        for r in external {
            self.res.list[r].form = Form::WorkerExternal;
        }
    }

    /// The lexical environment at `span` of `file`: the locals of every function whose body
    /// encloses it (outermost first), so a value in a props literal inside a stack's or a
    /// Worker's generator can name that body's `const t = yield* Target`.
    pub fn env_at(&self, file: FileId, span: Span) -> Env<'a> {
        let facts = self.facts(file);
        let mut env = Env::default();
        for &f in &facts.functions {
            let sp = self.span(file, f);
            if sp.start > span.start {
                break;
            }
            if sp.start <= span.start
                && span.end <= sp.end
                && let Some(Expr::Function { body, .. }) = self.kind(file, f)
            {
                env = self.with_locals(&env, &body.locals);
            }
        }
        env
    }

    /// `env` with a function body's locals, indexed by name when the list is long (the index
    /// is built once per list and analysis).
    pub fn with_locals(&self, env: &Env<'a>, locals: &'a [Local]) -> Env<'a> {
        if locals.len() <= INDEXED_LOCALS {
            return env.with(locals);
        }
        let index = self
            .locals_index
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((locals.as_ptr() as usize, locals.len()))
            .or_insert_with(|| index_locals(locals))
            .clone();
        let mut e = env.clone();
        e.locals.push(LocalFrame {
            locals,
            index: Some(index),
        });
        e
    }

    pub fn facts(&self, file: FileId) -> &'a FileFacts {
        &self.ws.file(file).facts
    }

    pub fn kind(&self, file: FileId, e: ExprId) -> Option<&'a Expr> {
        kind(self.facts(file), e)
    }

    pub fn span(&self, file: FileId, e: ExprId) -> Span {
        self.facts(file)
            .exprs
            .get(e as usize)
            .map(|n| n.span)
            .unwrap_or_default()
    }

    pub fn text(&self, file: FileId, span: Span) -> &'a str {
        let t = &self.ws.file(file).text;
        t.get(span.start as usize..span.end as usize).unwrap_or("")
    }

    pub fn api(&self, file: FileId, e: ExprId) -> Option<Api> {
        api_of(&self.syms, &self.packages, file, e)
    }

    pub fn effect_mod(&self, file: FileId, e: ExprId) -> Option<EffectMod> {
        effect_mod(&self.syms, file, e)
    }

    /// `obj.prop(args)` → (obj, prop, args).
    pub fn member_call(&self, file: FileId, e: ExprId) -> Option<(ExprId, &'a str, &'a [ExprId])> {
        if let Some(Expr::Call { callee, args, .. }) = self.kind(file, e)
            && let Some(Expr::Member { object, property, .. }) = self.kind(file, *callee)
        {
            return Some((*object, property.as_str(), args.as_slice()));
        }
        None
    }

    /// `Effect.<prop>(args)` / `Layer.<prop>(args)`.
    pub fn effect_call(&self, file: FileId, e: ExprId, m: EffectMod) -> Option<(&'a str, &'a [ExprId])> {
        let (obj, prop, args) = self.member_call(file, e)?;
        (self.effect_mod(file, obj) == Some(m)).then_some((prop, args))
    }

    pub fn is_broken_call(&self, file: FileId, e: ExprId) -> bool {
        matches!(self.kind(file, e), Some(Expr::Call { broken: true, .. }))
    }

    /// The module-level symbol an identifier/member expression names, unless it is a local.
    pub fn sym_of(&self, file: FileId, e: ExprId, env: &Env) -> Option<Sym> {
        if self.shadowed(file, e, env) {
            return None;
        }
        self.syms.resolve_expr(file, e)
    }

    /// Whether identifier `e`, or the root of member chain `e`, is a local or a parameter.
    fn shadowed(&self, file: FileId, e: ExprId, env: &Env) -> bool {
        match self.kind(file, e) {
            Some(Expr::Ident { name }) => env.shadows(name),
            Some(Expr::Member { .. }) => self.member_root(file, e).is_some_and(|root| env.shadows(root)),
            _ => false,
        }
    }

    /// The identifier a member chain starts from (`opts` of `opts.api.x`).
    fn member_root(&self, file: FileId, e: ExprId) -> Option<&'a str> {
        let mut cur = e;
        for _ in 0..32 {
            match self.kind(file, cur)? {
                Expr::Member { object, .. } => cur = *object,
                Expr::Ident { name } => return Some(name),
                _ => return None,
            }
        }
        None
    }

    /// The argument expression a parameter reference stands for: `opts` (bound to the
    /// argument), `name` of `({ name })`, `opts.name` (the argument's `name` property), in
    /// the caller's file and environment. `None` when `e` is not a parameter reference or
    /// the argument is not literal enough to follow.
    pub fn arg_value<'e>(
        &self,
        file: FileId,
        e: ExprId,
        env: &'e Env<'a>,
    ) -> Option<(FileId, ExprId, &'e Env<'a>)> {
        match self.kind(file, e)? {
            Expr::Ident { name } => {
                if env.lookup(name).is_some() {
                    return None;
                }
                let b = env.param(name)?;
                match b.field {
                    None => Some((b.file, b.arg, b.env)),
                    Some(field) => {
                        let obj = self.object_literal(b.file, b.arg)?;
                        let p = self.prop(b.file, obj, field)?;
                        Some((b.file, p.value, b.env))
                    }
                }
            }
            Expr::Member { object, property, .. } => {
                let (f2, base, benv) = self.arg_value(file, *object, env)?;
                let obj = self.object_literal(f2, base)?;
                let p = self.prop(f2, obj, property)?;
                Some((f2, p.value, benv))
            }
            _ => None,
        }
    }

    /// A string a value evaluates to: a literal, or a parameter bound to one.
    pub fn str_eval(&self, file: FileId, e: ExprId, env: &Env<'a>) -> Option<String> {
        if let Some(s) = self.str_value(file, e) {
            return Some(s.to_string());
        }
        let (f2, a, aenv) = self.arg_value(file, e, env)?;
        self.str_eval(f2, a, aenv)
    }

    /// The resource an expression names (class, const, import, namespace member, inline factory).
    /// `R.pipe(…)` of a resource is that resource (`yield* Api.pipe(Alchemy.renamedFrom(…))`,
    /// `const A = Api.pipe(…)`); a Live's `.pipe` (`X.make(…).pipe(…)`) is not.
    pub fn resource_of(&self, file: FileId, e: ExprId, env: &Env) -> Option<usize> {
        self.resource_of_depth(file, e, env, 0)
    }

    fn resource_of_depth(&self, file: FileId, e: ExprId, env: &Env, depth: u32) -> Option<usize> {
        if depth > 8 {
            return None;
        }
        match self.kind(file, e)? {
            Expr::Ident { .. } | Expr::Member { .. } => {
                if let Some((f2, a, aenv)) = self.arg_value(file, e, env) {
                    return self.resource_of_depth(f2, a, aenv, depth + 1);
                }
                if self.shadowed(file, e, env) {
                    return None;
                }
                if depth > 0 {
                    return self.module_resource_depth(file, e, depth);
                }
                let Some(slot) = self.module_res.slot(file, e) else {
                    return self.module_resource_depth(file, e, depth);
                };
                use std::sync::atomic::Ordering::Relaxed;
                match slot.load(Relaxed) {
                    UNKNOWN => {
                        let r = self.module_resource_depth(file, e, depth);
                        slot.store(r.map_or(NO_RESOURCE, |r| r as u32), Relaxed);
                        r
                    }
                    NO_RESOURCE => None,
                    r => Some(r as usize),
                }
            }
            Expr::Class { .. } => self.res.by_expr.get(&(file, e)).copied(),
            Expr::Call { .. } => {
                if let Some(&r) = self.res.by_expr.get(&(file, e)) {
                    return Some(self.instance_in(r, env));
                }
                if let Some(&r) = self.instance_at.get(&(file, e)) {
                    return Some(r);
                }
                let (obj, prop, _) = self.member_call(file, e)?;
                (prop == "pipe").then(|| self.resource_of_depth(file, obj, env, depth + 1))?
            }
            _ => None,
        }
    }

    /// The resource a module-level name or member chain names: its symbol's, or through a
    /// `const A = Api.pipe(…)` alias. Independent of the environment (the caller ruled out
    /// parameters and locals).
    fn module_resource_depth(&self, file: FileId, e: ExprId, depth: u32) -> Option<usize> {
        let sym = self.syms.resolve_expr(file, e)?;
        // Resources are named by declarations and default exports only.
        if !matches!(sym, Sym::Decl { .. } | Sym::DefaultExpr { .. }) {
            return None;
        }
        if let Some(r) = self.res.of_sym(&self.syms, &sym) {
            return Some(r);
        }
        // `const A = Api.pipe(…)`
        match self.syms.unalias(sym) {
            Sym::Decl { file: f2, decl } => match &self.facts(f2).decls[decl].kind {
                DeclKind::Var { init: Some(init), .. }
                    if matches!(self.member_call(f2, *init), Some((_, "pipe", _))) =>
                {
                    self.resource_of_depth(f2, *init, &Env::default(), depth + 1)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The instance of factory-built resource `r` for the factory call being walked (the
    /// innermost call in `env` that instantiates it), else `r`.
    fn instance_in(&self, r: usize, env: &Env) -> usize {
        let Some(inst) = self.res.get(r).instance else {
            return r;
        };
        for site in env.calls() {
            if let Some(&i) = self.instance_at.get(&site)
                && self.res.get(i).instance.is_some_and(|x| x.func == inst.func)
                && self.res.get(i).file == self.res.get(r).file
                && self.res.get(i).call == self.res.get(r).call
            {
                return i;
            }
        }
        r
    }

    /// The environment of a resource's own expressions (its props, its implementation) at
    /// `span` of `file`: the lexical locals there and, for a factory-built instance, the
    /// factory's parameters bound to that instance's call.
    pub fn env_for(&self, r: usize, file: FileId, span: Span) -> Env<'a> {
        let env = self.env_at(file, span);
        let info = self.res.get(r);
        match info.instance {
            Some(inst) if file == info.file => self.bind_instance(env, info.file, inst),
            _ => env,
        }
    }

    /// `env` with the factory function's parameters (the function is in `func_file`) bound to
    /// the instance's call.
    fn bind_instance(&self, env: Env<'a>, func_file: FileId, inst: super::resources::Instance) -> Env<'a> {
        let Some(Expr::Function { body, .. }) = self.kind(func_file, inst.func) else {
            return env;
        };
        let Some(Expr::Call { args, .. }) = self.kind(inst.site_file, inst.site_call) else {
            return env;
        };
        let caller = self.env_at(inst.site_file, self.span(inst.site_file, inst.site_call));
        env.with_args(&body.params, inst.site_file, inst.site_call, args, &caller)
    }

    /// Where to report on a resource's declaration: for a factory-built instance, the call
    /// that builds it; else its logical id (or its name/call).
    pub fn decl_site(&self, r: usize) -> (FileId, Span) {
        let info = self.res.get(r);
        match info.instance {
            Some(inst) => (inst.site_file, self.span(inst.site_file, inst.site_call)),
            None => (info.file, info.logical_id_span.unwrap_or(info.span)),
        }
    }

    /// Resources declared inside a module-level function (`function makeApi(opts) { return
    /// Cloudflare.Worker(opts.name, …) }`, arrows, `Effect.fn(function* …)`) become one
    /// resource per call of that function, with the logical id evaluated at each call.
    fn collect_instances(&mut self) {
        // (resource, its function, the function's module-level symbol)
        let mut templates: Vec<(usize, ExprId, Sym)> = Vec::new();
        for (r, info) in self.res.list.iter().enumerate() {
            if info.sym.is_some() || info.class.is_some() || info.kind == super::graph::ResourceKind::Stack {
                continue;
            }
            let facts = self.facts(info.file);
            let call_span = self.span(info.file, info.call);
            // the innermost function around the factory call
            let Some(func) = facts
                .functions
                .iter()
                .copied()
                .filter_map(|f| Some((f, facts.exprs.get(f as usize)?.span)))
                .filter(|(_, sp)| sp.start <= call_span.start && call_span.end <= sp.end)
                .min_by_key(|&(f, sp)| (sp.len(), f))
                .map(|(f, _)| f)
            else {
                continue;
            };
            let fspan = self.span(info.file, func);
            let decl = facts.decls.iter().position(|d| match &d.kind {
                DeclKind::Function { func: f } => *f == func,
                DeclKind::Var { init: Some(init), .. } => {
                    *init == func
                        || (matches!(self.kind(info.file, *init), Some(Expr::Call { .. }))
                            && self.function_of(info.file, *init, &Env::default()) == Some((info.file, func))
                            && {
                                let isp = self.span(info.file, *init);
                                isp.start <= fspan.start && fspan.end <= isp.end
                            })
                }
                _ => false,
            });
            if let Some(decl) = decl {
                templates.push((
                    r,
                    func,
                    Sym::Decl {
                        file: info.file,
                        decl,
                    },
                ));
            }
        }
        if templates.is_empty() {
            return;
        }
        let names: HashMap<&str, Vec<usize>> = {
            let mut m: HashMap<&str, Vec<usize>> = HashMap::default();
            for (t, (_, _, sym)) in templates.iter().enumerate() {
                if let Sym::Decl { file, decl } = sym {
                    m.entry(self.facts(*file).decls[*decl].name.as_str())
                        .or_default()
                        .push(t);
                }
            }
            m
        };
        // call sites, in file order
        let mut sites: Vec<Vec<(FileId, ExprId)>> = vec![Vec::new(); templates.len()];
        for src in self.ws.iter() {
            for (i, n) in src.facts.exprs.iter().enumerate() {
                let Expr::Call {
                    callee,
                    broken: false,
                    ..
                } = &n.kind
                else {
                    continue;
                };
                let name = match self.kind(src.id, *callee) {
                    Some(Expr::Ident { name }) => name.as_str(),
                    Some(Expr::Member { property, .. }) => property.as_str(),
                    _ => continue,
                };
                let Some(ts) = names.get(name) else { continue };
                let Some(sym) = self
                    .syms
                    .resolve_expr(src.id, *callee)
                    .map(|s| self.syms.unalias(s))
                else {
                    continue;
                };
                for &t in ts {
                    if templates[t].2 == sym {
                        sites[t].push((src.id, i as ExprId));
                    }
                }
            }
        }
        for ((r, func, _), sites) in templates.into_iter().zip(sites) {
            let (name, key, logical_id) = {
                let t = &self.res.list[r];
                (t.name.clone(), t.key.clone(), t.logical_id.clone())
            };
            for (k, (site_file, site_call)) in sites.into_iter().enumerate() {
                let inst = super::resources::Instance {
                    site_file,
                    site_call,
                    func,
                };
                let idx = if k == 0 {
                    r
                } else {
                    let clone = self.res.list[r].clone();
                    self.res.list.push(clone);
                    self.res.list.len() - 1
                };
                self.res.list[idx].instance = Some(inst);
                let info = &self.res.list[idx];
                let env = self.bind_instance(self.env_at(info.file, info.span), info.file, inst);
                let id = info.args.first().and_then(|a| self.str_eval(info.file, *a, &env));
                let info = &mut self.res.list[idx];
                info.name = name.clone();
                info.key = key.clone();
                info.logical_id = logical_id.clone();
                if let Some(id) = id {
                    if logical_id.is_none() {
                        info.name = id.clone();
                        info.key = id.clone();
                    }
                    info.logical_id = Some(id);
                }
                self.instance_at.insert((site_file, site_call), idx);
            }
        }
        self.res.dedup_keys(self.ws);
    }

    /// The resource a value stands for: [`Ctx::resource_of`], a local holding `yield* R` (or
    /// `R` itself), `r.workerName`/`r.queueId`/… of one, and `X.pipe(…)` of one.
    pub fn resource_value(&self, file: FileId, e: ExprId, env: &Env) -> Option<usize> {
        self.resource_value_depth(file, e, env, 0)
    }

    fn resource_value_depth(&self, file: FileId, e: ExprId, env: &Env, depth: u32) -> Option<usize> {
        if depth > 8 {
            return None;
        }
        if let Some(r) = self.resource_of(file, e, env) {
            return Some(r);
        }
        if let Some((f2, a, aenv)) = self.arg_value(file, e, env) {
            return self.resource_value_depth(f2, a, aenv, depth + 1);
        }
        match self.kind(file, e)? {
            Expr::Ident { name } => {
                let l = env.lookup(name)?;
                self.resource_value_depth(file, l.init?, env, depth + 1)
            }
            Expr::Yield {
                delegate: true,
                arg: Some(a),
            } => self.resource_value_depth(file, *a, env, depth + 1),
            Expr::Member { object, property, .. }
                if matches!(
                    property.as_str(),
                    "workerName" | "queueId" | "queueName" | "bucketName" | "databaseId" | "databaseName"
                ) =>
            {
                self.resource_value_depth(file, *object, env, depth + 1)
            }
            Expr::Call { .. } => {
                let (obj, prop, _) = self.member_call(file, e)?;
                (prop == "pipe").then(|| self.resource_value_depth(file, obj, env, depth + 1))?
            }
            _ => None,
        }
    }

    /// Whether an expression is (statically) an Effect: a call of `Effect.*`, a `.pipe(…)` of
    /// one, or a const/local initialised with one.
    pub fn is_effect_value(&self, file: FileId, e: ExprId, env: &Env) -> bool {
        self.is_effect_value_depth(file, e, env, 0)
    }

    fn is_effect_value_depth(&self, file: FileId, e: ExprId, env: &Env, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        match self.kind(file, e) {
            Some(Expr::Call { callee, .. }) => {
                if let Some(Expr::Member { object, property, .. }) = self.kind(file, *callee) {
                    if self.effect_mod(file, *object) == Some(EffectMod::Effect) {
                        return true;
                    }
                    // `Stage.useSync(…)`, `Service.use(…)`, `Tag.asEffect()`: Effects of a service
                    if matches!(property.as_str(), "use" | "useSync" | "asEffect")
                        && matches!(self.syms.resolve_expr(file, *object), Some(Sym::External { .. }))
                    {
                        return true;
                    }
                }
                match self.member_call(file, e) {
                    Some((obj, "pipe", _)) => self.is_effect_value_depth(file, obj, env, depth + 1),
                    _ => false,
                }
            }
            Some(Expr::Ident { name }) => {
                if let Some(l) = env.lookup(name) {
                    return l
                        .init
                        .is_some_and(|i| self.is_effect_value_depth(file, i, env, depth + 1));
                }
                match self.const_init(file, e, env) {
                    Some((f2, init, _)) => self.is_effect_value_depth(f2, init, &Env::default(), depth + 1),
                    None => false,
                }
            }
            _ => false,
        }
    }

    /// If `e` evaluates to a Live (`X.make(…)`, possibly through consts, default exports and
    /// `.pipe(…)`), the resource X.
    pub fn live_of(&self, file: FileId, e: ExprId, env: &Env) -> Option<usize> {
        self.live_of_depth(file, e, env, 0)
    }

    fn live_of_depth(&self, file: FileId, e: ExprId, env: &Env, depth: u32) -> Option<usize> {
        if depth > 16 {
            return None;
        }
        match self.kind(file, e)? {
            Expr::Call { .. } => {
                let (obj, prop, _) = self.member_call(file, e)?;
                match prop {
                    "make" => {
                        let r = self.resource_of(file, obj, env)?;
                        self.res.get(r).form.is_modular().then_some(r)
                    }
                    "pipe" => self.live_of_depth(file, obj, env, depth + 1),
                    _ => None,
                }
            }
            Expr::Ident { name } => {
                if let Some(l) = env.lookup(name) {
                    return self.live_of_depth(file, l.init?, env, depth + 1);
                }
                let sym = self.syms.resolve_expr(file, e)?;
                self.live_of_sym(&sym, depth + 1)
            }
            Expr::Member { .. } => {
                let sym = self.syms.resolve_expr(file, e)?;
                self.live_of_sym(&sym, depth + 1)
            }
            _ => None,
        }
    }

    pub fn live_of_sym(&self, sym: &Sym, depth: u32) -> Option<usize> {
        match sym {
            Sym::Decl { file, decl } => match &self.facts(*file).decls[*decl].kind {
                DeclKind::Var { init: Some(init), .. } => {
                    self.live_of_depth(*file, *init, &Env::default(), depth)
                }
                _ => None,
            },
            Sym::DefaultExpr { file, expr } => self.live_of_depth(*file, *expr, &Env::default(), depth),
            _ => None,
        }
    }

    /// The impl argument of a `.make(…)` call (its last argument).
    pub fn make_impl(&self, file: FileId, call: ExprId) -> Option<ExprId> {
        match self.kind(file, call)? {
            Expr::Call { args, .. } => args.last().copied(),
            _ => None,
        }
    }

    /// The props object of a `.make(props, impl)` call (G2/G3), if it has two arguments.
    pub fn make_props(&self, file: FileId, call: ExprId) -> Option<ExprId> {
        match self.kind(file, call)? {
            Expr::Call { args, .. } if args.len() >= 2 => args.first().copied(),
            _ => None,
        }
    }

    /// The implementations of a resource: inline impl argument, or every `.make`'s impl.
    pub fn impls(&self, r: usize) -> Sites {
        match self.impls_of.get(r) {
            Some(i) => i.clone(),
            None => self.compute_impls(r),
        }
    }

    fn compute_impls(&self, r: usize) -> Sites {
        let info = self.res.get(r);
        let mut out = Sites::new();
        match info.form {
            Form::DoInlineClass
            | Form::DoInlineValue
            | Form::RpcDoInlineClass
            | Form::RpcDoInlineValue
            | Form::WorkerInline
            | Form::WorkerValue
            | Form::WorkflowClass
            | Form::WorkflowValue
            | Form::StackValue => {
                if let Some(&last) = info.args.last()
                    && info.args.len() >= 2
                {
                    out.push((info.file, last));
                }
            }
            Form::RpcWorkerInline if info.args.len() >= 3 => {
                out.push((info.file, info.args[2]));
            }
            _ => {}
        }
        if info.form.is_modular() {
            for &(f, call) in self.makes.get(&r).map(|v| v.as_slice()).unwrap_or(&[]) {
                if let Some(i) = self.make_impl(f, call) {
                    out.push((f, i));
                }
            }
        }
        out
    }

    /// The props object of a Worker-like resource: from the factory call (G1, inline, value)
    /// or from each `.make(props, impl)` (G2/G3). Effect props (`Stack.useSync(() => ({…}))`)
    /// are read through the returned literal.
    pub fn props(&self, r: usize) -> Sites {
        match self.props_of.get(r) {
            Some(p) => p.clone(),
            None => self.compute_props(r),
        }
    }

    fn compute_props(&self, r: usize) -> Sites {
        let info = self.res.get(r);
        let mut out = smallvec::SmallVec::new();
        let mut add = |f: FileId, p: ExprId| {
            if let Some(o) = self.object_literal(f, p) {
                out.push((f, o));
            }
        };
        if info.args.len() >= 2 {
            add(info.file, info.args[1]);
        }
        if info.form.is_modular() {
            for &(f, call) in self.makes.get(&r).map(|v| v.as_slice()).unwrap_or(&[]) {
                if let Some(p) = self.make_props(f, call) {
                    add(f, p);
                }
            }
        }
        out
    }

    /// An object literal, directly or as what a props function/Effect returns.
    pub fn object_literal(&self, file: FileId, e: ExprId) -> Option<ExprId> {
        match self.kind(file, e)? {
            Expr::Object { .. } => Some(e),
            Expr::Call { args, .. } => {
                let f = args.last()?;
                match self.kind(file, *f)? {
                    Expr::Function { body, .. } => {
                        body.returns.iter().find_map(|r| self.object_literal(file, *r))
                    }
                    _ => None,
                }
            }
            Expr::Ident { name } => {
                let sym = self.syms.resolve_name(file, name)?;
                if let Sym::Decl { file: f2, decl } = sym
                    && let DeclKind::Var { init: Some(init), .. } = &self.facts(f2).decls[decl].kind
                {
                    return match self.kind(f2, *init)? {
                        Expr::Object { .. } if f2 == file => Some(*init),
                        _ => None,
                    };
                }
                None
            }
            _ => None,
        }
    }

    /// `key: value` of an object literal.
    pub fn prop(&self, file: FileId, obj: ExprId, key: &str) -> Option<&'a alchemy_grammar::Prop> {
        match self.kind(file, obj)? {
            Expr::Object { props, .. } => props.iter().find(|p| p.key.as_deref() == Some(key)),
            _ => None,
        }
    }

    pub fn str_value(&self, file: FileId, e: ExprId) -> Option<&'a str> {
        match self.kind(file, e)? {
            Expr::Str { value } => Some(value.as_str()),
            _ => None,
        }
    }

    /// The module-level `const` initialiser (any file) an identifier names, for walking.
    pub fn const_init(&self, file: FileId, e: ExprId, env: &Env<'a>) -> Option<(FileId, ExprId, bool)> {
        if let Some(Expr::Ident { name }) = self.kind(file, e)
            && let Some(l) = env.lookup(name)
        {
            return l.init.map(|i| (file, i, true));
        }
        match self.syms.resolve_expr(file, e)? {
            Sym::Decl { file: f2, decl } => match &self.facts(f2).decls[decl].kind {
                DeclKind::Var { init: Some(init), .. } => Some((f2, *init, false)),
                _ => None,
            },
            Sym::DefaultExpr { file: f2, expr } => Some((f2, expr, false)),
            _ => None,
        }
    }

    /// The function a callee names (a declared function, an arrow/function const, or
    /// `Effect.fn(function* …)`), as (file, function expr).
    pub fn function_of(&self, file: FileId, callee: ExprId, env: &Env<'a>) -> Option<(FileId, ExprId)> {
        let (f2, e2) = match self.kind(file, callee)? {
            Expr::Function { .. } => (file, callee),
            Expr::Ident { name } if env.lookup(name).is_some() => {
                let l = env.lookup(name)?;
                (file, l.init?)
            }
            Expr::Ident { .. } | Expr::Member { .. } => match self.syms.resolve_expr(file, callee)? {
                Sym::Decl { file: f2, decl } => match &self.facts(f2).decls[decl].kind {
                    DeclKind::Function { func } => (f2, *func),
                    DeclKind::Var { init: Some(init), .. } => (f2, *init),
                    _ => return None,
                },
                Sym::DefaultExpr { file: f2, expr } => (f2, expr),
                _ => return None,
            },
            _ => return None,
        };
        match self.kind(f2, e2)? {
            Expr::Function { .. } => Some((f2, e2)),
            // Effect.fn(function* …) / Effect.fnUntraced(…) / Effect.fn("name")(function* …)
            Expr::Call { callee: c, args, .. } => {
                let is_fn = |f: FileId, e: ExprId| {
                    self.effect_call(f, e, EffectMod::Effect)
                        .is_some_and(|(p, _)| p == "fn" || p == "fnUntraced")
                };
                if is_fn(f2, e2) || is_fn(f2, *c) {
                    let g = args
                        .iter()
                        .rev()
                        .find(|a| matches!(self.kind(f2, **a), Some(Expr::Function { .. })))?;
                    Some((f2, *g))
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(name: &str, at: u32) -> Local {
        Local {
            name: name.into(),
            name_span: Span::new(at as usize, at as usize + name.len()),
            init: None,
        }
    }

    /// The indexed lookup finds what the scan finds: the last local of a name, nothing for
    /// an unknown name, and the right local when two names share an index slot.
    #[test]
    fn indexed_locals_agree_with_the_scan() {
        let mut locals: Vec<Local> = (0..40).map(|i| local(&format!("w{i}"), i * 10)).collect();
        locals.push(local("w3", 1000));
        locals.push(local("dup", 1010));
        locals.push(local("dup", 1020));
        let scan = LocalFrame {
            locals: &locals,
            index: None,
        };
        let indexed = LocalFrame {
            locals: &locals,
            index: Some(index_locals(&locals)),
        };
        let mut names: Vec<String> = locals.iter().map(|l| l.name.clone()).collect();
        names.push("missing".into());
        for name in &names {
            let a = scan.find(name).map(|l| l.name_span);
            let b = indexed.find(name).map(|l| l.name_span);
            assert_eq!(a, b, "{name}");
        }
        assert_eq!(indexed.find("w3").map(|l| l.name_span.start), Some(1000));
        assert_eq!(indexed.find("dup").map(|l| l.name_span.start), Some(1020));
        // A hash shared by two names: the slot holds the other name, the scan decides.
        let mut m = rustc_hash::FxHashMap::default();
        m.insert(name_hash("w5"), 7u32);
        let collided = LocalFrame {
            locals: &locals,
            index: Some(std::sync::Arc::new(m)),
        };
        assert_eq!(collided.find("w5").map(|l| l.name_span.start), Some(50));
    }

    /// The memoised module-level resource is what a fresh resolution finds, for every
    /// identifier and member chain, asked twice; and a memoised answer never leaks into an
    /// environment where the name is a local.
    #[test]
    fn memoised_resources_agree_and_respect_shadowing() {
        let text = r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
export class Counter extends Cloudflare.DurableObjectNamespace<Counter>()(
  "Counter",
  Effect.gen(function* () { return {}; }),
) {}
export const Alias = Counter;
export default Cloudflare.Worker("A", { main: import.meta.path }, Effect.gen(function* () {
  const c = yield* Counter;
  const d = yield* Alias;
  const inner = Effect.gen(function* () {
    const Counter = yield* Effect.succeed(1);
    const e = yield* Counter;
    return e;
  });
  return {};
}));
"#;
        let ws = crate::analysis::testing::snapshot(&[("a.ts", text)]);
        let ctx = Ctx::new(&ws);
        let file = FileId(0);
        let facts = ctx.facts(file);
        let names: Vec<ExprId> = (0..facts.exprs.len() as ExprId)
            .filter(|&e| matches!(ctx.kind(file, e), Some(Expr::Ident { .. } | Expr::Member { .. })))
            .collect();
        let env = Env::default();
        let mut found = 0;
        for &e in &names {
            let fresh = ctx.module_resource_depth(file, e, 0);
            assert_eq!(ctx.resource_of(file, e, &env), fresh, "first ask of {e}");
            assert_eq!(ctx.resource_of(file, e, &env), fresh, "memoised ask of {e}");
            found += usize::from(fresh.is_some());
        }
        assert!(found >= 2, "Counter and its uses name the DO: {found}");
        // `yield* Counter` inside `inner`, where `Counter` is a local: memoised as the DO at
        // module level above, nothing in the function's environment.
        let (inner_locals, shadowed) = facts
            .exprs
            .iter()
            .find_map(|n| match &n.kind {
                Expr::Function { body, .. } if body.locals.iter().any(|l| l.name == "Counter") => {
                    let e = body.locals.iter().find(|l| l.name == "e")?.init?;
                    let Some(Expr::Yield { arg: Some(arg), .. }) = ctx.kind(file, e) else {
                        return None;
                    };
                    Some((&body.locals, *arg))
                }
                _ => None,
            })
            .expect("the shadowing function");
        assert!(ctx.resource_of(file, shadowed, &env).is_some());
        let local_env = env.with(inner_locals);
        assert_eq!(ctx.resource_of(file, shadowed, &local_env), None);
    }
}
