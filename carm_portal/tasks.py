"""Project-wide background tasks and the one way to enqueue them."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from kombu.exceptions import OperationalError

HEARTBEAT_KEY = "celery:heartbeat"
logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` to the broker once the current transaction commits.

    Tasks take primary keys, so the worker must never see a row that was rolled back or
    not yet committed. When the broker is down the work is already committed: the error
    is logged instead of failing the request, and the periodic task of the work's area
    queues it again (ADR 0005).
    """

    def send() -> None:
        try:
            task.delay(*args, **kwargs)
        except OperationalError:
            logger.error("broker unreachable: %s not queued, left to its periodic task", task.name)

    transaction.on_commit(send)


@shared_task(name="carm_portal.tasks.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> float:
    """Record that a worker is alive and consuming; /healthz reports its age."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
