"""The documents of a ruling request's case (DOC-1, RUL-2): the Actions column's upload
link, the attachments step, and the detail page's documents with their scan state.

Written against the documents area's interface (issue 7); skipped only until that area
is on the branch (then ``documents.tests.factories`` exists and these run)."""

import pytest

from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from documents.tests import factories  # noqa: E402, F401
from rulings.tests.factories import RulingFactory
from tests.html import soup, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(importer_account, client_for):

    return client_for(
        EmploymentFactory(business=importer_account.business, role=Employment.Role.EDITOR).user
    )


@pytest.mark.spec("DOC-1", "RUL-1")
@pytest.mark.parametrize(
    ("language", "label"), [("en", "Upload a document"), ("fr", "Télécharger un document")]
)
def test_actions_column_links_to_the_upload_with_the_case_number(
    editor, importer_account, language, label
):
    ruling = RulingFactory(program_account=importer_account, submitted=True)
    page = soup(editor.get(f"/{language}/rulings/"))
    link = page.select_one("table.rulings-table td.actions a[href*='case=']")
    assert link["href"] == f"/{language}/documents/upload/?case={ruling.case_number}"
    assert text(link).startswith(label)
    step1 = soup(editor.get(link["href"]))
    assert step1.find("input", {"name": "case_number"})["value"] == ruling.case_number


@pytest.mark.spec("DOC-1", "RUL-2")
def test_attachments_step_offers_the_upload_for_the_draft_case(editor, importer_account):
    ruling = RulingFactory(program_account=importer_account)
    page = soup(editor.get(f"/en/rulings/{ruling.pk}/attachments/"))
    assert page.find("a", href=f"/en/documents/upload/?case={ruling.case_number}")


@pytest.mark.spec("DOC-4", "RUL-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_detail_lists_the_case_documents_with_their_scan_state(
    employee_client, importer_account, language
):
    from django.utils import translation

    from documents.models import Document

    with translation.override(language):
        states = [str(Document.ScanState.PENDING.label), str(Document.ScanState.CLEAN.label)]
    if language == "en":
        assert states == ["Pending scan", "Clean"]
    ruling = RulingFactory(program_account=importer_account, submitted=True)
    batch = factories.UploadBatchFactory(
        program_account=importer_account, case_number=ruling.case_number
    )
    factories.DocumentFactory(batch=batch, original_name="drawing.pdf")
    clean = factories.DocumentFactory(batch=batch, original_name="photo.pdf")
    clean.mark_clean()
    clean.save()
    # Another business's document with the same case number is not shown.
    factories.DocumentFactory(case_number=ruling.case_number, original_name="other.pdf")

    page = soup(employee_client.get(f"/{language}/rulings/{ruling.pk}/"))
    rows = page.select("table.documents-table tbody tr")
    names = sorted(text(row.find("td")) for row in rows)
    assert names == ["drawing.pdf", "photo.pdf"]
    found = {text(row.find("td")): text(row.select("td")[-1]) for row in rows}
    assert [found["drawing.pdf"], found["photo.pdf"]] == states
    # Only a clean document can be downloaded.
    links = [a for row in rows for a in row.find_all("a")]
    assert [text(a) for a in links] == ["photo.pdf"]
