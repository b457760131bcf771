"""Reads of the commercial accounting declarations (SPEC DECL-4, DECL-5), always scoped
to one program account, which the view got from ``delegation.access``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.functional import cached_property

from business.models import ProgramAccount
from calculator.declarations_forms import SORTS
from calculator.models import Declaration, DeclarationLine, DeclarationVersion
from carm_portal import formatting
from finance.selectors import HISTORY_COUNT_CAP, CappedPaginator

# A search by classification number probes each CAD's lines: its count stops sooner.
CLASSIFICATION_COUNT_CAP = 1_000


class DeclarationPaginator(CappedPaginator):
    """The transaction history's capped count (ADR 0011), with a cap of its own."""

    def __init__(self, *args, cap: int = HISTORY_COUNT_CAP, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        found = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)


def declaration_list(
    *,
    account: ProgramAccount,
    number: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    status: str = "",
    port: str = "",
    classification: str = "",
    sort: str = "",
) -> QuerySet[Declaration]:
    """DECL-5: the account's CADs, filtered and sorted; newest release first, drafts
    without a release date on top. Every filter is on an index of the account."""
    rows = Declaration.objects.filter(program_account=account)
    if number:
        rows = rows.filter(transaction_number__startswith=number)
    if start:
        rows = rows.filter(release_date__gte=start)
    if end:
        rows = rows.filter(release_date__lte=end)
    if status:
        rows = rows.filter(status=status)
    if port:
        rows = rows.filter(port_code=port)
    if classification:
        rows = rows.filter(
            Exists(
                DeclarationLine.objects.filter(
                    version_id=OuterRef("current_version_id"),
                    classification_number__startswith=classification,
                )
            )
        )
    rows = rows.select_related("submitted_by_provider")
    key = sort.lstrip("-")
    descending = sort.startswith("-") or key not in SORTS
    columns = SORTS.get(key, SORTS["release"])
    # Newest release first by default (drafts without a date on top: DESC NULLS FIRST).
    return rows.order_by(*(f"-{c}" if descending else c for c in columns))


def declaration_detail(*, pk: int) -> Declaration:
    """A CAD with every version, its lines and who made it (DECL-4's history)."""
    return (
        Declaration.objects.select_related(
            "program_account__business", "created_by", "submitted_by", "submitted_by_provider"
        )
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DeclarationVersion.objects.select_related(
                    "created_by", "acting_for_provider", "decided_by", "posted_transaction"
                ).prefetch_related("lines"),
            )
        )
        .get(pk=pk)
    )


@dataclass
class Change:
    """What one version changed from the one before it (DECL-4)."""

    header: list[tuple[Any, Any, Any]] = field(default_factory=list)  # (label, before, after)
    added: list[DeclarationLine] = field(default_factory=list)
    removed: list[DeclarationLine] = field(default_factory=list)
    changed: list[tuple[int, list[tuple[Any, Any, Any]]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.header or self.added or self.removed or self.changed)


def _shown(value, *, money: bool = False) -> Any:
    """A value as the page's language writes it (amounts, numbers, dates, countries)."""
    if value in (None, ""):
        return "—"
    if isinstance(value, Decimal):
        return formatting.money(value) if money else formatting.number(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return getattr(value, "code", None) or value


def version_changes(before: DeclarationVersion, after: DeclarationVersion) -> Change:
    """Field by field and line by line (by line number)."""
    change = Change()
    for name in DeclarationVersion.HEADER_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if str(old or "") != str(new or ""):
            label = DeclarationVersion._meta.get_field(name).verbose_name
            change.header.append((label, _shown(old), _shown(new)))
    old_lines = {line.position: line for line in before.lines.all()}
    new_lines = {line.position: line for line in after.lines.all()}
    for position in sorted(set(old_lines) | set(new_lines)):
        old, new = old_lines.get(position), new_lines.get(position)
        if old is None:
            change.added.append(new)
        elif new is None:
            change.removed.append(old)
        else:
            fields = []
            for name in (*DeclarationLine.INPUT_FIELDS, "total"):
                a, b = getattr(old, name), getattr(new, name)
                if str(a or "") != str(b or ""):
                    label = DeclarationLine._meta.get_field(name).verbose_name
                    money = name == "total"  # Canadian dollars; a value is in its currency
                    fields.append((label, _shown(a, money=money), _shown(b, money=money)))
            if fields:
                change.changed.append((position, fields))
    return change


def declaration_history(declaration: Declaration) -> list[tuple[DeclarationVersion, Change | None]]:
    """Each version, newest first, with what it changed from the one before it."""
    versions = list(declaration.versions.all())
    history = []
    for index, version in enumerate(versions):
        history.append((version, version_changes(versions[index - 1], version) if index else None))
    return list(reversed(history))
