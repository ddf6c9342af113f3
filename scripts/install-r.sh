#!/usr/bin/env bash
# Installs Debian's R with the survey package, used only to regenerate the statistics reference
# fixtures (test/statistics/fixtures); the tests read the committed fixtures and skip the freshness
# check when R is missing.
set -euo pipefail
if command -v Rscript >/dev/null && Rscript -e 'quit(status = !requireNamespace("survey", quietly = TRUE))' >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "R is missing and this user cannot install packages; the fixture freshness test will be skipped." >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends r-base-core r-cran-survey >/dev/null
echo "installed $(Rscript --version 2>&1 | head -n 1), survey $(Rscript -e 'cat(as.character(packageVersion("survey")))')"
