// "Alchemy: Show Stack Graph": a webview on the server's `alchemy/graph` (the analysis of the
// open buffers, saved or not), redrawn when a TypeScript document changes, is saved, or the
// server's diagnostics change; a click opens the declaration or site in the editor. The
// Mermaid and DOT exports come from the same request.
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import * as lsp from "vscode-languageclient/node";
import type { GraphResult, Location } from "./graphModel";

export const GRAPH_REQUEST = new lsp.RequestType<{ format?: "json" | "mermaid" | "dot" }, GraphResult | string, void>(
  "alchemy/graph",
);

/** How long after the last keystroke the graph is asked for again. */
const DEBOUNCE_MS = 300;

function nonce(): string {
  let n = "";
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (let i = 0; i < 32; i++) {
    n += chars.charAt(Math.floor(Math.random() * chars.length));
  }
  return n;
}

export function graphHtml(webview: vscode.Webview, dist: vscode.Uri): string {
  const n = nonce();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${n}'`,
  ].join("; ");
  const script = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(dist, file)).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Alchemy Stack Graph</title>
<style>
  body { padding: 8px 12px; }
  header { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  header h3 { margin: 0 12px 0 0; }
  select, button { font: inherit; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); padding: 2px 6px; }
  button { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); cursor: pointer; }
  #count { opacity: 0.7; }
  #graph svg { max-width: 100%; height: auto; }
  #graph .clickable { cursor: pointer; }
  #graph g.node.clickable:hover rect, #graph g.node.clickable:hover path, #graph g.node.clickable:hover polygon { stroke-width: 3px; }
  #graph path.edge { pointer-events: stroke; }
  #graph path.edge.problem { stroke-dasharray: 6 3; }
  #error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
  #problems li.error a { color: var(--vscode-errorForeground); }
  #problems li.warning a { color: var(--vscode-editorWarning-foreground); }
</style>
</head>
<body>
<header>
  <h3 id="title">Alchemy Stack Graph</h3>
  <label>Show <select id="stack" aria-label="Stack"></select></label>
  <span id="count"></span>
  <button id="refresh" title="Ask the server again">Refresh</button>
  <button id="export-mermaid" title="Open the graph as Mermaid in an editor">Mermaid</button>
  <button id="export-dot" title="Open the graph as Graphviz DOT in an editor">DOT</button>
</header>
<div id="graph" data-state="pending"></div>
<div id="error"></div>
<ul id="problems"></ul>
<script nonce="${n}" src="${script("mermaid.min.js")}"></script>
<script nonce="${n}" src="${script("graph.js")}"></script>
</body>
</html>`;
}

export class GraphPanel implements vscode.Disposable {
  private static current: GraphPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;
  private disposed = false;
  private generation = 0;

  /** Shows (or reveals) the graph view. */
  static show(context: vscode.ExtensionContext, client: () => LanguageClient | undefined): GraphPanel {
    if (GraphPanel.current) {
      GraphPanel.current.panel.reveal(undefined, true);
      GraphPanel.current.refresh();
      return GraphPanel.current;
    }
    GraphPanel.current = new GraphPanel(context, client);
    return GraphPanel.current;
  }

  /** Asks the open view, if any, to follow a change (a restarted server). */
  static refreshOpen(): void {
    GraphPanel.current?.schedule();
  }

  private constructor(
    context: vscode.ExtensionContext,
    private readonly client: () => LanguageClient | undefined,
  ) {
    const dist = vscode.Uri.joinPath(context.extensionUri, "dist");
    this.panel = vscode.window.createWebviewPanel("alchemy-ls.graph", "Alchemy Stack Graph", vscode.ViewColumn.Beside, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [dist],
    });
    this.panel.webview.html = graphHtml(this.panel.webview, dist);
    this.subscriptions.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((msg: { type: string; location?: Location; format?: "mermaid" | "dot" }) =>
        this.receive(msg),
      ),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && isTypeScript(e.document)) {
          this.schedule();
        }
      }),
      vscode.workspace.onDidSaveTextDocument((d) => isTypeScript(d) && this.schedule()),
      vscode.languages.onDidChangeDiagnostics(() => this.schedule()),
    );
  }

  private async receive(msg: { type: string; location?: Location; format?: "mermaid" | "dot" }): Promise<void> {
    if (msg.type === "ready") {
      this.ready = true;
      this.refresh();
    } else if (msg.type === "refresh") {
      this.refresh();
    } else if (msg.type === "open" && msg.location) {
      const uri = vscode.Uri.parse(msg.location.uri);
      const r = msg.location.range;
      const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
      const column = vscode.window.visibleTextEditors[0]?.viewColumn ?? vscode.ViewColumn.One;
      await vscode.window.showTextDocument(uri, { selection: range, viewColumn: column, preview: false });
    } else if (msg.type === "export" && msg.format) {
      await this.export(msg.format);
    }
  }

  private schedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => this.refresh(), DEBOUNCE_MS);
  }

  private post(message: unknown): void {
    void this.panel.webview.postMessage(message);
  }

  /** Asks the server for the graph of the current analysis and posts it to the view. */
  refresh(): void {
    if (!this.ready) {
      return;
    }
    const c = this.client();
    if (!c || !c.isRunning()) {
      this.post({ type: "error", message: "The alchemy-ls server is not running (Alchemy: Restart Server)." });
      return;
    }
    const generation = ++this.generation;
    c.sendRequest(GRAPH_REQUEST, {}).then(
      (graph) => {
        // An older answer that arrives after a newer one is dropped.
        if (generation === this.generation && typeof graph === "object" && graph) {
          this.post({ type: "graph", graph, title: "Alchemy Stack Graph" });
        }
      },
      (err: unknown) => {
        if (generation === this.generation) {
          this.post({ type: "error", message: `alchemy/graph failed: ${err instanceof Error ? err.message : String(err)}` });
        }
      },
    );
  }

  private async export(format: "mermaid" | "dot"): Promise<void> {
    const c = this.client();
    if (!c?.isRunning()) {
      return;
    }
    try {
      const text = await c.sendRequest(GRAPH_REQUEST, { format });
      const content = typeof text === "string" ? text : JSON.stringify(text, null, 2);
      const doc = await vscode.workspace.openTextDocument({ content, language: "plaintext" });
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
    } catch (err) {
      void vscode.window.showErrorMessage(`Alchemy: graph export failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    if (GraphPanel.current === this) {
      GraphPanel.current = undefined;
    }
    if (this.timer) {
      clearTimeout(this.timer);
    }
    for (const s of this.subscriptions.splice(0)) {
      s.dispose();
    }
    this.panel.dispose();
  }
}

function isTypeScript(doc: vscode.TextDocument): boolean {
  return doc.languageId === "typescript" || doc.languageId === "typescriptreact";
}
