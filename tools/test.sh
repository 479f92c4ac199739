#!/usr/bin/env bash
# Runs the whole test suite under Deno and then under Bun (after set-up). Exits non-zero if
# either runtime has a failure. Compiled Stan models are shared through one cache directory.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --test || exit 1
export BRMSTS_CACHE_DIR="${BRMSTS_CACHE_DIR:-$PWD/.cache/test-models}"
rc=0
echo "== deno test"
node_modules/.bin/deno test -A --v8-flags=--expose-gc tests/ || rc=1
echo "== bun test"
# One Bun process per file, in a fixed order: `bun test` would otherwise run every file in one
# process (one shared R worker) in directory order, which differs between machines, while
# Deno isolates each module.
failed=()
for f in tests/*_test.ts; do
  node_modules/.bin/bun test --timeout 900000 "./$f" || failed+=("$f")
done
if [ "${#failed[@]}" -gt 0 ]; then echo "bun: failures in ${failed[*]}"; rc=1; fi
if [ "$rc" = 0 ]; then echo "all test suites passed (deno, bun)"; else echo "some tests failed"; fi
exit "$rc"
