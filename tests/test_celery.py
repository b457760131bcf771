"""Celery: JSON only, acks_late, tasks after commit, and a real worker on the real Redis."""

import pytest
from django.conf import settings
from django.core.cache import cache

from carm_portal.celery import app
from carm_portal.tasks import HEARTBEAT_KEY, enqueue_on_commit, worker_heartbeat
from tests.worker import wait_for


def test_configuration():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert app.conf.broker_url == settings.REDIS_URL


def test_heartbeat_task_runs_eagerly(db):
    cache.delete(HEARTBEAT_KEY)
    worker_heartbeat.delay()
    assert cache.get(HEARTBEAT_KEY) is not None


def test_tasks_are_enqueued_only_after_commit(db, django_capture_on_commit_callbacks):
    cache.delete(HEARTBEAT_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(worker_heartbeat)
        assert cache.get(HEARTBEAT_KEY) is None
    assert len(callbacks) == 1
    callbacks[0]()
    assert cache.get(HEARTBEAT_KEY) is not None


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_real_worker_consumes_from_the_real_broker(db, real_worker):
    """A Celery worker process takes the task from Redis and runs it."""
    cache.delete(HEARTBEAT_KEY)
    worker = real_worker("test")
    # A worker that has started records its heartbeat at once (heartbeat_when_ready).
    wait_for(lambda: cache.get(HEARTBEAT_KEY) is not None, worker)
    cache.delete(HEARTBEAT_KEY)
    # send_task never runs eagerly: the message goes through Redis to the worker.
    app.send_task(worker_heartbeat.name, queue=worker.queue)
    wait_for(lambda: cache.get(HEARTBEAT_KEY) is not None, worker)
