"""A small client for clamd's socket protocol (ClamAV daemon).

Speaks the documented commands over TCP or a Unix socket: ``zPING`` (health) and
``zINSTREAM`` (uploads, SPEC DOC-4). The address comes from settings.CLAMAV_URL
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


def version(*, url: str | None = None, timeout: float = 2.0) -> str:
    """clamd's ``VERSION`` answer: ``ClamAV 1.4.6/27480/Tue Dec  1 09:30:00 2026`` with the
    official databases, only ``ClamAV 1.4.6`` when it runs the generated test signature."""
    return _command(b"VERSION", url=url, timeout=timeout).decode("utf-8", "replace").strip()


def signatures(answer: str) -> str:
    """``"official"`` when clamd names a daily database version, else ``"test-only"``."""
    return "official" if "/" in answer else "test-only"


class ClamdError(Exception):
    """clamd answered, but could not scan the stream (e.g. its size limit)."""


CHUNK = 64 * 1024


def instream(file, *, url: str | None = None, timeout: float | None = None) -> str | None:
    """Scan ``file`` (read from where it is, in chunks) with ``zINSTREAM``: ``None`` when
    clamd finds nothing, else the name of the signature found. ``ClamdUnavailable`` when
    clamd cannot be reached or the connection breaks; ``ClamdError`` when clamd refuses
    to scan. Never says "clean" without clamd's own ``OK``."""
    url = url or settings.CLAMAV_URL
    timeout = timeout if timeout is not None else settings.CLAMAV_TIMEOUT
    with _connect(url, timeout) as sock:
        try:
            sock.sendall(b"zINSTREAM\0")
            while chunk := file.read(CHUNK):
                sock.sendall(len(chunk).to_bytes(4, "big") + chunk)
            sock.sendall(b"\0\0\0\0")
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
        except OSError as exc:
            raise ClamdUnavailable(str(exc)) from exc
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if not answer:
        raise ClamdUnavailable("clamd closed the connection without an answer")
    if answer == "stream: OK":
        return None
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        return answer.removeprefix("stream: ").removesuffix(" FOUND")
    raise ClamdError(answer)
