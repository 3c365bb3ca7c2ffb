// Alchemy for VS Code: starts `alchemy-ls serve` in Alchemy workspaces and adds the commands
// Go to Host, Show Stack Graph, Restart Server and Show Output.
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import { importsAlchemy, isAlchemyWorkspace, isTypeScript } from "./activation";
import { SECTION, serverSettings } from "./config";
import { showGraph } from "./graph";
import { goToHost, showLocations } from "./locations";
import { findServer, type ServerBinary } from "./serverPath";
import { Status } from "./status";

let client: LanguageClient | undefined;
let binary: ServerBinary | undefined;
let output: vscode.OutputChannel;
let status: Status;
let started = false;

const INSTALL_HINT =
  "Set alchemy-ls.server.path, install the Alchemy extension build that bundles the server, " +
  "or put alchemy-ls on PATH (cargo install --path server in the alchemy-ls repository).";
const SETTING_HINT = "Fix alchemy-ls.server.path, or clear it to use the bundled server or alchemy-ls from PATH.";

async function reportMissing(badSetting?: string): Promise<void> {
  const message = badSetting
    ? `Alchemy: alchemy-ls.server.path is "${badSetting}", which is not an executable file.`
    : "Alchemy: the alchemy-ls language server was not found (no setting, no bundled binary, not on PATH).";
  const hint = badSetting ? SETTING_HINT : INSTALL_HINT;
  status.set("missing", hint);
  output.appendLine(`${message} ${hint}`);
  const choice = await vscode.window.showErrorMessage(`${message} ${hint}`, "Open Settings", "Show Output");
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "alchemy-ls.server.path");
  } else if (choice === "Show Output") {
    output.show(true);
  }
}

function createClient(bin: ServerBinary): LanguageClient {
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
    middleware: {
      workspace: {
        // Answer `workspace/configuration` for section `alchemy-ls` with exactly the keys the
        // server reads.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return params.items.map((item, i) =>
            item.section === SECTION
              ? serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : result[i],
          );
        },
      },
    },
  };
  const c = new LanguageClient("alchemy-ls", "Alchemy", serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    const detail = `\`${bin.path}\` (${bin.source})`;
    if (e.newState === State.Running) {
      status.set("running", detail);
    } else if (e.newState === State.Starting) {
      status.set("starting", detail);
    } else {
      status.set("stopped", detail);
    }
  });
  return c;
}

async function startServer(): Promise<void> {
  started = true;
  const lookup = findServer(extensionContext.extensionPath);
  binary = lookup.binary;
  if (!binary) {
    await reportMissing(lookup.badSetting);
    return;
  }
  output.appendLine(`Starting ${binary.path} serve (${binary.source})`);
  status.set("starting", `\`${binary.path}\` (${binary.source})`);
  client = createClient(binary);
  try {
    await client.start();
  } catch (err) {
    status.set("failed", `\`${binary.path}\` did not start: ${err instanceof Error ? err.message : err}`);
    output.appendLine(`alchemy-ls failed to start: ${err instanceof Error ? err.message : err}`);
    void vscode.window
      .showErrorMessage(`Alchemy: alchemy-ls (${binary.path}) failed to start.`, "Show Output")
      .then((choice) => choice && output.show(true));
  }
}

async function stopServer(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
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

let extensionContext: vscode.ExtensionContext;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionContext = context;
  output = vscode.window.createOutputChannel("Alchemy");
  status = new Status();
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("alchemy-ls.goToHost", () => goToHost(client)),
    vscode.commands.registerCommand("alchemy-ls.showGraph", () =>
      showGraph(context, binary?.path ?? findServer(context.extensionPath).binary?.path),
    ),
    vscode.commands.registerCommand("alchemy-ls.restartServer", restartServer),
    vscode.commands.registerCommand("alchemy-ls.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("alchemy-ls.showLocations", (uri, position, locations) =>
      showLocations(client, uri, position, locations),
    ),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration(SECTION) || !started) {
        return;
      }
      if (e.affectsConfiguration(`${SECTION}.server.path`)) {
        await restartServer();
      } else if (client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: { [SECTION]: serverSettings() },
        });
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
