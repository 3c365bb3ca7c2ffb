// Text patterns of the activation check. No `vscode` import: unit-tested under plain Node.

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A regular expression matching an import of one of `packages` (or a subpath of it). */
export function importPattern(packages: string[]): RegExp {
  const names = packages.map(escapeRegExp).join("|");
  return new RegExp(`(?:from|import|require\\()\\s*["'](?:${names})(?:/[^"']*)?["']`);
}
