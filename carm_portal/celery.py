"""The Celery application (ADR 0005).

Configuration lives in Django settings under the ``CELERY_`` prefix: JSON only,
``acks_late``, time limits, routes and the beat schedule.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carm_portal.settings.local")

app = Celery("carm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
