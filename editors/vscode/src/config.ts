// The `alchemy-ls` settings the server understands (docs/lsp.md, server/crates/lsp/src/settings.rs and
// config::apply_settings): rules, packages, ignore, baseline, feature toggles and inlay hint kinds. Only these keys are sent,
// so that client-side settings (server.path, trace.server) never reach the server.
import * as vscode from "vscode";

export const SECTION = "alchemy-ls";

export const FEATURES = [
  "definition",
  "implementation",
  "hover",
  "references",
  "completion",
  "codeLens",
  "codeAction",
  "documentSymbol",
  "workspaceSymbol",
  "rename",
  "inlayHints",
] as const;

/** Inlay hint kinds (`alchemy-ls.inlayHints.*`) and their defaults (server/crates/ide `InlayHintOptions`). */
export const INLAY_HINTS = { fromBinding: true, hostedHere: false, stackWorkers: true } as const;

export const LEVELS = ["error", "warning", "info", "off"] as const;

export interface ServerSettings {
  rules: Record<string, string>;
  packages: string[];
  ignore: string[];
  features: Record<string, boolean>;
  inlayHints: Record<string, boolean>;
  /** The git revision deploy impact is computed against; `null` leaves alchemy-ls.toml's or the default. */
  baseline: string | null;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** The settings object sent as `initializationOptions` and for `workspace/configuration`. */
export function serverSettings(scope?: vscode.ConfigurationScope): ServerSettings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  const rules: Record<string, string> = {};
  const rawRules = cfg.get<Record<string, unknown>>("rules") ?? {};
  for (const [id, level] of Object.entries(rawRules)) {
    if (typeof level === "string" && (LEVELS as readonly string[]).includes(level)) {
      rules[id] = level;
    }
  }
  const features: Record<string, boolean> = {};
  for (const f of FEATURES) {
    features[f] = cfg.get<boolean>(`features.${f}`, true);
  }
  const inlayHints: Record<string, boolean> = {};
  for (const [k, d] of Object.entries(INLAY_HINTS)) {
    inlayHints[k] = cfg.get<boolean>(`inlayHints.${k}`, d);
  }
  return {
    rules,
    packages: stringArray(cfg.get("packages")),
    ignore: stringArray(cfg.get("ignore")),
    features,
    inlayHints,
    baseline: baselineSetting(cfg.get("baseline")),
  };
}

/** A non-empty string, else `null` (the server then uses alchemy-ls.toml's `baseline`, or its default). */
export function baselineSetting(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

/** The server's default Alchemy packages (server/src/config.rs DEFAULT_PACKAGES). */
export const DEFAULT_PACKAGES = ["alchemy", "@oddlynew/alchemy"];

/** Package names that count as Alchemy imports for the activation check. */
export function alchemyPackages(): string[] {
  return [...DEFAULT_PACKAGES, ...stringArray(vscode.workspace.getConfiguration(SECTION).get("packages"))];
}
