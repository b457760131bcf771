"""Benchmark of the calculator with the tariff scaled to 20,000 lines (a script, not a test).

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/calculator_bench.py [--lines 20000]

With ``--keep`` on a scratch database the BENCH edition is committed, and later runs
reuse it (no minute of loading before the timings).

Builds an edition of N lines from the real T2026-2 sample (each copy renumbered and its
description varied with words of the sample so that texts differ), then times the
classification search (selectors.tariff_search) and the calculation (duties.estimate)
and prints p50/p95. Everything happens in one transaction that is rolled back: the
database is left as it was. Targets on the 2-core development machine: search p95 ≤ 20 ms,
calculation p95 ≤ 5 ms. Timings are noisy on a shared machine: run it twice.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carm_portal.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from calculator import duties, loaders, selectors  # noqa: E402
from calculator.models import ExchangeRate, TariffLine  # noqa: E402
from calculator.parsers import LineData, LoadReport  # noqa: E402

ON = date(2090, 1, 15)
QUERIES = [
    "cotton T-shirts",
    "t-shirt coton",
    "cofee",
    "roasted coffee",
    "leather footwear",
    "chaussures cuir",
    "wooden furniture",
    "meubles bois",
    "vodka",
    "bicycles",
    "microwave ovens",
    "stainless steel sinks",
    "plastic boxes",
    "handbags",
    "umbrellas",
    "smartphones",
    "toys",
    "whisky",
    "6109",
    "9401",
]
ORIGINS = ["US", "CN", "MX", "GB", "FR", "JP", "VN", "DE", "KR", "IN"]


class Rollback(Exception):
    pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def build_lines(count: int, rng: random.Random) -> list[LineData]:
    sample = list(TariffLine.objects.filter(edition__code="T2026-2").prefetch_related("rates"))
    words = sorted(
        {word for line in sample for word in line.label_en.lower().split() if word.isalpha()}
    )
    # Within each heading, copy k of the heading's j-th tariff item is numbered
    # heading + (k × items + j) + the original suffix: unique, hierarchy kept.
    items: dict[str, list[str]] = {}
    for line in sample:
        heading_items = items.setdefault(line.number[:4], [])
        if line.tariff_item not in heading_items:
            heading_items.append(line.tariff_item)
    lines = []
    for index in range(count):
        line = sample[index % len(sample)]
        copy = index // len(sample)
        heading_items = items[line.number[:4]]
        position = copy * len(heading_items) + heading_items.index(line.tariff_item)
        middle = f"{position:04d}"
        number = f"{line.number[:4]}.{middle[:2]}.{middle[2:]}.{line.number[-2:]}"
        preferences = ", ".join(
            f"{rate.treatment_id} {rate.rate_text}"
            for rate in line.rates.all()
            if rate.treatment_id != "MFN"
        )
        lines.append(
            LineData(
                number=number,
                description_en=f"{line.description_en} - Variant {' '.join(rng.sample(words, 2))}",
                description_fr=line.description_fr,
                heading_fr=line.heading_fr,
                unit=line.unit_of_measure,
                mfn_rate=line.mfn_rate,
                preferential_text=preferences,
            )
        )
    assert len({line.number for line in lines}) == count
    return lines


def timed(function, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--searches", type=int, default=10, help="rounds over the queries")
    parser.add_argument("--calculations", type=int, default=500)
    parser.add_argument(
        "--keep", action="store_true", help="commit the BENCH edition (for a scratch database)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny scale so that CI keeps it working"
    )
    args = parser.parse_args()
    if args.smoke:
        args.lines, args.searches, args.calculations, args.keep = 300, 1, 20, False
    rng = random.Random(20261127)  # noqa: S311 - reproducible test data, not secrets
    try:
        with transaction.atomic():
            started = time.perf_counter()
            if not TariffLine.objects.filter(edition__code="BENCH").exists():
                loaders.calculator_demo_load()
                lines = build_lines(args.lines, rng)
                report = LoadReport("bench")
                loaders.tariff_edition_store(
                    edition_code="BENCH",
                    effective_from=date(2090, 1, 1),
                    lines=lines,
                    report=report,
                )
                ExchangeRate.objects.create(
                    currency="USD", date=date(2090, 1, 14), cad_per_unit=Decimal("1.3693")
                )
            load_seconds = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE calculator_tariffline")
                cursor.execute("ANALYZE calculator_tariffrate")
                cursor.execute("ANALYZE calculator_searchword")
            bench_lines = list(
                TariffLine.objects.filter(edition__code="BENCH").prefetch_related("rates")
            )
            print(f"tariff: {len(bench_lines)} lines ready in {load_seconds:.1f} s")

            # Warm up, then time.
            for query in QUERIES:
                selectors.tariff_search(query=query, on=ON)
            search_times: list[float] = []
            per_query: dict[str, list[float]] = {}
            found = {}
            for _ in range(args.searches):
                for query in QUERIES:
                    took = timed(
                        lambda q=query: found.__setitem__(
                            q, len(selectors.tariff_search(query=q, on=ON).lines)
                        ),
                        1,
                    )
                    search_times += took
                    per_query.setdefault(query, []).extend(took)

            cases = []
            for _ in range(args.calculations):
                line = rng.choice(bench_lines)
                rates = {rate.treatment_id for rate in line.rates.all()}
                cases.append(
                    {
                        "number": line.number,
                        "origin": rng.choice(ORIGINS),
                        "treatment": "MFN",
                        "value": Decimal(rng.randint(100, 100000)) / 100,
                        "currency": rng.choice(["USD", "CAD"]),
                        "shipping_date": ON,
                        "quantity": Decimal(rng.randint(1, 500)) if line.unit_of_measure else None,
                        "_rates": rates,
                    }
                )
            errors = 0

            def calculate(case):
                nonlocal errors
                try:
                    duties.estimate(**{k: v for k, v in case.items() if k != "_rates"})
                except duties.EstimateError:
                    errors += 1  # e.g. a specific rate on a line without unit: still timed

            for case in cases[:20]:
                calculate(case)
            errors = 0
            calculation_times = []
            for case in cases:
                calculation_times += timed(lambda c=case: calculate(c), 1)

            print(
                f"search ({len(search_times)} queries): "
                f"p50 {statistics.median(search_times):.1f} ms, "
                f"p95 {percentile(search_times, 0.95):.1f} ms, "
                f"max {max(search_times):.1f} ms"
            )
            print(
                f"calculation ({len(calculation_times)}): "
                f"p50 {statistics.median(calculation_times):.2f} ms, "
                f"p95 {percentile(calculation_times, 0.95):.2f} ms, "
                f"max {max(calculation_times):.2f} ms ({errors} refused with a field error)"
            )
            print(
                "results (median ms) per query:",
                ", ".join(
                    f"{q!r}: {n} ({statistics.median(per_query[q]):.1f})" for q, n in found.items()
                ),
            )
            if args.keep:
                print("kept: the BENCH edition stays in this database")
                return
            raise Rollback
    except Rollback:
        print("rolled back: the database is as it was")


if __name__ == "__main__":
    main()
