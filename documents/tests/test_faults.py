"""Fault rehearsals of the upload area (SPEC OPS-4, SEC-5, DOC-4): a transaction that
enqueued scans is rolled back (the real Redis queue receives nothing), and the disk under
MEDIA_ROOT, or under the upload directory, is full (a real tmpfs of a few kilobytes):
the upload is refused with a clear error and no partial file or row remains."""

import os
import subprocess
import time

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from business.tests.factories import ProgramAccountFactory
from carm_portal.celery import app
from carm_portal.models import AuditEntry
from carm_portal.tasks import enqueue_on_commit
from documents import services, tasks
from documents.models import Document, UploadBatch
from documents.tests import samples
from documents.tests.conftest import choose, files_under, send
from notices.models import Notice
from tests.faults import report, scale
from tests.html import soup, text

pytestmark = [pytest.mark.faults]


class Rollback(Exception):
    pass


@pytest.mark.spec("OPS-4", "DOC-4")
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_rolled_back_transaction_that_enqueued_scans_never_runs_them(
    settings, monkeypatch, category, storage_root
):
    """Scans are sent to the real Redis only after the commit: a rolled-back upload puts
    no message on the queue (so no worker can ever run it) and leaves no file."""
    queue = f"test-fault-rollback-{os.getpid()}"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(queue)

    class ToTheQueue:
        name = tasks.scan_document.name

        def delay(self, *args):
            return app.send_task(self.name, args=args, queue=queue)

    monkeypatch.setattr(services, "_queue_scan", lambda pk: enqueue_on_commit(ToTheQueue(), pk))
    account = ProgramAccountFactory()
    from accounts.tests.factories import UserFactory

    uploader = UserFactory()
    rounds = scale(10, 100)

    def upload(name):
        return services.upload_batch_create(
            uploaded_by=uploader,
            program_account=account,
            category=category,
            case_number="8000000683",
            files=[(SimpleUploadedFile(name, samples.pdf()), "application/pdf")],
        )

    try:
        for n in range(rounds):
            with pytest.raises(Rollback), transaction.atomic():
                upload(f"rolled-back-{n}.pdf")
                raise Rollback
        assert client.llen(queue) == 0  # nothing was ever sent
        assert not Document.objects.exists() and not UploadBatch.objects.exists()
        assert not AuditEntry.objects.filter(action="documents.upload").exists()
        assert not Notice.objects.exists()
        upload("committed.pdf")  # the control: a commit sends its scan
        assert client.llen(queue) == 1
        # The files the rolled-back uploads stored are orphans; the daily sweep deletes
        # them (those older than a day; here: all), never the committed one.
        assert len(files_under(storage_root)) == rounds + 1
        deleted = services.document_storage_orphans_delete(older_than=0)
        assert len(deleted) == rounds
        assert files_under(storage_root) == [Document.objects.get().storage_name]
    finally:
        client.delete(queue)
    report(
        "transaction rolled back after enqueueing",
        attempted=rounds,
        failed=0,
        lost=0,
        recover_seconds=0,
    )


@pytest.fixture
def tiny_disk(tmp_path):
    """A real tmpfs of 64 KiB (root only): writes past it fail with ENOSPC."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs: {done.stderr!r}")
        pytest.skip("mounting a tmpfs needs root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.spec("OPS-4", "SEC-5", "DOC-3")
@pytest.mark.django_db
@pytest.mark.parametrize("full", ["MEDIA_ROOT", "FILE_UPLOAD_TEMP_DIR"])
def test_a_full_disk_refuses_the_upload_clearly_and_keeps_nothing(
    bam_client, category, settings, tiny_disk, storage_root, full,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    if full == "MEDIA_ROOT":
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tiny_disk), "base_url": None},
            },
        }
        settings.MEDIA_ROOT = str(tiny_disk)
    else:
        settings.FILE_UPLOAD_TEMP_DIR = str(tiny_disk)
    files = [(f"sheet-{n}.pdf", samples.pdf(f"sheet {n}", size=30_000)) for n in range(3)]
    choose(bam_client, category)
    attempted = failed = 0
    for language, words in [
        ("en", "The portal cannot store files at the moment. Nothing from this upload was kept."),
        ("fr", "Le portail ne peut pas enregistrer de fichiers pour le moment."),
    ]:
        with django_capture_on_commit_callbacks(execute=True):
            response = send(bam_client, files, language=language)
        attempted += 1
        assert response.status_code == 503
        failed += 1
        page = soup(response)
        assert words in text(page.select_one("main"))
        assert "Traceback" not in response.content.decode()
    # Nothing half-written: no row, no stored file, no notice, no audit entry.
    assert not Document.objects.exists() and not UploadBatch.objects.exists()
    assert files_under(tiny_disk) == [] and files_under(storage_root) == []
    assert not Notice.objects.exists()
    assert not AuditEntry.objects.filter(action="documents.upload").exists()
    # Space again: the same upload goes through at once.
    started = time.monotonic()
    subprocess.run(["umount", "-l", str(tiny_disk)], check=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(bam_client, files)
    assert response.status_code == 302
    assert Document.objects.count() == 3
    report(
        f"disk full under {full} during an upload",
        attempted=attempted,
        failed=failed,
        lost=0,
        recover_seconds=time.monotonic() - started,
    )
