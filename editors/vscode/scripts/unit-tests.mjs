#!/usr/bin/env node
// Unit tests of the extension's code that runs without VS Code (src/lookup.ts, version.ts,
// crashes.ts, patterns.ts, graphView.ts, the package manifest): each test/*.test.ts is bundled by
// esbuild into out-test/ and run by `node --test`. `vscode` is left external, so a tested module
// that imports it fails loudly ("Cannot find module 'vscode'") instead of being stubbed.
//
//   npm test            (node scripts/unit-tests.mjs [--test-name-pattern ...])
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(here, "out-test");
const tests = readdirSync(join(here, "test")).filter((f) => f.endsWith(".test.ts"));
if (tests.length === 0) {
  console.error("unit-tests: no test/*.test.ts");
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
await esbuild.build({
  entryPoints: tests.map((f) => join(here, "test", f)),
  bundle: true,
  outdir: out,
  outExtension: { ".js": ".cjs" },
  external: ["vscode"],
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: "inline",
  logLevel: "warning",
});
const files = tests.map((f) => join(out, f.replace(/\.ts$/, ".cjs")));
const r = spawnSync(process.execPath, ["--enable-source-maps", "--test", ...process.argv.slice(2), ...files], {
  stdio: "inherit",
  cwd: here,
});
process.exit(r.status ?? 1);
