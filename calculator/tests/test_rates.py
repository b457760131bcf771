"""The rate grammar of the Customs Tariff (SPEC CALC-6): every published form is parsed
into a structure; a text it does not describe is refused, never guessed."""

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.rates import (
    UNITS,
    AdValorem,
    Quantity,
    Rate,
    RateError,
    Specific,
    display_rate,
    parse_preferences,
    parse_rate,
    render_rate,
)

pytestmark = pytest.mark.spec("CALC-6")

KG, TONNE, LITRE, HL, LAA = (UNITS[c] for c in ("kg", "tonne", "litre", "hl", "laa"))


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Free", "free", Rate()),
        ("En fr.", "free", Rate()),
        ("N/A", "not_available", Rate(available=False)),
        ("6.5%", "ad_valorem", Rate(parts=(AdValorem(Decimal("6.5")),))),
        ("18 %", "ad_valorem", Rate(parts=(AdValorem(Decimal("18")),))),
        ("6,5 %", "ad_valorem", Rate(parts=(AdValorem(Decimal("6.5")),))),
        ("2.84¢/kg", "specific", Rate(parts=(Specific(Decimal("2.84"), KG, True),))),
        ("7.74 ¢/litre", "specific", Rate(parts=(Specific(Decimal("7.74"), LITRE, True),))),
        ("$98.60/tonne", "specific", Rate(parts=(Specific(Decimal("98.60"), TONNE),))),
        ("35.2¢/litre", "specific", Rate(parts=(Specific(Decimal("35.2"), LITRE, True),))),
        (
            "4.92¢/litre of absolute ethyl alcohol",
            "specific",
            Rate(parts=(Specific(Decimal("4.92"), LAA, True),)),
        ),
        ("$36.67/hl", "specific", Rate(parts=(Specific(Decimal("36.67"), HL),))),
        ("36,67 $/hl", "specific", Rate(parts=(Specific(Decimal("36.67"), HL),))),
        (
            "$98.60/tonne plus 4%",
            "compound",
            Rate(parts=(Specific(Decimal("98.60"), TONNE), AdValorem(Decimal(4)))),
        ),
        (
            "256% but not less than $36.67/hl",
            "floor",
            Rate(parts=(AdValorem(Decimal(256)),), minimum=(Specific(Decimal("36.67"), HL),)),
        ),
        (
            "5.62¢/kg but not less than 8.5%",
            "floor",
            Rate(
                parts=(Specific(Decimal("5.62"), KG, True),),
                minimum=(AdValorem(Decimal("8.5")),),
            ),
        ),
        (
            "256 % mais pas moins de 36,67 $/hl",
            "floor",
            Rate(parts=(AdValorem(Decimal(256)),), minimum=(Specific(Decimal("36.67"), HL),)),
        ),
        (
            "12% but not more than $5/kg",
            "ceiling",
            Rate(parts=(AdValorem(Decimal(12)),), maximum=(Specific(Decimal(5), KG),)),
        ),
    ],
)
def test_every_published_form_is_parsed(text, kind, expected):
    rate = parse_rate(text)
    assert rate == expected
    assert rate.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "13.5%/pair",  # published for CPTPT on 6404.19.90: kept verbatim, never guessed
        "",
        "Gratis",
        "5",
        "$5",
        "5¢/furlong",
        "6.5% plus",
        "6.5% but not less than",
        "1,500 $/kg",  # thousands separator or decimal comma: ambiguous
        "6.5% 7%",
    ],
)
def test_unknown_text_is_refused_with_a_reason(text):
    with pytest.raises(RateError) as error:
        parse_rate(text)
    assert error.value.reason


@pytest.mark.parametrize(
    ("text", "value", "quantity", "amount"),
    [
        # Worked out by hand from the rule: ad valorem on the value for duty in CAD,
        # specific per unit of the quantity, compound = sum, floor = the larger.
        ("Free", "1000", None, "0"),
        ("6.5%", "1000", None, "65.0"),
        ("2.84¢/kg", "1000", Quantity(Decimal(500), KG), "14.2"),
        ("$98.60/tonne", "1000", Quantity(Decimal(2500), KG), "246.5"),
        ("35.2¢/litre", "50", Quantity(Decimal(12), LITRE), "4.224"),
        ("$36.67/hl", "50", Quantity(Decimal(250), LITRE), "91.675"),
        ("$98.60/tonne plus 4%", "1000", Quantity(Decimal(2), TONNE), "237.2"),
        ("256% but not less than $36.67/hl", "10", Quantity(Decimal(1), HL), "36.67"),
        ("256% but not less than $36.67/hl", "100", Quantity(Decimal(1), HL), "256"),
    ],
)
def test_amounts_by_hand(text, value, quantity, amount):
    assert parse_rate(text).amount(Decimal(value), quantity) == Decimal(amount)


def test_preference_cells():
    cell = "CCCT, LDCT, UST: Free AUT 11%, NZT 11%, GPT 6¢/litre of absolute ethyl alcohol"
    assert parse_preferences(cell) == {
        "CCCT": "Free",
        "LDCT": "Free",
        "UST": "Free",
        "AUT": "11%",
        "NZT": "11%",
        "GPT": "6¢/litre of absolute ethyl alcohol",
    }
    assert parse_preferences("CPUKT N/A") == {"CPUKT": "N/A"}
    assert parse_preferences("UKT: Free CPTPT 13.5%/pair, CPUKT 13.5%")["CPTPT"] == "13.5%/pair"
    assert parse_preferences("") == {}


def test_display_follows_the_language():
    assert display_rate("256% but not less than $36.67/hl", "fr") == (
        "256 % mais pas moins de 36,67 $/hl"
    )
    assert display_rate("Free", "fr") == "En fr."
    assert display_rate("13.5%/pair", "fr") == "13.5%/pair"  # verbatim when unknown


# --- Properties -----------------------------------------------------------------------

numbers = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("999"), places=2, allow_nan=False
).map(lambda d: d.normalize() if d == d.to_integral() else d)
ad_valorem = st.builds(AdValorem, numbers)
specific = st.builds(
    Specific, numbers, st.sampled_from(sorted(UNITS.values(), key=lambda u: u.code)), st.booleans()
)
component = st.one_of(ad_valorem, specific)
expression = st.lists(component, min_size=1, max_size=3).map(tuple)
rates = st.one_of(
    st.just(Rate()),
    st.just(Rate(available=False)),
    st.builds(Rate, expression),
    st.builds(Rate, expression, expression),
    st.builds(Rate, expression, st.just(()), expression),
)


@settings(max_examples=200, deadline=None)
@given(rates, st.sampled_from(["en", "fr"]))
def test_rendering_then_parsing_gives_the_same_rate(rate, language):
    assert parse_rate(render_rate(rate, language)) == rate


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_a_rate_or_a_rate_error(text):
    with contextlib.suppress(RateError):
        parse_rate(text)


@settings(max_examples=200, deadline=None)
@given(
    st.builds(Rate, expression, expression),
    st.decimals(min_value=0, max_value=10**6, places=2),
    st.decimals(min_value=0, max_value=10**4, places=3),
)
def test_a_floor_is_never_undercut(rate, value, amount):
    dimensions = {unit.dimension for unit in rate.specific_units()}
    if len(dimensions) > 1:
        return
    unit = rate.specific_units()[0] if dimensions else KG
    quantity = Quantity(amount, unit)
    floor = Rate(parts=rate.minimum).amount(value, quantity)
    assert rate.amount(value, quantity) >= floor
    assert rate.amount(value, quantity) >= 0
