#!/usr/bin/env bash
# Every benchmark script under bench/ at a tiny scale (--smoke: a few hundred rows, a few
# requests), so that none of them rots: a raw bulk insert that misses a new NOT NULL
# column, a renamed URL or a removed field fails here, in CI, not months later.
#
# A script is any bench/*.py with a `__main__` block; each must accept --smoke. They share
# one database whose name ends in _bench (derived from DATABASE_URL, created if missing):
# each script empties the tables it fills.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z ${DATABASE_URL:-} ]]; then
  echo "bench smoke: DATABASE_URL is not set (the benchmarks need a PostgreSQL URL)" >&2
  exit 1
fi
base=${DATABASE_URL%/*}
name=${DATABASE_URL##*/}
name=${name%%\?*}
bench_name="${name%_bench}_bench"
psql "$base/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$bench_name'" | grep -q 1 \
  || psql "$base/postgres" -qc "CREATE DATABASE \"$bench_name\""
export DATABASE_URL="$base/$bench_name"
# A fresh machine has an empty bench database: scripts that do not migrate need the schema.
.venv/bin/python manage.py migrate --noinput >".local/bench-smoke-migrate.log" 2>&1 \
  || { echo "bench smoke: migrate failed" >&2; tail -20 .local/bench-smoke-migrate.log >&2; exit 1; }

started=$(date +%s)
status=0
for script in bench/*.py; do
  grep -q '^if __name__ == "__main__":' "$script" || continue
  begun=$(date +%s)
  if .venv/bin/python "$script" --smoke >".local/bench-smoke-$(basename "$script" .py).log" 2>&1; then
    echo "bench smoke: $script ok ($(( $(date +%s) - begun ))s)"
  else
    status=1
    echo "bench smoke: $script FAILED; its output:" >&2
    tail -40 ".local/bench-smoke-$(basename "$script" .py).log" >&2
  fi
done
echo "bench smoke: done in $(( $(date +%s) - started ))s"
exit $status
