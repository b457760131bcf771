"""Statement periods and business days (SPEC FIN-5, ADR 0011).

A statement of account is issued on the 25th of a month for the period from the 18th of
the previous month to the 17th of this one; payment is due 10 business days after the
17th. Business days are Monday to Friday except the federal general holidays of the
Canada Labour Code (section 166); a holiday falling on a Saturday or Sunday is observed
on the next weekday that is not itself a holiday (Christmas on Saturday → Monday 27,
Boxing Day on Sunday → Tuesday 28).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

ISSUE_DAY = 25
PERIOD_END_DAY = 17
DUE_BUSINESS_DAYS = 10


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter (the anonymous algorithm of Meeus, Jones and Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> dict[datetime.date, str]:
    """The observed federal general holidays of a year: date → name."""
    may_25 = datetime.date(year, 5, 25)
    actual = [
        (datetime.date(year, 1, 1), "New Year's Day"),
        (easter_sunday(year) - datetime.timedelta(days=2), "Good Friday"),
        # Victoria Day: the Monday before May 25.
        (may_25 - datetime.timedelta(days=may_25.weekday() or 7), "Victoria Day"),
        (datetime.date(year, 7, 1), "Canada Day"),
        (_nth_weekday(year, 9, 0, 1), "Labour Day"),
        (datetime.date(year, 9, 30), "National Day for Truth and Reconciliation"),
        (_nth_weekday(year, 10, 0, 2), "Thanksgiving Day"),
        (datetime.date(year, 11, 11), "Remembrance Day"),
        (datetime.date(year, 12, 25), "Christmas Day"),
        (datetime.date(year, 12, 26), "Boxing Day"),
    ]
    observed: dict[datetime.date, str] = {}
    for day, name in actual:
        while day.weekday() >= 5 or day in observed:
            day += datetime.timedelta(days=1)
        observed[day] = name
    return observed


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def add_business_days(day: datetime.date, count: int) -> datetime.date:
    """The ``count``-th business day after ``day`` (``day`` itself never counts)."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


@dataclass(frozen=True)
class StatementPeriod:
    start: datetime.date
    end: datetime.date
    issue_date: datetime.date
    due_date: datetime.date


def statement_period(issue_date: datetime.date) -> StatementPeriod:
    """The period of the statement issued in ``issue_date``'s month: from the 18th of the
    previous month to the 17th of this one (across the year's end in January)."""
    end = issue_date.replace(day=PERIOD_END_DAY)
    previous = (issue_date.replace(day=1) - datetime.timedelta(days=1)).replace(day=18)
    return StatementPeriod(
        start=previous,
        end=end,
        issue_date=issue_date.replace(day=ISSUE_DAY),
        due_date=add_business_days(end, DUE_BUSINESS_DAYS),
    )


def last_issue_date(today: datetime.date) -> datetime.date:
    """The most recent issue date on or before ``today``."""
    if today.day >= ISSUE_DAY:
        return today.replace(day=ISSUE_DAY)
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=ISSUE_DAY)
