// Where the alchemy-ls binary comes from, in order:
//   1. the `alchemy-ls.server.path` setting (exclusively: when it is set, nothing else is tried);
//   2. the project's `node_modules/.bin/alchemy-ls` (the version CI runs), in trusted workspaces
//      only: the npm launcher is resolved to the native binary it would run, so that no Node is
//      needed and no extra process sits between the editor and the server;
//   3. the binary bundled in the extension (`server/alchemy-ls`);
//   4. `alchemy-ls` on PATH.
// No `vscode` import: unit-tested under plain Node (test/lookup.test.ts).
import * as fs from "node:fs";
import * as path from "node:path";

export type ServerSource = "setting" | "project" | "bundled" | "path";

export interface Candidate {
  path: string;
  source: ServerSource;
}

export interface LookupInput {
  /** The `alchemy-ls.server.path` setting ("" when unset). */
  setting: string;
  /** Workspace folder paths, first first. */
  folders: string[];
  home: string;
  extensionPath: string;
  envPath: string;
  /** Whether the workspace is trusted: a project binary is only run in a trusted workspace. */
  trusted: boolean;
  platform?: NodeJS.Platform;
  arch?: string;
  /** The process environment's ALCHEMY_LS_BINARY (the npm launcher's override). */
  binaryOverride?: string;
}

export interface Lookup {
  /** What to try, best first (each is checked with `--version` before it is used). */
  candidates: Candidate[];
  /** Set when `alchemy-ls.server.path` names something that is not an executable file. */
  badSetting?: string;
}

export function exeName(platform: NodeJS.Platform = process.platform): string {
  return platform === "win32" ? "alchemy-ls.exe" : "alchemy-ls";
}

export function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `~`, `${workspaceFolder}` and relative paths (to the first folder) of the setting. */
export function expandSetting(setting: string, folders: string[], home: string): string {
  let p = setting.trim();
  if (p === "~" || p.startsWith("~/")) {
    p = path.join(home, p.slice(1));
  }
  const folder = folders[0];
  if (folder) {
    p = p.replace(/\$\{workspaceFolder\}/g, folder);
  }
  if (!path.isAbsolute(p) && folder) {
    p = path.join(folder, p);
  }
  return p;
}

export function findOnPath(name: string, envPath: string): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

interface PlatformEntry {
  package: string;
}

/** The platform keys of the npm launcher (`npm/alchemy-ls/bin/alchemy-ls`), best first. */
function platformKeys(platforms: Record<string, PlatformEntry>, platform: string, arch: string): string[] {
  const base = `${platform}-${arch}`;
  const keys = platform === "linux" ? [base, `${base}-musl`] : [base];
  return keys.filter((k) => platforms[k]);
}

/** Node's module lookup of `pkg/rel` from directory `from` (walking up `node_modules`). */
function resolveFrom(from: string, pkg: string, rel: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, "node_modules", pkg, rel);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return undefined;
    }
    dir = parent;
  }
}

/**
 * The native binary behind a project's `node_modules/.bin/alchemy-ls`: when it is the npm
 * launcher (its package directory holds `platforms.json`), the platform package's binary as
 * the launcher would find it (honouring ALCHEMY_LS_BINARY); when it is a native binary, itself;
 * otherwise (a package manager's shell wrapper) the wrapper, which is run as it is.
 */
export function projectBinary(
  folder: string,
  opts: { platform?: NodeJS.Platform; arch?: string; binaryOverride?: string } = {},
): string | undefined {
  const platform = opts.platform ?? process.platform;
  const arch = opts.arch ?? process.arch;
  const bin = path.join(folder, "node_modules", ".bin", exeName(platform));
  if (!isExecutable(bin)) {
    return undefined;
  }
  let real: string;
  try {
    real = fs.realpathSync(bin);
  } catch {
    return undefined;
  }
  const pkgDir = path.dirname(path.dirname(real));
  const platformsFile = path.join(pkgDir, "platforms.json");
  if (!fs.existsSync(platformsFile)) {
    return bin;
  }
  if (opts.binaryOverride) {
    return isExecutable(opts.binaryOverride) ? opts.binaryOverride : undefined;
  }
  let platforms: Record<string, PlatformEntry>;
  try {
    platforms = JSON.parse(fs.readFileSync(platformsFile, "utf8")) as Record<string, PlatformEntry>;
  } catch {
    return bin;
  }
  for (const key of platformKeys(platforms, platform, arch)) {
    const native = resolveFrom(pkgDir, platforms[key].package, path.join("bin", exeName(platform)));
    if (native && isExecutable(native)) {
      return native;
    }
  }
  // The launcher without its platform package: running it only prints why.
  return undefined;
}

export function lookup(input: LookupInput): Lookup {
  const platform = input.platform ?? process.platform;
  const setting = input.setting.trim();
  if (setting) {
    const p = expandSetting(setting, input.folders, input.home);
    return isExecutable(p) ? { candidates: [{ path: p, source: "setting" }] } : { candidates: [], badSetting: p };
  }
  const candidates: Candidate[] = [];
  if (input.trusted) {
    for (const folder of input.folders) {
      const p = projectBinary(folder, { platform, arch: input.arch, binaryOverride: input.binaryOverride });
      if (p) {
        candidates.push({ path: p, source: "project" });
        break;
      }
    }
  }
  const bundled = path.join(input.extensionPath, "server", exeName(platform));
  if (isExecutable(bundled)) {
    candidates.push({ path: bundled, source: "bundled" });
  }
  const onPath = findOnPath(exeName(platform), input.envPath);
  if (onPath) {
    candidates.push({ path: onPath, source: "path" });
  }
  return { candidates };
}
