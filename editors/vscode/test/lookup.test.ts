// Where the server binary comes from (src/lookup.ts), on real files laid out as npm, pnpm and
// bun install the alchemy-ls package (the launcher is the repository's npm/alchemy-ls).
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, test } from "node:test";
import { expandSetting, lookup, projectBinary } from "../src/lookup";

const repo = resolve(process.cwd(), "../..");
const tmp = mkdtempSync(join(tmpdir(), "alchemy-lookup-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const d = join(tmp, String(++n));
  mkdirSync(d, { recursive: true });
  return d;
};

function exe(file: string, body = "#!/bin/sh\necho alchemy-ls 0.1.0\n"): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, body);
  chmodSync(file, 0o755);
  return file;
}

/** The npm package `alchemy-ls` (launcher + platforms.json) under `dir`/alchemy-ls. */
function launcherPackage(dir: string): string {
  const pkg = join(dir, "alchemy-ls");
  mkdirSync(join(pkg, "bin"), { recursive: true });
  copyFileSync(join(repo, "npm/alchemy-ls/bin/alchemy-ls"), join(pkg, "bin/alchemy-ls"));
  chmodSync(join(pkg, "bin/alchemy-ls"), 0o755);
  copyFileSync(join(repo, "npm/alchemy-ls/platforms.json"), join(pkg, "platforms.json"));
  return join(pkg, "bin/alchemy-ls");
}

/** npm/bun: node_modules/.bin/alchemy-ls → ../alchemy-ls/bin/alchemy-ls, platform packages hoisted. */
function npmProject(platformPackages: string[]): { folder: string; natives: Record<string, string> } {
  const folder = fresh();
  const nm = join(folder, "node_modules");
  const launcher = launcherPackage(nm);
  mkdirSync(join(nm, ".bin"));
  symlinkSync("../alchemy-ls/bin/alchemy-ls", join(nm, ".bin/alchemy-ls"));
  const natives: Record<string, string> = {};
  for (const p of platformPackages) {
    natives[p] = exe(join(nm, "@alchemy-ls", p, "bin/alchemy-ls"));
  }
  assert.ok(launcher);
  return { folder, natives };
}

const linux = { platform: "linux" as const, arch: "x64" };

test("npm layout: the launcher is resolved to the platform package's native binary", () => {
  const { folder, natives } = npmProject(["cli-linux-x64", "cli-linux-x64-musl"]);
  assert.equal(projectBinary(folder, linux), natives["cli-linux-x64"]);
});

test("npm layout: a musl build is the fallback on glibc Linux", () => {
  const { folder, natives } = npmProject(["cli-linux-x64-musl"]);
  assert.equal(projectBinary(folder, linux), natives["cli-linux-x64-musl"]);
});

test("npm layout: the launcher without its platform package is not a candidate", () => {
  const { folder } = npmProject(["cli-linux-x64"]);
  assert.equal(projectBinary(folder, { platform: "darwin", arch: "arm64" }), undefined);
});

test("npm layout: ALCHEMY_LS_BINARY overrides the platform package, as in the launcher", () => {
  const { folder } = npmProject(["cli-linux-x64"]);
  const override = exe(join(fresh(), "my-alchemy-ls"));
  assert.equal(projectBinary(folder, { ...linux, binaryOverride: override }), override);
  assert.equal(projectBinary(folder, { ...linux, binaryOverride: join(tmp, "nope") }), undefined);
});

test("pnpm layout: the platform package next to the real package directory", () => {
  const folder = fresh();
  const store = join(folder, "node_modules/.pnpm/alchemy-ls@0.1.0/node_modules");
  launcherPackage(store);
  const native = exe(join(store, "@alchemy-ls/cli-linux-x64/bin/alchemy-ls"));
  mkdirSync(join(folder, "node_modules/.bin"), { recursive: true });
  symlinkSync(join(store, "alchemy-ls/bin/alchemy-ls"), join(folder, "node_modules/.bin/alchemy-ls"));
  assert.equal(projectBinary(folder, linux), native);
});

test("a shell wrapper in node_modules/.bin (not the launcher) is run as it is", () => {
  const folder = fresh();
  const wrapper = exe(join(folder, "node_modules/.bin/alchemy-ls"), '#!/bin/sh\nexec node "$0/../x" "$@"\n');
  assert.equal(projectBinary(folder, linux), wrapper);
});

test("no node_modules/.bin/alchemy-ls: no project candidate", () => {
  assert.equal(projectBinary(fresh(), linux), undefined);
});

test("order: project, bundled, PATH; the project only in a trusted workspace", () => {
  const { folder, natives } = npmProject(["cli-linux-x64"]);
  const ext = fresh();
  const bundled = exe(join(ext, "server/alchemy-ls"));
  const pathDir = fresh();
  const onPath = exe(join(pathDir, "alchemy-ls"));
  const base = { setting: "", folders: [fresh(), folder], home: tmp, extensionPath: ext, envPath: `/nonexistent:${pathDir}`, ...linux };
  assert.deepEqual(lookup({ ...base, trusted: true }).candidates, [
    { path: natives["cli-linux-x64"], source: "project" },
    { path: bundled, source: "bundled" },
    { path: onPath, source: "path" },
  ]);
  assert.deepEqual(lookup({ ...base, trusted: false }).candidates, [
    { path: bundled, source: "bundled" },
    { path: onPath, source: "path" },
  ]);
});

test("the setting is exclusive, and a setting that is not an executable is reported", () => {
  const { folder } = npmProject(["cli-linux-x64"]);
  const ext = fresh();
  exe(join(ext, "server/alchemy-ls"));
  const mine = exe(join(folder, "tools/alchemy-ls"));
  const base = { folders: [folder], home: tmp, extensionPath: ext, envPath: "", trusted: true, ...linux };
  assert.deepEqual(lookup({ ...base, setting: "tools/alchemy-ls" }), { candidates: [{ path: mine, source: "setting" }] });
  const notExe = join(folder, "tools/readme.txt");
  writeFileSync(notExe, "x");
  assert.deepEqual(lookup({ ...base, setting: notExe }), { candidates: [], badSetting: notExe });
  assert.deepEqual(lookup({ ...base, setting: "/nonexistent/alchemy-ls" }), {
    candidates: [],
    badSetting: "/nonexistent/alchemy-ls",
  });
});

test("the setting expands ~, ${workspaceFolder} and relative paths", () => {
  assert.equal(expandSetting("~/bin/alchemy-ls", ["/ws"], "/home/u"), "/home/u/bin/alchemy-ls");
  assert.equal(expandSetting("${workspaceFolder}/bin/x", ["/ws", "/other"], "/home/u"), "/ws/bin/x");
  assert.equal(expandSetting(" bin/x ", ["/ws"], "/home/u"), "/ws/bin/x");
  assert.equal(expandSetting("/abs/x", ["/ws"], "/home/u"), "/abs/x");
});
