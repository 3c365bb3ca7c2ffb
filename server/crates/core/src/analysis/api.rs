//! Recognising Alchemy's API members and Effect's combinators through import bindings.

use alchemy_grammar::{Expr, ExprId};

use super::symbols::{Sym, Symbols};
use crate::workspace::FileId;

/// An Alchemy API member, identified by the name it is exported under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Api {
    Worker,
    RpcWorker,
    /// `Vite`, `StaticSite`, `Website.*` (W7).
    Site,
    /// `DurableObjectNamespace` (old name) / `DurableObject` (new name).
    DurableObject {
        new_name: bool,
    },
    RpcDurableObject {
        new_name: bool,
    },
    Workflow,
    Container,
    Stack,
    /// `bindWorker(W)`
    BindWorker,
    /// `RpcWorker.bind(W)`
    RpcWorkerBind,
    /// `Container.bind(S)` (G1)
    ContainerBind,
    /// `bindContainer(S)` (G1)
    BindContainer,
    /// `layerContainer(S, …)` (.58)
    LayerContainer,
    /// `Containers.layer(S, …)` / root `layer` (≥ .59)
    ContainersLayer,
    /// `Worker.bind(…)`: `Function.prototype.bind`, a trap.
    FunctionBind,
    ToRpcAsync,
    ToPromiseApi,
    /// `WorkerEntrypoint(target, name | { entrypoint, props })` in `env` (≥ beta.69).
    WorkerEntrypoint,
    /// `Cloudflare.Self` in `env`: a service binding to the Worker itself.
    SelfBinding,
    /// `Worker.ref(id, { stack?, stage? })`: a Worker deployed elsewhere.
    WorkerRef,
    /// `Alchemy.renamedFrom("Old", …)` (≥ beta.69; from the root module).
    RenamedFrom,
    /// `Alchemy.RemovalPolicy.retain(…)` (from the root module).
    RemovalRetain,
    /// `Queues.Queue(id, props?)`.
    Queue,
    /// `Queues.Consumer(id, { queueId, scriptName })`.
    QueueConsumer,
    /// `Queues.consumeQueueMessages(queue, props?, handler)` in a Worker's init.
    ConsumeQueueMessages,
    /// `R2.Bucket(id, props?)` / `R2Bucket`.
    R2Bucket,
    /// `D1.Database(id, props?)` / `D1Database`.
    D1Database,
    Other,
}

/// An Effect module object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectMod {
    Effect,
    Layer,
}

pub fn is_alchemy_module(packages: &[String], specifier: &str) -> bool {
    crate::config::is_package_specifier(packages, specifier)
}

pub fn classify(name: &str) -> Api {
    let segs: Vec<&str> = name.split('.').collect();
    let last = *segs.last().unwrap_or(&"");
    let parent = if segs.len() >= 2 {
        Some(segs[segs.len() - 2])
    } else {
        None
    };
    match (parent, last) {
        (Some("Worker"), "ref") => Api::WorkerRef,
        (_, "WorkerEntrypoint") => Api::WorkerEntrypoint,
        (_, "Self") => Api::SelfBinding,
        (_, "renamedFrom") => Api::RenamedFrom,
        (Some("RemovalPolicy"), "retain") => Api::RemovalRetain,
        (Some("Queues"), "Queue") => Api::Queue,
        (Some("Queues"), "Consumer") => Api::QueueConsumer,
        (_, "consumeQueueMessages") => Api::ConsumeQueueMessages,
        (Some("R2"), "Bucket") | (_, "R2Bucket") => Api::R2Bucket,
        (Some("D1"), "Database") | (_, "D1Database") => Api::D1Database,
        (Some("RpcWorker"), "bind") => Api::RpcWorkerBind,
        (Some("Container"), "bind") => Api::ContainerBind,
        (Some("Worker"), "bind") => Api::FunctionBind,
        (Some("Containers") | None, "layer") => Api::ContainersLayer,
        (Some("Website"), _) => Api::Site,
        (_, "Worker") => Api::Worker,
        (_, "RpcWorker") => Api::RpcWorker,
        (_, "Vite" | "StaticSite") => Api::Site,
        (_, "DurableObjectNamespace") => Api::DurableObject { new_name: false },
        (_, "DurableObject") => Api::DurableObject { new_name: true },
        (_, "RpcDurableObjectNamespace") => Api::RpcDurableObject { new_name: false },
        (_, "RpcDurableObject") => Api::RpcDurableObject { new_name: true },
        (_, "Workflow") => Api::Workflow,
        (_, "Container") => Api::Container,
        (_, "Stack") => Api::Stack,
        (_, "bindWorker") => Api::BindWorker,
        (_, "bindContainer") => Api::BindContainer,
        (_, "layerContainer") => Api::LayerContainer,
        (_, "toRpcAsync") => Api::ToRpcAsync,
        (_, "toPromiseApi") => Api::ToPromiseApi,
        _ => Api::Other,
    }
}

/// Packages whose root module *is* the Cloudflare namespace (`import * as Cloudflare from
/// "@alchemy.run/cloudflare"`).
pub const CLOUDFLARE_ROOT_PACKAGES: &[&str] = &["@alchemy.run/cloudflare"];

/// The sub-path of an Alchemy module specifier after its package (`alchemy/Cloudflare/Workers`
/// → `Cloudflare/Workers`; the package root → ``); `index` counts as the root (`@/index`).
fn alchemy_subpath<'m>(packages: &[String], module: &'m str) -> (&'m str, &'m str) {
    let (pkg, sub) = packages
        .iter()
        .filter_map(|p| {
            let rest = module.strip_prefix(p.as_str())?;
            (rest.is_empty() || rest.starts_with('/'))
                .then(|| (&module[..p.len()], rest.trim_start_matches('/')))
        })
        .min_by_key(|(_, rest)| rest.len())
        .unwrap_or(("", ""));
    let sub = match sub {
        "index" | "index.ts" | "index.js" => "",
        s => s,
    };
    (pkg, sub)
}

/// The Alchemy API member an expression (identifier or member chain) names, if any.
/// Cloudflare members come from `<pkg>/Cloudflare` or deeper (or `Cloudflare.*` of the root
/// module; the root of `@alchemy.run/cloudflare`); `Stack`, `renamedFrom` and `RemovalPolicy`
/// from the root module (`<pkg>`, `<pkg>/index`, `<pkg>/Stack`, …). Other Alchemy modules
/// (`alchemy/Drizzle`, …) have their own members with the same names and are not these.
pub fn api_of(syms: &Symbols, packages: &[String], file: FileId, expr: ExprId) -> Option<Api> {
    match syms.resolve_expr(file, expr)? {
        Sym::External { module, name } if is_alchemy_module(packages, &module) => {
            let (pkg, sub) = alchemy_subpath(packages, &module);
            let api = classify(&name);
            let cloudflare = sub == "Cloudflare"
                || sub.starts_with("Cloudflare/")
                || name.starts_with("Cloudflare.")
                || (sub.is_empty() && CLOUDFLARE_ROOT_PACKAGES.contains(&pkg));
            let root = sub.is_empty() && !cloudflare;
            let ok = match api {
                Api::Stack => root || sub == "Stack" || cloudflare,
                Api::RenamedFrom => root || sub == "Rename",
                Api::RemovalRetain => root || sub == "RemovalPolicy",
                Api::Other => false,
                _ => cloudflare,
            };
            ok.then_some(api)
        }
        _ => None,
    }
}

/// Whether `expr` (an identifier or member chain) is Effect's `Effect` or `Layer` module.
pub fn effect_mod(syms: &Symbols, file: FileId, expr: ExprId) -> Option<EffectMod> {
    let facts = syms.facts(file);
    let literal = match &facts.exprs.get(expr as usize)?.kind {
        Expr::Ident { name } => Some(name.as_str()),
        Expr::Member { property, .. } => Some(property.as_str()),
        _ => None,
    };
    match syms.resolve_expr(file, expr) {
        Some(Sym::External { module, name }) if is_effect_module(&module) => match name.as_str() {
            "Effect" => Some(EffectMod::Effect),
            "Layer" => Some(EffectMod::Layer),
            _ => None,
        },
        Some(Sym::ExternalNamespace { module }) => match module.as_str() {
            "effect/Effect" => Some(EffectMod::Effect),
            "effect/Layer" => Some(EffectMod::Layer),
            _ => by_literal(literal),
        },
        // Unknown binding (or none): fall back to the literal names.
        None | Some(Sym::Unresolved { .. }) => by_literal(literal),
        _ => None,
    }
}

fn by_literal(name: Option<&str>) -> Option<EffectMod> {
    match name? {
        "Effect" => Some(EffectMod::Effect),
        "Layer" => Some(EffectMod::Layer),
        _ => None,
    }
}

fn is_effect_module(m: &str) -> bool {
    m == "effect" || m.starts_with("effect/") || m.starts_with("@effect/")
}

/// Modules exempt from `unresolved-import`.
pub fn is_exempt_module(packages: &[String], m: &str) -> bool {
    is_alchemy_module(packages, m)
        || is_effect_module(m)
        || m.starts_with("cloudflare:")
        || m.starts_with("node:")
        || m.starts_with("@cloudflare/")
        || crate::builtins::is_node_builtin(m.split('/').next().unwrap_or(m))
}
