import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carm_portal.settings.production")

application = get_wsgi_application()

# The portal does not start misconfigured (carm_portal/checks.py: keys, hosts, DEBUG).
from carm_portal.checks import refuse_to_start_misconfigured  # noqa: E402

refuse_to_start_misconfigured()
