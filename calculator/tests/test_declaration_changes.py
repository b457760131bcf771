"""Corrections and adjustments of a submitted CAD on each side of the payment due date,
CBSA's decision in the admin, every version kept, the history of what changed and who
changed it, audit entries and notices (SPEC DECL-4)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from calculator import declarations_services as services
from calculator.models import Declaration, DeclarationVersion
from calculator.tests.test_declaration_views import form_data
from calculator.tests.test_declarations import HEADER, THREE_LINES, audit_of, submitted
from carm_portal.audit import AuditContext
from carm_portal.models import AuditEntry
from carm_portal.workflow import TransitionNotAllowed
from finance.models import Transaction
from notices.models import NoticeRecipient
from tests.html import soup, text

pytestmark = pytest.mark.django_db

D = Decimal
ADMIN = "/admin/calculator/declaration/"


def dearer_first_line():
    """Line 1 at US$1,100.00 instead of 1,000.00: VFD 1,518.00; duty 18% = 273.24;
    VFT 1,791.24; GST 89.562 → 89.56; total 362.80, i.e. 32.98 more than 329.82."""
    return [{**THREE_LINES[0], "value": D("1100.00")}, *THREE_LINES[1:]]


def change(cad, user, lines, *, today=None, reason="Invoice corrected by the vendor"):
    return services.declaration_change(
        declaration=cad,
        header=HEADER,
        lines=lines,
        reason=reason,
        actor=user,
        audit=audit_of(user),
        today=today,
    )


@pytest.mark.spec("DECL-4")
def test_a_correction_before_the_due_date_is_accepted_and_its_difference_posts(
    importer_account, editor, usd
):
    cad = submitted(importer_account, editor)
    on_due_date = cad.payment_due_date
    version = change(cad, editor, dearer_first_line(), today=on_due_date)
    cad.refresh_from_db()
    assert (version.number, version.kind, version.status) == (2, "correction", "accepted")
    assert cad.status == Declaration.Status.CORRECTION_ACCEPTED
    assert cad.current_version == version and cad.total == D("554.70")
    assert version.difference == D("32.98")
    debit = Transaction.objects.get(number=f"{cad.transaction_number}-V2")
    assert debit.amount == D("32.98") and debit.status == Transaction.Status.OPEN
    # A second correction drops line 2 (77.70): a credit.
    third = change(cad, editor, [dearer_first_line()[0], THREE_LINES[2]], today=on_due_date)
    credit = Transaction.objects.get(number=f"{cad.transaction_number}-V3")
    assert third.difference == credit.amount == D("-77.70")
    assert credit.status == Transaction.Status.OPEN_CREDIT
    # Every version kept, the original untouched; the ledger sums to what is owed.
    assert list(cad.versions.values_list("number", "total")) == [
        (1, D("521.72")),
        (2, D("554.70")),
        (3, D("477.00")),
    ]
    assert sum(
        Transaction.objects.filter(program_account=importer_account).values_list(
            "amount", flat=True
        )
    ) == D("477.00")
    assert AuditEntry.objects.filter(action="declaration.corrected").count() == 2


@pytest.mark.spec("DECL-4")
def test_an_adjustment_after_the_due_date_waits_for_cbsa_and_posts_only_when_approved(
    importer_account, editor, usd, staff_client
):
    cad = submitted(importer_account, editor)
    after = cad.payment_due_date + datetime.timedelta(days=1)
    version = change(cad, editor, dearer_first_line(), today=after)
    cad.refresh_from_db()
    assert (version.kind, version.status) == ("adjustment", "pending")
    assert cad.status == Declaration.Status.ADJUSTMENT_PENDING
    assert cad.current_version.number == 1 and cad.total == D("521.72")
    assert not Transaction.objects.filter(number__contains="-V").exists()
    with pytest.raises(TransitionNotAllowed):  # one pending adjustment at a time
        change(cad, editor, THREE_LINES, today=after)

    # The admin's queue opens on the pending adjustments; staff approve with a reason.
    queue = staff_client.get(ADMIN, follow=True)
    assert cad.transaction_number in text(soup(queue))
    page = staff_client.get(f"{ADMIN}{cad.pk}/decide/")
    assert "Line 1, value: 1,000 → 1,100" in text(soup(page))
    empty = staff_client.post(f"{ADMIN}{cad.pk}/decide/", {"decision": "approve"})
    assert empty.status_code == 200  # the reason is required
    assert not Transaction.objects.filter(number__contains="-V").exists()
    response = staff_client.post(
        f"{ADMIN}{cad.pk}/decide/", {"decision": "approve", "reason": "Invoice seen."}
    )
    assert response.status_code == 302
    cad.refresh_from_db()
    assert cad.status == Declaration.Status.ADJUSTMENT_ACCEPTED
    assert cad.current_version.number == 2 and cad.total == D("554.70")
    posted = Transaction.objects.get(number=f"{cad.transaction_number}-V2")
    assert posted.amount == D("32.98")
    version.refresh_from_db()
    assert version.decided_by is not None and version.decision_reason == "Invoice seen."

    # A refused adjustment posts nothing and leaves the version in force.
    refused = change(cad, editor, THREE_LINES, today=after)
    services.adjustment_decide(
        declaration=cad,
        approve=False,
        reason="Not supported by the documents.",
        actor=staff_client.user,
        audit=AuditContext.system(actor=staff_client.user),
    )
    cad.refresh_from_db()
    refused.refresh_from_db()
    assert cad.status == Declaration.Status.ADJUSTMENT_REFUSED
    assert refused.status == DeclarationVersion.Status.REFUSED
    assert cad.current_version.number == 2
    assert not Transaction.objects.filter(number=f"{cad.transaction_number}-V3").exists()
    assert {"declaration.adjustment_approved", "declaration.adjustment_refused"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


@pytest.mark.spec("DECL-4")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_importer_corrects_a_broker_cad_on_the_page_history_and_notices(
    client_for, importer_account, editor, broker, usd, language
):
    from calculator.tests.test_declaration_views import acting_on

    broker_client = acting_on(client_for(broker), importer_account)
    response = broker_client.post(
        f"/{language}/declarations/new/", form_data(lines=THREE_LINES, submit="1")
    )
    assert response.status_code == 302
    cad = Declaration.objects.get()
    client = client_for(editor)
    form = soup(client.get(f"/{language}/declarations/{cad.pk}/change/"))
    typed = {"en": "1000.00", "fr": "1000,00"}[language]  # as each language writes it
    assert form.select_one("#id_lines-0-value")["value"] == typed  # starts from version 1
    missing_reason = client.post(
        f"/{language}/declarations/{cad.pk}/change/", form_data(lines=dearer_first_line())
    )
    assert missing_reason.status_code == 200
    assert soup(missing_reason).select_one("#id_reason-error")
    response = client.post(
        f"/{language}/declarations/{cad.pk}/change/",
        form_data(lines=dearer_first_line(), reason="Vendor's corrected invoice"),
    )
    assert response.status_code == 302
    cad.refresh_from_db()
    assert cad.status == Declaration.Status.CORRECTION_ACCEPTED
    page = soup(client.get(f"/{language}/declarations/{cad.pk}/"))
    history = text(page.select_one(".declaration-history"))
    plain = "".join(history.replace(",", "").split())  # thousands separators of both languages
    assert "1000→1100" in plain
    assert editor.display_name in history and broker.display_name in history
    assert "Maple Leaf Customs Brokers" in history
    # Notices: the importer's employees, and the broker's employee who submitted it.
    recipients = set(
        NoticeRecipient.objects.filter(notice__type__code="declaration_changed").values_list(
            "user_id", flat=True
        )
    )
    assert editor.pk in recipients and broker.pk in recipients


@pytest.mark.spec("DECL-4")
def test_after_the_due_date_the_page_requests_an_adjustment(
    client_for, importer_account, editor, usd
):
    cad = submitted(importer_account, editor)
    Declaration.objects.filter(pk=cad.pk).update(
        payment_due_date=datetime.date(2026, 1, 2)  # long past
    )
    client = client_for(editor)
    page = soup(client.get(f"/en/declarations/{cad.pk}/"))
    assert "Request an adjustment" in text(page.select_one(".declaration-actions"))
    response = client.post(
        f"/en/declarations/{cad.pk}/change/",
        form_data(lines=dearer_first_line(), reason="Late invoice"),
        follow=True,
    )
    assert "waits for the CBSA" in text(soup(response))
    cad.refresh_from_db()
    assert cad.status == Declaration.Status.ADJUSTMENT_PENDING
    assert client.get(f"/en/declarations/{cad.pk}/change/").status_code == 302  # pending


@pytest.mark.spec("DECL-4", "DOC-1")
def test_supporting_documents_use_the_transaction_number_as_case_number(
    client_for, importer_account, editor, usd
):
    cad = submitted(importer_account, editor)
    client = client_for(editor)
    page = soup(client.get(f"/en/declarations/{cad.pk}/"))
    link = page.select_one(f'a[href$="?case={cad.transaction_number}"]')
    assert link is not None
    upload = soup(client.get(link["href"]))
    assert upload.select_one("input[name=case_number]")["value"] == cad.transaction_number
