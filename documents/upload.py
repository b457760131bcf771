"""Reading an upload request (SPEC DOC-3, STYLE 13).

``DocumentUploadHandler`` streams each file to a temporary file (never into memory),
hashing it on the way, and stops keeping a file the moment it passes the size limit;
the 11th file and beyond are refused. Each refusal is recorded with the name the
browser sent, so that the page can name the file; the other files of the batch are kept.

Django reduces an uploaded name to its last part before handlers see it; the parser
below hands the handler the name as sent, so that ``../../x.pdf`` is refused rather than
silently renamed.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser

from documents.filetypes import Refusal, check_name

FIELD = "files"


@dataclass
class Refused:
    position: int  # order of the file in the upload, from 1
    name: str
    reason: str


class DocumentUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.max_size = settings.DOCUMENT_MAX_FILE_SIZE
        self.max_files = settings.DOCUMENT_MAX_FILES
        self.position = 0
        self.refused: list[Refused] = []
        self.sent_name: str | None = None  # set by the parser just before new_file
        self.created: list[TemporaryUploadedFile] = []

    def _refuse(self, reason: str) -> None:
        self.refused.append(Refused(self.position, self.current_name, reason))
        raise SkipFile

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        # The parser closes ``self.file`` when a file is skipped: never the previous one.
        self.__dict__.pop("file", None)
        sent, self.sent_name = self.sent_name or file_name, None
        if field_name != FIELD:
            raise SkipFile
        self.position += 1
        self.current_name = sent
        self.size = 0
        if self.position > self.max_files:
            self._refuse("count")  # the first ten files are considered, the rest refused
        try:
            self.current_name = check_name(sent)
        except Refusal as refusal:
            self._refuse(refusal.code)
        self.digest = hashlib.sha256()
        self.file = TemporaryUploadedFile(
            self.current_name, self.content_type, 0, self.charset, self.content_type_extra
        )
        self.created.append(self.file)

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size > self.max_size:
            self._refuse("size")  # the rest of this file is read and dropped, not kept
        self.digest.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        if file_size == 0:
            self.file.close()
            self.refused.append(Refused(self.position, self.current_name, "empty"))
            return None
        self.file.seek(0)
        self.file.size = file_size
        self.file.sha256 = self.digest.hexdigest()
        self.file.position = self.position
        return self.file

    def discard(self) -> None:
        """Close (and so remove) every temporary file of this request: the upload was
        refused after parsing failed (a full disk, OPS-4)."""
        for file in self.created:
            with contextlib.suppress(OSError):
                file.close()

    def upload_interrupted(self):
        if "file" in self.__dict__:
            self.file.close()  # a TemporaryUploadedFile removes itself when closed


class DocumentUploadParser(MultiPartParser):
    """Django's parser, telling the handler each file's name as the browser sent it."""

    def sanitize_file_name(self, file_name):
        for handler in self._upload_handlers:
            if isinstance(handler, DocumentUploadHandler):
                handler.sent_name = file_name
        # "." and ".." would be dropped silently: keep them, for the handler to refuse.
        return super().sanitize_file_name(file_name) or "unnamed"


def install(request) -> DocumentUploadHandler:
    """Read this request's files with a ``DocumentUploadHandler`` (before anything
    touches ``request.POST``); return the handler, which holds the refusals."""
    handler = DocumentUploadHandler(request)
    request.upload_handlers = [handler]

    def parse_file_upload(meta, post_data):
        return DocumentUploadParser(meta, post_data, [handler], request.encoding).parse()

    request.parse_file_upload = parse_file_upload
    return handler
