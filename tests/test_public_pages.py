"""Public pages anyone can read (SIGN-1, SIGN-2, RES-1, X-1)."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.html import soup, text

PUBLIC_PAGES = [
    "landing",
    "access",
    "partners",
    "onboarding",
    "bulletins",
    "brokers",
    "api_catalogue",
    "faq",
    "contact",
    "resources",
]


@pytest.mark.spec("SIGN-1", "X-1")
@pytest.mark.parametrize(
    ("language", "heading", "services", "resources"),
    [
        ("en", "CARM Client Portal", "Services and information", "Other resources"),
        ("fr", "Portail client de la GCRA", "Services et renseignements", "Autres ressources"),
    ],
)
def test_landing_page_in_both_languages(client, db, language, heading, services, resources):
    """SIGN-1: the landing page, with the GC signature, in English and in French."""
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    page = soup(response)
    assert page.html["lang"] == language
    assert text(page.h1) == heading
    headings = [text(h) for h in page.find_all("h2")]
    assert services in headings and resources in headings
    signature = page.select_one(".signature img")
    assert signature["src"].endswith(f"sig-blk-{language}.svg")
    assert signature["alt"] in ("Government of Canada", "Gouvernement du Canada")
    assert page.select_one("a.skip-link")["href"] == "#main-content"
    assert page.find("main", id="main-content")
    assert page.select_one(".date-modified time")["datetime"]
    assert page.find("footer")


@pytest.mark.spec("SIGN-1")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_landing_links_lead_to_real_pages(client, db, language):
    """SIGN-1, RES-1: every link of 'Services and information' opens a page with content."""
    page = soup(client.get(f"/{language}/"))
    links = page.find("section", attrs={"aria-labelledby": "services-heading"}).find_all("a")
    assert len(links) == 6
    for link in links:
        target = client.get(link["href"])
        assert target.status_code == 200, link["href"]
        target_page = soup(target)
        assert text(target_page.h1), link["href"]
        assert len(text(target_page.main)) > 200, f"{link['href']} has almost no content"


@pytest.mark.spec("SIGN-1", "X-1")
def test_landing_wording_matches_the_guide(client, db):
    """The French wording is the guide's own (GLOSSARY)."""
    page = text(soup(client.get("/fr/")).main)
    for label in (
        "Ouvrez une session dans le portail client de la GCRA",
        "Documentation d'intégration",
        "Liste des courtiers en douane agréés",
        "Catalogue d'API ouvert de la GCRA",
        "Foire aux questions (FAQ)",
        "Ouvrir une session dans le portail du Manifeste électronique",
    ):
        assert label in page


@pytest.mark.spec("SIGN-2")
@pytest.mark.parametrize(
    ("language", "partner", "gckey"),
    [
        ("en", "Continue to a Sign-In Partner", "Continue to GCKey"),
        ("fr", "Poursuivre vers un partenaire de connexion", "Passer à CléGC"),
    ],
)
def test_access_page_offers_both_options(client, db, language, partner, gckey):
    """SIGN-2: the access page offers the sign-in partner and GCKey options."""
    with translation.override(language):
        url = reverse("portal:access")
    page = soup(client.get(url))
    body = text(page.main)
    assert partner in body
    gckey_link = page.find("a", string=gckey)
    assert client.get(gckey_link["href"]).status_code == 200


@pytest.mark.spec("X-1")
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_exists_in_both_languages(client, db, name):
    """X-1: each public page answers in English and French with its own title."""
    bodies = {}
    for language in ("en", "fr"):
        with translation.override(language):
            url = reverse(f"portal:{name}")
        response = client.get(url)
        assert response.status_code == 200
        page = soup(response)
        assert page.html["lang"] == language
        bodies[language] = text(page.main)
    assert bodies["en"] != bodies["fr"]
