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

/** "Alchemy: Go to Host": jump to the one host, pick among several, or say there is none. */
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
  let result: lsp.Location[] | null;
  try {
    result = await client.sendRequest(HOSTS_REQUEST, params);
  } catch (err) {
    void vscode.window.showErrorMessage(`Alchemy: Go to Host failed: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const locations = (result ?? []).map((l) => client.protocol2CodeConverter.asLocation(l));
  if (locations.length === 0) {
    const word = editor.document.getText(editor.document.getWordRangeAtPosition(editor.selection.active));
    void vscode.window.showInformationMessage(
      word ? `Alchemy: no Worker hosts ${word}.` : "Alchemy: no host found at the cursor.",
    );
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
