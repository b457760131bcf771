"""CBSA staff send notices from the admin and operators from a file (STAFF-1, STAFF-2)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from business.tests.factories import BrokerAccountFactory, ProgramAccountFactory
from carm_portal.models import AuditEntry
from delegation.tests.factories import EmploymentFactory
from notices.models import Notice, NoticeDelivery, NoticeRecipient
from tests.html import soup, text

pytestmark = pytest.mark.django_db

COMPOSE = "/admin/notices/notice/compose/"


@pytest.fixture
def two_businesses():
    first, second = ProgramAccountFactory(), ProgramAccountFactory()
    for account in (first, second):
        EmploymentFactory(business=account.business)
    EmploymentFactory(business=first.business)
    return first.business, second.business


def compose_data(**overrides) -> dict:
    data = {
        "token": "0123456789abcdef",
        "type": "cbsa_message",
        "display_date": "",
        "subject_en": "Portal maintenance on Saturday",
        "subject_fr": "Entretien du portail samedi",
        "body_en": "The portal will be unavailable.\n\nThank you.",
        "body_fr": "Le portail sera indisponible.\n\nMerci.",
        "audience": "businesses",
        "business_numbers": "",
        "program_type": "",
    }
    data.update(overrides)
    return data


@pytest.mark.spec("STAFF-1", "NOTE-4")
def test_staff_write_preview_then_send(staff_client, two_businesses):
    first, second = two_businesses
    assert staff_client.get("/admin/notices/notice/add/")["Location"] == COMPOSE
    page = soup(staff_client.get(COMPOSE))
    assert page.find("textarea", attrs={"name": "body_fr"})
    data = compose_data(business_numbers=f"{first.bn9}\n{second.bn9}, {first.bn9}")

    preview = soup(staff_client.post(COMPOSE, {**data, "preview": "Preview"}))
    assert "This notice will go to 3 people." in text(preview)
    english, french = preview.select("section.module")
    assert english["lang"] == "en" and french["lang"] == "fr"
    assert text(english.h3) == "Portal maintenance on Saturday"
    assert text(french.h3) == "Entretien du portail samedi"
    assert [text(p) for p in french.find_all("p")] == ["Le portail sera indisponible.", "Merci."]
    assert Notice.objects.count() == 0  # nothing sent by a preview

    hidden = {
        tag["name"]: tag.get("value", "")
        for tag in preview.select("form input[type=hidden]")
        if tag["name"] != "csrfmiddlewaretoken"
    }
    response = staff_client.post(COMPOSE, {**hidden, "send": "Send"})
    notice = Notice.objects.get()
    assert response["Location"] == f"/admin/notices/notice/{notice.pk}/change/"
    assert notice.body_fr == "Le portail sera indisponible.\n\nMerci."
    assert notice.sent_by == staff_client.user
    assert notice.recipient_count == 3
    assert set(NoticeRecipient.objects.values_list("user__employments__business", flat=True)) == {
        first.pk,
        second.pk,
    }
    entry = AuditEntry.objects.get(action="notice.sent")
    assert entry.actor == staff_client.user and entry.ip_address == "127.0.0.1"

    # Sending the same form again (double click, back button) sends nothing more.
    staff_client.post(COMPOSE, {**hidden, "send": "Send"})
    assert Notice.objects.count() == 1
    change = staff_client.get(f"/admin/notices/notice/{notice.pk}/change/")
    assert change.status_code == 200
    assert "Emails: Pending: 3" in text(soup(change))  # the worker has not run here
    assert staff_client.get("/admin/notices/notice/").status_code == 200


@pytest.mark.spec("STAFF-1", "X-4")
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"subject_fr": ""}, "subject_fr", "This field is required."),
        ({"body_en": "  "}, "body_en", "This field is required."),
        ({"business_numbers": "12345"}, "business_numbers", "exactly 9 digits: 12345"),
        ({"business_numbers": "999999999"}, "business_numbers", "No business has these numbers: 999999999"),
        ({"business_numbers": ""}, "business_numbers", "Enter at least one business number."),
        ({"audience": "program_type"}, "program_type", "Choose the program account type."),
        ({"display_date": "2999-01-01", "audience": "everyone"}, "display_date", "cannot be in the future"),
        ({"type": "statement_available", "audience": "everyone"}, "type", "Select a valid choice."),
    ],
)  # fmt: skip
def test_compose_errors(staff_client, overrides, field, message):
    response = staff_client.post(COMPOSE, {**compose_data(**overrides), "preview": "Preview"})
    page = soup(response)
    row = page.find(attrs={"name": field}).find_parent(class_="form-row")
    assert message in text(row)
    assert Notice.objects.count() == 0


@pytest.mark.spec("STAFF-1")
def test_holders_of_a_program_type_and_everyone(staff_client, two_businesses):
    broker = BrokerAccountFactory()
    broker_person = EmploymentFactory(business=broker.business).user
    data = compose_data(audience="program_type", program_type="customs_broker", urgent="on")
    preview = soup(staff_client.post(COMPOSE, {**data, "preview": "Preview"}))
    assert "This notice will go to 1 person." in text(preview)
    assert "It is urgent" in text(preview)
    staff_client.post(COMPOSE, {**data, "send": "Send"})
    notice = Notice.objects.get()
    assert notice.urgent
    assert list(notice.recipients.values_list("user", flat=True)) == [broker_person.pk]


@pytest.mark.spec("STAFF-1")
def test_only_staff_compose(employee_client, anonymous_client):
    for client in (employee_client, anonymous_client):
        response = client.get(COMPOSE)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.spec("STAFF-1", "NOTE-4")
def test_staff_try_failed_emails_again(staff_client, two_businesses):
    first, _second = two_businesses
    staff_client.post(
        COMPOSE, {**compose_data(business_numbers=first.bn9, token="t2"), "send": "Send"}
    )
    NoticeDelivery.objects.update(state="failed", last_error="SMTPDataError")
    ids = list(NoticeDelivery.objects.values_list("pk", flat=True))
    assert staff_client.get("/admin/notices/noticedelivery/").status_code == 200
    response = staff_client.post(
        "/admin/notices/noticedelivery/",
        {"action": "try_again", "_selected_action": ids},
    )
    assert response.status_code == 302
    assert set(NoticeDelivery.objects.values_list("state", flat=True)) == {"pending"}
    entry = AuditEntry.objects.get(action="notice.emails_retried")
    assert entry.actor == staff_client.user and entry.changes == {"emails": len(ids)}


def write(tmp_path, document) -> str:
    path = tmp_path / "notice.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(*args) -> str:
    out = StringIO()
    call_command("send_notice", *args, stdout=out)
    return out.getvalue()


DOCUMENT = {
    "type": "cbsa_urgent",
    "urgent": True,
    "subject": {"en": "System outage", "fr": "Panne du système"},
    "body": {"en": "The portal is down.", "fr": "Le portail est en panne."},
    "to": "everyone",
}


@pytest.mark.spec("STAFF-2")
def test_operators_send_from_a_file_once(tmp_path, two_businesses):
    path = write(tmp_path, DOCUMENT)
    assert "Would send “System outage” / “Panne du système”" in run("--file", path, "--dry-run")
    assert Notice.objects.count() == 0
    output = run("--file", path)
    notice = Notice.objects.get()
    assert output.startswith(f"Sent notice {notice.pk} to 3 people; 3 emails queued.")
    assert (notice.subject_fr, notice.urgent, notice.type.code) == (
        "Panne du système",
        True,
        "cbsa_urgent",
    )
    assert "Already sent" in run("--file", path)
    assert Notice.objects.count() == 1


@pytest.mark.spec("STAFF-2")
def test_operators_choose_businesses_and_a_reference(tmp_path, two_businesses):
    first, _second = two_businesses
    document = {**DOCUMENT, "to": {"businesses": [first.bn9]}, "reference": "outage-7"}
    run("--file", write(tmp_path, document))
    notice = Notice.objects.get()
    assert notice.reference == "file:outage-7"
    assert notice.recipient_count == 2


@pytest.mark.spec("STAFF-2", "X-1")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subject": {"en": "Only English"}}, "subject_fr"),
        ({"to": "nobody"}, '"to" must be'),
        ({"to": {"businesses": ["000000000"]}}, "No business has these numbers"),
        ({"type": "nope"}, "type"),
    ],
)
def test_operators_get_clear_errors(tmp_path, change, message):
    with pytest.raises(CommandError, match=message):
        run("--file", write(tmp_path, {**DOCUMENT, **change}))
    with pytest.raises(CommandError, match="cannot read"):
        run("--file", str(tmp_path / "missing.json"))
    assert Notice.objects.count() == 0
