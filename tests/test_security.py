"""Security headers, cookie flags, production checks and log hygiene (X-4)."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from carm_portal.logging import RedactPersonalInformation

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.spec("X-4")
def test_security_headers(client, db):
    """CSP without unsafe-inline, no framing, no sniffing, same-origin referrer, HSTS."""
    response = client.get("/en/", secure=True)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "max-age=31536000" in response["Strict-Transport-Security"]


@pytest.mark.spec("X-4")
def test_pages_have_no_inline_script_or_style(client, db):
    """Every script and style comes from the site's own static files (CSP-clean)."""
    body = client.get("/en/").content.decode()
    assert "<script>" not in body and "<style" not in body and " style=" not in body
    assert "https://fonts." not in body


def _production_env() -> dict:
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' process
    env.update(
        DJANGO_SETTINGS_MODULE="carm_portal.settings.production",
        SECRET_KEY="k" * 20 + "production-like-secret-for-the-deploy-check-0123456789",
        ALLOWED_HOSTS="portal.example.ca",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        PAD_ENCRYPTION_KEYS="aGVyZS1pcy1hLWRlcGxveS1jaGVjay1rZXktMzJieXQ=",
        MFA_ENCRYPTION_KEYS="bWZhLWtleS1mb3ItdGhlLWRlcGxveS1jaGVjay0zMmI=",
        PAYMENT_PROCESSOR_URL="https://pay.processor.example",
        PAYMENT_PROCESSOR_REQUEST_SECRET="request-secret-for-the-deploy-check-0123456789",
        PAYMENT_PROCESSOR_WEBHOOK_SECRET="webhook-secret-for-the-deploy-check-0123456789",
    )
    return env


@pytest.mark.spec("X-4")
def test_check_deploy_is_clean_with_production_settings():
    """`manage.py check --deploy` reports nothing with production settings."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.spec("X-4", "FIN-4")
@pytest.mark.parametrize("secret", ["SECRET_KEY", "PAD_ENCRYPTION_KEYS", "MFA_ENCRYPTION_KEYS"])
def test_production_settings_require_their_secrets(secret):
    """No secret default outside local/test settings (SC-28: no PAD without a key)."""
    env = _production_env()
    del env[secret]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert secret in result.stderr


@pytest.mark.spec("X-4")
def test_logs_carry_no_personal_information():
    """AU-3: emails, addresses and secrets are masked before a record is written."""
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Forbidden for %s from %s: /en/x?password=Hunter22&next=/",
        ("jo@example.ca", "10.1.2.3"),
        None,
    )
    RedactPersonalInformation().filter(record)
    message = record.getMessage()
    assert "jo@example.ca" not in message and "10.1.2.3" not in message
    assert "Hunter22" not in message
    assert "[email]" in message and "[ip]" in message and "password=[redacted]" in message


def test_no_committed_file_names_a_package_registry():
    """Workplace rule: no registry host in the repository (lock files included)."""
    hosts = [
        "registry." + "npmjs.org",
        "pypi" + ".org",
        "files." + "pythonhosted.org",
        "deb." + "debian.org",
        "registry." + "yarnpkg.com",
    ]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.is_file() and path.stat().st_size < 5_000_000:
            content = path.read_text(errors="ignore")
            offenders += [f"{name}: {host}" for host in hosts if host in content]
    assert offenders == []


def test_every_setting_variable_is_documented():
    """STYLE 5: every environment variable is in .env.example and in the README table."""
    import re

    read = set()
    for module in (ROOT / "carm_portal" / "settings").glob("*.py"):
        read |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', module.read_text()))
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    assert read, "no variable found: the pattern is wrong"
    assert [v for v in sorted(read) if f"\n{v}=" not in example] == []
    assert [v for v in sorted(read) if f"`{v}`" not in readme] == []
