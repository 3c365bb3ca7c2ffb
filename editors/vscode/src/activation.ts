// The cheap check that decides whether this workspace is an Alchemy workspace: an
// `alchemy.run.ts`, or a TypeScript file (open, or among the first workspace files) importing
// `alchemy` (or a configured extra package). Elsewhere the extension stays silent.
import * as vscode from "vscode";
import { alchemyPackages } from "./config";
import { importPattern } from "./patterns";

const EXCLUDE = "{**/node_modules/**,**/.git/**,**/dist/**,**/target/**}";
const SCAN_LIMIT = 200;
const HEAD_BYTES = 8192;

export function isTypeScript(doc: vscode.TextDocument): boolean {
  return doc.languageId === "typescript" || doc.languageId === "typescriptreact";
}

export function importsAlchemy(text: string): boolean {
  return importPattern(alchemyPackages()).test(text);
}

/** Whether the workspace (or an open document) looks like an Alchemy project. */
export async function isAlchemyWorkspace(): Promise<boolean> {
  for (const doc of vscode.workspace.textDocuments) {
    if (isTypeScript(doc) && importsAlchemy(doc.getText())) {
      return true;
    }
  }
  if (!vscode.workspace.workspaceFolders?.length) {
    return false;
  }
  const stacks = await vscode.workspace.findFiles("**/alchemy.run.ts", EXCLUDE, 1);
  if (stacks.length > 0) {
    return true;
  }
  const files = await vscode.workspace.findFiles("**/*.{ts,tsx,mts,cts}", EXCLUDE, SCAN_LIMIT);
  const pattern = importPattern(alchemyPackages());
  for (const uri of files) {
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      const head = new TextDecoder().decode(bytes.subarray(0, HEAD_BYTES));
      if (pattern.test(head)) {
        return true;
      }
    } catch {
      // Unreadable file: skip.
    }
  }
  return false;
}
