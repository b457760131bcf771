#!/usr/bin/env bash
# Lighthouse (mobile, its default simulated throttling) on the key pages of the portal,
# served by gunicorn with production settings (hashed static files from collectstatic,
# WhiteNoise, no DEBUG), signed in with a session cookie for the portal's pages:
# landing, sign-in, home, notices, transaction history, calculator and rulings.
# Prints a table of the performance, accessibility and best-practices scores.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/carm REDIS_URL=redis://127.0.0.1:6379/5 \
#     bash bench/lighthouse.sh
#
# It uses a database of its own, <name>_lighthouse_bench (derived from DATABASE_URL, migrated and
# given the demo world by seed_demo). Lighthouse itself is installed on first use under
# .local/lighthouse (npm), Chromium is Debian's (CHROMIUM to override).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

: "${DATABASE_URL:?set DATABASE_URL (PostgreSQL) and REDIS_URL}"
: "${REDIS_URL:?set REDIS_URL}"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
LH_VERSION=12.8.2
LH=.local/lighthouse/node_modules/.bin/lighthouse
if [[ ! -x $LH ]]; then
  mkdir -p .local/lighthouse
  (cd .local/lighthouse && { [[ -f package.json ]] || echo '{"private": true}' >package.json; } \
    && npm install --no-audit --no-fund --loglevel=error "lighthouse@$LH_VERSION")
fi

base=${DATABASE_URL%/*}
name=${DATABASE_URL##*/}
name=${name%%\?*}
bench_name="${name%_bench}_lighthouse_bench"
psql "$base/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$bench_name'" | grep -q 1 \
  || psql "$base/postgres" -qc "CREATE DATABASE \"$bench_name\""
export DATABASE_URL="$base/$bench_name"
export DJANGO_SETTINGS_MODULE=carm_portal.settings.production
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
PAD_ENCRYPTION_KEYS="$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
MFA_ENCRYPTION_KEYS="$(.venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export SECRET_KEY PAD_ENCRYPTION_KEYS MFA_ENCRYPTION_KEYS
export ALLOWED_HOSTS=localhost,127.0.0.1 SECURE_SSL_REDIRECT=false HEALTH_REQUIRED=database

.venv/bin/python manage.py migrate --verbosity 0
# The demo world refuses production settings (DEBUG off): it is seeded with the local ones.
DJANGO_SETTINGS_MODULE=carm_portal.settings.local .venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python manage.py collectstatic --noinput --verbosity 0

port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/python -m gunicorn carm_portal.wsgi --workers 2 --bind "127.0.0.1:$port" \
  --log-level warning &
server=$!
out=.local/lighthouse/reports  # the JSON reports stay there, for the details
rm -rf "$out" && mkdir -p "$out"
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://localhost:$port/healthz" >/dev/null && break; sleep 0.2; done

# A signed-in, onboarded session of the demo importer; its cookie for the portal's pages.
read -r cookie_name cookie_value < <(.venv/bin/python - <<'PY'
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from accounts.onboarding import DONE_KEY, TERMS_KEY
user = get_user_model().objects.get(username="demoimporter")
session = SessionStore()
session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: user.get_session_auth_hash(), TERMS_KEY: True, DONE_KEY: True})
session.create()
print(settings.SESSION_COOKIE_NAME, session.session_key)
PY
)

pages=(
  "landing|/en/|"
  "sign-in|/en/account/sign-in/|"
  "home|/en/portal/home/|signed-in"
  "notices|/en/notices/|signed-in"
  "transaction history|/en/finance/transactions/|signed-in"
  "calculator|/en/calculator/|signed-in"
  "rulings|/en/rulings/|signed-in"
)
n=0
for entry in "${pages[@]}"; do
  IFS='|' read -r label path signed <<<"$entry"
  n=$((n + 1))
  headers='{}'
  [[ -n $signed ]] && headers="{\"Cookie\": \"$cookie_name=$cookie_value\"}"
  # Lighthouse's trace sometimes misses the page's start (runtime error NO_NAVSTART, seen
  # with Debian's Chromium 156): up to three tries a page; the table names what failed.
  for try in 1 2 3; do
    rm -f "$out/$n.json"
    CHROME_PATH=$CHROMIUM "$LH" "http://localhost:$port$path" --quiet --output=json \
      --output-path="$out/$n.json" --only-categories=performance,accessibility,best-practices \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu" --extra-headers="$headers" \
      || echo "lighthouse failed on $path (try $try)" >&2
    [[ -f $out/$n.json ]] && ! grep -q '"runtimeError"' "$out/$n.json" && break
    echo "lighthouse: runtime error on $path (try $try)" >&2
  done
  echo "$label" >"$out/$n.label"
done

.venv/bin/python - "$out" "$n" <<'PY'
import json, sys
from pathlib import Path
out, count = Path(sys.argv[1]), int(sys.argv[2])
print("\n| page | URL | performance | accessibility | best practices | FCP | LCP | TBT | CLS | SI | transfer |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for n in range(1, count + 1):
    label = (out / f"{n}.label").read_text().strip()
    try:
        report = json.loads((out / f"{n}.json").read_text())
    except FileNotFoundError:
        print(f"| {label} | (failed) |" + " |" * 9)
        continue
    if "runtimeError" in report:
        print(f"| {label} | (failed: {report['runtimeError'].get('code', '?')}) |" + " |" * 9)
        continue
    score = {k: round(100 * (v["score"] or 0)) for k, v in report["categories"].items()}
    audits = report["audits"]
    final = report.get("finalDisplayedUrl") or report.get("finalUrl")
    print(
        f"| {label} | /{final.split('//', 1)[1].split('/', 1)[1]} "
        f"| {score['performance']} | {score['accessibility']} | {score['best-practices']} "
        + "".join(
            f"| {audits[key]['displayValue']} "
            for key in (
                "first-contentful-paint",
                "largest-contentful-paint",
                "total-blocking-time",
                "cumulative-layout-shift",
                "speed-index",
            )
        )
        + f"| {round(audits['total-byte-weight']['numericValue'] / 1024)} KiB |"
    )
    for key in ("accessibility", "best-practices"):
        for ref in report["categories"][key]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                print(f"|   | {key}: {audit['id']} ({audit['title']}) |" + " |" * 9)
PY
