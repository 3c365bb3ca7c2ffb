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

/** Wait until the active editor tab is the file named `name`. */
async function waitActiveTab(name) {
  await page.waitForFunction(
    (n) => document.querySelector(".tabs-container .tab.active .label-name")?.textContent?.trim() === n,
    name,
    { timeout: T },
  );
}

async function openFile(rel) {
  const name = rel.split("/").pop();
  await quickAccept("Control+P", rel, name);
  await waitActiveTab(name);
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

const toasts = (text) => page.locator(".notification-toast", { hasText: text });
const alchemyStatus = () => page.locator(".statusbar-item", { hasText: "Alchemy" }).first();

async function waitStatusIcon(codicon) {
  await alchemyStatus().locator(`.codicon-${codicon}`).waitFor({ timeout: T });
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
  await waitActiveTab("workerA.ts");
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
  await waitActiveTab("workerA.ts");
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

/** The lines of the active editor as shown (the files of these tests fit on one screen). */
async function editorLines() {
  return page.evaluate(() => {
    const editor = document.querySelector(".editor-group-container.active .monaco-editor");
    const lines = [...(editor?.querySelectorAll(".view-lines .view-line") ?? [])];
    lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return lines.map((l) => (l.textContent ?? "").replace(/\u00a0/g, " "));
  });
}

/** Click a row of the code action menu. The menu lays a pointer block over the workbench that
 *  goes away when the pointer moves (as a user's does before clicking): move onto the row first. */
async function clickAction(item) {
  const box = await item.boundingBox();
  assert.ok(box, "the code action row is not visible");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 1);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await item.click();
}

/** The Stack Graph webview's document (inside the webview's two iframes). */
function graphFrame() {
  return page.frameLocator("iframe.webview.ready").frameLocator("iframe#active-frame");
}

async function graphRendered(after = 0) {
  await graphFrame()
    .locator(`#graph[data-state="rendered"]`)
    .waitFor({ timeout: T });
  await page.waitForFunction(() => true);
  const frame = graphFrame();
  await frame.locator("#graph").evaluate(
    (el, n) => new Promise((res) => {
      const ok = () => Number(el.dataset.renders ?? 0) > n && el.dataset.state === "rendered";
      if (ok()) return res(true);
      const obs = new MutationObserver(() => ok() && (obs.disconnect(), res(true)));
      obs.observe(el, { attributes: true });
    }),
    after,
  );
  return Number(await frame.locator("#graph").getAttribute("data-renders"));
}

async function activeTab() {
  return page.evaluate(() => document.querySelector(".tabs-container .tab.active .label-name")?.textContent?.trim());
}

step("Go to Host on a wrong .from(Api) says so and offers the real host", async () => {
  await openFile("src/workerB.ts");
  const { line, col } = locate("src/workerB.ts", "Counter.from(Api)", "Counter.from(".length);
  await page.locator(".monaco-editor .view-lines").first().click();
  await gotoLine(line, col);
  await runCommand("Alchemy: Go to Host");
  const toast = toasts("does not host Counter").first();
  await toast.waitFor({ timeout: T });
  assert.match((await toast.textContent()) ?? "", /Counter is hosted by WorkerA/);
  await screenshot("go-to-host-wrong-from");
  await toast.locator(".monaco-button", { hasText: "Go to WorkerA" }).click();
  await waitActiveTab("workerA.ts");
  await waitCursorLine(locate("src/workerA.ts", "export class WorkerA").line);
});

step("References: one row per place, TypeScript's and Alchemy's merged", async () => {
  await openFile("src/counter.ts");
  const { line, col } = locate("src/counter.ts", "class Counter", "class ".length);
  await page.locator(".monaco-editor .view-lines").first().click();
  await gotoLine(line, col);
  await page.keyboard.press("Shift+F12");
  const peek = page.locator(".peekview-widget").first();
  await peek.waitFor({ state: "visible", timeout: T });
  // wait until both providers answered: TypeScript's import row and alchemy-ls' `yield* Counter`;
  // the peek expands only the first file, so expand the others as they come
  const deadline = Date.now() + T;
  for (;;) {
    const collapsed = page.locator('.peekview-widget .ref-tree .monaco-list-row[aria-expanded="false"]');
    while ((await collapsed.count()) > 0) {
      await collapsed.first().click();
    }
    const t = (await page.locator(".peekview-widget .ref-tree").textContent()) ?? "";
    // (a row shows its line from around the match: `CounterLive, { Counter } from …`)
    if (t.includes("CounterLive, { Counter }") && t.includes("yield* Counter;")) break;
    assert.ok(Date.now() < deadline, `references never listed both the import and the yield*:\n${t}`);
    await page.waitForTimeout(300);
  }
  const rows = await page.evaluate(() => {
    const tree = document.querySelector(".peekview-widget .ref-tree");
    const out = [];
    let file = "";
    for (const row of tree?.querySelectorAll(".monaco-list-row") ?? []) {
      const fileLabel = row.querySelector(".reference-file .label-name")?.textContent;
      if (fileLabel) {
        file = fileLabel.trim();
        continue;
      }
      out.push(`${file}: ${(row.textContent ?? "").trim()}`);
    }
    return out;
  });
  await screenshot("references");
  await page.keyboard.press("Escape");
  assert.ok(rows.length >= 4, rows.join("\n"));
  assert.equal(new Set(rows).size, rows.length, `duplicate rows:\n${rows.join("\n")}`);
});

step("Suppress on this line: a quick fix for every rule", async () => {
  await openFile("src/workerB.ts");
  const { line, col } = locate("src/workerB.ts", "Counter.from(Api)", "Counter.from(".length);
  await page.locator(".monaco-editor .view-lines").first().click();
  await gotoLine(line, col);
  await page.keyboard.press("Control+.");
  const item = page.locator(".action-widget .monaco-list-row", { hasText: "Suppress from-non-host on this line" }).first();
  await item.waitFor({ timeout: T });
  await screenshot("suppress-quick-fix");
  await clickAction(item);
  await page.waitForFunction(
    (want) => [...document.querySelectorAll(".editor-group-container.active .view-line")].some((l) => l.textContent?.replace(/\u00a0/g, " ").includes(want)),
    "// alchemy-ls-disable-next-line from-non-host",
    { timeout: T },
  );
  // the error on that line goes away (the other findings stay)
  await page.keyboard.press("Control+Shift+M");
  await page
    .locator(".markers-panel .monaco-list-row", { hasText: "from-non-host" })
    .first()
    .waitFor({ state: "detached", timeout: T });
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+Z");
  await page.locator(".markers-panel .monaco-list-row", { hasText: "from-non-host" }).first().waitFor({ timeout: T });
});

step("Inlay hints: the binding after .from(…)", async () => {
  await openFile("src/workerB.ts");
  // (VS Code shortens a hint to editor.inlayHints.maximumLength characters: "… there…")
  await page.waitForFunction(
    (want) => document.querySelector(".editor-group-container.active .view-lines")?.textContent?.replace(/\u00a0/g, " ").includes(want),
    "→ Api · Counter namespace (not hosted",
    { timeout: T },
  );
  await screenshot("inlay-hints");
});

step("Stack graph: live, clickable, wrong relations in red", async () => {
  await runCommand("Alchemy: Show Stack Graph");
  let renders = await graphRendered();
  const frame = graphFrame();
  const svgText = (await frame.locator("#graph svg").textContent()) ?? "";
  for (const name of ["WorkerA", "WorkerB", "Counter", "Api", "BrokenStack"]) {
    assert.ok(svgText.includes(name), `${name} missing from the graph: ${svgText}`);
  }
  // the wrong binding: a red edge, listed with its message (other edges of this example carry
  // warnings and infos: from-string-literal, duplicate-host)
  const marked = await frame.locator("#graph .problem").count();
  assert.ok(marked > 0, "no edge marked as a problem");
  const problem = frame.locator("#problems li", { hasText: "from-non-host" }).first();
  await problem.waitFor({ timeout: T });
  assert.match((await problem.textContent()) ?? "", /Api does not host Counter/);
  await screenshot("graph-view");
  // a node opens its declaration
  await frame.locator('g.node[data-name="Counter"]').first().click();
  await waitActiveTab("counter.ts");
  // an edge (its problem) opens the `.from(…)` site
  await problem.locator("a").click();
  await waitActiveTab("workerB.ts");
  await waitCursorLine(locate("src/workerB.ts", "Counter.from(Api)").line);
  // live: fix the binding without saving; the red edge goes
  const { line, col } = locate("src/workerB.ts", "Counter.from(Api)", "Counter.from(".length);
  await gotoLine(line, col);
  for (let i = 0; i < "Api".length; i++) await page.keyboard.press("Delete");
  await page.keyboard.type("WorkerA");
  renders = await graphRendered(renders);
  await page.waitForFunction(() => true);
  await frame.locator("#problems li", { hasText: "from-non-host" }).first().waitFor({ state: "detached", timeout: T });
  const after = await frame.locator("#graph .problem").count();
  assert.ok(after < marked, `the fixed binding is still marked (${after} marked edges, ${marked} before)`);
  // back to the saved file (the deletes and the typing are separate undo stops)
  await page.locator(".monaco-editor .view-lines").first().click();
  await runCommand("File: Revert File");
  await frame.locator("#problems li", { hasText: "from-non-host" }).first().waitFor({ timeout: T });
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

// --- refactors in a project on alchemy beta.79 (Alchemy.renamedFrom exists) ---

/** examples/cross-worker on beta.79, with a Worker no stack deploys whose Self type argument
 *  is another class (self-type-mismatch, which has a safe fix). */
function refactorWorkspace() {
  const dir = join(work, "refactor");
  cpSync(join(repo, "examples/cross-worker"), dir, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  pkg.dependencies.alchemy = "2.0.0-beta.79";
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  // VS Code saves the files a rename touched (files.refactoring.autoSave): keep them unsaved so
  // that each step reverts what it did and the next one starts from the example
  mkdirSync(join(dir, ".vscode"), { recursive: true });
  writeFileSync(join(dir, ".vscode", "settings.json"), JSON.stringify({ "files.refactoring.autoSave": false }));
  writeFileSync(
    join(dir, "src", "wide.ts"),
    [
      'import * as Cloudflare from "alchemy/Cloudflare";',
      'import * as Effect from "effect/Effect";',
      "",
      "class Other {}",
      "",
      "export class Wide extends Cloudflare.Worker<Other>()(",
      '  "Wide",',
      "  { main: import.meta.filename },",
      ") {}",
      "",
      "export default Wide.make(",
      "  Effect.gen(function* () {",
      '    return { fetch: Effect.gen(function* () { return new Response("w"); }) };',
      "  }),",
      ");",
      "",
    ].join("\n"),
  );
  return dir;
}

const refactorLines = (rel) => readFileSync(join(work, "refactor", rel), "utf8").split("\n");
function locateIn(rel, needle, offset = 0) {
  const all = refactorLines(rel);
  const i = all.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not found in ${rel}`);
  return { line: i + 1, col: all[i].indexOf(needle) + offset + 1 };
}

step("Rename a Worker's id: the stack keeps the deployed Worker (renamedFrom)", async () => {
  await openWindow(refactorWorkspace());
  await openFile("src/workerA.ts");
  await waitStatusIcon("beaker");
  const { line, col } = locateIn("src/workerA.ts", '"WorkerA"', 2);
  await page.locator(".monaco-editor .view-lines").first().click();
  await gotoLine(line, col);
  await page.keyboard.press("F2");
  const input = page.locator(".rename-box input, .rename-box textarea").first();
  await input.waitFor({ timeout: T });
  assert.equal(await input.inputValue(), "WorkerA");
  await input.fill("EdgeWorker");
  await screenshot("rename");
  await input.press("Enter");
  await page.waitForFunction(
    () => [...document.querySelectorAll(".editor-group-container.active .view-line")].some((l) => l.textContent?.includes('"EdgeWorker"')),
    null,
    { timeout: T },
  );
  await openFile("alchemy.run.ts");
  await page.waitForFunction(
    (want) => [...document.querySelectorAll(".editor-group-container.active .view-line")].some((l) => l.textContent?.replace(/\u00a0/g, " ").includes(want)),
    'yield* WorkerA.pipe(Alchemy.renamedFrom("WorkerA"))',
    { timeout: T },
  );
  await screenshot("rename-stack");
  await runCommand("File: Revert File");
  await openFile("src/workerA.ts");
  await runCommand("File: Revert File");
});

step("Renaming a Durable Object's name is refused with the reason", async () => {
  await openFile("src/object.ts");
  const { line, col } = locateIn("src/object.ts", '("Counter")', 3);
  await page.locator(".monaco-editor .view-lines").first().click();
  await gotoLine(line, col);
  await page.keyboard.press("F2");
  const message = page.locator(".monaco-editor-overlaymessage, .rename-box", { hasText: "new, empty namespace" }).first();
  await message.waitFor({ timeout: T });
  await screenshot("rename-refused");
  await page.keyboard.press("Escape");
});

step("Fix all: the safe fixes of check --fix", async () => {
  await openFile("src/wide.ts");
  await page.locator(".monaco-editor .squiggly-error").first().waitFor({ timeout: T });
  await page.locator(".monaco-editor .view-lines").first().click();
  const item = page.locator(".action-widget .monaco-list-row", { hasText: "Fix all auto-fixable alchemy-ls problems" }).first();
  // Just after the window opens VS Code may answer "No source actions available" for every
  // provider (TypeScript's included): ask again, as a user would
  for (let attempt = 1; ; attempt++) {
    await runCommand("Source Action...");
    const shown = await item.waitFor({ timeout: 10_000 }).then(() => true, () => false);
    if (shown) break;
    assert.ok(attempt < 5, "no Fix all in the Source Action menu after 5 attempts");
    await page.keyboard.press("Escape");
    await page.waitForTimeout(2000);
  }
  await screenshot("fix-all");
  await clickAction(item);
  await page.waitForFunction(
    (want) => [...document.querySelectorAll(".editor-group-container.active .view-line")].some((l) => l.textContent?.replace(/\u00a0/g, " ").includes(want)),
    "Cloudflare.Worker<Wide>()",
    { timeout: T },
  );
  await page.locator(".monaco-editor .squiggly-error").first().waitFor({ state: "detached", timeout: T });
  await runCommand("File: Revert File");
});

step("Stack graph: the per-stack filter", async () => {
  await runCommand("Alchemy: Show Stack Graph");
  await graphRendered();
  const frame = graphFrame();
  const names = async () => frame.locator("g.node").evaluateAll((els) => els.map((e) => e.dataset.name).sort());
  assert.deepEqual(await names(), ["Counter", "CrossWorkerDO", "Wide", "WorkerA", "WorkerB"]);
  const renders = Number(await frame.locator("#graph").getAttribute("data-renders"));
  await frame.locator("#stack").selectOption({ label: "Not deployed by a stack" });
  await graphRendered(renders);
  assert.deepEqual(await names(), ["Wide"]);
  const r2 = Number(await frame.locator("#graph").getAttribute("data-renders"));
  await frame.locator("#stack").selectOption({ label: "Stack CrossWorkerDO" });
  await graphRendered(r2);
  assert.deepEqual(await names(), ["Counter", "CrossWorkerDO", "WorkerA", "WorkerB"]);
  await screenshot("graph-filter");
  // an edge (its label) opens its site: the stack's provide of WorkerA's Live
  await frame.locator('.edgeLabels .clickable.edge[data-edge="provides"]').first().click();
  await waitActiveTab("alchemy.run.ts");
  await waitCursorLine(locateIn("alchemy.run.ts", "Effect.provide(WorkerALive)").line);
});

step("Rename a Worker class: every use is renamed, the analysis follows", async () => {
  // From the declaration, alchemy-ls and TypeScript (whichever rename provider VS Code asks first)
  // both rename the class, its imports, `.from(WorkerA)` and the stack's `yield* WorkerA`; the
  // logical id stays.
  const shown = (want) =>
    page.waitForFunction(
      (w) => [...document.querySelectorAll(".editor-group-container.active .view-line")].some((l) => l.textContent?.replace(/\u00a0/g, " ").includes(w)),
      want,
      { timeout: T },
    );
  // the Stack Graph has its own editor group: one group again, so that files open in it
  await runCommand("View: Join All Editor Groups");
  await openFile("src/workerA.ts");
  const { line, col } = locateIn("src/workerA.ts", "export class WorkerA", "export class ".length + 2);
  await page.locator(".monaco-editor .view-lines").first().click();
  await gotoLine(line, col);
  await page.keyboard.press("F2");
  const input = page.locator(".rename-box input, .rename-box textarea").first();
  await input.waitFor({ timeout: T });
  assert.equal(await input.inputValue(), "WorkerA");
  await input.fill("EdgeA");
  await input.press("Enter");
  await shown("export class EdgeA extends Cloudflare.Worker<EdgeA, {}, Counter>");
  await shown('"WorkerA",');
  await openFile("src/workerB.ts");
  await shown("Counter.from(EdgeA)");
  // the analysis follows the unsaved rename: the binding's inlay hint (drawn after the call)
  // names the Worker's script
  await page.waitForFunction(
    (w) => [...document.querySelectorAll(".editor-group-container.active .view-line")].some((l) => l.textContent?.replace(/[\s\u00a0]/g, "").includes(w)),
    "Counter.from(EdgeA)→WorkerA·Counternamespace",
    { timeout: T },
  );
  await screenshot("rename-class");
  await openFile("alchemy.run.ts");
  await shown("yield* EdgeA");
});
