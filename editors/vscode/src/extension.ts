// Alchemy for VS Code: starts `alchemy-ls serve` in Alchemy workspaces and adds the commands
// Go to Host, Show Stack Graph, Restart Server and Show Output.
//
// Every problem the user must act on is one notification of this extension's own (the language
// client library's notifications are only logged): a wrong `server.path` ("Open Settings"), a
// server that is not alchemy-ls or of an older version, and a server that keeps crashing
// ("Restart", after MAX_RESTARTS quiet restarts).
import * as vscode from "vscode";
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import { importsAlchemy, isAlchemyWorkspace, isTypeScript } from "./activation";
import { SECTION, serverSettings } from "./config";
import { CrashTracker, WINDOW_MS } from "./crashes";
import { GraphPanel } from "./graph";
import { goToHost, showLocations } from "./locations";
import { type Candidate, findServer } from "./serverPath";
import { Status } from "./status";
import { compatibility, parseVersion, probe, type Version } from "./version";

/** A language client whose library messages go to the output only. */
class AlchemyClient extends LanguageClient {
  override info(message: string, data?: unknown): void {
    super.info(message, data, false);
  }
  override warn(message: string, data?: unknown): void {
    super.warn(message, data, false);
  }
  override error(message: string, data?: unknown): void {
    super.error(message, data, false);
  }
}

interface Running {
  binary: Candidate;
  version: Version;
}

let client: LanguageClient | undefined;
let running: Running | undefined;
let output: vscode.OutputChannel;
let status: Status;
let started = false;
let extensionContext: vscode.ExtensionContext;
const crashes = new CrashTracker();
const dead = new WeakSet<LanguageClient>();
let crashMessageShown = false;

const INSTALL_HINT =
  "Set alchemy-ls.server.path, install the Alchemy extension build that bundles the server, " +
  "add alchemy-ls to the project (npm install -D alchemy-ls), " +
  "or put alchemy-ls on PATH (cargo install --path server in the alchemy-ls repository).";

const SOURCE_NAMES: Record<Candidate["source"], string> = {
  setting: "alchemy-ls.server.path",
  project: "the project's node_modules",
  bundled: "bundled with the extension",
  path: "PATH",
};

function describe(binary: Candidate): string {
  return `\`${binary.path}\` (${SOURCE_NAMES[binary.source]})`;
}

/** Opens the settings UI on `alchemy-ls.server.path`, in the scope the value comes from. */
async function openPathSetting(): Promise<void> {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string>("server.path");
  const command =
    inspected?.workspaceFolderValue !== undefined || inspected?.workspaceValue !== undefined
      ? "workbench.action.openWorkspaceSettings"
      : "workbench.action.openSettings";
  await vscode.commands.executeCommand(command, { query: `${SECTION}.server.path` });
}

async function notify(
  kind: "error" | "warning",
  message: string,
  actions: Record<string, () => unknown>,
): Promise<void> {
  const show = kind === "error" ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  const choice = await show(message, ...Object.keys(actions));
  if (choice) {
    await actions[choice]();
  }
}

const showOutput = (): void => output.show(true);

async function reportBadSetting(file: string, reason: string): Promise<void> {
  const message = `Alchemy: alchemy-ls.server.path is "${file}", but ${reason}. Fix the setting, or clear it to use the bundled server.`;
  status.set("missing", message);
  output.appendLine(message);
  await notify("error", message, { "Open Settings": openPathSetting, "Show Output": showOutput });
}

async function reportMissing(reasons: string[]): Promise<void> {
  const message = "Alchemy: no runnable alchemy-ls language server was found.";
  status.set("missing", `${message} ${INSTALL_HINT}`);
  output.appendLine(`${message} ${INSTALL_HINT}`);
  for (const r of reasons) {
    output.appendLine(`  ${r}`);
  }
  await notify("error", `${message} ${INSTALL_HINT}`, { "Open Settings": openPathSetting, "Show Output": showOutput });
}

/** One warning when the server's version does not fit the extension's. */
function checkVersion(binary: Candidate, server: Version): void {
  const ext = parseVersion(String((extensionContext.extension.packageJSON as { version?: string }).version ?? ""));
  if (!ext) {
    return;
  }
  const c = compatibility(server, ext);
  output.appendLine(`alchemy-ls ${server.text} ${describe(binary)}; extension ${ext.text} (${c.kind})`);
  if (c.kind === "same" || c.kind === "newer") {
    return;
  }
  const what =
    c.kind === "older"
      ? `is older than the extension (${ext.text}): some features may be missing`
      : `does not match the extension (${ext.text}): requests may fail`;
  const fix =
    binary.source === "setting"
      ? "Point alchemy-ls.server.path at a matching build, or clear it to use the bundled server."
      : binary.source === "project"
        ? "Update the project's alchemy-ls (npm install -D alchemy-ls@latest) or the extension."
        : "Update alchemy-ls on PATH or the extension.";
  const actions: Record<string, () => unknown> =
    binary.source === "setting" ? { "Open Settings": openPathSetting, "Show Output": showOutput } : { "Show Output": showOutput };
  void notify("warning", `Alchemy: alchemy-ls ${server.text} at ${binary.path} ${what}. ${fix}`, actions);
}

/** The first candidate whose `--version` says it is alchemy-ls. */
async function pickServer(): Promise<Running | undefined> {
  const found = findServer(extensionContext.extensionPath);
  if (found.badSetting) {
    await reportBadSetting(found.badSetting, "that is not an executable file");
    return undefined;
  }
  const reasons: string[] = [];
  for (const candidate of found.candidates) {
    const p = await probe(candidate.path);
    if (p.ok) {
      if (reasons.length > 0) {
        const message = `Alchemy: using ${describe(candidate)}; ${reasons.join("; ")}.`;
        output.appendLine(message);
        void notify("warning", message, { "Show Output": showOutput });
      }
      return { binary: candidate, version: p.version };
    }
    if (candidate.source === "setting") {
      await reportBadSetting(candidate.path, p.reason);
      return undefined;
    }
    reasons.push(`${describe(candidate)} was skipped: ${p.reason}`);
  }
  await reportMissing(reasons);
  return undefined;
}

function createClient(bin: Candidate): LanguageClient {
  const serverOptions: ServerOptions = {
    run: { command: bin.path, args: ["serve"] },
    debug: { command: bin.path, args: ["serve"] },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "typescript" },
      { scheme: "file", language: "typescriptreact" },
    ],
    initializationOptions: () => serverSettings(),
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // Restarts are the extension's (serverDied), not the library's: one policy, one message.
    errorHandler: {
      error: (_error, _message, count) => ({
        action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
        handled: true,
      }),
      closed: () => {
        serverDied(c, "the server process exited");
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
    initializationFailedHandler: (error) => {
      output.appendLine(`alchemy-ls initialization failed: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
    middleware: {
      workspace: {
        // Answer `workspace/configuration` for section `alchemy-ls` with exactly the keys the
        // server reads.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return params.items.map((item, i): unknown =>
            item.section === SECTION
              ? serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : result[i],
          );
        },
      },
    },
  };
  const c: LanguageClient = new AlchemyClient("alchemy-ls", "Alchemy", serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    if (c !== client) {
      return;
    }
    const detail = running ? `alchemy-ls ${running.version.text}, ${describe(running.binary)}` : describe(bin);
    if (e.newState === State.Running) {
      status.set("running", detail);
      GraphPanel.refreshOpen();
    } else if (e.newState === State.Starting) {
      status.set("starting", detail);
    } else if (!dead.has(c)) {
      status.set("stopped", detail);
    }
  });
  return c;
}

/** The current client's server died (exited, or failed to start): restart it, or ask. */
function serverDied(c: LanguageClient, why: string): void {
  if (c !== client || dead.has(c)) {
    return;
  }
  dead.add(c);
  client = undefined;
  output.appendLine(`alchemy-ls stopped: ${why}`);
  if (crashes.record(Date.now())) {
    status.set("starting", `restarting after a crash (${crashes.count} in the last ${WINDOW_MS / 60000} minutes)`);
    setTimeout(() => {
      if (!client) {
        void startServer();
      }
    }, 500 * crashes.count);
    return;
  }
  const message = `Alchemy: the alchemy-ls server crashed ${crashes.count} times in the last ${WINDOW_MS / 60000} minutes and was stopped.`;
  status.set("crashed", `${message} The output has its last messages.`);
  if (crashMessageShown) {
    return;
  }
  crashMessageShown = true;
  void notify("error", message, {
    Restart: () => {
      crashes.reset();
      return restartServer();
    },
    "Show Output": showOutput,
  }).finally(() => (crashMessageShown = false));
}

async function startServer(): Promise<void> {
  started = true;
  running = await pickServer();
  if (!running) {
    return;
  }
  const { binary, version } = running;
  checkVersion(binary, version);
  output.appendLine(`Starting ${binary.path} serve (${SOURCE_NAMES[binary.source]})`);
  status.set("starting", `alchemy-ls ${version.text}, ${describe(binary)}`);
  const c = createClient(binary);
  client = c;
  try {
    await c.start();
  } catch (err) {
    serverDied(c, `it did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function stopServer(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    dead.add(c);
    try {
      await c.stop(5000);
    } catch {
      // Already dead: nothing to stop.
    }
  }
}

async function restartServer(): Promise<void> {
  await stopServer();
  await startServer();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionContext = context;
  output = vscode.window.createOutputChannel("Alchemy");
  status = new Status();
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("alchemy-ls.goToHost", () => goToHost(client)),
    vscode.commands.registerCommand("alchemy-ls.showGraph", () => GraphPanel.show(context, () => client)),
    vscode.commands.registerCommand("alchemy-ls.restartServer", () => {
      crashes.reset();
      return restartServer();
    }),
    vscode.commands.registerCommand("alchemy-ls.showOutput", showOutput),
    vscode.commands.registerCommand(
      "alchemy-ls.showLocations",
      (uri: string, position: { line: number; character: number }, locations: never[]) =>
        showLocations(client, uri, position, locations),
    ),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration(SECTION) || !started) {
        return;
      }
      if (e.affectsConfiguration(`${SECTION}.server.path`)) {
        crashes.reset();
        await restartServer();
      } else if (client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: serverSettings() },
        });
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      // A trusted workspace may run the project's own alchemy-ls.
      if (started && running?.binary.source !== "setting") {
        await restartServer();
      }
    }),
  );

  if (await isAlchemyWorkspace()) {
    await startServer();
    return;
  }
  // Not (yet) an Alchemy workspace: start as soon as a TypeScript file importing Alchemy opens.
  const watcher = vscode.workspace.onDidOpenTextDocument(async (doc) => {
    if (!started && isTypeScript(doc) && importsAlchemy(doc.getText())) {
      watcher.dispose();
      await startServer();
    }
  });
  context.subscriptions.push(watcher);
}

export async function deactivate(): Promise<void> {
  await stopServer();
}
