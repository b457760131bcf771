"""Finance in the CBSA staff admin (STYLE 17, FIN-2, FIN-4): read-only but for recording
securities and answering change requests; bank details never shown."""

import datetime
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from carm_portal.models import AuditEntry
from finance import services
from finance.models import FinancialSecurity, SecurityChangeRequest
from finance.tests.factories import InvoiceFactory, TransactionFactory
from tests.html import soup, text

pytestmark = pytest.mark.django_db


@pytest.mark.spec("FIN-2", "FIN-4")
def test_finance_models_are_read_only_for_staff(staff_client, importer_account):
    transaction = TransactionFactory(program_account=importer_account)
    invoice = InvoiceFactory(program_account=importer_account)
    services.transaction_balances_refresh(program_account=importer_account)
    statement = services.statement_issue(
        program_account=importer_account, issue_date=datetime.date(2026, 10, 25)
    )
    for model, pk in [
        ("transaction", transaction.pk),
        ("invoice", invoice.pk),
        ("statement", statement.pk),
    ]:
        assert staff_client.get(f"/admin/finance/{model}/").status_code == 200, model
        page = soup(staff_client.get(f"/admin/finance/{model}/{pk}/change/"))
        assert not page.select("input[name=_save]"), model  # a view, no save button
        assert staff_client.get(f"/admin/finance/{model}/add/").status_code == 403, model
    assert staff_client.post(f"/admin/finance/statement/{statement.pk}/delete/").status_code == 403


@pytest.mark.spec("FIN-4")
def test_pad_in_the_admin_shows_only_the_masked_number(staff_client, importer_account):
    agreement = services.pad_create(
        program_account=importer_account,
        institution="001",
        transit="12345",
        account="987654321",
        holder_name="ImporterCompany3084 Inc.",
        withdrawal_day=3,
        actor=UserFactory(),
    )
    html = staff_client.get(f"/admin/finance/padagreement/{agreement.pk}/change/").content.decode()
    assert "••••321" in html
    assert "987654321" not in html and agreement.bank_details not in html
    assert "987654321" not in staff_client.get("/admin/finance/padagreement/").content.decode()


@pytest.mark.spec("DELEG-3")
def test_staff_record_a_security_and_answer_a_change_request(staff_client, importer_account):
    response = staff_client.post(
        "/admin/finance/financialsecurity/add/",
        {
            "program_account": importer_account.pk,
            "kind": "bond",
            "amount": "25000.00",
            "reference": "BOND-1",
            "posted_on": "2026-11-01",
        },
    )
    assert response.status_code == 302
    security = FinancialSecurity.objects.get()
    assert AuditEntry.objects.get(action="finance.security_recorded").actor == staff_client.user
    page = soup(staff_client.get(f"/admin/finance/financialsecurity/{security.pk}/change/"))
    assert page.select("input[name=released_on]") and not page.select("input[name=amount]")
    change = services.security_change_request_create(
        program_account=importer_account,
        kind="cash",
        amount=Decimal("1000"),
        reason="More",
        actor=UserFactory(),
    )
    response = staff_client.post(
        "/admin/finance/securitychangerequest/",
        {"action": "accept", "_selected_action": [change.pk]},
        follow=True,
    )
    assert "1 requests answered." in text(soup(response))
    change.refresh_from_db()
    assert change.status == SecurityChangeRequest.Status.ACCEPTED
    assert change.answered_by == staff_client.user
