"""Published rulings (beyond the guide, RUL-3): decisions whose requesters consented are
searchable by anyone, without the requester's identity."""

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from rulings.models import Ruling
from rulings.tests.factories import RulingFactory
from tests.html import soup, text

pytestmark = pytest.mark.django_db

S = Ruling.Status


def decided(*, consent, en, fr, **kwargs):
    return RulingFactory(
        submitted=True,
        status=S.DECISION_RENDERED,
        consent_to_publish=consent,
        decision_en=en,
        decision_fr=fr,
        decided_at=timezone.now(),
        **kwargs,
    )


@pytest.fixture
def requester():
    account = ProgramAccountFactory(
        business__legal_name="Secretive Imports Ltd.",
        business__operating_name="Hush Trading",
        business__bn9="987654321",
    )
    person = UserFactory(first_name="Zebulon", last_name="Quaintance", email="zq@example.com")
    return account, person


@pytest.mark.spec("RUL-3")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_anyone_reads_consented_decisions_and_nothing_about_the_requester(
    anonymous_client, requester, language
):
    account, person = requester
    public = decided(
        consent=True,
        en="Cordless drills are classified in 8467.21.00.",
        fr="Les perceuses sans fil sont classées dans le numéro 8467.21.00.",
        program_account=account,
        created_by=person,
        port_of_entry="Port of Secretville",
        goods_description="Hush Trading's private drill, model ZQ-1",
        prior_reference="SECRET-REF",
    )
    private = decided(consent=False, en="Private decision.", fr="Décision privée.")
    undecided = RulingFactory(submitted=True, consent_to_publish=True)

    response = anonymous_client.get(f"/{language}/rulings/published/")
    assert response.status_code == 200
    page = soup(response)
    body = text(page.find("main") or page)
    assert public.case_number in body
    assert ("Cordless drills" if language == "en" else "Les perceuses sans fil") in body
    assert private.case_number not in body and "Private decision." not in body
    assert undecided.case_number not in body
    html = response.content.decode()
    for leak in (
        "Secretive Imports",
        "Hush Trading",
        "987654321",
        account.reference,
        "Zebulon",
        "Quaintance",
        "zq@example.com",
        "Secretville",
        "ZQ-1",
        "SECRET-REF",
    ):
        assert leak not in html, leak


@pytest.mark.spec("RUL-3")
def test_published_rulings_are_searched_by_words_and_type(anonymous_client):
    drill = decided(consent=True, en="Drills: 8467.21.00.", fr="Perceuses : 8467.21.00.")
    marking = decided(
        consent=True,
        en="The mark must show the country.",
        fr="La marque doit indiquer le pays.",
        kind=Ruling.Kind.MARKING,
    )
    found = text(soup(anonymous_client.get("/en/rulings/published/", {"q": "drills"})))
    assert drill.case_number in found and marking.case_number not in found
    found = text(soup(anonymous_client.get("/fr/rulings/published/", {"q": "pays"})))
    assert marking.case_number in found and drill.case_number not in found
    found = text(soup(anonymous_client.get("/en/rulings/published/", {"type": "marking"})))
    assert marking.case_number in found and drill.case_number not in found
    nothing = text(soup(anonymous_client.get("/en/rulings/published/", {"q": "zzz"})))
    assert "No published rulings match your search." in nothing
