// Bundles src/extension.ts (with vscode-languageclient) into dist/extension.js and the stack
// graph webview's script into dist/graph.js, and copies the mermaid browser bundle into dist/.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const watch = process.argv.includes("--watch");
const production = !watch;

mkdirSync(join(here, "dist"), { recursive: true });
copyFileSync(
  join(dirname(require.resolve("mermaid/package.json")), "dist", "mermaid.min.js"),
  join(here, "dist", "mermaid.min.js"),
);

const options = {
  entryPoints: [join(here, "src", "extension.ts")],
  bundle: true,
  outfile: join(here, "dist", "extension.js"),
  external: ["vscode"],
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: !production,
  minify: production,
  logLevel: "info",
};

// The Stack Graph webview's script (runs in the webview, next to dist/mermaid.min.js).
const webview = {
  entryPoints: [join(here, "src", "webview", "graph.ts")],
  bundle: true,
  outfile: join(here, "dist", "graph.js"),
  format: "iife",
  platform: "browser",
  target: "es2022",
  sourcemap: !production,
  minify: production,
  logLevel: "info",
};

if (watch) {
  for (const o of [options, webview]) {
    const ctx = await esbuild.context(o);
    await ctx.watch();
  }
} else {
  await esbuild.build(options);
  await esbuild.build(webview);
}
