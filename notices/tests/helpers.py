"""Notices for tests, sent the way the portal sends them (through the services)."""

from __future__ import annotations

import datetime
import email
import email.policy
import socket

from django.utils import timezone

from notices.services import notice_send


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def personal_notice(user, *, days: int = 0, case: str = "R100", business=None, urgent=False):
    """A *Documents received* notice to one person (about ``business`` if given)."""
    return notice_send(
        type_code="document_received",
        context={"case_number": case, "file_count": 1},
        recipient=user,
        business=business,
        urgent=urgent,
        display_date=days_ago(days),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives, and can refuse on demand:
    ``busy`` answers 451 (try again later) to the next N messages, ``refused`` addresses
    get 550 (no such mailbox)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.messages: list[email.message.EmailMessage] = []
        self.busy = 0
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 Busy, try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["X-Envelope-To"]]
