"""A real Celery worker, the real Redis and the real clamd (DOC-4, ADR 0010): clamd out
of reach leaves the file pending while the worker retries with backoff, and the file is
scanned once clamd is back; the same task delivered twice writes one state, one notice.

clamd is reached through a gate of this test (a TCP relay on loopback) that the test
closes and opens: the scanner is the real daemon, only the way to it is cut.
"""

import contextlib
import os
import socket
import threading
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.db import connection

from carm_portal.celery import app
from carm_portal.models import AuditEntry
from carm_portal.tasks import HEARTBEAT_KEY, enqueue_on_commit, worker_heartbeat
from documents import services, tasks
from documents.models import Document
from documents.tests import samples
from documents.tests.conftest import choose, closed_port, send
from notices.models import Notice
from tests.worker import wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


class Gate:
    """A TCP relay from a loopback port to clamd; closed, the port refuses connections."""

    def __init__(self, target: str):
        parsed = urlparse(target)
        self.target = (parsed.hostname, parsed.port or 3310)
        self.port = closed_port()
        self.server = None

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def open(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def close(self) -> None:
        if self.server:
            self.server.close()
            self.server = None

    def _accept(self, server) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def worker(storage_root, clamd, monkeypatch, real_worker):
    gate = Gate(clamd)
    queue = f"test-documents-{os.getpid()}"
    process = real_worker(
        "test-documents",
        settings_module="documents.tests.worker_settings",
        env={
            "DOCUMENTS_TEST_DATABASE": connection.settings_dict["NAME"],
            "DOCUMENTS_TEST_QUEUE": queue,
            "DOCUMENTS_TEST_MEDIA": str(storage_root),
            "CLAMAV_URL": gate.url,
        },
    )

    class ToTheWorker:
        name = tasks.scan_document.name

        def delay(self, *args):  # through Redis to the worker (send_task is never eager)
            return app.send_task(self.name, args=args, queue=queue)

    monkeypatch.setattr(services, "_queue_scan", lambda pk: enqueue_on_commit(ToTheWorker(), pk))
    process.gate = gate
    process.queue = queue
    try:
        yield process
    finally:
        gate.close()


@pytest.mark.spec("DOC-4")
def test_clamd_out_of_reach_the_worker_retries_then_scans_once_it_is_back(
    worker, bam_client, category
):
    choose(bam_client, category)
    send(bam_client, [("sheet.pdf", samples.pdf())])
    document = Document.objects.get()

    def attempts():
        document.refresh_from_db()
        return document.scan_attempts

    wait_for(lambda: attempts() >= 2, worker)  # tried, failed, retried after its backoff
    assert document.scan_state == "pending"
    assert "ClamdUnavailable" in document.scan_error
    worker.gate.open()
    wait_for(lambda: Document.objects.get().scan_state == "clean", worker)
    document.refresh_from_db()
    assert document.scan_error == ""
    assert AuditEntry.objects.filter(action="documents.scan").count() == 1


@pytest.mark.spec("DOC-4", "NOTE-4")
def test_the_same_task_delivered_twice_one_state_one_notice(worker, bam_client, category):
    worker.gate.open()
    choose(bam_client, category)
    send(bam_client, [("eicar.txt", samples.eicar())])
    document = Document.objects.get()
    wait_for(lambda: Document.objects.get().scan_state == "infected", worker)
    # The broker delivers it again (twice): nothing more is written or sent.
    for _ in range(2):
        app.send_task(tasks.scan_document.name, args=[document.pk], queue=worker.queue)
    cache.delete(HEARTBEAT_KEY)
    app.send_task(worker_heartbeat.name, queue=worker.queue)  # runs after them (solo pool)
    wait_for(lambda: cache.get(HEARTBEAT_KEY) is not None, worker)
    assert AuditEntry.objects.filter(action="documents.scan").count() == 1
    assert Notice.objects.filter(type__code="document_rejected").count() == 1
    assert Document.objects.get().scan_state == "infected"
