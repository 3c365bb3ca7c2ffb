//! Shared analysis context: symbols, resources, `.make` calls and expression helpers.

use std::collections::HashMap;

use alchemy_grammar::{ConstructKind, DeclKind, Expr, ExprId, FileFacts, Local, Span};

use super::api::{Api, EffectMod, api_of, effect_mod};
use super::resources::{Form, Resources, kind};
use super::symbols::{Sym, Symbols};
use crate::workspace::{FileId, Workspace};

/// A file's function expressions by span, outermost first.
type FunctionSpans = std::sync::Arc<Vec<(Span, ExprId)>>;

pub struct Ctx<'a> {
    pub ws: &'a Workspace,
    pub syms: Symbols<'a>,
    pub packages: Vec<String>,
    pub res: Resources,
    /// resource → every `X.make(…)` call in the project.
    pub makes: HashMap<usize, Vec<(FileId, ExprId)>>,
    /// Per file, every function expression's span, outermost first (for [`Ctx::env_at`]).
    functions: std::sync::Mutex<HashMap<FileId, FunctionSpans>>,
}

/// Lexical environment while walking function bodies: enclosing bodies' locals (innermost last).
#[derive(Clone, Default)]
pub struct Env<'a> {
    pub locals: Vec<&'a [Local]>,
}

impl<'a> Env<'a> {
    pub fn with(&self, locals: &'a [Local]) -> Env<'a> {
        let mut e = self.clone();
        e.locals.push(locals);
        e
    }
    pub fn lookup(&self, name: &str) -> Option<&'a Local> {
        self.locals
            .iter()
            .rev()
            .find_map(|ls| ls.iter().rev().find(|l| l.name == name))
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
            makes: HashMap::new(),
            functions: Default::default(),
        };
        let mut makes: HashMap<usize, Vec<(FileId, ExprId)>> = HashMap::new();
        for src in ws.iter() {
            for c in &src.facts.constructs {
                if c.kind != ConstructKind::Make {
                    continue;
                }
                if let Some(Expr::Call { callee, .. }) = kind(&src.facts, c.expr)
                    && let Some(Expr::Member { object, .. }) = kind(&src.facts, *callee)
                    && let Some(r) = ctx.resource_of(src.id, *object, &Env::default())
                {
                    makes.entry(r).or_default().push((src.id, c.expr));
                }
            }
        }
        ctx.makes = makes;
        ctx.classify_external_workers();
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
        let fns = {
            let mut cache = self.functions.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .entry(file)
                .or_insert_with(|| {
                    let facts = self.facts(file);
                    let mut v: Vec<(Span, ExprId)> = facts
                        .exprs
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| matches!(n.kind, Expr::Function { .. }))
                        .map(|(i, n)| (n.span, i as ExprId))
                        .collect();
                    v.sort_by_key(|(sp, _)| (sp.start, std::cmp::Reverse(sp.end)));
                    std::sync::Arc::new(v)
                })
                .clone()
        };
        let mut env = Env::default();
        for (sp, f) in fns.iter() {
            if sp.start > span.start {
                break;
            }
            if sp.start <= span.start
                && span.end <= sp.end
                && let Some(Expr::Function { body, .. }) = self.kind(file, *f)
            {
                env = env.with(&body.locals);
            }
        }
        env
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
        if let Some(Expr::Ident { name }) = self.kind(file, e)
            && env.lookup(name).is_some()
        {
            return None;
        }
        self.syms.resolve_expr(file, e)
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
                let sym = self.sym_of(file, e, env)?;
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
            Expr::Class { .. } => self.res.by_expr.get(&(file, e)).copied(),
            Expr::Call { .. } => self.res.by_expr.get(&(file, e)).copied().or_else(|| {
                let (obj, prop, _) = self.member_call(file, e)?;
                (prop == "pipe").then(|| self.resource_of_depth(file, obj, env, depth + 1))?
            }),
            _ => None,
        }
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
                if let Some(Expr::Member { object, .. }) = self.kind(file, *callee)
                    && self.effect_mod(file, *object) == Some(EffectMod::Effect)
                {
                    return true;
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
    pub fn impls(&self, r: usize) -> Vec<(FileId, ExprId)> {
        let info = self.res.get(r);
        let mut out = Vec::new();
        match info.form {
            Form::D2
            | Form::D3
            | Form::R2
            | Form::R4
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
    pub fn props(&self, r: usize) -> Vec<(FileId, ExprId)> {
        let info = self.res.get(r);
        let mut out = Vec::new();
        if info.args.len() >= 2 {
            out.push((info.file, info.args[1]));
        }
        if info.form.is_modular() {
            for &(f, call) in self.makes.get(&r).map(|v| v.as_slice()).unwrap_or(&[]) {
                if let Some(p) = self.make_props(f, call) {
                    out.push((f, p));
                }
            }
        }
        out.into_iter()
            .filter_map(|(f, p)| self.object_literal(f, p).map(|o| (f, o)))
            .collect()
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
