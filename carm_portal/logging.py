"""Logging filter that keeps personal information out of the logs (AU-3, AU-9)."""

import logging
import re

from carm_portal import request_id

_PATTERNS = [
    # email addresses
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    # IPv4 addresses
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), "[ip]"),
    # secrets passed as key=value (password, answer, token, code, sessionid)
    (
        re.compile(r"(?i)\b(password|passwd|answer|token|code|sessionid|secret)=([^&\s]+)"),
        r"\1=[redacted]",
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalInformation(logging.Filter):
    """Rewrite each record's message with personal information masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class RequestIdFilter(logging.Filter):
    """Put the request id on each record (SPEC SEC-9); "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.current() or "-"
        return True
