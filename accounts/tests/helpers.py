"""Helpers that play a person's part in the sign-in journeys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

from tests.html import soup

GOOD_PASSWORD = "Quartz7Maple"  # noqa: S105 - test credential


def totp(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def questions_data(**overrides) -> dict:
    data = {
        "question": "first_pet",
        "answer": "Biscuit",
        "memorable_person": "Aunt Louise",
        "memorable_person_hint": "my aunt",
        "memorable_date": "1990-07-14",
        "memorable_date_hint": "summer, 1990",
    }
    data.update(overrides)
    return data


def register(client, *, username: str, password: str = GOOD_PASSWORD, language: str = "en"):
    """Go through the four steps of the GCKey registration and confirm."""
    base = f"/{language}/account/register"
    client.post(f"{base}/", {"accept": ""})
    client.post(f"{base}/username/", {"username": username, "continue": ""})
    client.post(f"{base}/password/", {"password1": password, "password2": password})
    client.post(f"{base}/questions/", {**questions_data(), "continue": ""})
    return client.post(f"{base}/confirm/", {"continue": ""})


def activate_second_factor(client, language: str = "en") -> str:
    """Enrol an authenticator app; return its secret."""
    page = soup(client.get(f"/{language}/account/2fa/totp/activate/"))
    secret = page.find(id="authenticator-secret").get_text(strip=True)
    response = client.post(f"/{language}/account/2fa/totp/activate/", {"code": totp(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def profile_data(**overrides) -> dict:
    data = {
        "first_name": "Jo",
        "last_name": "Tremblay",
        "phone": "613-555-0123",
        "phone_extension": "42",
        "email": "jo@example.ca",
        "email_confirmation": "jo@example.ca",
        "email_notices": "yes",
        "preferred_language": "en",
        "terms": "on",
    }
    data.update(overrides)
    return data
