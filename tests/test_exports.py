"""SEC-8: CSV exports carry no formulas, and no export shows another organisation's
people (the delegation history shows a service provider by its business name)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from business.navigation import CURRENT_ACCOUNT_KEY
from business.tests.factories import BrokerAccountFactory, ProgramAccountFactory
from carm_portal.audit import audit_record
from carm_portal.exports import csv_writer, safe_cell
from carm_portal.models import AuditEntry
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from tests.html import soup, text


@pytest.mark.spec("SEC-8")
@pytest.mark.parametrize(
    "value, written",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.50", "-12.50"),  # an amount stays a number
        (Decimal("-3.10"), Decimal("-3.10")),
        (-4, -4),
        ("Jo Tremblay", "Jo Tremblay"),
        ("", ""),
    ],
)
def test_formula_prefixes_are_neutralised(value, written):
    assert safe_cell(value) == written


@pytest.mark.spec("SEC-8")
def test_writer_quotes_and_neutralises():
    out = io.StringIO()
    csv_writer(out).writerow(['=HYPERLINK("http://x")', "ok", 1])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ['\'=HYPERLINK("http://x")', "ok", "1"]


@pytest.fixture
def world(db, client_for):
    client_account = ProgramAccountFactory(business__legal_name="Northern Maple Foods Ltd.")
    client_business = client_account.business
    bam = EmploymentFactory(
        business=client_business, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER
    ).user
    broker = BrokerAccountFactory(business__legal_name="Maple Leaf Customs Brokers Ltd.").business
    broker_employee = UserFactory(username="brokerclerk1", first_name="Zed", last_name="Clerk")
    # a requester named like a formula, and a provider's employee acting for the client
    formula_person = UserFactory(username="formula12", first_name="=1+1", last_name="@cmd")
    audit_record(action="access_request.created", actor=formula_person, business=client_business)
    entry = audit_record(
        action="relationship.requested",
        actor=broker_employee,
        business=broker,
        acting_for=client_business,
    )
    AuditEntry.objects.filter(pk=entry.pk).update(ip_address="198.51.100.23")
    client = client_for(bam)
    session = client.session
    session[CURRENT_ACCOUNT_KEY] = client_account.pk
    session.save()
    return client


@pytest.mark.spec("SEC-8", "DELEG-6")
def test_delegation_history_csv_has_no_formulas_and_no_provider_people(world):
    response = world.get("/en/portal/configure/history/csv/")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    by_action = {r["action"]: r for r in rows}
    assert by_action["access_request.created"]["actor_name"] == "'=1+1 @cmd"
    provider = by_action["relationship.requested"]
    assert provider["actor_name"] == "Maple Leaf Customs Brokers Ltd."
    assert provider["actor"] == "" and provider["address"] == ""
    assert "brokerclerk1" not in body and "Zed" not in body and "198.51.100.23" not in body


@pytest.mark.spec("SEC-8", "DELEG-6")
def test_delegation_history_page_shows_the_provider_by_name(world):
    page = world.get("/en/portal/configure/history/")
    rows = text(soup(page).select_one("#history tbody"))
    assert "Maple Leaf Customs Brokers Ltd." in rows
    assert "Zed" not in rows and "198.51.100.23" not in rows
    people = text(soup(page).select_one("select[name=person]"))
    assert "Zed" not in people


@pytest.mark.spec("SEC-8", "FIN-5")
def test_transactions_csv_neutralises_formulas_and_keeps_amounts(employee_client, importer_account):
    from finance.tests.factories import TransactionFactory

    TransactionFactory(
        program_account=importer_account,
        number="T9",
        description='=HYPERLINK("http://x","y")',
        amount=Decimal("-12.50"),
    )
    response = employee_client.get(
        "/en/finance/transactions/export/", {"export": "selected", "selected": ["T9"]}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][2] == '\'=HYPERLINK("http://x","y")'
    assert rows[1][4] == "-12.50"
