#!/usr/bin/env bash
# .pre-commit-hooks.yaml with the real pre-commit: `pre-commit try-repo` of this repository on a
# temporary git repository holding a broken stack (the hook fails and prints the findings) and
# on a clean one (it passes). The `alchemy-ls` hook (language: node) installs this repository's
# root package.json, whose dependency alchemy-ls comes from the local registry of
# tests/npm/lib.sh; the `alchemy-ls-project` hook (language: system) runs the project's own
# alchemy-ls.
#
#   tests/precommit/run.sh       # PRE_COMMIT=path/to/pre-commit (default: on PATH)
set -euo pipefail
source "$(dirname "$0")/../npm/lib.sh"
[ -n "${DIST_REGISTRY:-}" ] || dist_setup
pre_commit="${PRE_COMMIT:-$(command -v pre-commit || true)}"
[ -n "$pre_commit" ] || dist_fail "pre-commit is not installed (pip install pre-commit)"

failures=0
passes=0
check() { if "${@:2}"; then echo "ok   pre-commit: $1"; passes=$((passes + 1)); else echo "FAIL pre-commit: $1" >&2; failures=$((failures + 1)); fi; }

work="$DIST_WORK/precommit"
mkdir -p "$work"
export PRE_COMMIT_HOME="$work/home" # no cached hook environment from an earlier run
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@localhost GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@localhost
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

# The hook's rev is this repository's HEAD: try-repo also takes uncommitted changes along.
check "root package.json = the crate version, depending on alchemy-ls at it" node -e '
  const p = require(process.argv[1]);
  process.exit(p.version === process.argv[2] && p.dependencies["alchemy-ls"] === process.argv[2] ? 0 : 1)' \
  "$DIST_REPO/package.json" "$DIST_VERSION"

project() { # NAME EXAMPLE
  local p="$work/$1"
  git init -q -b main "$p"
  dist_project "$2" "$p"
  (cd "$p" && git add -A && git commit -qm init)
  echo "$p"
}

try_repo() { # DIR HOOK: sets out and code
  set +e
  out="$(cd "$1" && "$pre_commit" try-repo "$DIST_REPO" "$2" --all-files --color=never 2>&1)"
  code=$?
  set -e
}

broken="$(project broken broken)"
clean="$(project clean cross-worker)"

try_repo "$broken" alchemy-ls
check "node hook, broken stack: fails" test "$code" = 1
check "... with the findings" grep -q "error\[from-non-host\]" <<<"$out"
[ "$code" = 1 ] || echo "$out" | tail -30 >&2
try_repo "$clean" alchemy-ls
check "node hook, clean stack: passes" test "$code" = 0
check "... and says so" grep -Eq "^alchemy-ls\.+Passed" <<<"$out"
[ "$code" = 0 ] || echo "$out" | tail -30 >&2

# The project's own alchemy-ls.
for p in "$broken" "$clean"; do
  (cd "$p" && npm install --save-dev --save-exact --loglevel=error alchemy-ls >/dev/null)
done
try_repo "$broken" alchemy-ls-project
check "system hook, broken stack: fails" test "$code" = 1
check "... with the findings" grep -q "error\[from-non-host\]" <<<"$out"
try_repo "$clean" alchemy-ls-project
check "system hook, clean stack: passes" test "$code" = 0

echo "pre-commit: $passes passed, $failures failed"
[ "$failures" = 0 ]
