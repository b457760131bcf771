"""What an uploaded file may be (SPEC DOC-3, STYLE 13): its name, its extension, and its
content as libmagic reads it, with a structural check of Office files and a zip-bomb
guard that reads only the archive's directory.

Every check raises ``Refusal`` with a reason code; the pages turn codes into translated
messages (``documents.messages``). Nothing here trusts the uploaded name as a path: it is
data, kept only to show it back.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from typing import IO

import magic
import olefile
from django.conf import settings

ALLOWED_EXTENSIONS = (
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "rtf",
    "txt",
    "jpg",
    "jpeg",
    "tiff",
    "tif",
    "xps",
)
MAX_NAME_LENGTH = 200  # characters of the original name kept (and shown back)

_OLE = ("application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office")
_ZIP = ("application/zip", "application/octet-stream")  # then the structure decides
# The content types libmagic may report for each extension.
EXPECTED_TYPES = {
    "pdf": ("application/pdf",),
    "doc": ("application/msword", *_OLE),
    "xls": ("application/vnd.ms-excel", *_OLE),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", *_ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", *_ZIP),
    "xps": ("application/vnd.ms-xpsdocument", "application/oxps", *_ZIP),
    "rtf": ("text/rtf", "application/rtf"),
    "txt": ("text/plain", "text/csv"),
    "jpg": ("image/jpeg",),
    "jpeg": ("image/jpeg",),
    "tif": ("image/tiff",),
    "tiff": ("image/tiff",),
}
OOXML = {"docx", "xlsx", "xps"}
OLE2 = {"doc", "xls"}
# Binary formats in which markup means a second format hides in the file (a polyglot
# that a browser sniffing it would run).
BINARY = {"pdf", "doc", "xls", "jpg", "jpeg", "tif", "tiff"}
# Content type of the main part of each Office Open XML format ([Content_Types].xml).
MAIN_PART = {
    "docx": b"wordprocessingml.document.main+xml",
    "xlsx": b"spreadsheetml.sheet.main+xml",
}
HEAD_SIZE = 1024 * 1024  # what libmagic reads
CHUNK = 1024 * 1024
MARKUP = re.compile(rb"<(?:html|script|iframe|svg|body|!doctype\s+html)[\s>/]", re.IGNORECASE)


class Refusal(Exception):  # noqa: N818 - a refusal is an outcome, not an error
    """The file cannot be accepted; ``code`` says why (see ``documents.messages``)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def extension_of(name: str) -> str:
    """The last extension, lower case, without the dot ("a.pdf.exe" → "exe")."""
    base, dot, extension = name.rpartition(".")
    return extension.lower() if dot and base else ""


def check_name(raw_name: str) -> str:
    """The name to keep, or ``Refusal``: no path parts, no control characters, not too
    long, an accepted extension. ``raw_name`` is what the browser sent, before Django
    reduced it to its last part."""
    if not raw_name or raw_name in {".", ".."}:
        raise Refusal("name")
    if "/" in raw_name or "\\" in raw_name or "\0" in raw_name:
        raise Refusal("name")
    if any(unicodedata.category(char).startswith("C") for char in raw_name):
        raise Refusal("name")
    if len(raw_name) > MAX_NAME_LENGTH:
        raise Refusal("name_length")
    if extension_of(raw_name) not in ALLOWED_EXTENSIONS:
        raise Refusal("extension")
    return unicodedata.normalize("NFC", raw_name.strip())


def _read_head(file: IO[bytes]) -> bytes:
    file.seek(0)
    head = file.read(HEAD_SIZE)
    file.seek(0)
    return head


def _chunks(file: IO[bytes]):
    file.seek(0)
    previous = b""
    while chunk := file.read(CHUNK):
        yield previous[-64:] + chunk  # overlap: a marker split across two reads
        previous = chunk
    file.seek(0)


def _check_ooxml(file: IO[bytes], extension: str) -> None:
    """A real Office Open XML package, judged from the zip's central directory only:
    refuse before anything is expanded when the expanded size, the number of entries or
    the expansion ratio of an entry is absurd; then the parts each format must have."""
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise Refusal("structure", str(exc)) from None
    if len(entries) > settings.DOCUMENT_ZIP_MAX_ENTRIES:
        raise Refusal("archive", f"{len(entries)} entries")
    expanded = sum(entry.file_size for entry in entries)
    if expanded > settings.DOCUMENT_ZIP_MAX_EXPANDED:
        raise Refusal("archive", f"{expanded} bytes expanded")
    for entry in entries:
        if entry.file_size > 1024 * 1024 and (
            entry.compress_size == 0
            or entry.file_size / entry.compress_size > settings.DOCUMENT_ZIP_MAX_RATIO
        ):
            raise Refusal("archive", f"ratio of {entry.filename}")
        if entry.flag_bits & 0x1:
            raise Refusal("structure", "encrypted entry")
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
        raise Refusal("structure", "not an Office Open XML package")
    try:
        with archive.open("[Content_Types].xml") as member:
            content_types = member.read(256 * 1024)  # bounded: never the whole of it
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise Refusal("structure", str(exc)) from None
    if b"macroEnabled" in content_types or "vbaProject.bin" in " ".join(names):
        raise Refusal("structure", "macros")
    if extension == "xps":
        if not any(name.lower().endswith(".fdseq") for name in names):
            raise Refusal("structure", "no fixed document sequence")
    elif MAIN_PART[extension] not in content_types:
        raise Refusal("structure", f"no {MAIN_PART[extension].decode()} part")


# The stream each Compound File format must hold (Word 97-2003, Excel 97-2003 / 5.0).
OLE2_STREAMS = {"doc": ("WordDocument",), "xls": ("Workbook", "Book")}


def _check_ole2(file: IO[bytes], head: bytes, extension: str) -> None:
    """A real Compound File (olefile reads its header, allocation tables and directory,
    no stream) holding the main stream of its format; macros are refused."""
    if len(head) < 512 or head[:8] != bytes.fromhex("d0cf11e0a1b11ae1"):
        raise Refusal("structure", "not a compound file")
    file.seek(0)
    try:
        with olefile.OleFileIO(file) as ole:
            if not any(ole.exists(stream) for stream in OLE2_STREAMS[extension]):
                raise Refusal("structure", f"no {OLE2_STREAMS[extension][0]} stream")
            if ole.exists("Macros") or ole.exists("_VBA_PROJECT_CUR"):
                raise Refusal("structure", "macros")
    except Refusal:
        raise
    except Exception as exc:  # olefile raises many kinds on a broken file
        raise Refusal("structure", f"{type(exc).__name__}: {exc}"[:200]) from None
    finally:
        file.seek(0)


def check_content(file: IO[bytes], *, extension: str) -> str:
    """The content type libmagic detects, if it is one the extension allows and the file
    passes its format's checks; ``Refusal`` otherwise. ``file`` is read and rewound."""
    head = _read_head(file)
    if not head:
        raise Refusal("empty")
    detected = magic.from_buffer(head, mime=True)
    if detected not in EXPECTED_TYPES[extension]:
        raise Refusal("content", detected)
    if extension in OOXML:
        if not head.startswith(b"PK\x03\x04"):
            raise Refusal("structure", "does not start with a zip entry")
        _check_ooxml(file, extension)
    else:
        file.seek(0)
        # A zip directory at the end of a non-zip file: a second format (polyglot).
        if zipfile.is_zipfile(file):
            raise Refusal("polyglot", "zip archive inside")
        if extension in OLE2:
            _check_ole2(file, head, extension)
        if extension in BINARY and any(MARKUP.search(chunk) for chunk in _chunks(file)):
            raise Refusal("polyglot", "markup inside")
    file.seek(0)
    return detected
