"""Test settings: real PostgreSQL and Redis (the machine's when the URLs are set, else the
embedded ones), tasks run eagerly unless a test starts a real worker.

Under pytest-xdist (``PYTEST_XDIST_WORKER`` = gw0, gw1...) each worker has its own test
database (pytest-django names it test_<name>_gw0), its own cache key prefix (cleared by
prefix, never FLUSHDB: the broker's queues live in the same Redis database) and its own
media folder. A Celery worker a test starts inherits the variable, so it shares them."""

import os

from carm_portal import embedded

from .base import *  # noqa: F403
from .base import env, redis_caches

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {"default": embedded.postgres_settings()}

REDIS_URL = env.str("REDIS_URL", default="") or embedded.redis_url()
CACHES = redis_caches(REDIS_URL)
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
CACHES["default"]["BACKEND"] = "tests.cache.PrefixScopedRedisCache"
CACHES["default"]["KEY_PREFIX"] = f"carm-test-{XDIST_WORKER}" if XDIST_WORKER else "carm-test"
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PORTAL_URL = "http://testserver"
MEDIA_ROOT = BASE_DIR / ".local" / "test-media" / (XDIST_WORKER or "main")  # noqa: F405
STORAGES["default"]["OPTIONS"]["location"] = MEDIA_ROOT  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Not staticfiles/, which `make run` fills: WhiteNoise reads the whole of STATIC_ROOT each
# time its middleware is made, that is for every new test client (1,253 files there made
# each matrix row take 4 s instead of about 1 s). Tests get static files from the finders;
# the one that needs collected files collects them into a folder of its own.
STATIC_ROOT = BASE_DIR / ".local" / "test-static"  # noqa: F405

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
# The migration linter (dev extra) for `manage.py lintmigrations` in CI (.ci/run).
INSTALLED_APPS = [*INSTALLED_APPS, "django_migration_linter"]  # noqa: F405
MIGRATION_LINTER_OPTIONS = {
    # Our apps only; third-party migrations are their maintainers' business.
    "include_apps": [
        "carm_portal",
        "accounts",
        "business",
        "delegation",
        "notices",
        "documents",
        "finance",
        "rulings",
        "calculator",
    ],
    # Written before the linter (a NOT NULL column added with a Python-side default, on
    # tables that were empty in production then); every later migration must pass.
    "ignore_name": [
        "0002_partneridentity_user_credential_kind_and_more",
        "0003_secretquestions_signinlock_user_email_notices_and_more",
        "0004_user_notice_language",
        "0002_remove_employment_employment_status_valid_and_more",
        "0002_ledger_statements_pad_security",
        # Widens case_number from 10 to 14 characters (a CAD's transaction number, DECL-4):
        # in PostgreSQL a longer varchar is a catalogue change, no rewrite, and code
        # of the version before still writes values that fit.
        "0004_case_number_fits_a_cad_transaction_number",
    ],
}

# FIN-6: the TEST payment processor (tests/processor/harness.py starts it and sets the URL); its secrets are fixed test values,
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
