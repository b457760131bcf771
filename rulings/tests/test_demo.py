"""The demo requests of ``make run`` go through the real services, once (STAFF-2)."""

import pytest
from django.core.files.storage import default_storage

from accounts.tests.factories import UserFactory
from documents.filetypes import check_content
from rulings.attachments import case_documents
from rulings.demo import seed_rulings
from rulings.models import Ruling
from rulings.selectors import published_rulings

pytestmark = pytest.mark.django_db


@pytest.mark.spec("RUL-0", "STAFF-2")
def test_demo_requests_cover_the_statuses_and_are_seeded_once(importer_account):
    # The upload categories come from a data migration; a transactional test run before
    # this one on the same worker (the browser tests) flushed them: seed_demo adds them
    # again the same way.
    from importlib import import_module

    from django.apps import apps

    import_module("documents.migrations.0002_categories").add(apps, None)
    requester, officer = UserFactory(), UserFactory(staff=True)
    assert seed_rulings(account=importer_account, requester=requester, officer=officer) == 4
    assert seed_rulings(account=importer_account, requester=requester, officer=officer) == 0
    assert sorted(Ruling.objects.values_list("status", flat=True)) == [
        "decision_rendered",
        "draft",
        "information_requested",
        "submitted",
    ]
    assert published_rulings().count() == 1
    decided = Ruling.objects.get(status="decision_rendered")
    (document,) = case_documents(decided)
    assert document.original_name == "drill-data-sheet.pdf"
    assert document.scan_state == "pending"  # until the worker's clamd says otherwise
    with default_storage.open(document.storage_name) as stored:
        assert check_content(stored, extension="pdf") == "application/pdf"
