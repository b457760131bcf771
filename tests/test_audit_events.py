"""SEC-9: security-relevant events are audited with a request id: authorization denials
(the 403 and 404 of delegation/access.py, with the permission asked for), document
downloads, bank details of a pre-authorized debit shown."""

from __future__ import annotations

import pytest

from carm_portal.models import AuditEntry
from delegation.access import Perm
from delegation.tests.matrix_world import build_world, client_for
from documents.tests.matrix import _document
from finance.tests.matrix import _with_pad

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.mark.spec("SEC-9", "X-4")
def test_a_403_is_audited_with_the_permission(world):
    response = client_for(world, "reader").get("/en/finance/payments/pad/")
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="authorization.denied")
    assert entry.changes == {
        "permission": Perm.MANAGE_PAD,
        "status": 403,
        "path": "/en/finance/payments/pad/",
    }
    assert entry.actor == world.users["reader"] and entry.business == world.client
    assert entry.request_id == response["X-Request-ID"]


@pytest.mark.spec("SEC-9", "X-4")
def test_a_404_is_audited_without_revealing_anything(world):
    url = f"/en/portal/businesses/{world.client.pk}/"
    response = client_for(world, "unlinked").get(url)
    assert response.status_code == 404
    entry = AuditEntry.objects.get(action="authorization.denied")
    assert entry.changes["status"] == 404
    assert entry.changes["permission"] == Perm.VIEW_BUSINESS_PROFILE
    assert entry.business is None and entry.actor == world.users["unlinked"]


@pytest.mark.spec("SEC-9", "DOC-4")
def test_a_download_is_audited(world):
    document = _document(world.account_a)
    response = client_for(world, "editor").get(f"/en/documents/{document.pk}/download/")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="documents.downloaded")
    assert entry.changes == {"document": document.pk}
    assert entry.actor == world.users["editor"] and entry.business == world.client
    assert entry.request_id == response["X-Request-ID"]


@pytest.mark.spec("SEC-9", "FIN-4")
@pytest.mark.parametrize("url", ["/en/finance/payments/pad/", "/en/finance/payments/pad/change/"])
def test_bank_details_shown_are_audited(world, url):
    _with_pad(world)
    response = client_for(world, "bam").get(url)
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="pad.bank_details_shown")
    assert entry.actor == world.users["bam"] and entry.business == world.client
    assert entry.changes["program_account"] == world.account_a.pk


@pytest.mark.spec("SEC-9", "FIN-4")
def test_no_agreement_nothing_shown_nothing_audited(world):
    assert client_for(world, "bam").get("/en/finance/payments/pad/").status_code == 200
    assert not AuditEntry.objects.filter(action="pad.bank_details_shown").exists()
