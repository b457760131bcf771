"""Settings of the Celery worker that ``test_worker.py`` starts: the test settings with
the test database, the test's storage, its own queue, and clamd behind the test's gate."""

import os

from carm_portal.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["DOCUMENTS_TEST_DATABASE"]  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["DOCUMENTS_TEST_QUEUE"]
MEDIA_ROOT = os.environ["DOCUMENTS_TEST_MEDIA"]
STORAGES["default"]["OPTIONS"]["location"] = MEDIA_ROOT  # noqa: F405
CLAMAV_URL = os.environ["CLAMAV_URL"]
DOCUMENT_SCAN_RETRY_BASE = 1  # seconds: the test waits for the second attempt
DOCUMENT_SCAN_RETRY_MAX = 2
# The fault rehearsal of a worker killed mid-scan (test_faults.py) waits for Redis to
# deliver the message again: a short visibility timeout there, the real one otherwise.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("DOCUMENTS_TEST_VISIBILITY", 60 * 60)),
    # Look for messages to deliver again every second (kombu: every 10th of 10 s).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_ROUTES = {}  # every task on this one queue (not the production queues, OPS-2)
