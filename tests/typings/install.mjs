#!/usr/bin/env node
// Installs the real typings the typings kit judges fixtures with (alchemy betas, effect,
// TypeScript 7) from the npm registry into a cache folder outside the repository.
//
//   node tests/typings/install.mjs            install every entry of tests/typings/installs/
//   node tests/typings/install.mjs NAME...    only these (e.g. alchemy-2.0.0-beta.79)
//   node tests/typings/install.mjs --lock     regenerate the package-lock.json files (network)
//
// Each entry of tests/typings/installs/<name>/ is a package.json with exact versions plus the
// package-lock.json that pins everything below them; `npm ci --ignore-scripts` installs it
// into <cache>/<name>-<hash of both files>/. The cache root is $ALCHEMY_LS_TYPINGS_CACHE, else
// ${XDG_CACHE_HOME:-$HOME/.cache}/alchemy-ls/typings. A finished install carries a `.complete`
// marker; anything else is reinstalled. Every failure (registry unreachable, lock out of date)
// exits non-zero with a message: the kit never judges without the real typings.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const KIT_DIR = path.dirname(fileURLToPath(import.meta.url));
export const INSTALLS_DIR = path.join(KIT_DIR, "installs");

// npm flags shared by `ci` and `install --package-lock-only`: no lifecycle scripts, and
// alchemy's many optional peers (vite, drizzle, pg, mongodb, …) are not pulled in: the few
// peers tsc needs are listed as direct dependencies instead (@effect/platform-node: without it
// alchemy's PlatformServices type collapses to `any` and hides errors).
const NPM_FLAGS = ["--ignore-scripts", "--legacy-peer-deps", "--no-audit", "--no-fund"];

export class InstallError extends Error {}

export function cacheRoot() {
  if (process.env.ALCHEMY_LS_TYPINGS_CACHE) return path.resolve(process.env.ALCHEMY_LS_TYPINGS_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "alchemy-ls", "typings");
}

/** Names of every install entry, sorted. */
export function listInstalls() {
  return fs
    .readdirSync(INSTALLS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** The install entry for an alchemy version (`2.0.0-beta.79`), or null. */
export function installForAlchemy(version) {
  const name = `alchemy-${version}`;
  return fs.existsSync(path.join(INSTALLS_DIR, name, "package.json")) ? name : null;
}

/** The install entry holding tsc. */
export function typescriptInstall() {
  const names = listInstalls().filter((n) => n.startsWith("typescript-"));
  if (names.length !== 1) throw new InstallError(`expected one typescript-* entry in ${INSTALLS_DIR}, found ${names.length}`);
  return names[0];
}

function entryFiles(name) {
  const dir = path.join(INSTALLS_DIR, name);
  const pkgPath = path.join(dir, "package.json");
  const lockPath = path.join(dir, "package-lock.json");
  if (!fs.existsSync(pkgPath)) throw new InstallError(`no install entry ${name} (${pkgPath} is missing)`);
  if (!fs.existsSync(lockPath)) {
    throw new InstallError(`${name} has no package-lock.json; run \`node tests/typings/install.mjs --lock ${name}\``);
  }
  const pkg = fs.readFileSync(pkgPath, "utf8");
  const lock = fs.readFileSync(lockPath, "utf8");
  return { dir, pkg, lock, keepOptional: JSON.parse(pkg).alchemyLsTypings?.keepOptional === true };
}

/** Where an entry is (or will be) installed, and whether that install is complete. */
export function installLocation(name) {
  const { pkg, lock } = entryFiles(name);
  const hash = createHash("sha256").update(pkg).update("\0").update(lock).digest("hex").slice(0, 12);
  const dir = path.join(cacheRoot(), `${name}-${hash}`);
  return { name, dir, nodeModules: path.join(dir, "node_modules"), complete: fs.existsSync(path.join(dir, ".complete")) };
}

function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: "false" } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr, error }),
    );
  });
}

function tail(text, lines = 25) {
  return text.trim().split("\n").slice(-lines).join("\n");
}

async function installOne(name, log) {
  const loc = installLocation(name);
  if (loc.complete) return loc;
  const { pkg, lock, keepOptional } = entryFiles(name);
  fs.mkdirSync(cacheRoot(), { recursive: true });
  const tmp = `${loc.dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(tmp, "package.json"), pkg);
  fs.writeFileSync(path.join(tmp, "package-lock.json"), lock);
  const args = ["ci", ...NPM_FLAGS, ...(keepOptional ? [] : ["--omit=optional"])];
  log(`typings: installing ${name} into ${loc.dir} (npm ${args.join(" ")})`);
  const started = Date.now();
  const res = await run("npm", args, tmp);
  if (res.code !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network/i.test(res.stderr);
    throw new InstallError(
      `typings: FAILED to install ${name} from the npm registry (npm ci exited ${res.code})` +
        (offline ? ": the registry looks unreachable" : "") +
        `.\nThe typings kit cannot judge fixtures without the real typings; nothing was skipped.\n` +
        `npm said:\n${tail(res.stderr || res.stdout)}`,
    );
  }
  fs.rmSync(loc.dir, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, loc.dir);
  } catch (e) {
    // Another process finished the same install first.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!installLocation(name).complete) throw e;
    return installLocation(name);
  }
  fs.writeFileSync(path.join(loc.dir, ".complete"), `${new Date().toISOString()}\n`);
  log(`typings: installed ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return installLocation(name);
}

/** Installs the named entries (two at a time) unless cached; resolves to their locations. */
export async function ensureInstalled(names, log = (m) => process.stderr.write(`${m}\n`)) {
  const unique = [...new Set(names)];
  const out = new Map();
  const queue = [...unique];
  const workers = Array.from({ length: Math.min(2, queue.length) }, async () => {
    while (queue.length) {
      const name = queue.shift();
      out.set(name, await installOne(name, log));
    }
  });
  await Promise.all(workers);
  return out;
}

async function relock(name, log) {
  const dir = path.join(INSTALLS_DIR, name);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "alchemy-ls-lock-"));
  fs.copyFileSync(path.join(dir, "package.json"), path.join(tmp, "package.json"));
  log(`typings: locking ${name}`);
  const res = await run("npm", ["install", "--package-lock-only", ...NPM_FLAGS], tmp);
  if (res.code !== 0) {
    throw new InstallError(`typings: FAILED to lock ${name} (npm exited ${res.code}):\n${tail(res.stderr || res.stdout)}`);
  }
  fs.copyFileSync(path.join(tmp, "package-lock.json"), path.join(dir, "package-lock.json"));
  fs.rmSync(tmp, { recursive: true, force: true });
}

async function main() {
  const args = process.argv.slice(2);
  const lock = args.includes("--lock");
  const names = args.filter((a) => !a.startsWith("--"));
  const selected = names.length ? names : listInstalls();
  for (const n of selected) {
    if (!listInstalls().includes(n)) throw new InstallError(`unknown install entry ${n}; known: ${listInstalls().join(", ")}`);
  }
  if (lock) {
    for (const n of selected) await relock(n, (m) => process.stderr.write(`${m}\n`));
    return;
  }
  const started = Date.now();
  const locs = await ensureInstalled(selected);
  for (const n of selected) process.stdout.write(`${n}\t${locs.get(n).dir}\n`);
  process.stderr.write(`typings: ${selected.length} installs ready in ${((Date.now() - started) / 1000).toFixed(1)} s (cache ${cacheRoot()})\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`${e instanceof InstallError ? e.message : e.stack}\n`);
    process.exit(1);
  });
}
