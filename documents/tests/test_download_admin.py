"""Downloads (DOC-4), the rulings' view of a case (``case_documents``), and CBSA staff
in the admin and on the command line (DOC-5)."""

import pytest
from django.core.management import call_command

from carm_portal.models import AuditEntry
from documents.models import Document
from documents.selectors import case_documents
from documents.tests import samples
from documents.tests.factories import DocumentFactory, UploadBatchFactory
from tests.html import soup, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_document(importer_account):
    return DocumentFactory(
        batch=UploadBatchFactory(program_account=importer_account),
        scan_state="clean",
        original_name='Fiche "produit" é.pdf',
    )


@pytest.mark.spec("DOC-4", "X-4")
def test_a_clean_file_is_served_as_an_attachment_with_nosniff(employee_client, clean_document):
    response = employee_client.get(f"/en/documents/{clean_document.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Fiche%20%22produit%22%20%C3%A9.pdf" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == samples.pdf()


@pytest.mark.spec("DOC-4", "X-4")
@pytest.mark.parametrize("state", ["pending", "infected", "type_mismatch", "scan_failed"])
def test_nothing_in_quarantine_is_served(employee_client, clean_document, state):
    Document.objects.filter(pk=clean_document.pk).update(scan_state=state)
    response = employee_client.get(f"/en/documents/{clean_document.pk}/download/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")  # a page, never the file


@pytest.mark.spec("DOC-4", "X-1")
@pytest.mark.parametrize(
    ("language", "state", "words"),
    [
        (
            "en",
            "pending",
            "Waiting for its virus scan. It cannot be opened until the scan is done.",
        ),
        ("fr", "infected", "Un virus a été trouvé."),
        ("en", "type_mismatch", "does not match an accepted file type"),
    ],
)
def test_a_file_in_quarantine_says_why_to_those_who_may_see_the_case(
    employee_client, broker_client, clean_document, language, state, words
):
    """DOC-4: still not found, but the person who may see the case learns why; someone
    else gets the plain not-found page and learns nothing."""
    Document.objects.filter(pk=clean_document.pk).update(scan_state=state)
    page = soup(employee_client.get(f"/{language}/documents/{clean_document.pk}/download/"))
    body = text(page.main)
    assert words in body
    assert 'Fiche "produit" é.pdf' in body
    confirmation = f"/{language}/documents/uploads/{clean_document.batch_id}/"
    assert page.main.find("a", href=confirmation)
    other = broker_client.get(f"/{language}/documents/{clean_document.pk}/download/")
    assert other.status_code == 404
    assert "produit" not in other.content.decode()


@pytest.mark.spec("DOC-4", "X-4")
def test_another_business_cannot_download(broker_client, clean_document, anonymous_client):
    assert broker_client.get(f"/en/documents/{clean_document.pk}/download/").status_code == 404
    response = anonymous_client.get(f"/en/documents/{clean_document.pk}/download/")
    assert response.status_code == 302 and "/account/" in response["Location"]


@pytest.mark.spec("DOC-5")
def test_case_documents_lists_a_case_of_one_business(clean_document):
    other_case = DocumentFactory(
        batch=UploadBatchFactory(program_account=clean_document.program_account, case_number="X1")
    )
    other_business = DocumentFactory()
    found = list(case_documents(business=clean_document.business, case_number="8000000683"))
    assert found == [clean_document]
    assert other_case not in found and other_business not in found


@pytest.mark.spec("DOC-5")
def test_staff_find_uploads_by_case_with_their_scan_state(staff_client, clean_document):
    infected = DocumentFactory(
        batch=clean_document.batch, scan_state="infected", original_name="bad.txt"
    )
    page = soup(staff_client.get("/admin/documents/document/?q=8000000683"))
    rows = [text(tr) for tr in page.select("#result_list tbody tr")]
    assert len(rows) == 2
    body = " ".join(rows)
    assert "Clean" in body and "Infected" in body
    links = [a["href"] for a in page.select("#result_list a") if a["href"].endswith("/download/")]
    assert links == [f"/admin/documents/document/{clean_document.pk}/download/"]
    assert staff_client.get(links[0]).status_code == 200
    assert staff_client.get(f"/admin/documents/document/{infected.pk}/download/").status_code == 404


@pytest.mark.spec("DOC-5")
def test_clients_cannot_use_the_admin_download(bam_client, clean_document):
    response = bam_client.get(f"/admin/documents/document/{clean_document.pk}/download/")
    assert response.status_code == 302


@pytest.mark.spec("DOC-5", "DOC-4")
def test_staff_rescan_action_puts_files_back_in_quarantine_and_scans_them(
    staff_client, clean_document, clamd, django_capture_on_commit_callbacks
):
    infected = DocumentFactory(
        batch=clean_document.batch, scan_state="infected", content=samples.pdf("x")
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/documents/document/",
            {"action": "rescan", "_selected_action": [infected.pk]},
            follow=True,
        )
    assert "1 document is back in quarantine and queued for a new scan." in text(
        soup(response).select_one("main, #content")
    )
    infected.refresh_from_db()
    assert infected.scan_state == "clean"  # its stored content is a clean PDF
    assert infected.scan_round == 2
    audit = AuditEntry.objects.get(action="documents.rescan")
    assert audit.actor == staff_client.user
    assert audit.changes["scan_state"] == ["infected", "pending"]


@pytest.mark.spec("DOC-5")
def test_documents_are_read_only_in_the_admin(staff_client, clean_document):
    page = soup(staff_client.get(f"/admin/documents/document/{clean_document.pk}/change/"))
    assert not page.select("input[name=scan_state], select[name=scan_state]")
    assert staff_client.get("/admin/documents/document/add/").status_code == 403


@pytest.mark.spec("DOC-5")
def test_rescan_command_by_state(clean_document, clamd, capsys, django_capture_on_commit_callbacks):
    infected = DocumentFactory(
        batch=clean_document.batch,
        scan_state="infected",
        content=samples.eicar(),
        original_name="e.txt",
        extension="txt",
    )
    call_command("rescan_documents", "--state", "infected", "--dry-run")
    assert "1 document(s) would be scanned again (dry run)." in capsys.readouterr().out
    infected.refresh_from_db()
    assert infected.scan_round == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rescan_documents", "--state", "infected")
    assert "1 document(s) queued for a new scan." in capsys.readouterr().out
    infected.refresh_from_db()
    assert (infected.scan_state, infected.scan_round) == ("infected", 2)
    clean_document.refresh_from_db()
    assert clean_document.scan_round == 1  # not chosen
