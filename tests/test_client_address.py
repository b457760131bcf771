"""SEC-6: one notion of the client's address, from trusted proxies only; and the request
id (SEC-9) that follows each request into logs, audit entries and the response."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.test import Client

from carm_portal.models import AuditEntry

SIGN_IN = "/en/account/sign-in/"


@pytest.mark.spec("SEC-6")
def test_61_anonymous_api_calls_with_forged_addresses_get_429(client, settings, db):
    """The 60-a-minute anonymous limit counts the peer, not a forged X-Forwarded-For."""
    settings.TRUSTED_PROXY_COUNT = 0
    assert settings.API_ANONYMOUS_RATE == "60/minute"
    statuses = [
        client.get(
            "/api/v1/", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}", REMOTE_ADDR="203.0.113.9"
        ).status_code
        for i in range(61)
    ]
    assert 429 not in statuses[:60]
    assert statuses[60] == 429


@pytest.mark.spec("SEC-6")
def test_behind_one_proxy_two_clients_are_counted_apart(settings, db):
    """Behind a trusted proxy every request comes from the proxy's address: the client is
    the entry the proxy appended. A forged entry to its left changes nothing."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_ANONYMOUS_RATE = "3/minute"
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first, second = Client(), Client()

    def call(client, chain):
        return client.get("/api/v1/", HTTP_X_FORWARDED_FOR=chain, **proxy).status_code

    # client 1 forges a new left-most entry on every call: still one client
    assert [call(first, f"192.0.2.{i}, 198.51.100.1") for i in range(4)] == [200, 200, 200, 429]
    # client 2, another real address behind the same proxy, is counted apart
    assert call(second, "198.51.100.2") == 200
    cache.clear()


@pytest.mark.spec("SEC-6", "SIGN-5")
def test_sign_in_limit_behind_a_proxy_counts_each_client(settings, db):
    """21 sign-ins a minute from one client behind the proxy: 429 for them only."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    client = Client()
    statuses = [
        client.post(
            SIGN_IN,
            {"login": f"user{i}abc", "password": "x"},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
            **proxy,
        ).status_code
        for i in range(21)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:20]
    other = Client().post(
        SIGN_IN,
        {"login": "another1", "password": "x"},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
        **proxy,
    )
    assert other.status_code == 200
    entry = AuditEntry.objects.filter(action="sign_in.rate_limited").first()
    assert entry.ip_address == "198.51.100.7"


@pytest.mark.spec("SEC-6")
def test_without_a_trusted_proxy_forged_headers_reach_nothing(settings, db):
    settings.TRUSTED_PROXY_COUNT = 0
    Client().post(
        SIGN_IN,
        {"login": "nobody12", "password": "x"},
        HTTP_X_FORWARDED_FOR="198.51.100.66",
        REMOTE_ADDR="203.0.113.5",
    )
    entry = AuditEntry.objects.filter(action="sign_in.failed").first()
    assert entry is not None and entry.ip_address == "203.0.113.5"


@pytest.mark.spec("SEC-6")
def test_proxy_ssl_header_only_with_a_trusted_proxy(monkeypatch):
    """SECURE_PROXY_SSL_HEADER is set by the settings only when a proxy is trusted."""
    import importlib

    import carm_portal.settings.base as base

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "0")
    assert importlib.reload(base).SECURE_PROXY_SSL_HEADER is None
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    assert importlib.reload(base).SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.delenv("TRUSTED_PROXY_COUNT")
    importlib.reload(base)


@pytest.mark.spec("SEC-9")
def test_request_id_in_response_audit_and_logs(settings, db, caplog):
    settings.TRUSTED_PROXY_COUNT = 0
    from carm_portal.logging import RequestIdFilter

    handler_filter = RequestIdFilter()
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            handler_filter.filter(record)
            seen.append(record.request_id)

    keep = Keep(level=logging.INFO)
    logging.getLogger("accounts").addHandler(keep)
    logging.getLogger("django.request").addHandler(keep)
    try:
        response = Client().post(
            SIGN_IN, {"login": "nobody12", "password": "x"}, HTTP_X_REQUEST_ID="forged-id-123"
        )
        # a missing page logs a warning line through django.request
        missing = Client().get("/en/no-such-page/")
    finally:
        logging.getLogger("accounts").removeHandler(keep)
        logging.getLogger("django.request").removeHandler(keep)
    rid = response["X-Request-ID"]
    assert rid and rid != "forged-id-123"  # no trusted proxy: generated here
    assert AuditEntry.objects.get(action="sign_in.failed").request_id == rid
    assert missing["X-Request-ID"] in seen


@pytest.mark.spec("SEC-9")
def test_request_id_from_a_trusted_proxy_is_kept(settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    response = Client().get("/en/", HTTP_X_REQUEST_ID="lb-0123456789abcdef")
    assert response["X-Request-ID"] == "lb-0123456789abcdef"
    odd = Client().get("/en/", HTTP_X_REQUEST_ID="<script>")
    assert odd["X-Request-ID"] != "<script>"
