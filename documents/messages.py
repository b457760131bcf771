"""What the pages say about a refused file or a scan state, in the reader's language
(SPEC DOC-3, X-4). The codes come from ``documents.filetypes`` and ``documents.upload``."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from documents.filetypes import ALLOWED_EXTENSIONS

REFUSALS = {
    "name": _("%(name)s: the file name cannot be accepted. Rename the file and try again."),
    "name_length": _(
        "%(name)s: the file name is too long. Use a name of at most %(length)s characters."
    ),
    "extension": _(
        "%(name)s: this type of file is not accepted. Acceptable file types: %(types)s."
    ),
    "size": _("%(name)s: the file is larger than %(size)s MB."),
    "empty": _("%(name)s: the file is empty."),
    "count": _(
        "%(name)s: at most %(count)s files can be uploaded at a time. Upload this file again separately."
    ),
    "content": _("%(name)s: the content of the file does not match its file type."),
    "structure": _("%(name)s: the file is damaged or is not a real document of its type."),
    "archive": _("%(name)s: the file expands to an unreasonable size and cannot be accepted."),
    "polyglot": _("%(name)s: the file hides content of another type and cannot be accepted."),
}


def shown_name(name: str, limit: int = 60) -> str:
    """A long name shortened in the middle, keeping its extension visible."""
    return name if len(name) <= limit else f"{name[: limit - 12]}…{name[-10:]}"


def refusal_message(*, name: str, reason: str) -> str:
    template = REFUSALS.get(reason, REFUSALS["content"])
    return str(template) % {
        "name": shown_name(name),
        "length": 200,
        "types": ", ".join(ALLOWED_EXTENSIONS),
        "size": settings.DOCUMENT_MAX_FILE_SIZE // (1024 * 1024),
        "count": settings.DOCUMENT_MAX_FILES,
    }


SCAN_EXPLANATIONS = {
    "pending": _("Waiting for its virus scan. It cannot be opened until the scan is done."),
    "clean": _("Scanned: no virus found. The CBSA can review it."),
    "infected": _("A virus was found. The file is kept in quarantine and cannot be opened."),
    "type_mismatch": _(
        "Its content does not match an accepted file type. It is kept in quarantine."
    ),
    "scan_failed": _(
        "It could not be scanned for viruses in time. It is kept in quarantine: please upload it again."
    ),
}
