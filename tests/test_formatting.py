"""Money and numbers in both languages, on Babel (STYLE 14; SPEC X-1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from carm_portal import formatting

NBSP = "\u00a0"


@pytest.mark.spec("X-1")
@pytest.mark.parametrize(
    "amount, english, french",
    [
        (Decimal("1234567.5"), "$1,234,567.50", f"1{NBSP}234{NBSP}567,50{NBSP}$"),
        (Decimal("-1234.565"), "-$1,234.57", f"-1{NBSP}234,57{NBSP}$"),  # half up
        ("0", "$0.00", f"0,00{NBSP}$"),
    ],
)
def test_money(amount, english, french):
    assert formatting.money(amount, "en") == english
    assert formatting.money(amount, "fr") == french
    with translation.override("fr"):
        assert formatting.money(amount) == french


@pytest.mark.spec("X-1")
def test_numbers_keep_every_digit():
    assert formatting.number(Decimal("1234.000123"), "en") == "1,234.000123"
    assert formatting.number(Decimal("1234.50"), "fr") == f"1{NBSP}234,5"


@pytest.mark.spec("X-1")
def test_one_way_to_tell_french():
    assert [formatting.language(c) for c in ("fr", "fr-ca", "FR", "en", "en-ca")] == [
        "fr",
        "fr",
        "fr",
        "en",
        "en",
    ]
