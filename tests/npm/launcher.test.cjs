// The launcher's platform choice (node --test): every platform of platforms.json is reachable,
// musl and glibc pick their packages, unknown platforms have none.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const path = require("node:path");

const launcher = require(path.join(__dirname, "../../npm/alchemy-ls/bin/alchemy-ls"));

test("glibc Linux prefers the glibc build, then the static musl one", () => {
  assert.deepStrictEqual(launcher.candidates("linux", "x64", "glibc"), ["linux-x64", "linux-x64-musl"]);
  assert.deepStrictEqual(launcher.candidates("linux", "arm64", "glibc"), ["linux-arm64", "linux-arm64-musl"]);
});

test("musl Linux takes only the musl build", () => {
  assert.deepStrictEqual(launcher.candidates("linux", "x64", "musl"), ["linux-x64-musl"]);
  assert.deepStrictEqual(launcher.candidates("linux", "arm64", "musl"), ["linux-arm64-musl"]);
});

test("macOS and Windows", () => {
  for (const os of ["darwin", "win32"]) {
    for (const arch of ["x64", "arm64"]) {
      assert.deepStrictEqual(launcher.candidates(os, arch, null), [`${os}-${arch}`]);
    }
  }
});

test("unsupported platforms have no package", () => {
  assert.deepStrictEqual(launcher.candidates("freebsd", "x64", null), []);
  assert.deepStrictEqual(launcher.candidates("linux", "ia32", "glibc"), []);
});

test("every platform package is reachable from some platform", () => {
  const reachable = new Set();
  for (const os of ["linux", "darwin", "win32"]) {
    for (const arch of ["x64", "arm64"]) {
      for (const c of os === "linux" ? ["glibc", "musl"] : [null]) {
        for (const k of launcher.candidates(os, arch, c)) reachable.add(k);
      }
    }
  }
  assert.deepStrictEqual([...reachable].sort(), Object.keys(launcher.PLATFORMS).sort());
  for (const [key, p] of Object.entries(launcher.PLATFORMS)) {
    assert.strictEqual(p.package, `@alchemy-ls/cli-${key}`);
  }
});

test("this machine: glibc Linux x64 is detected", { skip: process.platform !== "linux" }, () => {
  const glibc = Boolean(process.report.getReport().header.glibcVersionRuntime);
  const musl = require("node:fs").readdirSync("/lib").some((f) => f.startsWith("ld-musl-"));
  assert.strictEqual(launcher.libc(), glibc || !musl ? "glibc" : "musl");
});
