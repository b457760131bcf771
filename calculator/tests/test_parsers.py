"""The calculator's pure parsers (SPEC CALC-5, STAFF-2): text in, rows out, no database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calculator.parsers import (
    LoadReport,
    read_schedule,
    valet_csv_rows,
    valet_json_rows,
)

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.spec("CALC-5", "STAFF-2")
def test_the_cbsa_schedule_is_read_without_a_database():
    report = LoadReport("schedule")
    lines = read_schedule((DATA / "ch09-schedule-eng.csv").read_text("utf-8-sig"), report=report)
    organic = next(line for line in lines if line.number == "0901.11.00.10")
    assert organic.description_en == (
        "Coffee, whether or not roasted or decaffeinated; coffee husks and skins; coffee "
        "substitutes containing coffee in any proportion. - Coffee, not roasted: - "
        "Not decaffeinated - Certified organic"
    )
    assert (organic.unit, organic.mfn_rate) == ("KGM", "Free")
    assert not report.refused


@pytest.mark.spec("CALC-5")
def test_a_schedule_without_headings_is_refused():
    report = LoadReport("schedule")
    assert read_schedule("a,b\n", report=report) == []
    assert report.refused == [("line 1", "no column headings of the schedule")]


@pytest.mark.spec("CALC-6")
def test_bank_of_canada_valet_rows():
    text = json.dumps({"observations": [{"d": "2025-12-30", "FXUSDCAD": {"v": "1.3693"}}]})
    assert list(valet_json_rows(text)) == [("2025-12-30", "FXUSDCAD", "1.3693")]
    csv_text = '"OBSERVATIONS"\ndate,FXUSDCAD\n2025-12-30,1.3693\n'
    assert list(valet_csv_rows(csv_text)) == [("2025-12-30", "FXUSDCAD", "1.3693")]
