import assert from "node:assert/strict";
import { test } from "node:test";
import { importPattern } from "../src/patterns";

test("imports of alchemy and configured packages, with subpaths", () => {
  const p = importPattern(["alchemy", "@acme/alchemy"]);
  for (const yes of [
    'import * as Alchemy from "alchemy";',
    "import { Worker } from 'alchemy/cloudflare';",
    'export { x } from "alchemy/cloudflare/worker";',
    'const a = require("alchemy");',
    'import "@acme/alchemy";',
  ]) {
    assert.ok(p.test(yes), yes);
  }
  for (const no of ['import x from "alchemy-ls";', 'import x from "@other/alchemy";', 'import x from "not-alchemy";', "// alchemy"]) {
    assert.ok(!p.test(no), no);
  }
});

test("package names are matched literally", () => {
  assert.ok(!importPattern(["a.b"]).test('import x from "axb";'));
});
