#!/usr/bin/env node
// TypeScript judges alchemy-ls's class renames. For every class-rename fixture of the ide tests
// (server/tests/fixtures/ide/rename__class_*.txt: a `$0` cursor, a `//! new-name: X` line),
// materialised with the kit's installs (alchemy + effect + TypeScript 7):
//
//   1. alchemy-ls, over LSP (`alchemy-ls serve`), renames the class at the cursor; the edits are
//      written to disk;
//   2. tsc must report as many errors of each code in each file after the rename as before: a
//      missed use, a renamed shadowing local or a broken import adds one;
//   3. TypeScript's own rename at the same cursor (`tsc --lsp --stdio`) must edit no range that
//      alchemy-ls leaves alone (its rename may do less: at an import it renames the local name
//      only).
//
//   node tests/typings/rename.mjs [--keep]        (ALCHEMY_LS_BIN: default target/debug/alchemy-ls)
//   node tests/typings/rename.mjs --corpus        every Worker and Durable Object class of the
//                                                 kit's own fixtures, renamed at its declaration
// Exit code 0 when every fixture agrees, 1 on a disagreement, 2 when the kit cannot run.

import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  ensureInstalled,
  installForAlchemy,
  installLocation,
  KIT_DIR,
  listInstalls,
  typescriptInstall,
} from "./install.mjs";
import { STANDARD_TSCONFIG, linkNodeModules, parseFiles } from "./run.mjs";

const REPO = path.resolve(KIT_DIR, "..", "..");
const FIXTURES = path.join(REPO, "server", "tests", "fixtures", "ide");
const TIMEOUT_MS = 60_000;

/** A minimal LSP client over stdio. */
class Lsp {
  constructor(cmd, args, cwd) {
    this.proc = spawn(cmd, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    this.buf = Buffer.alloc(0);
    this.id = 0;
    this.pending = new Map();
    this.stderr = "";
    this.proc.stderr.on("data", (d) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.proc.stdout.on("data", (d) => this.read(d));
  }
  read(d) {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const h = this.buf.indexOf("\r\n\r\n");
      if (h < 0) return;
      const len = Number(/Content-Length: *(\d+)/i.exec(this.buf.subarray(0, h).toString())?.[1]);
      if (this.buf.length < h + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(h + 4, h + 4 + len).toString());
      this.buf = this.buf.subarray(h + 4 + len);
      if (msg.method && msg.id !== undefined) {
        // server → client requests: configuration (no settings), registrations, progress
        const result = msg.method === "workspace/configuration" ? msg.params.items.map(() => null) : null;
        this.send({ jsonrpc: "2.0", id: msg.id, result });
      } else if (msg.id !== undefined && this.pending.has(msg.id)) {
        this.pending.get(msg.id)(msg);
        this.pending.delete(msg.id);
      }
    }
  }
  send(m) {
    const s = JSON.stringify(m);
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`);
  }
  notify(method, params) {
    this.send({ jsonrpc: "2.0", method, params });
  }
  request(method, params) {
    return new Promise((resolve, reject) => {
      const id = ++this.id;
      const timer = setTimeout(
        () => reject(new Error(`${method}: no answer in ${TIMEOUT_MS} ms\n${this.stderr}`)),
        TIMEOUT_MS,
      );
      this.pending.set(id, (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      this.send({ jsonrpc: "2.0", id, method, params });
    });
  }
  async start(root) {
    const uri = pathToFileURL(root).href;
    await this.request("initialize", {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: "fixture" }],
      capabilities: { textDocument: { rename: { prepareSupport: true } }, workspace: { workspaceFolders: true } },
    });
    this.notify("initialized", {});
  }
  stop() {
    this.proc.kill();
  }
}

/** The edits of a rename at `pos` in `file`: [{ file, range, newText }], or the error. */
async function rename(lsp, root, file, text, pos, newName) {
  const uri = pathToFileURL(path.join(root, file)).href;
  lsp.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text } });
  const answer = await lsp.request("textDocument/rename", { textDocument: { uri }, position: pos, newName });
  if (answer.error) return { error: answer.error.message };
  const edits = [];
  const changes = { ...(answer.result?.changes ?? {}) };
  for (const dc of answer.result?.documentChanges ?? []) changes[dc.textDocument.uri] = dc.edits;
  for (const [u, es] of Object.entries(changes)) {
    const f = path.relative(root, fs.realpathSync(new URL(u).pathname)).replace(/\\/g, "/");
    for (const e of es) edits.push({ file: f, range: e.range, newText: e.newText });
  }
  return { edits };
}

const rangeKey = (e) =>
  `${e.file}:${e.range.start.line + 1}:${e.range.start.character + 1}-${e.range.end.line + 1}:${e.range.end.character + 1}`;

/** Applies LSP edits (UTF-16 positions) to a text. */
function applyEdits(text, edits) {
  const lines = text.split("\n");
  const offset = (p) => {
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i].length + 1;
    return o + p.character;
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, stdout, stderr }),
    );
  });
}

/** tsc's errors as `file TSxxxx message` lines, sorted. */
async function tscErrors(tsc, root) {
  const res = await run(tsc, ["--noEmit", "--pretty", "false", "-p", "."], root);
  const out = [];
  for (const line of res.stdout.split("\n")) {
    const m = /^(.+?)\(\d+,\d+\): error (TS\d+): (.*)$/.exec(line);
    if (m) out.push(`${m[1]} ${m[2]} ${m[3]}`);
  }
  if (res.code !== 0 && !out.length) throw new Error(`tsc failed without a diagnostic:\n${res.stdout}${res.stderr}`);
  return out.sort();
}

function loadFixture(file) {
  const text = fs.readFileSync(path.join(FIXTURES, file), "utf8");
  const newName = /^\/\/! new-name: (\S+)/m.exec(text)?.[1];
  if (!newName) throw new Error(`${file}: no "//! new-name: X" line`);
  const files = parseFiles(text);
  let cursor = null;
  for (const f of files) {
    const i = f[1].indexOf("$0");
    if (i < 0) continue;
    const before = f[1].slice(0, i).split("\n");
    cursor = { file: f[0], pos: { line: before.length - 1, character: before[before.length - 1].length } };
    f[1] = f[1].replace("$0", "");
  }
  if (!cursor) throw new Error(`${file}: no $0 cursor`);
  const alchemy = JSON.parse(files.find(([p]) => p === "package.json")?.[1] ?? "{}").dependencies?.alchemy;
  return {
    name: file.replace(/\.txt$/, ""),
    files,
    cursor,
    newName,
    alchemy: alchemy ?? "2.0.0-beta.79",
  };
}

/** Writes a fixture's files, its tsconfig (unless it has one) and node_modules links. */
function materialise(fx, ctx) {
  const root = path.join(ctx.tmp, fx.name.replace(/\//g, "__"));
  for (const [p, content] of fx.files) {
    if (p.endsWith("/")) continue;
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
  if (!fx.files.some(([p]) => p === "tsconfig.json")) {
    fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify(STANDARD_TSCONFIG, null, 2));
  }
  linkNodeModules(root, ctx.locations.get(installForAlchemy(fx.alchemy)).nodeModules, fx.files);
  return root;
}

/** Errors by `file code`: messages print unions in an order that follows type creation. */
function countErrors(lines) {
  const m = new Map();
  for (const l of lines) {
    const key = l.split(" ").slice(0, 2).join(" ");
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/**
 * Renames at `cursor` (`{ file, pos }`) to `newName` with both servers in `root`, writes
 * alchemy-ls's edits and judges them; `before` is tsc's errors before. Returns the problems, or
 * `null` when alchemy-ls does not rename there. The edited files are restored after.
 */
async function judgeRename(root, cursor, newName, before, ctx) {
  const text = fs.readFileSync(path.join(root, cursor.file), "utf8");
  const ts = new Lsp(ctx.tsc, ["--lsp", "--stdio"], root);
  const ls = new Lsp(ctx.bin, ["serve"], root);
  let theirs, ours;
  try {
    await Promise.all([ts.start(root), ls.start(root)]);
    [theirs, ours] = await Promise.all([
      rename(ts, root, cursor.file, text, cursor.pos, newName),
      rename(ls, root, cursor.file, text, cursor.pos, newName),
    ]);
  } finally {
    ts.stop();
    ls.stop();
  }
  if (ours.error) return { refused: ours.error };
  if (!ours.edits.length) return null;
  const problems = [];
  if (theirs.error) problems.push(`TypeScript refused: ${theirs.error}`);
  const mine = new Set(ours.edits.map(rangeKey));
  for (const e of theirs.edits ?? []) {
    if (!mine.has(rangeKey(e))) problems.push(`TypeScript edits ${rangeKey(e)} (${JSON.stringify(e.newText)}), alchemy-ls does not`);
  }
  const byFile = new Map();
  for (const e of ours.edits) {
    if (!byFile.has(e.file)) byFile.set(e.file, []);
    byFile.get(e.file).push(e);
  }
  const saved = new Map();
  for (const [f, es] of byFile) {
    const full = path.join(root, f);
    saved.set(full, fs.readFileSync(full, "utf8"));
    fs.writeFileSync(full, applyEdits(saved.get(full), es));
  }
  const after = await tscErrors(ctx.tsc, root);
  for (const [full, t] of saved) fs.writeFileSync(full, t);
  const [b, a] = [countErrors(before), countErrors(after)];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if ((a.get(key) ?? 0) !== (b.get(key) ?? 0)) {
      const lines = after.filter((l) => l.startsWith(`${key} `));
      problems.push(`tsc ${key}: ${b.get(key) ?? 0} before the rename, ${a.get(key) ?? 0} after ${lines.join(" | ")}`);
    }
  }
  return { problems, edits: ours.edits.length };
}

async function judge(fx, ctx) {
  const root = materialise(fx, ctx);
  const before = await tscErrors(ctx.tsc, root);
  const r = await judgeRename(root, fx.cursor, fx.newName, before, ctx);
  if (r === null) return ["alchemy-ls renamed nothing"];
  if (r.refused) return [`alchemy-ls refused: ${r.refused}`];
  return r.problems;
}

/**
 * `--corpus`: every Worker and Durable Object class of the typings kit's fixtures, renamed at
 * its declaration to `<Name>Renamed`. Refusals are counted, not failures.
 */
async function corpus(ctx) {
  const sources = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".txt")) sources.push(p);
    }
  };
  walk(path.join(KIT_DIR, "fixtures"));
  let failed = 0;
  let judged = 0;
  let refused = 0;
  for (const file of sources.sort()) {
    const text = fs.readFileSync(file, "utf8");
    const files = parseFiles(text);
    const alchemy =
      /^\/\/#\s*alchemy:\s*(\S+)/m.exec(text)?.[1] ??
      JSON.parse(files.find(([p]) => p === "package.json")?.[1] ?? "{}").dependencies?.alchemy ??
      "2.0.0-beta.79";
    if (!installForAlchemy(alchemy)) continue;
    const fx = { name: path.relative(KIT_DIR, file).replace(/\.txt$/, ""), files, alchemy };
    const root = materialise(fx, ctx);
    const graph = JSON.parse((await run(ctx.bin, ["graph", "--format", "json", "."], root)).stdout || "{}");
    const classes = [];
    for (const r of graph.resources ?? []) {
      if (!["worker", "durable-object", "rpc-durable-object"].includes(r.kind)) continue;
      const lines = fs.readFileSync(path.join(root, r.path), "utf8").split("\n");
      const name = r.id.split("#")[1];
      const m = new RegExp(`\\bclass\\s+(${name.replace(/\$/g, "\\$")})\\b`).exec(lines[r.line - 1] ?? "");
      if (m) classes.push({ file: r.path, pos: { line: r.line - 1, character: m.index + m[0].length - name.length }, name });
    }
    if (!classes.length) continue;
    const before = await tscErrors(ctx.tsc, root);
    for (const c of classes) {
      const r = await judgeRename(root, c, `${c.name}Renamed`, before, ctx);
      const label = `${fx.name} ${c.file} ${c.name}`;
      if (r === null || r.refused) {
        refused += 1;
        process.stdout.write(`skip ${label}: ${r === null ? "not renamed" : r.refused}\n`);
        continue;
      }
      judged += 1;
      failed += r.problems.length ? 1 : 0;
      process.stdout.write(`${r.problems.length ? "FAIL" : "ok  "} ${label} (${r.edits} edits)\n`);
      for (const p of r.problems) process.stdout.write(`       ${p}\n`);
    }
  }
  process.stdout.write(`\nrename corpus: ${judged} classes renamed, ${failed} failed, ${refused} not renamed\n`);
  return failed ? 1 : 0;
}

async function main() {
  const keep = process.argv.includes("--keep");
  const corpusMode = process.argv.includes("--corpus");
  const bin = path.resolve(REPO, process.env.ALCHEMY_LS_BIN || "target/debug/alchemy-ls");
  if (!fs.existsSync(bin)) throw new Error(`alchemy-ls binary not found at ${bin} (build it, or set ALCHEMY_LS_BIN)`);
  const fixtures = fs
    .readdirSync(FIXTURES)
    .filter((f) => f.startsWith("rename__class_") && f.endsWith(".txt"))
    .sort()
    .map(loadFixture);
  if (!fixtures.length) throw new Error(`no rename__class_*.txt fixture in ${FIXTURES}`);
  const tsName = typescriptInstall();
  const installs = corpusMode
    ? listInstalls().filter((n) => n.startsWith("alchemy-"))
    : [...new Set(fixtures.map((f) => installForAlchemy(f.alchemy)))];
  if (installs.includes(undefined)) throw new Error("a fixture's alchemy version has no install entry");
  const locations = await ensureInstalled([tsName, ...installs]);
  const tsc = path.join(installLocation(tsName).nodeModules, ".bin", "tsc");
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "alchemy-ls-rename-")));
  const ctx = { bin, tsc, locations, tmp };
  let failed = 0;
  try {
    if (corpusMode) return await corpus(ctx);
    for (const fx of fixtures) {
      const problems = await judge(fx, ctx);
      failed += problems.length ? 1 : 0;
      process.stdout.write(`${problems.length ? "FAIL" : "ok  "} ${fx.name} (${fx.newName})\n`);
      for (const p of problems) process.stdout.write(`       ${p}\n`);
    }
  } finally {
    if (keep) process.stdout.write(`kept the materialised fixtures under ${tmp}\n`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`\nrename: ${fixtures.length} fixtures, ${fixtures.length - failed} ok, ${failed} failed\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`rename: ${e.stack}\n`);
    process.exit(2);
  },
);
