// The status bar item: server state at a glance; a click shows the output.
import * as vscode from "vscode";

export type ServerState = "starting" | "running" | "stopped" | "missing" | "crashed";

const ICONS: Record<ServerState, string> = {
  starting: "$(sync~spin)",
  running: "$(beaker)",
  stopped: "$(circle-slash)",
  missing: "$(warning)",
  crashed: "$(error)",
};

export class Status implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("alchemy-ls.status", vscode.StatusBarAlignment.Left, 10);
  state: ServerState = "stopped";

  constructor() {
    this.item.name = "Alchemy";
    this.item.command = "alchemy-ls.showOutput";
  }

  set(state: ServerState, detail: string): void {
    this.state = state;
    this.item.text = `${ICONS[state]} Alchemy`;
    this.item.tooltip = new vscode.MarkdownString(`**alchemy-ls**: ${state}\n\n${detail}\n\nClick to show the output.`);
    this.item.backgroundColor =
      state === "missing" || state === "crashed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    this.item.show();
    void vscode.commands.executeCommand("setContext", "alchemy-ls.running", state === "running");
  }

  dispose(): void {
    this.item.dispose();
  }
}
