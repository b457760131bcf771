"""SEC-6 anti-automation: access requests (3 open per person, and a rate), the
published-rulings search and /healthz throttled per client address."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.tests.factories import UserFactory
from business.models import Registration
from business.tests.factories import BusinessFactory
from delegation.models import Employment
from tests.html import soup, text

pytestmark = pytest.mark.django_db
URL = "/{language}/portal/request-access/"


def registered(n: int):
    businesses = []
    for _ in range(n):
        business = BusinessFactory()
        Registration.objects.create(business=business, registered_by=UserFactory())
        businesses.append(business)
    return businesses


def ask(client, business, language="en"):
    return client.post(
        URL.format(language=language),
        {"bn9": business.bn9, "request": "", "comment": "I file our declarations."},
    )


@pytest.mark.spec("SEC-6", "LINK-2")
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "You have 3 access requests waiting for an answer."),
        ("fr", "Vous avez 3 demandes d'accès en attente de réponse."),
    ],
)
def test_at_most_three_open_access_requests(language, message, client_for):
    person = client_for(UserFactory())
    first, second, third, fourth = registered(4)
    for business in (first, second, third):
        assert ask(person, business).status_code == 302
    refused = ask(person, fourth, language)
    assert refused.status_code == 200
    assert message in text(soup(refused).select_one("[data-error-summary]"))
    assert "I file our declarations." in refused.content.decode()  # nothing typed is lost
    assert Employment.objects.filter(user=person.user, status="pending").count() == 3
    # an answered request frees a place
    Employment.objects.filter(user=person.user, business=first).update(status="rejected")
    assert ask(person, fourth).status_code == 302


@pytest.mark.spec("SEC-6", "LINK-2")
def test_access_requests_are_rate_limited_per_person(settings, client_for):
    settings.ACCESS_REQUESTS_PER_HOUR = 2
    person = client_for(UserFactory())
    business = registered(1)[0]
    statuses = [ask(person, business).status_code for _ in range(3)]
    assert statuses[:2] != [429, 429] and statuses[2] == 429
    other = client_for(UserFactory())
    assert ask(other, business).status_code == 302


@pytest.mark.spec("SEC-6")
def test_published_rulings_search_is_throttled_per_address(settings):
    settings.RULINGS_SEARCH_PER_MINUTE = 3
    client = Client()
    statuses = [
        client.get("/en/rulings/published/", {"q": f"x{i}"}, REMOTE_ADDR="203.0.113.4").status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/fr/rulings/published/", REMOTE_ADDR="203.0.113.4")
    assert int(limited["Retry-After"]) <= 60
    assert "Trop de recherches" in text(soup(limited).main)
    assert client.get("/en/rulings/published/", REMOTE_ADDR="203.0.113.5").status_code == 200


@pytest.mark.spec("SEC-6")
def test_healthz_is_throttled_per_address(settings):
    settings.HEALTHZ_PER_MINUTE = 2
    settings.HEALTH_REQUIRED = ["database"]
    client = Client()
    statuses = [client.get("/healthz", REMOTE_ADDR="203.0.113.4").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/healthz", REMOTE_ADDR="10.0.0.9").status_code == 200  # a probe
    cache.clear()


@pytest.mark.spec("SEC-6", "SEC-5")
def test_a_limit_without_its_cache_lets_the_page_answer(settings):
    """Redis down: the limit is not applied; the page answers (never a 500)."""
    from carm_portal import ratelimit

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    from django.core.cache import caches

    caches._settings = None  # noqa: SLF001 - re-read CACHES
    try:
        assert ratelimit.over_limit("x", "203.0.113.4", limit=1, window=60) is None
    finally:
        del settings.CACHES
