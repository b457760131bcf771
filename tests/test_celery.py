"""Celery: JSON only, acks_late, tasks after commit, and a real worker on the real Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from carm_portal.celery import app
from carm_portal.tasks import HEARTBEAT_KEY, enqueue_on_commit, worker_heartbeat

ROOT = Path(__file__).resolve().parent.parent


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
def test_a_real_worker_consumes_from_the_real_broker(db):
    """A Celery worker process takes the task from Redis and runs it."""
    cache.delete(HEARTBEAT_KEY)
    env = dict(os.environ, CELERY_TASK_ALWAYS_EAGER="false", REDIS_URL=settings.REDIS_URL)
    queue = f"test-{os.getpid()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "carm_portal",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "-l",
            "warning",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "carm_portal.settings.test"},
    )
    try:
        assert cache.get(HEARTBEAT_KEY) is None
        # send_task never runs eagerly: the message goes through Redis to the worker.
        app.send_task(worker_heartbeat.name, queue=queue)
        deadline = time.monotonic() + 60
        while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker died"
            time.sleep(0.2)
        assert cache.get(HEARTBEAT_KEY) is not None
    finally:
        worker.terminate()
        worker.wait(timeout=30)
