// The extension's manifest and packaged files: what the marketplace and Open VSX show comes
// from the same place as the rest of the project (the workspace Cargo.toml).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";

const here = process.cwd();
const repo = resolve(here, "../..");
interface Manifest {
  name: string;
  version: string;
  license: string;
  icon: string;
  repository: { url: string; directory: string };
  bugs: { url: string };
  homepage: string;
  main: string;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    keybindings: { command: string; key: string; mac?: string; when?: string }[];
    menus: Record<string, { command: string }[]>;
  };
}
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8")) as Manifest;

/** `[workspace.package]` of Cargo.toml (simple `key = "value"` lines). */
function cargoPackage(): Record<string, string> {
  const text = readFileSync(join(repo, "Cargo.toml"), "utf8");
  const body = text.split(/^\[workspace\.package\]\s*$/m)[1].split(/^\[/m)[0];
  return Object.fromEntries([...body.matchAll(/^([a-z-]+)\s*=\s*"([^"]*)"\s*$/gm)].map((m) => [m[1], m[2]]));
}

test("version, license and links follow the workspace Cargo.toml", () => {
  const cargo = cargoPackage();
  assert.equal(pkg.version, cargo.version);
  assert.equal(pkg.license, cargo.license);
  assert.equal(pkg.license, "MIT");
  assert.equal(pkg.repository.url, `${cargo.repository}.git`);
  assert.equal(pkg.repository.directory, "editors/vscode");
  assert.equal(pkg.bugs.url, `${cargo.repository}/issues`);
  assert.equal(pkg.homepage, `${cargo.repository}/blob/main/docs/editors.md`);
});

test("the icon is a PNG of at least 128×128", () => {
  const png = readFileSync(join(here, pkg.icon));
  assert.equal(png.subarray(0, 8).toString("hex"), "89504e470d0a1a0a", "not a PNG");
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  assert.ok(width >= 128 && width === height, `icon is ${width}×${height}`);
});

test("the CHANGELOG has an entry for this version", () => {
  const changelog = readFileSync(join(here, "CHANGELOG.md"), "utf8");
  assert.match(changelog, new RegExp(`^## ${pkg.version.replace(/\./g, "\\.")}\\b`, "m"));
});

test("the packaged files include the icon, README, CHANGELOG, LICENSE and the server", () => {
  const ignore = readFileSync(join(here, ".vscodeignore"), "utf8").split("\n");
  for (const f of [pkg.icon, "README.md", "CHANGELOG.md", "LICENSE", "package.json", pkg.main.replace(/^\.\//, ""), "server/alchemy-ls"]) {
    assert.ok(ignore.includes(`!${f}`), `.vscodeignore does not keep ${f}`);
  }
});

test("commands have titles; keybindings and menus name contributed commands", () => {
  const ids = new Set(pkg.contributes.commands.map((c) => c.command));
  for (const c of pkg.contributes.commands) {
    assert.ok(c.title && c.category === "Alchemy", `${c.command} needs a title and the Alchemy category`);
  }
  const goToHost = pkg.contributes.keybindings.find((k) => k.command === "alchemy-ls.goToHost");
  assert.ok(goToHost, "no keybinding for Go to Host");
  assert.ok(goToHost.key && goToHost.mac && goToHost.when?.includes("editorTextFocus"));
  for (const k of pkg.contributes.keybindings) {
    assert.ok(ids.has(k.command), `keybinding for unknown command ${k.command}`);
  }
  for (const [menu, items] of Object.entries(pkg.contributes.menus)) {
    for (const item of items) {
      assert.ok(ids.has(item.command), `${menu} names unknown command ${item.command}`);
    }
  }
});

test("the README's images are in the repository", () => {
  const readme = readFileSync(join(here, "README.md"), "utf8");
  const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  assert.ok(images.length > 0, "the marketplace README shows no picture");
  for (const src of images) {
    assert.ok(!/^[a-z]+:/.test(src), `${src}: use a path in the repository (package.sh sets the base URL)`);
    assert.ok(existsSync(join(here, src)), `${src} does not exist`);
  }
});
