"""Password recovery answers alike for known and unknown usernames (SEC-3)."""

from __future__ import annotations

import statistics
import time

import pytest
from django.test import Client

from accounts.tests.helpers import register
from tests.html import soup, text

pytestmark = pytest.mark.django_db
WRONG = {"answer": "Rex", "memorable_person": "Aunt Louise", "memorable_date": "1990-07-14"}


def answers_page(client, username):
    client.post("/en/account/forgot-password/", {"username": username})
    return client.get("/en/account/forgot-password/answers/")


@pytest.mark.spec("SEC-3")
def test_unknown_usernames_get_stable_questions_and_hints(client, settings):
    first = text(soup(answers_page(Client(), "nosuchuser9")).main)
    again = text(soup(answers_page(Client(), "NoSuchUser9")).main)
    assert first == again
    # Keyed: with another secret key, the decoy is another one for some usernames.
    names = [f"ghost{i}abc" for i in range(12)]
    before = [text(soup(answers_page(Client(), n)).main) for n in names]
    settings.SECRET_KEY = "another-test-key"  # noqa: S105
    after = [text(soup(answers_page(Client(), n)).main) for n in names]
    assert before != after


@pytest.mark.spec("SEC-3")
def test_the_recovery_lock_applies_to_unknown_usernames(client):
    register(Client(), username="jotremblay1")
    for username in ("jotremblay1", "nosuchuser9"):
        c = Client()
        answers_page(c, username)
        responses = [c.post("/en/account/forgot-password/answers/", WRONG) for _ in range(3)]
        locked = c.get("/en/account/forgot-password/answers/")
        assert [r.status_code for r in responses] == [200, 200, 302]
        assert "locked" in text(soup(locked).main).lower()
        assert sorted(c.cookies) == ["carm_csrftoken", "carm_sessionid"]


@pytest.mark.spec("SEC-3")
def test_known_and_unknown_usernames_take_the_same_time():
    """Median difference under 10 ms over 30 tries each (same hashing work)."""
    register(Client(), username="jotremblay1")

    def timings(username):
        values = []
        for i in range(30):
            c = Client()
            answers_page(c, username if username != "unknown" else f"nosuch{i}user")
            started = time.perf_counter()
            response = c.post("/en/account/forgot-password/answers/", WRONG)
            values.append(time.perf_counter() - started)
            assert response.status_code == 200
            if username != "unknown" and i % 2 == 1:  # stay under the 3-strikes lock
                from accounts.models import SecretQuestions

                SecretQuestions.objects.update(failed_attempts=0, locked_until=None)
        return values

    known, unknown = timings("jotremblay1"), timings("unknown")
    difference = abs(statistics.median(known) - statistics.median(unknown))
    assert difference < 0.010, (statistics.median(known), statistics.median(unknown))
