#!/usr/bin/env bash
# Formatting, lint, type checks, doc lint and the JSDoc examples, with the pinned Deno (deno task
# would resolve `deno` to the npm package's shim instead). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
DENO=node_modules/.bin/deno
echo "== fmt" && "$DENO" fmt --check
echo "== lint" && "$DENO" lint
echo "== type check" && "$DENO" check mod.ts worker/host/serve.ts worker/host/_watcher.ts tests/ bench/ examples/ tools/
echo "== doc lint (mod.ts)" && "$DENO" doc --lint mod.ts
# Every @example in every module type-checks (doc tests without running them).
echo "== JSDoc examples" && "$DENO" check --doc-only $(git ls-files '*.ts' | grep -v '^tests/')
# Library code throws brmsts's typed errors (errors.ts, docs/errors.md), never a plain Error.
echo "== no plain Error in library code" && ! git grep -n "throw new Error(" -- '*.ts' ':!tests/' ':!bench/' ':!tools/' ':!examples/'
# The public surface (docs/api.md, generated from deno doc): a change is a visible diff.
echo "== API report" && "$DENO" run -A tools/api_report.ts --check
# The pure modules' JSDoc examples run, their `// value` result comments asserted.
echo "== doc tests" && "$DENO" run -A tools/doc_tests.ts
# Every file path and API name README.md and docs/*.md cite exists.
echo "== doc paths and names" && "$DENO" test -A --quiet tests/docs_test.ts
