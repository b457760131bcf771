"""Sign-In Partner: OpenID Connect with the partner federation (SPEC SIGN-3, ADR 0006).

mozilla-django-oidc does the protocol (authorization code flow, PKCE, state, nonce);
this module adds what it leaves to us:

- the provider's configuration, read lazily from its discovery document (never at import
  time) and cached in the process; explicit endpoint settings win over it;
- an authentication backend that checks the ID token's issuer, audience, expiry and nonce,
  never calls the userinfo endpoint and identifies a person by (issuer, ``sub``) only:
  never by email (accounts.partner_services).
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from dataclasses import dataclass
from enum import StrEnum

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)

DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
# Session keys: the language the person started in, and digests of the states already
# used (to tell a replayed callback from a forged one).
SESSION_LANGUAGE = "partner_sign_in_language"
SESSION_USED_STATES = "partner_sign_in_used_states"


class FailureReason(StrEnum):
    """Why a partner sign-in was refused: the failure page and the audit trail use it."""

    UNAVAILABLE = "unavailable"  # not configured, or the provider cannot be reached
    CANCELLED = "cancelled"  # the person cancelled, or the partner refused (access_denied)
    PROVIDER_ERROR = "provider-error"  # any other error from the provider
    INVALID = "invalid"  # a callback without code or state
    STATE = "state"  # state unknown to this session: tampered or forged
    REPLAYED = "replayed"  # the same callback a second time
    NONCE = "nonce"  # the ID token's nonce is not this sign-in's (replayed token)
    ISSUER = "issuer"  # the answer or token comes from another issuer
    TOKEN = "token"  # noqa: S105 - a reason code: signature, audience or expiry wrong
    CONFLICT = "conflict"  # the identity belongs to an account with another credential
    INACTIVE = "inactive"  # the account is disabled
    ASSURANCE = "assurance"  # the token's acr is below OIDC_REQUIRED_ACR


class PartnerSignInError(Exception):
    def __init__(self, reason: FailureReason, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason


@dataclass(frozen=True)
class ProviderConfiguration:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def expected_issuer() -> str:
    """The only issuer accepted: OIDC_OP_ISSUER, else the discovery URL's base."""
    if settings.OIDC_OP_ISSUER:
        return settings.OIDC_OP_ISSUER
    return settings.OIDC_OP_DISCOVERY_URL.removesuffix(DISCOVERY_SUFFIX)


def is_configured() -> bool:
    """True when the portal can offer the Sign-In Partner option."""
    explicit = (
        settings.OIDC_OP_ISSUER
        and settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        and settings.OIDC_OP_TOKEN_ENDPOINT
        and settings.OIDC_OP_JWKS_ENDPOINT
    )
    return bool(settings.OIDC_RP_CLIENT_ID and (settings.OIDC_OP_DISCOVERY_URL or explicit))


_cache: dict[tuple, tuple[float, ProviderConfiguration]] = {}
_cache_lock = threading.Lock()


def clear_configuration_cache() -> None:
    with _cache_lock:
        _cache.clear()


def provider_configuration() -> ProviderConfiguration:
    """The provider's endpoints: explicit settings first, then its discovery document.

    Fetched on first use (never at import time) and kept for
    OIDC_DISCOVERY_CACHE_SECONDS. Raises PartnerSignInError(UNAVAILABLE) when the provider
    cannot be reached or its document names another issuer than the expected one.
    """
    explicit = {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
    }
    issuer = expected_issuer()
    if not is_configured():
        raise PartnerSignInError(FailureReason.UNAVAILABLE, "not configured")
    if all(explicit.values()):
        return ProviderConfiguration(issuer=issuer, **explicit)

    key = (settings.OIDC_OP_DISCOVERY_URL, issuer, *explicit.values())
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(key)
        if cached and cached[0] > now:
            return cached[1]

    try:
        response = requests.get(
            settings.OIDC_OP_DISCOVERY_URL,
            timeout=settings.OIDC_TIMEOUT,
            verify=getattr(settings, "OIDC_VERIFY_SSL", True),
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("Sign-in partner discovery document unavailable: %s", type(exc).__name__)
        raise PartnerSignInError(FailureReason.UNAVAILABLE, "discovery failed") from exc
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        # OpenID Connect Discovery 1.0, section 4.3: the issuers must be identical.
        logger.error("Sign-in partner discovery document names another issuer")
        raise PartnerSignInError(FailureReason.UNAVAILABLE, "discovery issuer mismatch")
    try:
        configuration = ProviderConfiguration(
            issuer=issuer,
            **{name: value or document[name] for name, value in explicit.items()},
        )
    except KeyError as exc:
        raise PartnerSignInError(FailureReason.UNAVAILABLE, "discovery incomplete") from exc
    with _cache_lock:
        _cache[key] = (now + settings.OIDC_DISCOVERY_CACHE_SECONDS, configuration)
    return configuration


def acr_sufficient(acr) -> bool:
    """OIDC_REQUIRED_ACR, when set, lists the acceptable ``acr`` values (highest
    first, comma-separated in the environment); a token with another or none is refused."""
    required = [value for value in settings.OIDC_REQUIRED_ACR if value]
    if not required:
        return True
    return isinstance(acr, str) and acr in required


class PartnerAuthenticationBackend(OIDCAuthenticationBackend):
    """Authenticates the callback of the partner's authorization code flow.

    Reads no setting that needs the network when constructed: Django builds a backend for
    every request of a signed-in person (get_user).
    """

    def __init__(self, *args, **kwargs):  # no super().__init__: it wants endpoints now
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.OIDC_OP_USER_ENDPOINT = None  # never called: the ID token is enough

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 - the library's attribute name
        return provider_configuration().token_endpoint

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return provider_configuration().jwks_uri

    def authenticate(self, request, **kwargs):
        # Only the partner callback, which passes nonce and code_verifier; never a
        # username/password sign-in whose URL happens to carry ?code=&state=.
        if request is None or "nonce" not in kwargs or "code_verifier" not in kwargs:
            return None
        if set(kwargs) - {"nonce", "code_verifier"}:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            logger.warning("Sign-in partner token request failed: %s", type(exc).__name__)
            raise PartnerSignInError(FailureReason.PROVIDER_ERROR, "token request") from exc

    def verify_token(self, token, **kwargs):
        """Signature (RS256, the provider's JWKS), issuer, audience, expiry and nonce."""
        if not token:
            raise PartnerSignInError(FailureReason.TOKEN, "no ID token")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
                raise PartnerSignInError(FailureReason.TOKEN, "algorithm")
            key = self.retrieve_matching_jwk(token)
            payload = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=expected_issuer(),
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
                leeway=60,
            )
        except jwt.InvalidIssuerError as exc:
            raise PartnerSignInError(FailureReason.ISSUER, "ID token issuer") from exc
        except (jwt.PyJWTError, SuspiciousOperation) as exc:
            raise PartnerSignInError(FailureReason.TOKEN, type(exc).__name__) from exc
        audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise PartnerSignInError(FailureReason.TOKEN, "authorized party")
        nonce = kwargs.get("nonce")
        if not nonce or not hmac.compare_digest(str(payload.get("nonce", "")), nonce):
            raise PartnerSignInError(FailureReason.NONCE, "nonce")
        if not acr_sufficient(payload.get("acr")):
            raise PartnerSignInError(FailureReason.ASSURANCE, "acr")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        """The person is (issuer, sub): nothing else from the token is used or kept."""
        from accounts.partner_services import partner_user_sign_in
        from accounts.reauth import PARTNER_AUTH_TIME

        user = partner_user_sign_in(
            request=self.request,
            issuer=payload["iss"],
            subject=payload["sub"],
            language=self.request.session.get(SESSION_LANGUAGE, settings.LANGUAGE_CODE),
            assurance={"acr": payload.get("acr", ""), "amr": payload.get("amr", [])},
        )
        # SEC-4: when the partner last authenticated the person (auth_time, else now).
        auth_time = payload.get("auth_time")
        if not isinstance(auth_time, (int, float)):
            auth_time = time.time()
        self.request.session[PARTNER_AUTH_TIME] = min(float(auth_time), time.time())
        return user

    def get_user(self, user_id):
        # ModelBackend's: an account disabled since sign-in is signed out.
        return ModelBackend.get_user(self, user_id)
