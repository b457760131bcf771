#!/usr/bin/env python3
"""OPS-3: a multi-node rehearsal on one machine, under load. A script, not a test.

    apt-get install haproxy clamav-daemon           # Debian packages (once)
    make rehearsal                                   # or, with the tools venv made:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/carm \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python scripts/rehearsal.py

What it starts, all on loopback (127.0.0.1), all stopped when it ends:
- two gunicorn nodes with the production settings and the image's own command line (read
  from the Dockerfile's CMD, bound to 127.0.0.1), two workers each;
- HAProxy (Debian's) in front, terminating TLS with a throwaway self-signed certificate:
  health checks on /healthz every 2 seconds, retries with redispatch to the other node for
  connection failures, and for empty responses, timeouts and 502/503/504 on idempotent
  requests (HAProxy never replays a POST that reached a node);
- two Celery workers consuming every queue;
- the machine's PostgreSQL (a database of its own, `<name>_rehearsal`, made afresh) and
  Redis (the database of REDIS_URL, flushed first);
- uploads stored through django-storages' S3 backend against moto's server mode: moto
  STANDS IN FOR REAL S3 here (same API, in memory, no durability); nothing leaves the
  machine.

Scenarios, each with a figure (requests sent, failed, p50/p95, data lost):
1. a person signs in through the balancer and keeps their session on whichever node
   answers (both nodes must answer);
2. a file uploaded through node A is scanned by a worker and downloaded through node B,
   byte for byte;
3. signed-in importers and brokers (locust, headless, bounded in users, time and
   requests) browse home, notices, transactions and the calculator while node A is
   killed with SIGKILL (and started again); an uploader sends a file every second;
4. the same load during a rolling restart: each node in turn is drained at the balancer
   (as a readiness probe failing would), sent SIGTERM, started again, and put back;
5. requests per second per web worker on home, notices and transactions (one node, one
   client thread per gunicorn worker, through the balancer).
Data lost: uploads acknowledged by the portal (its confirmation page) whose row, object
in S3 or scan verdict is missing at the end. It prints a table and exits 0 when no data
was lost, 1 otherwise. 5 to 8 minutes; the load is modest (2 cores are shared).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from validate_compose import dockerfile_instructions  # noqa: E402

WORK = ROOT / ".local" / "rehearsal"
PYTHON = sys.executable
TOOLS = ROOT / ".venv-rehearsal" / "bin"
HOST = "127.0.0.1"  # loopback only: every process binds here, every request goes here
LB_PORT = int(os.environ.get("REHEARSAL_PORT", "18443"))
NODE_PORTS = {"a": LB_PORT + 1, "b": LB_PORT + 2}
S3_PORT = LB_PORT + 3
BASE = f"https://localhost:{LB_PORT}"
BUCKET = "carm-rehearsal"
WEB_WORKERS = 2  # gunicorn workers per node
PAGES = {
    "home": "/en/portal/home/",
    "notices": "/en/notices/",
    "transactions": "/en/finance/transactions/",
    "calculator": "/en/calculator/",
}


def say(message: str) -> None:
    print(f"rehearsal: {message}", flush=True)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def wait_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {HOST}:{port} after {seconds}s")


# ---- the cluster -------------------------------------------------------------------------


class Cluster:
    def __init__(self, database_url: str, redis_url: str, clamav_url: str):
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: list = []
        from cryptography.fernet import Fernet

        self.env = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")},
            "PATH": f"{Path(PYTHON).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "DJANGO_SETTINGS_MODULE": "carm_portal.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PAD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": BASE,
            "PORTAL_URL": BASE,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CLAMAV_URL": clamav_url,
            "EMAIL_URL": "consolemail://",
            "HEALTH_REQUIRED": "database,redis,clamav",
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": f"http://{HOST}:{S3_PORT}",
            "AWS_S3_REGION_NAME": "ca-central-1",
            "AWS_ACCESS_KEY_ID": "rehearsal",
            "AWS_SECRET_ACCESS_KEY": "rehearsal-not-a-secret",
            "FILE_UPLOAD_TEMP_DIR": str(WORK / "uploads"),
            "PYTHONPATH": str(ROOT),
        }

    def log(self, name: str):
        handle = open(WORK / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.logs.append(handle)
        return handle

    def start(self, name: str, command: list[str], env: dict | None = None) -> None:
        log = self.log(name)
        self.processes[name] = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env or self.env, stdout=log, stderr=log, start_new_session=True
        )

    def manage(self, *args: str, settings: str | None = None) -> None:
        env = {**self.env, "DJANGO_SETTINGS_MODULE": settings} if settings else self.env
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=self.log("setup")
        )

    def node_command(self, name: str) -> list[str]:
        """The image's CMD (its access-log format included), bound to loopback."""
        instructions = dockerfile_instructions((ROOT / "Dockerfile").read_text())
        words = json.loads([a for i, a in instructions if i == "CMD"][-1])
        words[words.index("--bind") + 1] = f"{HOST}:{NODE_PORTS[name]}"
        return [PYTHON, "-m", *words, "--workers", str(WEB_WORKERS), "--timeout", "30",
                "--graceful-timeout", "20",
                "--control-socket", str(WORK / f"node-{name}.ctl")]  # fmt: skip

    def start_node(self, name: str) -> None:
        self.start(f"node-{name}", self.node_command(name))
        wait_port(NODE_PORTS[name])
        # Warm each worker (imports, first connections) before the balancer sends load.
        import requests

        for _ in range(WEB_WORKERS * 2):
            with contextlib.suppress(requests.RequestException):
                requests.get(
                    f"http://{HOST}:{NODE_PORTS[name]}/healthz",
                    headers={"Host": "localhost", "X-Forwarded-Proto": "https"},
                    timeout=30,
                )

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        for handle in self.logs:
            handle.close()

    def haproxy(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(WORK / "haproxy.sock"))
            s.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def balancer_counters(self) -> dict[str, int]:
        """The backend's retries, redispatches and errors (HAProxy's `show stat`)."""
        header, *rows = self.haproxy("show stat").splitlines()
        columns = header.lstrip("# ").split(",")
        row = dict(
            zip(
                columns,
                next(r for r in rows if r.startswith("nodes,BACKEND,")).split(","),
                strict=False,
            )
        )
        return {k: int(row[k] or 0) for k in ("wretr", "wredis", "econ", "eresp")}

    def node_up(self, name: str) -> bool:
        stat = self.haproxy("show stat")
        row = next(r for r in stat.splitlines() if r.startswith(f"nodes,{name},"))
        return row.split(",")[17].startswith("UP")


HAPROXY_CFG = """
global
    maxconn 512
    stats socket {work}/haproxy.sock mode 600 level admin
    ssl-default-bind-options ssl-min-ver TLSv1.2

defaults
    mode http
    timeout connect 2s
    timeout client 40s
    timeout server 35s
    timeout http-request 10s
    # A node's sync workers may all be busy: the check waits its turn, up to 5 s.
    timeout check 5s
    # Retries: a connection refused or reset goes to the other node (redispatch); an empty
    # response, a time-out or a 502/503/504 is retried only for idempotent requests (HAProxy
    # never replays a POST that reached a node).
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout 502 503 504
    option http-server-close

frontend portal
    bind {host}:{lb_port} ssl crt {work}/tls.pem
    http-request set-header X-Forwarded-Proto https
    http-response set-header X-Rehearsal-Node %[srv_name]
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost hdr X-Forwarded-Proto https
    http-check expect status 200
    # Scenario 2 sends a request to a chosen node with X-Rehearsal-Node: a or b.
    use-server a if {{ req.hdr(X-Rehearsal-Node) -m str a }}
    use-server b if {{ req.hdr(X-Rehearsal-Node) -m str b }}
    server a {host}:{port_a} check inter 2s fall 3 rise 2
    server b {host}:{port_b} check inter 2s fall 3 rise 2
"""


def make_certificate() -> None:
    key, crt = WORK / "tls.key", WORK / "tls.crt"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S607
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(crt)],
        check=True, capture_output=True,
    )  # fmt: skip
    (WORK / "tls.pem").write_bytes(crt.read_bytes() + key.read_bytes())


def rehearsal_database(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "carm"
    if not name.endswith("_rehearsal"):
        name += "_rehearsal"
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    assert name.endswith("_rehearsal"), name
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# ---- a person at the balancer -------------------------------------------------------------


def new_session():
    import requests

    session = requests.Session()
    session.trust_env = False  # no proxy, no CA bundle from the environment: loopback only
    session.verify = False  # the throwaway self-signed certificate, on loopback
    session.headers["Referer"] = BASE + "/"
    return session


def csrf_token(response) -> str:
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    if not m:
        raise RuntimeError(f"no CSRF token in {response.url} ({response.status_code})")
    return m.group(1)


def totp(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    key = base64.b32decode(secret)
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


SECRETS: dict[str, str] = {}  # username -> authenticator secret (rehearsal_people)
_LAST_WINDOW: dict[str, int] = {}


def sign_in(session, username: str, password: str) -> None:
    """The whole GCKey journey: password, authenticator code, terms of use (SIGN-7)."""
    page = session.get(f"{BASE}/en/account/sign-in/", timeout=30)
    response = session.post(
        f"{BASE}/en/account/sign-in/",
        data={"login": username, "password": password, "csrfmiddlewaretoken": csrf_token(page)},
        timeout=30,
    )
    for _step in range(5):
        if "/2fa/authenticate/" in response.url:
            # A code is accepted once: the same person again waits for the next window.
            while int(time.time() // 30) == _LAST_WINDOW.get(username):
                time.sleep(0.5)
            _LAST_WINDOW[username] = int(time.time() // 30)
            data = {"code": totp(SECRETS[username]), "csrfmiddlewaretoken": csrf_token(response)}
            response = session.post(response.url, data=data, timeout=30)
        elif "/account/welcome/" in response.url:  # SIGN-6: last sign-in, then continue
            data = {"csrfmiddlewaretoken": csrf_token(response)}
            response = session.post(response.url, data=data, timeout=30)
        elif "/account/terms/" in response.url:
            data = {"accept": "", "csrfmiddlewaretoken": csrf_token(response)}
            response = session.post(response.url, data=data, timeout=30)
        else:
            break
    stuck = ("/account/sign-in/", "/2fa/", "/account/terms/")
    if response.status_code != 200 or any(step in response.url for step in stuck):
        raise RuntimeError(
            f"sign-in of {username} stopped at {response.url} ({response.status_code})"
        )


def rehearsal_people(count: int) -> list[str]:
    """Authenticators for the demo people, and `count` more people like the demo importer
    and broker (readers of their business), each with an authenticator of their own: a
    code is accepted once, so each locust user signs in as a different person."""
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import SecretQuestions, User
    from delegation.models import Employment

    def enrol(user):
        secret = base64.b32encode(secrets.token_bytes(20)).decode()
        TOTP.activate(user, secret)
        SECRETS[user.username] = secret

    for username in ("demoimporter", "demobroker", "demoagent", "demoreader"):
        enrol(User.objects.get(username=username))
    templates = [User.objects.get(username=u) for u in ("demoimporter", "demobroker")]
    names = []
    for n in range(count):
        template = templates[n % 2]
        person = User.objects.get(pk=template.pk)
        person.pk = person.id = None
        person.username = f"rehearsal{n:02d}"
        person.email = f"rehearsal{n:02d}@example.com"
        person.save()
        for employment in Employment.objects.filter(user=template):
            employment.pk = employment.id = None
            employment.user = person
            employment.role = Employment.Role.READER
            employment.save()
        for answers in SecretQuestions.objects.filter(user=template):
            answers.pk = answers.id = None
            answers.user = person
            answers.save()
        enrol(person)
        names.append(person.username)
    return names


class Tally:
    """Requests sent, failed, and their times, for one scenario."""

    def __init__(self):
        self.times: list[float] = []
        self.failed = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def record(self, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times.append(seconds)
            self.failed += 0 if ok else 1

    def timed(self, call, ok=lambda r: r.status_code < 400):
        started = time.monotonic()
        try:
            response = call()
        except Exception as exc:  # noqa: BLE001 - a failed request is a figure, not a crash
            self.record(time.monotonic() - started, False)
            self.errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
            return None
        self.record(time.monotonic() - started, ok(response))
        return response


# ---- scenarios ------------------------------------------------------------------------------


def scenario_session(password: str) -> dict:
    tally = Tally()
    session = new_session()
    tally.timed(lambda: sign_in(session, "demoagent", password) or _Ok())
    nodes, signed_out = set(), 0
    for n in range(40):
        page = list(PAGES.values())[n % len(PAGES)]
        response = tally.timed(lambda page=page: session.get(BASE + page, timeout=30))
        if response is None:
            continue
        nodes.add(response.headers.get("X-Rehearsal-Node"))
        if "/account/sign-in/" in response.url:
            signed_out += 1
            tally.failed += 1
    return {
        "name": "1. session across nodes",
        "tally": tally,
        "lost": signed_out,
        "note": f"nodes that answered: {', '.join(sorted(filter(None, nodes)))}; "
        f"asked to sign in again: {signed_out}",
        "ok": nodes >= {"a", "b"} and signed_out == 0,
    }


class _Ok:
    status_code = 200


def upload(session, content: bytes, name: str, node: str | None = None, category: int = 0):
    """The two steps of the upload; returns the document's id from the confirmation page."""
    headers = {"X-Rehearsal-Node": node} if node else {}
    form = session.get(f"{BASE}/en/documents/upload/", headers=headers, timeout=30)
    step1 = session.post(
        f"{BASE}/en/documents/upload/",
        data={"category": category, "case_number": "8000000683",
              "csrfmiddlewaretoken": csrf_token(form)},
        headers=headers, timeout=30,
    )  # fmt: skip
    step2 = session.post(
        f"{BASE}/en/documents/upload/files/",
        data={"csrfmiddlewaretoken": csrf_token(step1)},
        files=[("files", (name, content, "application/pdf"))],
        headers=headers,
        timeout=60,
    )
    m = re.search(r"/documents/uploads/(\d+)/", step2.url)
    if step2.status_code != 200 or not m:
        raise RuntimeError(f"upload not acknowledged: {step2.status_code} {step2.url}")
    from documents.models import Document

    (pk,) = Document.objects.filter(batch_id=int(m.group(1))).values_list("pk", flat=True)
    return pk, step2.headers.get("X-Rehearsal-Node")


def wait_scanned(pk: int, seconds: float = 90) -> str:
    from documents.models import Document

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = Document.objects.filter(pk=pk).values_list("scan_state", flat=True).first()
        if state and state != "pending":
            return state
        time.sleep(0.5)
    return "pending"


def scenario_upload(password: str, category: int) -> dict:
    from documents.tests import samples

    tally = Tally()
    session = new_session()
    sign_in(session, "demoimporter", password)
    content = samples.pdf("Rehearsal: node A to node B", size=200_000)
    uploaded = tally.timed(lambda: _Wrap(upload(session, content, "a-to-b.pdf", "a", category)))
    if uploaded is None:
        raise RuntimeError(f"scenario 2: the upload failed: {tally.errors}")
    pk, via = uploaded.value
    started = time.monotonic()
    state = wait_scanned(pk)
    scanned_in = time.monotonic() - started
    response = tally.timed(
        lambda: session.get(
            f"{BASE}/en/documents/{pk}/download/", headers={"X-Rehearsal-Node": "b"}, timeout=30
        )
    )
    same = response is not None and response.content == content
    return {
        "name": "2. upload via A, scan, download via B",
        "tally": tally,
        "lost": 0 if same else 1,
        "note": f"uploaded through node {via}, verdict '{state}' after {scanned_in:.1f} s, "
        f"downloaded through node {response.headers.get('X-Rehearsal-Node') if response else '-'}"
        f", same bytes: {same}",
        "ok": via == "a" and state == "clean" and same,
    }


class _Wrap:
    status_code = 200

    def __init__(self, value):
        self.value = value


class Uploader(threading.Thread):
    """One upload a second during a load scenario; remembers what was acknowledged."""

    def __init__(self, password: str, category: int, seconds: float):
        super().__init__(daemon=True)
        self.password, self.category, self.seconds = password, category, seconds
        self.acknowledged: list[int] = []
        self.tally = Tally()

    def run(self) -> None:
        from documents.tests import samples

        session = new_session()
        sign_in(session, "demoimporter", self.password)
        deadline = time.monotonic() + self.seconds
        while time.monotonic() < deadline:
            content = samples.pdf(f"Rehearsal {uuid.uuid4().hex}")
            result = self.tally.timed(
                lambda content=content: _Wrap(
                    upload(session, content, "load.pdf", None, self.category)
                )
            )
            if result is not None:
                self.acknowledged.append(result.value[0])
            time.sleep(1)


def data_lost(pks: list[int]) -> int:
    """Acknowledged uploads missing their row, their S3 object or their verdict."""
    from django.core.files.storage import default_storage

    from documents.models import Document

    lost = 0
    for pk in pks:
        state = wait_scanned(pk, seconds=120)
        document = Document.objects.filter(pk=pk).first()
        if (
            document is None
            or state != "clean"
            or not default_storage.exists(document.storage_name)
        ):
            lost += 1
    return lost


LOCUSTFILE = """
import base64, hashlib, hmac, itertools, re, struct, time
from locust import HttpUser, task, between

PAGES = {pages!r}
PEOPLE = {people!r}  # (username, authenticator secret): one person per locust user
PASSWORD = {password!r}
NEXT = itertools.count()


def totp(secret):
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", int(time.time() // 30)),
                      hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{{value % 1_000_000:06d}}"


def token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)


class Person(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.trust_env = False  # no proxy: loopback only
        self.client.verify = False  # the rehearsal's self-signed certificate
        self.client.headers["Referer"] = self.host + "/"
        username, secret = PEOPLE[next(NEXT) % len(PEOPLE)]
        page = self.client.get("/en/account/sign-in/", name="sign-in")
        response = self.client.post("/en/account/sign-in/", name="sign-in", data={{
            "login": username, "password": PASSWORD, "csrfmiddlewaretoken": token(page)}})
        response = self.client.post(response.url, name="sign-in: code", data={{
            "code": totp(secret), "csrfmiddlewaretoken": token(response)}})
        response = self.client.post(response.url, name="sign-in: welcome", data={{
            "csrfmiddlewaretoken": token(response)}})
        self.client.post(response.url, name="sign-in: terms", data={{
            "accept": "", "csrfmiddlewaretoken": token(response)}})

    @task(3)
    def home(self):
        self.client.get(PAGES["home"], name="home")

    @task(3)
    def notices(self):
        self.client.get(PAGES["notices"], name="notices")

    @task(2)
    def transactions(self):
        self.client.get(PAGES["transactions"], name="transactions")

    @task(1)
    def calculator(self):
        self.client.get(PAGES["calculator"], name="calculator")
"""


def run_locust(name: str, seconds: int, users: int, during) -> dict:
    """Headless locust at the balancer, bounded in users and time, while `during` runs."""
    prefix = WORK / f"locust-{name}"
    command = [
        str(TOOLS / "locust"), "-f", str(WORK / "locustfile.py"), "--headless",
        "--host", BASE, "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
        "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
    ]  # fmt: skip
    with open(WORK / f"locust-{name}.log", "wb") as log:
        process = subprocess.Popen(command, cwd=WORK, stdout=log, stderr=log)  # noqa: S603
        during()
        process.wait(timeout=seconds + 60)
    with open(f"{prefix}_stats.csv") as f:
        rows = {r["Name"]: r for r in csv.DictReader(f)}
    total = rows["Aggregated"]
    failures = []
    with contextlib.suppress(FileNotFoundError), open(f"{prefix}_failures.csv") as f:
        failures = [
            f"{r['Occurrences']}x {r['Method']} {r['Name']}: {r['Error'][:80]}"
            for r in csv.DictReader(f)
        ]
    return {
        "sent": int(total["Request Count"]),
        "failed": int(total["Failure Count"]),
        "p50": float(total["50%"]) / 1000,
        "p95": float(total["95%"]) / 1000,
        "rps": float(total["Requests/s"]),
        "failures": failures,
    }


def clear_sign_in_rate() -> None:
    """The rehearsal's people all come from 127.0.0.1: reset the per-address sign-in count
    (AC-7, 20 a minute) between phases, as many real addresses would spread it."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(match="*sign-in-rate*"):
        client.delete(key)


def scenario_load(cluster, name, title, password, category, action, seconds, users) -> dict:
    clear_sign_in_rate()
    uploader = Uploader(password, category, seconds - 10)
    events: list[str] = []

    def during():
        uploader.start()
        action(events)
        uploader.join(timeout=seconds + 30)

    before = cluster.balancer_counters()
    figures = run_locust(name, seconds, users, during)
    after = cluster.balancer_counters()
    delta = {k: after[k] - before[k] for k in after}
    lost = data_lost(uploader.acknowledged)
    up = uploader.tally
    note = "; ".join(events) + (
        f"; uploads acknowledged {len(uploader.acknowledged)}, upload requests failed {up.failed}"
        f"; balancer: {delta['wretr']} retries, {delta['wredis']} redispatched to the other "
        f"node, {delta['econ']} connection errors, {delta['eresp']} response errors"
    )
    if figures["failures"]:
        note += "; failures: " + " | ".join(figures["failures"])
    return {
        "name": title,
        "figures": figures,
        "lost": lost,
        "note": note,
        "ok": lost == 0,
    }


def kill_node_a(cluster):
    def action(events):
        time.sleep(20)
        os.killpg(cluster.processes["node-a"].pid, signal.SIGKILL)
        killed = time.monotonic()
        events.append("node A killed (SIGKILL) at 20 s")
        while cluster.node_up("a"):
            time.sleep(0.1)
        events.append(f"balancer marked it down after {time.monotonic() - killed:.1f} s")
        time.sleep(10)
        cluster.start_node("a")
        while not cluster.node_up("a"):
            time.sleep(0.2)
        events.append(f"node A back in {time.monotonic() - killed:.1f} s")

    return action


def rolling_restart(cluster):
    def action(events):
        time.sleep(10)
        for name in ("a", "b"):
            started = time.monotonic()
            # What a Deployment's rollout does: out of the endpoints first (readiness),
            # then SIGTERM, gunicorn finishes its in-flight requests, a new process starts.
            cluster.haproxy(f"set server nodes/{name} state drain")
            time.sleep(2)
            process = cluster.processes[f"node-{name}"]
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=40)
            cluster.start_node(name)
            cluster.haproxy(f"set server nodes/{name} state ready")
            while not cluster.node_up(name):
                time.sleep(0.2)
            events.append(f"node {name.upper()} restarted in {time.monotonic() - started:.1f} s")
            time.sleep(8)

    return action


def throughput(password: str, seconds: float) -> dict:
    """Requests per second per gunicorn worker: node A alone, one client thread per worker
    plus one (so a worker never waits for its client), through the balancer."""
    clear_sign_in_rate()
    sessions = []
    for _ in range(WEB_WORKERS + 1):
        session = new_session()
        session.headers["X-Rehearsal-Node"] = "a"
        sign_in(session, "demobroker", password)
        sessions.append(session)
    out = {}
    for label in ("home", "notices", "transactions"):
        tally = Tally()
        deadline = time.monotonic() + seconds

        def loop(session, label=label, tally=tally, deadline=deadline):
            while time.monotonic() < deadline:
                tally.timed(lambda: session.get(BASE + PAGES[label], timeout=30))

        threads = [threading.Thread(target=loop, args=(s,)) for s in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out[label] = {
            "rps_per_worker": len(tally.times) / seconds / WEB_WORKERS,
            "p50": percentile(tally.times, 0.5),
            "p95": percentile(tally.times, 0.95),
            "sent": len(tally.times),
            "failed": tally.failed,
        }
    return out


# ---- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--load-seconds", type=int, default=75)
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--throughput-seconds", type=int, default=15)
    args = parser.parse_args()

    for need, hint in [
        (shutil.which("haproxy"), "apt-get install haproxy"),
        (shutil.which("openssl"), "apt-get install openssl"),
        ((TOOLS / "locust").exists() and (TOOLS / "moto_server").exists(), "make rehearsal"),
        (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"),
         "set DATABASE_URL and REDIS_URL (the machine's PostgreSQL and Redis)"),
    ]:  # fmt: skip
        if not need:
            sys.exit(f"rehearsal: missing: {hint}")
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "uploads").mkdir(parents=True)

    clamd_started = False
    clamav_url = os.environ.get("CLAMAV_URL")
    if not clamav_url:
        out = subprocess.run(
            ["bash", "scripts/clamd.sh", "start"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        clamav_url = re.search(r"CLAMAV_URL=(\S+)", out).group(1).strip("'\"")
        clamd_started = True

    database_url = rehearsal_database(os.environ["DATABASE_URL"])
    cluster = Cluster(database_url, os.environ["REDIS_URL"], clamav_url)
    os.environ.update(cluster.env)
    try:
        say(f"database {urlsplit(database_url).path[1:]} (new), Redis {cluster.env['REDIS_URL']}")
        recreate_database(database_url)
        import redis

        redis.Redis.from_url(cluster.env["REDIS_URL"]).flushdb()
        say(f"S3 stand-in: moto server on {HOST}:{S3_PORT} (not real S3)")
        cluster.start("moto", [str(TOOLS / "moto_server"), "-H", HOST, "-p", str(S3_PORT)])
        wait_port(S3_PORT)
        import boto3

        boto3.client(
            "s3", endpoint_url=cluster.env["AWS_S3_ENDPOINT_URL"], region_name="ca-central-1",
            aws_access_key_id="rehearsal", aws_secret_access_key="rehearsal-not-a-secret",  # noqa: S106
        ).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ca-central-1"}
        )  # fmt: skip
        say("migrate, seed_demo, compiletranslations, collectstatic")
        cluster.manage("migrate", "--noinput")
        # The demo people and their data; seed_demo refuses DEBUG off, so it runs under the
        # local settings, against the same database.
        cluster.manage("seed_demo", settings="carm_portal.settings.local")
        cluster.manage("compiletranslations")
        cluster.manage("collectstatic", "--noinput", "-v", "0")

        import django

        django.setup()
        import urllib3

        urllib3.disable_warnings()
        from carm_portal.management.commands.seed_demo import DEMO_PASSWORD
        from documents.models import DocumentCategory

        category = DocumentCategory.objects.order_by("pk").values_list("pk", flat=True).first()
        people = rehearsal_people(args.users)
        (WORK / "locustfile.py").write_text(
            LOCUSTFILE.format(
                pages=PAGES, people=[(p, SECRETS[p]) for p in people], password=DEMO_PASSWORD
            )
        )

        say(f"two gunicorn nodes ({WEB_WORKERS} workers each), two Celery workers, HAProxy")
        for name in NODE_PORTS:
            cluster.start_node(name)
        for n in (1, 2):
            cluster.start(f"worker-{n}", [PYTHON, "-m", "celery", "-A", "carm_portal", "worker",
                          "-Q", "celery,scanning,email,statements", "--concurrency", "1",
                          "-n", f"rehearsal{n}@%h", "-l", "warning"])  # fmt: skip
        make_certificate()
        (WORK / "haproxy.cfg").write_text(
            HAPROXY_CFG.format(
                work=WORK,
                host=HOST,
                lb_port=LB_PORT,
                port_a=NODE_PORTS["a"],
                port_b=NODE_PORTS["b"],
            )  # fmt: skip
        )
        cluster.start("haproxy", ["haproxy", "-f", str(WORK / "haproxy.cfg"), "-db"])
        wait_port(LB_PORT)
        deadline = time.monotonic() + 60
        while not (cluster.node_up("a") and cluster.node_up("b")):
            if time.monotonic() > deadline:
                raise RuntimeError("the nodes never passed the balancer's health check")
            time.sleep(0.5)

        results = []
        say("scenario 1: a session across nodes")
        results.append(scenario_session(DEMO_PASSWORD))
        say("scenario 2: upload via node A, scan, download via node B")
        results.append(scenario_upload(DEMO_PASSWORD, category))
        say(f"scenario 3: load ({args.users} people, {args.load_seconds} s), node A SIGKILLed")
        results.append(scenario_load(cluster, "kill", "3. load, node A SIGKILL", DEMO_PASSWORD,
                                     category, kill_node_a(cluster), args.load_seconds, args.users))  # fmt: skip
        say(f"scenario 4: load ({args.users} people, {args.load_seconds} s), rolling restart")
        results.append(scenario_load(cluster, "rolling", "4. load, rolling restart (SIGTERM)",
                                     DEMO_PASSWORD, category, rolling_restart(cluster),
                                     args.load_seconds, args.users))  # fmt: skip
        say(f"scenario 5: requests per second per web worker ({args.throughput_seconds} s a page)")
        rates = throughput(DEMO_PASSWORD, args.throughput_seconds)
    finally:
        cluster.stop()
        if clamd_started:
            subprocess.run(["bash", "scripts/clamd.sh", "stop"], cwd=ROOT, check=False)  # noqa: S603, S607

    print()
    print("| Scenario | Requests | Failed | p50 (s) | p95 (s) | Data lost | Notes |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        if "figures" in r:
            f = r["figures"]
            up = None
            sent, failed, p50, p95 = f["sent"], f["failed"], f["p50"], f["p95"]
        else:
            t = r["tally"]
            sent, failed = len(t.times), t.failed
            p50, p95 = percentile(t.times, 0.5), percentile(t.times, 0.95)
            up = None
        del up
        print(
            f"| {r['name']} | {sent} | {failed} | {p50:.3f} | {p95:.3f} | {r['lost']} | {r['note']} |"
        )
    print()
    print("| Page | Requests per second per web worker | p50 (s) | p95 (s) | Requests | Failed |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, f in rates.items():
        print(f"| {label} | {f['rps_per_worker']:.1f} | {f['p50']:.3f} | {f['p95']:.3f} "
              f"| {f['sent']} | {f['failed']} |")  # fmt: skip
    lost = sum(r["lost"] for r in results)
    print(f"\ndata lost: {lost}; machine: {os.cpu_count()} cores shared by every process above")
    return 0 if lost == 0 and all(r["ok"] for r in results[:2]) else 1


if __name__ == "__main__":
    sys.exit(main())
