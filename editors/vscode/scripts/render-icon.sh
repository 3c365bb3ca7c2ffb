#!/usr/bin/env bash
# Renders images/icon.svg into images/icon.png (256×256, transparent corners) with a headless
# Chromium. The PNG is committed (the marketplace and VS Code need a PNG); run this after
# editing the SVG.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$chromium" ] || { echo "render-icon.sh: chromium not found" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
{ echo '<html><body style="margin:0;background:transparent">'; cat "$here/images/icon.svg"; echo '</body></html>'; } >"$tmp/icon.html"
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
  --force-device-scale-factor=2 --window-size=128,128 --screenshot="$tmp/icon.png" "file://$tmp/icon.html" >/dev/null 2>&1
cp "$tmp/icon.png" "$here/images/icon.png"
echo "$here/images/icon.png"
