"""A TEST payment processor (FIN-6, ADR 0018): never a real one, no real card, no money.

Its own process on a loopback port, started by the tests (``tests/processor/harness.py``)
and by ``make run`` (``scripts/devserver.py``), like the test Sign-In Partner federation.
Python's standard library only. It plays the processor's part of the protocol the portal
speaks (``finance/processor.py``), written again here on purpose, so that a mistake on
either side shows:

- ``GET /pay?…&signature=…``: the hosted card page, for a request signed with the request
  secret (HMAC-SHA256 over the sorted, URL-encoded parameters) and not expired;
- ``POST /pay``: takes a test card, calls the portal's webhook (``notify_url``) over HTTP
  with a JSON event signed with the webhook secret (header ``Processor-Signature:
  t=<unix time>,v1=<hex HMAC of "<t>.<body>">``), then sends the person back to
  ``return_url`` with a signed result;
- ``GET /events``: the webhooks sent and the portal's answers (for tests);
- ``POST /replay``: sends the last webhook again, unchanged (for tests: a replay).

Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined; 4000 0000
0000 0077 succeeds only after a delay (``PROCESSOR_DELAY`` seconds, 3 by default: the
person comes back while the payment is still pending). Anything else is refused.

Environment: ``PROCESSOR_PORT`` (0: any free port), ``PROCESSOR_READY_FILE`` (receives
the base URL once listening), ``PROCESSOR_MERCHANT``, ``PROCESSOR_REQUEST_SECRET``,
``PROCESSOR_WEBHOOK_SECRET``, ``PROCESSOR_DELAY``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import html
import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

MERCHANT = os.environ.get("PROCESSOR_MERCHANT", "carm-portal")
REQUEST_SECRET = os.environ.get("PROCESSOR_REQUEST_SECRET", "")
WEBHOOK_SECRET = os.environ.get("PROCESSOR_WEBHOOK_SECRET", "")
DELAY = float(os.environ.get("PROCESSOR_DELAY", "3"))

SUCCEEDS, DECLINED, DELAYED = "4242424242424242", "4000000000000002", "4000000000000077"
SIGNED = ("merchant", "intent", "amount", "currency", "return_url", "notify_url", "lang", "expires")

EVENTS: list[dict] = []  # every webhook sent: the event, the body, the portal's answer
LOCK = threading.Lock()

TEXT = {
    "en": {
        "title": "Test payment processor",
        "banner": "TEST payment processor: not a real one. No real card is charged; "
        "use a test card below.",
        "pay": "Pay {amount} {currency}",
        "merchant": "Merchant: {merchant}",
        "name": "Name on the card",
        "number": "Card number",
        "expiry": "Expiry (MM/YY)",
        "submit": "Pay",
        "cancel": "Cancel and return",
        "cards": "Test cards",
        "ok": "succeeds",
        "no": "is declined",
        "late": "succeeds after a delay",
        "unknown": "This test processor takes only the test cards listed below.",
        "bad": "This payment request is not valid (signature, merchant or expiry).",
    },
    "fr": {
        "title": "Processeur de paiement d'essai",
        "banner": "Processeur de paiement d'ESSAI : ce n'est pas un vrai. Aucune vraie "
        "carte n'est débitée; utilisez une carte d'essai ci-dessous.",
        "pay": "Payer {amount} {currency}",
        "merchant": "Marchand : {merchant}",
        "name": "Nom sur la carte",
        "number": "Numéro de carte",
        "expiry": "Expiration (MM/AA)",
        "submit": "Payer",
        "cancel": "Annuler et revenir",
        "cards": "Cartes d'essai",
        "ok": "est acceptée",
        "no": "est refusée",
        "late": "est acceptée après un délai",
        "unknown": "Ce processeur d'essai n'accepte que les cartes d'essai ci-dessous.",
        "bad": "Cette demande de paiement n'est pas valide (signature, marchand ou échéance).",
    },
}


def canonical(params: dict) -> bytes:
    return urlencode(sorted((k, str(v)) for k, v in params.items() if k != "signature")).encode()


def sign(params: dict, secret: str) -> str:
    return hmac.new(secret.encode(), canonical(params), hashlib.sha256).hexdigest()


def request_valid(params: dict) -> bool:
    if set(SIGNED) - set(params) or params.get("merchant") != MERCHANT:
        return False
    given = params.get("signature", "").encode()
    if not hmac.compare_digest(given, sign(params, REQUEST_SECRET).encode()):
        return False
    try:
        return int(params["expires"]) >= time.time()
    except ValueError:
        return False


def send_webhook(url: str, event: dict) -> dict:
    body = json.dumps(event, separators=(",", ":")).encode()
    stamp = int(time.time())
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    return post_webhook(url, body, f"t={stamp},v1={mac.hexdigest()}", event)


def post_webhook(url: str, body: bytes, header: str, event: dict) -> dict:
    record = {"event": event, "url": url, "body": body.decode(), "header": header}
    request = urllib.request.Request(  # noqa: S310 - the portal's own address
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Processor-Signature": header},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
            record["status"] = answer.status
    except urllib.error.HTTPError as error:
        record["status"] = error.code
    except OSError as error:
        record["status"] = 0
        record["error"] = str(error)
    with LOCK:
        EVENTS.append(record)
    return record


def event_for(params: dict, kind: str) -> dict:
    return {
        "id": f"evt_{secrets.token_hex(12)}",
        "type": kind,
        "created": int(time.time()),
        "data": {
            "intent": params["intent"],
            "amount": params["amount"],
            "currency": params["currency"],
            "charge": f"ch_{secrets.token_hex(8)}",
        },
    }


def result_url(params: dict, status: str) -> str:
    result = {
        "intent": params["intent"],
        "status": status,
        "amount": params["amount"],
        "currency": params["currency"],
        "ts": str(int(time.time())),
    }
    result["signature"] = sign(result, REQUEST_SECRET)
    joiner = "&" if "?" in params["return_url"] else "?"
    return params["return_url"] + joiner + urlencode(result)


def page(params: dict, error: str = "") -> str:
    lang = "fr" if params.get("lang") == "fr" else "en"
    t = TEXT[lang]
    e = html.escape
    hidden = "".join(
        f'<input type="hidden" name="{e(k)}" value="{e(v)}">'
        for k, v in params.items()
        if k in (*SIGNED, "signature")
    )
    alert = f'<p role="alert" class="error" id="card-error">{e(error)}</p>' if error else ""
    described = ' aria-describedby="card-error" aria-invalid="true"' if error else ""
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(t["title"])}</title>
<style>
body {{ font-family: sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem;
  color: #1a1a1a; }}
.banner {{ background: #fff3cd; border: 2px solid #8a6d00; padding: .75rem; }}
label {{ display: block; margin-top: 1rem; font-weight: bold; }}
input[type=text] {{ font-size: 1.1rem; padding: .4rem; width: 100%; box-sizing: border-box; }}
button {{ margin-top: 1.2rem; font-size: 1.1rem; padding: .5rem 1.2rem; }}
.error {{ color: #a4000f; font-weight: bold; }}
</style></head>
<body><main>
<p class="banner"><strong>{e(t["banner"])}</strong></p>
<h1>{e(t["title"])}</h1>
<p>{e(t["merchant"].format(merchant=params.get("merchant", "")))}</p>
<h2>{e(t["pay"].format(amount=params.get("amount", ""), currency=params.get("currency", "")))}</h2>
{alert}
<form method="post" action="/pay">{hidden}
<label for="name">{e(t["name"])}</label>
<input type="text" id="name" name="name" autocomplete="cc-name">
<label for="number">{e(t["number"])}</label>
<input type="text" id="number" name="number" inputmode="numeric" autocomplete="cc-number"{described}>
<label for="expiry">{e(t["expiry"])}</label>
<input type="text" id="expiry" name="expiry" autocomplete="cc-exp" value="12/30">
<button type="submit" name="action" value="pay">{e(t["submit"])}</button>
<button type="submit" name="action" value="cancel">{e(t["cancel"])}</button>
</form>
<h2>{e(t["cards"])}</h2>
<ul>
<li><code>4242 4242 4242 4242</code> {e(t["ok"])}</li>
<li><code>4000 0000 0000 0002</code> {e(t["no"])}</li>
<li><code>4000 0000 0000 0077</code> {e(t["late"])}</li>
</ul>
</main></body></html>"""


class Handler(BaseHTTPRequestHandler):
    server_version = "TestProcessor/1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        sys.stderr.write("test processor: " + (format % args) + "\n")

    def _send(self, status: int, body: str, kind: str = "text/html; charset=utf-8") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, url: str) -> None:
        self.send_response(303)
        self.send_header("Location", url)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _form(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def do_GET(self):  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        if parts.path == "/healthz":
            return self._send(200, "ok", "text/plain")
        if parts.path == "/events":
            with LOCK:
                return self._send(200, json.dumps(EVENTS), "application/json")
        if parts.path != "/pay":
            return self._send(404, "not found", "text/plain")
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if not request_valid(params):
            lang = "fr" if params.get("lang") == "fr" else "en"
            return self._send(400, TEXT[lang]["bad"], "text/plain; charset=utf-8")
        return self._send(200, page(params))

    def do_POST(self):  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/replay":
            with LOCK:
                last = EVENTS[-1] if EVENTS else None
            if last is None:
                return self._send(404, "no event", "text/plain")
            record = post_webhook(last["url"], last["body"].encode(), last["header"], last["event"])
            return self._send(200, json.dumps(record), "application/json")
        if path != "/pay":
            return self._send(404, "not found", "text/plain")
        form = self._form()
        params = {k: form.get(k, "") for k in (*SIGNED, "signature")}
        lang = "fr" if params.get("lang") == "fr" else "en"
        if not request_valid(params):
            return self._send(400, TEXT[lang]["bad"], "text/plain; charset=utf-8")
        if form.get("action") == "cancel":
            send_webhook(params["notify_url"], event_for(params, "payment.cancelled"))
            return self._redirect(result_url(params, "cancelled"))
        number = "".join(ch for ch in form.get("number", "") if ch.isdigit())
        if number == SUCCEEDS:
            send_webhook(params["notify_url"], event_for(params, "payment.succeeded"))
            return self._redirect(result_url(params, "succeeded"))
        if number == DECLINED:
            send_webhook(params["notify_url"], event_for(params, "payment.declined"))
            return self._redirect(result_url(params, "declined"))
        if number == DELAYED:
            event = event_for(params, "payment.succeeded")

            def later():
                time.sleep(DELAY)
                send_webhook(params["notify_url"], event)

            threading.Thread(target=later, daemon=True).start()
            return self._redirect(result_url(params, "processing"))
        return self._send(400, page(params, TEXT[lang]["unknown"]))


def main() -> int:
    if not REQUEST_SECRET or not WEBHOOK_SECRET:
        sys.stderr.write(
            "test processor: PROCESSOR_REQUEST_SECRET and _WEBHOOK_SECRET are required\n"
        )
        return 2
    port = int(os.environ.get("PROCESSOR_PORT", "0"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}"
    ready = os.environ.get("PROCESSOR_READY_FILE")
    if ready:
        with open(ready, "w") as out:
            out.write(url)
    sys.stderr.write(f"test processor: listening on {url}\n")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
