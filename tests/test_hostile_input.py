"""SEC-5 (no input gives a 500) and SEC-7 (signed-in pages are never stored), over the
whole URLconf walked as the client's Business Account Manager (tests/walker.py).

A fixed corpus of hostile values, one request per route and value class: each GET puts
the value in every query key (the page's GET forms' fields and the usual list keys);
each form of the page that posts back, and each POST-only route of the permission
matrix, gets the value in every field. Every request runs in a transaction rolled back
afterwards (the session is in the database: a sign-out or a removal is undone).
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.db import transaction

from delegation.tests.matrix_world import build_world, client_for
from delegation.tests.test_matrix import ROWS
from tests.walker import route_names, url_for

HOSTILE = {
    "unicode digit": "²",
    "10,000 characters": "x" * 10_000,
    "NUL byte": "1\x00",
    "negative": "-1",
    "huge number": "9" * 30,
    "wrong type": "{'a': [1]}",
    "repeated key": ["1", "²"],
}
USUAL_QUERY_KEYS = ("page", "q", "query", "account", "from", "to", "date_from", "date_to")
USUAL_QUERY_KEYS += ("status", "sort", "number", "origin", "kind", "lang", "next", "code")
# Fields a form shows only with data (the open debits' boxes), posted to every form.
USUAL_POST_KEYS = ("debits", "account", "pk", "key")


def _forms(response, url: str) -> tuple[set[str], list[set[str]]]:
    """The page's GET field names, and the field names of each form posting back."""
    if "html" not in response.get("Content-Type", ""):
        return set(), []
    soup = BeautifulSoup(response.content, "html.parser")
    get_keys, post_forms = set(), []
    for form in soup.find_all("form"):
        names = {
            f.get("name")
            for f in form.find_all(["input", "select", "textarea", "button"])
            if f.get("name") and f.get("name") != "csrfmiddlewaretoken"
        }
        if (form.get("method") or "get").lower() == "get":
            get_keys |= names
        elif form.get("action") in (None, "", url):
            post_forms.append(names)
    return get_keys, post_forms


def _send(client, method: str, url: str, data: dict):
    """One request, undone afterwards: its database changes and its cookies (a sign-out
    or a sign-in would otherwise change who the next request is from)."""
    cookies = client.cookies
    client.cookies = cookies.__class__()
    client.cookies.update(cookies)
    with transaction.atomic():
        try:
            response = getattr(client, method)(url, data)
            status = response.status_code
        except Exception as exc:  # noqa: BLE001 - the test client re-raises a view's error
            status, response = f"500 {type(exc).__name__}: {str(exc)[:120]}", None
        transaction.set_rollback(True)
    client.cookies = cookies
    return status, response


# The routes are walked in this many tests, every SHARDS-th route each, so that the
# parallel suite runs them side by side (one walk of every route took two minutes).
SHARDS = 4


@pytest.mark.spec("SEC-5")
@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_hostile_value_gives_a_500(db, settings, shard):
    """Every route, every value class, as the client's Business Account Manager."""
    settings.API_ANONYMOUS_RATE = settings.API_SIGNED_IN_RATE = "100000/minute"
    settings.SIGN_IN_MAX_PER_ADDRESS_PER_MINUTE = 100_000
    world = build_world()
    client = client_for(world, "bam")
    failures, walked = [], 0
    post_only = {row.name: row for row in ROWS if row.method == "POST"}
    for route in sorted(route_names(), key=lambda r: r.name)[shard::SHARDS]:
        with transaction.atomic():  # the objects a row's args create live for one route
            walked += _walk_route(client, world, route, post_only, failures)
            transaction.set_rollback(True)
    assert walked > 60 // SHARDS, walked
    assert not failures, "\n".join(" ".join(map(str, f)) for f in failures)


def _walk_route(client, world, route, post_only, failures) -> int:
    url = url_for(world, route)
    if url is None:
        return 0
    status, page = _send(client, "get", url, {})
    get_keys, post_forms = _forms(page, url) if page is not None else (set(), [])
    if isinstance(status, str):
        failures.append((url, "GET", "(none)", status))
    if route.name in post_only and not post_forms:
        row = post_only[route.name]
        post_forms = [set(row.data(world)) if row.data else {"pk"}]
    get_allowed = status != 405  # a POST-only route: its query is never read
    for label, value in HOSTILE.items():
        if get_allowed:
            query = dict.fromkeys(get_keys | set(USUAL_QUERY_KEYS), value)
            status, _response = _send(client, "get", url, query)
            if isinstance(status, str) or status == 500:
                failures.append((url, "GET", label, status))
        for names in post_forms:
            status, _response = _send(
                client, "post", url, dict.fromkeys(names | set(USUAL_POST_KEYS), value)
            )
            if isinstance(status, str) or status == 500:
                failures.append((url, "POST", label, status))
    return 1


@pytest.mark.spec("SEC-7")
def test_every_signed_in_response_is_no_store(db):
    """Pages, PDFs, CSVs, redirects and errors alike: Cache-Control holds no-store."""
    world = build_world()
    client = client_for(world, "bam")
    stored = []
    walked = 0
    for route in route_names():
        with transaction.atomic():
            url = url_for(world, route)
            if url is not None:
                walked += 1
                status, response = _send(client, "get", url, {})
                if response is not None and "no-store" not in response.get("Cache-Control", ""):
                    stored.append(f"{url} {status} {response.get('Cache-Control')!r}")
            transaction.set_rollback(True)
    status, response = _send(client, "post", "/en/portal/home/account/", {"account": "0"})
    if "no-store" not in response.get("Cache-Control", ""):
        stored.append("POST switch_account")
    assert walked > 60, walked
    assert not stored, "\n".join(stored)


@pytest.mark.spec("SEC-7")
def test_anonymous_public_pages_may_be_cached(client, db):
    """The rule is for signed-in people: the public landing page keeps its caching."""
    response = client.get("/en/")
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.spec("SEC-5")
def test_unicode_digits_in_switch_account_and_apply_credits_answer_4xx(db):
    """str.isdigit() accepts "²", int() refuses it: both views parse ASCII digits only."""
    world = build_world()
    client = client_for(world, "bam")
    assert client.post("/en/portal/home/account/", {"account": "²"}).status_code == 404
    response = client.post("/en/finance/payments/apply-credits/", {"debits": ["²", "1"]})
    assert response.status_code == 200  # the form again, with its error


API_FIELDS = ("classification_number", "origin", "treatment", "value", "currency")
API_FIELDS += ("shipping_date",)
WRONG_TYPES = [[], "x", 1, None, {"a": {"b": [1]}}]
WRONG_TYPES += [
    dict.fromkeys(API_FIELDS, v) for v in ([1], {"a": 1}, -1, 10**30, "²", "x" * 10_000)
]


@pytest.mark.spec("SEC-5")
def test_the_api_takes_wrong_json_types_without_a_500(db, settings):
    """The open API's JSON bodies with wrong types, and its query values hostile."""
    settings.API_ANONYMOUS_RATE = "100000/minute"
    from django.test import Client

    client = Client()
    failures = []
    for body in WRONG_TYPES:
        status, _response = _send_json(client, "/api/v1/calculations/", body)
        if isinstance(status, str) or status >= 500:
            failures.append((repr(body)[:60], status))
    for label, value in HOSTILE.items():
        for url in ("/api/v1/tariff/", "/api/v1/treatments/", "/api/v1/tariff/²/"):
            query = dict.fromkeys(("q", "date", "origin", "page", "lang"), value)
            status, _response = _send(client, "get", url, query)
            if isinstance(status, str) or status >= 500:
                failures.append((url, label, status))
    assert not failures, failures


def _send_json(client, url, body):
    with transaction.atomic():
        try:
            response = client.post(url, body, content_type="application/json")
            status = response.status_code
        except Exception as exc:  # noqa: BLE001
            status, response = f"500 {type(exc).__name__}: {str(exc)[:120]}", None
        transaction.set_rollback(True)
    return status, response
