#!/usr/bin/env bash
# The GitHub Action's script (action/run.mjs), run locally with the environment GitHub sets
# (GITHUB_WORKSPACE, GITHUB_BASE_REF, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP) in a
# temporary monorepo whose app pins alchemy-ls: the version comes from the lockfile and is
# installed from the local registry (tests/npm/lib.sh), annotations are relative to the
# repository root, the summary and the output are written, SARIF too; `--baseline` is passed
# only when the binary lists it (a stand-in binary that does), the base branch fetched if needed.
#
#   tests/action/run.sh
set -euo pipefail
source "$(dirname "$0")/../npm/lib.sh"
[ -n "${DIST_REGISTRY:-}" ] || dist_setup

failures=0
passes=0
check() { if "${@:2}"; then echo "ok   action: $1"; passes=$((passes + 1)); else echo "FAIL action: $1" >&2; failures=$((failures + 1)); fi; }

work="$DIST_WORK/action"
mkdir -p "$work"
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@localhost GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@localhost
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

# origin (bare) with main; the workspace is a clone on a pull-request branch.
repo="$work/workspace"
git init -q -b main "$work/seed"
dist_project broken "$work/seed/apps/api"
dist_project cross-worker "$work/seed/apps/clean"
(cd "$work/seed/apps/api" && npm install --save-dev --save-exact --loglevel=error alchemy-ls >/dev/null)
(cd "$work/seed/apps/clean" && "$DIST_BUN" add --dev --exact --registry "$DIST_REGISTRY" alchemy-ls >/dev/null 2>&1)
rm -rf "$work"/seed/apps/*/node_modules
(cd "$work/seed" && git add -A && git commit -qm init)
git clone -q --bare "$work/seed" "$work/origin.git"
git clone -q "$work/origin.git" "$repo"
(cd "$repo" && git checkout -q -b feature)

# Runs the action's script like the composite step does; sets out, err, code.
act() { # WORKDIR [VAR=value...]
  local dir="$1"
  shift
  : >"$work/summary.md"
  : >"$work/output"
  set +e
  out="$(cd "$repo/$dir" && env GITHUB_WORKSPACE="$repo" GITHUB_STEP_SUMMARY="$work/summary.md" \
    GITHUB_OUTPUT="$work/output" RUNNER_TEMP="$work/runner-temp" \
    INPUT_VERSION= INPUT_ARGS=. INPUT_BASELINE= INPUT_FORMAT=github INPUT_SARIF_FILE= INPUT_STEP_SUMMARY=true \
    "$@" node "$DIST_REPO/action/run.mjs" 2>"$work/stderr")"
  code=$?
  set -e
  err="$(cat "$work/stderr")"
}

act apps/api GITHUB_BASE_REF=main INPUT_SARIF_FILE=results.sarif
check "broken app: exit code 1" test "$code" = 1
check "version from package-lock.json" grep -q "alchemy-ls@$DIST_VERSION (package-lock.json)" <<<"$err"
check "installed into RUNNER_TEMP" test -x "$work/runner-temp/alchemy-ls-$DIST_VERSION/node_modules/.bin/alchemy-ls"
check "annotations relative to the repository root" grep -q '^::error file=apps/api/src/workerB.ts,line=12,' <<<"$out"
check "annotations = the binary's github format" \
  test "$out" = "$(cd "$repo" && "$ALCHEMY_LS_BIN" check apps/api --format github)"
check "step summary written" grep -q '^| error | `from-non-host` | `apps/api/src/workerB.ts:12:42` |' "$work/summary.md"
check "exit-code output" grep -qx "exit-code=1" "$work/output"
if "$ALCHEMY_LS_BIN" check --help | grep -Eq -- '--baseline( |=|$)'; then
  check "the binary has --baseline: passed on a pull request" grep -q -- "--baseline origin/main\$" <<<"$err"
else
  check "the binary has no --baseline: not passed" grep -q "not comparing with origin/main: this alchemy-ls has no --baseline" <<<"$err"
fi
check "SARIF written, paths from the repository root" node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const uri = s.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri;
  process.exit(uri.startsWith("apps/api/") ? 0 : 1)' "$repo/apps/api/results.sarif"

act apps/clean
check "clean app: exit code 0" test "$code" = 0
check "version from bun.lock" grep -q "alchemy-ls@$DIST_VERSION (bun.lock)" <<<"$err"
check "clean summary" grep -q "No problems found in 4 files." "$work/summary.md"
check "no baseline outside pull requests" bash -c '! grep -q "comparing" <<<"$1"' _ "$err"

act apps/clean INPUT_VERSION="$DIST_VERSION" INPUT_STEP_SUMMARY=false INPUT_ARGS="src --format compact"
check "input version wins" grep -q "alchemy-ls@$DIST_VERSION (input version)" <<<"$err"
check "step-summary: false writes none" test ! -s "$work/summary.md"

# A binary without --baseline (before the deploy-impact rules; --baseline-dir does not count).
old="$work/old-alchemy-ls"
cat >"$old" <<SH
#!/bin/sh
if [ "\$2" = "--help" ]; then echo "      --baseline-dir <DIR>  a checkout"; exit 0; fi
echo "\$*" >>"$work/old-args"
SH
chmod +x "$old"
act apps/api GITHUB_BASE_REF=main ALCHEMY_LS_BINARY="$old"
check "no --baseline with a binary that has none" grep -q "not comparing with origin/main: this alchemy-ls has no --baseline" <<<"$err"
check "... and the check runs without it" bash -c '! grep -q -- "--baseline" "$1"' _ "$work/old-args"

# A binary with --baseline (the deploy-impact rules): a stand-in that records its arguments.
fake="$work/fake-alchemy-ls"
cat >"$fake" <<SH
#!/bin/sh
if [ "\$2" = "--help" ]; then echo "      --baseline <REV>  compare with REV"; exit 0; fi
echo "\$*" >>"$work/fake-args"
exit 0
SH
chmod +x "$fake"
git -C "$repo" update-ref -d refs/remotes/origin/main # as after actions/checkout of a merge ref
rm -f "$work/fake-args"
act apps/api GITHUB_BASE_REF=main ALCHEMY_LS_BINARY="$fake"
check "--baseline origin/main on a pull request" grep -q -- "--baseline origin/main" "$work/fake-args"
check "the base branch was fetched" test -n "$(git -C "$repo" rev-parse --verify --quiet origin/main)"
rm -f "$work/fake-args"
act apps/api ALCHEMY_LS_BINARY="$fake" INPUT_BASELINE=HEAD~0
check "baseline input" grep -q -- "--baseline HEAD~0" "$work/fake-args"
rm -f "$work/fake-args"
act apps/api ALCHEMY_LS_BINARY="$fake"
check "no baseline without a base" bash -c '! grep -q -- --baseline "$1"' _ "$work/fake-args"
rm -f "$work/fake-args"
act apps/api ALCHEMY_LS_BINARY="$fake" GITHUB_BASE_REF=no-such-branch
check "a missing base is skipped with a message" grep -q "no such revision" <<<"$err"
check "... and the check still runs" test -s "$work/fake-args"

# Version detection from the other lockfiles and package.json.
check "version detection (pnpm, yarn, package.json)" env RUN_MJS="$DIST_REPO/action/run.mjs" node --input-type=module -e '
  import fs from "node:fs"; import path from "node:path"; import os from "node:os";
  const { detectVersion } = await import(process.env.RUN_MJS);
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "v-"));
  const cases = [
    ["pnpm-lock.yaml", "lockfileVersion: \x279.0\x27\npackages:\n\n  alchemy-ls@1.2.3:\n    resolution: {integrity: x}\n", "1.2.3"],
    ["yarn.lock", "# yarn lockfile v1\n\nalchemy-ls@1.2.4:\n  version \"1.2.4\"\n  resolved \"x\"\n", "1.2.4"],
    ["yarn.lock", "__metadata:\n  version: 8\n\n\"alchemy-ls@npm:1.2.5\":\n  version: 1.2.5\n", "1.2.5"],
    ["package.json", "{\"devDependencies\":{\"alchemy-ls\":\"1.2.6\"}}", "1.2.6"],
  ];
  let bad = 0;
  for (const [file, text, want] of cases) {
    fs.rmSync(d, { recursive: true }); fs.mkdirSync(path.join(d, "app"), { recursive: true });
    fs.writeFileSync(path.join(d, file), text);
    const got = detectVersion(path.join(d, "app"), d).version;
    if (got !== want) { console.error(file, got, want); bad++; }
  }
  fs.rmSync(d, { recursive: true }); fs.mkdirSync(d);
  if (detectVersion(d, d).version !== "latest") bad++;
  process.exit(bad ? 1 : 0)'

# action.yml: every input the script reads is declared and passed.
check "action.yml declares and passes every input" node -e '
  const y = require("fs").readFileSync(process.argv[1], "utf8");
  const s = require("fs").readFileSync(process.argv[2], "utf8");
  const used = new Set([...s.matchAll(/INPUT_([A-Z_]+)/g)].map(m => m[1]));
  let ok = true;
  for (const u of used) {
    const name = u.toLowerCase().replace(/_/g, "-");
    if (!new RegExp(`^  ${name}:`, "m").test(y) || !y.includes(`INPUT_${u}: \${{ inputs.${name} }}`)) { console.error(u); ok = false; }
  }
  process.exit(ok ? 0 : 1)' "$DIST_REPO/action.yml" "$DIST_REPO/action/run.mjs"

echo "action: $passes passed, $failures failed"
[ "$failures" = 0 ]
