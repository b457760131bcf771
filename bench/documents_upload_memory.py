"""Peak memory of the web process during a 10 x 15 MB upload (SPEC DOC-3). A script, not
a test.

    psql -h 127.0.0.1 -U postgres -c 'create database carm_docs_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/carm_docs_bench \\
    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/documents_upload_memory.py

It migrates a database of its own (its name must contain "bench"), creates a Business
Account Manager and a category, then starts the portal under gunicorn (one sync worker,
the production server) and, as a browser would, posts ten valid 15 MB PDFs in one
request to step 2 of *Upload a document*. It reads the worker process's resident memory
from /proc: the idle size after warm-up requests (one small upload included, so that
every module is loaded), then the peak (VmHWM, reset before the upload through
/proc/PID/clear_refs). The budget: the peak stays within 64 MB of the idle size. Scans
are queued to Redis for a worker (none consumes the bench's queue), as in production:
the web process only streams, checks and stores.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carm_portal.settings.test")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

MB = 1024 * 1024
FILES = 10
SIZE = 15 * MB
BUDGET = 64 * MB


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in bytes."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def setup() -> tuple[str, dict]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        sys.exit(f"the database's name must contain 'bench' (it is {name!r})")
    call_command("migrate", verbosity=0)

    from delegation.models import Employment
    from delegation.tests.factories import EmploymentFactory
    from documents.models import DocumentCategory
    from documents.views import SESSION_KEY
    from tests.clients import signed_in_client as _client_for

    category = DocumentCategory.objects.order_by("pk").first()
    from business.tests.factories import BusinessFactory, ProgramAccountFactory

    business = BusinessFactory(bn9=f"{uuid.uuid4().int % 10**9:09d}")  # a new one each run
    employment = EmploymentFactory(
        business=business,
        role=Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        user__username=f"bench-{uuid.uuid4().hex[:12]}",
    )
    ProgramAccountFactory(business=business)
    client = _client_for(employment.user)
    session = client.session
    session[SESSION_KEY] = {"category": category.pk, "case_number": "BENCH1"}
    session.save()
    return settings.SESSION_COOKIE_NAME + "=" + session.session_key, {
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
    }


def pdf_of(size: int, label: str) -> bytes:
    from documents.tests.samples import pdf

    return pdf(label, size=size)


class Portal:
    def __init__(self, port: int, cookie: str, names: dict):
        self.port = port
        self.cookie = cookie
        self.names = names
        self.csrf = ""

    def request(self, method: str, path: str, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        cookies = self.cookie + (f"; {self.names['csrf_cookie']}={self.csrf}" if self.csrf else "")
        connection.request(method, path, body=body, headers={"Cookie": cookies, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith(self.names["csrf_cookie"] + "="):
                self.csrf = value.split(";")[0].split("=", 1)[1]
        connection.close()
        return response.status, data

    def step_2(self) -> str:
        status, page = self.request("GET", "/en/documents/upload/files/")
        assert status == 200, status
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()

    def upload(self, files: list[tuple[str, bytes]]) -> tuple[int, bytes]:
        token = self.step_2()
        boundary = f"----bench{uuid.uuid4().hex}"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f"{token}\r\n"
        ).encode()
        parts = [head]
        for name, content in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            )
            parts.append(content)
            parts.append(b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        length = sum(len(p) for p in parts)
        return self.request(
            "POST",
            "/en/documents/upload/files/",
            body=iter(parts),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(length),
                "Referer": f"http://127.0.0.1:{self.port}/en/documents/upload/files/",
            },
        )


def main() -> int:
    cookie, names = setup()
    port = free_port()
    media = tempfile.mkdtemp(prefix="carm-bench-media-")
    env = {**os.environ, "MEDIA_ROOT": media, "CLAMAV_URL": "tcp://127.0.0.1:1"}
    env["PYTHONPATH"] = str(ROOT)
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "carm_portal.wsgi", "--workers", "1",
         "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--timeout", "300",
         "--log-level", "warning"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "bench.documents_settings"},
    )  # fmt: skip
    try:
        pid = worker_pid(server.pid)
        portal = Portal(port, cookie, names)
        for _ in range(50):
            try:
                portal.step_2()
                break
            except (ConnectionError, OSError):
                time.sleep(0.2)
        log(f"gunicorn worker {pid} (storage {media})")
        # Warm-up: pages and one small upload load every module the upload needs.
        for _ in range(3):
            portal.step_2()
        status, _ = portal.upload([("warm-up.pdf", pdf_of(200_000, "warm up"))])
        assert status == 302, status
        _reset_step_1(cookie.split("=", 1)[1])

        files = [(f"sheet-{n:02d}.pdf", pdf_of(SIZE, f"sheet {n}")) for n in range(1, FILES + 1)]
        assert all(len(content) == SIZE for _, content in files)
        time.sleep(0.5)
        idle = memory(pid)["VmRSS"]
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak (VmHWM) to now
        started = time.monotonic()
        status, _ = portal.upload(files)
        elapsed = time.monotonic() - started
        peak = memory(pid)["VmHWM"]
        assert status == 302, f"upload answered {status}"
        stored = sum(len(f) for _, _, f in os.walk(media))
        log(
            f"upload of {FILES} x {SIZE // MB} MB: {status} in {elapsed:.1f} s, {stored} files stored"
        )
        log(f"web process idle: {idle / MB:.1f} MB, peak during the upload: {peak / MB:.1f} MB")
        log(f"peak - idle = {(peak - idle) / MB:.1f} MB (budget {BUDGET // MB} MB)")
        return 0 if peak - idle <= BUDGET else 1
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        _purge_queue()
        shutil.rmtree(media, ignore_errors=True)


def _purge_queue() -> None:
    """Drop the scans the bench queued (nobody is meant to run them)."""
    from carm_portal.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("bench-documents")


def _reset_step_1(session_key: str) -> None:
    """Step 1 again (the warm-up upload consumed it), straight into the session."""
    from django.contrib.sessions.backends.db import SessionStore

    from documents.models import DocumentCategory
    from documents.views import SESSION_KEY

    store = SessionStore(session_key=session_key)
    store[SESSION_KEY] = {
        "category": DocumentCategory.objects.order_by("pk").first().pk,
        "case_number": "BENCH1",
    }
    store.save()


if __name__ == "__main__":
    if "--smoke" in sys.argv[1:]:  # a tiny scale so that CI keeps it working
        FILES, SIZE = 2, 2 * MB
    if urlparse(os.environ.get("DATABASE_URL", "")).path.strip("/") == "":
        sys.exit("set DATABASE_URL to a database whose name contains 'bench'")
    sys.exit(main())
