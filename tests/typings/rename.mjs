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
// Exit code 0 when every fixture agrees, 1 on a disagreement, 2 when the kit cannot run.

import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ensureInstalled, installForAlchemy, installLocation, KIT_DIR, typescriptInstall } from "./install.mjs";
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

async function judge(fx, ctx) {
  const root = path.join(ctx.tmp, fx.name);
  for (const [p, content] of fx.files) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
  if (!fx.files.some(([p]) => p === "tsconfig.json")) {
    fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify(STANDARD_TSCONFIG, null, 2));
  }
  linkNodeModules(root, ctx.locations.get(installForAlchemy(fx.alchemy)).nodeModules, fx.files);
  const problems = [];
  const text = fx.files.find(([p]) => p === fx.cursor.file)[1];

  const ts = new Lsp(ctx.tsc, ["--lsp", "--stdio"], root);
  const ls = new Lsp(ctx.bin, ["serve"], root);
  let theirs, ours;
  try {
    await Promise.all([ts.start(root), ls.start(root)]);
    [theirs, ours] = await Promise.all([
      rename(ts, root, fx.cursor.file, text, fx.cursor.pos, fx.newName),
      rename(ls, root, fx.cursor.file, text, fx.cursor.pos, fx.newName),
    ]);
  } finally {
    ts.stop();
    ls.stop();
  }
  if (ours.error) return [`alchemy-ls refused: ${ours.error}`];
  if (!ours.edits.length) return ["alchemy-ls renamed nothing"];
  if (theirs.error) problems.push(`TypeScript refused: ${theirs.error}`);
  const mine = new Set(ours.edits.map(rangeKey));
  for (const e of theirs.edits ?? []) {
    if (!mine.has(rangeKey(e))) problems.push(`TypeScript edits ${rangeKey(e)} (${JSON.stringify(e.newText)}), alchemy-ls does not`);
  }

  const before = await tscErrors(ctx.tsc, root);
  const byFile = new Map();
  for (const e of ours.edits) {
    if (!byFile.has(e.file)) byFile.set(e.file, []);
    byFile.get(e.file).push(e);
  }
  for (const [f, es] of byFile) {
    const full = path.join(root, f);
    fs.writeFileSync(full, applyEdits(fs.readFileSync(full, "utf8"), es));
  }
  const after = await tscErrors(ctx.tsc, root);
  // by file and code: messages print unions in an order that follows type creation
  const count = (lines) => {
    const m = new Map();
    for (const l of lines) {
      const key = l.split(" ").slice(0, 2).join(" ");
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    return m;
  };
  const [b, a] = [count(before), count(after)];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if ((a.get(key) ?? 0) !== (b.get(key) ?? 0)) {
      const lines = after.filter((l) => l.startsWith(`${key} `));
      problems.push(`tsc ${key}: ${b.get(key) ?? 0} before the rename, ${a.get(key) ?? 0} after ${lines.join(" | ")}`);
    }
  }
  return problems;
}

async function main() {
  const keep = process.argv.includes("--keep");
  const bin = path.resolve(REPO, process.env.ALCHEMY_LS_BIN || "target/debug/alchemy-ls");
  if (!fs.existsSync(bin)) throw new Error(`alchemy-ls binary not found at ${bin} (build it, or set ALCHEMY_LS_BIN)`);
  const fixtures = fs
    .readdirSync(FIXTURES)
    .filter((f) => f.startsWith("rename__class_") && f.endsWith(".txt"))
    .sort()
    .map(loadFixture);
  if (!fixtures.length) throw new Error(`no rename__class_*.txt fixture in ${FIXTURES}`);
  const tsName = typescriptInstall();
  const installs = [...new Set(fixtures.map((f) => installForAlchemy(f.alchemy)))];
  if (installs.includes(undefined)) throw new Error("a fixture's alchemy version has no install entry");
  const locations = await ensureInstalled([tsName, ...installs]);
  const tsc = path.join(installLocation(tsName).nodeModules, ".bin", "tsc");
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "alchemy-ls-rename-")));
  const ctx = { bin, tsc, locations, tmp };
  let failed = 0;
  try {
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
