#!/usr/bin/env node
// Generates the npm packages from built binaries:
//
//   node npm/build.mjs --out DIR [--binary PLATFORM=PATH]... [--version V]
//
// DIR/alchemy-ls/ is the main package (the launcher, exact-pinned optionalDependencies on every
// platform package of npm/alchemy-ls/platforms.json); DIR/cli-PLATFORM/ is the package of each
// binary given (`os`/`cpu`/`libc` set, the binary in bin/). The version, license and repository
// come from the workspace Cargo.toml unless --version is given. `npm pack` or `npm publish` each
// directory; publish the platform packages before the main one.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
const main = path.join(here, "alchemy-ls");
const platforms = JSON.parse(fs.readFileSync(path.join(main, "platforms.json"), "utf8"));

function die(message) {
  process.stderr.write(`npm/build.mjs: ${message}\n`);
  process.exit(2);
}

/** `[workspace.package]` fields of Cargo.toml (simple `key = "value"` lines). */
export function workspacePackage(text) {
  const section = text.split(/^\[workspace\.package\]\s*$/m)[1];
  if (!section) die("Cargo.toml has no [workspace.package]");
  const body = section.split(/^\[/m)[0];
  const fields = {};
  for (const m of body.matchAll(/^([a-z-]+)\s*=\s*"([^"]*)"\s*$/gm)) fields[m[1]] = m[2];
  return fields;
}

function parseArgs(argv) {
  const args = { binaries: {}, out: null, version: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? die(`${a} needs a value`);
    if (a === "--out") args.out = value();
    else if (a === "--version") args.version = value();
    else if (a === "--binary") {
      const [platform, file] = value().split(/=(.*)/s);
      if (!platforms[platform]) die(`unknown platform ${platform} (known: ${Object.keys(platforms).join(", ")})`);
      if (!file || !fs.existsSync(file)) die(`--binary ${platform}: no file ${file}`);
      args.binaries[platform] = file;
    } else die(`unknown argument ${a}`);
  }
  if (!args.out) die("--out DIR is required");
  return args;
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function build() {
  const args = parseArgs(process.argv.slice(2));
  const cargo = workspacePackage(fs.readFileSync(path.join(repo, "Cargo.toml"), "utf8"));
  const version = args.version ?? cargo.version;
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version ?? "")) die(`bad version ${version}`);
  const common = {
    version,
    license: cargo.license,
    repository: { type: "git", url: `git+${cargo.repository}.git` },
    homepage: cargo.repository,
  };
  const out = path.resolve(args.out);
  fs.rmSync(out, { recursive: true, force: true });

  const mainOut = path.join(out, "alchemy-ls");
  fs.mkdirSync(path.join(mainOut, "bin"), { recursive: true });
  fs.copyFileSync(path.join(main, "bin", "alchemy-ls"), path.join(mainOut, "bin", "alchemy-ls"));
  fs.chmodSync(path.join(mainOut, "bin", "alchemy-ls"), 0o755);
  for (const f of ["platforms.json", "README.md"]) fs.copyFileSync(path.join(main, f), path.join(mainOut, f));
  fs.copyFileSync(path.join(repo, "LICENSE"), path.join(mainOut, "LICENSE"));
  writeJson(path.join(mainOut, "package.json"), {
    name: "alchemy-ls",
    ...common,
    description: "Language server and CI checker for Alchemy v2 stacks (prebuilt binaries)",
    keywords: ["alchemy", "cloudflare", "effect", "lsp", "language-server", "linter"],
    bin: { "alchemy-ls": "bin/alchemy-ls" },
    main: "bin/alchemy-ls",
    files: ["bin/alchemy-ls", "platforms.json", "README.md", "LICENSE"],
    engines: { node: ">=18" },
    optionalDependencies: Object.fromEntries(Object.values(platforms).map((p) => [p.package, version])),
  });

  for (const [key, file] of Object.entries(args.binaries)) {
    const p = platforms[key];
    const dir = path.join(out, `cli-${key}`);
    const exe = p.os === "win32" ? "alchemy-ls.exe" : "alchemy-ls";
    fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
    fs.copyFileSync(file, path.join(dir, "bin", exe));
    fs.chmodSync(path.join(dir, "bin", exe), 0o755);
    fs.copyFileSync(path.join(repo, "LICENSE"), path.join(dir, "LICENSE"));
    fs.writeFileSync(
      path.join(dir, "README.md"),
      `# ${p.package}\n\nThe \`alchemy-ls\` binary for ${key} (${p.target}). Install \`alchemy-ls\`, not this package: it picks the right one.\n`,
    );
    writeJson(path.join(dir, "package.json"), {
      name: p.package,
      ...common,
      description: `The alchemy-ls binary for ${key}`,
      os: [p.os],
      cpu: [p.cpu],
      ...(p.libc ? { libc: [p.libc] } : {}),
      files: [`bin/${exe}`, "README.md", "LICENSE"],
      preferUnplugged: true,
    });
  }
  process.stdout.write(`${out}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) build();
