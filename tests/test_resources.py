"""Resources (RES-1): the user guides, the instructional videos and the FAQ, public and
in both languages, quoting the rules the portal enforces."""

import pytest
from django.urls import reverse
from django.utils import translation

from carm_portal.guides import GUIDES, TILE_GUIDES, VIDEOS
from rulings.models import Ruling
from tests.html import soup, text

pytestmark = pytest.mark.django_db


def url(name, *args, language="en"):
    with translation.override(language):
        return reverse(name, args=args)


@pytest.mark.spec("RES-1", "X-1")
@pytest.mark.parametrize(
    ("language", "heading", "sections"),
    [
        (
            "en",
            "Resources",
            ["User guides", "Instructional videos", "Frequently asked questions (FAQ)"],
        ),
        (
            "fr",
            "Ressources",
            ["Guides d'utilisation", "Vidéos d'instruction", "Foire aux questions (FAQ)"],
        ),
    ],
)
def test_resources_list_guides_videos_and_faq(client, language, heading, sections):
    """RES-1: guides, videos and the FAQ on one public page; every guide link opens."""
    page = soup(client.get(url("portal:resources", language=language)))
    assert text(page.h1) == heading
    assert [text(h) for h in page.main.find_all("h2")][:3] == sections
    guides = page.find("section", attrs={"aria-labelledby": "guides-heading"}).find_all("a")
    assert [a["href"] for a in guides] == [url("portal:onboarding", language=language)] + [
        url("portal:guide", slug, language=language) for slug in GUIDES
    ]
    for link in guides:
        target = soup(client.get(link["href"]))
        assert text(target.h1) == text(link)
        assert len(text(target.main)) > 400, link["href"]
    videos = page.find("section", attrs={"aria-labelledby": "videos-heading"})
    assert len(videos.find_all("li")) == len(VIDEOS)
    # Each video has its own link, named by its title.
    with translation.override(language):
        titles = [str(title) for title in VIDEOS]
    assert [text(li.find("a")) for li in videos.find_all("li")] == titles
    external = videos.find("a")["href"]
    assert external.startswith("https://www.cbsa-asfc.gc.ca/")
    assert external.endswith("-eng.html" if language == "en" else "-fra.html")


@pytest.mark.spec("RES-1")
def test_guide_titles_are_the_guides_own_in_french(client):
    """RES-1: the French titles are the seed guide's wording (GLOSSARY)."""
    page = text(soup(client.get("/fr/resources/")).main)
    for title in (
        "Guide de l'utilisateur pour les partenaires de la chaîne commerciale - "
        "Informations et outils financiers dans le portail client de la GCRA",
        "Guide de l'utilisateur du partenaire de la chaîne commerciale - Gestion des décisions",
        "Comment connecter un compte d'utilisateur à un compte d'entreprise",
        "Comprendre les statuts des décisions dans le portail client de la GCRA",
    ):
        assert title in page


@pytest.mark.spec("RES-1")
def test_an_unknown_guide_is_not_found(client):
    assert client.get("/en/resources/guides/secret/").status_code == 404


@pytest.mark.spec("RES-1", "DOC-3")
@pytest.mark.parametrize(
    ("language", "limits"),
    [
        ("en", "At most 7 files per upload and 5 MB per file."),
        ("fr", "Au plus 7 fichiers par téléchargement et 5 Mo par fichier."),
    ],
)
def test_help_quotes_the_upload_limits_the_portal_enforces(client, settings, language, limits):
    """RES-1: the FAQ and the documents guide follow the configured limits."""
    settings.DOCUMENT_MAX_FILES = 7
    settings.DOCUMENT_MAX_FILE_SIZE = 5 * 1024 * 1024
    for page in (
        url("portal:faq", language=language),
        url("portal:guide", "documents", language=language),
    ):
        body = text(soup(client.get(page)).main)
        assert limits in body, page
        assert "pdf, doc, docx" in body


@pytest.mark.spec("RES-1", "FIN-5", "FIN-2")
@pytest.mark.parametrize(
    ("language", "statement", "security"),
    [
        (
            "en",
            "issued on the 25th of each month for the period from the 18th of the previous "
            "month to the 17th of the current month. Payment is due 10 business days",
            "at least $5,000.00 and at most $10,000,000.00",
        ),
        (
            "fr",
            "émis le 25 de chaque mois pour la période du 18 du mois précédent au 17 du mois "
            "courant. Le paiement est exigible 10 jours ouvrables",
            # text() folds the no-break spaces of the French amounts
            "d'au moins 5 000,00 $ et d'au plus 10 000 000,00 $",
        ),
    ],
)
def test_financial_guide_quotes_the_statement_calendar_and_security_bounds(
    client, language, statement, security
):
    """RES-1: the statement dates and the security bounds come from finance's own rules."""
    body = text(soup(client.get(url("portal:guide", "financial", language=language))).main)
    assert statement in body
    assert security in body


@pytest.mark.spec("RES-1", "RUL-0")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_rulings_guide_lists_every_type_and_the_service_standard(client, language):
    body = text(soup(client.get(url("portal:guide", "rulings", language=language))).main)
    with translation.override(language):
        for label in Ruling.Kind.labels:
            assert str(label) in body
        assert str(Ruling.Status.INFORMATION_REQUESTED.label) in body
    assert "120" in body


@pytest.mark.spec("RES-1", "HOME-4")
def test_each_tile_page_points_to_its_guide(bam_client):
    """RES-1: as in the guide, an area's page ends with 'To learn more, see the following
    guide'."""
    for key, slug in TILE_GUIDES.items():
        page = soup(bam_client.get(f"/en/portal/area/{key}/"))
        link = page.main.find("a", href=f"/en/resources/guides/{slug}/")
        assert link is not None, key
        assert text(link) == str(GUIDES[slug])


@pytest.mark.spec("RES-1", "SIGN-8")
def test_resources_are_in_the_footer_signed_in_or_not(client, employee_client):
    for who in (client, employee_client):
        footer = soup(who.get("/fr/faq/")).find("footer")
        assert footer.find("a", href="/fr/resources/", string="Ressources")


@pytest.mark.spec("RES-1")
def test_the_ruling_request_video_is_listed(client):
    """RES-1: the guide's « Comment soumettre une demande de décision dans le portail
    client de la GCRA » is among the videos."""
    videos = soup(client.get("/fr/resources/")).find(
        "section", attrs={"aria-labelledby": "videos-heading"}
    )
    assert "Comment soumettre une demande de décision dans le portail client de la GCRA" in [
        text(a) for a in videos.find_all("a")
    ]
