"""The arithmetic of SPEC CALC-6 with amounts worked out by hand, treatments by origin,
the exchange-rate date rule, editions in force, and surtax/anti-dumping/excise lines."""

from datetime import date
from decimal import Decimal

import pytest

from calculator import selectors
from calculator.duties import EstimateError, estimate
from calculator.models import TradeMeasure
from calculator.tests.conftest import SAMPLE_DATE, make_edition, make_rate

pytestmark = pytest.mark.django_db

D = Decimal
FUTURE = date(2031, 3, 2)  # after the test edition below begins


@pytest.fixture
def test_tariff(calculator_data):
    """A small edition in force from 2031 with the rate kinds the sample lacks."""
    make_edition(
        "TEST-2031",
        date(2031, 1, 1),
        [
            ("9901.00.00.10", "NMB", "4%", "UST: Free"),
            ("9901.00.00.20", "KGM", "2.84¢/kg", ""),
            ("9901.00.00.30", "KGM", "$98.60/tonne plus 4%", ""),
            ("9901.00.00.40", "HLT", "256% but not less than $36.67/hl", "CPUKT N/A"),
            ("9901.00.00.50", "LPA", "12.28¢/litre of absolute ethyl alcohol", ""),
            ("9901.00.00.60", "LTR", "$36.67/hl", ""),
            ("9901.00.00.70", "NMB", "Free", "UST: Free CPTPT 13.5%/pair"),
            ("9901.00.00.80", "-", "$1/kg", ""),
        ],
    )
    make_rate("USD", date(2031, 3, 2), "1.15")
    make_rate("USD", date(2031, 2, 27), "1.20")  # a Friday


def run(number, value="100", currency="USD", origin="US", treatment="MFN", **kwargs):
    return estimate(
        number=number,
        origin=origin,
        treatment=treatment,
        value=D(value),
        currency=currency,
        shipping_date=kwargs.pop("on", FUTURE),
        **kwargs,
    )


@pytest.mark.spec("CALC-6")
def test_cbsa_worked_example(test_tariff):
    """US$100 at 1.15 → VFD $115.00; duty 4% $4.60; VFT $119.60; GST $5.98; total $10.58."""
    result = run("9901.00.00.10")
    assert result.vfd == D("115.00")
    assert result.customs_duty.amount == D("4.60")
    assert result.vft == D("119.60")
    assert result.gst == D("5.98")
    assert result.total == D("10.58")
    assert result.rate_date == FUTURE
    assert result.line.edition.code == "TEST-2031"


@pytest.mark.spec("CALC-6")
@pytest.mark.parametrize(
    ("number", "value", "quantity", "duty", "gst", "total"),
    [
        # value × 1.15 = VFD; duty by hand; GST = 5% × (VFD + duty) half-up; total = duty + GST
        # ad valorem: 1000 × 1.15 = 1150.00; 4% = 46.00; VFT 1196.00; GST 59.80
        ("9901.00.00.10", "1000", None, "46.00", "59.80", "105.80"),
        # specific: 500 kg × 2.84¢ = 14.20; VFT 1164.20; GST 58.21
        ("9901.00.00.20", "1000", "500", "14.20", "58.21", "72.41"),
        # compound: 2.5 t × 98.60 = 246.50 + 4% × 1150 = 46.00 → 292.50; VFT 1442.50;
        # GST 72.125 → 72.13
        ("9901.00.00.30", "1000", "2500", "292.50", "72.13", "364.63"),
        # floor, ad valorem wins: 256% × 115 = 294.40 > 36.67 × 2 hl; VFT 409.40; GST 20.47
        ("9901.00.00.40", "100", "2", "294.40", "20.47", "314.87"),
        # floor, the minimum wins: 256% × 11.50 = 29.44 < 36.67 × 2 = 73.34; GST 4.2420 → 4.24
        ("9901.00.00.40", "10", "2", "73.34", "4.24", "77.58"),
        # litre of absolute ethyl alcohol: 40 × 12.28¢ = 4.912 → 4.91; VFT 119.91; GST 5.9955 → 6.00
        ("9901.00.00.50", "100", "40", "4.91", "6.00", "10.91"),
        # $/hl on a tariff in litres: 250 L = 2.5 hl × 36.67 = 91.675 → 91.68 (half-up)
        ("9901.00.00.60", "100", "250", "91.68", "10.33", "102.01"),
        # free: no duty; GST 5% × 115 = 5.75
        ("9901.00.00.70", "100", None, "0.00", "5.75", "5.75"),
    ],
)
def test_every_rate_kind(test_tariff, number, value, quantity, duty, gst, total):
    result = run(number, value=value, quantity=D(quantity) if quantity else None)
    assert result.customs_duty.amount == D(duty)
    assert result.gst == D(gst)
    assert result.total == D(total)
    assert result.vft == result.vfd + result.customs_duty.amount


@pytest.mark.spec("CALC-6")
def test_a_specific_rate_without_quantity_is_a_quantity_error(test_tariff):
    with pytest.raises(EstimateError) as error:
        run("9901.00.00.20")
    assert "kilograms (KGM)" in str(error.value.errors["quantity"][0])


@pytest.mark.spec("CALC-6")
def test_a_specific_rate_without_unit_of_measure_stops(test_tariff):
    with pytest.raises(EstimateError) as error:
        run("9901.00.00.80", quantity=D(1))
    assert "number" in error.value.errors or "quantity" in error.value.errors


@pytest.mark.spec("CALC-6")
def test_an_unknown_rate_text_stops_the_calculation(test_tariff):
    """CPTPT 13.5%/pair is published; the calculator refuses it rather than guess."""
    with pytest.raises(EstimateError) as error:
        run("9901.00.00.70", origin="JP", treatment="CPTPT")
    assert "13.5%/pair" in str(error.value.errors["treatment"][0])


@pytest.mark.spec("CALC-6")
def test_not_available_preference(test_tariff):
    with pytest.raises(EstimateError) as error:
        run("9901.00.00.40", origin="GB", treatment="CPUKT", quantity=D(1))
    assert "N/A" in str(error.value.errors["treatment"][0])


@pytest.mark.spec("CALC-6")
@pytest.mark.parametrize(
    ("shipped", "used"),
    [
        (date(2031, 3, 2), date(2031, 3, 2)),  # published that day
        (date(2031, 3, 1), date(2031, 2, 27)),  # Saturday: the last earlier published day
        (date(2031, 2, 28), date(2031, 2, 27)),
        (date(2031, 2, 27), date(2031, 2, 27)),
    ],
)
def test_exchange_rate_of_the_date_or_the_last_earlier_day(test_tariff, shipped, used):
    result = run("9901.00.00.10", on=shipped)
    assert result.rate_date == used
    expected = {date(2031, 3, 2): D("115.00"), date(2031, 2, 27): D("120.00")}[used]
    assert result.vfd == expected


@pytest.mark.spec("CALC-6")
def test_no_rate_on_or_before_the_date_is_a_currency_error(test_tariff):
    with pytest.raises(EstimateError) as error:
        run("9901.00.00.10", currency="CHF", on=date(2031, 1, 5))
    assert "CHF" in str(error.value.errors["currency"][0])
    make_rate("CHF", date(2031, 1, 6), "1.5")
    with pytest.raises(EstimateError):  # published only after the date
        run("9901.00.00.10", currency="CHF", on=date(2031, 1, 5))
    # Canadian dollars need no rate.
    assert run("9901.00.00.10", currency="CAD").vfd == D("100.00")


@pytest.mark.spec("CALC-6")
def test_a_stale_rate_is_used_and_said(sample):
    result = run("6109.10.00.12", on=SAMPLE_DATE)
    assert result.rate_date == date(2025, 12, 30)
    assert result.vfd == D("136.93")  # 100 × 1.3693
    assert result.customs_duty.amount == D("24.65")  # 18% × 136.93 = 24.6474
    assert "2025-12-30" in str(result.warnings[0])


@pytest.mark.spec("CALC-5", "CALC-6")
def test_the_edition_in_force_on_the_date_is_used(test_tariff):
    """Editions stay side by side: T2026-2 before 2031, TEST-2031 after."""
    assert selectors.edition_in_force(on=SAMPLE_DATE).code == "T2026-2"
    assert selectors.edition_in_force(on=FUTURE).code == "TEST-2031"
    assert selectors.tariff_line_get(number="6109.10.00.12", on=SAMPLE_DATE) is not None
    assert selectors.tariff_line_get(number="6109.10.00.12", on=FUTURE) is None
    with pytest.raises(EstimateError) as error:
        run("6109.10.00.12")
    assert "TEST-2031" in str(error.value.errors["number"][0])
    with pytest.raises(EstimateError) as error:
        run("6109.10.00.12", on=date(2020, 1, 2))
    assert "shipping_date" in error.value.errors


@pytest.mark.spec("CALC-2")
@pytest.mark.parametrize(
    ("origin", "on", "number", "offered"),
    [
        ("US", SAMPLE_DATE, "6109.10.00.12", ["MFN", "UST"]),
        ("MX", SAMPLE_DATE, "6109.10.00.12", ["MFN", "MXT", "CPTPT"]),
        ("GB", SAMPLE_DATE, "6109.10.00.12", ["MFN", "CPTPT", "UKT", "CPUKT"]),
        ("AU", SAMPLE_DATE, "6109.10.00.12", ["MFN", "AUT", "CPTPT"]),
        ("FR", SAMPLE_DATE, "6109.10.00.12", ["MFN", "CEUT"]),
        ("MQ", SAMPLE_DATE, "6109.10.00.12", ["MFN", "CEUT"]),  # Martinique: CETA
        ("HT", SAMPLE_DATE, "6109.10.00.12", ["MFN", "LDCT"]),
        ("CN", SAMPLE_DATE, "6109.10.00.12", ["MFN"]),
        # GPT withdrawn from Vietnam on 2025-01-01 (SOR/2023-207); CPTPT remains.
        ("VN", date(2024, 6, 1), None, ["MFN", "GPT", "CPTPT"]),
        ("VN", date(2025, 6, 1), None, ["MFN", "CPTPT"]),
        # No MFN for Russia since 2022-03-03: the General Tariff only.
        ("RU", date(2022, 3, 2), None, ["MFN"]),
        ("RU", SAMPLE_DATE, None, ["GT"]),
        ("BY", SAMPLE_DATE, "6109.10.00.12", []),  # GT has no rate in the sample
    ],
)
def test_treatments_by_origin(sample, origin, on, number, offered):
    line = selectors.tariff_line_get(number=number, on=on) if number else None
    codes = [t.code for t in selectors.treatments_open_to(origin=origin, on=on, line=line)]
    assert codes == offered


@pytest.mark.spec("CALC-2")
def test_a_treatment_the_origin_cannot_claim_is_refused(sample):
    with pytest.raises(EstimateError) as error:
        run("6109.10.00.12", origin="CN", treatment="UST", on=SAMPLE_DATE)
    assert "MFN" in str(error.value.errors["treatment"][0])
    free = run("6109.10.00.12", origin="US", treatment="UST", on=SAMPLE_DATE)
    assert free.customs_duty.amount == D("0.00")


@pytest.mark.spec("CALC-6")
def test_surtax_anti_dumping_and_excise_are_separate_lines(test_tariff):
    """Dated data by origin and classification, never code; each rounded; all in VFT."""
    TradeMeasure.objects.create(
        code="test-surtax",
        kind=TradeMeasure.Kind.SURTAX,
        name_en="Test surtax",
        name_fr="Surtaxe d'essai",
        origins=["CN"],
        classification_prefixes="9901.00.00",
        rate_text="25%",
        valid_from=date(2031, 1, 1),
        source_title="test",
    )
    TradeMeasure.objects.create(
        code="test-dumping",
        kind=TradeMeasure.Kind.ANTI_DUMPING,
        name_en="Test dumping",
        name_fr="Dumping d'essai",
        origins=["CN", "VN"],
        classification_prefixes="9901",
        rate_text="10.5%",
        valid_from=date(2031, 1, 1),
        valid_to=date(2031, 2, 28),
        source_title="test",
    )
    TradeMeasure.objects.create(
        code="test-excise",
        kind=TradeMeasure.Kind.EXCISE_TAX,
        name_en="Test excise",
        name_fr="Accise d'essai",
        classification_prefixes="9901.00.00.10",
        rate_text="$100/unit",
        valid_from=date(2031, 1, 1),
        source_title="test",
    )
    # From China on 2031-03-02: surtax 25% × 115 = 28.75; dumping expired 2031-02-28;
    # excise 3 units × $100 = 300.00; duty 4.60; VFT 115 + 333.35 = 448.35; GST 22.4175 → 22.42
    result = run("9901.00.00.10", origin="CN", quantity=D(3))
    assert [(m.code, m.amount) for m in result.measures] == [
        ("surtax", D("28.75")),
        ("excise_tax", D("300.00")),
    ]
    assert result.vft == D("448.35")
    assert result.gst == D("22.42")
    assert result.total == D("355.77")
    # On 2031-02-27 the anti-dumping duty is in force: 10.5% × 120.00 = 12.60.
    earlier = run("9901.00.00.10", origin="CN", quantity=D(3), on=date(2031, 2, 27))
    assert ("anti_dumping", D("12.60")) in [(m.code, m.amount) for m in earlier.measures]
    # From the United States, only the excise tax applies (it has no origin).
    assert [m.code for m in run("9901.00.00.10", quantity=D(1)).measures] == ["excise_tax"]
    # The excise tax is specific: without quantity, a quantity error.
    with pytest.raises(EstimateError) as error:
        run("9901.00.00.10")
    assert "quantity" in error.value.errors


@pytest.mark.spec("CALC-6")
def test_the_real_anti_dumping_example_applies_to_upholstered_seating_from_china(sample):
    result = run("9401.61.10.10", origin="CN", currency="CAD", value="1000", on=SAMPLE_DATE)
    (line,) = result.measures
    assert line.code == "anti_dumping" and not line.verified
    assert line.amount == D("2958.00")  # 295.8% × 1000.00
    assert run("9401.61.10.10", origin="IT", currency="CAD", on=SAMPLE_DATE).measures == []
