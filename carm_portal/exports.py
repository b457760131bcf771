"""CSV exports that cannot carry formulas (SPEC SEC-8; OWASP "CSV injection").

A cell a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is written with a leading apostrophe, which spreadsheets
show as text. Numbers stay numbers: an ``int``/``Decimal``, or a string that is only a
signed decimal number (an amount such as ``-12.50``), is written as it is. Every CSV the
portal writes goes through ``csv_writer``; a download through ``csv_response``.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def safe_cell(value) -> object:
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write returns the line (for streaming responses)."""

    def write(self, value):
        return value


class SafeWriter:
    def __init__(self, target=None):
        self._writer = csv.writer(target if target is not None else _Echo())

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])


def csv_writer(target=None) -> SafeWriter:
    """A csv writer neutralising formulas; without ``target``, ``writerow`` returns the
    line for a ``StreamingHttpResponse``."""
    return SafeWriter(target)


CSV_CHUNK_ROWS = 500


def csv_chunks(rows):
    """The CSV of ``rows`` in chunks of CSV_CHUNK_ROWS lines: streamed (memory stays flat
    however many rows), without a write to the socket for every line."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # SEC-8: no formulas
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(rows, filename: str):
    """A streamed CSV download of ``rows`` (an iterable of lists, the header first),
    every cell made safe."""
    from django.http import StreamingHttpResponse

    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
