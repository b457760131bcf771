"""Statement periods and payment due dates across month ends, year ends and federal
holidays (FIN-5)."""

import datetime

import pytest

from finance.calendar import (
    add_business_days,
    easter_sunday,
    federal_holidays,
    is_business_day,
    last_issue_date,
    statement_period,
)

D = datetime.date


@pytest.mark.spec("FIN-5")
@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2027, D(2027, 3, 28))],
)
def test_easter(year, easter):
    assert easter_sunday(year) == easter


@pytest.mark.spec("FIN-5")
def test_federal_holidays_2026():
    assert sorted(federal_holidays(2026)) == [
        D(2026, 1, 1),
        D(2026, 4, 3),  # Good Friday
        D(2026, 5, 18),  # Victoria Day: the Monday before May 25
        D(2026, 7, 1),
        D(2026, 9, 7),  # Labour Day
        D(2026, 9, 30),  # Truth and Reconciliation
        D(2026, 10, 12),  # Thanksgiving
        D(2026, 11, 11),
        D(2026, 12, 25),
        D(2026, 12, 28),  # Boxing Day is a Saturday: observed on Monday
    ]


@pytest.mark.spec("FIN-5")
def test_holidays_on_a_weekend_move_to_the_next_free_weekday():
    # 2021: Christmas on Saturday → Monday 27, Boxing Day on Sunday → Tuesday 28.
    assert D(2021, 12, 27) in federal_holidays(2021)
    assert D(2021, 12, 28) in federal_holidays(2021)
    # 2022: Canada Day is a Friday (itself); New Year's Day 2022 is a Saturday → Monday 3.
    assert D(2022, 1, 3) in federal_holidays(2022)
    # Victoria Day when May 25 is a Monday is the Monday before (May 18), not May 25.
    assert D(2026, 5, 18) in federal_holidays(2026)
    assert not is_business_day(D(2026, 5, 18))
    assert is_business_day(D(2026, 5, 25))


@pytest.mark.spec("FIN-5")
@pytest.mark.parametrize(
    ("issue", "start", "end", "due"),
    [
        # Ordinary month: 10 business days after Tue Nov 17 → Tue Dec 1.
        (D(2026, 11, 25), D(2026, 10, 18), D(2026, 11, 17), D(2026, 12, 1)),
        # Across Christmas and Boxing Day (observed Mon 28) and New Year's Day into January.
        (D(2026, 12, 25), D(2026, 11, 18), D(2026, 12, 17), D(2027, 1, 5)),
        # January's period starts in the previous year.
        (D(2027, 1, 25), D(2026, 12, 18), D(2027, 1, 17), D(2027, 1, 29)),
        # February (short month) ends the period on the 17th all the same.
        (D(2027, 2, 25), D(2027, 1, 18), D(2027, 2, 17), D(2027, 3, 3)),
        # March: Good Friday (Mar 26, 2027) and Easter Monday (a business day) in the count.
        (D(2027, 3, 25), D(2027, 2, 18), D(2027, 3, 17), D(2027, 4, 1)),
        # September: Labour Day is before, Truth and Reconciliation (Wed Sep 30) inside.
        (D(2026, 9, 25), D(2026, 8, 18), D(2026, 9, 17), D(2026, 10, 2)),
        # October: Thanksgiving (Mon Oct 12) inside.
        (D(2026, 10, 25), D(2026, 9, 18), D(2026, 10, 17), D(2026, 10, 30)),
    ],
)
def test_statement_period_and_due_date(issue, start, end, due):
    period = statement_period(issue)
    assert (period.start, period.end, period.issue_date, period.due_date) == (
        start,
        end,
        issue,
        due,
    )


@pytest.mark.spec("FIN-5")
def test_due_date_counts_only_business_days():
    # Oct 2026: the 17th is a Saturday (Thanksgiving, Oct 12, is before it):
    # 19, 20, 21, 22, 23, 26, 27, 28, 29, 30 → Oct 30.
    assert add_business_days(D(2026, 10, 17), 10) == D(2026, 10, 30)
    # Sep 2026: 18(F),21,22,23,24,25,28,29, [30 holiday], Oct 1, Oct 2 → Oct 2.
    assert add_business_days(D(2026, 9, 17), 10) == D(2026, 10, 2)
    assert add_business_days(D(2026, 12, 24), 1) == D(2026, 12, 29)


@pytest.mark.spec("FIN-5")
@pytest.mark.parametrize(
    ("today", "issue"),
    [
        (D(2026, 11, 25), D(2026, 11, 25)),
        (D(2026, 11, 30), D(2026, 11, 25)),
        (D(2026, 11, 24), D(2026, 10, 25)),
        (D(2027, 1, 3), D(2026, 12, 25)),
    ],
)
def test_last_issue_date(today, issue):
    assert last_issue_date(today) == issue
