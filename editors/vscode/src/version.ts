// `alchemy-ls --version` before the server is started: proves the binary is alchemy-ls (a wrong
// `server.path` then gives one clear message instead of a crash loop) and compares its version
// with the extension's. No `vscode` import: unit-tested under plain Node (test/version.test.ts).
import { execFile } from "node:child_process";

export interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string;
  text: string;
}

/** The version in `alchemy-ls --version`'s output (`alchemy-ls 0.1.0`), or undefined. */
export function parseVersionOutput(stdout: string): Version | undefined {
  const m = /^alchemy-ls (\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?\s*$/m.exec(stdout);
  if (!m) {
    return undefined;
  }
  return parseVersion(`${m[1]}.${m[2]}.${m[3]}${m[4] ? `-${m[4]}` : ""}`);
}

export function parseVersion(text: string): Version | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(text.trim());
  if (!m) {
    return undefined;
  }
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ?? "", text: text.trim() };
}

/** Semver order (a pre-release sorts before its release; pre-releases compare as strings). */
export function compareVersions(a: Version, b: Version): number {
  for (const k of ["major", "minor", "patch"] as const) {
    if (a[k] !== b[k]) {
      return a[k] < b[k] ? -1 : 1;
    }
  }
  if (a.pre === b.pre) {
    return 0;
  }
  if (!a.pre || !b.pre) {
    return a.pre ? -1 : 1;
  }
  return a.pre < b.pre ? -1 : 1;
}

export type Compatibility =
  | { kind: "same" }
  /** The server is newer within the same release line: fine (logged). */
  | { kind: "newer" }
  /** The server is older than the extension: some requests may be missing. */
  | { kind: "older" }
  /** Another major (or, before 1.0, another minor) release line. */
  | { kind: "incompatible" };

export function compatibility(server: Version, extension: Version): Compatibility {
  const c = compareVersions(server, extension);
  if (c === 0) {
    return { kind: "same" };
  }
  const line = (v: Version): string => (v.major === 0 ? `0.${v.minor}` : `${v.major}`);
  if (line(server) !== line(extension)) {
    return { kind: "incompatible" };
  }
  return c < 0 ? { kind: "older" } : { kind: "newer" };
}

export type Probe = { ok: true; version: Version } | { ok: false; reason: string };

/** Runs `binary --version` (5 s at most) and reads its version. */
export function probe(binary: string, timeoutMs = 5000): Promise<Probe> {
  return new Promise((resolve) => {
    execFile(binary, ["--version"], { timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
      const out = String(stdout);
      const version = parseVersionOutput(out);
      if (version && !err) {
        resolve({ ok: true, version });
        return;
      }
      if (err && (err as NodeJS.ErrnoException).code && typeof (err as NodeJS.ErrnoException).code === "string") {
        resolve({ ok: false, reason: `it cannot be run (${(err as NodeJS.ErrnoException).code}: ${err.message})` });
        return;
      }
      if (err && err.killed) {
        resolve({ ok: false, reason: `\`--version\` did not answer within ${timeoutMs / 1000} s` });
        return;
      }
      const said = (out.trim() || String(stderr).trim()).split("\n")[0]?.slice(0, 120) ?? "";
      const exit = err ? `exited with ${err.code ?? "a signal"}` : "exited 0";
      resolve({
        ok: false,
        reason: said
          ? `it is not alchemy-ls: \`--version\` ${exit} and printed "${said}"`
          : `it is not alchemy-ls: \`--version\` ${exit} and printed nothing`,
      });
    });
  });
}
