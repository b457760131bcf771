"""One audit context (STYLE 11; SPEC DELEG-4, DELEG-6, SEC-9): ``@requires`` builds an
``AuditContext`` from the request and every service writes it into its entries.

In every area, a service provider's employee acting for a client is recorded the same
way: ``business`` is the provider (whose person acted), ``acting_for`` the client; a
business's own employee is recorded under their business with no ``acting_for``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from carm_portal.audit import AuditContext
from carm_portal.models import AuditEntry
from delegation.access import Access, audit_context
from delegation.tests.matrix_world import build_world, client_for
from rulings.tests.matrix import CONTEXT


@pytest.fixture
def world(db):
    return build_world()


def _pair(action: str) -> tuple:
    entry = AuditEntry.objects.get(action=action)
    return entry.business, entry.acting_for


def _context(world, principal: str) -> AuditContext:
    """What ``@requires`` gives a view of the client's account A for ``principal``."""
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.9")
    request.user = world.users[principal]
    return audit_context(request, Access(request.user).grant(world.client.pk))


@pytest.mark.spec("DELEG-4", "SEC-9")
def test_the_context_names_the_provider_and_the_client(world):
    audit = _context(world, "biz_assigned")
    assert (audit.business_id, audit.acting_for_id) == (world.broker1.pk, world.client.pk)
    assert audit.actor == world.users["biz_assigned"] and audit.ip == "192.0.2.9"
    own = _context(world, "editor")
    assert (own.business_id, own.acting_for_id) == (world.client.pk, None)


@pytest.mark.spec("DELEG-4", "FIN-5", "SEC-9")
@pytest.mark.parametrize(
    "principal, provider", [("biz_assigned", True), ("bam", False)], ids=["provider", "own"]
)
def test_finance_security_change(world, principal, provider):
    response = client_for(world, principal).post(
        "/en/finance/security/change/", {"kind": "cash", "amount": "2000.00", "reason": "Top up"}
    )
    assert response.status_code == 302
    expected = (world.broker1, world.client) if provider else (world.client, None)
    assert _pair("finance.security_change_requested") == expected


@pytest.mark.spec("DELEG-4", "RUL-2", "SEC-9")
@pytest.mark.parametrize(
    "principal, provider", [("biz_assigned", True), ("editor", False)], ids=["provider", "own"]
)
def test_rulings(world, principal, provider):
    response = client_for(world, principal).post("/en/rulings/new/", CONTEXT)
    assert response.status_code == 302
    expected = (world.broker1, world.client) if provider else (world.client, None)
    assert _pair("ruling.created") == expected


@pytest.mark.spec("DELEG-4", "FIN-3", "SEC-9")
def test_finance_credits(world):
    from finance import services
    from finance.tests.factories import TransactionFactory

    debit = TransactionFactory(program_account=world.account_a, amount=Decimal("10.00"))
    TransactionFactory(program_account=world.account_a, amount=Decimal("-20.00"))
    services.credits_apply(
        program_account=world.account_a,
        debit_ids=[debit.pk],
        idempotency_key=uuid.uuid4(),
        actor=world.users["biz_assigned"],
        audit=_context(world, "biz_assigned"),
    )
    assert _pair("finance.credits_applied") == (world.broker1, world.client)


@pytest.mark.spec("DELEG-4", "DOC-2", "SEC-9")
def test_documents(world):
    from documents import services
    from documents.models import DocumentCategory

    services.upload_batch_create(
        audit=_context(world, "biz_assigned"),
        uploaded_by=world.users["biz_assigned"],
        program_account=world.account_a,
        category=DocumentCategory.objects.first(),
        case_number="",
        files=[(SimpleUploadedFile("notes.txt", b"notes"), "text/plain")],
    )
    assert _pair("documents.upload") == (world.broker1, world.client)


@pytest.mark.spec("DELEG-4", "DELEG-6", "SEC-9")
def test_delegation(world):
    """A provider's change about a client (here, assigning it to an employee)."""
    from delegation import services

    services.clients_assign(
        provider=world.broker1,
        clients=[world.client],
        employments=[world.employment("biz_unassigned")],
        audit=AuditContext(actor=world.users["biz_bam"]),
    )
    assert _pair("client_assignment.created") == (world.broker1, world.client)


@pytest.mark.spec("SEC-9")
def test_a_task_records_no_address():
    audit = AuditContext.system()
    assert (audit.actor, audit.ip, audit.business_id, audit.acting_for_id) == (
        None,
        None,
        None,
        None,
    )
