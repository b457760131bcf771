"""A small client for clamd's socket protocol (ClamAV daemon).

Speaks the documented commands over TCP or a Unix socket: ``zPING`` now, ``zINSTREAM``
for uploads (SPEC DOC-4). The address comes from settings.CLAMAV_URL
(``tcp://host:port`` or ``unix:///path/to/clamd.sock``).
"""

from __future__ import annotations

import socket
from urllib.parse import urlparse

from django.conf import settings


class ClamdUnavailable(Exception):
    """clamd could not be reached or did not answer as expected."""


def _connect(url: str, timeout: float) -> socket.socket:
    parsed = urlparse(url)
    try:
        if parsed.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(parsed.path)
            return sock
        if parsed.scheme == "tcp":
            return socket.create_connection((parsed.hostname, parsed.port or 3310), timeout)
    except OSError as exc:
        raise ClamdUnavailable(str(exc)) from exc
    raise ClamdUnavailable(f"unsupported CLAMAV_URL scheme: {parsed.scheme!r}")


def _command(command: bytes, *, url: str | None = None, timeout: float | None = None) -> bytes:
    url = url or settings.CLAMAV_URL
    timeout = timeout if timeout is not None else settings.CLAMAV_TIMEOUT
    with _connect(url, timeout) as sock:
        try:
            sock.sendall(b"z" + command + b"\0")
            reply = b""
            while not reply.endswith(b"\0"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except OSError as exc:
            raise ClamdUnavailable(str(exc)) from exc
    return reply.rstrip(b"\0")


def ping(*, url: str | None = None, timeout: float = 2.0) -> bool:
    """True when clamd answers PONG."""
    return _command(b"PING", url=url, timeout=timeout) == b"PONG"
