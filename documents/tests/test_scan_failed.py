"""The terminal *scan failed* state (OPS-4, SEC-5, DOC-4, NOTE-4): with clamd down, an
upload waits (an hour of simulated time: still pending, counted late in /healthz, then
scanned once clamd is back); past DOCUMENT_SCAN_GIVE_UP_AFTER it becomes *scan failed*:
never served, audited, the uploader asked in both languages to upload again, operators
see it in the admin and /healthz, and ``rescan_documents --state scan_failed`` brings it
back to pending. The clock is moved by rewriting ``pending_since``, the scanner is the
real clamd (or a closed port where clamd is "down")."""

import datetime
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from carm_portal.models import AuditEntry
from documents import tasks
from documents.models import Document
from documents.tests import samples
from documents.tests.conftest import choose, closed_port, send
from notices.models import Notice
from tests.faults import report
from tests.html import soup, text

pytestmark = pytest.mark.django_db


def age(document: Document, **delta) -> None:
    """Simulated time: the document has been pending for ``delta``."""
    Document.objects.filter(pk=document.pk).update(
        pending_since=timezone.now() - datetime.timedelta(**delta)
    )


@pytest.fixture
def clamd_down(settings, clamd):
    real = settings.CLAMAV_URL
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{closed_port()}"
    settings.HEALTH_REQUIRED = ["database", "redis"]

    def back():
        settings.CLAMAV_URL = real

    return back


@pytest.fixture
def waiting(bam_client, category, clamd_down, django_capture_on_commit_callbacks):
    choose(bam_client, category)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(bam_client, [("sheet.pdf", samples.pdf())])
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.scan_state == "pending"
    return document


@pytest.mark.faults
@pytest.mark.spec("OPS-4", "SEC-5", "DOC-4")
def test_clamav_down_for_an_hour_the_upload_waits_is_counted_late_then_is_scanned(
    bam_client, client, waiting, clamd_down, settings
):
    age(waiting, minutes=61)
    settings.DOCUMENT_SCAN_REQUEUE_AFTER = 0
    assert tasks.requeue_pending_scans.delay().get() == 1  # tried again, clamd still down
    waiting.refresh_from_db()
    assert waiting.scan_state == "pending"  # an hour is far from the limit: it waits
    scans = client.get("/healthz").json()["scans"]
    assert scans["pending"] == 1 and scans["pending_over_hour"] == 1
    assert scans["oldest_pending_seconds"] >= 61 * 60
    assert bam_client.get(f"/en/documents/{waiting.pk}/download/").status_code == 404
    clamd_down()  # clamd is back
    started = time.monotonic()
    tasks.requeue_pending_scans.delay()
    waiting.refresh_from_db()
    assert waiting.scan_state == "clean"
    report(
        "ClamAV down for an hour (simulated)",
        attempted=1,
        failed=0,
        lost=0,
        recover_seconds=time.monotonic() - started,
    )
    assert client.get("/healthz").json()["scans"]["pending_over_hour"] == 0
    assert not Notice.objects.filter(type__code="document_rejected").exists()


@pytest.mark.faults
@pytest.mark.spec("OPS-4", "SEC-5", "DOC-4", "NOTE-4")
def test_clamav_down_past_the_limit_scan_failed_never_served_told_audited_and_rescanned(
    bam_client, staff_client, client, waiting, clamd_down, settings, capsys,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.DOCUMENT_SCAN_REQUEUE_AFTER = 0
    age(waiting, hours=23, minutes=59)
    tasks.requeue_pending_scans.delay()
    waiting.refresh_from_db()
    assert waiting.scan_state == "pending"  # not yet
    age(waiting, hours=24, minutes=1)
    tasks.requeue_pending_scans.delay()
    tasks.requeue_pending_scans.delay()  # the beat runs again: nothing twice
    waiting.refresh_from_db()
    assert waiting.scan_state == "scan_failed"
    assert "ClamdUnavailable" in waiting.scan_result

    # Never served, to the uploader or to CBSA staff.
    assert bam_client.get(f"/en/documents/{waiting.pk}/download/").status_code == 404
    admin_download = f"/admin/documents/document/{waiting.pk}/download/"
    assert staff_client.get(admin_download).status_code == 404

    # One bilingual notice asking to upload again; one audit entry.
    notice = Notice.objects.get(type__code="document_rejected")
    assert "Please upload it again." in notice.body_en
    assert "could not be scanned for viruses in time" in notice.body_en
    assert "Veuillez le télécharger de nouveau." in notice.body_fr
    assert "sheet.pdf" in notice.body_fr
    assert notice.recipients.get().user == bam_client.user
    entry = AuditEntry.objects.get(action="documents.scan_failed")
    assert entry.changes["scan_state"] == ["pending", "scan_failed"]
    assert entry.changes["document"] == waiting.pk

    # Operators: the admin filter and /healthz.
    page = soup(staff_client.get("/admin/documents/document/?scan_state__exact=scan_failed"))
    rows = [text(tr) for tr in page.select("#result_list tbody tr")]
    assert len(rows) == 1 and "Scan failed" in rows[0]
    scans = client.get("/healthz").json()["scans"]
    assert scans["scan_failed"] == 1 and scans["pending"] == 0
    fr = soup(bam_client.get(f"/fr/documents/{waiting.pk}/download/"))
    assert "veuillez le télécharger de nouveau" in text(fr.select_one("main"))

    # Back to pending with the command, scanned once clamd is back.
    clamd_down()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rescan_documents", "--state", "scan_failed")
    assert "1 document(s) queued for a new scan." in capsys.readouterr().out
    waiting.refresh_from_db()
    assert (waiting.scan_state, waiting.scan_round) == ("clean", 2)
    assert timezone.now() - waiting.pending_since < datetime.timedelta(minutes=1)
    report(
        "ClamAV down past the 24 h limit (simulated): scan failed, then rescanned",
        attempted=1,
        failed=1,
        lost=0,
        recover_seconds=time.monotonic() - started,
    )
    rescan = AuditEntry.objects.get(action="documents.rescan")
    assert rescan.changes["scan_state"] == ["scan_failed", "pending"]
    assert Notice.objects.filter(type__code="document_rejected").count() == 1


@pytest.mark.spec("OPS-4", "DOC-4")
def test_a_scan_that_finishes_first_wins_over_giving_up(waiting, clamd_down, settings):
    """The sweeper and a late scan race: whichever locks the row first writes, once."""
    from documents import services

    clamd_down()
    assert services.document_scan(document_id=waiting.pk) == "clean"
    age(waiting, hours=25)
    assert services.document_scan_give_up(document_id=waiting.pk) is False
    waiting.refresh_from_db()
    assert waiting.scan_state == "clean"
