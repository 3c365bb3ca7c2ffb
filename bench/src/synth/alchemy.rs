//! The Alchemy part of an app: Durable Objects, Workers of every form, the stack, and the
//! package and tsconfig files around them. Syntax follows examples/cross-worker and
//! docs/alchemy-model.md, "Resources" (G1 = `alchemy@2.0.0-beta.49`, G2 = `2.0.0-beta.58`).

use std::fmt::Write as _;
use std::io;

use super::Out;
use super::plan::{AppPlan, DoPlan, Generation, Via, WorkerForm, WorkerPlan, app_dir};

pub const TSCONFIG_BASE: &str = r#"{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2022", "DOM"],
    "module": "Preserve",
    "moduleResolution": "bundler",
    "allowImportingTsExtensions": true,
    "verbatimModuleSyntax": true,
    "jsx": "react-jsx",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true
  }
}
"#;

/// A local variable name for a class name: `RateLimiter` → `rateLimiter`.
fn var(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Writes the app's files; returns how many TypeScript files it wrote.
pub fn write_app(out: &mut Out, p: &AppPlan) -> io::Result<usize> {
    let alchemy = match p.generation {
        Generation::G1 => "2.0.0-beta.49",
        Generation::G2 => "2.0.0-beta.58",
    };
    let pkg_index = p.index / 5;
    out.write(
        &format!("{}/package.json", p.dir),
        &format!(
            "{{\n  \"name\": \"@bench/app-{:03}\",\n  \"private\": true,\n  \"type\": \"module\",\n  \
             \"dependencies\": {{\n    \"alchemy\": \"{alchemy}\",\n    \"effect\": \"4.0.0-rc.117\",\n    \
             \"@bench/pkg-{pkg_index:02}\": \"workspace:*\"\n  }}\n}}\n",
            p.index
        ),
    )?;
    out.write(
        &format!("{}/tsconfig.json", p.dir),
        "{\n  \"extends\": \"../../tsconfig.base.json\",\n  \"include\": [\"src\", \"alchemy.run.ts\"]\n}\n",
    )?;
    let mut n = 0;
    for (d, o) in p.dos.iter().enumerate() {
        out.write(&p.do_file(d), &do_source(p, o))?;
        n += 1;
    }
    for j in 0..p.workers.len() {
        out.write(&p.worker_file(j), &worker_source(p, j))?;
        n += 1;
    }
    out.write(&format!("{}/alchemy.run.ts", p.dir), &stack_source(p))?;
    Ok(n + 1)
}

fn do_source(p: &AppPlan, o: &DoPlan) -> String {
    let (m0, m1) = (&o.methods.0, &o.methods.1);
    let name = &o.name;
    if o.modular {
        format!(
            r#"import type {{ RuntimeContext }} from "alchemy";
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";

/** {name}: per-key state of app {app}, hosted by one Worker and bound by others. */
export class {name} extends Cloudflare.DurableObjectNamespace<{name}, {{
  {m0}: (amount: number) => Effect.Effect<number, never, RuntimeContext>;
  {m1}: () => Effect.Effect<number, never, RuntimeContext>;
}}>()("{name}") {{}}

export default {name}.make(
  Effect.gen(function* () {{
    return Effect.gen(function* () {{
      let value = 0;
      return {{
        {m0}: (amount: number) => Effect.sync(() => (value += amount)),
        {m1}: () => Effect.succeed(value),
      }};
    }});
  }}),
);
"#,
            app = p.stack_name()
        )
    } else {
        format!(
            r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";

// An inline Durable Object: hosted by the Worker that yields it.
export class {name} extends Cloudflare.DurableObjectNamespace<{name}>()(
  "{name}",
  Effect.gen(function* () {{
    return Effect.gen(function* () {{
      const members = new Set<string>();
      return {{
        {m0}: (id: string) => Effect.sync(() => members.add(id).size),
        {m1}: () => Effect.succeed(members.size),
      }};
    }});
  }}),
) {{}}
"#
        )
    }
}

/// The init-phase body shared by every form: yields, bindings, and the fetch handler.
fn init_body(p: &AppPlan, w: &WorkerPlan, indent: &str) -> String {
    let mut s = String::new();
    let mut calls = Vec::new();
    for &d in w.hosts_modular.iter().chain(&w.hosts_inline) {
        let o = &p.dos[d];
        let _ = writeln!(s, "{indent}const {} = yield* {};", var(&o.name), o.name);
        calls.push(format!("{}.getByName(key).{}(1)", var(&o.name), o.methods.0));
    }
    if let Some(b) = &w.binds {
        let o = &p.dos[b.do_index];
        let arg = match &b.via {
            Via::Worker(_) => b.host_name.clone(),
            Via::Literal(s) => format!("\"{s}\""),
        };
        let _ = writeln!(
            s,
            "{indent}const {} = yield* {}.from({arg});",
            var(&o.name),
            o.name
        );
        calls.push(format!("{}.getByName(key).{}()", var(&o.name), b.method));
    }
    let _ = writeln!(s, "{indent}return {{");
    let _ = writeln!(s, "{indent}  fetch: Effect.gen(function* () {{");
    let _ = writeln!(s, "{indent}    const key = \"{}\";", var(&w.name));
    for (i, c) in calls.iter().enumerate() {
        let _ = writeln!(s, "{indent}    const r{i} = yield* {c};");
    }
    let parts: Vec<String> = (0..calls.len()).map(|i| format!("${{r{i}}}")).collect();
    let _ = writeln!(
        s,
        "{indent}    return new Response(`{}: {}`);",
        w.name,
        parts.join(" ")
    );
    let _ = writeln!(s, "{indent}  }}),");
    let _ = writeln!(s, "{indent}}};");
    s
}

fn lives(p: &AppPlan, w: &WorkerPlan) -> Vec<String> {
    w.hosts_modular
        .iter()
        .map(|&d| format!("{}Live", p.dos[d].name))
        .collect()
}

fn provide_suffix(lives: &[String]) -> String {
    match lives {
        [] => String::new(),
        [one] => format!(".pipe(Effect.provide({one}))"),
        many => format!(".pipe(Effect.provide(Layer.mergeAll({})))", many.join(", ")),
    }
}

fn worker_source(p: &AppPlan, j: usize) -> String {
    let w = &p.workers[j];
    let name = &w.name;
    let mut s = String::new();
    s.push_str(
        "import * as Cloudflare from \"alchemy/Cloudflare\";\nimport * as Effect from \"effect/Effect\";\n",
    );
    let lives = lives(p, w);
    if lives.len() > 1 {
        s.push_str("import * as Layer from \"effect/Layer\";\n");
    }
    if w.form == WorkerForm::Rpc {
        s.push_str("import * as Schema from \"effect/Schema\";\nimport { Rpc, RpcGroup } from \"effect/unstable/rpc\";\n");
    }
    for &d in &w.hosts_modular {
        let o = &p.dos[d];
        let _ = writeln!(s, "import {0}Live, {{ {0} }} from \"../objects/{0}.ts\";", o.name);
    }
    for &d in &w.hosts_inline {
        let _ = writeln!(s, "import {{ {0} }} from \"../objects/{0}.ts\";", p.dos[d].name);
    }
    if let Some(b) = &w.binds {
        // A DO and host of another app (the same layout) are imported from there.
        let (objects, workers) = match b.app {
            Some(a) => (
                format!("../../../{}/src/objects", app_dir(a).trim_start_matches("apps/")),
                format!("../../../{}/src/workers", app_dir(a).trim_start_matches("apps/")),
            ),
            None => ("../objects".to_string(), ".".to_string()),
        };
        let _ = writeln!(
            s,
            "import {{ {0} }} from \"{objects}/{0}.ts\";",
            p.dos[b.do_index].name
        );
        if let Via::Worker(h) = b.via {
            let hw = &p.workers[h];
            // (the same form in every app: the layout is the app's index-free plan)
            if hw.form.is_modular() {
                let _ = writeln!(s, "import {{ {0} }} from \"{workers}/{0}.ts\";", b.host_name);
            } else {
                let _ = writeln!(s, "import {0} from \"{workers}/{0}.ts\";", b.host_name);
            }
        }
    }
    s.push('\n');
    let deps: Vec<&str> = w.hosts_modular.iter().map(|&d| p.dos[d].name.as_str()).collect();
    let g2 = p.generation == Generation::G2;
    match w.form {
        WorkerForm::Modular => {
            let targs = if deps.is_empty() {
                name.clone()
            } else {
                format!("{name}, {{}}, {}", deps.join(" | "))
            };
            let props = if g2 {
                ""
            } else {
                "\n  { main: import.meta.filename },"
            };
            let _ = writeln!(
                s,
                "export class {name} extends Cloudflare.Worker<{targs}>()(\n  \"{name}\",{props}\n) {{}}\n"
            );
            write_make(&mut s, name, g2, &init_body(p, w, "    "), &lives);
        }
        WorkerForm::Rpc => {
            let deps = if deps.is_empty() {
                "never".to_string()
            } else {
                deps.join(" | ")
            };
            let _ = writeln!(
                s,
                "export class {name}Rpcs extends RpcGroup.make(\n  Rpc.make(\"lookup\", {{ payload: {{ key: Schema.String }}, success: Schema.Number }}),\n) {{}}\n"
            );
            let props = if g2 {
                format!("{{ schema: {name}Rpcs }}")
            } else {
                format!("{{ main: import.meta.filename, schema: {name}Rpcs }}")
            };
            let _ = writeln!(
                s,
                "export class {name} extends Cloudflare.RpcWorker<{name}, {deps}>()(\"{name}\", {props}) {{}}\n"
            );
            write_make(&mut s, name, g2, &init_body(p, w, "    "), &lives);
        }
        WorkerForm::Inline => {
            let _ = write!(
                s,
                "export default class {name} extends Cloudflare.Worker<{name}>()(\n  \"{name}\",\n  \
                 {{ main: import.meta.filename }},\n  Effect.gen(function* () {{\n{}  }}),\n) {{}}\n",
                init_body(p, w, "    ")
            );
        }
        WorkerForm::Value => {
            let _ = write!(
                s,
                "export default Cloudflare.Worker(\n  \"{name}\",\n  {{ main: import.meta.filename }},\n  \
                 Effect.gen(function* () {{\n{}  }}),\n);\n",
                init_body(p, w, "    ")
            );
        }
    }
    s
}

fn stack_source(p: &AppPlan) -> String {
    let mut s = String::from(
        "import * as Alchemy from \"alchemy\";\nimport * as Cloudflare from \"alchemy/Cloudflare\";\n\
         import * as Effect from \"effect/Effect\";\nimport * as Layer from \"effect/Layer\";\n",
    );
    let mut provided = Vec::new();
    for (j, w) in p.workers.iter().enumerate() {
        let name = &w.name;
        if w.form.is_modular() {
            if p.live_omitted(j) {
                let _ = writeln!(s, "import {{ {name} }} from \"./src/workers/{name}.ts\";");
            } else {
                let _ = writeln!(
                    s,
                    "import {name}Live, {{ {name} }} from \"./src/workers/{name}.ts\";"
                );
                provided.push(format!("{name}Live"));
            }
        } else {
            let _ = writeln!(s, "import {name} from \"./src/workers/{name}.ts\";");
        }
    }
    let _ = write!(
        s,
        "\nexport default Alchemy.Stack(\n  \"{}\",\n  {{ state: Cloudflare.state(), providers: Cloudflare.providers() }},\n  \
         Effect.gen(function* () {{\n",
        p.stack_name()
    );
    for w in &p.workers {
        let _ = writeln!(s, "    const {} = yield* {};", var(&w.name), w.name);
    }
    let urls: Vec<String> = p
        .workers
        .iter()
        .map(|w| format!("{0}: {0}.url.as<string>()", var(&w.name)))
        .collect();
    let _ = writeln!(s, "    return {{ {} }};", urls.join(", "));
    let _ = write!(
        s,
        "  }}).pipe(Effect.provide(Layer.mergeAll({}))),\n);\n",
        provided.join(", ")
    );
    s
}

/// `export default X.make(<G2: props,> Effect.gen(function* () { body })<provide>);`, shared by
/// the modular and RPC Worker forms.
fn write_make(s: &mut String, name: &str, g2: bool, body: &str, lives: &[String]) {
    let make_props = if g2 {
        "\n  { main: import.meta.filename },"
    } else {
        ""
    };
    let _ = write!(
        s,
        "export default {name}.make({make_props}\n  Effect.gen(function* () {{\n{body}  }}){},\n);\n",
        provide_suffix(lives)
    );
}
