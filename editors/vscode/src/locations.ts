// Go to Host (`alchemy/hosts`) and the code lens command `alchemy-ls.showLocations`.
import * as path from "node:path";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import * as lsp from "vscode-languageclient/node";

export const HOSTS_REQUEST = new lsp.RequestType<lsp.TextDocumentPositionParams, lsp.Location[] | null, void>(
  "alchemy/hosts",
);

function describe(loc: vscode.Location): string {
  const folder = vscode.workspace.getWorkspaceFolder(loc.uri);
  const file = folder ? path.relative(folder.uri.fsPath, loc.uri.fsPath) : loc.uri.fsPath;
  return `${file}:${loc.range.start.line + 1}`;
}

async function reveal(loc: vscode.Location): Promise<void> {
  const editor = await vscode.window.showTextDocument(loc.uri, { preview: false });
  editor.selection = new vscode.Selection(loc.range.start, loc.range.start);
  editor.revealRange(loc.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

async function lineText(loc: vscode.Location): Promise<string> {
  try {
    const doc = await vscode.workspace.openTextDocument(loc.uri);
    return doc.lineAt(loc.range.start.line).text.trim();
  } catch {
    return "";
  }
}

export interface NamedLocation {
  name: string;
  location: lsp.Location;
}

/** `alchemy/goToHost` (docs/lsp.md): where Go to Host leads, and what is wrong when it leads
 *  nowhere or somewhere else than the code says. */
export interface GoToHostResult {
  hosts: NamedLocation[];
  message?: string | null;
  named?: NamedLocation | null;
}

export const GO_TO_HOST_REQUEST = new lsp.RequestType<lsp.TextDocumentPositionParams, GoToHostResult | null, void>(
  "alchemy/goToHost",
);

/** The answer of a server without `alchemy/goToHost` (older than the extension). */
async function viaHosts(client: LanguageClient, params: lsp.TextDocumentPositionParams): Promise<GoToHostResult> {
  const result = await client.sendRequest(HOSTS_REQUEST, params);
  return { hosts: (result ?? []).map((location) => ({ name: "", location })) };
}

/** "Alchemy: Go to Host": jump to the one host, pick among several; when the code is wrong
 *  (a `.from(Api)` where Api hosts nothing of the kind) or nothing hosts the resource, say so
 *  and offer the real host. */
export async function goToHost(client: LanguageClient | undefined): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage("Alchemy: open a TypeScript file and put the cursor on a resource.");
    return;
  }
  if (!client || !client.isRunning()) {
    void vscode.window.showWarningMessage("Alchemy: the alchemy-ls server is not running.");
    return;
  }
  const params = client.code2ProtocolConverter.asTextDocumentPositionParams(
    editor.document,
    editor.selection.active,
  );
  let result: GoToHostResult;
  try {
    result = (await client.sendRequest(GO_TO_HOST_REQUEST, params)) ?? { hosts: [] };
  } catch (err) {
    if (err instanceof lsp.ResponseError && err.code === lsp.ErrorCodes.MethodNotFound) {
      result = await viaHosts(client, params);
    } else {
      void vscode.window.showErrorMessage(`Alchemy: Go to Host failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
  }
  const asLocation = (l: lsp.Location): vscode.Location => client.protocol2CodeConverter.asLocation(l);
  if (result.message) {
    // Something is wrong at the cursor: say what, and offer the real host(s).
    const actions = new Map<string, vscode.Location>();
    for (const h of result.hosts.slice(0, 3)) {
      actions.set(`Go to ${h.name || describe(asLocation(h.location))}`, asLocation(h.location));
    }
    if (result.named) {
      actions.set(`Go to ${result.named.name}`, asLocation(result.named.location));
    }
    const show = result.hosts.length > 0 || result.named ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const choice = await show(`Alchemy: ${result.message}`, ...actions.keys());
    const target = choice ? actions.get(choice) : undefined;
    if (target) {
      await reveal(target);
    }
    return;
  }
  const locations = result.hosts.map((h) => asLocation(h.location));
  if (locations.length === 0) {
    void vscode.window.showInformationMessage("Alchemy: no host found at the cursor.");
    return;
  }
  if (locations.length === 1) {
    await reveal(locations[0]);
    return;
  }
  const items = await Promise.all(
    locations.map(async (loc) => ({ label: describe(loc), detail: await lineText(loc), loc })),
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: "Alchemy: Go to Host",
    placeHolder: `${locations.length} Workers host this resource`,
    matchOnDetail: true,
  });
  if (picked) {
    await reveal(picked.loc);
  }
}

/** `alchemy-ls.showLocations` [uri, position, locations] (server code lenses) → the peek view. */
export async function showLocations(
  client: LanguageClient | undefined,
  uri: string,
  position: lsp.Position,
  locations: lsp.Location[],
): Promise<void> {
  const p2c = client?.protocol2CodeConverter;
  const vUri = vscode.Uri.parse(uri);
  const vPos = new vscode.Position(position.line, position.character);
  const vLocs = (locations ?? []).map((l) =>
    p2c
      ? p2c.asLocation(l)
      : new vscode.Location(
          vscode.Uri.parse(l.uri),
          new vscode.Range(l.range.start.line, l.range.start.character, l.range.end.line, l.range.end.character),
        ),
  );
  await vscode.commands.executeCommand("editor.action.showReferences", vUri, vPos, vLocs);
}
