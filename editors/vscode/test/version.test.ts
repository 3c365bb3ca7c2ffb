// `alchemy-ls --version` (src/version.ts): parsing, ordering, compatibility, and the probe on
// real processes (scripts standing in for wrong binaries; the real server when ALCHEMY_LS_BIN
// is set, as in .ci/run).
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { compareVersions, compatibility, parseVersion, parseVersionOutput, probe } from "../src/version";

const tmp = mkdtempSync(join(tmpdir(), "alchemy-version-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
function script(name: string, body: string): string {
  const f = join(tmp, name);
  writeFileSync(f, `#!/bin/sh\n${body}\n`);
  chmodSync(f, 0o755);
  return f;
}
const v = (s: string) => {
  const r = parseVersion(s);
  assert.ok(r, s);
  return r;
};

test("parses the server's --version line", () => {
  assert.equal(parseVersionOutput("alchemy-ls 0.1.0\n")?.text, "0.1.0");
  assert.equal(parseVersionOutput("alchemy-ls 1.2.3-beta.4\n")?.text, "1.2.3-beta.4");
  assert.equal(parseVersionOutput("eslint v10.0.0\n"), undefined);
  assert.equal(parseVersionOutput("alchemy-ls\n"), undefined);
  assert.equal(parseVersionOutput(""), undefined);
});

test("semver order", () => {
  const order = ["0.0.9", "0.1.0-beta.1", "0.1.0-beta.2", "0.1.0", "0.1.1", "0.2.0", "1.0.0"].map(v);
  for (let i = 0; i + 1 < order.length; i++) {
    assert.equal(compareVersions(order[i], order[i + 1]), -1, `${order[i].text} < ${order[i + 1].text}`);
    assert.equal(compareVersions(order[i + 1], order[i]), 1);
    assert.equal(compareVersions(order[i], order[i]), 0);
  }
});

test("compatibility with the extension's version", () => {
  assert.equal(compatibility(v("0.1.0"), v("0.1.0")).kind, "same");
  assert.equal(compatibility(v("0.1.3"), v("0.1.0")).kind, "newer");
  assert.equal(compatibility(v("0.1.0"), v("0.1.2")).kind, "older");
  assert.equal(compatibility(v("0.0.9"), v("0.1.0")).kind, "incompatible");
  assert.equal(compatibility(v("0.2.0"), v("0.1.0")).kind, "incompatible");
  assert.equal(compatibility(v("1.4.0"), v("1.2.0")).kind, "newer");
  assert.equal(compatibility(v("2.0.0"), v("1.2.0")).kind, "incompatible");
});

test("probe: alchemy-ls", async () => {
  const r = await probe(script("good", "echo 'alchemy-ls 0.1.0'"));
  assert.deepEqual(r.ok && r.version.text, "0.1.0");
});

test("probe: another program says what it printed", async () => {
  const r = await probe(script("other", "echo 'Something else 3.1'"));
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : "", /not alchemy-ls.*exited 0.*Something else 3\.1/);
});

test("probe: a failing program", async () => {
  const r = await probe(script("fails", "echo boom >&2; exit 3"));
  assert.match(!r.ok ? r.reason : "", /not alchemy-ls: `--version` exited with 3 and printed "boom"/);
});

test("probe: nothing there", async () => {
  const r = await probe(join(tmp, "missing"));
  assert.match(!r.ok ? r.reason : "", /cannot be run \(ENOENT/);
});

test("probe: a program that does not answer", async () => {
  const r = await probe(script("hangs", "sleep 5"), 300);
  assert.match(!r.ok ? r.reason : "", /did not answer within 0\.3 s/);
});

test("probe: the real server has the extension's version", { skip: !process.env.ALCHEMY_LS_BIN && "ALCHEMY_LS_BIN not set" }, async () => {
  const r = await probe(process.env.ALCHEMY_LS_BIN ?? "");
  assert.ok(r.ok, !r.ok ? r.reason : "");
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
  assert.equal(r.version.text, pkg.version);
});
