"""Pure parsers of the calculator's published formats (SPEC CALC-5, STAFF-2): text in,
rows out, no database, so they are tested without one. ``calculator.loaders`` stores
what they read.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

NUMBER = re.compile(r"^(\d{4})\.(\d{2})\.(\d{2})\.(\d{2})$")
UNITS_OF_MEASURE = {"NMB", "KGM", "LTR", "LPA", "HLT", "PAR", "DZN", "MTK", "TNE", "NAP", "MTR"}


@dataclass
class LoadReport:
    """What a loader did: rows loaded, rows refused with their reasons, warnings."""

    what: str
    loaded: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    dry_run: bool = False
    unchanged: bool = False  # the same file was loaded before: nothing rewritten

    def refuse(self, row: str, reason: str) -> None:
        self.refused.append((row, reason))

    def warn(self, row: str, reason: str) -> None:
        self.warnings.append((row, reason))

    def lines(self) -> list[str]:
        verb = "would load" if self.dry_run else "loaded"
        out = [f"{self.what}: {self.loaded} rows {verb}, {len(self.refused)} refused."]
        if self.unchanged:
            out[0] += " Unchanged since the last load of this file (--force rewrites it)."
        out += [f"  refused {row}: {reason}" for row, reason in self.refused]
        out += [f"  warning {row}: {reason}" for row, reason in self.warnings]
        return out


def _rows(path: Path | str) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _date(text: str) -> date | None:
    text = (text or "").strip()
    return date.fromisoformat(text) if text else None


@dataclass
class LineData:
    """One classification number as read from a file."""

    number: str
    description_en: str
    unit: str
    mfn_rate: str
    preferential_text: str
    description_fr: str = ""
    heading_fr: str = ""
    source_url: str = ""


def _segments(description: str) -> list[str]:
    return [part.strip() for part in description.split(" - ") if part.strip()]


def _join(segments: Iterable[str]) -> str:
    return " - ".join(segments)


def _common_prefix(lists: list[list[str]]) -> list[str]:
    prefix = list(lists[0])
    for other in lists[1:]:
        size = 0
        while size < min(len(prefix), len(other)) and prefix[size] == other[size]:
            size += 1
        prefix = prefix[:size]
    return prefix


def _plain(word: str) -> str:
    return "".join(
        char for char in unicodedata.normalize("NFD", word) if unicodedata.category(char) != "Mn"
    ).lower()


SCHEDULE_HEADINGS = {
    "tariff item": "item",
    "numéro tarifaire": "item",
    "ss": "ss",
    "description of goods": "description",
    "dénomination des marchandises": "description",
    "unit of meas.": "unit",
    "unité de mesure": "unit",
    "mfn tariff": "mfn",
    "tarif de la nation la plus favorisée": "mfn",
    "tarif npf": "mfn",
    "applicable preferential tariffs": "preferential",
    "tarifs de préférence applicables": "preferential",
}


def read_schedule(text: str, *, report: LoadReport) -> list[LineData]:
    """Read the CBSA schedule table (SOURCES.md §2): Tariff Item | SS | Description of
    Goods | Unit of Meas. | MFN Tariff | Applicable Preferential Tariffs, one table row
    per CSV row, indentation shown by leading dashes. Heading rows give the heading text;
    a line ending in ``:`` is a parent level; SS-only rows belong to the last tariff item;
    each row's full description is its parents' texts joined with `` - ``."""
    reader = csv.reader(io.StringIO(text))
    columns: list[str] | None = None
    heading_text = ""
    stack: list[tuple[int, str]] = []  # (indent, text) of the open parent levels
    current_item = ""
    item_row: dict[str, str] = {}
    lines: list[LineData] = []
    for number, raw in enumerate(reader, start=1):
        if not any(cell.strip() for cell in raw):
            continue
        if columns is None:
            names = [SCHEDULE_HEADINGS.get(cell.strip().lower()) for cell in raw]
            if "item" in names and "description" in names:
                columns = names
                continue
            if len(raw) == 6:  # no heading row: the published column order
                columns = ["item", "ss", "description", "unit", "mfn", "preferential"]
            else:
                report.refuse(f"line {number}", "no column headings of the schedule")
                return []
        row = {name: (raw[i].strip() if i < len(raw) else "") for i, name in enumerate(columns)}
        code = row.get("item", "")
        suffix = row.get("ss", "")
        description = row.get("description", "")
        match = re.match(r"^((?:-\s*)*)(.*)$", description)
        indent = match.group(1).count("-")
        text_part = match.group(2).strip()
        if re.fullmatch(r"\d{2}\.\d{2}", code):  # heading
            heading_text, stack, current_item = text_part, [], ""
            continue
        if code and not re.fullmatch(r"\d{4}\.\d{2}(\.\d{2})?", code):
            report.refuse(f"line {number}", f"tariff item {code!r} is not a tariff number")
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = [heading_text, *[text for _indent, text in stack], text_part]
        if text_part.endswith(":") and not suffix and not row.get("mfn"):
            stack.append((indent, text_part))
            continue
        if code and re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", code):
            current_item = code
            item_row = row
            if not suffix:  # the tariff item's own row; its SS rows follow
                stack.append((indent, text_part))
                continue
        elif code:  # a subheading text row
            stack.append((indent, text_part))
            continue
        if not current_item:
            report.refuse(f"line {number}", "a statistical suffix without a tariff item")
            continue
        if not re.fullmatch(r"\d{2}", suffix):
            report.refuse(f"line {number}", f"statistical suffix {suffix!r} is not 2 digits")
            continue
        lines.append(
            LineData(
                number=f"{current_item}.{suffix}",
                description_en=_join(path),
                unit=row.get("unit") or item_row.get("unit", ""),
                mfn_rate=row.get("mfn") or item_row.get("mfn", ""),
                preferential_text=row.get("preferential") or item_row.get("preferential", ""),
            )
        )
    return lines


_SERIES = re.compile(r"^FX(A?)([A-Z]{3})CAD$")


def valet_json_rows(text: str):
    data = json.loads(text)
    for observation in data.get("observations", []):
        day = observation.get("d", "")
        for series, cell in observation.items():
            if series == "d":
                continue
            yield day, series, (cell or {}).get("v", "") if isinstance(cell, dict) else ""


def valet_csv_rows(text: str):
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip('"') == "OBSERVATIONS")
    except StopIteration:
        start = -1
    reader = csv.reader(lines[start + 1 :])
    header = next(reader, [])
    for row in reader:
        if not row or not row[0].strip():
            continue
        for series, value in zip(header[1:], row[1:], strict=False):
            yield row[0].strip(), series.strip(), value.strip()
