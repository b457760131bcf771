"""Project-wide background tasks and the one way to enqueue them."""

from __future__ import annotations

import datetime
import logging
import time
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.core.cache import cache
from django.db import transaction
from kombu.exceptions import OperationalError

HEARTBEAT_KEY = "celery:heartbeat"
logger = logging.getLogger(__name__)


class InvalidTaskArgument(ValueError):
    """A task's message holds an argument it must not act on (SEC-5, SI-10): the task
    refuses it at once, without retrying (tasks list it in ``dont_autoretry_for``)."""


def task_pk(value: Any, *, name: str = "id") -> int:
    """A primary key from a task's message: a positive int (JSON gives ints; bool is not
    one)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise InvalidTaskArgument(f"{name} must be a positive integer, not {value!r:.40}")
    return value


def task_pks(values: Any, *, name: str = "ids", limit: int = 10_000) -> list[int]:
    if not isinstance(values, list) or len(values) > limit:
        raise InvalidTaskArgument(f"{name} must be a list of at most {limit} ids")
    return [task_pk(v, name=name) for v in values]


def task_past_date(value: Any, *, today: datetime.date, name: str = "date") -> datetime.date:
    """A date from a task's message: ISO 8601 (YYYY-MM-DD), not after ``today``."""
    if not isinstance(value, str) or len(value) != 10:
        raise InvalidTaskArgument(f"{name} must be a date as YYYY-MM-DD, not {value!r:.40}")
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidTaskArgument(f"{name} {value!r:.40} is not a date") from None
    if day > today:
        raise InvalidTaskArgument(f"{name} {value} is in the future")
    return day


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


@worker_ready.connect
def heartbeat_when_ready(**_kwargs: Any) -> None:
    """A worker that has just started is seen at once: without this, /healthz says "not
    seen" until the beat's first heartbeat, a minute after `make run` starts."""
    try:
        worker_heartbeat()
    except Exception:  # the cache is down: the beat's heartbeat will say so later
        logger.warning("worker ready, but its heartbeat could not be recorded", exc_info=True)
