"""Health of the back-ends the portal needs (SI-4), for /healthz."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from carm_portal.tasks import HEARTBEAT_KEY
from documents import clamav


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_redis() -> dict:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {}


def check_clamav() -> dict:
    if not clamav.ping():
        raise clamav.ClamdUnavailable("no PONG")
    answer = clamav.version()
    # "test-only": clamd runs the generated EICAR signature (freshclam could not reach
    # its mirror): uploads are scanned, but only the test file would be found.
    return {"signatures": clamav.signatures(answer), "version": answer}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "redis": check_redis,
    "clamav": check_clamav,
}


def worker_status() -> dict:
    """Age of the last worker heartbeat (informational: not a readiness condition)."""
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001 - Redis down is reported by check_redis
        return {"seen": False}
    if beat is None:
        return {"seen": False}
    return {"seen": True, "age_seconds": round(time.time() - beat, 1)}


def scan_status() -> dict:
    """The scan backlog (informational, OPS-4): files pending, pending for more than
    DOCUMENT_SCAN_LATE_AFTER (an hour), and given up (*scan failed*)."""
    from documents.selectors import scan_backlog

    try:
        return scan_backlog()
    except Exception as exc:  # noqa: BLE001 - the database is reported by check_database
        return {"error": type(exc).__name__}


def report() -> tuple[bool, dict]:
    """Run every check; healthy when every required one is up."""
    checks = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            details = check()
            checks[name] = {"up": True, **details}
        except Exception as exc:  # noqa: BLE001 - any failure means "down"
            checks[name] = {"up": False, "error": type(exc).__name__}
        checks[name]["required"] = name in settings.HEALTH_REQUIRED
        checks[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    healthy = all(c["up"] for c in checks.values() if c["required"])
    return healthy, {
        "status": "ok" if healthy else "unavailable",
        "checks": checks,
        "worker": worker_status(),
        "scans": scan_status(),
    }
