"""CBSA staff process ruling requests in the admin (RUL-3, STYLE 17): the queue, assign,
request information with a message, render the decision in both languages; overdue
requests flagged; every change audited and notified."""

import datetime

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from carm_portal.models import AuditEntry
from notices.models import Notice
from rulings import services
from rulings.models import Ruling
from rulings.tests.factories import RulingFactory
from tests.html import soup, text

pytestmark = pytest.mark.django_db

S = Ruling.Status
LIST = "/admin/rulings/ruling/"


def late(days):
    return RulingFactory(
        submitted=True, target_date=timezone.localdate() - datetime.timedelta(days=days)
    )


@pytest.mark.spec("RUL-3")
def test_queue_lists_open_requests_oldest_target_first_and_flags_overdue(staff_client):
    on_time = RulingFactory(submitted=True)
    overdue = late(3)
    RulingFactory()  # a draft: not CBSA's yet
    done = RulingFactory(submitted=True, status=S.WITHDRAWN)

    response = staff_client.get(LIST)
    assert response["Location"] == f"{LIST}?queue=open"
    page = soup(staff_client.get(f"{LIST}?queue=open"))
    cases = [text(th) for th in page.select("#result_list tbody th")]
    assert cases == [overdue.case_number, on_time.case_number]
    flags = [img["alt"] for img in page.select("#result_list tbody td.field-overdue img")]
    assert flags == ["True", "False"]
    overdue_only = soup(staff_client.get(f"{LIST}?queue=overdue"))
    assert [text(th) for th in overdue_only.select("#result_list tbody th")] == [
        overdue.case_number
    ]
    everything = soup(staff_client.get(f"{LIST}?queue="))
    assert done.case_number in text(everything)


@pytest.mark.spec("RUL-3", "NOTE-4")
def test_staff_assign_request_information_and_decide(staff_client):
    ruling = RulingFactory(submitted=True)
    change = f"{LIST}{ruling.pk}/change/"
    page = soup(staff_client.get(change))
    assert page.find("a", href=f"{LIST}{ruling.pk}/assign/")
    assert ruling.goods_description in text(page)

    response = staff_client.post(f"{LIST}{ruling.pk}/assign/", {"officer": staff_client.user.pk})
    assert response["Location"] == change
    ruling.refresh_from_db()
    assert (ruling.status, ruling.assigned_to) == (S.ASSIGNED, staff_client.user)

    empty = staff_client.post(f"{LIST}{ruling.pk}/request-information/", {"message": ""})
    assert empty.status_code == 200
    staff_client.post(
        f"{LIST}{ruling.pk}/request-information/", {"message": "Send the battery data sheet."}
    )
    ruling.refresh_from_db()
    assert ruling.status == S.INFORMATION_REQUESTED
    assert ruling.events.latest("id").message == "Send the battery data sheet."

    services.ruling_answer(ruling=ruling, actor=ruling.created_by, message="Uploaded.")
    ruling.refresh_from_db()

    one_language = staff_client.post(
        f"{LIST}{ruling.pk}/decide/",
        {"decision_en": "Classified in 8467.21.00.", "decision_fr": ""},
    )
    assert one_language.status_code == 200
    assert "This field is required." in text(soup(one_language))
    ruling.refresh_from_db()
    assert ruling.status == S.ASSIGNED

    staff_client.post(
        f"{LIST}{ruling.pk}/decide/",
        {
            "decision_en": "Classified in 8467.21.00.",
            "decision_fr": "Classé dans le numéro 8467.21.00.",
        },
    )
    ruling.refresh_from_db()
    assert ruling.status == S.DECISION_RENDERED
    assert ruling.decision_fr == "Classé dans le numéro 8467.21.00."
    actions = list(
        AuditEntry.objects.filter(action__startswith="ruling.", actor=staff_client.user)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["ruling.assign", "ruling.request_information", "ruling.render_decision"]
    assert all(
        e.ip_address == "127.0.0.1"
        for e in AuditEntry.objects.filter(action__startswith="ruling.", actor=staff_client.user)
    )
    # Each of the four changes (three by staff, one answer) notified the business and
    # the requester (not one of its employees here).
    subjects = list(
        Notice.objects.filter(type__code="ruling_status_changed", audience__startswith="business")
        .order_by("id")
        .values_list("subject_en", flat=True)
    )
    assert subjects == [
        f"Ruling request {ruling.case_number}: {status}"
        for status in (
            "Assigned",
            "Additional information requested",
            "Assigned",
            "Decision rendered",
        )
    ]
    assert Notice.objects.filter(recipients__user=ruling.created_by).count() == 4


@pytest.mark.spec("RUL-3", "STAFF-1")
def test_staff_cannot_skip_a_step_or_edit_fields(staff_client):
    ruling = RulingFactory(submitted=True)
    response = staff_client.post(
        f"{LIST}{ruling.pk}/decide/", {"decision_en": "Yes.", "decision_fr": "Oui."}
    )
    assert response.status_code == 302
    ruling.refresh_from_db()
    assert ruling.status == S.SUBMITTED
    staff_client.post(f"{LIST}{ruling.pk}/change/", {"status": S.DECISION_RENDERED})
    ruling.refresh_from_db()
    assert ruling.status == S.SUBMITTED
    assert staff_client.get(f"{LIST}add/").status_code == 403


@pytest.mark.spec("RUL-3")
def test_only_cbsa_staff_are_assigned(staff_client):
    ruling = RulingFactory(submitted=True)
    client_person = UserFactory()
    response = staff_client.post(f"{LIST}{ruling.pk}/assign/", {"officer": client_person.pk})
    assert response.status_code == 200
    ruling.refresh_from_db()
    assert ruling.status == S.SUBMITTED


@pytest.mark.spec("RUL-3", "STAFF-1")
def test_portal_users_have_no_admin(bam_client):
    ruling = RulingFactory(submitted=True)
    response = bam_client.get(f"{LIST}{ruling.pk}/assign/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.spec("RUL-2", "RUL-3")
def test_staff_find_the_changes_asked_after_a_decision(staff_client):
    asked = RulingFactory(
        submitted=True,
        status=S.DECISION_RENDERED,
        decision_en="Classified.",
        decision_fr="Classé.",
        decided_at=timezone.now(),
    )
    RulingFactory(
        submitted=True,
        status=S.DECISION_RENDERED,
        decision_en="Classified.",
        decision_fr="Classé.",
        decided_at=timezone.now(),
    )
    services.ruling_request_change(
        ruling=asked, actor=asked.created_by, message="The charger is sold separately."
    )
    page = soup(staff_client.get(f"{LIST}?queue=change"))
    assert [text(th) for th in page.select("#result_list tbody th")] == [asked.case_number]
    detail = text(soup(staff_client.get(f"{LIST}{asked.pk}/change/")))
    assert "The charger is sold separately." in detail
