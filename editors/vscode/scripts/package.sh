#!/usr/bin/env bash
# Builds the .vsix: the release alchemy-ls binary (bundled under server/), the extension bundle
# and mermaid (dist/), the repository's LICENSE, then `vsce package --target <platform>` (a
# platform-specific package, as the VS Code Marketplace and Open VSX take them: publish it with
# `vsce publish --packagePath` / `ovsx publish --packagePath`). Relative links and images of the
# README point into the repository named in package.json (which follows Cargo.toml).
#
#   editors/vscode/scripts/package.sh [--no-server] [--out FILE]
#
# Env: CARGO_TARGET_DIR (default: <repo>/target), ALCHEMY_LS_BIN (use this binary, skip cargo).
# Prints the path of the .vsix on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
bundle_server=1
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-server) bundle_server=0 ;;
    --out) out="$2"; shift ;;
    *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

cd "$here"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund >&2
fi

rm -rf server
if [ "$bundle_server" = 1 ]; then
  bin="${ALCHEMY_LS_BIN:-}"
  if [ -z "$bin" ]; then
    (cd "$repo" && cargo build --release -p alchemy-ls >&2)
    bin="${CARGO_TARGET_DIR:-$repo/target}/release/alchemy-ls"
  fi
  mkdir -p server
  cp "$bin" server/alchemy-ls
  chmod +x server/alchemy-ls
  # A debug build carries ~100 MB of debug info; the extension needs none of it.
  if command -v strip >/dev/null; then strip server/alchemy-ls; fi
fi

cp "$repo/LICENSE" LICENSE
npm run --silent typecheck >&2
node esbuild.mjs >&2

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=linux-x64 ;;
  Linux-aarch64) target=linux-arm64 ;;
  Darwin-arm64) target=darwin-arm64 ;;
  Darwin-x86_64) target=darwin-x64 ;;
  *) target="" ;;
esac
version="$(node -p 'require("./package.json").version')"
# https://host/owner/repo.git → https://host/owner/repo/{blob,raw}/main/editors/vscode
web="$(node -p 'require("./package.json").repository.url.replace(/\.git$/, "")')"
links=(--baseContentUrl "$web/blob/main/editors/vscode" --baseImagesUrl "$web/raw/main/editors/vscode")
if [ "$bundle_server" = 1 ] && [ -n "$target" ]; then
  out="${out:-$here/alchemy-ls-$target-$version.vsix}"
  npx vsce package --target "$target" "${links[@]}" --out "$out" >&2
else
  out="${out:-$here/alchemy-ls-$version.vsix}"
  npx vsce package "${links[@]}" --out "$out" >&2
fi
echo "$out"
