#!/usr/bin/env bash
# Sets up the project's virtual environment for the make targets:
#
#   bash scripts/setup-venv.sh PYTHON VENV
#
# PYTHON must be 3.11 or later with its venv module, its headers and a C compiler (the payers'
# importer has one compiled part, src/sca_rates/ingest/_walk.c); the packages come from PyPI.
# Each step says what it does; one that fails says which it was, why (the tail of its output),
# and what usually fixes it.
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: bash scripts/setup-venv.sh PYTHON VENV" >&2
  exit 2
fi
python=$1 venv=$2
log=$(mktemp)
keep_log=""
trap '[ -n "$keep_log" ] || rm -f "$log"' EXIT

fail() {
  echo "set-up failed: $*" >&2
  exit 1
}

# step NAME HINT COMMAND...: run COMMAND, its output kept for the message if it fails
step() {
  local name=$1 hint=$2 rc
  shift 2
  echo "set-up: $name" >&2
  "$@" >"$log" 2>&1 && return 0
  rc=$?
  keep_log=1
  {
    echo "set-up failed: step '$name' ($*) exited $rc:"
    tail -n 25 "$log" | sed 's/^/  /'
    [ -z "$hint" ] || echo "$hint"
    echo "The whole output is in $log. Fix it and run make again: the set-up starts over."
  } >&2
  exit 1
}

command -v "$python" >/dev/null 2>&1 ||
  fail "no '$python' here: install Python 3.11 or later (Debian: apt-get install python3), or name one with PYTHON=..."
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  fail "$python is Python $("$python" -c 'import platform; print(platform.python_version())'); sca-rates needs 3.11 or later (make test PYTHON=python3.12, say)"

step "create $venv with $python -m venv" \
  "On Debian or Ubuntu the venv module is a package of its own: apt-get install python3-venv." \
  "$python" -m venv "$venv"
step "upgrade pip in $venv" \
  "pip downloads from PyPI: check the network or the proxy (HTTPS_PROXY, PIP_INDEX_URL)." \
  "$venv/bin/python" -m pip install --quiet --upgrade pip
step "install the pinned dependencies (requirements/dev.txt)" \
  "pip downloads from PyPI: check the network or the proxy (HTTPS_PROXY, PIP_INDEX_URL)." \
  "$venv/bin/python" -m pip install --quiet -r requirements/dev.txt
step "build and install sca-rates, compiling src/sca_rates/ingest/_walk.c" \
  "Compiling needs a C compiler and Python's headers (Debian: apt-get install gcc python3-dev, or the python3.X-dev of this Python)." \
  "$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
