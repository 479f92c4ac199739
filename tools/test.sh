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
node_modules/.bin/bun test --timeout 900000 tests/ || rc=1
if [ "$rc" = 0 ]; then echo "all test suites passed (deno, bun)"; else echo "some tests failed"; fi
exit "$rc"
