//! The rule catalog: every rule's id, default severity, summary, explanation and a bad and a
//! good example. `alchemy-ls rules`, the SARIF rule metadata and `docs/rules.md` all come from
//! here (a test keeps `docs/rules.md` in sync with [`rules_markdown`]).

use crate::analysis::Severity;

/// Documentation of one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable id, e.g. `from-non-host`.
    pub id: &'static str,
    pub default_severity: Severity,
    /// One line, shown by `alchemy-ls rules`.
    pub summary: &'static str,
    /// A few plain sentences: when the rule reports and when it does not.
    pub description: &'static str,
    /// TypeScript that triggers the rule.
    pub bad: &'static str,
    /// The corrected code.
    pub good: &'static str,
}

/// Where the rules are documented; a rule's anchor is its id.
pub const DOCS_URL: &str = "https://github.com/alchemy-ls/alchemy-ls/blob/main/docs/rules.md";

/// The documentation URL of one rule.
pub fn help_uri(id: &str) -> String {
    format!("{DOCS_URL}#{id}")
}

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == id)
}

/// Every rule, in catalog order.
pub const RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "from-non-host",
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
    },
    RuleMeta {
        id: "host-without-runtime",
        default_severity: Severity::Error,
        summary: "a DO is published or bound locally but its runtime is not provided",
        description: "A Worker that lists a modular Durable Object in its Deps, or binds it locally with \
`yield* Counter`, must also provide the Durable Object's runtime layer (`CounterLive`, the result of \
`Counter.make(...)`) in its implementation; otherwise its script does not contain the class and every \
binding to it fails at deploy. Also reported: a Durable Object layer provided to a stack instead of to the \
Worker that hosts it, and an `env` descriptor without `scriptName` whose Worker's `main` exports no such \
class. Inline Durable Objects and Workflows (hosted by `yield*`) never need a layer.",
        bad: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}

export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.succeed(new Response("ok")) };
  }),
);"#,
        good: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}

export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.succeed(new Response("ok")) };
  }).pipe(Effect.provide(CounterLive)),
);"#,
    },
    RuleMeta {
        id: "worker-live-not-provided",
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
    },
    RuleMeta {
        id: "duplicate-host",
        default_severity: Severity::Warning,
        summary: "two Workers host the same DO or Workflow",
        description: "When two Workers of one stack both host the same Durable Object, each gets its own \
namespace, so state written through one is invisible to the other; a Workflow hosted twice is bound to the \
first script only. Share a modular Durable Object by hosting it in one Worker and binding it with \
`Counter.from(WorkerA)` elsewhere. A Worker binding the class only with `Counter.from(Self)` (an isolated \
namespace on purpose) is not counted.",
        bad: r#"// workerA.ts
export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.succeed(new Response("a")) };
  }).pipe(Effect.provide(CounterLive)),
);

// workerC.ts
export default WorkerC.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.succeed(new Response("c")) };
  }).pipe(Effect.provide(CounterLive)),
);"#,
        good: r#"// workerC.ts: bind the namespace WorkerA hosts
export default WorkerC.make(
  Effect.gen(function* () {
    const counters = yield* Counter.from(WorkerA);
    return { fetch: Effect.succeed(new Response("c")) };
  }),
);"#,
    },
    RuleMeta {
        id: "consumer-bundles-runtime",
        default_severity: Severity::Warning,
        summary: "a consumer binds a DO remotely but also bundles its runtime",
        description: "A Worker that binds a Durable Object hosted elsewhere (`Counter.from(WorkerA)`) \
does not need its runtime layer. Providing `CounterLive` as well makes its script bundle and export its own, \
unused copy of the class: a second, empty namespace. The binding still reaches the host. An import of the \
layer that is never provided is not reported.",
        bad: r#"export default class WorkerB extends Cloudflare.Worker<WorkerB>()(
  "WorkerB",
  { main: import.meta.filename },
  Effect.gen(function* () {
    const counters = yield* Counter.from(WorkerA);
    return { fetch: Effect.succeed(new Response("b")) };
  }).pipe(Effect.provide(CounterLive)),
) {}"#,
        good: r#"export default class WorkerB extends Cloudflare.Worker<WorkerB>()(
  "WorkerB",
  { main: import.meta.filename },
  Effect.gen(function* () {
    const counters = yield* Counter.from(WorkerA);
    return { fetch: Effect.succeed(new Response("b")) };
  }),
) {}"#,
    },
    RuleMeta {
        id: "duplicate-binding",
        default_severity: Severity::Error,
        summary: "one Worker binds the same DO to two different scripts",
        description: "A Durable Object binding is named after the Durable Object, and when a Worker \
registers two bindings with one name the last one wins. Binding one Durable Object to two different \
scripts (or locally and remotely) in one Worker therefore makes both handles reach the same script. Keep \
one binding. Binding the same target twice is fine.",
        bad: r#"Effect.gen(function* () {
  const a = yield* Counter.from(WorkerA);
  const c = yield* Counter.from(WorkerC);
  return { fetch: Effect.succeed(new Response("d")) };
})"#,
        good: r#"Effect.gen(function* () {
  const a = yield* Counter.from(WorkerA);
  return { fetch: Effect.succeed(new Response("d")) };
})"#,
    },
    RuleMeta {
        id: "not-bindable",
        default_severity: Severity::Error,
        summary: "a value that cannot be bound, or not at this place",
        description: "Reports bindings that cannot work: `.from` or `.make` on a resource that has none \
(inline Durable Objects, Workflows, inline Workers), calling them on a runtime layer instead of the class, \
`Counter.from(...)` with something other than a Worker, `bindWorker`/`RpcWorker.bind` with something other \
than a Worker, `SomeWorker.bind(...)` (that is JavaScript's `Function.prototype.bind`), a container binding \
outside a Durable Object's outer init, `yield*` of a Durable Object or Workflow class or `X.from(...)` \
directly in a stack, and an RPC Durable Object descriptor with `scriptName` (dropped at run time).",
        bad: r#"// object.ts: export default Counter.make(...)
import Counter from "./object.ts";

const counters = yield* Counter.from(WorkerA);"#,
        good: r#"import { Counter } from "./object.ts";

const counters = yield* Counter.from(WorkerA);"#,
    },
    RuleMeta {
        id: "from-string-literal",
        default_severity: Severity::Warning,
        summary: "`.from(\"name\")` binds by physical script name",
        description: "`Counter.from(\"worker-a\")` (or `scriptName: \"worker-a\"`) binds by the physical \
script name, which is `<stack>-<id>-<stage>-<suffix>` unless the Worker sets `name`, so it rarely matches, \
and it adds no deploy ordering. Pass the Worker class instead. Non-literal names such as `h.workerName` are \
not reported.",
        bad: r#"const counters = yield* Counter.from("WorkerA");"#,
        good: r#"import { WorkerA } from "./workerA.ts";

const counters = yield* Counter.from(WorkerA);"#,
    },
    RuleMeta {
        id: "self-type-mismatch",
        default_severity: Severity::Error,
        summary: "the factory's type arguments do not fit the class",
        description: "The first type argument of a class factory must be the class itself. Also reported: a \
modular Durable Object with only one type argument (it needs `<Self, Shape>`), an inline Worker class with \
three type arguments, `RpcWorker<W, {}, X>` (an RpcWorker's Deps are its second slot), and a Durable Object \
class in the Shape slot of `Worker<Self, Shape, Deps>`. TypeScript either says nothing or reports the \
mistake far away, at `.from` or `.make`.",
        bad: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}"#,
        good: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}"#,
    },
    RuleMeta {
        id: "duplicate-name",
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
    },
    RuleMeta {
        id: "invalid-export-name",
        default_severity: Severity::Error,
        summary: "a DO/Workflow name is not a valid exported class name",
        description: "The name of a Durable Object or Workflow becomes the name of a class exported by the \
generated Worker entry (`export class <name> ...`). A name that is not a JavaScript identifier, is a \
reserved word, or clashes with a name the entry declares (such as `Effect` or `env`) makes bundling fail. \
Worker ids and non-literal names are not checked.",
        bad: r#"export class Counter extends Cloudflare.DurableObjectNamespace<Counter, {
  increment: () => Effect.Effect<number>;
}>()("my-counter") {}"#,
        good: r#"export class Counter extends Cloudflare.DurableObjectNamespace<Counter, {
  increment: () => Effect.Effect<number>;
}>()("MyCounter") {}"#,
    },
    RuleMeta {
        id: "deps-too-wide",
        default_severity: Severity::Warning,
        summary: "Deps is `any`/`unknown`/`{}`/tuple/`typeof`, so `.from` goes unchecked",
        description: "With Deps `any`, `unknown`, `object` or `{}` every `X.from(WorkerA)` type-checks, even \
for classes WorkerA does not host. A tuple `[A, B]`, an array `A[]` or `typeof A` is rejected by TypeScript \
with misleading errors at every `.from`. List the hosted classes as a union (`Counter | Other`), or `never`. \
RPC Durable Object classes in Deps are fine.",
        bad: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, {}, [Counter, Other]>()("WorkerA", {
  main: import.meta.filename,
}) {}"#,
        good: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter | Other>()("WorkerA", {
  main: import.meta.filename,
}) {}"#,
    },
    RuleMeta {
        id: "main-missing-default-export",
        default_severity: Severity::Error,
        summary: "the `main` file lacks the default export the bundle needs",
        description: "The bundle of a Worker or Container imports the default export of its `main` file as \
its entry. Reported when that file is missing, has no default export, has two, or exports something other \
than this resource's runtime (for a modular Worker its layer, `WorkerA.make(...)`; for an inline Worker class \
the class). TypeScript is silent; bundling fails. `main` values that are not static, and Vite sites, are not \
checked.",
        bad: r#"// src/workerA.ts
export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}

export const WorkerALive = WorkerA.make(Effect.gen(function* () {
  return { fetch: Effect.succeed(new Response("ok")) };
}));"#,
        good: r#"// src/workerA.ts
export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}

export const WorkerALive = WorkerA.make(Effect.gen(function* () {
  return { fetch: Effect.succeed(new Response("ok")) };
}));
export default WorkerALive;"#,
    },
    RuleMeta {
        id: "unknown-rpc-method",
        default_severity: Severity::Error,
        summary: "a method call not in the DO/Worker Shape",
        description: "A call on a Durable Object stub (`counters.getByName(name).decrement()`) or a service \
binding to a method its Shape does not declare. Also reported: `idFromName`, `idFromString`, \
`newUniqueId`, `get` and `jurisdiction` on a namespace, which are typed but not implemented by Alchemy's \
runtime (use `getByName`). Calls are not checked when the Shape cannot be fully resolved; `fetch` is always \
allowed.",
        bad: r#"const counters = yield* Counter.from(WorkerA);
const n = yield* counters.getByName("global").decrement();"#,
        good: r#"const counters = yield* Counter.from(WorkerA);
const n = yield* counters.getByName("global").increment();"#,
    },
    RuleMeta {
        id: "container-multiple-namespaces",
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
    },
    RuleMeta {
        id: "deprecated-api",
        default_severity: Severity::Warning,
        summary: "stale API name or form for the installed version",
        description: "Reports API names and forms that the installed Alchemy version no longer (or not yet) \
has: `bindings:` in Worker props (now `env`), `toPromiseApi` (now `toRpcAsync`), the old Workflow body, \
`DurableObjectNamespace` versus `DurableObject` and `RpcDurableObjectNamespace` versus `RpcDurableObject`, \
props in the class call versus in `.make(props, impl)`, `Container.bind`/`bindContainer` versus container \
layers, and `Cloudflare.Vite` versus `Cloudflare.Website.Vite`. The version is read from \
`node_modules/alchemy/package.json` or the nearest `package.json`; version checks are skipped when it is \
unknown.",
        bad: r#"export default Cloudflare.Worker(
  "Api",
  { main: import.meta.filename, bindings: { Bucket } },
  Effect.gen(function* () {
    return { fetch: Effect.succeed(new Response("ok")) };
  }),
);"#,
        good: r#"export default Cloudflare.Worker(
  "Api",
  { main: import.meta.filename, env: { Bucket } },
  Effect.gen(function* () {
    return { fetch: Effect.succeed(new Response("ok")) };
  }),
);"#,
    },
    RuleMeta {
        id: "unresolved-import",
        default_severity: Severity::Info,
        summary: "an import the analysis needs cannot be resolved",
        description: "An import or re-export that an Alchemy construct needs (a Deps type, a `.from` \
receiver or argument, a `yield*` operand, a provided layer, an `env` value) cannot be resolved to a \
workspace source file: the module is not found, only type declarations or a non-workspace package exist, \
or the name is not exported. Relations through it are not checked, so other rules stay silent there. \
Reported once per import declaration. Alchemy itself, `effect`, `@effect/*`, `cloudflare:*`, `node:*`, \
Node built-ins and `@cloudflare/*` are never reported.",
        bad: r#"// no workspace package, tsconfig path or file matches "@acme/backend"
import { Backend } from "@acme/backend";

const counters = yield* Counter.from(Backend);"#,
        good: r#"// package.json: "workspaces": ["packages/*"], with packages/backend named @acme/backend
import { Backend } from "@acme/backend";

const counters = yield* Counter.from(Backend);"#,
    },
];

/// `docs/rules.md`, generated from [`RULES`].
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Rules\n\n\
<!-- Generated from server/src/catalog.rs by `UPDATE_DOCS=1 cargo test -p alchemy-ls --test cli_docs`; \
do not edit by hand. -->\n\n\
Every rule `alchemy-ls` reports, with its default severity. Change a severity or turn a rule off in \
`alchemy-ls.toml` (`[rules]`, e.g. `deps-too-wide = \"error\"` or `\"off\"`); `alchemy-ls rules <id>` \
prints the same explanation in the terminal.\n\n\
| Rule | Default | Summary |\n|---|---|---|\n",
    );
    for r in RULES {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {} |\n",
            r.id,
            r.id,
            r.default_severity.as_str(),
            r.summary.replace('|', "\\|")
        ));
    }
    for r in RULES {
        out.push_str(&format!(
            "\n## {}\n\n**Default severity:** {}. {}\n\n{}\n\n**Bad**\n\n```ts\n{}\n```\n\n**Good**\n\n```ts\n{}\n```\n",
            r.id,
            r.default_severity.as_str(),
            upper_first(r.summary),
            r.description,
            r.bad,
            r.good
        ));
    }
    out
}

/// `Text` → `Text`, `a DO` → `A DO`; leaves a leading backtick alone.
fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                r.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                r.id
            );
            assert!(!r.summary.is_empty() && !r.description.is_empty());
            assert!(
                !r.bad.is_empty() && !r.good.is_empty() && r.bad != r.good,
                "{}",
                r.id
            );
            // descriptions are for users: no internal labels or source paths
            assert!(!r.description.contains("packages/alchemy/src"), "{}", r.id);
            assert!(
                !r.description.contains(" M1") && !r.description.contains("§"),
                "{}",
                r.id
            );
        }
        assert_eq!(RULES.len(), 17);
    }

    #[test]
    fn lookup() {
        assert_eq!(rule("from-non-host").unwrap().default_severity, Severity::Error);
        assert_eq!(
            rule("unresolved-import").unwrap().default_severity,
            Severity::Info
        );
        assert!(rule("nope").is_none());
        assert_eq!(
            help_uri("deps-too-wide"),
            "https://github.com/alchemy-ls/alchemy-ls/blob/main/docs/rules.md#deps-too-wide"
        );
    }
}
