"""Session limits: 20 minutes idle, 12 hours in all, a warning before (AC-11, AC-12)."""

import pytest

from carm_portal import middleware
from tests.html import soup, text


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(middleware, "clock", fake)
    return fake


@pytest.mark.spec("X-4")
def test_idle_for_20_minutes_ends_the_session(employee_client, clock):
    assert employee_client.get("/en/faq/").status_code == 200
    clock.now += 20 * 60 + 1
    response = employee_client.get("/en/faq/")
    assert response.status_code == 302
    assert response["Location"] == "/en/access/"
    page = soup(employee_client.get(response["Location"]))
    assert "ended after 20 minutes without activity" in text(page.main)
    assert "_auth_user_id" not in employee_client.session


@pytest.mark.spec("X-4")
def test_activity_keeps_the_session_alive(employee_client, clock):
    for _ in range(5):
        clock.now += 19 * 60
        assert employee_client.get("/en/faq/").status_code == 200


@pytest.mark.spec("X-4")
def test_twelve_hours_is_the_absolute_limit(employee_client, clock):
    employee_client.get("/en/faq/")
    for _ in range(12 * 60 // 15):
        clock.now += 15 * 60
        employee_client.get("/en/faq/")
    clock.now += 15 * 60
    response = employee_client.get("/fr/faq/")
    assert response["Location"] == "/fr/access/"
    page = soup(employee_client.get(response["Location"]))
    assert "limite de 12 heures" in text(page.main)


@pytest.mark.spec("X-4")
def test_the_warning_is_on_signed_in_pages(employee_client):
    page = soup(employee_client.get("/en/faq/"))
    assert page.body["data-session-timeout"] == "1200"
    assert page.body["data-session-warning"] == "120"
    dialog = page.find("dialog", id="session-warning")
    assert "Continue my session" in text(dialog)


def test_no_warning_for_anonymous_visitors(client, db):
    page = soup(client.get("/en/faq/"))
    assert page.find("dialog", id="session-warning") is None


@pytest.mark.spec("X-4")
def test_continue_extends_the_idle_limit(employee_client, clock):
    employee_client.get("/en/faq/")
    clock.now += 19 * 60
    response = employee_client.post("/en/session/extend/", headers={"X-Requested-With": "fetch"})
    assert response.status_code == 204
    clock.now += 19 * 60
    assert employee_client.get("/en/faq/").status_code == 200


def test_new_session_key_at_sign_in(client, db):
    from accounts.tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    client.get("/en/account/sign-in/")
    before = client.session.session_key
    response = client.post("/en/account/sign-in/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != before
