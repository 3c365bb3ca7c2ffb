//! Walking init-phase code (docs/alchemy-model.md, "Scopes and relations"): what a Worker, Stack or DO outer init yields, binds and
//! provides, across consts, helper functions and files.

use rustc_hash::FxHashSet as HashSet;

use alchemy_grammar::{Body, Expr, ExprId, Span};

use super::api::{Api, EffectMod};
use super::ctx::{Ctx, Env};
use super::resources::Form;
use crate::workspace::FileId;

const MAX_CALL_DEPTH: u32 = 8;

/// What the argument of `X.from(A)` is.
#[derive(Clone, Debug, PartialEq)]
pub enum FromArg {
    /// A resource (Worker or otherwise).
    Res(usize),
    /// A Live (`X.make(…)`) of this resource.
    Live(usize),
    Str(String),
    /// `h.workerName` or another non-literal.
    NonLiteral,
    /// Names an unresolvable import.
    Unresolved,
    /// A `Worker.ref(…)` (a Worker deployed by another stack or stage), directly or through
    /// its `workerName`: the binding cannot be judged here.
    Ref(usize),
}

/// Layer outputs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayerSet {
    /// (resource, span of the expression that contributes it)
    pub items: Vec<usize>,
    pub unknown: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EvKind {
    /// `yield* X` (X a resource).
    Yield { target: usize },
    /// `X.from(A)`.
    From {
        x: usize,
        call: ExprId,
        receiver: ExprId,
        arg: FromArg,
        arg_expr: Option<ExprId>,
    },
    /// `Effect.provide(L)`: one event per provided argument.
    Provide {
        set: LayerSet,
        arg: ExprId,
        provide_call: ExprId,
    },
    /// binds-container.
    ContainerBind { container: usize, api: Api },
    /// `bindWorker(T)`, `RpcWorker.bind(T)`.
    ServiceBind { target: usize, api: Api },
    /// `Queues.consumeQueueMessages(Q, …)` in a Worker's init (`worker: None`: the scope's
    /// owner), or `Queues.Consumer(id, { queueId: Q.queueId, scriptName: W.workerName })`.
    Consumes { queue: usize, worker: Option<usize> },
    /// `X.pipe(Alchemy.renamedFrom("Old", …))` on a yielded resource (≥ beta.69).
    RenamedFrom { target: usize, ids: Vec<(String, Span)> },
    /// `X.pipe(Alchemy.RemovalPolicy.retain(…))` on a yielded resource; `effect`: the
    /// condition is an Effect (resolved at deploy by the stack's services).
    Retain {
        target: usize,
        effect: bool,
        enabled: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: EvKind,
    pub file: FileId,
    /// Primary site (the `yield*` operand, the `.from` call, the provide argument, …).
    pub span: Span,
    /// The hosted DO/Workflow whose outer init this event comes from (transitive hosting).
    pub via: Option<usize>,
}

/// Everything one owner's scope does.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub events: Vec<Event>,
}

pub struct Walker<'c, 'a> {
    ctx: &'c Ctx<'a>,
    events: Vec<Event>,
    visiting: HashSet<(FileId, ExprId)>,
    depth: u32,
    via: Option<usize>,
    /// DOs/Workflows whose outer init was walked (or queued) in this scope.
    hosted: HashSet<usize>,
    queue: Vec<usize>,
    /// Walk hosted DOs' outer inits transitively.
    transitive: bool,
}

impl<'c, 'a> Walker<'c, 'a> {
    pub fn new(ctx: &'c Ctx<'a>, transitive: bool) -> Self {
        Walker {
            ctx,
            events: Vec::new(),
            visiting: HashSet::default(),
            depth: 0,
            via: None,
            hosted: HashSet::default(),
            queue: Vec::new(),
            transitive,
        }
    }

    /// Walk the scope of an owner given its implementations.
    pub fn scope_of(ctx: &'c Ctx<'a>, owner: usize, transitive: bool) -> Scope {
        let mut w = Walker::new(ctx, transitive);
        w.hosted.insert(owner);
        for (f, e) in ctx.impls(owner) {
            w.walk_effect(f, e, &ctx.env_for(owner, f, ctx.span(f, e)));
        }
        while let Some(d) = w.queue.pop() {
            w.via = Some(d);
            for (f, e) in ctx.impls(d) {
                w.walk_effect(f, e, &ctx.env_for(d, f, ctx.span(f, e)));
            }
        }
        Scope { events: w.events }
    }

    /// Walk only a DO/Workflow's outer init (its own scope, not transitive).
    pub fn outer_init_of(ctx: &'c Ctx<'a>, d: usize) -> Scope {
        Self::scope_of(ctx, d, false)
    }

    fn push(&mut self, kind: EvKind, file: FileId, span: Span) {
        self.events.push(Event {
            kind,
            file,
            span,
            via: self.via,
        });
    }

    fn host_transitively(&mut self, r: usize) {
        if self.transitive && self.hosted.insert(r) {
            self.queue.push(r);
        }
    }

    /// Walk an Effect-valued expression. Returns whether it was understood.
    pub fn walk_effect(&mut self, file: FileId, e: ExprId, env: &Env<'a>) -> bool {
        if !self.visiting.insert((file, e)) {
            return true;
        }
        let ok = self.walk_effect_inner(file, e, env);
        self.visiting.remove(&(file, e));
        ok
    }

    fn walk_effect_inner(&mut self, file: FileId, e: ExprId, env: &Env<'a>) -> bool {
        let ctx = self.ctx;
        match ctx.kind(file, e) {
            Some(Expr::Call { callee, args, .. }) => {
                if let Some((prop, eargs)) = ctx.effect_call(file, e, EffectMod::Effect) {
                    match prop {
                        "gen" => {
                            if let Some(g) = eargs.iter().rev().find(|a| is_function(ctx, file, **a))
                                && let Some(Expr::Function { body, .. }) = ctx.kind(file, *g)
                            {
                                self.walk_body(file, body, &ctx.with_locals(env, &body.locals));
                            }
                            return true;
                        }
                        "provide" => {
                            if eargs.len() >= 2 {
                                self.walk_effect(file, eargs[0], env);
                                for l in &eargs[1..] {
                                    self.provide(file, *l, e, env);
                                }
                            }
                            return true;
                        }
                        "succeed" | "sync" | "void" | "fail" | "die" => return true,
                        _ => {}
                    }
                }
                if let Some((obj, "pipe", pargs)) = ctx.member_call(file, e) {
                    self.walk_effect(file, obj, env);
                    for a in pargs {
                        self.pipe_arg(file, *a, env);
                    }
                    return true;
                }
                if let Some(Expr::Ident { name }) = ctx.kind(file, *callee)
                    && name == "pipe"
                    && env.lookup(name).is_none()
                    && !args.is_empty()
                {
                    self.walk_effect(file, args[0], env);
                    for a in &args[1..] {
                        self.pipe_arg(file, *a, env);
                    }
                    return true;
                }
                self.call(file, e, *callee, args, env)
            }
            Some(Expr::Ident { .. } | Expr::Member { .. }) => {
                if let Some((f2, init, local)) = ctx.const_init(file, e, env) {
                    if local {
                        return self.walk_effect(f2, init, env);
                    }
                    return self.walk_effect(f2, init, &Env::default());
                }
                false
            }
            _ => false,
        }
    }

    /// A call `f(…)`: walk what the function returns (or its generator body for Effect.fn),
    /// with its parameters bound to the call's arguments.
    fn call(&mut self, file: FileId, call: ExprId, callee: ExprId, args: &[ExprId], env: &Env<'a>) -> bool {
        let ctx = self.ctx;
        // `Effect.fn(function* …)(input)`: callee is itself a call
        let Some((f2, func)) = ctx.function_of(file, callee, env) else {
            return false;
        };
        if self.depth >= MAX_CALL_DEPTH || !self.visiting.insert((f2, func)) {
            return true;
        }
        self.depth += 1;
        if let Some(Expr::Function { kind, body }) = ctx.kind(f2, func) {
            let fenv = if f2 == file {
                ctx.with_locals(env, &body.locals)
            } else {
                ctx.with_locals(&Env::default(), &body.locals)
            }
            .with_args(&body.params, file, call, args, env);
            if *kind == alchemy_grammar::FnKind::Generator {
                self.walk_body(f2, body, &fenv);
            } else {
                for r in &body.returns {
                    self.walk_effect(f2, *r, &fenv);
                }
            }
        }
        self.depth -= 1;
        self.visiting.remove(&(f2, func));
        true
    }

    fn pipe_arg(&mut self, file: FileId, a: ExprId, env: &Env<'a>) {
        let ctx = self.ctx;
        if let Some(("provide", largs)) = ctx.effect_call(file, a, EffectMod::Effect) {
            for l in largs {
                self.provide(file, *l, a, env);
            }
        }
    }

    /// Record a provided layer: its outputs (hosting), container layers and `Layer.effect`
    /// bodies walked in this scope.
    fn provide(&mut self, file: FileId, l: ExprId, provide_call: ExprId, env: &Env<'a>) {
        // `Effect.provide([A, B])`: one event per element (each is its own site).
        if let Some(Expr::Array {
            elems,
            has_spread: false,
        }) = self.ctx.kind(file, l)
        {
            for el in elems {
                self.provide(file, *el, provide_call, env);
            }
            return;
        }
        let mut set = LayerSet::default();
        let mut effects = Vec::new();
        self.layer_outputs(file, l, env, &mut set, &mut effects, 0);
        // hosting DOs → walk their outer init
        for &r in &set.items {
            if matches!(self.ctx.res.get(r).form, Form::DoModular | Form::RpcDoModular) {
                self.host_transitively(r);
            }
        }
        let span = self.ctx.span(file, l);
        self.push(
            EvKind::Provide {
                set,
                arg: l,
                provide_call,
            },
            file,
            span,
        );
        for (f, e, local) in effects {
            let env2 = if local { env.clone() } else { Env::default() };
            self.walk_effect(f, e, &env2);
        }
    }

    fn layer_outputs(
        &mut self,
        file: FileId,
        l: ExprId,
        env: &Env<'a>,
        set: &mut LayerSet,
        effects: &mut Vec<(FileId, ExprId, bool)>,
        depth: u32,
    ) {
        let ctx = self.ctx;
        if depth > 16 {
            set.unknown = true;
            return;
        }
        match ctx.kind(file, l) {
            Some(Expr::Array { elems, has_spread }) => {
                if *has_spread {
                    set.unknown = true;
                }
                for el in elems {
                    self.layer_outputs(file, *el, env, set, effects, depth + 1);
                }
            }
            Some(Expr::Call { callee, args, .. }) => {
                if let Some((obj, prop, margs)) = ctx.member_call(file, l) {
                    if prop == "make"
                        && let Some(r) = ctx.resource_of(file, obj, env)
                        && ctx.res.get(r).form.is_modular()
                    {
                        set.items.push(r);
                        return;
                    }
                    if prop == "pipe" {
                        self.layer_outputs(file, obj, env, set, effects, depth + 1);
                        for a in margs {
                            if let Some((p, pargs)) = ctx.effect_call(file, *a, EffectMod::Layer)
                                && (p == "provideMerge" || p == "merge")
                            {
                                for x in pargs {
                                    self.layer_outputs(file, *x, env, set, effects, depth + 1);
                                }
                            }
                            // Layer.provide(b): outputs stay a's; b's requirements are satisfied,
                            // but b's layers are still built in this Worker: walk them for
                            // container layers and Layer.effect bodies (not outputs).
                            if let Some(("provide", pargs)) = ctx.effect_call(file, *a, EffectMod::Layer) {
                                let mut inner = LayerSet::default();
                                for x in pargs {
                                    self.layer_outputs(file, *x, env, &mut inner, effects, depth + 1);
                                }
                            }
                        }
                        return;
                    }
                    if ctx.effect_mod(file, obj) == Some(EffectMod::Layer) {
                        match prop {
                            "mergeAll" | "merge" | "provideMerge" => {
                                for x in margs {
                                    self.layer_outputs(file, *x, env, set, effects, depth + 1);
                                }
                            }
                            "provide" => {
                                if let Some(first) = margs.first() {
                                    self.layer_outputs(file, *first, env, set, effects, depth + 1);
                                }
                                let mut inner = LayerSet::default();
                                for x in margs.iter().skip(1) {
                                    self.layer_outputs(file, *x, env, &mut inner, effects, depth + 1);
                                }
                            }
                            "effect" | "scoped" | "effectDiscard" | "scopedDiscard" => {
                                if let Some(last) = margs.last() {
                                    effects.push((file, *last, true));
                                }
                            }
                            _ => {}
                        }
                        return;
                    }
                }
                match ctx.api(file, *callee) {
                    Some(api @ (Api::LayerContainer | Api::ContainersLayer)) => {
                        if let Some(first) = args.first()
                            && let Some(c) = ctx.resource_of(file, *first, env)
                        {
                            let span = ctx.span(file, l);
                            self.push(EvKind::ContainerBind { container: c, api }, file, span);
                        }
                        return;
                    }
                    Some(_) => return,
                    None => {}
                }
                // a helper function returning a layer
                if let Some((f2, func)) = ctx.function_of(file, *callee, env)
                    && let Some(Expr::Function { body, .. }) = ctx.kind(f2, func)
                    && !body.returns.is_empty()
                {
                    let fenv = ctx.with_locals(&Env::default(), &body.locals);
                    for r in &body.returns {
                        self.layer_outputs(f2, *r, &fenv, set, effects, depth + 1);
                    }
                    return;
                }
                set.unknown = true;
            }
            Some(Expr::Ident { .. } | Expr::Member { .. }) => {
                if let Some(Expr::Member { object, .. }) = ctx.kind(file, l)
                    && ctx.effect_mod(file, *object) == Some(EffectMod::Layer)
                {
                    return; // Layer.empty & co.
                }
                match ctx.const_init(file, l, env) {
                    Some((f2, init, true)) => self.layer_outputs(f2, init, env, set, effects, depth + 1),
                    Some((f2, init, false)) => {
                        self.layer_outputs(f2, init, &Env::default(), set, effects, depth + 1);
                    }
                    None => set.unknown = true,
                }
            }
            _ => set.unknown = true,
        }
    }

    fn walk_body(&mut self, file: FileId, body: &'a Body, env: &Env<'a>) {
        for r in &body.roots {
            self.visit(file, *r, env);
        }
    }

    /// Visit an init-phase expression tree: `yield*`s, `.from` calls, binders; nested
    /// functions are skipped (handlers run per request).
    fn visit(&mut self, file: FileId, e: ExprId, env: &Env<'a>) {
        let ctx = self.ctx;
        let Some(node) = ctx.facts(file).exprs.get(e as usize) else {
            return;
        };
        match &node.kind {
            Expr::Function { .. } | Expr::Class { .. } => {}
            Expr::Yield {
                delegate: true,
                arg: Some(a),
            } => self.yield_star(file, *a, env),
            Expr::Yield { arg: Some(a), .. } => self.visit(file, *a, env),
            Expr::Yield { arg: None, .. } => {}
            Expr::Call { callee, args, .. } => {
                if self.special_call(file, e, env) {
                    return;
                }
                self.visit(file, *callee, env);
                for a in args {
                    self.visit(file, *a, env);
                }
            }
            Expr::Member { object, .. } => self.visit(file, *object, env),
            Expr::Object { props, .. } => {
                for p in props {
                    if !p.shorthand {
                        self.visit(file, p.value, env);
                    }
                }
            }
            Expr::Array { elems, .. } => {
                for x in elems {
                    self.visit(file, *x, env);
                }
            }
            Expr::Other { children } => {
                for x in children {
                    self.visit(file, *x, env);
                }
            }
            Expr::Ident { .. } | Expr::Str { .. } | Expr::ImportMeta { .. } => {}
        }
    }

    /// `.from` calls and binders. Returns true when handled.
    fn special_call(&mut self, file: FileId, e: ExprId, env: &Env<'a>) -> bool {
        let ctx = self.ctx;
        let Some(Expr::Call {
            callee, args, broken, ..
        }) = ctx.kind(file, e)
        else {
            return false;
        };
        if let Some((obj, "from", fargs)) = ctx.member_call(file, e)
            && let Some(x) = ctx.resource_of(file, obj, env)
        {
            if *broken {
                return true;
            }
            let arg_expr = fargs.first().copied();
            let arg = match arg_expr {
                None => FromArg::NonLiteral,
                Some(a) => self.arg_of_from(file, a, env),
            };
            let span = ctx.span(file, e);
            self.push(
                EvKind::From {
                    x,
                    call: e,
                    receiver: obj,
                    arg,
                    arg_expr,
                },
                file,
                span,
            );
            return true;
        }
        match ctx.api(file, *callee) {
            Some(api @ (Api::BindWorker | Api::RpcWorkerBind)) => {
                if let Some(t) = args.first().and_then(|a| ctx.resource_of(file, *a, env)) {
                    let span = ctx.span(file, e);
                    self.push(EvKind::ServiceBind { target: t, api }, file, span);
                }
                true
            }
            Some(Api::ConsumeQueueMessages) => {
                if let Some(q) = args.first().and_then(|a| self.queue_of(file, *a, env)) {
                    let span = ctx.span(file, e);
                    self.push(
                        EvKind::Consumes {
                            queue: q,
                            worker: None,
                        },
                        file,
                        span,
                    );
                }
                for a in args.iter().skip(1) {
                    self.visit(file, *a, env);
                }
                true
            }
            Some(Api::QueueConsumer) => {
                let props = args.get(1).and_then(|p| ctx.object_literal(file, *p));
                let field = |key: &str| props.and_then(|o| ctx.prop(file, o, key)).map(|p| p.value);
                let queue = field("queueId").and_then(|v| self.queue_of(file, v, env));
                let worker = field("scriptName")
                    .and_then(|v| ctx.resource_value(file, v, env))
                    .filter(|w| ctx.res.get(*w).kind == super::graph::ResourceKind::Worker);
                if let (Some(q), Some(w)) = (queue, worker) {
                    let span = ctx.span(file, e);
                    self.push(
                        EvKind::Consumes {
                            queue: q,
                            worker: Some(w),
                        },
                        file,
                        span,
                    );
                }
                true
            }
            Some(
                api @ (Api::ContainerBind | Api::BindContainer | Api::LayerContainer | Api::ContainersLayer),
            ) => {
                if let Some(c) = args.first().and_then(|a| ctx.resource_of(file, *a, env)) {
                    let span = ctx.span(file, e);
                    self.push(EvKind::ContainerBind { container: c, api }, file, span);
                }
                true
            }
            _ => false,
        }
    }

    /// The Queue a value names (the resource, a local holding `yield*` of it, `q.queueId`).
    fn queue_of(&self, file: FileId, e: ExprId, env: &Env<'a>) -> Option<usize> {
        let q = self.ctx.resource_value(file, e, env)?;
        (self.ctx.res.get(q).kind == super::graph::ResourceKind::Queue).then_some(q)
    }

    /// `Alchemy.renamedFrom(…)` / `Alchemy.RemovalPolicy.retain(…)` in a resource's `.pipe(…)`.
    fn decoration(&mut self, file: FileId, p: ExprId, target: usize, env: &Env<'a>) {
        let ctx = self.ctx;
        let Some(Expr::Call { callee, args, .. }) = ctx.kind(file, p) else {
            return;
        };
        match ctx.api(file, *callee) {
            Some(Api::RenamedFrom) => {
                let ids: Vec<(String, Span)> = args
                    .iter()
                    .filter_map(|a| match ctx.kind(file, *a) {
                        Some(Expr::Str { value }) => Some((value.clone(), ctx.span(file, *a))),
                        // `{ fqn: "Ns/Old" }`: the former id is the last path segment's row
                        Some(Expr::Object { .. }) => {
                            let fqn = ctx.prop(file, *a, "fqn")?;
                            let v = ctx.str_value(file, fqn.value)?;
                            Some((v.to_string(), ctx.span(file, *a)))
                        }
                        _ => None,
                    })
                    .collect();
                let span = ctx.span(file, p);
                self.push(EvKind::RenamedFrom { target, ids }, file, span);
            }
            Some(Api::RemovalRetain) => {
                // reported at the condition, when there is one
                let span = args
                    .first()
                    .map(|a| ctx.span(file, *a))
                    .unwrap_or(ctx.span(file, p));
                let (effect, enabled) = match args.first() {
                    None => (false, true),
                    Some(a) => match ctx.kind(file, *a) {
                        Some(Expr::Other { .. }) if ctx.text(file, ctx.span(file, *a)) == "false" => {
                            (false, false)
                        }
                        _ => (ctx.is_effect_value(file, *a, env), true),
                    },
                };
                self.push(
                    EvKind::Retain {
                        target,
                        effect,
                        enabled,
                    },
                    file,
                    span,
                );
            }
            _ => {}
        }
    }

    fn arg_of_from(&self, file: FileId, a: ExprId, env: &Env<'a>) -> FromArg {
        let ctx = self.ctx;
        if let Some(r) = ctx.resource_value(file, a, env)
            && ctx.res.get(r).form == Form::WorkerRef
        {
            return FromArg::Ref(r);
        }
        match ctx.kind(file, a) {
            Some(Expr::Str { value }) => FromArg::Str(value.clone()),
            Some(Expr::Ident { .. } | Expr::Member { .. }) => {
                if let Some(r) = ctx.resource_of(file, a, env) {
                    return FromArg::Res(r);
                }
                if let Some(x) = ctx.live_of(file, a, env) {
                    return FromArg::Live(x);
                }
                match ctx.sym_of(file, a, env) {
                    Some(super::symbols::Sym::Unresolved { .. }) => FromArg::Unresolved,
                    _ => FromArg::NonLiteral,
                }
            }
            _ => FromArg::NonLiteral,
        }
    }

    fn yield_star(&mut self, file: FileId, a: ExprId, env: &Env<'a>) {
        let ctx = self.ctx;
        // `yield* X.from(H).pipe(…)` / `yield* X.pipe(…)`
        if let Some((obj, "pipe", pargs)) = ctx.member_call(file, a)
            && (ctx.resource_of(file, obj, env).is_some()
                || ctx.member_call(file, obj).is_some_and(|c| c.1 == "from"))
        {
            self.yield_star(file, obj, env);
            for p in pargs {
                self.pipe_arg(file, *p, env);
            }
            if let Some(target) = ctx.resource_of(file, obj, env) {
                for p in pargs {
                    self.decoration(file, *p, target, env);
                }
            }
            return;
        }
        if let Some(r) = ctx.resource_of(file, a, env) {
            let info = ctx.res.get(r);
            if info.form.is_inline_hostable() {
                self.host_transitively(r);
            }
            let span = ctx.span(file, a);
            self.push(EvKind::Yield { target: r }, file, span);
            // `const A = Api.pipe(Alchemy.renamedFrom(…))` … `yield* A`
            if let Some((f2, init, local)) = ctx.const_init(file, a, env)
                && let Some((_, "pipe", pargs)) = ctx.member_call(f2, init)
            {
                let env2 = if local { env.clone() } else { Env::default() };
                for p in pargs {
                    self.decoration(f2, *p, r, &env2);
                }
            }
            return;
        }
        if self.special_call(file, a, env) {
            return;
        }
        if !self.walk_effect(file, a, env) {
            self.visit(file, a, env);
        }
    }
}

fn is_function(ctx: &Ctx, file: FileId, e: ExprId) -> bool {
    matches!(ctx.kind(file, e), Some(Expr::Function { .. }))
}
