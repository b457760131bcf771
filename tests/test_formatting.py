"""Money and numbers in both languages, on Babel (STYLE 14; SPEC X-1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from carm_portal import formatting

NBSP = "\u00a0"


@pytest.mark.spec("X-1", "X-4")
def test_money_is_what_babel_writes():
    """``money`` writes out Babel's Canadian currency formats (a page of 200 amounts
    spent 12 ms in Babel): the same text for every kind of amount."""
    import random

    from babel.numbers import format_currency

    generator = random.Random(22)  # noqa: S311 (test amounts, not secrets)
    amounts = [Decimal(v) for v in ("0", "-0", "-0.001", "0.005", "999.995", "-999.995", "1e15")]
    amounts += [
        Decimal(generator.randint(-(10**digits), 10**digits)).scaleb(-generator.randint(0, 4))
        for digits in range(1, 16)
        for _ in range(40)
    ]
    for amount in amounts:
        value = amount.quantize(formatting.CENT, rounding="ROUND_HALF_UP")
        for code, locale in formatting.LOCALES.items():
            assert formatting.money(amount, code) == format_currency(value, "CAD", locale=locale)


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
