"""Settings of the Celery worker that ``test_worker.py`` starts: the test settings, with
the test database, the loopback SMTP server and the test's own queue."""

import os

from carm_portal.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["NOTICES_TEST_DATABASE"]  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["NOTICES_TEST_SMTP_PORT"])
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
EMAIL_USE_TLS = EMAIL_USE_SSL = False
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["NOTICES_TEST_QUEUE"]
# The fault rehearsal of a worker killed mid-batch (test_faults.py) waits for Redis to
# deliver the message again: a short visibility timeout there, the real one otherwise.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("NOTICES_TEST_VISIBILITY", 60 * 60)),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_ROUTES = {}  # every task on this one queue (not the production queues, OPS-2)
