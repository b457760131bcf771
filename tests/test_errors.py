"""Bilingual error pages (X-1)."""

import pytest

from tests.html import soup, text

pytestmark = pytest.mark.urls("tests.error_urls")


@pytest.mark.spec("X-1")
@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/en/no-such-page/", 404, "We couldn't find that web page (Error 404)"),
        ("/fr/no-such-page/", 404, "Nous ne pouvons trouver cette page Web (Erreur 404)"),
        ("/en/forbidden/", 403, "You do not have access to this page (Error 403)"),
        ("/fr/forbidden/", 403, "Vous n'avez pas accès à cette page (Erreur 403)"),
        ("/en/broken/", 500, "We're having a problem with that page (Error 500)"),
        ("/fr/broken/", 500, "Nous éprouvons des difficultés avec cette page (Erreur 500)"),
    ],
)
def test_error_pages_in_both_languages(client, db, path, status, heading):
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == status
    page = soup(response)
    assert page.html["lang"] == path[1:3]
    assert text(page.h1) == heading
