#!/usr/bin/env bash
# Formatting, lint and type checks with the pinned Deno (deno task would resolve `deno` to the npm
# package's shim instead).
set -euo pipefail
cd "$(dirname "$0")/.."
DENO=node_modules/.bin/deno
"$DENO" fmt --check
"$DENO" lint
"$DENO" check mod.ts worker/host/serve.ts worker/host/_watcher.ts tests/ bench/ examples/
