"""The payment processor's protocol, the portal's side (FIN-6, ADR 0018).

The portal never sees a card. For a card payment it:

1. creates a payment intent (``finance.models.CardPayment``, once per form: its
   idempotency key) and sends the person to the processor's hosted page with a **signed
   request** (``hosted_page_url``): the intent, the amount, the currency, where to come
   back, where to send the webhook and when the request expires, signed with HMAC-SHA256
   and the request secret;
2. takes the person back with a **signed result** (``verify_result``): it only says what
   to show, it never changes the payment;
3. receives the processor's **webhook** (``verify_webhook``): a JSON event signed with
   HMAC-SHA256 and the webhook secret over ``"<timestamp>.<body>"``; it is the source of
   truth. A signature that does not match, a timestamp older than the tolerance, an event
   already received, an unknown intent or another amount or currency is refused.

The same functions sign and check, so the test processor (``tests/processor``) and the
portal cannot drift apart. Settings: ``PAYMENT_PROCESSOR_URL``,
``PAYMENT_PROCESSOR_MERCHANT``, ``PAYMENT_PROCESSOR_REQUEST_SECRET``,
``PAYMENT_PROCESSOR_WEBHOOK_SECRET``, ``PAYMENT_WEBHOOK_TOLERANCE`` (seconds).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode, urlsplit

from django.conf import settings

SIGNATURE = "signature"
WEBHOOK_HEADER = "Processor-Signature"  # t=<unix time>,v1=<hex HMAC>
REQUEST_LIFETIME = 30 * 60  # seconds the hosted page accepts a signed request


class ProtocolError(Exception):
    """A message from (or for) the processor that cannot be trusted; ``reason`` is a code
    for the audit trail (signature, expired, replay, unknown_intent, mismatch, malformed)."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


def canonical(params: dict[str, str]) -> bytes:
    """The bytes signed: every parameter but the signature, sorted, URL-encoded."""
    return urlencode(sorted((k, str(v)) for k, v in params.items() if k != SIGNATURE)).encode()


def sign(params: dict[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(params), hashlib.sha256).hexdigest()


def signed(params: dict[str, str], secret: str) -> dict[str, str]:
    return {**params, SIGNATURE: sign(params, secret)}


def signature_valid(params: dict[str, str], secret: str) -> bool:
    given = str(params.get(SIGNATURE, "")).encode()  # bytes: any text a request may carry
    return bool(secret) and hmac.compare_digest(given, sign(params, secret).encode())


def webhook_signature(body: bytes, secret: str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def amount_text(amount: Decimal) -> str:
    return f"{Decimal(amount):.2f}"


# --- The portal's side -------------------------------------------------------------------


def hosted_page_url(
    *, intent: str, amount: Decimal, currency: str, return_url: str, notify_url: str, lang: str
) -> str:
    """Where to send the person: the processor's hosted page with a signed request."""
    params = {
        "merchant": settings.PAYMENT_PROCESSOR_MERCHANT,
        "intent": intent,
        "amount": amount_text(amount),
        "currency": currency,
        "return_url": return_url,
        "notify_url": notify_url,
        "lang": lang,
        "expires": str(int(time.time()) + REQUEST_LIFETIME),
    }
    base = settings.PAYMENT_PROCESSOR_URL.rstrip("/")
    return f"{base}/pay?{urlencode(signed(params, settings.PAYMENT_PROCESSOR_REQUEST_SECRET))}"


def allow_forms_to_processor(response):
    """The page whose form leads to the hosted page: its Content Security Policy lets the
    form's redirect reach the processor (``form-action`` covers redirects too)."""
    parts = urlsplit(settings.PAYMENT_PROCESSOR_URL)
    if parts.scheme and parts.netloc:
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
    return response


RESULTS = ("succeeded", "processing", "declined", "cancelled")


def verify_result(params: dict[str, str]) -> dict[str, str]:
    """The person's return from the hosted page: its parameters, once their signature is
    the processor's (they only say what to show; the webhook decides)."""
    if not signature_valid(params, settings.PAYMENT_PROCESSOR_REQUEST_SECRET):
        raise ProtocolError("signature")
    if params.get("status") not in RESULTS:
        raise ProtocolError("malformed", "status")
    return params


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str
    kind: str  # payment.succeeded | payment.declined | payment.cancelled
    intent: str
    amount: Decimal
    currency: str
    charge: str


KINDS = ("payment.succeeded", "payment.declined", "payment.cancelled")


def verify_webhook(body: bytes, header: str, *, now: float | None = None) -> WebhookEvent:
    """The event, once its signature is the processor's and it is fresh; else
    ``ProtocolError``. Whether it was already received, whether its intent exists and
    whether its amount is the intent's are the service's checks (they need the database)."""
    secret = settings.PAYMENT_PROCESSOR_WEBHOOK_SECRET
    parts = dict(item.split("=", 1) for item in (header or "").split(",") if "=" in item)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        raise ProtocolError("signature", "no timestamp") from None
    expected = webhook_signature(body, secret, timestamp).split("v1=", 1)[1]
    if not secret or not hmac.compare_digest(parts.get("v1", "").encode(), expected.encode()):
        raise ProtocolError("signature")
    now = time.time() if now is None else now
    if abs(now - timestamp) > settings.PAYMENT_WEBHOOK_TOLERANCE:
        raise ProtocolError("replay", "timestamp outside the tolerance")
    try:
        data = json.loads(body)
        event = data["data"]
        found = WebhookEvent(
            event_id=str(data["id"])[:64],
            kind=str(data["type"]),
            intent=str(event["intent"]),
            amount=Decimal(str(event["amount"])),
            currency=str(event["currency"]),
            charge=str(event.get("charge", ""))[:64],
        )
    except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
        raise ProtocolError("malformed", str(exc)) from None
    if found.kind not in KINDS or not found.event_id:
        raise ProtocolError("malformed", found.kind)
    return found
