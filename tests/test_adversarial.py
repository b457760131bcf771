"""The adversarial list (SEC-5 … SEC-9): an attacker's attempts that must fail.

- a session cookie replayed after sign-out;
- a removed employee's session losing the business at once;
- mass assignment on every ModelForm (generated from the forms);
- ID tokens from the Sign-In Partner with a wrong audience, ``alg: none`` or no
  signature;
- a PDF with JavaScript (served inert) and an SVG renamed ``.jpg`` (refused).
"""

from __future__ import annotations

import base64
import importlib
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django import forms
from django.apps import apps
from django.conf import settings
from django.test import Client
from jwt.algorithms import RSAAlgorithm

from accounts.partner import FailureReason, PartnerAuthenticationBackend, PartnerSignInError
from accounts.tests.factories import UserFactory
from delegation.models import Employment
from delegation.tests.matrix_world import build_world, client_for
from documents import filetypes
from documents.tests import samples
from documents.tests.matrix import _document

PROJECT_APPS = ("accounts", "business", "delegation", "notices", "documents", "finance")
PROJECT_APPS += ("rulings", "calculator", "carm_portal")


# --- Sessions --------------------------------------------------------------------------------


@pytest.mark.spec("SEC-9", "SIGN-8")
def test_a_cookie_replayed_after_sign_out_is_refused(db, client_for):
    client = client_for(UserFactory())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/en/account/profile/").status_code == 200
    client.post("/en/account/sign-out/")
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = thief.get("/en/account/profile/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


@pytest.mark.spec("DELEG-1", "X-4")
def test_a_removed_employee_loses_the_business_on_the_next_request(db):
    world = build_world()
    editor = client_for(world, "editor")
    account_url = f"/en/portal/program-accounts/{world.account_a.pk}/"
    assert editor.get(account_url).status_code == 200
    employment = world.employments["editor"]
    bam = client_for(world, "bam")
    response = bam.post(f"/en/portal/configure/employees/{employment.pk}/remove/")
    assert response.status_code == 302
    assert Employment.objects.get(pk=employment.pk).status == Employment.Status.REMOVED
    assert editor.get(account_url).status_code == 404
    home = editor.get("/en/portal/home/")  # no business left: first setup, not the client
    assert home.status_code == 302 and "/portal/home/" not in home["Location"]
    assert (
        editor.post("/en/portal/home/account/", {"account": world.account_a.pk}).status_code == 404
    )


# --- Mass assignment, generated from the forms ------------------------------------------------

# Fields that say who owns a row, what state it is in or what a person may do: no form a
# person fills in may set them.
GUARDED = {
    "id", "user", "business", "program_account", "employment", "status", "role",
    "is_staff", "is_superuser", "is_active", "password", "username", "credential_kind",
    "requester", "requested_by", "case_number", "created_at", "updated_at", "decided_at",
    "decision_en", "decision_fr", "submitted_at", "last_login", "date_joined",
}  # fmt: skip


def _model_forms() -> list[type[forms.ModelForm]]:
    found = {}
    for app in PROJECT_APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.ModelForm) and value._meta.model:
                found[value.__qualname__] = value
    # forms built by a factory (the ruling's step 2, one per kind)
    from rulings.forms import details_form_class
    from rulings.models import DETAIL_FIELDS

    for kind in DETAIL_FIELDS:
        found[f"DetailsForm[{kind}]"] = details_form_class(kind)
    return list(found.items())


MODEL_FORMS = _model_forms()


@pytest.mark.spec("SEC-5")
def test_every_model_form_is_found():
    names = {name for name, _cls in MODEL_FORMS}
    assert {"ProfileForm", "ContextForm"} <= names and len(names) >= 3


@pytest.mark.spec("SEC-5")
@pytest.mark.parametrize(("name", "form_class"), MODEL_FORMS, ids=[n for n, _c in MODEL_FORMS])
def test_model_forms_ignore_extra_fields(db, name, form_class):
    """An allowlist of fields, none of them guarded; every other model field posted is
    ignored: the instance keeps its value after validation (construct_instance)."""
    fields = form_class._meta.fields
    assert isinstance(fields, list | tuple), f"{name}: Meta.fields must list the fields"
    assert not set(form_class.base_fields) & GUARDED, name
    model = form_class._meta.model
    instance = model()
    extra = [
        f
        for f in model._meta.concrete_fields
        if f.name not in form_class.base_fields and not f.primary_key
    ]
    before = {f.attname: getattr(instance, f.attname) for f in extra}
    hostile = {f.name: "1" for f in extra} | {f.attname: "1" for f in extra}
    hostile |= {"is_staff": "on", "is_superuser": "on", "status": "decision_rendered"}
    form = form_class(data=hostile, instance=instance)
    form.is_valid()
    assert set(form.cleaned_data) <= set(form.fields), name
    after = {f.attname: getattr(instance, f.attname) for f in extra}
    assert after == before, name


# --- ID tokens of the Sign-In Partner ---------------------------------------------------------


class _Jwks(BaseHTTPRequestHandler):
    body = b"{}"

    def do_GET(self):  # noqa: N802 - the handler's name
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def partner(settings):
    """A real JWKS endpoint on loopback holding the provider's public key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    _Jwks.body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()
    server = HTTPServer(("127.0.0.1", 0), _Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    issuer = "https://partner.example.ca"
    settings.OIDC_OP_ISSUER = issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
    settings.OIDC_OP_JWKS_ENDPOINT = f"http://127.0.0.1:{server.server_port}/jwks"
    settings.OIDC_RP_CLIENT_ID = "carm-portal"
    settings.OIDC_RP_CLIENT_SECRET = "test-secret"  # noqa: S105 - test only
    from accounts import partner as partner_module

    if hasattr(partner_module, "provider_configuration") and hasattr(
        partner_module.provider_configuration, "cache_clear"
    ):
        partner_module.provider_configuration.cache_clear()
    yield key, issuer
    server.shutdown()


def _claims(issuer, **changes):
    now = int(time.time())
    claims = {
        "iss": issuer,
        "sub": "subject-1",
        "aud": "carm-portal",
        "exp": now + 300,
        "iat": now,
        "nonce": "n-1",
    }
    return {k: v for k, v in {**claims, **changes}.items() if v is not None}


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _verify(token):
    return PartnerAuthenticationBackend().verify_token(token, nonce="n-1")


@pytest.mark.spec("SIGN-3", "SEC-9")
def test_a_well_signed_token_is_accepted(partner, db):
    key, issuer = partner
    token = jwt.encode(_claims(issuer), key, algorithm="RS256", headers={"kid": "k1"})
    assert _verify(token)["sub"] == "subject-1"


@pytest.mark.spec("SIGN-3", "SEC-9")
def test_a_token_for_another_audience_is_refused(partner, db):
    key, issuer = partner
    token = jwt.encode(
        _claims(issuer, aud="another-portal"), key, algorithm="RS256", headers={"kid": "k1"}
    )
    with pytest.raises(PartnerSignInError) as refused:
        _verify(token)
    assert refused.value.reason == FailureReason.TOKEN


@pytest.mark.spec("SIGN-3", "SEC-9")
def test_alg_none_is_refused(partner, db):
    _key, issuer = partner
    token = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': 'k1'})}.{_b64(_claims(issuer))}."
    with pytest.raises(PartnerSignInError) as refused:
        _verify(token)
    assert refused.value.reason == FailureReason.TOKEN


@pytest.mark.spec("SIGN-3", "SEC-9")
@pytest.mark.parametrize("signature", ["", "AAAA"])
def test_an_unsigned_or_badly_signed_token_is_refused(partner, db, signature):
    key, issuer = partner
    token = jwt.encode(_claims(issuer), key, algorithm="RS256", headers={"kid": "k1"})
    head, body, _signature = token.split(".")
    with pytest.raises(PartnerSignInError) as refused:
        _verify(f"{head}.{body}.{signature}")
    assert refused.value.reason == FailureReason.TOKEN


@pytest.mark.spec("SIGN-3", "SEC-9")
def test_a_token_signed_with_another_key_is_refused(partner, db):
    _key, issuer = partner
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(issuer), other, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(PartnerSignInError):
        _verify(token)


# --- Uploads ---------------------------------------------------------------------------------

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


@pytest.mark.spec("DOC-3", "SEC-5")
def test_an_svg_renamed_jpg_is_refused():
    with pytest.raises(filetypes.Refusal) as refused:
        filetypes.check_content(io.BytesIO(SVG), extension="jpg")
    assert refused.value.code in {"content", "polyglot"}


@pytest.mark.spec("DOC-4", "SEC-7")
def test_a_pdf_with_javascript_is_served_inert(db, settings):
    """A PDF may carry JavaScript (/OpenAction /JS): the portal never renders it. It is
    served as an attachment of type application/octet-stream, not sniffed, sandboxed and
    not stored: a browser saves it, never runs it."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    active = samples.pdf().replace(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
    )
    assert filetypes.check_content(io.BytesIO(active), extension="pdf") == "application/pdf"
    world = build_world()
    document = _document(world.account_a)
    default_storage.delete(document.storage_name)
    default_storage.save(document.storage_name, ContentFile(active))
    response = client_for(world, "editor").get(f"/en/documents/{document.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == active


def test_project_apps_are_the_installed_ones():
    installed = {a.name for a in apps.get_app_configs()}
    assert set(PROJECT_APPS) <= installed
