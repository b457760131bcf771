#!/usr/bin/env bash
# `make test`: the whole suite. When nobody gave CLAMAV_URL (CI gives it) and clamd is
# installed, start our own clamd for the scanning tests and stop it afterwards, unless it
# was already running (`make run`). Without clamd those tests skip and say why.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z ${CLAMAV_URL:-} ]]; then
  if [[ ! -x /usr/sbin/clamd ]]; then
    echo "make test: clamd is not installed (apt-get install clamav-daemon):" \
      "the virus-scanning tests will be skipped" >&2
  elif bash scripts/clamd.sh status >/dev/null 2>&1; then
    eval "$(bash scripts/clamd.sh status 2>/dev/null)"
  elif urls=$(bash scripts/clamd.sh start); then
    eval "$urls"
    trap 'bash scripts/clamd.sh stop' EXIT
  else
    echo "make test: clamd did not start (above): the virus-scanning tests will be skipped" >&2
  fi
fi

# In parallel by default (one database, cache prefix and media folder per worker; browser
# tests grouped on one worker); PYTEST_WORKERS=0 runs everything in this one process.
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" "$@"
