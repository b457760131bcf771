"""Fault rehearsals of the upload area (SPEC OPS-4, SEC-5, DOC-4): a transaction that
enqueued scans is rolled back (the real Redis queue receives nothing), and the disk under
MEDIA_ROOT, or under the upload directory, is full (a real tmpfs of a few kilobytes):
the upload is refused with a clear error and no partial file or row remains."""

import collections
import datetime
import os
import socket
import subprocess
import threading
import time

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from business.tests.factories import ProgramAccountFactory
from carm_portal.celery import app
from carm_portal.models import AuditEntry
from carm_portal.tasks import enqueue_on_commit
from documents import services, tasks
from documents.models import Document, UploadBatch
from documents.tests import samples
from documents.tests.conftest import choose, files_under, send
from notices.models import Notice
from notices.tests.conftest import smtp, smtp_server  # noqa: F401 - fixtures
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
    from tests.faults import OwnRedis

    broker = OwnRedis()  # its own: another test's cache.clear() empties the shared one
    broker.start()
    queue = f"test-fault-rollback-{os.getpid()}"
    client = redis.Redis.from_url(broker.url)

    class ToTheQueue:
        name = tasks.scan_document.name

        def delay(self, *args):
            with app.connection_for_write(broker.url) as conn:
                return app.send_task(self.name, args=args, queue=queue, connection=conn)

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
        broker.stop()
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


@pytest.fixture
def own_redis(settings):
    """A Redis of this test's own (cache and broker), that the test stops and starts."""
    from carm_portal.settings.base import redis_caches
    from tests.faults import OwnRedis

    server = OwnRedis()
    server.start()
    settings.REDIS_URL = server.url
    settings.CELERY_BROKER_URL = server.url
    settings.CACHES = redis_caches(server.url)
    yield server
    server.stop()


@pytest.mark.spec("OPS-4", "SEC-5", "DOC-4", "NOTE-4")
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_redis_down_people_sign_in_uploads_are_kept_and_scanned_and_notices_emailed_once(
    own_redis, clamd, category, importer_account, settings, monkeypatch, smtp,  # noqa: F811
):  # fmt: skip
    """Redis (cache and broker) is down for a while: people sign in and upload; the
    scans and emails that could not be queued are picked up by the sweepers once Redis
    is back: every file scanned, every email sent once."""
    from django.test import Client

    from accounts.tests.factories import PASSWORD, UserFactory
    from conftest import _client_for
    from delegation.models import Employment
    from delegation.tests.factories import EmploymentFactory
    from notices import tasks as notice_tasks

    def through_the_broker(task):
        class Send:
            name = task.name

            def delay(self, *args):  # through Redis (send_task is never eager)
                with app.connection_for_write(own_redis.url) as conn:
                    return app.send_task(
                        self.name, args=args, connection=conn, retry_policy={"max_retries": 0}
                    )

        return Send()

    monkeypatch.setattr(
        services,
        "_queue_scan",
        lambda pk: enqueue_on_commit(through_the_broker(tasks.scan_document), pk),
    )
    import notices.services as notice_services

    real_enqueue = notice_services.enqueue_on_commit
    monkeypatch.setattr(
        notice_services,
        "enqueue_on_commit",
        lambda task, *args: real_enqueue(through_the_broker(task), *args),
    )
    people = scale(5, 30)
    users = [
        EmploymentFactory(
            business=importer_account.business,
            role=Employment.Role.EDITOR,
            user=UserFactory(email_notices=True),
        ).user
        for _ in range(people)
    ]
    own_redis.stop()  # Redis is down
    attempted = failed = 0
    for user in users:
        browser = Client()
        browser.raise_request_exception = False
        response = browser.post(
            "/en/account/sign-in/", {"login": user.username, "password": PASSWORD}
        )
        attempted += 1
        signed_in = response.status_code == 302 and not response["Location"].startswith(
            "/en/account/sign-in/"
        )
        assert signed_in or response.status_code == 503  # at worst the try-again page
        failed += not signed_in
        browser = _client_for(user)  # the upload part of the journey goes on either way
        browser.raise_request_exception = False
        choose(browser, category)
        response = send(browser, [(f"{user.username}.pdf", samples.pdf(user.username))])
        attempted += 1
        failed += response.status_code != 302
    sign_in_failed = failed
    assert Document.objects.count() == people  # every upload kept, pending
    assert set(Document.objects.values_list("scan_state", flat=True)) == {"pending"}
    own_redis.start()  # Redis is back
    started = time.monotonic()
    settings.DOCUMENT_SCAN_REQUEUE_AFTER = 0
    settings.NOTICE_EMAIL_REQUEUE_AFTER = 0
    from notices.models import NoticeDelivery

    NoticeDelivery.objects.update(due_at=timezone.now() - datetime.timedelta(seconds=1))
    tasks.requeue_pending_scans.apply()  # the beat's sweepers, run here
    notice_tasks.requeue_notice_emails.apply()
    notice_tasks.requeue_notice_emails.apply()  # a second run sends nothing more
    recovered = time.monotonic() - started
    assert set(Document.objects.values_list("scan_state", flat=True)) == {"clean"}
    per_address = collections.Counter(m["X-Envelope-To"] for m in smtp.messages)
    assert set(per_address) == {u.email for u in users}  # the "documents received" notice
    assert set(per_address.values()) == {1}
    report(
        f"Redis down: {people} sign-ins and uploads",
        attempted=attempted,
        failed=failed,
        lost=people - Document.objects.filter(scan_state="clean").count(),
        recover_seconds=recovered,
    )
    assert sign_in_failed == 0  # SEC-5: people still sign in without Redis


class StallingGate:
    """A TCP relay to clamd that, while ``stalled``, accepts a connection and never
    answers: a scan hangs there, as in a real clamd that stopped mid-scan."""

    def __init__(self, clamd_url: str):
        from documents.tests.test_worker import Gate

        self.gate = Gate(clamd_url)
        self.stalled = True
        self.held = []

        def accept(server):
            while True:
                try:
                    client, _ = server.accept()
                except OSError:
                    return
                if self.stalled:
                    self.held.append(client)  # read nothing, answer nothing
                    continue
                upstream = socket.create_connection(self.gate.target)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=Gate._pump, args=(a, b), daemon=True).start()

        self.gate._accept = accept

    def release(self):
        self.stalled = False
        for sock in self.held:
            sock.close()


@pytest.mark.spec("OPS-4", "DOC-4", "NOTE-4")
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_worker_killed_mid_scan_the_scan_is_delivered_again_one_state_one_notice(
    clamd, storage_root, settings
):
    """SIGKILL while the worker waits for clamd's answer (acks_late: the message is
    not acknowledged): Redis delivers it again after the visibility timeout (5 s here,
    one hour in production) to another worker; one final state, one notice."""
    import signal
    import sys
    from pathlib import Path

    from django.db import connection

    from carm_portal.models import AuditEntry
    from documents.tests.factories import DocumentFactory
    from tests.faults import OwnRedis

    root = Path(__file__).resolve().parents[2]
    broker = OwnRedis()  # its own: another test's cache.clear() empties the shared one
    broker.start()
    gate = StallingGate(clamd)
    gate.gate.open()
    queue = f"test-fault-kill-{os.getpid()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "documents.tests.worker_settings",
        "DOCUMENTS_TEST_DATABASE": connection.settings_dict["NAME"],
        "DOCUMENTS_TEST_QUEUE": queue,
        "DOCUMENTS_TEST_MEDIA": str(storage_root),
        "DOCUMENTS_TEST_VISIBILITY": "5",
        "CLAMAV_URL": gate.gate.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": broker.url,
    }

    def worker():
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "carm_portal", "worker", "-Q", queue,
             "--pool", "solo", "-l", "warning", "--without-mingle", "--without-gossip"],
            cwd=root, env=env,
        )  # fmt: skip

    document = DocumentFactory(
        content=samples.eicar(),
        original_name="eicar.txt",
        extension="txt",
        content_type="text/plain",
    )
    first = worker()
    second = None
    try:
        with app.connection_for_write(broker.url) as conn:
            app.send_task(
                tasks.scan_document.name, args=[document.pk], queue=queue, connection=conn
            )
        from tests.faults import wait_until

        wait_until(lambda: Document.objects.get(pk=document.pk).scan_attempts == 1, 60)
        time.sleep(0.5)  # well inside the scan: clamd has the stream, no answer yet
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        gate.release()
        second = worker()
        started = time.monotonic()
        wait_until(lambda: Document.objects.get(pk=document.pk).scan_state != "pending", 90)
        recovered = time.monotonic() - started
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.terminate()
                process.wait(30)
        gate.gate.close()
        broker.stop()
    document.refresh_from_db()
    assert document.scan_state == "infected"
    assert document.scan_attempts == 2  # the killed attempt and the redelivered one
    assert AuditEntry.objects.filter(action="documents.scan").count() == 1
    assert Notice.objects.filter(type__code="document_rejected").count() == 1
    report(
        "worker killed (SIGKILL) mid-scan",
        attempted=1,
        failed=1,
        lost=0,
        recover_seconds=recovered,
    )
