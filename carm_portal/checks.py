"""Start-up configuration checks for production (SPEC SEC-9 config; CM-6).

Each runs with ``manage.py check --deploy`` (CI, the image's migration job) and answers
with an error that names its id:

- ``carm.E001`` ``PAD_ENCRYPTION_KEYS`` empty or not Fernet keys (the first PAD page
  would answer 500);
- ``carm.E002`` ``MFA_ENCRYPTION_KEYS`` empty or not Fernet keys;
- ``carm.E003`` ``ALLOWED_HOSTS`` holds ``*`` (the sign-in ``next=`` would become an open
  redirect: any Host header passes ``url_has_allowed_host_and_scheme``);
- ``carm.E004`` ``DEBUG`` on;
- ``carm.E005`` the payment processor (FIN-6, ADR 0018): ``PAYMENT_PROCESSOR_URL`` not
  HTTPS, or a signing secret (``PAYMENT_PROCESSOR_REQUEST_SECRET``,
  ``PAYMENT_PROCESSOR_WEBHOOK_SECRET``) shorter than 32 characters, the test processor's,
  or the same for both (card payments would be refused, or forgeable).
"""

from __future__ import annotations

import os

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


def _bad_keys(keys) -> str | None:
    """Why ``keys`` cannot encrypt, or None when each is a Fernet key."""
    if isinstance(keys, str):
        keys = [k for k in keys.split(",")]
    keys = [str(k).strip() for k in (keys or [])]
    if not keys or not all(keys):
        return "empty"
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError):
            return "not a Fernet key (32 url-safe base64-encoded bytes)"
    return None


@register(Tags.security, deploy=True)
def check_encryption_keys(app_configs=None, **kwargs):
    errors = []
    checked = [("PAD_ENCRYPTION_KEYS", "carm.E001")]
    # The MFA keys are checked once the setting exists (the second factor's encryption
    # at rest, SEC-2, defines it); a portal without it has nothing to decrypt.
    if hasattr(settings, "MFA_ENCRYPTION_KEYS"):
        checked.append(("MFA_ENCRYPTION_KEYS", "carm.E002"))
    for setting, check_id in checked:
        problem = _bad_keys(getattr(settings, setting, None))
        if problem:
            errors.append(
                Error(
                    f"{setting} is {problem}.",
                    hint="Set it to one or more comma-separated keys from "
                    "cryptography.fernet.Fernet.generate_key(); the first encrypts.",
                    id=check_id,
                )
            )
    return errors


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs=None, **kwargs):
    if any(host.strip() == "*" for host in settings.ALLOWED_HOSTS):
        return [
            Error(
                "ALLOWED_HOSTS holds '*'.",
                hint="Name the portal's host names: any Host header would otherwise be "
                "trusted, and redirects after sign-in could leave the portal.",
                id="carm.E003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_debug(app_configs=None, **kwargs):
    if settings.DEBUG:
        return [Error("DEBUG is on.", hint="Set DJANGO_DEBUG=false.", id="carm.E004")]
    return []


PAYMENT_SECRETS = ("PAYMENT_PROCESSOR_REQUEST_SECRET", "PAYMENT_PROCESSOR_WEBHOOK_SECRET")


@register(Tags.security, deploy=True)
def check_payment_processor(app_configs=None, **kwargs):
    problems = []
    if not str(getattr(settings, "PAYMENT_PROCESSOR_URL", "")).startswith("https://"):
        problems.append("PAYMENT_PROCESSOR_URL is not an https:// address")
    secrets = [str(getattr(settings, name, "") or "") for name in PAYMENT_SECRETS]
    for name, secret in zip(PAYMENT_SECRETS, secrets, strict=True):
        if len(secret) < 32 or "not-secret" in secret:
            problems.append(f"{name} is shorter than 32 characters or a test value")
    if secrets[0] and secrets[0] == secrets[1]:
        problems.append("the request and webhook secrets are the same")
    return [
        Error(
            f"{problem}.",
            hint="Set the payment processor's address and the two secrets it issued (ADR 0018).",
            id="carm.E005",
        )
        for problem in problems
    ]


def refuse_to_start_misconfigured() -> None:
    """Called by wsgi.py: a production process stops at start-up on any carm.E check,
    instead of answering 500 on the first page that needs the missing key."""
    if not os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production"):
        return
    errors = [
        f"{error.id}: {error.msg}"
        for check in (check_encryption_keys, check_allowed_hosts, check_debug)
        for error in check()
    ]
    if errors:
        raise ImproperlyConfigured("; ".join(errors))
