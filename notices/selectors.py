"""Reads of the notices area (STYLE 1), always scoped to the person reading."""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import translation
from django.utils.functional import cached_property

from accounts.models import User
from notices.models import NoticeRecipient, NoticeType, searchable


def notice_list(
    *,
    user: User,
    start: datetime.date,
    end: datetime.date,
    type_id: int | None = None,
    account_number: str = "",
    words: str = "",
) -> QuerySet[NoticeRecipient]:
    """The person's notices between two display dates, newest first (NOTE-2).

    Served by the index ``notice_recipient_list`` (user, display date, notice); the
    search conditions apply to that range; type and account number are on the rows
    themselves. Words of the subject are searched in the page's language, each word
    anywhere, without regard to case or accents (``Notice.search_en`` / ``search_fr``,
    repeated on the rows: no notice is read to search).
    """
    rows = NoticeRecipient.objects.filter(user=user, display_date__gte=start, display_date__lte=end)
    if type_id:
        rows = rows.filter(type_id=type_id)
    if account_number:
        rows = rows.filter(account_number__startswith=account_number.upper())
    if words:
        french = (translation.get_language() or "").startswith("fr")
        field = "search_fr__contains" if french else "search_en__contains"
        for word in searchable(words).split()[:10]:
            rows = rows.filter(**{field: word})
    return rows.order_by("-display_date", "-notice_id")


# The list counts at most this many rows (ADR 0011, as the transaction history does).
NOTICE_COUNT_CAP = 10_000


class NoticePaginator(Paginator):
    """Counts at most ``NOTICE_COUNT_CAP`` rows (a COUNT over a LIMIT, without the sort):
    the busiest person's two years are 100,000 notices; past the cap the list says "more
    than 10,000" and the date range reaches older notices (NOTE-2, X-4)."""

    capped = False

    @cached_property
    def count(self) -> int:
        found = self.object_list.order_by()[: NOTICE_COUNT_CAP + 1].count()
        self.capped = found > NOTICE_COUNT_CAP
        return min(found, NOTICE_COUNT_CAP)


# What a row of the list shows (``notices_rows``): not the notices' texts.
PAGE_FIELDS = (
    "display_date",
    "read_at",
    "notice__account_number",
    "notice__urgent",
    "notice__subject_en",
    "notice__subject_fr",
    "notice__type__label_en",
    "notice__type__label_fr",
)


def notice_page_rows(page: QuerySet[NoticeRecipient], *, user: User) -> list[NoticeRecipient]:
    """The rows of one page of ``notice_list`` (the person's), with their notices and
    types, in one query and the page's order: the page's notice ids are a subquery the
    index ``notice_recipient_list`` answers alone (an index only scan: however deep the
    page, the rows skipped are never read), then the person's copies of those notices
    with what a row shows (not the notices' texts)."""
    return list(
        NoticeRecipient.objects.select_related("notice__type")
        .only(*PAGE_FIELDS)
        .filter(user=user, notice_id__in=page.values("notice_id"))
        .order_by(*page.query.order_by)
    )


def notice_for_recipient(*, user: User, notice_id: int) -> NoticeRecipient | None:
    """The person's copy of a notice; None when it was not addressed to them (NOTE-3)."""
    return (
        NoticeRecipient.objects.select_related(
            "notice__type", "notice__business", "notice__program_account"
        )
        .filter(user=user, notice_id=notice_id)
        .first()
    )


def notice_unread_count(*, user: User) -> int:
    """How many of the person's notices are unread (HOME-1): one count on the partial
    index ``notice_recipient_unread``."""
    return NoticeRecipient.objects.filter(user=user, read_at__isnull=True).count()


def notice_types() -> QuerySet[NoticeType]:
    return NoticeType.objects.order_by("label_en")
