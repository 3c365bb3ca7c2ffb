// Where the alchemy-ls binary comes from: the `alchemy-ls.server.path` setting, else the binary
// bundled in the extension (`server/alchemy-ls`), else `alchemy-ls` on PATH.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { SECTION } from "./config";

export type ServerSource = "setting" | "bundled" | "path";

export interface ServerBinary {
  path: string;
  source: ServerSource;
}

export interface ServerLookup {
  binary?: ServerBinary;
  /** Set when `alchemy-ls.server.path` names a file that is not an executable. */
  badSetting?: string;
}

const EXE = process.platform === "win32" ? "alchemy-ls.exe" : "alchemy-ls";

function isExecutable(file: string): boolean {
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

function expand(setting: string): string {
  let p = setting.trim();
  if (p === "~" || p.startsWith("~/")) {
    p = path.join(os.homedir(), p.slice(1));
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder) {
    p = p.replace(/\$\{workspaceFolder\}/g, folder);
  }
  if (!path.isAbsolute(p) && folder) {
    p = path.join(folder, p);
  }
  return p;
}

export function findOnPath(name: string, envPath = process.env.PATH ?? ""): string | undefined {
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

export function findServer(extensionPath: string): ServerLookup {
  const setting = vscode.workspace.getConfiguration(SECTION).get<string>("server.path", "").trim();
  if (setting) {
    const p = expand(setting);
    return isExecutable(p) ? { binary: { path: p, source: "setting" } } : { badSetting: p };
  }
  const bundled = path.join(extensionPath, "server", EXE);
  if (isExecutable(bundled)) {
    return { binary: { path: bundled, source: "bundled" } };
  }
  const onPath = findOnPath(EXE);
  if (onPath) {
    return { binary: { path: onPath, source: "path" } };
  }
  return {};
}
