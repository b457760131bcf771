"""Developer settings: DEBUG on, embedded PostgreSQL/Redis when the URLs are unset."""

from carm_portal import embedded

from .base import *  # noqa: F403
from .base import env, redis_caches

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A fixed key is acceptable only on a developer's machine; production requires one.
SECRET_KEY = env.str("SECRET_KEY", default="local-development-only-not-secret")  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {"default": embedded.postgres_settings()}

REDIS_URL = env.str("REDIS_URL", default="") or embedded.redis_url()
CACHES = redis_caches(REDIS_URL)
CELERY_BROKER_URL = REDIS_URL

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# A fixed key for bank details is acceptable only here; production requires its own.
PAD_ENCRYPTION_KEYS = env.list("PAD_ENCRYPTION_KEYS", default=[]) or [
    "bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1rZXk="  # base64 of "local-development-only-not-a-key"
]

# A fixed key for second-factor secrets, acceptable only here; production requires its own.
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[]) or [
    "bG9jYWwtZGV2LW9ubHktbm90LWFuLW1mYS1rZXktMzI="  # base64 of "local-dev-only-not-an-mfa-key-32"
]
# WebAuthn (passkeys) on http://localhost: development and tests only (SEC-10).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True

# FIN-6: the TEST payment processor (`make run` starts it (scripts/devserver.py)); its secrets are fixed test values,
# acceptable only here: production requires its own (ADR 0018).
PAYMENT_PROCESSOR_URL = env.str("PAYMENT_PROCESSOR_URL", default="") or "http://127.0.0.1:8020"
PAYMENT_PROCESSOR_REQUEST_SECRET = (
    env.str("PAYMENT_PROCESSOR_REQUEST_SECRET", default="")
    or "test-processor-request-secret-not-secret"  # noqa: S105
)
PAYMENT_PROCESSOR_WEBHOOK_SECRET = (
    env.str("PAYMENT_PROCESSOR_WEBHOOK_SECRET", default="")
    or "test-processor-webhook-secret-not-secret"  # noqa: S105
)
