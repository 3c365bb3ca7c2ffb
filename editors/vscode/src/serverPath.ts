// The server lookup (src/lookup.ts) fed from VS Code's settings, folders and workspace trust.
import * as os from "node:os";
import * as vscode from "vscode";
import { SECTION } from "./config";
import { type Lookup, lookup } from "./lookup";

export type { Candidate, ServerSource } from "./lookup";

export function findServer(extensionPath: string): Lookup {
  return lookup({
    setting: vscode.workspace.getConfiguration(SECTION).get<string>("server.path", ""),
    folders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    home: os.homedir(),
    extensionPath,
    envPath: process.env.PATH ?? "",
    trusted: vscode.workspace.isTrusted,
    binaryOverride: process.env.ALCHEMY_LS_BINARY,
  });
}
