// "Alchemy: Show Stack Graph": `alchemy-ls graph <folder> --format mermaid`, drawn in a webview by
// the mermaid bundled with the extension (dist/mermaid.min.js; no network).
import { execFile } from "node:child_process";
import * as vscode from "vscode";

let panel: vscode.WebviewPanel | undefined;

function run(binary: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd, maxBuffer: 32 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
      // `graph` exits 0; any other exit with output on stdout still yields a graph.
      if (err && !stdout) {
        reject(new Error(stderr.trim() || err.message));
      } else {
        resolve(stdout);
      }
    });
  });
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = active && vscode.workspace.getWorkspaceFolder(active);
  if (folder) {
    return folder;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) {
    return folders[0];
  }
  return vscode.window.showWorkspaceFolderPick({ placeHolder: "Stack graph of which folder?" });
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function nonce(): string {
  let n = "";
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (let i = 0; i < 32; i++) {
    n += chars.charAt(Math.floor(Math.random() * chars.length));
  }
  return n;
}

export function graphHtml(webview: vscode.Webview, mermaidUri: vscode.Uri, source: string, title: string): string {
  const n = nonce();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${n}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style>
  body { padding: 12px; }
  #graph svg { max-width: 100%; height: auto; }
  #error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
  details { margin-top: 16px; }
  pre.source { white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
</style>
</head>
<body>
<h3>${escapeHtml(title)}</h3>
<div id="graph" data-state="pending"></div>
<div id="error"></div>
<details><summary>Mermaid source</summary><pre class="source" id="source">${escapeHtml(source)}</pre></details>
<script nonce="${n}" src="${mermaidUri.toString()}"></script>
<script nonce="${n}">
  (async () => {
    const graph = document.getElementById("graph");
    try {
      const dark = document.body.classList.contains("vscode-dark") || document.body.classList.contains("vscode-high-contrast");
      mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
      const { svg } = await mermaid.render("alchemy-graph", document.getElementById("source").textContent);
      graph.innerHTML = svg;
      graph.dataset.state = "rendered";
    } catch (e) {
      graph.dataset.state = "error";
      document.getElementById("error").textContent = "Could not draw the graph: " + (e && e.message ? e.message : e);
    }
  })();
</script>
</body>
</html>`;
}

export async function showGraph(context: vscode.ExtensionContext, binary: string | undefined): Promise<void> {
  if (!binary) {
    void vscode.window.showErrorMessage("Alchemy: alchemy-ls was not found, so the stack graph cannot be drawn.");
    return;
  }
  const folder = await pickFolder();
  if (!folder) {
    void vscode.window.showInformationMessage("Alchemy: open a folder to draw its stack graph.");
    return;
  }
  let source: string;
  try {
    source = await run(binary, ["graph", folder.uri.fsPath, "--format", "mermaid"], folder.uri.fsPath);
  } catch (err) {
    void vscode.window.showErrorMessage(`Alchemy: alchemy-ls graph failed: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const dist = vscode.Uri.joinPath(context.extensionUri, "dist");
  if (!panel) {
    panel = vscode.window.createWebviewPanel("alchemy-ls.graph", "Alchemy Stack Graph", vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [dist],
    });
    panel.onDidDispose(() => (panel = undefined));
  }
  const mermaidUri = panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, "mermaid.min.js"));
  panel.webview.html = graphHtml(panel.webview, mermaidUri, source, `Stack graph: ${folder.name}`);
  panel.reveal(undefined, true);
}
