#!/usr/bin/env node
// The typings kit: real TypeScript with the real Alchemy typings judges every fixture, and
// alchemy-ls must agree with it. See tests/typings/README.md.
//
//   node tests/typings/run.mjs [NAME...] [--jobs N] [--keep] [--isolated] [--check-docs | --write-docs]
//
// NAME: a fixture's path under fixtures/ without `.txt` (`clean/external-site`) or its base
// name (`external-site`). Without names every fixture runs; --check-docs / --write-docs need
// them all (they compare / write the "What TypeScript says" table of docs/rules.md).
// Env: ALCHEMY_LS_BIN (default target/debug/alchemy-ls), ALCHEMY_LS_TYPINGS_CACHE (see
// install.mjs), TYPINGS_JOBS (default 2).

import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  InstallError,
  ensureInstalled,
  installForAlchemy,
  installLocation,
  typescriptInstall,
} from "./install.mjs";

const KIT_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(KIT_DIR, "..", "..");
const FIXTURES = path.join(KIT_DIR, "fixtures");
const DOCS = path.join(REPO, "docs", "rules.md");
const DEFAULT_ALCHEMY = "2.0.0-beta.79";
const EFFECT = "4.0.0-rc.117";
const TABLE_START = "<!-- typings-table:start -->";
const TABLE_END = "<!-- typings-table:end -->";

// The tsconfig a fixture gets unless it brings its own: the settings of Alchemy's examples
// (tsconfig.base.json of the Alchemy repository), with Node's and Workers' ambient types.
export const STANDARD_TSCONFIG = {
  compilerOptions: {
    target: "ESNext",
    lib: ["ESNext", "DOM"],
    types: ["node", "@cloudflare/workers-types"],
    module: "Preserve",
    moduleResolution: "bundler",
    moduleDetection: "force",
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  },
  exclude: ["node_modules"],
};

class KitError extends Error {}

// ---------------------------------------------------------------------------------------------
// Fixture files

/** Same format as server/tests/common/fixture.rs: `//- path` opens a file. */
export function parseFiles(text) {
  const files = [];
  let indent = 0;
  for (const line of text.split("\n")) {
    const trimmed = line.trimStart();
    if (trimmed.startsWith("//- ")) {
      indent = line.length - trimmed.length;
      files.push([trimmed.slice(4).trim().replace(/^\/+/, ""), ""]);
    } else if (files.length) {
      const cut = Math.min(line.length - trimmed.length, indent);
      files[files.length - 1][1] += `${line.slice(cut)}\n`;
    }
  }
  // `text.split` yields one empty line after a final newline: drop its echo.
  if (files.length && text.endsWith("\n")) {
    const last = files[files.length - 1];
    last[1] = last[1].replace(/\n$/, "");
  }
  return files;
}

const DIAG_RE = /^(error|warning|info)\[([a-z0-9-]+)\]\s+(\S+):(\d+):(\d+)$/;

/** Reads the `//# key: value` lines before the first file header. */
export function parseHeader(text, name) {
  const header = { name, alchemy: null, clean: false, expect: [], tsc: null, comments: [] };
  for (const line of text.split("\n")) {
    if (line.startsWith("//- ")) break;
    const m = /^\/\/#\s*([a-z]+):\s*(.*?)\s*$/.exec(line);
    if (!m) {
      if (line.startsWith("//")) header.comments.push(line.replace(/^\/\/\s?/, ""));
      continue;
    }
    const [, key, value] = m;
    if (key === "alchemy") header.alchemy = value;
    else if (key === "tsc") {
      header.tsc = value === "silent" ? [] : value.split(/[\s,]+/).filter(Boolean).sort();
      for (const c of header.tsc) if (!/^TS\d+$/.test(c)) throw new KitError(`${name}: bad tsc code ${c}`);
    } else if (key === "expect") {
      if (value === "clean") header.clean = true;
      else {
        const d = DIAG_RE.exec(value);
        if (!d) throw new KitError(`${name}: cannot read "//# expect: ${value}" (want clean or severity[rule] path:line:col)`);
        header.expect.push({ severity: d[1], rule: d[2], path: d[3], line: +d[4], column: +d[5] });
      }
    } else throw new KitError(`${name}: unknown header key "${key}"`);
  }
  const loud = header.expect.filter((d) => d.severity !== "info");
  if (header.clean && loud.length) throw new KitError(`${name}: a clean fixture may only expect infos`);
  if (header.clean && header.tsc && header.tsc.length) throw new KitError(`${name}: a clean fixture must be tsc-silent`);
  if (!header.clean && !loud.length) throw new KitError(`${name}: neither "//# expect: clean" nor an expected error or warning`);
  return header;
}

function listFixtures() {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".txt")) out.push(path.relative(FIXTURES, p).replace(/\\/g, "/").replace(/\.txt$/, ""));
    }
  };
  walk(FIXTURES);
  return out.sort();
}

function loadFixture(name) {
  const text = fs.readFileSync(path.join(FIXTURES, `${name}.txt`), "utf8");
  const header = parseHeader(text, name);
  const files = parseFiles(text);
  if (!files.length) throw new KitError(`${name}: no files`);
  const rootPkg = files.find(([p]) => p === "package.json");
  let alchemy = header.alchemy;
  if (!alchemy && rootPkg) {
    const dep = JSON.parse(rootPkg[1]).dependencies?.alchemy;
    if (dep && /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(dep)) alchemy = dep;
  }
  alchemy ??= DEFAULT_ALCHEMY;
  const install = installForAlchemy(alchemy);
  if (!install) throw new KitError(`${name}: no install entry for alchemy ${alchemy} (add tests/typings/installs/alchemy-${alchemy})`);
  return { name, header, files, alchemy, install };
}

// ---------------------------------------------------------------------------------------------
// Workspace materialisation

function workspaceGlobs(files) {
  const pkg = files.find(([p]) => p === "package.json");
  let globs = [];
  if (pkg) {
    const ws = JSON.parse(pkg[1]).workspaces;
    globs = Array.isArray(ws) ? ws : ws?.packages ?? [];
  }
  const pnpm = files.find(([p]) => p === "pnpm-workspace.yaml");
  if (pnpm) {
    for (const m of pnpm[1].matchAll(/^\s*-\s*["']?([^"'\n]+?)["']?\s*$/gm)) globs.push(m[1]);
  }
  return globs;
}

/** Directories (relative) of the workspace packages the globs name (`dir/*` or exact). */
function workspaceDirs(root, globs) {
  const dirs = [];
  for (const g of globs) {
    if (g.startsWith("!")) continue;
    const clean = g.replace(/^\.\//, "").replace(/\/$/, "");
    if (clean.endsWith("/*")) {
      const base = path.join(root, clean.slice(0, -2));
      if (!fs.existsSync(base)) continue;
      for (const e of fs.readdirSync(base, { withFileTypes: true })) {
        if (e.isDirectory()) dirs.push(path.join(clean.slice(0, -2), e.name));
      }
    } else dirs.push(clean);
  }
  return dirs.filter((d) => fs.existsSync(path.join(root, d, "package.json")));
}

/** node_modules: a link per installed package, plus one per workspace package. */
export function linkNodeModules(root, installed, files) {
  const nm = path.join(root, "node_modules");
  fs.mkdirSync(nm);
  for (const e of fs.readdirSync(installed)) {
    if (e === ".package-lock.json") continue;
    fs.symlinkSync(path.join(installed, e), path.join(nm, e));
  }
  for (const dir of workspaceDirs(root, workspaceGlobs(files))) {
    const pkgName = JSON.parse(fs.readFileSync(path.join(root, dir, "package.json"), "utf8")).name;
    if (!pkgName) continue;
    const target = path.join(nm, pkgName);
    if (pkgName.startsWith("@")) {
      const scope = path.join(nm, pkgName.split("/")[0]);
      if (fs.existsSync(scope) && fs.lstatSync(scope).isSymbolicLink()) {
        // An installed scope: replace its link by a directory of links.
        const real = fs.realpathSync(scope);
        fs.unlinkSync(scope);
        fs.mkdirSync(scope);
        for (const e of fs.readdirSync(real)) fs.symlinkSync(path.join(real, e), path.join(scope, e));
      }
      fs.mkdirSync(scope, { recursive: true });
    }
    fs.rmSync(target, { force: true, recursive: true });
    fs.symlinkSync(path.relative(path.dirname(target), path.join(root, dir)), target);
  }
}

function materialise(fx, installed, parent) {
  const root = path.join(parent, fx.name.replace(/\//g, "__"));
  fs.mkdirSync(root, { recursive: true });
  for (const [p, content] of fx.files) {
    const full = path.join(root, p);
    if (p.endsWith("/")) {
      fs.mkdirSync(full, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  if (!fx.files.some(([p]) => p === "tsconfig.json")) {
    fs.writeFileSync(path.join(root, "tsconfig.json"), `${JSON.stringify(STANDARD_TSCONFIG, null, 2)}\n`);
  }
  if (!fx.files.some(([p]) => p === "package.json")) {
    const pkg = {
      name: path.basename(fx.name),
      private: true,
      type: "module",
      dependencies: { alchemy: fx.alchemy, effect: EFFECT },
    };
    fs.writeFileSync(path.join(root, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  }
  linkNodeModules(root, installed, fx.files);
  return root;
}

// ---------------------------------------------------------------------------------------------
// Running tsc and alchemy-ls

function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr, error }),
    );
  });
}

const TSC_RE = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;

/** Runs tsc in `cwd` with `args`; returns its errors with paths relative to `cwd`. */
async function runTsc(tsc, cwd, args) {
  const res = await run(tsc, ["--noEmit", "--pretty", "false", ...args], cwd);
  const errors = [];
  for (const line of res.stdout.split("\n")) {
    const m = TSC_RE.exec(line);
    if (m) errors.push({ path: m[1].replace(/\\/g, "/"), line: +m[2], column: +m[3], code: m[4], message: m[5] });
  }
  if (res.code !== 0 && !errors.length) {
    throw new KitError(`tsc failed without a diagnostic (exit ${res.code}):\n${res.stdout}${res.stderr}`);
  }
  if (res.code === 0 && errors.length) throw new KitError("tsc printed errors but exited 0");
  return errors;
}

/**
 * Type-checks the fixtures. A fixture with its own tsconfig.json gets a tsc run of its own; the
 * others share the standard tsconfig, so all those declaring one alchemy version are checked by
 * one tsc program (the same options, each fixture in its own directory with its own
 * node_modules links, every file a module): Alchemy's typings are parsed once per version
 * instead of once per fixture. `--isolated` checks every fixture alone (slower; same verdicts).
 */
async function typecheck(prepared, ctx) {
  const out = new Map(prepared.map((p) => [p.fx.name, []]));
  const jobs = [];
  const groups = new Map();
  for (const p of prepared) {
    if (p.ownTsconfig || ctx.isolated) {
      jobs.push(async () => {
        const errors = await runTsc(ctx.tsc, p.root, ["-p", "."]);
        out.set(p.fx.name, errors);
      });
      continue;
    }
    if (!groups.has(p.group)) groups.set(p.group, []);
    groups.get(p.group).push(p);
  }
  for (const [group, members] of groups) {
    jobs.push(async () => {
      const config = {
        ...STANDARD_TSCONFIG,
        include: members.map((p) => `${path.basename(p.root)}/**/*`),
        exclude: ["**/node_modules"],
      };
      fs.writeFileSync(path.join(group, "tsconfig.batch.json"), `${JSON.stringify(config, null, 2)}\n`);
      // `types` resolve from the config's directory: the same install the members link to.
      fs.symlinkSync(ctx.locations.get(members[0].fx.install).nodeModules, path.join(group, "node_modules"));
      const errors = await runTsc(ctx.tsc, group, ["-p", "tsconfig.batch.json"]);
      const byDir = new Map(members.map((p) => [path.basename(p.root), p]));
      for (const e of errors) {
        const [dir, ...rest] = e.path.split("/");
        const p = byDir.get(dir);
        if (!p || !rest.length) throw new KitError(`tsc reported an error outside every fixture: ${e.path}`);
        out.get(p.fx.name).push({ ...e, path: rest.join("/") });
      }
    });
  }
  await pool(jobs, ctx.jobs, (job) => job());
  return out;
}

async function runAlchemyLs(bin, root) {
  const res = await run(bin, ["check", "--format", "json", "."], root);
  if (res.code !== 0 && res.code !== 1) {
    throw new KitError(`alchemy-ls check exited ${res.code}:\n${res.stderr}${res.stdout}`);
  }
  let json;
  try {
    json = JSON.parse(res.stdout);
  } catch {
    throw new KitError(`alchemy-ls check printed no JSON:\n${res.stdout.slice(0, 2000)}${res.stderr}`);
  }
  return json.diagnostics;
}

const diagKey = (d) => `${d.severity}[${d.rule}] ${d.path}:${d.line}:${d.column}`;

/** Writes a fixture into the directory of its tsc group (or a directory of its own). */
function prepare(fx, ctx) {
  const installed = ctx.locations.get(fx.install).nodeModules;
  const ownTsconfig = fx.files.some(([p]) => p === "tsconfig.json");
  const group = path.join(ctx.tmpRoot, ownTsconfig ? "own-tsconfig" : fx.install);
  fs.mkdirSync(group, { recursive: true });
  return { fx, ownTsconfig, group, root: materialise(fx, installed, group) };
}

/** Compares tsc's and alchemy-ls's verdicts with what the fixture expects. */
function judge(fx, tscErrors, diags, ctx) {
  const problems = [];
  if (fx.header.clean && tscErrors.length) {
    problems.push("tsc rejects this clean fixture (a clean fixture must type-check):");
    for (const e of tscErrors) problems.push(`  ${e.path}:${e.line}:${e.column} ${e.code} ${e.message}`);
  }
  const codes = [...new Set(tscErrors.map((e) => e.code))].sort();
  if (fx.header.tsc && fx.header.tsc.join(" ") !== codes.join(" ")) {
    problems.push(`tsc reports ${codes.join(" ") || "nothing"}, the fixture pins ${fx.header.tsc.join(" ") || "silent"}:`);
    for (const e of tscErrors) problems.push(`  ${e.path}:${e.line}:${e.column} ${e.code} ${e.message}`);
  }
  const expected = new Set(fx.header.expect.map(diagKey));
  const actual = new Set(diags.map(diagKey));
  for (const d of diags.filter((d) => !expected.has(diagKey(d)))) {
    const kind = fx.header.clean && d.severity !== "info" ? "false positive" : "unexpected";
    problems.push(`${kind}: ${d.path}:${d.line}:${d.column} ${d.severity}[${d.rule}] ${d.message}`);
  }
  for (const d of fx.header.expect.filter((d) => !actual.has(diagKey(d)))) {
    const pending = ctx.knownRules && !ctx.knownRules.has(d.rule) ? ` (this alchemy-ls has no rule ${d.rule} yet)` : "";
    problems.push(`missing: ${diagKey(d)}${pending}`);
  }
  return { fx, tscErrors, codes, diags, problems };
}

// ---------------------------------------------------------------------------------------------
// The "What TypeScript says" table

function tscCell(r) {
  if (!r.tscErrors.length) return "silent";
  const byCode = new Map();
  for (const e of r.tscErrors) {
    if (!byCode.has(e.code)) byCode.set(e.code, []);
    const at = `${e.path}:${e.line}`;
    if (!byCode.get(e.code).includes(at)) byCode.get(e.code).push(at);
  }
  return [...byCode.keys()]
    .sort()
    .map((c) => `${c} (${byCode.get(c).join(", ")})`)
    .join("; ");
}

export function renderTable(results) {
  const rows = [];
  for (const r of results) {
    if (r.fx.header.clean) continue;
    const rules = [...new Set(r.fx.header.expect.filter((d) => d.severity !== "info").map((d) => d.rule))];
    for (const rule of rules) {
      const at = r.fx.header.expect
        .filter((d) => d.rule === rule)
        .map((d) => `${d.path}:${d.line}`)
        .join(", ");
      rows.push({ rule, fixture: r.fx.name, alchemy: r.fx.alchemy.replace(/^2\.0\.0-/, ""), at, tsc: tscCell(r) });
    }
  }
  rows.sort((a, b) => a.rule.localeCompare(b.rule) || a.fixture.localeCompare(b.fixture));
  const clean = results.filter((r) => r.fx.header.clean).length;
  const lines = [
    TABLE_START,
    "",
    "## What TypeScript says",
    "",
    "<!-- Generated by `node tests/typings/run.mjs --write-docs`; do not edit by hand. -->",
    "",
    `For each rule, the broken fixtures of the typings kit (\`tests/typings/fixtures/\`) and what \`tsc --noEmit\` (TypeScript ${typescriptInstall().replace(/^typescript-/, "")}) reports on them with the real typings of the Alchemy beta they declare (and effect ${EFFECT}): the error codes with file and line, or *silent* when TypeScript accepts the mistake. The kit also holds ${clean} clean fixtures that must type-check and on which \`alchemy-ls\` reports no error or warning.`,
    "",
    "| Rule | Fixture | Alchemy | alchemy-ls at | TypeScript |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| \`${r.rule}\` | \`${r.fixture}\` | ${r.alchemy} | ${r.at} | ${r.tsc} |`),
    "",
    TABLE_END,
  ];
  return `${lines.join("\n")}\n`;
}

function spliceTable(doc, table) {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) return `${doc.replace(/\n*$/, "\n")}\n${table}`;
  return doc.slice(0, start) + table + doc.slice(end + TABLE_END.length).replace(/^\n/, "");
}

// ---------------------------------------------------------------------------------------------

async function pool(items, jobs, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  const opt = {
    jobs: Number(process.env.TYPINGS_JOBS || 2),
    keep: false,
    isolated: false,
    checkDocs: false,
    writeDocs: false,
    names: [],
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--jobs") opt.jobs = Number(args[++i]);
    else if (a === "--keep") opt.keep = true;
    else if (a === "--isolated") opt.isolated = true;
    else if (a === "--check-docs") opt.checkDocs = true;
    else if (a === "--write-docs") opt.writeDocs = true;
    else if (a === "--list") {
      for (const n of listFixtures()) process.stdout.write(`${n}\n`);
      return 0;
    } else if (a.startsWith("--")) throw new KitError(`unknown option ${a}`);
    else opt.names.push(a.replace(/\.txt$/, ""));
  }
  if (!(opt.jobs >= 1)) throw new KitError("--jobs needs a positive number");
  const all = listFixtures();
  let names = all;
  if (opt.names.length) {
    if (opt.checkDocs || opt.writeDocs) throw new KitError("--check-docs/--write-docs run every fixture; give no names");
    names = opt.names.map((n) => {
      const hit = all.filter((f) => f === n || path.basename(f) === n);
      if (hit.length !== 1) throw new KitError(`no single fixture named ${n} (${hit.length} match)`);
      return hit[0];
    });
  }
  const fixtures = names.map(loadFixture);

  const bin = path.resolve(REPO, process.env.ALCHEMY_LS_BIN || "target/debug/alchemy-ls");
  if (!fs.existsSync(bin)) throw new KitError(`alchemy-ls binary not found at ${bin} (build it, or set ALCHEMY_LS_BIN)`);
  const rulesOut = await run(bin, ["rules"], REPO);
  const knownRules = new Set([...rulesOut.stdout.matchAll(/^\s*([a-z][a-z0-9-]+)\s/gm)].map((m) => m[1]));

  const tsName = typescriptInstall();
  const locations = await ensureInstalled([tsName, ...fixtures.map((f) => f.install)]);
  const tsc = path.join(installLocation(tsName).nodeModules, ".bin", "tsc");

  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "alchemy-ls-typings-"));
  const ctx = { bin, tsc, locations, tmpRoot, knownRules, jobs: opt.jobs, isolated: opt.isolated };
  const started = Date.now();
  let prepared, tscByFixture, lsByFixture;
  try {
    prepared = fixtures.map((fx) => prepare(fx, ctx));
    [tscByFixture, lsByFixture] = await Promise.all([
      typecheck(prepared, ctx),
      pool(prepared, opt.jobs, async (p) => {
        try {
          return await runAlchemyLs(bin, p.root);
        } catch (e) {
          if (e instanceof KitError) return e;
          throw e;
        }
      }),
    ]);
  } finally {
    if (!opt.keep) fs.rmSync(tmpRoot, { recursive: true, force: true });
    else process.stdout.write(`kept the materialised fixtures under ${tmpRoot}\n`);
  }
  const results = prepared.map((p, i) => {
    const diags = lsByFixture[i];
    if (diags instanceof KitError) {
      return { fx: p.fx, tscErrors: [], codes: [], diags: [], problems: [`kit error: ${diags.message}`] };
    }
    return judge(p.fx, tscByFixture.get(p.fx.name), diags, ctx);
  });
  for (const r of results) {
    const status = r.problems.length ? "FAIL" : "ok  ";
    const kind = r.fx.header.clean ? "clean" : "broken";
    const tscText = r.tscErrors.length ? r.codes.join(" ") : "silent";
    process.stdout.write(`${status} ${r.fx.name} [${kind}, alchemy ${r.fx.alchemy}, tsc: ${tscText}]\n`);
    for (const p of r.problems) process.stdout.write(`       ${p}\n`);
  }

  const failed = results.filter((r) => r.problems.length);
  const cleanCount = results.filter((r) => r.fx.header.clean).length;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `\ntypings: ${results.length} fixtures (${cleanCount} clean, ${results.length - cleanCount} broken) in ${secs} s: ` +
      `${results.length - failed.length} ok, ${failed.length} failed\n`,
  );
  for (const r of failed) {
    const fp = r.problems.filter((p) => p.startsWith("false positive")).length;
    process.stdout.write(`  FAIL ${r.fx.name}${fp ? ` (${fp} false positive${fp > 1 ? "s" : ""})` : ""}\n`);
  }

  let docsStatus = 0;
  if (opt.checkDocs || opt.writeDocs) {
    const doc = fs.readFileSync(DOCS, "utf8");
    const updated = spliceTable(doc, renderTable(results));
    if (opt.writeDocs) {
      if (updated !== doc) fs.writeFileSync(DOCS, updated);
      process.stdout.write(`typings: ${path.relative(REPO, DOCS)} ${updated !== doc ? "updated" : "already up to date"}\n`);
    } else if (updated !== doc) {
      process.stdout.write(
        `typings: ${path.relative(REPO, DOCS)}'s "What TypeScript says" table is out of date; run \`node tests/typings/run.mjs --write-docs\`\n`,
      );
      docsStatus = 1;
    } else process.stdout.write(`typings: ${path.relative(REPO, DOCS)}'s table is up to date\n`);
  }
  return failed.length || docsStatus ? 1 : 0;
}

// Run as a script (rename.mjs imports the helpers above without running the kit).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`typings: ${e instanceof KitError || e instanceof InstallError ? e.message : e.stack}\n`);
      process.exit(2);
    },
  );
}
