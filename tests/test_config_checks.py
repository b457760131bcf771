"""Production configuration checks at start-up, each a system check with an id (SEC-9
configuration: PAD and MFA keys, ALLOWED_HOSTS, DEBUG)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core import checks

GOOD = Fernet.generate_key().decode()


def ids(settings) -> set[str]:
    return {m.id for m in checks.run_checks(include_deployment_checks=True, tags=["security"])}


@pytest.fixture
def production_like(settings):
    settings.PAD_ENCRYPTION_KEYS = [GOOD]
    settings.MFA_ENCRYPTION_KEYS = [GOOD]
    settings.ALLOWED_HOSTS = ["portal.example.ca"]
    settings.DEBUG = False
    settings.PAYMENT_PROCESSOR_URL = "https://pay.processor.example"
    settings.PAYMENT_PROCESSOR_REQUEST_SECRET = "r" * 40
    settings.PAYMENT_PROCESSOR_WEBHOOK_SECRET = "w" * 40
    return settings


@pytest.mark.spec("SEC-9")
def test_a_good_configuration_passes(production_like):
    assert not {i for i in ids(production_like) if i.startswith("carm.")}


@pytest.mark.spec("SEC-9", "FIN-4")
@pytest.mark.parametrize("value", [[], [""], ["not-a-key"], [GOOD, "short"]])
def test_pad_keys_empty_or_invalid(production_like, value):
    production_like.PAD_ENCRYPTION_KEYS = value
    assert "carm.E001" in ids(production_like)


@pytest.mark.spec("SEC-9", "SEC-2")
@pytest.mark.parametrize("value", [None, [], [""], ["not-a-key"]])
def test_mfa_keys_empty_or_invalid(production_like, value):
    production_like.MFA_ENCRYPTION_KEYS = value
    assert "carm.E002" in ids(production_like)


@pytest.mark.spec("SEC-9")
def test_allowed_hosts_with_a_wildcard(production_like):
    production_like.ALLOWED_HOSTS = ["portal.example.ca", "*"]
    assert "carm.E003" in ids(production_like)


@pytest.mark.spec("SEC-9")
def test_debug_on(production_like):
    production_like.DEBUG = True
    assert "carm.E004" in ids(production_like)


@pytest.mark.spec("SEC-9")
def test_the_checks_only_run_for_deployment(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["*"]
    assert not {m.id for m in checks.run_checks(tags=["security"]) if m.id.startswith("carm.")}


@pytest.mark.spec("SEC-9", "FIN-4")
def test_production_process_refuses_to_start_without_pad_keys(production_like, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from carm_portal.checks import refuse_to_start_misconfigured

    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "carm_portal.settings.production")
    refuse_to_start_misconfigured()  # a good configuration starts
    production_like.PAD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="carm.E001"):
        refuse_to_start_misconfigured()


@pytest.mark.spec("SEC-9", "FIN-6")
@pytest.mark.parametrize(
    "name, value",
    [
        ("PAYMENT_PROCESSOR_URL", ""),
        ("PAYMENT_PROCESSOR_URL", "http://pay.processor.example"),
        ("PAYMENT_PROCESSOR_REQUEST_SECRET", ""),
        ("PAYMENT_PROCESSOR_WEBHOOK_SECRET", "short"),
        ("PAYMENT_PROCESSOR_WEBHOOK_SECRET", "test-processor-webhook-secret-not-secret"),
        ("PAYMENT_PROCESSOR_WEBHOOK_SECRET", "r" * 40),  # the same as the request secret
    ],
)
def test_payment_processor_unset_or_weak(production_like, name, value):
    setattr(production_like, name, value)
    assert "carm.E005" in ids(production_like)
