#!/usr/bin/env node
// The script of the alchemy-ls GitHub Action (action.yml): installs the alchemy-ls version the
// project pins (or `version`), runs `alchemy-ls check` with annotations, the step summary and,
// when the installed alchemy-ls supports it, `--baseline` for pull requests. Reads the inputs
// from INPUT_* and GitHub's GITHUB_WORKSPACE, GITHUB_BASE_REF, GITHUB_STEP_SUMMARY,
// GITHUB_OUTPUT and RUNNER_TEMP; runs in the working directory. ALCHEMY_LS_BINARY skips the
// install and runs that binary.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const log = (m) => process.stderr.write(`alchemy-ls action: ${m}\n`);

/** The version of alchemy-ls that `dir` (or an ancestor up to `stop`) pins, and where. */
export function detectVersion(dir, stop) {
  const root = path.resolve(stop ?? path.parse(dir).root);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const found = fromLockfiles(d);
    if (found) return found;
    if (d === root || path.dirname(d) === d) break;
  }
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const pkg = read(path.join(d, "package.json"));
    if (pkg) {
      try {
        const j = JSON.parse(pkg);
        const spec = j.devDependencies?.["alchemy-ls"] ?? j.dependencies?.["alchemy-ls"];
        if (spec) return { version: spec, source: path.join(d, "package.json") };
      } catch {
        // not JSON: ignore
      }
    }
    if (d === root || path.dirname(d) === d) break;
  }
  return { version: "latest", source: null };
}

function read(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/** Exact versions from the lockfiles of one directory. */
export function fromLockfiles(d) {
  const npm = read(path.join(d, "package-lock.json"));
  if (npm) {
    try {
      const v = JSON.parse(npm).packages?.["node_modules/alchemy-ls"]?.version;
      if (v) return { version: v, source: path.join(d, "package-lock.json") };
    } catch {
      // ignore
    }
  }
  const bun = read(path.join(d, "bun.lock"));
  const bunMatch = bun && /"alchemy-ls":\s*\[\s*"alchemy-ls@([^"]+)"/.exec(bun);
  if (bunMatch) return { version: bunMatch[1], source: path.join(d, "bun.lock") };
  const pnpm = read(path.join(d, "pnpm-lock.yaml"));
  const pnpmMatch = pnpm && /^\s+'?\/?alchemy-ls@(\d[^:'(\s]*)'?:/m.exec(pnpm);
  if (pnpmMatch) return { version: pnpmMatch[1], source: path.join(d, "pnpm-lock.yaml") };
  const yarn = read(path.join(d, "yarn.lock"));
  const yarnMatch = yarn && /^"?alchemy-ls@[^\n]*:\n(?:\s+[^\n]*\n)*?\s+version:?\s+"?([^"\n]+)"?/m.exec(yarn);
  if (yarnMatch) return { version: yarnMatch[1], source: path.join(d, "yarn.lock") };
  return null;
}

/** Whitespace-separated words; "double" or 'single' quotes group. */
export function splitArgs(s) {
  const out = [];
  for (const m of (s ?? "").matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function install(version) {
  const temp = process.env.RUNNER_TEMP || os.tmpdir();
  const prefix = path.join(temp, `alchemy-ls-${version.replace(/[^\w.-]/g, "_")}`);
  const bin = path.join(prefix, "node_modules", ".bin", process.platform === "win32" ? "alchemy-ls.cmd" : "alchemy-ls");
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(prefix, { recursive: true });
    fs.writeFileSync(path.join(prefix, "package.json"), '{ "private": true }\n');
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const r = spawnSync(
      npm,
      ["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error", `alchemy-ls@${version}`],
      // npm's report goes to stderr: stdout carries the annotations only
      { cwd: prefix, stdio: ["ignore", 2, 2], shell: process.platform === "win32" },
    );
    if (r.status !== 0) {
      log(`npm install alchemy-ls@${version} failed`);
      process.exit(2);
    }
  }
  return bin;
}

function git(args, cwd) {
  return spawnSync("git", args, { cwd, encoding: "utf8" });
}

/** The baseline revision to pass, or null. */
function baseline(bin, cwd) {
  const baseRef = process.env.GITHUB_BASE_REF;
  const rev = process.env.INPUT_BASELINE || (baseRef ? `origin/${baseRef}` : "");
  if (!rev) return null;
  const help = spawnSync(bin, ["check", "--help"], { encoding: "utf8" });
  // `--baseline` itself, not `--baseline-dir`
  if (!/(^|\s)--baseline(?![\w-])/m.test(`${help.stdout}`)) {
    log(`not comparing with ${rev}: this alchemy-ls has no --baseline`);
    return null;
  }
  const exists = () => git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], cwd).status === 0;
  if (!exists() && baseRef && !process.env.INPUT_BASELINE) {
    // actions/checkout fetches only the merge commit: fetch the base branch.
    git(["fetch", "--no-tags", "--depth=100", "origin", `+refs/heads/${baseRef}:refs/remotes/origin/${baseRef}`], cwd);
  }
  if (!exists()) {
    log(`not comparing with ${rev}: no such revision (fetch it, e.g. actions/checkout with fetch-depth: 0)`);
    return null;
  }
  return rev;
}

function main() {
  const cwd = process.cwd();
  let bin = process.env.ALCHEMY_LS_BINARY;
  if (bin) {
    log(`running ${bin} (ALCHEMY_LS_BINARY)`);
  } else {
    let version = process.env.INPUT_VERSION;
    if (version) {
      log(`alchemy-ls@${version} (input version)`);
    } else {
      const found = detectVersion(cwd, process.env.GITHUB_WORKSPACE);
      version = found.version;
      log(`alchemy-ls@${version} (${found.source ? path.relative(cwd, found.source) || found.source : "nothing pinned"})`);
    }
    bin = install(version);
  }

  const args = ["check", ...splitArgs(process.env.INPUT_ARGS || ".")];
  args.push("--format", process.env.INPUT_FORMAT || "github");
  if ((process.env.INPUT_STEP_SUMMARY ?? "true") !== "false" && process.env.GITHUB_STEP_SUMMARY) {
    args.push("--step-summary", process.env.GITHUB_STEP_SUMMARY);
  }
  const rev = baseline(bin, cwd);
  const extra = rev ? ["--baseline", rev] : [];
  log(`alchemy-ls ${[...args, ...extra].join(" ")}`);
  const r = spawnSync(bin, [...args, ...extra], { stdio: "inherit" });
  const code = r.status ?? 2;

  if (process.env.INPUT_SARIF_FILE) {
    const sarifArgs = ["check", ...splitArgs(process.env.INPUT_ARGS || "."), "--format", "sarif", ...extra];
    const s = spawnSync(bin, sarifArgs, { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "inherit"] });
    if (s.status === 2 || !s.stdout) {
      log("the SARIF run failed");
    } else {
      fs.writeFileSync(process.env.INPUT_SARIF_FILE, s.stdout);
      log(`SARIF written to ${process.env.INPUT_SARIF_FILE}`);
    }
  }
  if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, `exit-code=${code}\n`);
  process.exit(code);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
