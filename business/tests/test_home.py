"""Home page, header and profiles (HOME-1 … HOME-5)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from business.models import Address
from business.tests.factories import BusinessFactory, ProgramAccountFactory
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from finance.models import Transaction
from tests.html import soup, text

pytestmark = pytest.mark.django_db


def add_transactions(account, count, start=0):
    Transaction.objects.bulk_create(
        Transaction(
            program_account=account,
            number=f"{account.pk:04d}{start + i:010d}",
            date=datetime.date(2026, 10, 1) + datetime.timedelta(days=i % 50),
            description="Card batch",
            description_fr="Lot de cartes",
            amount=Decimal("-2000.99") if i == count - 1 else Decimal("10.00"),
            total_duties_taxes=Decimal(0),
            status=Transaction.Status.OPEN_CREDIT,
        )
        for i in range(count)
    )


@pytest.mark.spec("HOME-1", "HOME-2", "HOME-3")
@pytest.mark.parametrize(
    ("language", "amount", "status", "tile", "description"),
    [
        ("en", "-$2,000.99", "Open credit", "Accounts and profiles", "Card batch"),
        ("fr", "-2\u00a0000,99\u00a0$", "Avoir non soldé", "Comptes et profils", "Lot de cartes"),
    ],
)
def test_home_shows_account_tiles_and_recent_transactions(
    bam_client, importer_account, language, amount, status, tile, description
):
    """X-1 too: the description CBSA holds in both languages is in the page's language."""
    add_transactions(importer_account, 7)
    page = soup(bam_client.get(f"/{language}/portal/home/"))
    header = text(page.select_one(".signed-in"))
    assert f"({importer_account.reference})" in header
    assert f"({importer_account.business.bn9})" in header
    rows = page.select("#recent-heading ~ table tbody tr")
    assert len(rows) == 5  # the most recent ones
    assert amount in str(page.select_one("#recent-heading").parent)
    assert status in text(rows[0])
    assert description in text(rows[0])
    tiles = [text(t) for t in page.select(".tile h2")]
    assert tile in tiles
    # Areas not built yet have no tile and no link: nothing leads to a 404.
    for link in page.select("main a[href^='/']"):
        assert bam_client.get(link["href"]).status_code == 200, link["href"]
    assert page.select_one("details.menu summary")


@pytest.mark.spec("HOME-3")
def test_home_query_count_does_not_grow_with_transactions(bam_client, importer_account):
    add_transactions(importer_account, 3)
    bam_client.get("/en/portal/home/")
    with CaptureQueriesContext(connection) as few:
        assert bam_client.get("/en/portal/home/").status_code == 200
    add_transactions(importer_account, 500, start=10)
    with CaptureQueriesContext(connection) as many:
        assert bam_client.get("/en/portal/home/").status_code == 200
    assert len(many) == len(few) <= 12, "\n".join(q["sql"][:150] for q in many.captured_queries)


@pytest.mark.spec("HOME-1")
def test_the_switcher_changes_the_current_account(bam_client, importer_account):
    other = ProgramAccountFactory(business=importer_account.business, reference_number="0002")
    page = soup(bam_client.get("/en/portal/home/"))
    options = [o["value"] for o in page.select("#switch-account option")]
    assert str(other.pk) in options
    bam_client.post("/en/portal/home/account/", {"account": other.pk})
    assert "(RM0002)" in text(soup(bam_client.get("/en/portal/home/")).select_one(".signed-in"))
    stranger = ProgramAccountFactory()
    assert bam_client.post("/en/portal/home/account/", {"account": stranger.pk}).status_code == 404


@pytest.mark.spec("HOME-5")
def test_business_profile_and_program_account_profile(bam_client, importer_account):
    business = importer_account.business
    Address.objects.create(
        business=business, kind="physical", line1="1200 Bank Street", city="Ottawa", country="CA"
    )
    page = soup(bam_client.get(f"/fr/portal/businesses/{business.pk}/"))
    body = text(page.main)
    assert business.legal_name in body and "1200 Bank Street" in body and "Adresse physique" in body
    for heading in (
        "Renseignements généraux",
        "Propriété",
        "Adresses",
        "Activité de l'entreprise",
        "Paramètres",
        "Personnes-ressources",
    ):
        assert heading in body
    page = soup(bam_client.get(f"/en/portal/program-accounts/{importer_account.pk}/"))
    assert importer_account.full_reference in text(page.main)
    assert "Sub-programs" in text(page.main)


@pytest.mark.spec("HOME-5", "X-4")
def test_profiles_of_other_businesses_are_404(bam_client):
    other = ProgramAccountFactory(business=BusinessFactory())
    assert bam_client.get(f"/en/portal/businesses/{other.business.pk}/").status_code == 404
    assert bam_client.get(f"/en/portal/program-accounts/{other.pk}/").status_code == 404
    assert str(other.full_reference) not in text(
        soup(bam_client.get("/en/portal/program-accounts/")).main
    )


@pytest.mark.spec("HOME-5", "DELEG-0")
def test_a_scoped_employee_sees_only_their_program_accounts(importer_account, client_for):

    second = ProgramAccountFactory(business=importer_account.business, reference_number="9876")
    employment = EmploymentFactory(business=importer_account.business, role=Employment.Role.EDITOR)
    employment.program_accounts.add(second)
    client = client_for(employment.user)
    listing = text(soup(client.get("/en/portal/program-accounts/")).main)
    assert second.full_reference in listing and importer_account.full_reference not in listing
    assert client.get(f"/en/portal/program-accounts/{importer_account.pk}/").status_code == 404


def test_an_unlinked_person_goes_to_first_setup(unlinked_client):
    assert unlinked_client.get("/en/portal/home/")["Location"] == "/en/account/first-setup/"


def test_landing_pages_list_only_existing_services(bam_client):
    page = soup(bam_client.get("/en/portal/area/accounts/"))
    assert len(page.select("ul.services li")) == 4
    # The rulings area exists now (issue 10): its one service, the list.
    rulings = soup(bam_client.get("/en/portal/area/rulings/"))
    assert [a["href"] for a in rulings.select("ul.services li a")] == ["/en/rulings/"]
    assert bam_client.get("/en/portal/area/no-such-area/").status_code == 404


@pytest.mark.spec("HOME-1")
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Last sign-in 2021-05-07 12:25 ET"),
        ("fr", "Dernière ouverture de session 2021-05-07 12:25 HE"),
    ],
)
def test_header_shows_the_last_sign_in(bam_client, language, expected):
    from zoneinfo import ZoneInfo

    user = bam_client.user
    user.previous_login = datetime.datetime(2021, 5, 7, 12, 25, tzinfo=ZoneInfo("America/Toronto"))
    user.save(update_fields=["previous_login"])
    page = soup(bam_client.get(f"/{language}/portal/home/"))
    assert text(page.select_one(".signed-in .last-sign-in")) == expected


@pytest.mark.spec("HOME-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_financial_security_is_linked_only_for_those_who_may_see_it(
    bam_client, employee_client, language
):
    """HOME-2: a Reader does not see the "Financial security" link (the page would refuse
    them); a Business Account Manager does, and it opens."""
    url = reverse("finance:security")
    for client, shown in ((employee_client, False), (bam_client, True)):
        page = soup(client.get(f"/{language}/portal/area/financial/"))
        links = [a["href"] for a in page.select("main a[href]")]
        assert (f"/{language}{url[3:]}" in links) is shown
        assert client.get(f"/{language}{url[3:]}").status_code == (200 if shown else 403)


@pytest.mark.spec("HOME-5")
def test_a_program_account_shows_its_own_contacts_and_owners(bam_client, importer_account):
    """HOME-5: the program account profile lists the account's own contacts and owners
    (not the business's), and says so when one of the two lists is empty."""
    from business.models import Person

    business = importer_account.business
    Person.objects.create(business=business, kind="contact", name="Business Contact")
    Person.objects.create(
        business=business,
        program_account=importer_account,
        kind="contact",
        name="Account Contact",
        title="Import coordinator",
        title_fr="Coordonnateur des importations",
    )
    page = soup(bam_client.get(f"/fr/portal/program-accounts/{importer_account.pk}/"))
    contacts = text(page.select_one("[aria-labelledby=contacts-heading]"))
    owners = text(page.select_one("[aria-labelledby=owners-heading]"))
    assert "Account Contact, Coordonnateur des importations" in contacts
    assert "Business Contact" not in contacts
    assert owners.endswith("Aucun propriétaire au dossier.")
    business_page = text(soup(bam_client.get(f"/en/portal/businesses/{business.pk}/")).main)
    assert "Business Contact" in business_page and "Account Contact" not in business_page


@pytest.mark.spec("HOME-5", "LINK-3")
@pytest.mark.parametrize(("language", "germany"), [("en", "Germany"), ("fr", "Allemagne")])
def test_the_registration_address_offers_every_country(language, germany):
    """HOME-5: the full ISO 3166 list (django-countries), in the page's language, Canada
    first."""
    from django.utils import translation

    from business.forms import RegisterBusinessForm

    with translation.override(language):
        choices = list(RegisterBusinessForm().fields["country"].choices)
        assert len(choices) > 240
        assert choices[1][0] == "CA"
        assert germany in dict(choices).values()
