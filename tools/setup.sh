#!/usr/bin/env bash
# Idempotent set-up: installs what is missing and nothing else.
#   - R, brms, rstan, g++ and make from Debian's packages (when apt-get is there and we are root)
#   - the pinned deno and bun binaries and the npm dependencies (npm ci / npm install)
#   - with --test: python3-xarray and python3-zarr (the tests read the Zarr export with them)
# Safe to run any number of times; prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="r-base-core r-cran-brms g++ make"
EXTRA_APT="${BRMSTS_EXTRA_APT:-}"
# `setup.sh --test` also installs what the test suite needs: Python readers of the Zarr export.
if [ "${1:-}" = "--test" ]; then EXTRA_APT="$EXTRA_APT python3-xarray python3-zarr"; fi

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

if [ ! -x node_modules/.bin/deno ] || [ ! -x node_modules/.bin/bun ] || [ ! -d node_modules/apache-arrow ]; then
  echo "[setup] installing npm dependencies (deno, bun, apache-arrow, fast-check)" >&2
  # npm install (not ci): it honours the lock's versions; ci rejects a lock that lacks the
  # optional binaries of other platforms.
  npm install --no-audit --no-fund --loglevel=error
fi
