"""Settings of the web process that ``documents_upload_memory.py`` starts: the test
settings with the bench's storage directory; scans are queued, not run in the process."""

import os

from carm_portal.settings.test import *  # noqa: F403

MEDIA_ROOT = os.environ["MEDIA_ROOT"]
STORAGES["default"]["OPTIONS"]["location"] = MEDIA_ROOT  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = "bench-documents"  # nobody consumes it
CELERY_TASK_ROUTES = {}  # every task on this one queue (not the production queues, OPS-2)
