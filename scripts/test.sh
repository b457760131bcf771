#!/usr/bin/env bash
# `make test`: the whole suite. Virus scanning is part of it (OPS-4): when nobody gave
# CLAMAV_URL (CI gives it), install clamd if it is missing (as root or through passwordless
# sudo; else print the one command), try freshclam for the official signatures (short
# timeouts; the generated test signature otherwise), start our own clamd for the scanning
# tests and stop it afterwards, unless it was already running (`make run`). With clamd
# running, CLAMD_REQUIRED=1 makes a scanning test fail, never skip, when it cannot reach it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "make test: $*" >&2; }

if [[ -z ${CLAMAV_URL:-} ]]; then
  bash scripts/clamd.sh install || say "the virus-scanning tests will be skipped (see above)"
  if [[ -x ${CLAMD_BINARY:-/usr/sbin/clamd} ]]; then
    if bash scripts/clamd.sh status >/dev/null 2>&1; then
      eval "$(bash scripts/clamd.sh status 2>/dev/null)"
    else
      bash scripts/clamd.sh update || true   # says which signatures clamd will use
      if urls=$(bash scripts/clamd.sh start); then
        eval "$urls"
        trap 'bash scripts/clamd.sh stop' EXIT
      else
        say "clamd did not start (above): the virus-scanning tests will be skipped"
      fi
    fi
  fi
fi
if [[ -n ${CLAMAV_URL:-} ]]; then
  export CLAMD_REQUIRED=1
  say "virus scanning with clamd at $CLAMAV_URL: no scanning test is skipped"
fi

# In parallel by default (one database, cache prefix and media folder per worker): one
# worker more than the processors, since the browser tests and the tests driving real
# processes (Celery workers, clamd, the OIDC provider, SMTP) spend much of their time
# waiting; PYTEST_WORKERS=0 runs everything in this one process. The 20 slowest tests are
# listed at the end, for whoever makes the suite faster next.
workers=${PYTEST_WORKERS:-$(($(nproc 2>/dev/null || echo 1) + 1))}
.venv/bin/python -m pytest -n "$workers" --durations=20 "$@"
