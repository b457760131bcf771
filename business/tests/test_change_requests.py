"""Change requests for business and program account information (FIN-9): requested in
the portal, answered by CBSA staff in the admin, applied, audited and notified."""

import pytest

from business.models import Address, Business, ChangeRequest, Person
from business.tests.factories import ProgramAccountFactory
from carm_portal.models import AuditEntry
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from notices.models import Notice
from tests.html import soup, text

pytestmark = pytest.mark.django_db

ADDRESS = {
    "kind": "address",
    "address_kind": "mailing",
    "line1": "200 Rue Principale",
    "line2": "",
    "po_box": "",
    "city": "Gatineau",
    "province": "QC",
    "postal_code": "J8X 1A1",
    "country": "ca",
}


@pytest.fixture
def bam(importer_account):
    return EmploymentFactory(
        business=importer_account.business, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER
    ).user


@pytest.mark.spec("FIN-9")
def test_change_request_lifecycle(client_for, staff_client, importer_account, bam):
    """Request (portal) → pending on the profile → approved in the admin → applied,
    audited, notified; the profile no longer lists it."""
    business = importer_account.business
    client = client_for(bam)
    profile_url = f"/en/portal/businesses/{business.pk}/"
    page = soup(client.get(profile_url))
    link = page.select_one("[data-testid=change-requests] a")
    assert link["href"] == f"/en/portal/businesses/{business.pk}/change/"
    response = client.post(link["href"], ADDRESS)
    assert response.status_code == 302 and response["Location"] == profile_url
    change = ChangeRequest.objects.get()
    assert change.status == "submitted" and change.changes["country"] == "CA"
    requested = AuditEntry.objects.get(action="business.change_requested")
    assert requested.actor == bam and requested.business_id == business.pk
    rows = soup(client.get(profile_url.replace("/en/", "/fr/"))).select(
        "[data-testid=change-requests] tbody tr"
    )
    assert len(rows) == 1 and "200 Rue Principale, Gatineau QC J8X 1A1 CA" in text(rows[0])
    assert "En attente de l'ASFC" in text(rows[0])
    assert not Address.objects.filter(business=business, kind="mailing").exists()

    change_page = soup(staff_client.get(f"/admin/business/changerequest/{change.pk}/change/"))
    assert [text(a) for a in change_page.select(".object-tools a")][:2] == [
        "Approve and apply",
        "Refuse",
    ]
    assert (
        staff_client.post(
            f"/admin/business/changerequest/{change.pk}/approve/", {"reason": ""}
        ).status_code
        == 302
    )
    change.refresh_from_db()
    assert change.status == "approved" and change.answered_by == staff_client.user
    address = Address.objects.get(business=business, kind="mailing")
    assert (address.line1, address.city, address.country) == (
        "200 Rue Principale",
        "Gatineau",
        "CA",
    )
    applied = AuditEntry.objects.get(action="business.change_applied")
    assert applied.actor == staff_client.user and applied.changes["after"]["city"] == "Gatineau"
    notice = Notice.objects.get(type__code="profile_change_answered")
    assert "approved" in notice.subject_en and "Mailing address" in notice.body_en
    assert "Adresse postale" in notice.body_fr
    assert bam.pk in notice.recipients.values_list("user_id", flat=True)
    assert not soup(client.get(profile_url)).select("[data-testid=change-requests] tbody tr")
    # Answered once.
    staff_client.post(f"/admin/business/changerequest/{change.pk}/refuse/", {"reason": "No"})
    change.refresh_from_db()
    assert change.status == "approved"


@pytest.mark.spec("FIN-9")
def test_a_refused_request_changes_nothing(client_for, staff_client, importer_account, bam):
    business = importer_account.business
    client_for(bam).post(
        f"/en/portal/businesses/{business.pk}/change/",
        {"kind": "mailing", "correspondence_language": "fr"},
    )
    change = ChangeRequest.objects.get()
    url = f"/admin/business/changerequest/{change.pk}/refuse/"
    assert soup(staff_client.post(url, {"reason": ""})).select(".errorlist")
    assert staff_client.post(url, {"reason": "Ask the CRA."}).status_code == 302
    change.refresh_from_db()
    assert change.status == "refused"
    assert Business.objects.get(pk=business.pk).correspondence_language == "en"
    assert (
        AuditEntry.objects.get(action="business.change_refused").changes["reason"] == "Ask the CRA."
    )
    notice = Notice.objects.get(type__code="profile_change_answered")
    assert "refused" in notice.subject_en and "Ask the CRA." in notice.body_en


@pytest.mark.spec("FIN-9")
def test_mailing_preference_and_contacts_are_applied(
    staff_client, importer_account, bam, client_for
):
    business = importer_account.business
    contact = Person.objects.create(
        business=business, kind="contact", name="Old Name", phone="613-555-0100"
    )
    client = client_for(bam)
    client.post(
        f"/en/portal/businesses/{business.pk}/change/",
        {"kind": "mailing", "correspondence_language": "fr"},
    )
    client.post(
        f"/en/portal/businesses/{business.pk}/change/",
        {
            "kind": "contact",
            "person": contact.pk,
            "name": "New Name",
            "title": "Controller",
            "phone": "613-555-0199",
        },
    )
    assert ChangeRequest.objects.count() == 2
    for change in ChangeRequest.objects.order_by("pk"):
        response = staff_client.post(f"/admin/business/changerequest/{change.pk}/approve/", {})
        assert response.status_code == 302
        assert ChangeRequest.objects.get(pk=change.pk).status == "approved", [
            str(m) for m in response.wsgi_request._messages
        ]
    assert Business.objects.get(pk=business.pk).correspondence_language == "fr"
    contact.refresh_from_db()
    assert (contact.name, contact.title, contact.phone) == (
        "New Name",
        "Controller",
        "613-555-0199",
    )


@pytest.mark.spec("FIN-9")
def test_program_account_contacts(client_for, staff_client, importer_account):
    """A Program Account Manager asks for a new contact of their program account."""
    pam = EmploymentFactory(
        business=importer_account.business, role=Employment.Role.PROGRAM_ACCOUNT_MANAGER
    ).user
    client = client_for(pam)
    url = f"/en/portal/program-accounts/{importer_account.pk}/"
    assert (
        soup(client.get(url))
        .select_one("[data-testid=change-requests] a")["href"]
        .endswith("/change/")
    )
    client.post(
        f"{url}change/", {"kind": "address", "name": "Dana Broker", "phone": "819-555-0111"}
    )
    change = ChangeRequest.objects.get()
    assert change.kind == "contact" and change.program_account == importer_account  # contacts only
    assert "Dana Broker" in text(soup(client.get(url)).select_one("[data-testid=change-requests]"))
    staff_client.post(f"/admin/business/changerequest/{change.pk}/approve/", {})
    person = Person.objects.get(program_account=importer_account)
    assert person.name == "Dana Broker" and person.kind == "contact"
    # Another business's account is out of reach (404).
    other = ProgramAccountFactory()
    assert client.get(f"/en/portal/program-accounts/{other.pk}/change/").status_code == 404


@pytest.mark.spec("FIN-9", "DELEG-0")
def test_a_reader_sees_pending_requests_but_no_link(
    employee_client, importer_account, bam, client_for
):
    business = importer_account.business
    client_for(bam).post(f"/en/portal/businesses/{business.pk}/change/", ADDRESS)
    page = soup(employee_client.get(f"/en/portal/businesses/{business.pk}/"))
    section = page.select_one("[data-testid=change-requests]")
    assert len(section.select("tbody tr")) == 1 and not section.select("a")
    assert employee_client.get(f"/en/portal/businesses/{business.pk}/change/").status_code == 403


@pytest.mark.spec("FIN-9")
def test_bad_input_is_said_next_to_the_field_and_kept(client_for, importer_account, bam):
    business = importer_account.business
    page = soup(
        client_for(bam).post(
            f"/fr/portal/businesses/{business.pk}/change/",
            {**ADDRESS, "line1": "", "country": "Canada", "city": "Hull"},
        )
    )
    assert page.select_one("#id_city")["value"] == "Hull"
    assert page.select_one("#id_country")["value"] == "Canada"
    errors = text(page.select_one("form.narrow"))
    assert "Ce champ est obligatoire." in errors
    assert not ChangeRequest.objects.exists()
