#!/usr/bin/env bash
# Runs the whole test suite under Deno and then under Bun (after set-up). Exits non-zero if
# either runtime has a failure. Compiled Stan models are shared through one cache directory.
# The failures of both runtimes are repeated at the very end, so a log cut to its tail still
# names them.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --test || exit 1
export BRMSTS_CACHE_DIR="${BRMSTS_CACHE_DIR:-$PWD/.cache/test-models}"
logs="$(mktemp -d "${TMPDIR:-/tmp}/brmsts-testlog-XXXXXX")"
trap 'rm -rf "$logs"' EXIT
plain() { sed 's/\x1b\[[0-9;]*m//g' "$1"; }
rc=0
echo "== deno test"
node_modules/.bin/deno test -A --v8-flags=--expose-gc tests/ 2>&1 | tee "$logs/deno.log"
[ "${PIPESTATUS[0]}" = 0 ] || rc=1
echo "== bun test"
# One Bun process per file, in a fixed order: `bun test` would otherwise run every file in one
# process (one shared R worker) in directory order, which differs between machines, while
# Deno isolates each module.
failed=()
for f in tests/*_test.ts; do
  name="$(basename "$f" .ts)"
  node_modules/.bin/bun test --timeout 900000 "./$f" 2>&1 | tee "$logs/bun-$name.log"
  [ "${PIPESTATUS[0]}" = 0 ] || failed+=("$f")
done
if [ "$rc" != 0 ]; then
  echo "== deno: what failed (repeated from above)"
  # Deno prints an ERRORS section (messages and stacks) and a FAILURES list at its end.
  plain "$logs/deno.log" | sed -n '/^ ERRORS $/,$p' | tail -n 200
fi
if [ "${#failed[@]}" -gt 0 ]; then
  echo "== bun: what failed (repeated from above)"
  for f in "${failed[@]}"; do
    echo "-- $f"
    plain "$logs/bun-$(basename "$f" .ts).log" | grep -v '^(pass)' | grep -E -B30 '^\(fail\)' | tail -n 80
  done
  echo "bun: failures in ${failed[*]}"
  rc=1
fi
if [ "$rc" = 0 ]; then echo "all test suites passed (deno, bun)"; else echo "some tests failed"; fi
exit "$rc"
