"""Writes of the calculator: the operator loaders of SPEC CALC-5 and STAFF-2 (the
pure parsers they use are in ``calculator.parsers``).

Every loader is idempotent and atomic, reads a published format, and returns a
:class:`LoadReport` saying how many rows it loaded and which it refused, and why.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Value
from django_countries import countries

from calculator import reference
from calculator.models import (
    PREFIX_PATTERN,
    ExchangeRate,
    SearchSynonym,
    SearchWord,
    TariffEdition,
    TariffLine,
    TariffNode,
    TariffRate,
    TariffTreatment,
    TradeMeasure,
    TreatmentCountry,
    split_prefixes,
)
from calculator.parsers import (  # noqa: F401 (LineData, LoadReport: part of the API)
    _SERIES,
    NUMBER,
    SCHEDULE_HEADINGS,
    UNITS_OF_MEASURE,
    LineData,
    LoadReport,
    _common_prefix,
    _date,
    _join,
    _plain,
    _rows,
    _segments,
    read_schedule,
    valet_csv_rows,
    valet_json_rows,
)
from calculator.rates import RateError, parse_preferences, parse_rate

DATA = Path(__file__).resolve().parent / "data"


class DryRun(Exception):
    """Raised inside the atomic block to roll a dry run back."""


def _run(report: LoadReport, dry_run: bool, work) -> LoadReport:
    report.dry_run = dry_run
    try:
        with transaction.atomic():
            work()
            reference.clear()
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    return report


# --- Tariff treatments ------------------------------------------------------------------


def treatments_load(
    *, path: Path | str, countries_path: Path | str | None = None, dry_run: bool = False
) -> list[LoadReport]:
    """Load ``tariff-treatments.csv`` and the countries that may claim each treatment."""
    treatments = LoadReport("Tariff treatments")
    eligibility = LoadReport("Treatment countries")

    def work():
        for position, row in enumerate(_rows(path), start=1):
            code = (row.get("code") or "").strip()
            if not re.fullmatch(r"[A-Z]{2,6}", code):
                treatments.refuse(f"row {position}", f"code {code!r} is not a treatment code")
                continue
            if not (row.get("name_en") or "").strip():
                treatments.refuse(code, "no English name")
                continue
            if not (row.get("name_fr") or "").strip():
                # Both official languages (SPEC X-1): the calculator names the treatment
                # in the page's language.
                treatments.refuse(code, "no French name")
                continue
            cbsa = (row.get("cbsa_tariff_treatment_code") or "").strip()
            TariffTreatment.objects.update_or_create(
                code=code,
                defaults={
                    "name_en": row["name_en"].strip(),
                    "name_fr": (row.get("name_fr") or "").strip(),
                    "abbreviation_fr": (row.get("abbrev_fr") or "").strip(),
                    "cbsa_code": int(cbsa) if cbsa.isdigit() else None,
                    "kind": (row.get("kind") or "").strip(),
                    "agreement": (row.get("agreement_or_program") or "").strip(),
                    "open_to_all": code == "MFN",
                    "beneficiaries_note": (row.get("beneficiaries") or "").strip(),
                    "sources": (row.get("sources") or "").strip(),
                    "notes": (row.get("notes") or "").strip(),
                    "position": position,
                },
            )
            treatments.loaded += 1
        if countries_path:
            known = set(TariffTreatment.objects.values_list("code", flat=True))
            wanted = set()
            for number, row in enumerate(_rows(countries_path), start=2):
                ref = f"line {number}"
                code, country = row["treatment"].strip(), row["country"].strip().upper()
                if code not in known:
                    eligibility.refuse(ref, f"unknown treatment {code}")
                    continue
                if country not in countries:
                    eligibility.refuse(ref, f"unknown country code {country}")
                    continue
                try:
                    valid_from, valid_to = _date(row["valid_from"]), _date(row["valid_to"])
                except ValueError:
                    eligibility.refuse(ref, "a date is not YYYY-MM-DD")
                    continue
                eligible = row["eligible"].strip().lower() in ("yes", "true", "1")
                TreatmentCountry.objects.update_or_create(
                    treatment_id=code,
                    country=country,
                    eligible=eligible,
                    defaults={
                        "valid_from": valid_from,
                        "valid_to": valid_to,
                        "note": row.get("note", "")[:300],
                    },
                )
                wanted.add((code, country, eligible))
                eligibility.loaded += 1
            for pk, code, country, eligible in TreatmentCountry.objects.values_list(
                "pk", "treatment_id", "country", "eligible"
            ):
                if (code, str(country), eligible) not in wanted:
                    TreatmentCountry.objects.filter(pk=pk).delete()

    _run(treatments, dry_run, work)
    eligibility.dry_run = dry_run
    return [treatments, eligibility] if countries_path else [treatments]


# --- Customs Tariff ---------------------------------------------------------------------


def tariff_edition_store(
    *,
    edition_code: str,
    effective_from: date,
    lines: list[LineData],
    report: LoadReport,
    source: str = "",
) -> TariffEdition | None:
    """Replace the content of one edition with ``lines`` (the other editions stay)."""
    treatments = set(TariffTreatment.objects.values_list("code", flat=True))
    if "MFN" not in treatments:
        report.refuse("all rows", "load the tariff treatments first (load_treatments)")
        return None
    accepted: dict[str, tuple[LineData, dict[str, str]]] = {}
    for line in lines:
        if not NUMBER.match(line.number):
            report.refuse(line.number or "(blank)", "not a number of the form 0000.00.00.00")
            continue
        if line.number in accepted:
            report.refuse(line.number, "appears twice in the file")
            continue
        if not line.description_en.strip():
            report.refuse(line.number, "no English description")
            continue
        if not line.mfn_rate.strip():
            report.refuse(line.number, "no MFN rate")
            continue
        unit = line.unit.strip()
        if unit not in UNITS_OF_MEASURE and unit not in ("", "-"):
            report.refuse(line.number, f"unknown unit of measure {unit!r}")
            continue
        try:
            preferences = parse_preferences(line.preferential_text)
        except RateError as error:
            report.refuse(line.number, f"preferential tariffs cannot be read: {error.reason}")
            continue
        unknown = sorted(set(preferences) - treatments)
        if unknown:
            report.refuse(line.number, f"unknown treatment(s) {', '.join(unknown)}")
            continue
        for code, text in [("MFN", line.mfn_rate), *preferences.items()]:
            try:
                parse_rate(text)
            except RateError as error:
                report.warn(
                    line.number,
                    f"{code} rate {text!r} kept verbatim; a calculation with it stops "
                    f"({error.reason})",
                )
        accepted[line.number] = (line, preferences)

    edition, _ = TariffEdition.objects.update_or_create(
        code=edition_code, defaults={"effective_from": effective_from, "source": source[:500]}
    )
    edition.lines.all().delete()
    edition.nodes.all().delete()

    # The hierarchy: chapter → heading → subheading (HS6) → tariff item, each level's
    # text being what all its lines have in common below its parent's text.
    by_level: dict[str, dict[str, list[list[str]]]] = {
        "chapter": {},
        "heading": {},
        "subheading": {},
        "item": {},
    }
    french_heading: dict[str, str] = {}
    for number, (line, _prefs) in accepted.items():
        digits = number.replace(".", "")
        codes = {
            "chapter": digits[:2],
            "heading": f"{digits[:2]}.{digits[2:4]}",
            "subheading": f"{digits[:4]}.{digits[4:6]}",
            "item": number[:10],
        }
        for level, code in codes.items():
            by_level[level].setdefault(code, []).append(_segments(line.description_en))
        if line.heading_fr:
            french_heading[codes["heading"]] = line.heading_fr
    nodes: dict[str, TariffNode] = {}
    parent_of = {"heading": "chapter", "subheading": "heading", "item": "subheading"}
    for level in ("chapter", "heading", "subheading", "item"):
        batch = []
        for code, paths in sorted(by_level[level].items()):
            common = _common_prefix(paths)
            if level == "chapter":
                text, parent = "", None
            else:
                parent_code = {
                    "heading": code[:2],
                    "subheading": f"{code[:2]}.{code[2:4]}",
                    "item": code[:7],
                }[level]
                parent = nodes[parent_code]
                parent_common = _common_prefix(by_level[parent_of[level]][parent_code])
                own = common[len(parent_common) :] if level != "heading" else common[:1]
                text = _join(own)
            batch.append(
                TariffNode(
                    edition=edition,
                    level=level,
                    code=code,
                    parent=parent,
                    description_en=text,
                    description_fr=french_heading.get(code, "") if level == "heading" else "",
                )
            )
        for node in TariffNode.objects.bulk_create(batch):
            nodes[node.code] = node

    created = TariffLine.objects.bulk_create(
        [
            TariffLine(
                edition=edition,
                number=number,
                item=nodes[number[:10]],
                chapter=number[:2],
                heading=f"{number[:2]}.{number[2:4]}",
                subheading=number[:7],
                tariff_item=number[:10],
                description_en=_join(_segments(line.description_en)),
                description_fr=_join(_segments(line.description_fr)),
                label_en=_segments(line.description_en)[-1],
                label_fr=(_segments(line.description_fr) or [""])[-1],
                heading_fr=line.heading_fr,
                unit_of_measure="" if line.unit.strip() == "-" else line.unit.strip(),
                mfn_rate=line.mfn_rate.strip(),
                preferential_text=line.preferential_text.strip(),
                source_url=line.source_url[:500],
            )
            for number, (line, _prefs) in sorted(accepted.items())
        ],
        batch_size=2000,
    )
    rates = []
    for tariff_line in created:
        line, preferences = accepted[tariff_line.number]
        rates.append(TariffRate(line=tariff_line, treatment_id="MFN", rate_text=line.mfn_rate))
        rates += [
            TariffRate(line=tariff_line, treatment_id=code, rate_text=text)
            for code, text in preferences.items()
        ]
    TariffRate.objects.bulk_create(rates, batch_size=5000)
    tariff_search_index_update(edition=edition)
    reference.clear()
    report.loaded = len(created)
    return edition


def tariff_search_index_update(*, edition: TariffEdition) -> None:
    """Full-text vectors of an edition's lines: the line's own text weighs most, then its
    parents' text (English and French configurations), then the French heading."""
    TariffLine.objects.filter(edition=edition).update(
        search_vector=(
            SearchVector("label_en", config="english", weight="A")
            + SearchVector("label_fr", config="french", weight="A")
            + SearchVector("description_en", config="english", weight="B")
            + SearchVector("description_fr", config="french", weight="B")
            + SearchVector("heading_fr", config="french", weight="C")
            + SearchVector(Value(""), config="simple", weight="D")
        )
    )
    search_words_rebuild()


def search_words_rebuild() -> None:
    """The vocabulary used to suggest a spelling (trigram similarity, pg_trgm)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SearchWord._meta.db_table}")  # noqa: S608
        cursor.execute(
            f"""
            INSERT INTO {SearchWord._meta.db_table} (word)
            SELECT DISTINCT word FROM (
                SELECT regexp_split_to_table(
                    lower(description_en || ' ' || description_fr || ' ' || heading_fr),
                    '[^[:alpha:]''-]+'
                ) AS word
                FROM {TariffLine._meta.db_table}
                UNION SELECT lower(word) FROM {SearchSynonym._meta.db_table}
            ) words
            WHERE length(word) BETWEEN 3 AND 100 AND word !~ '^[-'']|[-'']$'
            ON CONFLICT (word) DO NOTHING
            """  # noqa: S608 - table names come from the models
        )
        # Fresh statistics, or the planner answers `word IN (…)` from the trigram index.
        for model in (SearchWord, TariffLine, TariffRate, TariffNode):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def tariff_load_sample(
    *, path: Path | str, dry_run: bool = False, force: bool = False
) -> LoadReport:
    """Load the sample CSV (``customs-tariff-sample.csv``): one edition per
    ``tariff_edition`` value, with its ``effective_date``. An edition already loaded from
    the same file (same SHA-256) is left as it is unless ``force``."""
    report = LoadReport(f"Customs Tariff ({Path(path).name})")
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    source = f"{Path(path).name} sha256:{digest}"
    editions: dict[tuple[str, str], list[LineData]] = {}
    for number, row in enumerate(_rows(path), start=2):
        ref = row.get("classification_number") or f"line {number}"
        expected = f"{row.get('tariff_item', '')}.{row.get('statistical_suffix', '')}"
        if row.get("classification_number") and expected != row["classification_number"]:
            report.refuse(ref, f"tariff item and suffix give {expected}")
            continue
        edition = (row.get("tariff_edition") or "").strip()
        effective = (row.get("effective_date") or "").strip()
        try:
            date.fromisoformat(effective)
        except ValueError:
            report.refuse(ref, f"effective date {effective!r} is not YYYY-MM-DD")
            continue
        if not edition:
            report.refuse(ref, "no tariff edition")
            continue
        editions.setdefault((edition, effective), []).append(
            LineData(
                number=(row.get("classification_number") or "").strip(),
                description_en=row.get("description_en") or "",
                description_fr=row.get("description_fr") or "",
                heading_fr=row.get("description_fr_heading") or "",
                unit=row.get("unit_of_measure") or "",
                mfn_rate=row.get("mfn_rate") or "",
                preferential_text=row.get("preferential_rates_text") or "",
                source_url=row.get("source_url") or "",
            )
        )

    def work():
        for (edition, effective), lines in editions.items():
            same = TariffEdition.objects.filter(
                code=edition, effective_from=date.fromisoformat(effective), source=source
            ).first()
            if same is not None and not force:
                report.loaded += same.lines.count()
                report.unchanged = True
                continue
            before = report.loaded
            tariff_edition_store(
                edition_code=edition,
                effective_from=date.fromisoformat(effective),
                lines=lines,
                report=report,
                source=source,
            )
            report.loaded += before

    return _run(report, dry_run, work)


def tariff_load_schedule(
    *,
    path: Path | str,
    edition: str,
    effective_from: date,
    language: str = "en",
    dry_run: bool = False,
) -> LoadReport:
    """Load one or more chapters of the CBSA schedule (CSV export of the HTML/PDF table).

    English: the chapters replace those chapters in ``edition``. French
    (``language="fr"``): fills the French descriptions of numbers already loaded."""
    report = LoadReport(f"Customs Tariff schedule {edition} ({Path(path).name}, {language})")
    lines = read_schedule(Path(path).read_text(encoding="utf-8-sig"), report=report)

    def work():
        if language == "fr":
            target = TariffEdition.objects.filter(code=edition).first()
            if target is None:
                report.refuse("all rows", f"edition {edition} is not loaded in English")
                return
            for line in lines:
                updated = TariffLine.objects.filter(edition=target, number=line.number).update(
                    description_fr=line.description_en,
                    label_fr=_segments(line.description_en)[-1],
                    heading_fr=_segments(line.description_en)[0],
                )
                if updated:
                    report.loaded += 1
                else:
                    report.refuse(line.number, "not in the English edition")
            tariff_search_index_update(edition=target)
            return
        existing = TariffEdition.objects.filter(code=edition).first()
        chapters = {line.number[:2] for line in lines}
        kept: list[LineData] = []
        if existing:  # other chapters of the edition stay as they are
            for old in existing.lines.exclude(chapter__in=chapters).prefetch_related("rates"):
                preferences = ", ".join(
                    f"{rate.treatment_id} {rate.rate_text}"
                    for rate in old.rates.all()
                    if rate.treatment_id != "MFN"
                )
                kept.append(
                    LineData(
                        number=old.number,
                        description_en=old.description_en,
                        description_fr=old.description_fr,
                        heading_fr=old.heading_fr,
                        unit=old.unit_of_measure,
                        mfn_rate=old.mfn_rate,
                        preferential_text=preferences,
                        source_url=old.source_url,
                    )
                )
        tariff_edition_store(
            edition_code=edition,
            effective_from=effective_from,
            lines=kept + lines,
            report=report,
            source=Path(path).name,
        )
        report.loaded -= len(kept)  # the lines of this file only

    return _run(report, dry_run, work)


# --- Exchange rates ---------------------------------------------------------------------


def exchange_rates_load(*, path: Path | str, dry_run: bool = False) -> LoadReport:
    """Bank of Canada rates from the sample CSV, or the Bank's Valet JSON or CSV."""
    path = Path(path)
    report = LoadReport(f"Exchange rates ({path.name})")
    text = path.read_text(encoding="utf-8-sig")
    records: list[tuple[str, str, str, str, str, str]] = []  # ref, currency, kind, day, value
    if text.lstrip().startswith("{"):
        for day, series, value in valet_json_rows(text):
            records.append((f"{day} {series}", series, day, value, "valet json"))
    elif text.startswith("date_or_year"):
        for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            kind = row.get("rate_type", "")
            currency = row.get("currency", "")
            series = f"FX{'A' if kind == 'annual_average' else ''}{currency}CAD"
            if kind not in ("daily", "annual_average"):
                report.refuse(f"line {number}", f"rate type {kind!r} unknown")
                continue
            if row.get("quote_currency", "CAD") != "CAD":
                report.refuse(f"line {number}", "quote currency is not CAD")
                continue
            day = row.get("date_or_year", "")
            if kind == "annual_average" and re.fullmatch(r"\d{4}", day):
                day = f"{day}-01-01"
            records.append(
                (f"line {number}", series, day, row.get("cad_per_unit", ""), row.get("boc_series"))
            )
    else:
        for day, series, value in valet_csv_rows(text):
            records.append((f"{day} {series}", series, day, value, "valet csv"))

    def work():
        for ref, series, day, value, _source in records:
            match = _SERIES.match(series or "")
            if not match:
                report.refuse(ref, f"series {series!r} is not a Bank of Canada FX series")
                continue
            try:
                when = date.fromisoformat(day)
            except ValueError:
                report.refuse(ref, f"date {day!r} is not YYYY-MM-DD")
                continue
            if not value:
                continue  # the Bank publishes no rate that day for that series
            try:
                rate = Decimal(value)
            except InvalidOperation:
                report.refuse(ref, f"rate {value!r} is not a number")
                continue
            if not rate.is_finite() or rate <= 0 or rate >= Decimal("1e9"):
                report.refuse(ref, f"rate {value!r} is not a positive rate")
                continue
            ExchangeRate.objects.update_or_create(
                currency=match.group(2),
                kind=ExchangeRate.Kind.ANNUAL if match.group(1) else ExchangeRate.Kind.DAILY,
                date=when,
                defaults={
                    "cad_per_unit": rate,
                    "series": series,
                    "source": f"Bank of Canada Valet series {series} ({path.name})",
                },
            )
            report.loaded += 1

    return _run(report, dry_run, work)


# --- Trade measures and search synonyms -------------------------------------------------


def trade_measures_load(*, path: Path | str, dry_run: bool = False) -> LoadReport:
    """Surtaxes, anti-dumping/countervailing duties and excise from our CSV format."""
    report = LoadReport(f"Trade measures ({Path(path).name})")
    kinds = set(TradeMeasure.Kind.values)

    def work():
        for number, row in enumerate(_rows(path), start=2):
            ref = row.get("code") or f"line {number}"
            if row.get("kind") not in kinds:
                report.refuse(ref, f"kind {row.get('kind')!r} unknown")
                continue
            try:
                parse_rate(row.get("rate_text", ""))
            except RateError as error:
                report.refuse(ref, f"rate cannot be read: {error.reason}")
                continue
            prefixes = split_prefixes(row.get("classification_prefixes", ""))
            if not prefixes or not all(PREFIX_PATTERN.match(prefix) for prefix in prefixes):
                report.refuse(ref, "classification numbers must be like 9401.61 or 8703.80")
                continue
            origins = [code.strip().upper() for code in row.get("origins", "").split(",")]
            origins = [code for code in origins if code]
            if any(code not in countries for code in origins):
                report.refuse(ref, "an origin is not an ISO 3166 country code")
                continue
            try:
                valid_from, valid_to = _date(row["valid_from"]), _date(row.get("valid_to", ""))
            except ValueError:
                report.refuse(ref, "a date is not YYYY-MM-DD")
                continue
            if valid_from is None or (valid_to and valid_to < valid_from):
                report.refuse(ref, "valid_from is required and must precede valid_to")
                continue
            TradeMeasure.objects.update_or_create(
                code=row["code"].strip(),
                defaults={
                    "kind": row["kind"],
                    "name_en": row["name_en"].strip(),
                    "name_fr": row["name_fr"].strip(),
                    "origins": origins,
                    "classification_prefixes": ", ".join(prefixes),
                    "rate_text": row["rate_text"].strip(),
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "source_title": row["source_title"].strip()[:300],
                    "source_url": row.get("source_url", "").strip(),
                    "verified": row.get("verified", "yes").strip().lower() in ("yes", "true"),
                    "notes": row.get("notes", "").strip(),
                },
            )
            report.loaded += 1

    return _run(report, dry_run, work)


def search_synonyms_load(*, path: Path | str, dry_run: bool = False) -> LoadReport:
    report = LoadReport(f"Search synonyms ({Path(path).name})")

    def work():
        for number, row in enumerate(_rows(path), start=2):
            word, equivalent = row.get("word", "").strip(), row.get("equivalent", "").strip()
            if not word or not equivalent:
                report.refuse(f"line {number}", "a word and its equivalent are required")
                continue
            SearchSynonym.objects.get_or_create(word=_plain(word), equivalent=equivalent.lower())
            report.loaded += 1
        search_words_rebuild()

    return _run(report, dry_run, work)


def calculator_demo_load(*, dry_run: bool = False) -> list[LoadReport]:
    """Everything the calculator needs, from ``calculator/data`` (idempotent)."""
    reports: list[LoadReport] = []

    def work():
        reports.extend(
            treatments_load(
                path=DATA / "tariff-treatments.csv",
                countries_path=DATA / "treatment-countries.csv",
            )
        )
        reports.append(search_synonyms_load(path=DATA / "search-synonyms.csv"))
        reports.append(tariff_load_sample(path=DATA / "customs-tariff-sample.csv"))
        reports.append(exchange_rates_load(path=DATA / "exchange-rates-sample.csv"))
        reports.append(trade_measures_load(path=DATA / "trade-measures.csv"))

    _run(LoadReport("calculator demo"), dry_run, work)
    for report in reports:
        report.dry_run = dry_run
    return reports
