"""Support of the fault rehearsals (SPEC OPS-4; tests marked ``faults``,
``scripts/faults.py``): throw-away back-ends of the test's own (a PostgreSQL cluster, a
Redis server) that a test can stop and start without touching the machine's shared ones,
and the one line each case prints.

Each case reports: requests (or items) attempted, how many failed during the fault, how
many were lost (must be 0), and the seconds from the back-end's return until everything
was done. ``FAULTS_REPORT`` (set by scripts/faults.py) collects the lines in a file.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scale(small: int, full: int) -> int:
    """CI runs the small figure; scripts/faults.py (FAULTS_SCALE=full) the issue's."""
    return full if os.environ.get("FAULTS_SCALE") == "full" else small


def report(case: str, *, attempted: int, failed: int, lost: int, recover_seconds: float) -> str:
    line = (
        f"FAULT {case}: attempted={attempted} failed={failed} lost={lost} "
        f"recover_seconds={recover_seconds:.1f}"
    )
    print(line)
    target = os.environ.get("FAULTS_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(
                json.dumps(
                    {
                        "case": case,
                        "attempted": attempted,
                        "failed": failed,
                        "lost": lost,
                        "recover_seconds": round(recover_seconds, 1),
                    }
                )
                + "\n"
            )
    return line


def wait_until(condition, seconds: float = 30, step: float = 0.1) -> float:
    """Seconds until ``condition()`` is true; AssertionError after ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    raise AssertionError(f"not true after {seconds}s")


class OwnRedis:
    """A redis-server of the test's own on a free loopback port, without persistence."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self.answers, 10)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


class OwnPostgres:
    """A PostgreSQL cluster of the test's own (Debian's binaries, run as the ``postgres``
    system user when we are root), on a free port, with its data in a temporary folder."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="carm-fault-pg-"))
        self.data = self.dir / "data"
        self.user = "postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)  # noqa: S603

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", "-l",
            str(self.dir / "log"), "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False
        )

    def copy_database(self, source: dict, name: str) -> None:
        """The schema and rows of the ``source`` database (Django settings) into ``name``."""
        env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
        dump = subprocess.run(  # noqa: S603
            [str(PG_BIN / "pg_dump"), "-h", source.get("HOST") or "127.0.0.1",
             "-p", str(source.get("PORT") or 5432), "-U", source.get("USER") or "postgres",
             "--no-owner", "--no-privileges", source["NAME"]],
            check=True, capture_output=True, env=env,
        )  # fmt: skip
        psql = [
            shutil.which("psql") or "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
        ]
        subprocess.run([*psql, "-qc", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [*psql, "-q", "-v", "ON_ERROR_STOP=1", name],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
