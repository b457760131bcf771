"""Production settings: every secret and address comes from the environment, no defaults."""

from .base import *  # noqa: F403
from .base import env, fernet_keys, redis_caches

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # required: no default
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
PORTAL_URL = env.str("PORTAL_URL", default=f"https://{ALLOWED_HOSTS[0]}")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env.str("REDIS_URL")
CACHES = redis_caches(REDIS_URL)
CELERY_BROKER_URL = REDIS_URL

# SC-8: HTTPS only, cookies never sent in clear.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The cluster's probes call /healthz over plain HTTP inside the cluster (ADR 0013).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-carm_sessionid"
CSRF_COOKIE_NAME = "__Host-carm_csrftoken"

HEALTH_REQUIRED = env.list("HEALTH_REQUIRED", default=["database", "redis", "clamav"])

# SC-28: bank details of pre-authorized debits are encrypted with these keys: required,
# the portal does not start without one.
PAD_ENCRYPTION_KEYS = env.list("PAD_ENCRYPTION_KEYS")

# SC-28, SEC-2: authenticator secrets and recovery codes are encrypted with these keys
# (separate from the PAD keys): required and checked, the portal does not start without
# valid ones.
MFA_ENCRYPTION_KEYS = fernet_keys("MFA_ENCRYPTION_KEYS", env.list("MFA_ENCRYPTION_KEYS"))
