"""`make run` shows both sign-in paths of the guide (SPEC SIGN-3): it starts the test
Sign-In Partner federation, plainly labelled, and points the portal at it."""

import importlib
import os
import socket
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.spec("SIGN-3")
def test_make_run_starts_the_test_federation_and_configures_the_portal(monkeypatch):
    monkeypatch.setenv("OIDC_TEST_FEDERATION_PORT", str(_free_port()))
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    sys.modules.pop("devserver", None)
    devserver = importlib.import_module("devserver")
    env = {key: value for key, value in os.environ.items() if not key.startswith("OIDC_")}
    process = devserver.start_test_federation(env)
    assert process is not None
    try:
        discovery = requests.get(env["OIDC_OP_DISCOVERY_URL"], timeout=5).json()
        assert env["OIDC_RP_CLIENT_ID"] == "carm-portal"
        page = requests.get(
            discovery["authorization_endpoint"],
            params={
                "client_id": "carm-portal",
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": f"http://{devserver.HOST}:{devserver.PORT}/oidc/callback/",
                "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method": "S256",
                "ui_locales": "fr",
            },
            timeout=5,
        )
        assert "Fédération de test" in page.text or "Test federation" in page.text
    finally:
        process.terminate()
        process.wait(timeout=10)
    # A real federation's settings win: nothing is started.
    assert devserver.start_test_federation({"OIDC_RP_CLIENT_ID": "real"}) is None


@pytest.mark.spec("FIN-6")
def test_make_run_starts_the_test_payment_processor_and_configures_the_portal(monkeypatch):
    monkeypatch.setenv("PAYMENT_TEST_PROCESSOR_PORT", str(_free_port()))
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    sys.modules.pop("devserver", None)
    devserver = importlib.import_module("devserver")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENT_PROCESSOR_")}
    process = devserver.start_test_processor(env)
    assert process is not None
    try:
        assert requests.get(f"{env['PAYMENT_PROCESSOR_URL']}/healthz", timeout=5).ok
        # The portal's side signs with what the processor was given: its page opens.
        from django.test import override_settings

        from finance import processor

        with override_settings(
            PAYMENT_PROCESSOR_URL=env["PAYMENT_PROCESSOR_URL"],
            PAYMENT_PROCESSOR_REQUEST_SECRET=env["PAYMENT_PROCESSOR_REQUEST_SECRET"],
        ):
            url = processor.hosted_page_url(
                intent="00000000-0000-0000-0000-000000000001",
                amount="5.00",
                currency="CAD",
                return_url="http://127.0.0.1:8000/en/",
                notify_url="http://127.0.0.1:8000/payments/processor/webhook",
                lang="en",
            )
        page = requests.get(url, timeout=5)
        assert page.status_code == 200 and "TEST payment processor" in page.text
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert devserver.start_test_processor({"PAYMENT_PROCESSOR_URL": "https://real"}) is None
