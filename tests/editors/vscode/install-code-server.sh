#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3) from npm for the VS Code end-to-end test, with
# nothing downloaded from outside the registries:
#   - npm install --ignore-scripts (its postinstall would fetch ripgrep and prebuilt binaries);
#   - lib/vscode's production dependencies, again with --ignore-scripts;
#   - native modules (argon2, @vscode/spdlog, native-watchdog, node-pty) rebuilt with node-gyp
#     against the system Node's headers (/usr/include/node);
#   - Debian's ripgrep linked where @vscode/ripgrep expects bin/rg;
#   - the rest of code-server's postinstall (node_modules.asar link, bin scripts, TypeScript for
#     the built-in TS extension) by hand.
# Idempotent: a stamp file records a finished install. Prints the entry point on its last line.
#
#   tests/editors/vscode/install-code-server.sh [PREFIX]   (default: $ALCHEMY_E2E_HOME/code-server)
set -euo pipefail
VERSION=4.100.3
home="${ALCHEMY_E2E_HOME:-$HOME/.cache/alchemy-ls-e2e}"
prefix="${1:-$home/code-server}"
entry="$prefix/node_modules/code-server/out/node/entry.js"
stamp="$prefix/.installed-$VERSION-2"  # bump the suffix when the recipe changes
if [ -f "$stamp" ] && [ -f "$entry" ]; then
  echo "$entry"
  exit 0
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || { echo "code-server $VERSION needs Node 20 (found $(node --version))" >&2; exit 2; }
[ -f /usr/include/node/node_api.h ] || { echo "no Node headers in /usr/include/node" >&2; exit 2; }
command -v rg >/dev/null || { echo "ripgrep missing (apt-get install ripgrep)" >&2; exit 2; }

rm -rf "$prefix"
mkdir -p "$prefix"
cd "$prefix"
echo '{ "name": "alchemy-ls-e2e-code-server", "private": true }' > package.json
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
npm install --ignore-scripts --no-save "code-server@$VERSION" >&2

cs="$prefix/node_modules/code-server"
gyp="$(dirname "$(dirname "$(command -v npm)")")/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$gyp" ] || gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
rebuild() { # DIR [node-gyp args...]
  local dir="$1"
  shift
  (cd "$dir" && node "$gyp" rebuild --nodedir=/usr -j 2 "$@" >"$prefix/node-gyp.log" 2>&1) || {
    tail -30 "$prefix/node-gyp.log" >&2
    echo "node-gyp failed in $dir" >&2
    return 1
  }
}

# code-server's own native module (password hashing; loaded at start-up).
rebuild "$prefix/node_modules/argon2" --module_name=argon2 --module_path=lib/binding/napi-v3 --napi_build_version=3
mkdir -p "$prefix/node_modules/argon2/lib/binding/napi-v3"
cp "$prefix/node_modules/argon2/build/Release/argon2.node" "$prefix/node_modules/argon2/lib/binding/napi-v3/"

# VS Code's dependencies (the postinstall's `npm install` in lib/vscode).
cd "$cs/lib/vscode"
npm install --omit=dev --ignore-scripts >&2
for m in @vscode/spdlog native-watchdog node-pty; do
  rebuild "node_modules/$m"
done
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
# lib/vscode/extensions' only production dependency: TypeScript for the built-in TS features
# (the postinstall only trims it).
(cd extensions && npm install --omit=dev --ignore-scripts >&2 && node postinstall.mjs >/dev/null)

node "$entry" --version >&2
touch "$stamp"
echo "$entry"
