"""Fixtures of the Sign-In Partner tests: real OpenID Connect providers on loopback
(tests/oidc/provider.mjs), started once per session and stopped at its end."""

import pytest

from accounts import partner
from tests.oidc.harness import start_provider

TEST_REDIRECT_URI = "http://testserver/oidc/callback/"


@pytest.fixture(scope="session")
def oidc_workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("oidc")


@pytest.fixture(scope="session")
def oidc_provider(oidc_workdir):
    """The partner federation the portal is configured for."""
    provider = start_provider(
        workdir=oidc_workdir,
        name="federation",
        redirect_uris=[TEST_REDIRECT_URI],
        keys=oidc_workdir / "keys.json",
    )
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def other_issuer_provider(oidc_workdir, oidc_provider):
    """Another issuer with the same signing keys and the same client: its tokens verify
    with the federation's keys, and only their issuer is wrong."""
    provider = start_provider(
        workdir=oidc_workdir,
        name="other-issuer",
        redirect_uris=[TEST_REDIRECT_URI],
        keys=oidc_workdir / "keys.json",
    )
    yield provider
    provider.stop()


@pytest.fixture
def partner_settings(settings, oidc_provider):
    """The portal configured for the test federation, as the environment would."""
    settings.OIDC_RP_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_OP_DISCOVERY_URL = oidc_provider.discovery_url
    settings.OIDC_OP_ISSUER = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = ""
    settings.OIDC_OP_TOKEN_ENDPOINT = ""
    settings.OIDC_OP_JWKS_ENDPOINT = ""
    partner.clear_configuration_cache()
    yield settings
    partner.clear_configuration_cache()
