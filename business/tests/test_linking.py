"""Linking a person to a business (LINK-1 … LINK-5)."""

import json
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.tests.factories import UserFactory
from business import services
from business.models import Business, Registration, RegistrationAttempts
from business.reference import reference_data_load
from carm_portal.models import AuditEntry
from delegation.models import Employment
from finance.models import Transaction
from tests.html import soup, text

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "demo_reference.json"


@pytest.fixture
def reference(db):
    reference_data_load(json.loads(FIXTURE.read_text()))
    importer = Business.objects.get(bn9="549132583")
    Registration.objects.create(business=importer, registered_by=UserFactory(username="firstbam1"))
    return importer


@pytest.fixture
def person(db, client_for):
    return client_for(UserFactory(first_name="Jo", last_name="Tremblay"))


def errors(response) -> str:
    node = soup(response).select_one("[data-error-summary]")
    return text(node) if node else ""


# --- LINK-2 ----------------------------------------------------------------------------------


@pytest.mark.spec("LINK-2")
def test_request_access_shows_the_business_then_sends_the_request(person, reference):
    page = soup(person.post("/en/portal/request-access/", {"bn9": "549132583", "search": ""}))
    assert "ImporterCompany3084" in text(page.main)
    response = person.post(
        "/en/portal/request-access/",
        {"bn9": "549132583", "request": "", "comment": "I file our declarations."},
    )
    assert response["Location"] == "/en/account/first-setup/"
    employment = Employment.objects.get(user=person.user, business=reference)
    assert employment.status == "pending" and employment.comment == "I file our declarations."
    page = soup(person.get("/en/account/first-setup/"))
    assert "ImporterCompany3084" in text(page.find(id="pending-heading").parent)
    assert AuditEntry.objects.filter(action="access_request.created", business=reference).exists()


@pytest.mark.spec("LINK-2")
@pytest.mark.parametrize(
    ("bn9", "language", "message"),
    [
        ("12345", "en", "Enter the 9 digits of the business number"),
        ("12345678A", "fr", "Entrez les 9 chiffres du numéro d'entreprise"),
        ("123456782", "en", "No business with this number is registered on the portal."),
        (
            "123456782",
            "fr",
            "Aucune entreprise portant ce numéro n'est enregistrée dans le portail.",
        ),
    ],
)
def test_request_access_errors(person, reference, bn9, language, message):
    response = person.post(f"/{language}/portal/request-access/", {"bn9": bn9, "search": ""})
    assert message in errors(response)


@pytest.mark.spec("LINK-2")
def test_the_reason_is_required_and_a_request_can_be_cancelled(person, reference, client_for):
    response = person.post(
        "/en/portal/request-access/", {"bn9": "549132583", "request": "", "comment": ""}
    )
    assert "This field is required." in errors(response)
    person.post(
        "/en/portal/request-access/", {"bn9": "549132583", "request": "", "comment": "Accounting"}
    )
    again = person.post(
        "/en/portal/request-access/", {"bn9": "549132583", "request": "", "comment": "Again"}
    )
    assert again["Location"] == "/en/account/first-setup/"
    assert Employment.objects.filter(user=person.user, business=reference).count() == 1
    employment = Employment.objects.get(user=person.user)
    person.post(f"/en/portal/request-access/{employment.pk}/cancel/")
    employment.refresh_from_db()
    assert employment.status == "cancelled"
    # Someone else's request cannot be cancelled.
    other = client_for(UserFactory())
    employment.status = "pending"
    employment.save()
    assert other.post(f"/en/portal/request-access/{employment.pk}/cancel/").status_code == 404


# --- LINK-3 / LINK-4 -------------------------------------------------------------------------

STEP1 = {"bn9": "123456782", "program_reference": "RM0001", "attestation": "on"}
STEP2 = {
    "legal_name": "Northern Maple Foods Ltd.",
    "line1": "455 rue Saint-Paul Est",
    "line2": "",
    "po_box": "",
    "country": "CA",
}


def answers(client) -> dict:
    """The right answers, read from the reference data as the person would from a notice."""
    from finance.models import Payment, Transaction

    page = soup(client.get("/en/portal/register/questions/"))
    data = {}
    hint = page.find(id="id_total_duties_taxes-hint")
    if hint:
        number = text(hint).split()[-1]
        data["total_duties_taxes"] = str(Transaction.objects.get(number=number).total_duties_taxes)
    if page.find(id="id_last_payment"):
        data["last_payment"] = str(
            Payment.objects.filter(program_account__business__bn9="123456782").first().amount
        )
    return data


@pytest.mark.spec("LINK-3", "LINK-4")
def test_register_my_business_end_to_end(person, reference):
    page = soup(person.get("/en/portal/register/"))
    assert "I, Jo Tremblay, attest that I am authorized" in text(page.main)
    assert person.post("/en/portal/register/", STEP1)["Location"] == "/en/portal/register/business/"
    assert (
        person.post("/en/portal/register/business/", STEP2)["Location"]
        == "/en/portal/register/questions/"
    )
    data = answers(person)
    assert set(data) == {"total_duties_taxes", "last_payment"}  # no statement: two questions
    response = person.post("/en/portal/register/questions/", data)
    assert response["Location"] == "/en/portal/home/"
    business = Business.objects.get(bn9="123456782")
    assert business.is_registered
    employment = Employment.objects.get(user=person.user, business=business)
    assert (employment.role, employment.status) == ("bam", "active")
    assert not employment.program_accounts.exists()  # every program account, future ones too
    page = soup(person.get("/en/portal/home/"))
    assert "name a second Business Account Manager" in text(page.main)
    assert AuditEntry.objects.filter(
        action="business_registration.succeeded", business=business
    ).exists()


@pytest.mark.spec("LINK-3")
def test_three_questions_when_a_statement_exists(reference):
    from business.models import ProgramAccount

    account = ProgramAccount.objects.get(business__bn9="549132583")
    questions = services.registration_questions(account=account, pick=3)
    assert questions.count == 3
    five_recent = list(account.transactions.order_by("-date").values_list("number", flat=True)[:5])
    assert questions.transaction_number in five_recent


@pytest.mark.spec("LINK-3")
@pytest.mark.parametrize(
    ("field", "value", "language", "message"),
    [
        ("program_reference", "RX0001", "en", "Enter RM followed by 4 digits, for example RM0001."),
        ("program_reference", "RM001", "fr", "Entrez RM suivi de 4 chiffres, par exemple RM0001."),
        ("bn9", "12345678", "en", "Enter the 9 digits of the business number"),
        (
            "attestation",
            "",
            "en",
            "You must attest that you are authorized to act on behalf of the business.",
        ),
        (
            "attestation",
            "",
            "fr",
            "Vous devez attester que vous êtes autorisé à agir au nom de l'entreprise.",
        ),
    ],
)
def test_step_1_format_errors_do_not_count(person, reference, field, value, language, message):
    data = {**STEP1, field: value}
    if not value:
        del data[field]
    response = person.post(f"/{language}/portal/register/", data)
    assert message in errors(response)
    assert not RegistrationAttempts.objects.filter(failures__gt=0).exists()


@pytest.mark.spec("LINK-3")
@pytest.mark.parametrize(
    ("changes", "ok"),
    [
        ({}, True),
        ({"legal_name": "  northern   MAPLE foods ltd.  "}, True),  # spaces and case do not count
        ({"legal_name": "Northern Maple Foods Ltd"}, False),  # punctuation does
        ({"legal_name": "Northern Maple Foods, Ltd."}, False),
        ({"line1": "455 Saint-Paul Est"}, False),
        ({"line1": "455  RUE saint-paul est "}, True),
        ({"country": "US"}, False),
        # The books and records address on file has a line 2: it must match.
        ({"line1": "88 Queen Street", "line2": "Suite 1200"}, True),
        ({"line1": "88 Queen Street", "line2": ""}, False),
        ({"line1": "88 Queen Street", "line2": "Suite 1201"}, False),
    ],
)
def test_step_2_legal_name_and_address(person, reference, changes, ok):
    person.post("/en/portal/register/", STEP1)
    response = person.post("/en/portal/register/business/", {**STEP2, **changes})
    if ok:
        assert response["Location"] == "/en/portal/register/questions/"
    else:
        assert response.status_code == 200
        assert "Attempts left: 9" in errors(response)
        # Nothing of the file is revealed.
        assert "Northern Maple Foods Ltd." not in errors(response)
        assert "455" not in errors(response)


@pytest.mark.spec("LINK-3")
def test_po_box_on_file_must_match(reference):
    importer = Business.objects.get(bn9="549132583")
    kwargs = {"business": importer, "line1": "PO Box 4410", "line2": "", "country": "CA"}
    assert services.address_matches(po_box="Station E", **kwargs)
    assert services.address_matches(po_box="station  e", **kwargs)
    assert not services.address_matches(po_box="", **kwargs)


@pytest.mark.spec("LINK-3")
@pytest.mark.parametrize(
    ("value", "language", "message"),
    [
        ("$845.50", "en", "Do not type a dollar sign ($)"),
        ("845,50", "fr", "N'entrez pas de virgule (,)"),
        ("1,845.50", "en", "Do not type commas (,)"),
        ("845.505", "en", "Enter digits and a decimal point only, with at most 2 decimals"),
        ("845.5.0", "fr", "Entrez des chiffres et un point décimal seulement"),
    ],
)
def test_step_3_amount_formats(person, reference, value, language, message):
    person.post("/en/portal/register/", STEP1)
    person.post("/en/portal/register/business/", STEP2)
    data = answers(person)
    data["total_duties_taxes"] = value
    response = person.post(f"/{language}/portal/register/questions/", data)
    assert message in errors(response)
    assert not RegistrationAttempts.objects.filter(user=person.user, failures__gt=0).exists()


@pytest.mark.spec("LINK-3")
def test_amounts_are_compared_to_the_cent(person, reference):
    person.post("/en/portal/register/", STEP1)
    person.post("/en/portal/register/business/", STEP2)
    data = answers(person)
    wrong = {**data, "total_duties_taxes": str(float(data["total_duties_taxes"]) + 0.01)}
    response = person.post("/en/portal/register/questions/", wrong)
    assert "do not match the records of the CBSA" in errors(response)
    data["total_duties_taxes"] = data["total_duties_taxes"].rstrip("0").rstrip(".") or "0"
    assert person.post("/en/portal/register/questions/", data)["Location"] == "/en/portal/home/"


@pytest.mark.spec("LINK-3", "STAFF-1")
def test_the_tenth_failure_locks_until_staff_unlock(person, reference, staff_client):
    wrong = {**STEP1, "program_reference": "RM0002"}
    for attempt in range(1, 10):
        response = person.post("/en/portal/register/", wrong)
        assert f"Attempts left: {10 - attempt}" in errors(response)
    response = person.post("/en/portal/register/", wrong)
    assert response.status_code == 403
    assert "locked after 10 failed attempts" in text(soup(response).main)
    # Even the right answers are refused now, in both languages.
    assert person.post("/fr/portal/register/", STEP1).status_code == 403
    attempts = RegistrationAttempts.objects.get(user=person.user, bn9="123456782")
    assert attempts.locked
    staff_client.post(
        "/admin/business/registrationattempts/",
        {"action": "unlock", "_selected_action": [attempts.pk]},
    )
    attempts.refresh_from_db()
    assert not attempts.locked and attempts.failures == 0
    assert person.post("/en/portal/register/", STEP1)["Location"] == "/en/portal/register/business/"
    assert AuditEntry.objects.filter(action="business_registration.failed").count() == 10
    assert AuditEntry.objects.filter(action="business_registration.unlocked").count() == 1


@pytest.mark.spec("LINK-4")
def test_a_registered_business_points_to_request_access(person, reference):
    data = {"bn9": "549132583", "program_reference": "RM0001", "attestation": "on"}
    response = person.post("/en/portal/register/", data)
    assert response["Location"] == "/en/portal/request-access/?bn9=549132583"


@pytest.mark.spec("LINK-4")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_registrations_exactly_one_wins():
    reference_data_load(json.loads(FIXTURE.read_text()))
    business = Business.objects.get(bn9="123456782")
    people = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    results = []

    def register(user):
        try:
            barrier.wait(timeout=10)
            services.business_register(user=user, business=business)
            results.append("won")
        except services.AlreadyRegistered:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["refused", "won"]
    assert Registration.objects.filter(business=business).count() == 1
    assert Employment.objects.filter(business=business, role="bam").count() == 1


@pytest.mark.spec("LINK-5", "STAFF-2")
def test_reference_loader_is_idempotent_and_atomic(db, tmp_path, capsys):
    call_command("load_reference_data", str(FIXTURE))
    first = capsys.readouterr().out
    call_command("load_reference_data", str(FIXTURE))
    assert Business.objects.count() == 3
    assert "created" in first
    bad = json.loads(FIXTURE.read_text())
    bad["businesses"].append({"bn9": "99", "legal_name": "Bad"})
    bad["businesses"][0]["legal_name"] = "Changed"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="business 99"):
        call_command("load_reference_data", str(path))
    assert Business.objects.get(bn9="549132583").legal_name == "ImporterCompany3084 Inc."
    call_command("load_reference_data", str(FIXTURE), "--dry-run")
    assert "dry run" in capsys.readouterr().out


def test_first_setup_links_both_paths(person):
    page = soup(person.get("/fr/account/first-setup/"))
    assert page.find("a", href="/fr/portal/request-access/")
    assert page.find("a", href="/fr/portal/register/")


def test_other_people_cannot_continue_a_registration(reference):
    client = Client()
    assert client.get("/en/portal/register/questions/").status_code == 302


@pytest.mark.spec("LINK-2", "NOTE-4")
def test_the_managers_get_a_notice_of_the_access_request(
    person, reference, django_capture_on_commit_callbacks
):
    from notices.models import NoticeRecipient

    bam = Employment.objects.create(
        user=UserFactory(), business=reference, role="bam", status="active"
    )
    reader = Employment.objects.create(
        user=UserFactory(), business=reference, role="reader", status="active"
    )
    person.post(
        "/en/portal/request-access/", {"bn9": "549132583", "request": "", "comment": "Accounting"}
    )
    received = NoticeRecipient.objects.filter(notice__type__code="delegation_pending_access")
    assert set(received.values_list("user", flat=True)) == {bam.user_id}
    assert reader.user_id not in set(received.values_list("user", flat=True))
    notice = received.get().notice
    assert "Jo Tremblay" in notice.body_en and "Jo Tremblay" in notice.body_fr


@pytest.mark.spec("X-1", "LINK-5")
def test_reference_loader_refuses_a_value_without_its_french(db):
    """X-1: what CRA and CBSA hold on file comes in both languages; a business activity,
    title, sub-programs or transaction description without its French is refused whole."""
    for path in (
        ("business_activity_fr",),
        ("people", 0, "title_fr"),
        ("program_accounts", 0, "sub_programs_fr"),
    ):
        data = json.loads(FIXTURE.read_text())
        node = data["businesses"][0]
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        with pytest.raises(ValidationError, match=path[-1]):
            reference_data_load(data)
        assert not Business.objects.exists()
    # A transaction names its type (both names come with it), or has its own description
    # in both languages; an unknown type is refused too.
    for change, refused in (
        ({"type": "", "description": "Card batch"}, "description_fr"),
        ({"type": "NOPE"}, "unknown transaction type"),
    ):
        data = json.loads(FIXTURE.read_text())
        data["businesses"][0]["program_accounts"][0]["transactions"][0].update(change)
        with pytest.raises(ValidationError, match=refused):
            reference_data_load(data)
        assert not Business.objects.exists()
    reference_data_load(json.loads(FIXTURE.read_text()))
    card = Transaction.objects.get(number="13409539086039")
    assert (card.type.code, card.description, card.description_fr) == (
        "CARD_BATCH", "Card batch", "Lot de cartes",
    )  # fmt: skip
    business = Business.objects.get(bn9="549132583")
    assert business.business_activity_fr.startswith("Commerce de gros")
    assert business.program_accounts.get().sub_programs_fr.startswith("Importations")
