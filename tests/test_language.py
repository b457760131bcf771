"""The language toggle keeps the person on the same page (X-1)."""

import pytest

from tests.html import soup


@pytest.mark.spec("X-1")
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/en/", "/fr/"),
        ("/fr/", "/en/"),
        ("/en/faq/", "/fr/faq/"),
        ("/fr/onboarding/", "/en/onboarding/"),
        ("/en/account/sign-in/", "/fr/account/sign-in/"),
        ("/en/faq/?q=1", "/fr/faq/?q=1"),
    ],
)
def test_toggle_maps_to_the_same_page(client, db, path, expected):
    """X-1: the toggle on every page points to the same page in the other language."""
    page = soup(client.get(path))
    toggle = page.select_one(".lang-toggle a")
    assert toggle["href"] == expected
    assert toggle["lang"] == expected[1:3]
    assert client.get(toggle["href"]).status_code == 200


@pytest.mark.spec("X-1", "PROF-3")
def test_signed_in_toggle_saves_the_preference(employee_client):
    """X-1: for a signed-in person the toggle also saves the preferred language."""
    user = employee_client.user
    page = soup(employee_client.get("/en/faq/"))
    form = page.select_one(".lang-toggle form")
    data = {i["name"]: i["value"] for i in form.find_all("input")}
    assert data["next"] == "/fr/faq/"
    response = employee_client.post(form["action"], data)
    assert response.status_code == 302
    assert response["Location"] == "/fr/faq/"
    user.refresh_from_db()
    assert user.preferred_language == "fr"


@pytest.mark.spec("X-1")
def test_toggle_refuses_to_redirect_elsewhere(employee_client):
    """The toggle's next must stay on this site (open-redirect guard)."""
    response = employee_client.post(
        "/en/language/", {"language": "fr", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/fr/"


def test_root_redirects_to_a_language(client, db):
    assert client.get("/").status_code == 302
    assert client.get("/", headers={"accept-language": "fr-CA"})["Location"] == "/fr/"
