"""Password recovery answers alike for known and unknown usernames (SEC-3)."""

from __future__ import annotations

import itertools
import statistics
import time

import pytest
from django.test import Client

from accounts.tests.helpers import register
from tests.html import soup, text

pytestmark = pytest.mark.django_db
WRONG = {"answer": "Rex", "memorable_person": "Aunt Louise", "memorable_date": "1990-07-14"}


_ADDRESSES = itertools.count(1)


def answers_page(client, username):
    # Each from its own address: the per-address limit is tested on its own below.
    address = f"198.51.{next(_ADDRESSES) // 250}.{next(_ADDRESSES) % 250 + 1}"
    client.post("/en/account/forgot-password/", {"username": username}, REMOTE_ADDR=address)
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
    """The median of 30 paired differences is under 10 ms (same hashing work). Each pair
    is a known and an unknown try one after the other, in turn first, so that the load of
    the moment weighs on both alike: under a loaded suite, the medians of each side taken
    apart moved by 10–25 ms while a pair's two tries did not."""
    from accounts.models import SecretQuestions

    register(Client(), username="jotremblay1")

    def one_try(username):
        c = Client()
        answers_page(c, username)
        started = time.perf_counter()
        response = c.post("/en/account/forgot-password/answers/", WRONG)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        return elapsed

    known, unknown = [], []
    for i in range(30):
        if i % 2:
            unknown.append(one_try(f"nosuch{i}user"))
            known.append(one_try("jotremblay1"))
        else:
            known.append(one_try("jotremblay1"))
            unknown.append(one_try(f"nosuch{i}user"))
        SecretQuestions.objects.update(failed_attempts=0, locked_until=None)  # no lock
    difference = abs(statistics.median(k - u for k, u in zip(known, unknown, strict=True)))
    print(
        f"SEC-3 medians: known {statistics.median(known) * 1000:.1f} ms, unknown "
        f"{statistics.median(unknown) * 1000:.1f} ms, paired difference {difference * 1000:.1f} ms"
    )
    assert difference < 0.010, (statistics.median(known), statistics.median(unknown))


@pytest.mark.spec("SEC-3")
@pytest.mark.parametrize(
    ("method", "path", "data", "limit"),
    [
        ("get", "/en/account/forgot-username/", None, 20),
        ("post", "/en/account/forgot-password/", {"username": "someone1"}, 20),
    ],
)
def test_steps_that_reveal_existence_are_limited_per_address(method, path, data, limit):
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [getattr(client, method)(path, data).status_code for _ in range(limit)]
    assert 429 not in statuses
    last = getattr(client, method)(path, data)
    assert last.status_code == 429 and int(last["Retry-After"]) > 0
    other = Client(REMOTE_ADDR="203.0.113.10")
    assert getattr(other, method)(path, data).status_code != 429


@pytest.mark.spec("SEC-3")
def test_registration_still_says_taken_but_asking_many_times_is_limited():
    register(Client(), username="jotremblay1")
    client = Client(REMOTE_ADDR="203.0.113.11")
    client.post("/en/account/register/", {"accept": ""})
    taken = client.post("/en/account/register/username/", {"username": "jotremblay1"})
    assert "already taken" in text(soup(taken).main)
    for i in range(9):
        client.post("/en/account/register/username/", {"username": f"other{i}name"})
        client.post("/en/account/register/", {"accept": ""})
    limited = client.post("/en/account/register/username/", {"username": "jotremblay1"})
    assert limited.status_code == 429


@pytest.mark.spec("SEC-3")
def test_business_lookups_are_limited_per_person(bam_client, unlinked_client):
    statuses = [
        unlinked_client.get("/en/portal/request-access/", {"bn9": "123456782"}).status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
    posts = [
        unlinked_client.post(
            "/en/portal/register/", {"bn9": "123456782", "program_reference": "RM0001"}
        ).status_code
        for _ in range(31)
    ]
    assert 429 not in posts[:30] and posts[30] == 429


@pytest.mark.spec("SEC-3")
def test_forgot_password_answers_alike_for_known_and_unknown():
    """Same status, same cookies, the same page with a question and two hint slots."""
    register(Client(), username="jotremblay1")
    pages = {}
    for username in ("jotremblay1", "nosuchuser9"):
        c = Client()
        first = c.post(
            "/en/account/forgot-password/", {"username": username}, REMOTE_ADDR="192.0.2.1"
        )
        page = c.get("/en/account/forgot-password/answers/")
        pages[username] = (
            first.status_code,
            first["Location"],
            page.status_code,
            sorted(c.cookies),
        )
        form = soup(page).find("form", id="recovery-answers")
        assert [f["name"] for f in form.find_all("input") if f["type"] != "hidden"] == [
            "answer",
            "memorable_person",
            "memorable_date",
        ]
    assert pages["jotremblay1"] == pages["nosuchuser9"]
