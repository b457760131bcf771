"""The background scan with the real clamd and a test signature generated at run time
(DOC-4): infected files stay quarantined, nothing is marked clean without clamd, nothing
is lost when clamd or Redis is down, and a task delivered twice writes once."""

import logging

import pytest
from django.core.files.storage import default_storage

from carm_portal.celery import app
from carm_portal.models import AuditEntry
from carm_portal.tasks import enqueue_on_commit
from documents import services, tasks
from documents.models import Document
from documents.tests import samples
from documents.tests.conftest import CASE, choose, closed_port, send
from notices.models import Notice
from tests.html import soup, text

pytestmark = pytest.mark.django_db


def upload(client, files, capture, language="en"):
    with capture(execute=True):
        return send(client, files, language=language)


@pytest.mark.spec("DOC-4", "NOTE-4")
@pytest.mark.parametrize(
    ("name", "content"), [("eicar.txt", samples.eicar), ("eicar.docx", samples.eicar_docx)]
)
def test_eicar_ends_infected_quarantined_and_the_uploader_is_told(
    bam_client, category, clamd, name, content, django_capture_on_commit_callbacks
):
    choose(bam_client, category)
    response = upload(bam_client, [(name, content())], django_capture_on_commit_callbacks)
    document = Document.objects.get()
    assert document.scan_state == "infected"
    assert "EICAR" in document.scan_result.upper()
    assert default_storage.exists(document.storage_name)  # kept, in quarantine
    assert bam_client.get(f"/en/documents/{document.pk}/download/").status_code == 404
    page = soup(bam_client.get(response["Location"]))
    row = text(page.select_one("table tbody tr"))
    assert "Infected" in row and "A virus was found" in row
    assert not page.select("table a")  # no download link
    notice = Notice.objects.get(type__code="document_rejected")
    assert notice.subject_en == f"A document for case {CASE} was rejected"
    assert "A virus was found in it." in notice.body_en
    assert name in notice.body_en
    assert notice.recipients.get().user == bam_client.user


@pytest.mark.spec("DOC-4")
def test_clamd_unreachable_leaves_the_file_pending_the_page_says_why_then_it_is_scanned(
    bam_client, category, clamd, settings, django_capture_on_commit_callbacks
):
    real = settings.CLAMAV_URL
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{closed_port()}"
    choose(bam_client, category)
    response = upload(
        bam_client, [("sheet.pdf", samples.pdf())], django_capture_on_commit_callbacks
    )
    document = Document.objects.get()
    assert document.scan_state == "pending"  # never clean without clamd's answer
    assert document.scan_attempts == 1 and "ClamdUnavailable" in document.scan_error
    assert bam_client.get(f"/en/documents/{document.pk}/download/").status_code == 404
    for language, words in [
        ("en", "Virus scanning is not available at the moment"),
        ("fr", "L'analyse antivirus n'est pas disponible pour le moment"),
    ]:
        page = soup(bam_client.get(response["Location"].replace("/en/", f"/{language}/")))
        assert words in text(page.select_one("#quarantine-reason"))
    # The beat finds it once its time has come, and clamd is back.
    settings.CLAMAV_URL = real
    settings.DOCUMENT_SCAN_REQUEUE_AFTER = 0
    assert tasks.requeue_pending_scans.delay().get() == 1
    document.refresh_from_db()
    assert document.scan_state == "clean"
    assert document.scan_attempts == 2
    assert bam_client.get(f"/en/documents/{document.pk}/download/").status_code == 200


@pytest.mark.spec("DOC-4")
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_redis_unreachable_during_upload_the_upload_succeeds_and_is_scanned_later(
    bam_client, category, clamd, settings, monkeypatch, caplog,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """The broker really refuses the connection (a Redis address where nothing listens):
    the task is not queued, the upload is kept (pending), the periodic task scans it."""
    unreachable = app.connection_for_write(f"redis://127.0.0.1:{closed_port()}/0")

    class ThroughTheUnreachableBroker:
        name = tasks.scan_document.name

        def delay(self, *args):  # send_task never runs eagerly: it needs the broker
            return app.send_task(
                self.name, args=args, connection=unreachable, retry_policy={"max_retries": 1}
            )

    monkeypatch.setattr(
        services, "_queue_scan", lambda pk: enqueue_on_commit(ThroughTheUnreachableBroker(), pk)
    )
    choose(bam_client, category)
    with caplog.at_level(logging.ERROR):
        response = upload(
            bam_client, [("sheet.pdf", samples.pdf())], django_capture_on_commit_callbacks
        )
    assert response.status_code == 302
    assert "broker unreachable: documents.scan_document not queued" in caplog.text
    document = Document.objects.get()
    assert document.scan_state == "pending" and document.scan_attempts == 0
    monkeypatch.undo()
    settings.DOCUMENT_SCAN_REQUEUE_AFTER = 0
    tasks.requeue_pending_scans.delay()
    document.refresh_from_db()
    assert document.scan_state == "clean"


@pytest.mark.spec("DOC-4", "NOTE-4")
def test_a_task_delivered_twice_writes_one_final_state_and_one_notice(
    bam_client, category, clamd, django_capture_on_commit_callbacks
):
    choose(bam_client, category)
    upload(bam_client, [("eicar.txt", samples.eicar())], django_capture_on_commit_callbacks)
    document = Document.objects.get()
    assert document.scan_state == "infected"
    assert tasks.scan_document.delay(document.pk).get() == "already scanned"
    assert services.document_scan(document_id=document.pk) == "already scanned"
    assert AuditEntry.objects.filter(action="documents.scan").count() == 1
    assert Notice.objects.filter(type__code="document_rejected").count() == 1


@pytest.mark.spec("DOC-4")
def test_the_final_state_is_written_once_even_when_two_scans_finish(clamd, db):
    """Two workers scanned the same file (the first one died before acknowledging): the
    second finds the row done under its lock and writes nothing."""
    from documents.tests.factories import DocumentFactory

    document = DocumentFactory(content=samples.eicar(), original_name="a.txt", extension="txt")
    first = services._finish_scan(
        document_id=document.pk, scan_round=1, infected="Eicar", mismatch=None
    )
    second = services._finish_scan(
        document_id=document.pk, scan_round=1, infected=None, mismatch=None
    )
    assert (first, second) == ("infected", "already scanned")
    document.refresh_from_db()
    assert document.scan_state == "infected"
    assert Notice.objects.filter(type__code="document_rejected").count() == 1


@pytest.mark.spec("DOC-4")
def test_a_stored_file_whose_content_changed_type_ends_type_mismatch(clamd, db):
    from documents.tests.factories import DocumentFactory

    document = DocumentFactory(content=samples.html(), original_name="page.pdf")
    assert services.document_scan(document_id=document.pk) == "type_mismatch"
    document.refresh_from_db()
    assert document.scan_result.startswith("content")
    notice = Notice.objects.get(type__code="document_rejected")
    assert "does not match an accepted file type" in notice.body_en


@pytest.mark.spec("DOC-4")
def test_retry_delays_grow_and_stop_at_a_ceiling(settings):
    settings.DOCUMENT_SCAN_RETRY_BASE = 30
    settings.DOCUMENT_SCAN_RETRY_MAX = 1800
    assert [tasks.retry_delay(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1800, 1800]


@pytest.mark.spec("DOC-4")
def test_the_scan_task_is_idempotent_and_acks_late():
    assert tasks.scan_document.acks_late is True
    assert tasks.scan_document.reject_on_worker_lost is True
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["documents-requeue-scans"]["task"] == (
        "documents.requeue_pending_scans"
    )
