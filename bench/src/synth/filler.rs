//! Unrelated TypeScript: components, utilities, types and Effect services of realistic size
//! (2–20 KB, mean about 7 KB) that never import Alchemy. A few mention "alchemy" in a string
//! or a comment, so that the byte prefilter's false positives are exercised too.

use std::fmt::Write as _;
use std::io;

use super::Out;
use super::Spec;
use super::plan::AppPlan;
use crate::rng::Rng;

const NOUNS: &[&str] = &[
    "user", "order", "invoice", "product", "session", "account", "report", "message", "event", "ticket",
    "project", "team", "comment", "payment", "shipment", "review", "asset", "policy", "metric", "channel",
];
const VERBS: &[&str] = &[
    "format",
    "parse",
    "validate",
    "normalize",
    "merge",
    "sort",
    "group",
    "filter",
    "summarize",
    "render",
    "encode",
    "decode",
    "compare",
    "resolve",
    "schedule",
    "index",
];

#[derive(Clone, Copy)]
enum Kind {
    Component,
    Utility,
    Types,
    Service,
}

fn pascal(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Where the filler files go: about 60 % inside the apps, the rest in shared packages.
pub fn write_all(out: &mut Out, spec: &Spec, plans: &[AppPlan]) -> io::Result<usize> {
    let mut rng = Rng::new(spec.seed ^ 0x00f1_11e4);
    let packages = spec.apps.div_ceil(5).max(1);
    for k in 0..packages {
        out.write(
            &format!("packages/pkg-{k:02}/package.json"),
            &format!(
                "{{\n  \"name\": \"@bench/pkg-{k:02}\",\n  \"private\": true,\n  \"type\": \"module\",\n  \
                 \"exports\": {{ \".\": \"./src/index.ts\" }},\n  \"dependencies\": {{ \"effect\": \"4.0.0-rc.117\" }}\n}}\n"
            ),
        )?;
        out.write(
            &format!("packages/pkg-{k:02}/tsconfig.json"),
            "{\n  \"extends\": \"../../tsconfig.base.json\",\n  \"include\": [\"src\"]\n}\n",
        )?;
    }
    let in_apps = spec.other_files * 6 / 10;
    let mut written = 0;
    // Files per directory, so that later files can import earlier ones.
    let mut dirs: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for n in 0..spec.other_files {
        let dir = if n < in_apps {
            let app = &plans[n % plans.len()];
            let sub = ["ui", "lib", "types", "services"][(n / plans.len()) % 4];
            format!("{}/src/{sub}", app.dir)
        } else {
            format!(
                "packages/pkg-{:02}/src/{}",
                n % packages,
                ["components", "util", "model"][n % 3]
            )
        };
        let kind = match dir.rsplit('/').next().unwrap_or("") {
            "ui" | "components" => Kind::Component,
            "types" | "model" => Kind::Types,
            "services" => Kind::Service,
            _ => Kind::Utility,
        };
        let slot = match dirs.iter().position(|(d, _)| *d == dir) {
            Some(i) => i,
            None => {
                dirs.push((dir.clone(), Vec::new()));
                dirs.len() - 1
            }
        };
        let noun = NOUNS[rng.below(NOUNS.len())];
        let stem = format!("{noun}-{}", dirs[slot].1.len());
        let ext = if matches!(kind, Kind::Component) {
            "tsx"
        } else {
            "ts"
        };
        let export = format!("{}{}", rng.pick(VERBS), pascal(noun)) + &dirs[slot].1.len().to_string();
        // 2 KB .. 20 KB, skewed towards the small end (mean ≈ 7 KB).
        let size = 2_000 + (18_000.0 * rng.unit().powf(2.5)) as usize;
        let import = if dirs[slot].1.is_empty() {
            None
        } else {
            let (s, e) = dirs[slot].1[rng.below(dirs[slot].1.len())].clone();
            Some((s, e))
        };
        let text = file_text(&mut rng, kind, &export, import.as_ref(), size);
        out.write(&format!("{dir}/{stem}.{ext}"), &text)?;
        dirs[slot].1.push((stem, export));
        written += 1;
    }
    // Each package re-exports its first files from an index.
    for k in 0..packages {
        let prefix = format!("packages/pkg-{k:02}/src/");
        let mut index = String::new();
        for (dir, files) in &dirs {
            if let Some(rest) = dir.strip_prefix(&prefix) {
                for (stem, export) in files.iter().take(3) {
                    let ext = if rest == "components" { "tsx" } else { "ts" };
                    let _ = writeln!(index, "export {{ {export} }} from \"./{rest}/{stem}.{ext}\";");
                }
            }
        }
        out.write(&format!("{prefix}index.ts"), &index)?;
        written += 1;
    }
    Ok(written)
}

fn file_text(
    rng: &mut Rng,
    kind: Kind,
    export: &str,
    import: Option<&(String, String)>,
    size: usize,
) -> String {
    let mut s = String::with_capacity(size + 2048);
    match kind {
        Kind::Component => s.push_str("import { useMemo, useState } from \"react\";\n"),
        Kind::Service => s.push_str(
            "import * as Effect from \"effect/Effect\";\nimport * as Schema from \"effect/Schema\";\n",
        ),
        _ => {}
    }
    if let Some((stem, name)) = import {
        let ext = if matches!(kind, Kind::Component) {
            "tsx"
        } else {
            "ts"
        };
        let _ = writeln!(s, "import {{ {name} }} from \"./{stem}.{ext}\";");
    }
    // About 1 in 100 files mentions the deploy tool; 1 in 200 quotes it (prefilter false positive).
    if rng.chance(0.01) {
        s.push_str("// Deployed with alchemy; see the app's alchemy.run.ts.\n");
    }
    if rng.chance(0.005) {
        s.push_str("export const DEPLOY_TOOL = \"alchemy\";\n");
    }
    s.push('\n');
    let _ = write!(
        s,
        "{}",
        main_export(rng, kind, export, import.map(|i| i.1.as_str()))
    );
    let mut n = 0;
    while s.len() < size {
        s.push_str(&chunk(rng, kind, n));
        n += 1;
    }
    s
}

fn main_export(rng: &mut Rng, kind: Kind, export: &str, uses: Option<&str>) -> String {
    let noun = rng.pick(NOUNS);
    let call = uses.map(|u| format!("  void {u};\n")).unwrap_or_default();
    match kind {
        Kind::Component => format!(
            "export interface {export}Props {{\n  readonly items: ReadonlyArray<{{ id: string; label: string; count: number }}>;\n  \
             readonly onSelect?: (id: string) => void;\n}}\n\nexport function {export}(props: {export}Props) {{\n{call}  \
             const [selected, setSelected] = useState<string | null>(null);\n  const total = useMemo(() => props.items.reduce((n, i) => n + i.count, 0), [props.items]);\n  \
             return (\n    <section className=\"{noun}-list\">\n      <h2>{{total}} {noun}s</h2>\n      <ul>\n        \
             {{props.items.map((item) => (\n          <li key={{item.id}} className={{item.id === selected ? \"active\" : \"\"}} onClick={{() => {{ setSelected(item.id); props.onSelect?.(item.id); }}}}>\n            \
             {{item.label}} <span>{{item.count}}</span>\n          </li>\n        ))}}\n      </ul>\n    </section>\n  );\n}}\n\n"
        ),
        Kind::Types => format!(
            "export interface {export} {{\n  readonly id: string;\n  readonly createdAt: Date;\n  readonly {noun}Ids: ReadonlyArray<string>;\n  \
             readonly status: \"active\" | \"archived\" | \"pending\";\n  readonly meta?: Record<string, unknown>;\n}}\n\n\
             export function is{export}(value: unknown): value is {export} {{\n{call}  return typeof value === \"object\" && value !== null && \"id\" in value;\n}}\n\n"
        ),
        Kind::Service => format!(
            "export const {export} = (id: string) =>\n  Effect.gen(function* () {{\n{call}    const raw = yield* Effect.succeed({{ id, kind: \"{noun}\" }});\n    \
             return yield* Schema.decodeUnknown(Schema.Struct({{ id: Schema.String, kind: Schema.String }}))(raw);\n  }});\n\n"
        ),
        Kind::Utility => format!(
            "export function {export}(input: ReadonlyArray<string>, limit = 10): string[] {{\n{call}  const seen = new Set<string>();\n  \
             const out: string[] = [];\n  for (const item of input) {{\n    const key = item.trim().toLowerCase();\n    \
             if (key.length === 0 || seen.has(key)) continue;\n    seen.add(key);\n    out.push(key);\n    if (out.length >= limit) break;\n  }}\n  return out;\n}}\n\n"
        ),
    }
}

fn chunk(rng: &mut Rng, kind: Kind, n: usize) -> String {
    let noun = *rng.pick(NOUNS);
    let verb = *rng.pick(VERBS);
    let ty = pascal(noun);
    let f = format!("{verb}{ty}{n}");
    match (kind, rng.below(5)) {
        (Kind::Component, 0 | 1) => format!(
            "function {ty}Row{n}({{ {noun}, compact }}: {{ {noun}: {{ id: string; title: string; tags: string[] }}; compact?: boolean }}) {{\n  \
             const tags = {noun}.tags.slice(0, compact ? 2 : 6);\n  return (\n    <div className=\"row row-{n}\" data-id={{{noun}.id}}>\n      \
             <strong>{{{noun}.title}}</strong>\n      {{tags.map((t) => <em key={{t}}>{{t}}</em>)}}\n    </div>\n  );\n}}\n\n"
        ),
        (_, 0) => format!(
            "export interface {ty}Record{n} {{\n  id: string;\n  name: string;\n  amount: number;\n  currency: \"USD\" | \"EUR\" | \"GBP\";\n  \
             tags: string[];\n  owner?: {{ id: string; email: string }};\n  updatedAt: string;\n}}\n\n\
             export type {ty}Patch{n} = Partial<Omit<{ty}Record{n}, \"id\">>;\n\n"
        ),
        (_, 1) => format!(
            "export function {f}(records: ReadonlyArray<{{ id: string; amount: number; group: string }}>): Map<string, number> {{\n  \
             const totals = new Map<string, number>();\n  for (const r of records) {{\n    totals.set(r.group, (totals.get(r.group) ?? 0) + r.amount);\n  }}\n  \
             return new Map([...totals.entries()].sort((a, b) => b[1] - a[1]));\n}}\n\n"
        ),
        (_, 2) => format!(
            "export class {ty}Cache{n}<V> {{\n  private readonly entries = new Map<string, {{ value: V; expires: number }}>();\n  \
             constructor(private readonly ttlMs = {ttl}) {{}}\n\n  get(key: string, now = Date.now()): V | undefined {{\n    \
             const e = this.entries.get(key);\n    if (!e || e.expires < now) {{\n      this.entries.delete(key);\n      return undefined;\n    }}\n    return e.value;\n  }}\n\n  \
             set(key: string, value: V, now = Date.now()): void {{\n    this.entries.set(key, {{ value, expires: now + this.ttlMs }});\n  }}\n}}\n\n",
            ttl = 1_000 * (1 + rng.below(600))
        ),
        (_, 3) => format!(
            "export const {noun}Config{n} = {{\n  name: \"{noun}-{n}\",\n  retries: {r},\n  timeoutMs: {t},\n  \
             endpoints: [\"/api/{noun}s\", \"/api/{noun}s/:id\", \"/api/{noun}s/:id/history\"],\n  \
             features: {{ search: true, export: {e}, audit: false }},\n}} as const;\n\n",
            r = rng.below(5),
            t = 500 * (1 + rng.below(20)),
            e = rng.chance(0.5)
        ),
        _ => format!(
            "/**\n * {verb}s a {noun} label for display.\n * @param value the raw {noun} label\n */\nexport function {f}(value: string, width = {w}): string {{\n  \
             const clean = value.replace(/\\s+/g, \" \").trim();\n  if (clean.length <= width) return clean.padEnd(width, \" \");\n  \
             return `${{clean.slice(0, width - 1)}}…`;\n}}\n\n",
            w = 8 + rng.below(40)
        ),
    }
}
