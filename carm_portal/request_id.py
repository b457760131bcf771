"""The request id (SPEC SEC-9): one per request, in every log line, every audit entry and
the ``X-Request-ID`` response header.

It comes from the ``X-Request-ID`` header only when a trusted proxy set it
(``TRUSTED_PROXY_COUNT`` > 0) and it looks like an id; otherwise it is generated here.
Celery tasks and commands run outside a request: their lines carry "-".
"""

from __future__ import annotations

import contextvars
import re
import uuid

_current: contextvars.ContextVar[str] = contextvars.ContextVar("carm_request_id", default="")
_VALID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def current() -> str:
    """The id of the request being served, or "" outside a request."""
    return _current.get()


def choose(header: str | None, *, trusted: bool) -> str:
    if trusted and header and _VALID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def set_current(value: str) -> None:
    _current.set(value)


def clear(**kwargs) -> None:
    """Connected to ``request_finished``: lines after the response carry no id."""
    _current.set("")
