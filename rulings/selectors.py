"""Reads of the rulings area (STYLE 1), always scoped: to the program account the person
works in (the list), to what they may see (``scoped`` in the views), or to what the
requesters agreed to publish (the public page)."""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, F, Prefetch, Q, QuerySet, Value, When

from notices.models import searchable
from rulings.forms import SORTS
from rulings.models import Ruling, RulingEvent


def _labels(field: str, choices) -> Case:
    """The choice's label in the current language, to sort by what the page shows."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=Value(""),
        output_field=CharField(),
    )


def _matching(choices, words: str) -> list[str]:
    wanted = searchable(words)
    return [value for value, label in choices if wanted in searchable(str(label))]


LIST_FIELDS = (
    "case_number",
    "kind",
    "status",
    "submitted_at",
    "target_date",
    "program_account__program_identifier",
    "program_account__reference_number",
)


def ruling_list(
    *,
    rulings: QuerySet[Ruling],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    words: str = "",
    sort: str = "",
) -> QuerySet[Ruling]:
    """RUL-1 over ``rulings`` (already scoped): submission date range (drafts, not yet
    submitted, drop out when a range is given), free text matching the type or status
    in the page's language or the case number, and the chosen column's order (newest
    submission first by default, drafts on top)."""
    if start:
        rulings = rulings.filter(submitted_at__date__gte=start)
    if end:
        rulings = rulings.filter(submitted_at__date__lte=end)
    if words:
        rulings = rulings.filter(
            Q(case_number__contains=words.replace(" ", ""))
            | Q(kind__in=_matching(Ruling.Kind.choices, words))
            | Q(status__in=_matching(Ruling.Status.choices, words))
        )
    # The list's columns only (a ruling's long texts are not read to list 2,000 of them);
    # the labels are sort keys, computed only when the order uses them.
    rulings = (
        rulings.select_related("program_account")
        .only(*LIST_FIELDS)
        .alias(
            kind_label=_labels("kind", Ruling.Kind.choices),
            status_label=_labels("status", Ruling.Status.choices),
        )
    )
    key = sort.lstrip("-")
    if key in SORTS:
        column = F(SORTS[key])
        order = (
            column.desc(nulls_last=True) if sort.startswith("-") else column.asc(nulls_last=True)
        )
        return rulings.order_by(order, "-id")
    return rulings.order_by(F("submitted_at").desc(nulls_first=True), "-id")


def ruling_detail(*, rulings: QuerySet[Ruling], pk: int) -> Ruling | None:
    """One request of ``rulings`` (already scoped) with its status history."""
    return (
        rulings.select_related("business", "program_account__business", "created_by")
        .prefetch_related(Prefetch("events", queryset=RulingEvent.objects.select_related("actor")))
        .filter(pk=pk)
        .first()
    )


def published_rulings(*, words: str = "", kind: str = "") -> QuerySet[Ruling]:
    """Decisions whose requester consented to publication, newest first. Only what the
    public page shows is read: never the requester, the business or the account."""
    rulings = Ruling.objects.filter(
        status=Ruling.Status.DECISION_RENDERED, consent_to_publish=True
    ).only("case_number", "kind", "decided_at", "decision_en", "decision_fr")
    if kind:
        rulings = rulings.filter(kind=kind)
    for word in words.split()[:10]:
        rulings = rulings.filter(
            Q(case_number__contains=word)
            | Q(decision_en__icontains=word)
            | Q(decision_fr__icontains=word)
        )
    return rulings.order_by("-decided_at", "-id")
