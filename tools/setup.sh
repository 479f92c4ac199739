#!/usr/bin/env bash
# Idempotent set-up: installs what is missing and nothing else.
#   - R, brms, rstan, g++ and make from Debian's packages (when apt-get is there and we are root)
#   - the pinned deno and bun binaries and the npm dependencies (npm ci / npm install)
#   - fonts-dejavu-core (the font PNG rendering loads explicitly)
#   - with --test: what the test suite needs besides: Python readers of the Zarr export, a real
#     nats-server, headless chromium, and the R packages the tests compare against
# Safe to run any number of times; prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="r-base-core r-cran-brms g++ make"
EXTRA_APT="fonts-dejavu-core ${BRMSTS_EXTRA_APT:-}"
TEST_APT="python3-xarray python3-zarr nats-server chromium r-cran-svglite r-cran-bayesplot
  r-cran-emmeans r-cran-lme4 r-cran-ape r-cran-mice r-cran-shinystan"
if [ "${1:-}" = "--test" ]; then EXTRA_APT="$EXTRA_APT $TEST_APT"; fi

have_r_pkgs() {
  command -v Rscript >/dev/null 2>&1 &&
    Rscript --vanilla -e 'quit(status = !all(c("brms", "rstan") %in% rownames(installed.packages())))' \
      >/dev/null 2>&1
}

missing_apt() {
  local missing=""
  have_r_pkgs || missing="$APT_PACKAGES"
  command -v g++ >/dev/null 2>&1 || missing="$missing g++"
  command -v make >/dev/null 2>&1 || missing="$missing make"
  for p in $EXTRA_APT; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  echo "$missing" | xargs -n1 2>/dev/null | sort -u | xargs 2>/dev/null || true
}

need=$(missing_apt)
if [ -n "$need" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "[setup] installing from Debian: $need" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need >/dev/null
  else
    echo "[setup] missing system packages: $need" >&2
    echo "[setup] install them with: sudo apt-get install -y --no-install-recommends $need" >&2
    echo "[setup] (or set BRMSTS_R_HOME to an R installation that has brms and rstan)" >&2
    exit 1
  fi
fi

# npm dependencies: (re)installed whenever package-lock.json differs from what was installed.
lock_hash=$(sha256sum package-lock.json | cut -d" " -f1)
stamp=node_modules/.brmsts-lock-hash
if [ ! -x node_modules/.bin/deno ] || [ ! -x node_modules/.bin/bun ] ||
  [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
  echo "[setup] installing npm dependencies (package-lock.json changed or first run)" >&2
  # npm install (not ci): it honours the lock's versions; ci rejects a lock that lacks the
  # optional binaries of other platforms.
  # Retried: under load, the bun package's install script has once failed to find its own
  # platform binary (@oven/bun-linux-x64) that npm had not placed yet; a second run finds it.
  for try in 1 2 3; do
    if npm install --no-audit --no-fund --loglevel=error &&
      [ -x node_modules/.bin/deno ] && [ -x node_modules/.bin/bun ]; then
      break
    fi
    [ "$try" = 3 ] && { echo "[setup] npm install failed 3 times" >&2; exit 1; }
    echo "[setup] npm install failed (try $try); trying again" >&2
    sleep 2
  done
  echo "$lock_hash" >"$stamp"
fi
