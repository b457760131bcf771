"""Prometheus metrics (SPEC OPS-4): what operators watch to see a fault before users do.

Two sources:

- **django-prometheus** (middleware): requests, latency and responses per view and
  method, exceptions per view (``django_http_*``).
- **This module**: counters of the requests that failed on a back-end (``carm_database_
  errors_total``, ``carm_cache_errors_total``, counted by ``carm_portal.views.
  server_error``), and a collector read at each scrape: back-ends up, Celery queue depth
  and task failures per queue, the scan backlog, the email backlog, sign-in failures and
  locks. Scrape-time values come from PostgreSQL and Redis, so they are the same whichever
  web process answers, and the workers' task failures (counted into Redis by the Celery
  signals below) reach the same endpoint.

``/metrics`` (``carm_portal.views.metrics``) answers only to the addresses of
``METRICS_ALLOWED_NETWORKS`` and never to a request that came through a proxy; the public
ingress does not route it (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import logging
import time

import redis
from celery.signals import task_failure, task_retry
from django.conf import settings
from django.utils import timezone
from prometheus_client import Counter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

DATABASE_ERRORS = Counter(
    "carm_database_errors",
    "Requests that failed because PostgreSQL could not be reached or broke off",
    ["error"],
)
CACHE_ERRORS = Counter(
    "carm_cache_errors",
    "Requests that failed because Redis (cache, sessions' helpers, broker) could not be reached",
    ["error"],
)

TASKS_KEY = "carm:metrics:celery-tasks"  # Redis hash "<queue>|<outcome>" -> count

# Audit actions counted as Prometheus counters (the audit log is append-only).
AUDITED = (
    "sign_in.failed",
    "sign_in.locked",
    "sign_in.refused_locked",
    "documents.scan",
    "documents.scan_failed",
)


def _redis(url: str | None = None) -> redis.Redis:
    return redis.Redis.from_url(
        url or settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
    )


def queues() -> list[str]:
    """The Celery queues the portal uses: the default one and those of the routes."""
    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery") or "celery"}
    for route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).values():
        if isinstance(route, dict) and route.get("queue"):
            names.add(route["queue"])
    return sorted(names)


def _count_task(sender, outcome: str) -> None:
    """Worker side: one more ``outcome`` for the task's queue, kept in Redis."""
    try:
        info = getattr(sender.request, "delivery_info", None) or {}
        queue = info.get("routing_key") or info.get("exchange") or "celery"
        client = _redis(getattr(settings, "CELERY_BROKER_URL", None) or settings.REDIS_URL)
        try:
            client.hincrby(TASKS_KEY, f"{queue}|{outcome}", 1)
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - Redis down: the broker alert says so already
        logger.warning("task %s: %s not counted (Redis unreachable)", sender.name, outcome)


@task_failure.connect
def _on_task_failure(sender=None, **kwargs):
    _count_task(sender, "failure")


@task_retry.connect
def _on_task_retry(sender=None, **kwargs):
    _count_task(sender, "retry")


class PortalCollector(Collector):
    """Values read at scrape time; a back-end that is down only removes its own part."""

    def collect(self):
        yield from self._backends()
        yield from self._celery()
        yield from self._database_figures()

    def _backends(self):
        from carm_portal import health

        up = GaugeMetricFamily(
            "carm_backend_up", "1 when the back-end answers its health check", labels=["backend"]
        )
        official = None
        for name, check in health.CHECKS.items():
            try:
                details = check()
                up.add_metric([name], 1)
                if name == "clamav":
                    official = details.get("signatures") == "official"
            except Exception:  # noqa: BLE001 - down is the figure
                up.add_metric([name], 0)
        yield up
        if official is not None:
            yield GaugeMetricFamily(
                "carm_clamav_official_signatures",
                "1 when clamd runs the official signatures, 0 with the test signature only",
                value=1 if official else 0,
            )

    def _celery(self):
        depth = GaugeMetricFamily(
            "carm_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"]
        )
        tasks = CounterMetricFamily(
            "carm_celery_tasks",
            "Celery task failures and retries per queue",
            labels=["queue", "outcome"],
        )
        heartbeat = None
        try:
            client = _redis(getattr(settings, "CELERY_BROKER_URL", None) or settings.REDIS_URL)
            try:
                for queue in queues():
                    depth.add_metric([queue], client.llen(queue))
                for field, count in client.hgetall(TASKS_KEY).items():
                    queue, _, outcome = field.decode().partition("|")
                    tasks.add_metric([queue, outcome], int(count))
            finally:
                client.close()
            from django.core.cache import cache

            from carm_portal.tasks import HEARTBEAT_KEY

            beat = cache.get(HEARTBEAT_KEY)
            if beat is not None:
                heartbeat = time.time() - beat
        except Exception:  # noqa: BLE001 - Redis down: carm_backend_up says so
            return
        yield depth
        yield tasks
        if heartbeat is not None:
            yield GaugeMetricFamily(
                "carm_celery_worker_heartbeat_age_seconds",
                "Seconds since a worker last ran the heartbeat task",
                value=heartbeat,
            )

    def _database_figures(self):
        try:
            yield from list(self._scans()) + list(self._emails()) + list(self._sign_in())
        except Exception:  # noqa: BLE001 - PostgreSQL down: carm_backend_up says so
            with contextlib.suppress(Exception):
                from django.db import connection

                connection.close()

    def _scans(self):
        from documents.selectors import scan_backlog

        figures = scan_backlog()
        for key, name, help_text in (
            ("pending", "pending", "Uploaded files waiting for their virus scan"),
            ("pending_over_hour", "pending_over_hour", "Files waiting for more than an hour"),
            ("oldest_pending_seconds", "oldest_pending_seconds", "Age of the oldest waiting"),
            ("scan_failed", "failed", "Files given up on (scan failed), not scanned again since"),
        ):
            yield GaugeMetricFamily(f"carm_document_scan_{name}", help_text, value=figures[key])

    def _emails(self):
        from django.db.models import Count, Min, Q

        from notices.models import NoticeDelivery

        now = timezone.now()
        State = NoticeDelivery.State
        figures = NoticeDelivery.objects.filter(
            state__in=[State.PENDING, State.SENDING, State.FAILED]
        ).aggregate(
            pending=Count("pk", filter=Q(state=State.PENDING)),
            sending=Count("pk", filter=Q(state=State.SENDING)),
            failed=Count("pk", filter=Q(state=State.FAILED)),
            oldest_due=Min("due_at", filter=Q(state=State.PENDING)),
        )
        backlog = GaugeMetricFamily(
            "carm_notice_email_backlog", "Notice emails not sent yet", labels=["state"]
        )
        for state in ("pending", "sending", "failed"):
            backlog.add_metric([state], figures[state])
        yield backlog
        oldest = figures["oldest_due"]
        overdue = max((now - oldest).total_seconds(), 0) if oldest else 0
        yield GaugeMetricFamily(
            "carm_notice_email_oldest_overdue_seconds",
            "How long the most overdue pending notice email has been due",
            value=overdue,
        )

    def _sign_in(self):
        from django.db.models import Count

        from accounts.models import SignInLock
        from carm_portal.models import AuditEntry

        counts = dict(
            AuditEntry.objects.filter(action__in=AUDITED)
            .values_list("action")
            .annotate(n=Count("pk"))
            .values_list("action", "n")
        )
        audited = CounterMetricFamily(
            "carm_audit_events",
            "Audited events operators watch (sign-in failures and locks, scans)",
            labels=["action"],
        )
        for action in AUDITED:
            audited.add_metric([action], counts.get(action, 0))
        yield audited
        yield GaugeMetricFamily(
            "carm_sign_in_locked_usernames",
            "Usernames whose sign-in is locked now (AC-7)",
            value=SignInLock.objects.filter(locked_until__gt=timezone.now()).count(),
        )


COLLECTOR = PortalCollector()
