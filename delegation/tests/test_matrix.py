"""The permission matrix (STYLE 4; SPEC DELEG-0 … DELEG-5, X-4): every route of the
business-scoped part of the portal, for every principal of ``matrix_world``.

The routes are read from the URLconf: a route of these namespaces without a row fails
``test_every_route_has_a_row``. Rows live with their app, in ``<app>/tests/matrix.py``.
"""

from __future__ import annotations

import importlib
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from delegation.tests.matrix_world import PRINCIPALS, build_world, client_for

# The business-scoped namespaces, and the apps holding their rows.
NAMESPACES = ("business", "delegation", "documents", "finance", "rulings", "declarations")
# A namespace served by an app of another name: « Déclarations » is the calculator app's.
APP_OF = {"declarations": "calculator"}


def _rows():
    rows = []
    for app in NAMESPACES:
        try:
            module = importlib.import_module(f"{APP_OF.get(app, app)}.tests.matrix")
        except ModuleNotFoundError:
            continue
        rows.extend(module.ROUTES)
    return rows


ROWS = _rows()


def _route_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            names |= _route_names(pattern, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}".lstrip(":"))
    return {n for n in names if n.split(":")[0] in NAMESPACES}


@pytest.mark.spec("DELEG-3", "X-4")
def test_every_route_has_a_row():
    """A new route without a row in the matrix fails here."""
    missing = _route_names() - {row.name for row in ROWS}
    assert not missing, f"routes without a matrix row: {sorted(missing)}"


@pytest.mark.spec("DELEG-3", "X-4")
def test_every_row_names_a_route_and_every_principal():
    names = _route_names()
    for row in ROWS:
        assert row.name in names, row.id
        assert tuple(row.statuses) == PRINCIPALS, row.id


# Sessions signed in serve rows for this long, well inside the 10 minutes of
# REAUTHENTICATION_MAX_AGE (SEC-4); then every principal is signed in again, once, for
# the rows that follow (``signed_in``).
SESSIONS_SERVE_FOR = 5 * 60


class SignedIn:
    """Each principal signed in once for the module, for both kinds of row
    (``client_current``): a row's clients are new clients carrying these sessions'
    cookies. The sessions live in the database, in the world's transaction: a row's
    requests run in transactions rolled back afterwards, so each row starts from the
    sessions exactly as signed in (a sign-out, an account switch, the last activity
    time: all undone), and a cookie a response sets stays with that row's client."""

    def __init__(self, world):
        self.world = world
        self.signed_in_at = time.monotonic()
        self.keys = {
            (principal, current): client_for(world, principal, client_current=current)
            .cookies[settings.SESSION_COOKIE_NAME]
            .value
            for principal in PRINCIPALS
            if principal != "anonymous"
            for current in (True, False)
        }

    def fresh(self) -> bool:
        return time.monotonic() - self.signed_in_at < SESSIONS_SERVE_FOR

    def client(self, principal: str, *, client_current: bool) -> Client:
        if principal == "anonymous":
            return client_for(self.world, principal, client_current=client_current)
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = self.keys[principal, client_current]
        return client


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once for every row (5 businesses, 14 people, signed in): inside a
    transaction rolled back when the module ends, so no other test sees it. Each row runs
    in its own savepoint (the ``db`` fixture), rolled back after the row: what a row
    creates (its ``args``) or changes is gone before the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        world.extra["signed_in"] = SignedIn(world)
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def signed_in(world, django_db_blocker) -> SignedIn:
    """The module's sessions; signed in again once they have served SESSIONS_SERVE_FOR.
    Set up before the row's savepoint (``db``, after it in ``test_matrix``'s arguments),
    so the new sessions are kept for the rows that follow. (Signing in again inside each
    row instead cost every row after the first five minutes its 14 sign-ins: on a slow
    machine, most of the matrix.)"""
    if not world.extra["signed_in"].fresh():
        with django_db_blocker.unblock():
            world.extra["signed_in"] = SignedIn(world)
    return world.extra["signed_in"]


@pytest.mark.spec("DELEG-0", "DELEG-1", "DELEG-2", "DELEG-3", "DELEG-4", "DELEG-5", "X-4")
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_matrix(world, signed_in, db, row):
    """Each principal gets the row's status; each request runs in a transaction rolled
    back afterwards, so one principal's successful POST does not change the next one's
    world."""
    kwargs = row.args(world) if row.args else {}
    url = reverse(row.name, kwargs=kwargs)
    if row.query:
        url = f"{url}?{urlencode(row.query(world), doseq=True)}"
    data = row.data(world) if row.data else {}
    clients = {p: signed_in.client(p, client_current=row.client_current) for p in PRINCIPALS}
    got = {}
    for principal in PRINCIPALS:
        with transaction.atomic():
            response = getattr(clients[principal], row.method.lower())(url, data)
            got[principal] = response.status_code
            transaction.set_rollback(True)
    wrong = {p: (got[p], row.statuses[p]) for p in PRINCIPALS if got[p] != row.statuses[p]}
    assert not wrong, f"{row.id}: (got, expected) {wrong}"
