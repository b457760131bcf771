"""Operator loaders (SPEC CALC-5, STAFF-2): idempotent, with a summary of rows loaded and
rows refused with reasons; the CBSA schedule format and the Bank of Canada's formats."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from calculator import loaders
from calculator.models import (
    ExchangeRate,
    TariffEdition,
    TariffLine,
    TariffNode,
    TariffRate,
    TradeMeasure,
    TreatmentCountry,
)

pytestmark = [pytest.mark.django_db, pytest.mark.spec("CALC-5", "STAFF-2")]

DATA = Path(__file__).resolve().parent / "data"


def test_the_sample_is_loaded_with_its_hierarchy_and_rates(sample):
    assert sample.effective_from == date(2026, 9, 1)
    assert TariffLine.objects.filter(edition=sample).count() == 446
    line = TariffLine.objects.get(edition=sample, number="6109.10.00.12")
    assert line.label_en == "Other T-shirts"
    assert line.unit_of_measure == "NMB"
    rates = {rate.treatment_id: rate.rate_text for rate in line.rates.all()}
    assert rates["MFN"] == "18%" and rates["AUT"] == "11%" and rates["UST"] == "Free"
    assert "GPT" not in rates  # absent from the cell: no preference
    path = []
    node = line.item
    while node:
        path.insert(0, (node.level, node.code))
        node = node.parent
    assert path == [
        ("chapter", "61"),
        ("heading", "61.09"),
        ("subheading", "6109.10"),
        ("item", "6109.10.00"),
    ]
    heading = TariffNode.objects.get(edition=sample, code="09.01")
    assert heading.description_fr.startswith("Café, même torréfié")
    assert TariffLine.objects.get(edition=sample, number="2202.99.33.00").unit_of_measure == "HLT"
    # "-" means no unit shown.
    assert TariffLine.objects.filter(edition=sample, unit_of_measure="-").count() == 0


def test_loading_twice_gives_the_same_data(sample):
    counts = (TariffLine.objects.count(), TariffRate.objects.count(), TariffNode.objects.count())
    forced = loaders.tariff_load_sample(path=loaders.DATA / "customs-tariff-sample.csv", force=True)
    assert forced.loaded == 446 and not forced.unchanged
    reports = loaders.calculator_demo_load()
    assert [r.refused for r in reports] == [[]] * len(reports)
    assert counts == (
        TariffLine.objects.count(),
        TariffRate.objects.count(),
        TariffNode.objects.count(),
    )
    assert ExchangeRate.objects.count() == 204
    assert TradeMeasure.objects.count() == 3
    assert TreatmentCountry.objects.filter(treatment_id="CEUT", country="FR").exists()


def test_rates_the_parser_does_not_know_are_kept_with_a_warning(calculator_data, db, tmp_path):
    report = loaders.tariff_load_sample(
        path=loaders.DATA / "customs-tariff-sample.csv", dry_run=True, force=True
    )
    assert report.loaded == 446 and not report.refused
    assert {row for row, _reason in report.warnings} == {
        "6404.19.90.10",
        "6404.19.90.91",
        "6404.19.90.92",
    }
    assert "13.5%/pair" in report.warnings[0][1]


def _csv(path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _write(tmp_path, name: str, rows: list[dict]) -> Path:
    path = tmp_path / name
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_bad_rows_are_refused_with_their_reason(calculator_data, db, tmp_path):
    good = _csv(loaders.DATA / "customs-tariff-sample.csv")[0]

    def row(**changes):
        return {**good, "tariff_edition": "BAD-1", **changes}

    path = _write(
        tmp_path,
        "bad.csv",
        [
            row(),
            row(),  # twice
            row(classification_number="0901.11.00.1", statistical_suffix="1"),
            row(classification_number="0901.11.00.30", statistical_suffix="30", mfn_rate=""),
            row(
                classification_number="0901.11.00.40",
                statistical_suffix="40",
                unit_of_measure="XYZ",
            ),
            row(
                classification_number="0901.11.00.50",
                statistical_suffix="50",
                preferential_rates_text="ZZT: Free",
            ),
            row(classification_number="0901.11.00.60", statistical_suffix="99"),
            row(
                classification_number="0901.11.00.70",
                statistical_suffix="70",
                effective_date="2026-13-01",
            ),
        ],
    )
    report = loaders.tariff_load_sample(path=path)
    reasons = dict(report.refused)
    assert report.loaded == 1
    assert reasons["0901.11.00.10"] == "appears twice in the file"
    assert "0000.00.00.00" in reasons["0901.11.00.1"]
    assert reasons["0901.11.00.30"] == "no MFN rate"
    assert "unit of measure" in reasons["0901.11.00.40"]
    assert "ZZT" in reasons["0901.11.00.50"]
    assert "0901.11.00.99" in reasons["0901.11.00.60"]
    assert "effective date" in reasons["0901.11.00.70"]
    lines = report.lines()
    assert lines[0].startswith("Customs Tariff (bad.csv): 1 rows loaded, 7 refused.")


def test_the_cbsa_schedule_format_gives_the_same_lines_as_the_sample(calculator_data, db):
    """The chapter 9 table (Tariff Item | SS | Description of Goods | …) with its dashes
    gives the sample's numbers, full descriptions and rates."""
    report = loaders.tariff_load_schedule(
        path=DATA / "ch09-schedule-eng.csv", edition="SCHED-1", effective_from=date(2032, 1, 1)
    )
    assert not report.refused, report.refused
    assert report.loaded == 19
    schedule = TariffEdition.objects.get(code="SCHED-1")
    sample = {
        row["classification_number"]: row
        for row in _csv(loaders.DATA / "customs-tariff-sample.csv")
        if row["chapter"] == "09"
    }
    loaded = {line.number: line for line in schedule.lines.prefetch_related("rates")}
    assert set(loaded) == set(sample)
    for number, line in loaded.items():
        assert line.description_en == sample[number]["description_en"], number
        assert line.mfn_rate == sample[number]["mfn_rate"]
        assert line.unit_of_measure == sample[number]["unit_of_measure"]
        assert len(line.rates.all()) == 23
    # The French schedule fills the French descriptions of the numbers it has.
    french = loaders.tariff_load_schedule(
        path=DATA / "ch09-schedule-fra.csv",
        edition="SCHED-1",
        effective_from=date(2032, 1, 1),
        language="fr",
    )
    assert french.loaded == 3 and not french.refused
    line = TariffLine.objects.get(edition=schedule, number="0901.11.00.10")
    assert line.description_fr == sample["0901.11.00.10"]["description_fr"]
    assert line.label_fr == "Certifié biologique"
    # The sample's own edition is untouched (editions side by side).
    assert TariffLine.objects.filter(edition__code="T2026-2").count() == 446


def test_the_schedule_command_reports_and_refuses(calculator_data, db, tmp_path):
    path = tmp_path / "bad-schedule.csv"
    path.write_text(
        "Tariff Item,SS,Description of Goods,Unit of Meas.,MFN Tariff,"
        "Applicable Preferential Tariffs\n"
        "09.01,,Coffee.,,,\n"
        "0901.1X.00,10,- Bad,KGM,Free,\n"
        ",7,- No item,KGM,Free,\n"
        "0901.11.00,10,- Good,KGM,6.5%,UST: Free\n"
    )
    out = io.StringIO()
    call_command(
        "load_tariff",
        str(path),
        format="schedule",
        edition="SCHED-2",
        effective="2033-01-01",
        stdout=out,
    )
    text = out.getvalue()
    assert "1 rows loaded, 2 refused" in text
    assert "is not a tariff number" in text


def test_bank_of_canada_valet_json_and_csv(calculator_data, db, tmp_path):
    valet = {
        "seriesDetail": {"FXUSDCAD": {"label": "USD/CAD"}},
        "observations": [
            {"d": "2031-05-01", "FXUSDCAD": {"v": "1.3701"}, "FXEURCAD": {"v": "1.5"}},
            {"d": "2031-05-02", "FXUSDCAD": {"v": ""}},
            {"d": "2031-05-03", "FXUSDCAD": {"v": "-1"}},
            {"d": "2031-13-03", "FXUSDCAD": {"v": "1.2"}},
        ],
    }
    json_path = tmp_path / "FXUSDCAD.json"
    json_path.write_text(json.dumps(valet))
    report = loaders.exchange_rates_load(path=json_path)
    assert report.loaded == 2
    assert len(report.refused) == 2
    assert ExchangeRate.objects.get(currency="USD", date=date(2031, 5, 1)).cad_per_unit == (
        Decimal("1.3701")
    )
    csv_path = tmp_path / "FX_RATES_DAILY.csv"
    csv_path.write_text(
        '"TERMS AND CONDITIONS"\n"https://www.bankofcanada.ca/terms/"\n\n"SERIES"\n'
        '"id","label","description"\n"FXUSDCAD","USD/CAD","US dollar to Canadian dollar"\n\n'
        '"OBSERVATIONS"\n"date","FXUSDCAD","FXGBPCAD"\n"2031-05-04","1.3711","1.8"\n'
        '"2031-05-05","1.3722",""\n'
    )
    report = loaders.exchange_rates_load(path=csv_path)
    assert report.loaded == 3 and not report.refused
    # Idempotent.
    assert loaders.exchange_rates_load(path=csv_path).loaded == 3
    assert ExchangeRate.objects.filter(currency="USD", date__year=2031).count() == 3


def test_trade_measures_refused_with_reasons(calculator_data, db, tmp_path):
    base = _csv(loaders.DATA / "trade-measures.csv")[0]
    path = _write(
        tmp_path,
        "measures.csv",
        [
            {**base, "code": "ok"},
            {**base, "code": "bad-kind", "kind": "tariff"},
            {**base, "code": "bad-rate", "rate_text": "a lot"},
            {**base, "code": "bad-prefix", "classification_prefixes": "87x"},
            {**base, "code": "bad-origin", "origins": "ZZ"},
            {**base, "code": "bad-dates", "valid_to": "2020-01-01"},
        ],
    )
    report = loaders.trade_measures_load(path=path)
    assert report.loaded == 1
    assert [code for code, _ in report.refused] == [
        "bad-kind",
        "bad-rate",
        "bad-prefix",
        "bad-origin",
        "bad-dates",
    ]


def test_commands_print_a_summary(calculator_data, db):
    out = io.StringIO()
    call_command("load_calculator_demo", dry_run=True, stdout=out)
    text = out.getvalue()
    assert "Customs Tariff (customs-tariff-sample.csv): 446 rows would load, 0 refused." in text
    assert "Unchanged since the last load" in text
    assert "Exchange rates (exchange-rates-sample.csv): 204 rows would load" in text
    out = io.StringIO()
    call_command(
        "load_treatments",
        str(loaders.DATA / "tariff-treatments.csv"),
        countries=str(loaders.DATA / "treatment-countries.csv"),
        stdout=out,
    )
    assert "Tariff treatments: 27 rows loaded, 0 refused." in out.getvalue()
