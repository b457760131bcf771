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
CELERY_TASK_ROUTES = {}  # every task on this one queue (not the production queues, OPS-2)
