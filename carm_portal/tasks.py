"""Project-wide background tasks and the one way to enqueue them."""

from __future__ import annotations

import time
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

HEARTBEAT_KEY = "celery:heartbeat"


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` to the broker once the current transaction commits.

    Tasks take primary keys, so the worker must never see a row that was rolled back or
    not yet committed.
    """
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


@shared_task(name="carm_portal.tasks.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> float:
    """Record that a worker is alive and consuming; /healthz reports its age."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
