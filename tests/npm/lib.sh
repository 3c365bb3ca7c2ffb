# Shared by tests/npm, tests/action and tests/precommit (source it): the npm packages built from
# the alchemy-ls binary, published to a private local registry (Verdaccio, no uplinks, so nothing
# named alchemy-ls can come from anywhere else), and the tools to install them with.
#
#   dist_setup            # once: tools, packages, tarballs, registry; exports what follows
#   $ALCHEMY_LS_BIN       # the binary the packages are built from (default: the debug build)
#   $DIST_WORK            # a temporary directory, removed on exit
#   $DIST_REGISTRY        # http://127.0.0.1:PORT/ serving alchemy-ls and @alchemy-ls/cli-linux-x64
#   $DIST_TARBALLS        # the `npm pack` tarballs
#   $DIST_BUN             # a bun binary (npm package `bun`)
#   $DIST_VERSION         # the packages' version
# Tools are cached under $ALCHEMY_CI_CACHE (default ~/.cache/alchemy-ls-ci), keyed by version.
set -euo pipefail

DIST_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERDACCIO_VERSION=6.8.0
BUN_VERSION=1.2.23

dist_log() { echo "dist: $*" >&2; }
dist_fail() { echo "dist: FAILED: $*" >&2; exit 1; }

dist_tools() {
  local cache="${ALCHEMY_CI_CACHE:-$HOME/.cache/alchemy-ls-ci}/npm-tools-verdaccio-$VERDACCIO_VERSION-bun-$BUN_VERSION"
  if [ ! -f "$cache/.installed" ]; then
    dist_log "installing verdaccio@$VERDACCIO_VERSION and bun@$BUN_VERSION into $cache"
    rm -rf "$cache"
    mkdir -p "$cache"
    echo '{ "name": "alchemy-ls-ci-tools", "private": true }' >"$cache/package.json"
    # bun's binary comes from its optional dependency; its postinstall only checks it.
    (cd "$cache" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
      "verdaccio@$VERDACCIO_VERSION" "bun@$BUN_VERSION" >&2)
    touch "$cache/.installed"
  fi
  DIST_VERDACCIO="$cache/node_modules/.bin/verdaccio"
  DIST_BUN="$(ls "$cache"/node_modules/@oven/bun-linux-x64*/bin/bun 2>/dev/null | head -1)"
  [ -x "$DIST_VERDACCIO" ] || dist_fail "no verdaccio in $cache"
  [ -n "$DIST_BUN" ] && "$DIST_BUN" --version >/dev/null || dist_fail "no working bun in $cache"
  export DIST_BUN
}

# Builds the packages from $ALCHEMY_LS_BIN (stripped copy) and packs them.
dist_pack() {
  local stripped="$DIST_WORK/bin/alchemy-ls"
  mkdir -p "$DIST_WORK/bin" "$DIST_WORK/tarballs"
  cp "$ALCHEMY_LS_BIN" "$stripped"
  if command -v strip >/dev/null; then strip "$stripped"; fi
  node "$DIST_REPO/npm/build.mjs" --out "$DIST_WORK/packages" --binary "linux-x64=$stripped" >/dev/null
  for dir in "$DIST_WORK"/packages/*/; do
    (cd "$dir" && npm pack --silent --pack-destination "$DIST_WORK/tarballs" >/dev/null)
  done
  DIST_TARBALLS="$DIST_WORK/tarballs"
  DIST_VERSION="$(node -p 'require(process.argv[1]).version' "$DIST_WORK/packages/alchemy-ls/package.json")"
  export DIST_TARBALLS DIST_VERSION
  dist_log "packed $(ls "$DIST_TARBALLS" | tr '\n' ' ')"
}

dist_registry() {
  local port
  port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  mkdir -p "$DIST_WORK/registry"
  cat >"$DIST_WORK/registry/config.yaml" <<YAML
storage: $DIST_WORK/registry/storage
auth:
  htpasswd:
    file: $DIST_WORK/registry/htpasswd
    max_users: 10
uplinks: {}
# the debug binary packed by CI is ~28 MB stripped (a 10 MB publish once gzipped and base64'd):
# over Verdaccio's default 10mb request limit; npmjs.org takes far larger packages
max_body_size: 200mb
packages:
  '**':
    access: \$all
    publish: \$authenticated
log: { type: file, path: $DIST_WORK/registry/verdaccio.log, level: warn }
YAML
  "$DIST_VERDACCIO" --config "$DIST_WORK/registry/config.yaml" --listen "127.0.0.1:$port" \
    >"$DIST_WORK/registry/stdout.log" 2>&1 &
  DIST_REGISTRY_PID=$!
  DIST_REGISTRY="http://127.0.0.1:$port/"
  for _ in $(seq 1 100); do
    if node -e 'fetch(process.argv[1]+"-/ping").then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$DIST_REGISTRY"; then
      break
    fi
    sleep 0.2
  done
  node -e 'fetch(process.argv[1]+"-/ping").then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$DIST_REGISTRY" \
    || { cat "$DIST_WORK/registry/stdout.log" >&2; dist_fail "the registry did not start"; }
  # A user, and its token in a private npm config.
  local token
  token="$(node -e '
    fetch(process.argv[1] + "-/user/org.couchdb.user:ci", {
      method: "PUT", headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "ci", password: "ci-password" }),
    }).then(r => r.json()).then(j => { if (!j.token) { console.error(j); process.exit(1) } console.log(j.token) })' "$DIST_REGISTRY")"
  export npm_config_userconfig="$DIST_WORK/npmrc"
  printf 'registry=%s\n//127.0.0.1:%s/:_authToken=%s\n' "$DIST_REGISTRY" "$port" "$token" >"$npm_config_userconfig"
  export npm_config_registry="$DIST_REGISTRY"
  export npm_config_cache="$DIST_WORK/npm-cache"
  export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
  export BUN_INSTALL_CACHE_DIR="$DIST_WORK/bun-cache"
  export DIST_REGISTRY DIST_REGISTRY_PID
  # Platform packages first, as a release does.
  for t in "$DIST_TARBALLS"/alchemy-ls-cli-*.tgz "$DIST_TARBALLS"/alchemy-ls-[0-9]*.tgz; do
    npm publish --loglevel=error "$t" >/dev/null || dist_fail "npm publish $t"
  done
  dist_log "registry $DIST_REGISTRY serves alchemy-ls@$DIST_VERSION"
}

dist_cleanup() {
  if [ -n "${DIST_REGISTRY_PID:-}" ]; then kill "$DIST_REGISTRY_PID" 2>/dev/null || true; wait "$DIST_REGISTRY_PID" 2>/dev/null || true; fi
  if [ -n "${DIST_WORK:-}" ] && [ -z "${DIST_KEEP:-}" ]; then rm -rf "$DIST_WORK"; fi
}

dist_setup() {
  ALCHEMY_LS_BIN="${ALCHEMY_LS_BIN:-${CARGO_TARGET_DIR:-$DIST_REPO/target}/debug/alchemy-ls}"
  [ -x "$ALCHEMY_LS_BIN" ] || dist_fail "no alchemy-ls binary at $ALCHEMY_LS_BIN (cargo build)"
  export ALCHEMY_LS_BIN
  command -v node >/dev/null && command -v npm >/dev/null || dist_fail "node and npm are required"
  DIST_WORK="$(mktemp -d)"
  export DIST_WORK
  trap dist_cleanup EXIT
  dist_tools
  dist_pack
  dist_registry
}

# A fresh project: the sources of examples/NAME and a package.json without dependencies (the
# registry serves only alchemy-ls; the checker needs no node_modules of the project).
dist_project() { # NAME DEST
  mkdir -p "$2"
  cp -r "$DIST_REPO/examples/$1/." "$2/"
  printf '{ "name": "%s", "private": true, "type": "module" }\n' "$1" >"$2/package.json"
}
