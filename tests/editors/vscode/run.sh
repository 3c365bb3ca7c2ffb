#!/usr/bin/env bash
# VS Code end-to-end test: packages editors/vscode into a .vsix (bundling the release alchemy-ls),
# installs code-server 4.100.3 and Playwright, installs the .vsix into a fresh code-server and
# drives it with Debian's Chromium (tests/editors/vscode/e2e.test.mjs).
#
#   tests/editors/vscode/run.sh
# Env: ALCHEMY_LS_BIN (binary to bundle; default $CARGO_TARGET_DIR/release/alchemy-ls),
#      ALCHEMY_VSIX (test this .vsix instead of packaging one), ALCHEMY_E2E_HOME (install cache),
#      ALCHEMY_ARTIFACTS (screenshots; default tests/artifacts/vscode).
# Exits non-zero when a step fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

for tool in chromium rg; do
  command -v "$tool" >/dev/null || { echo "vscode e2e: $tool missing (apt-get install chromium ripgrep)" >&2; exit 2; }
done

if [ -z "${ALCHEMY_VSIX:-}" ]; then
  bin="${ALCHEMY_LS_BIN:-${CARGO_TARGET_DIR:-$repo/target}/release/alchemy-ls}"
  [ -x "$bin" ] || { echo "vscode e2e: no alchemy-ls binary at $bin (cargo build --release)" >&2; exit 2; }
  ALCHEMY_VSIX="$(ALCHEMY_LS_BIN="$bin" "$repo/editors/vscode/scripts/package.sh" | tail -1)"
fi
[ -f "$ALCHEMY_VSIX" ] || { echo "vscode e2e: no .vsix at $ALCHEMY_VSIX" >&2; exit 2; }
ALCHEMY_VSIX="$(cd "$(dirname "$ALCHEMY_VSIX")" && pwd)/$(basename "$ALCHEMY_VSIX")"
export ALCHEMY_VSIX
echo "vscode e2e: extension $ALCHEMY_VSIX" >&2

CODE_SERVER_ENTRY="$("$here/install-code-server.sh" | tail -1)"
export CODE_SERVER_ENTRY

cd "$here"
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund >&2
fi
timeout 600 node --test --test-concurrency=1 --test-reporter=spec e2e.test.mjs
