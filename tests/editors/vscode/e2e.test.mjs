// End-to-end test of editors/vscode in a real VS Code (code-server 4.100.3), driven by Playwright
// with Debian's Chromium. Run through tests/editors/vscode/run.sh, which provides:
//   CODE_SERVER_ENTRY  code-server's out/node/entry.js (install-code-server.sh)
//   ALCHEMY_VSIX       the packaged extension (editors/vscode/scripts/package.sh)
//   ALCHEMY_ARTIFACTS  where screenshots go (default tests/artifacts/vscode)
// The steps share one code-server and one page and run in order.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const entry = process.env.CODE_SERVER_ENTRY;
const vsix = process.env.ALCHEMY_VSIX;
const artifacts = resolve(process.env.ALCHEMY_ARTIFACTS ?? join(repo, "tests/artifacts/vscode"));
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const T = Number(process.env.ALCHEMY_E2E_TIMEOUT_MS ?? 60_000);

let work, ws, server, serverLog = "", browser, context, page, baseUrl, extensionsDir;
let shot = 0;

async function screenshot(name) {
  shot += 1;
  const file = join(artifacts, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file }).catch(() => {});
  return file;
}

/** A test step that leaves a screenshot behind, named after the step (FAILED when it failed). */
function step(name, fn) {
  test(name, async () => {
    const slug = name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase();
    try {
      await fn();
      await screenshot(slug);
    } catch (err) {
      await screenshot(`${slug}-FAILED`);
      throw err;
    }
  });
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const lines = (rel) => readFileSync(join(ws, rel), "utf8").split("\n");

/** 1-based line and column of `needle` in a workspace file, `offset` characters into it. */
function locate(rel, needle, offset = 0) {
  const all = lines(rel);
  const i = all.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not found in ${rel}`);
  return { line: i + 1, col: all[i].indexOf(needle) + offset + 1 };
}

async function quickInput() {
  const widget = page.locator(".quick-input-widget");
  await widget.waitFor({ state: "visible", timeout: T });
  return widget;
}

async function closeQuickInput() {
  await page.keyboard.press("Escape");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: T });
}

/** Open a quick input with `key`, fill it with `value` and accept the focused row once it
 *  contains `rowText` (or at once when `rowText` is empty). */
async function quickAccept(key, value, rowText) {
  if (await page.locator(".quick-input-widget").isVisible()) {
    await closeQuickInput();
  }
  await page.keyboard.press(key);
  const widget = await quickInput();
  const input = widget.locator(".quick-input-box input");
  await input.fill(value);
  if (rowText) {
    await widget.locator(".monaco-list-row.focused", { hasText: rowText }).first().waitFor({ timeout: T });
  }
  await input.press("Enter");
}

async function runCommand(title) {
  await quickAccept("F1", `>${title}`, title);
}

async function openFile(rel) {
  const name = rel.split("/").pop();
  await quickAccept("Control+P", rel, name);
  await page.waitForFunction(
    (n) => document.querySelector(".tabs-container .tab.active .label-name")?.textContent?.trim() === n,
    name,
    { timeout: T },
  );
  await page.locator(".monaco-editor .view-lines").first().waitFor({ timeout: T });
}

async function waitCursorLine(line) {
  await page.waitForFunction(
    (want) => document.getElementById("status.editor.selection")?.textContent?.includes(want),
    `Ln ${line},`,
    { timeout: T },
  );
}

async function gotoLine(line, col) {
  await quickAccept("Control+G", `:${line}:${col}`, "");
  await page.waitForFunction(
    (want) => document.getElementById("status.editor.selection")?.textContent?.includes(want),
    `Ln ${line}, Col ${col}`,
    { timeout: T },
  );
}

async function cursorLine() {
  const text = await page.locator('[id="status.editor.selection"]').textContent();
  const m = /Ln (\d+)/.exec(text ?? "");
  return m ? Number(m[1]) : -1;
}

/** A new browser page showing VS Code on `folder`; it becomes the page the helpers drive. */
async function openWindow(folder) {
  const previous = page;
  page = await context.newPage();
  await page.goto(`${baseUrl}?folder=${encodeURIComponent(folder)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: T });
  await page.locator(".explorer-folders-view, .explorer-viewlet").first().waitFor({ timeout: T });
  if (previous) await previous.close();
}

before(async () => {
  assert.ok(entry, "CODE_SERVER_ENTRY is not set (run tests/editors/vscode/run.sh)");
  assert.ok(vsix, "ALCHEMY_VSIX is not set (run tests/editors/vscode/run.sh)");
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  work = mkdtempSync(join(tmpdir(), "alchemy-vscode-e2e-"));
  ws = join(work, "broken");
  cpSync(join(repo, "examples/broken"), ws, { recursive: true });
  // A workspace setting that must reach the server (workspace/configuration, initializationOptions).
  mkdirSync(join(ws, ".vscode"));
  writeFileSync(join(ws, ".vscode", "settings.json"), JSON.stringify({ "alchemy-ls.rules": { "duplicate-host": "info" } }));
  const userData = join(work, "user-data");
  const extensions = join(work, "extensions");
  extensionsDir = extensions;
  mkdirSync(join(userData, "User"), { recursive: true });
  writeFileSync(
    join(userData, "User", "settings.json"),
    JSON.stringify(
      {
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "workbench.enableExperiments": false,
        "workbench.colorTheme": "Default Dark Modern",
        "security.workspace.trust.enabled": false,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "extensions.ignoreRecommendations": true,
        "editor.wordBasedSuggestions": "off",
        "editor.snippetSuggestions": "none",
        "editor.minimap.enabled": false,
        "chat.commandCenter.enabled": false,
        "files.autoSave": "off",
        // The built-in TypeScript features (no TypeScript is installed for them here) must not
        // add their own squiggles or completions to what the test reads.
        "typescript.validate.enable": false,
        "typescript.suggest.enabled": false,
        "typescript.tsserver.web.projectWideIntellisense.enabled": false,
      },
      null,
      2,
    ),
  );
  // A PATH without alchemy-ls: the extension must use the binary bundled in the .vsix.
  const env = {
    ...process.env,
    PATH: (process.env.PATH ?? "")
      .split(":")
      .filter((d) => !existsSync(join(d, "alchemy-ls")))
      .join(":"),
    XDG_CONFIG_HOME: join(work, "config"),
    XDG_DATA_HOME: join(work, "data"),
    XDG_CACHE_HOME: join(work, "cache"),
  };
  const common = ["--user-data-dir", userData, "--extensions-dir", extensions];
  const inst = spawnSync("node", [entry, ...common, "--install-extension", vsix], { env, encoding: "utf8" });
  assert.equal(inst.status, 0, `--install-extension failed:\n${inst.stdout}\n${inst.stderr}`);
  assert.match(inst.stdout + inst.stderr, /successfully installed/i);

  const port = await freePort();
  server = spawn(
    "node",
    [
      entry,
      ...common,
      "--auth", "none",
      "--bind-addr", `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--disable-proxy",
      "--ignore-last-opened",
      ws,
    ],
    // Its own process group, so that the extension host and watchers end with it.
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  server.stdout.on("data", (d) => (serverLog += d));
  server.stderr.on("data", (d) => (serverLog += d));
  const started = Date.now();
  while (!/HTTP server listening/.test(serverLog)) {
    assert.ok(server.exitCode === null, `code-server exited:\n${serverLog}`);
    assert.ok(Date.now() - started < T, `code-server did not start:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  baseUrl = `http://127.0.0.1:${port}/`;
  await openWindow(ws);
});

after(async () => {
  await browser?.close().catch(() => {});
  if (server?.pid) {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  writeFileSync(join(artifacts, "code-server.log"), serverLog);
  if (work) rmSync(work, { recursive: true, force: true });
});

step("extension starts the bundled server", async () => {
  await openFile("src/workerB.ts");
  const item = page.locator(".statusbar-item", { hasText: "Alchemy" }).first();
  await item.waitFor({ timeout: T });
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll(".statusbar-item")].some(
        (e) => e.textContent?.includes("Alchemy") && e.querySelector(".codicon-beaker"),
      ),
    null,
    { timeout: T },
  );
});

step("squiggle and Problems entry for from-non-host", async () => {
  const { line } = locate("src/workerB.ts", "Counter.from(Api)");
  await gotoLine(line, 1);
  await page.locator(".monaco-editor .squiggly-error").first().waitFor({ timeout: T });
  await page.keyboard.press("Control+Shift+M");
  const row = page.locator(".markers-panel .monaco-list-row", { hasText: "from-non-host" }).first();
  await row.waitFor({ timeout: T });
  const text = (await row.textContent()) ?? "";
  assert.match(text, /Counter is hosted by WorkerA/, `Problems row: ${text}`);
  assert.match(text, new RegExp(`\\[Ln ${line}, Col \\d+\\]`), `Problems row: ${text}`);
});

step("settings reach the server (duplicate-host set to info)", async () => {
  const rows = page.locator(".markers-panel .monaco-list-row", { hasText: "duplicate-host" });
  await rows.first().waitFor({ timeout: T });
  const html = await rows.evaluateAll((els) => els.map((e) => e.innerHTML));
  assert.ok(html.length > 0);
  for (const h of html) {
    assert.ok(h.includes("codicon-info") && !h.includes("codicon-warning"), "duplicate-host is not shown as info");
  }
});

step("hover on the squiggle shows the diagnostic", async () => {
  const { line, col } = locate("src/workerB.ts", "Counter.from(Api)", "Counter.from(".length);
  await page.locator(".monaco-editor .view-lines").first().click();
  await gotoLine(line, col);
  await page.keyboard.press("Control+K");
  await page.keyboard.press("Control+I");
  const hover = page.locator(".monaco-hover", { hasText: "from-non-host" }).first();
  await hover.waitFor({ state: "visible", timeout: T });
  await page.keyboard.press("Escape");
});

step("completion after .from( lists only valid hosts", async () => {
  const { line, col } = locate("src/workerB.ts", "Counter.from(Api)", "Counter.from(".length);
  await gotoLine(line, col);
  for (let i = 0; i < "Api".length; i++) await page.keyboard.press("Delete");
  await page.keyboard.press("Control+Space");
  const rows = page.locator(".suggest-widget.visible .monaco-list-row");
  await rows.first().waitFor({ timeout: T });
  await page.waitForTimeout(500);
  const labels = (await rows.locator(".label-name").allTextContents()).map((s) => s.trim()).sort();
  await screenshot("completion-list");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+Z");
  assert.deepEqual(labels, ["WorkerA"]);
});

step("Go to Host jumps to the only host", async () => {
  await openFile("src/counter.ts");
  const { line, col } = locate("src/counter.ts", "class Counter", "class ".length);
  await gotoLine(line, col);
  await runCommand("Alchemy: Go to Host");
  await page.waitForFunction(
    () => document.querySelector(".tabs-container .tab.active .label-name")?.textContent?.trim() === "workerA.ts",
    null,
    { timeout: T },
  );
  const want = locate("src/workerA.ts", "export class WorkerA").line;
  await waitCursorLine(want).catch(() => {});
  assert.equal(await cursorLine(), want);
});

step("Go to Host offers every host in a quick pick", async () => {
  await openFile("src/workerB.ts");
  const { line, col } = locate("src/workerB.ts", "yield* Room", "yield* ".length);
  await gotoLine(line, col);
  await runCommand("Alchemy: Go to Host");
  const widget = await quickInput();
  const rows = widget.locator(".monaco-list-row");
  await page.waitForFunction(
    () => document.querySelectorAll(".quick-input-widget .monaco-list-row").length >= 2,
    null,
    { timeout: T },
  );
  const texts = (await rows.allTextContents()).join("\n");
  await screenshot("go-to-host-pick");
  await closeQuickInput();
  assert.equal(await rows.count(), 2, texts);
  assert.match(texts, /src\/workerA\.ts:\d+/);
  assert.match(texts, /src\/workerB\.ts:\d+/);
});

step("Go to Host by its keybinding (Ctrl+Alt+H)", async () => {
  await openFile("src/counter.ts");
  const { line, col } = locate("src/counter.ts", "class Counter", "class ".length);
  await page.locator(".monaco-editor .view-lines").first().click();
  await gotoLine(line, col);
  await page.keyboard.press("Control+Alt+H");
  await page.waitForFunction(
    () => document.querySelector(".tabs-container .tab.active .label-name")?.textContent?.trim() === "workerA.ts",
    null,
    { timeout: T },
  );
  const want = locate("src/workerA.ts", "export class WorkerA").line;
  await waitCursorLine(want).catch(() => {});
  assert.equal(await cursorLine(), want);
});

step("code lens opens the locations peek", async () => {
  await openFile("src/counter.ts");
  const lens = page.locator(".monaco-editor .codelens-decoration a", { hasText: "hosted by WorkerA" }).first();
  await lens.waitFor({ timeout: T });
  await lens.click();
  const peek = page.locator(".peekview-widget").first();
  await peek.waitFor({ state: "visible", timeout: T });
  await page.waitForFunction(
    () => document.querySelector(".peekview-widget")?.textContent?.includes("workerA.ts"),
    null,
    { timeout: T },
  );
  await screenshot("code-lens-peek");
  await page.keyboard.press("Escape");
});

// Not a check: the picture for the README (docs/images/vscode-extension.png), taken late so that
// the built-in TypeScript server has settled and the hover lists the quick fix.
test("README picture", async () => {
  await openFile("src/workerB.ts");
  const { line, col } = locate("src/workerB.ts", "Counter.from(Api)", "Counter.from(".length);
  await gotoLine(line, col);
  await page.keyboard.press("Control+K");
  await page.keyboard.press("Control+I");
  await page.locator(".monaco-hover", { hasText: "from-non-host" }).first().waitFor({ state: "visible", timeout: T });
  await page
    .waitForFunction(() => !document.querySelector(".monaco-hover")?.textContent?.includes("Checking for quick fixes"), null, {
      timeout: 15_000,
    })
    .catch(() => {});
  await screenshot("readme");
});

step("Show Stack Graph renders the graph", async () => {
  await runCommand("Alchemy: Show Stack Graph");
  const frame = page.frameLocator("iframe.webview.ready").frameLocator("iframe#active-frame");
  const svg = frame.locator('#graph[data-state="rendered"] svg');
  await svg.waitFor({ timeout: T });
  const text = (await svg.textContent()) ?? "";
  assert.match(text, /WorkerA/);
  assert.match(text, /Counter/);
});

step("stays silent outside Alchemy workspaces", async () => {
  const plain = join(work, "plain");
  mkdirSync(join(plain, "src"), { recursive: true });
  writeFileSync(join(plain, "package.json"), JSON.stringify({ name: "plain", private: true }));
  writeFileSync(join(plain, "src", "index.ts"), 'import { readFileSync } from "node:fs";\nexport const x = readFileSync;\n');
  await openWindow(plain);
  await openFile("src/index.ts");
  await page.waitForTimeout(5000);
  assert.equal(await page.locator(".statusbar-item", { hasText: "Alchemy" }).count(), 0, "Alchemy status item shown");
  assert.equal(await page.locator(".notification-toast", { hasText: "Alchemy" }).count(), 0, "Alchemy notification shown");
});

step("missing server: a notification with a fix", async () => {
  const missing = join(work, "missing");
  cpSync(join(repo, "examples/broken"), missing, { recursive: true });
  mkdirSync(join(missing, ".vscode"));
  writeFileSync(
    join(missing, ".vscode", "settings.json"),
    JSON.stringify({ "alchemy-ls.server.path": "/nonexistent/alchemy-ls" }),
  );
  await openWindow(missing);
  const toast = page.locator(".notification-toast", { hasText: "not an executable file" }).first();
  await toast.waitFor({ timeout: T });
  assert.match((await toast.textContent()) ?? "", /Open Settings/);
  await page.locator(".statusbar-item", { hasText: "Alchemy" }).locator(".codicon-warning").first().waitFor({ timeout: T });
});

// --- the server binary: packaging, lookup, version check, crashes ---

step("packaged for linux-x64 with icon, license and links (Open VSX-ready)", async () => {
  const read = spawnSync(
    "python3",
    ["-c", "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('extension.vsixmanifest').decode())", vsix],
    { encoding: "utf8" },
  );
  assert.equal(read.status, 0, read.stderr);
  const manifest = read.stdout;
  assert.match(manifest, /TargetPlatform="linux-x64"/);
  assert.match(manifest, /<License>extension\/LICENSE\.txt<\/License>/);
  assert.match(manifest, /<Icon>extension\/images\/icon\.png<\/Icon>/);
  assert.match(manifest, /Links\.Repository" Value="https:\/\/[^"]+"/);
  assert.match(manifest, /Links\.Support" Value="https:\/\/[^"]+\/issues"/);
  assert.match(manifest, /Content\.Changelog/);
});

/** The alchemy-ls the installed extension bundles (the real server, for the stand-ins below). */
function bundledServer() {
  const dir = readdirSync(extensionsDir).find((d) => d.startsWith("alchemy-ls.alchemy-ls-"));
  assert.ok(dir, `the extension is not in ${extensionsDir}`);
  const bin = join(extensionsDir, dir, "server", "alchemy-ls");
  assert.ok(existsSync(bin), `no bundled server at ${bin}`);
  return bin;
}

function script(file, body) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A copy of examples/broken with `settings` in .vscode/settings.json. */
function workspaceCopy(name, settings = {}) {
  const dir = join(work, name);
  cpSync(join(repo, "examples/broken"), dir, { recursive: true });
  mkdirSync(join(dir, ".vscode"), { recursive: true });
  writeFileSync(join(dir, ".vscode", "settings.json"), JSON.stringify(settings));
  return dir;
}

const toasts = (text) => page.locator(".notification-toast", { hasText: text });
const alchemyStatus = () => page.locator(".statusbar-item", { hasText: "Alchemy" }).first();

async function waitStatusIcon(codicon) {
  await alchemyStatus().locator(`.codicon-${codicon}`).waitFor({ timeout: T });
}

step("prefers the project's node_modules/.bin/alchemy-ls (npm layout, no Node needed)", async () => {
  const dir = workspaceCopy("project-bin");
  const nm = join(dir, "node_modules");
  // The npm package as npm installs it: .bin link → the launcher, platform package hoisted.
  mkdirSync(join(nm, "alchemy-ls", "bin"), { recursive: true });
  cpSync(join(repo, "npm/alchemy-ls/bin/alchemy-ls"), join(nm, "alchemy-ls/bin/alchemy-ls"));
  cpSync(join(repo, "npm/alchemy-ls/platforms.json"), join(nm, "alchemy-ls/platforms.json"));
  mkdirSync(join(nm, ".bin"));
  symlinkSync("../alchemy-ls/bin/alchemy-ls", join(nm, ".bin/alchemy-ls"));
  const marker = join(work, "project-bin-ran");
  script(
    join(nm, "@alchemy-ls/cli-linux-x64/bin/alchemy-ls"),
    `[ "$1" = serve ] && echo "$@" >> '${marker}'\nexec '${bundledServer()}' "$@"`,
  );
  await openWindow(dir);
  await openFile("src/workerB.ts");
  await waitStatusIcon("beaker");
  assert.equal(readFileSync(marker, "utf8").trim(), "serve", "the project's binary did not serve");
  await alchemyStatus().hover();
  await page.locator(".monaco-hover, .workbench-hover", { hasText: "the project's node_modules" }).first().waitFor({ timeout: T });
  await page.locator(".monaco-editor .squiggly-error").first().waitFor({ timeout: T });
});

step("a server.path that is not alchemy-ls: one message, Open Settings", async () => {
  const fake = script(join(work, "not-alchemy-ls"), 'echo "Something else 3.1"');
  await openWindow(workspaceCopy("wrong-path", { "alchemy-ls.server.path": fake }));
  const toast = toasts("alchemy-ls.server.path").first();
  await toast.waitFor({ timeout: T });
  const text = (await toast.textContent()) ?? "";
  assert.match(text, /it is not alchemy-ls: `--version` exited 0 and printed "Something else 3\.1"/);
  await page.waitForTimeout(3000);
  assert.equal(await toasts("Alchemy").count(), 1, "more than one Alchemy notification");
  await waitStatusIcon("warning");
  await screenshot("wrong-server-path");
  await toast.locator(".monaco-button", { hasText: "Open Settings" }).click();
  const search = page.locator(".settings-editor .suggest-input-container .view-lines");
  await search.waitFor({ timeout: T });
  await page.waitForFunction(
    () => document.querySelector(".settings-editor .suggest-input-container .view-lines")?.textContent?.includes("alchemy-ls.server.path"),
    null,
    { timeout: T },
  );
  await page.locator(".settings-editor .setting-item-contents", { hasText: "Server: Path" }).first().waitFor({ timeout: T });
});

step("an older server: one warning, and it still serves", async () => {
  const real = bundledServer();
  const old = script(
    join(work, "old-alchemy-ls"),
    `[ "$1" = --version ] && { echo "alchemy-ls 0.0.1"; exit 0; }\nexec '${real}' "$@"`,
  );
  await openWindow(workspaceCopy("old-server", { "alchemy-ls.server.path": old }));
  await openFile("src/workerB.ts");
  const toast = toasts("alchemy-ls 0.0.1").first();
  await toast.waitFor({ timeout: T });
  assert.match((await toast.textContent()) ?? "", /does not match the extension \(0\.1\.0\)/);
  await waitStatusIcon("beaker");
  await page.locator(".monaco-editor .squiggly-error").first().waitFor({ timeout: T });
  assert.equal(await toasts("Alchemy").count(), 1, "more than one Alchemy notification");
});

step("a crashing server: quiet restarts, then one message with Restart", async () => {
  const real = bundledServer();
  const count = join(work, "crash-count");
  writeFileSync(count, "");
  // Crashes on its first 4 starts (the extension restarts it 3 times), then serves.
  const crashing = script(
    join(work, "crashing-alchemy-ls"),
    [
      `[ "$1" = --version ] && exec '${real}' --version`,
      `echo x >> '${count}'`,
      `[ "$(wc -l < '${count}')" -le 4 ] && { echo "simulated crash" >&2; exit 101; }`,
      `exec '${real}' "$@"`,
    ].join("\n"),
  );
  await openWindow(workspaceCopy("crashing", { "alchemy-ls.server.path": crashing }));
  const toast = toasts("crashed").first();
  await toast.waitFor({ timeout: T });
  assert.match((await toast.textContent()) ?? "", /crashed 4 times in the last 3 minutes/);
  assert.equal(readFileSync(count, "utf8").trim().split("\n").length, 4, "not restarted exactly 3 times");
  await waitStatusIcon("error");
  assert.equal(await toasts("Alchemy").count(), 1, "more than one Alchemy notification");
  await screenshot("server-crashed");
  await toast.locator(".monaco-button", { hasText: "Restart" }).click();
  await waitStatusIcon("beaker");
  await openFile("src/workerB.ts");
  await page.locator(".monaco-editor .squiggly-error").first().waitFor({ timeout: T });
});
