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
CELERY_TASK_ROUTES = {}  # every task on this one queue (not the production queues, OPS-2)
