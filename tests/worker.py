"""The one real-worker harness (STYLE 15; ADR 0005): a Celery worker process on the real
Redis, consuming a queue of its own, and a helper waiting for what it does.

Tests use the root conftest's ``real_worker`` fixture:
``worker = real_worker("test-notices", settings_module=..., env={...})``; the worker is
stopped when the test ends. Tasks reach it with ``app.send_task(name, queue=worker.queue)``
(``send_task`` never runs eagerly).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_worker(
    prefix: str, *, redis_url: str, settings_module: str = "carm_portal.settings.test", env=None
) -> subprocess.Popen:
    """A solo-pool worker on queue ``<prefix>-<pid>`` (``process.queue``)."""
    queue = f"{prefix}-{os.getpid()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "carm_portal", "worker", "-Q", queue,
         "--pool", "solo", "-l", "warning", "--without-mingle", "--without-gossip"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "REDIS_URL": redis_url,
            **(env or {}),
        },
    )  # fmt: skip
    process.queue = queue
    return process


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def wait_for(condition, worker: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until ``condition()`` holds; fail if the worker dies or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker died"
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")
