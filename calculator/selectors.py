"""Reads of the calculator: the tariff in force, treatments, exchange rates, trade
measures and the classification search (SPEC CALC-2 … CALC-6).

The tariff is public reference data: these reads are not scoped to a business.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Prefetch

from calculator import reference
from calculator.models import (
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
)

SEARCH_LIMIT = 25
WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*", re.UNICODE)
NUMBER_QUERY = re.compile(r"^\d{2,4}(\.?\d{0,2}){0,3}$")


def _editions() -> list[TariffEdition]:
    return reference.memo(
        "editions", lambda: list(TariffEdition.objects.order_by("-effective_from"))
    )


def edition_in_force(*, on: date) -> TariffEdition | None:
    """The edition of the Customs Tariff in force on a date (the latest one that began
    on or before it)."""
    return next((e for e in _editions() if e.effective_from <= on), None)


class RateRow(NamedTuple):
    """The rate of one treatment for a line, as read (no model instance: searches read
    hundreds of them)."""

    treatment_id: str
    rate_text: str


def rates_of(line: TariffLine) -> list[RateRow]:
    rows = getattr(line, "rate_rows", None)
    if rows is None:
        rows = [RateRow(rate.treatment_id, rate.rate_text) for rate in line.rates.all()]
    return rows


LINE_FIELDS = [
    field.attname for field in TariffLine._meta.concrete_fields if field.attname != "search_vector"
]


_batch_lines: ContextVar[dict | None] = ContextVar("calculator_batch_lines", default=None)


@contextmanager
def batch():
    """Within it, each classification number is read once: a commercial accounting
    declaration's hundreds of lines share a few numbers (DECL-2, bench/declarations_bench.py)."""
    token = _batch_lines.set({})
    try:
        yield
    finally:
        _batch_lines.reset(token)


def tariff_line_get(*, number: str, on: date, with_path: bool = True) -> TariffLine | None:
    """A classification number in the edition in force on ``on``, with its rates;
    ``with_path`` adds its hierarchy. Without it, two short hand-written queries: this is
    the calculation's only database work (bench/calculator_bench.py); inside ``batch()``,
    once per number."""
    edition = edition_in_force(on=on)
    if edition is None:
        return None
    memo = _batch_lines.get() if not with_path else None
    if memo is not None:
        key = (edition.pk, number)
        if key not in memo:
            memo[key] = _line_with_rates(edition, number, with_path=False)
        return memo[key]
    return _line_with_rates(edition, number, with_path=with_path)


def _line_with_rates(edition, number: str, *, with_path: bool) -> TariffLine | None:
    if with_path:
        line = (
            TariffLine.objects.filter(edition_id=edition.pk, number=number)
            .defer("search_vector")
            .select_related("item__parent__parent__parent")
            .first()
        )
    else:
        columns = ", ".join(connection.ops.quote_name(name) for name in LINE_FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {TariffLine._meta.db_table} "  # noqa: S608
                "WHERE edition_id = %s AND number = %s",
                [edition.pk, number],
            )
            row = cursor.fetchone()
        line = TariffLine.from_db(connection.alias, LINE_FIELDS, row) if row else None
    if line is None:
        return None
    line.edition = edition
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT treatment_id, rate_text FROM {TariffRate._meta.db_table} "  # noqa: S608
            "WHERE line_id = %s",
            [line.pk],
        )
        pairs = cursor.fetchall()
    line.rate_rows = [RateRow(code, text) for code, text in pairs]
    return line


def _treatments() -> dict[str, TariffTreatment]:
    return reference.memo("treatments", lambda: {t.code: t for t in TariffTreatment.objects.all()})


def treatment_get(code: str) -> TariffTreatment | None:
    return _treatments().get(code)


def sorted_rates(line: TariffLine) -> list[TariffRate]:
    """A line's rates in the order of the treatments (MFN first)."""
    treatments = _treatments()

    def position(rate):
        treatment = treatments.get(rate.treatment_id)
        return (rate.treatment_id != "MFN", treatment.position if treatment else 999)

    return sorted(rates_of(line), key=position)


def treatment_list() -> list[TariffTreatment]:
    return list(_treatments().values())


def _eligibility() -> dict[str, list[tuple]]:
    def load():
        table: dict[str, list[tuple]] = {}
        for row in TreatmentCountry.objects.values_list(
            "country", "treatment_id", "eligible", "valid_from", "valid_to"
        ):
            table.setdefault(str(row[0]), []).append(row[1:])
        return table

    return reference.memo("eligibility", load)


def treatments_open_to(
    *, origin: str, on: date, line: TariffLine | None = None
) -> list[TariffTreatment]:
    """The treatments the goods of ``origin`` may claim on ``on``; with a ``line``, only
    those that have a rate for it. MFN first."""
    listed, excluded = set(), set()
    for code, eligible, valid_from, valid_to in _eligibility().get(origin, []):
        if (valid_from is None or valid_from <= on) and (valid_to is None or valid_to >= on):
            (listed if eligible else excluded).add(code)
    treatments = [
        t
        for t in _treatments().values()
        if (t.open_to_all and t.code not in excluded) or t.code in listed
    ]
    if line is not None:
        with_rate = {rate.treatment_id for rate in rates_of(line)}
        treatments = [t for t in treatments if t.code in with_rate]
    return sorted(treatments, key=lambda t: (t.code != "MFN", t.position, t.code))


def exchange_rate_for(*, currency: str, on: date) -> ExchangeRate | None:
    """The Bank of Canada daily rate of ``on`` or, when none was published that day,
    of the last earlier day that has one."""
    return reference.memo_item(
        "exchange-rates",
        (currency, on),
        lambda: (
            ExchangeRate.objects.filter(
                currency=currency, kind=ExchangeRate.Kind.DAILY, date__lte=on
            )
            .order_by("-date")
            .first()
        ),
    )


def currencies_available() -> list[str]:
    """CAD and the currencies that have at least one daily rate."""

    def load():
        codes = ExchangeRate.objects.filter(kind=ExchangeRate.Kind.DAILY).values_list(
            "currency", flat=True
        )
        return ["CAD", *sorted(set(codes) - {"CAD"})]

    return reference.memo("currencies", load)


def trade_measures_for(*, number: str, origin: str, on: date) -> list[TradeMeasure]:
    """Surtaxes, anti-dumping/countervailing duties and excise that apply to a number from
    an origin on a date."""
    order = list(TradeMeasure.Kind.values)  # surtax, anti-dumping, countervailing, excise
    measures = reference.memo(
        "measures",
        lambda: sorted(
            TradeMeasure.objects.all(),
            key=lambda measure: (order.index(measure.kind), measure.code),
        ),
    )
    return [
        measure
        for measure in measures
        if measure.valid_from <= on
        and (measure.valid_to is None or measure.valid_to >= on)
        and measure.matches(number)
        and (not measure.origins or origin in measure.origins)
    ]


# --- Classification search (Aide au classement, SPEC CALC-3) -------------------------------


@dataclass
class SearchResult:
    query: str
    lines: list[TariffLine] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    all_words_matched: bool = True
    edition: TariffEdition | None = None


def _plain(word: str) -> str:
    return "".join(
        char for char in unicodedata.normalize("NFD", word) if unicodedata.category(char) != "Mn"
    ).lower()


def _synonyms() -> dict[str, list[str]]:
    def load():
        table: dict[str, list[str]] = {}
        for word, equivalent in SearchSynonym.objects.values_list("word", "equivalent"):
            table.setdefault(word, []).append(equivalent)
        return table

    return reference.memo("synonyms", load)


def _forms(word: str) -> tuple[str, ...]:
    """A word and its plural or singular, to tell a known word from a misspelling."""
    return (word, f"{word}s", f"{word}es", word.removesuffix("s"), word.removesuffix("es"))


def _word_query(variants: list[str]) -> tuple[str, list[str]]:
    """SQL of a tsquery matching any variant of a word, in English or French."""
    parts, params = [], []
    for variant in variants:
        for config in ("english", "french"):
            parts.append(f"plainto_tsquery('{config}', %s)")
            params.append(variant)
    return "(" + " || ".join(parts) + ")", params


def _combine(terms: list[tuple[str, list[str]]], operator: str) -> tuple[str, list[str]]:
    sql = f" {operator} ".join(term for term, _params in terms)
    return sql, [param for _term, params in terms for param in params]


def _with_rates(queryset) -> list[TariffLine]:
    """Lines with their hierarchy, and their rates read in one query as plain rows."""
    lines = list(queryset.select_related("item__parent__parent__parent").defer("search_vector"))
    if not lines:
        return lines
    editions = {edition.pk: edition for edition in _editions()}
    by_line: dict[int, list[RateRow]] = {line.pk: [] for line in lines}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT line_id, treatment_id, rate_text FROM {TariffRate._meta.db_table} "  # noqa: S608
            "WHERE line_id = ANY(%s)",
            [list(by_line)],
        )
        for line_id, code, text in cursor.fetchall():
            by_line[line_id].append(RateRow(code, text))
    for line in lines:
        line.rate_rows = by_line[line.pk]
        if line.edition_id in editions:
            line.edition = editions[line.edition_id]
    return lines


def tariff_search(*, query: str, on: date, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Find classification numbers from words in English or French.

    Full-text search (GIN index) over each line's text and its parents' texts, with the
    English and French configurations; French words the English-only rows lack are
    looked up in the synonyms (``coton`` → ``cotton``); a word found nowhere is replaced
    by the closest word of the tariff by trigram similarity (``cofee`` → ``coffee``).
    All the words must match; when nothing does, any word may."""
    result = SearchResult(query=query)
    text = " ".join(query.split())[:200]
    edition = edition_in_force(on=on)
    result.edition = edition
    if not text or edition is None:
        return result
    if NUMBER_QUERY.match(text):
        prefix = _dotted_prefix(text.replace(".", ""))
        # A range on the (edition, number) index rather than LIKE, which the index of a
        # non-C collation cannot answer.
        result.lines = _fetch_lines(
            "SELECT id, 0.0 AS rank FROM {line} WHERE edition_id = %s "
            "AND number >= %s AND number < %s ORDER BY number LIMIT %s",
            [edition.pk, prefix, prefix + "~", limit],
            edition,
        )
        return result
    words = list(dict.fromkeys(match.group().lower() for match in WORD.finditer(text)))[:8]
    words = [word for word in words if len(word) >= 2]
    if not words:
        return result
    plain = {word: _plain(word) for word in words}
    synonyms = _synonyms()
    known = set(
        SearchWord.objects.filter(
            word__in=[variant for word in words for variant in _forms(word)]
        ).values_list("word", flat=True)
    )
    terms = []
    for word in words:
        variants = [word, *synonyms.get(plain[word], [])]
        if len(variants) == 1 and not known.intersection(_forms(word)):
            suggestion = (
                SearchWord.objects.annotate(similarity=TrigramSimilarity("word", word))
                .filter(word__trigram_similar=word, similarity__gte=0.4)
                .order_by("-similarity", "word")
                .values_list("word", flat=True)
                .first()
            )
            if suggestion:
                result.corrections[word] = suggestion
                variants.append(suggestion)
        terms.append(_word_query(variants))
    found = _ranked(edition, _combine(terms, "&&"), limit)
    if not found and len(terms) > 1:
        result.all_words_matched = False
        found = _ranked(edition, _combine(terms, "||"), limit)
    result.lines = found
    return result


def _ranked(edition: TariffEdition, query: tuple[str, list[str]], limit: int) -> list[TariffLine]:
    """The best ``limit`` lines for a tsquery: the GIN index finds them, ts_rank orders
    them."""
    sql, params = query
    return _fetch_lines(
        # Only constant SQL is put together here; the words travel as parameters.
        f"SELECT line.id, ts_rank(line.search_vector, query.q) AS rank "  # noqa: S608
        f"FROM {{line}} line, (SELECT {sql} AS q) query "
        "WHERE line.edition_id = %s AND line.search_vector @@ query.q "
        "ORDER BY rank DESC, line.number LIMIT %s",
        [*params, edition.pk, limit],
        edition,
    )


class PathNode(NamedTuple):
    """A level above a line, as the result pages and the API show it."""

    level: str
    code: str
    description_en: str
    description_fr: str
    parent: PathNode | None


def _fetch_lines(ranked_sql: str, params: list, edition: TariffEdition) -> list[TariffLine]:
    """Lines chosen and ordered by ``ranked_sql`` (ids and ranks), with their levels and
    rates, in one round trip: hand-written SQL, as the ORM took longer to build these
    queries than PostgreSQL to answer them (bench/calculator_bench.py)."""
    line_table = TariffLine._meta.db_table
    node_table = TariffNode._meta.db_table
    rate_table = TariffRate._meta.db_table
    columns = ", ".join(f"line.{connection.ops.quote_name(name)}" for name in LINE_FIELDS)
    levels = ("item", "sub", "head", "chap")
    node_columns = ", ".join(
        f"{alias}.code, {alias}.description_en, {alias}.description_fr" for alias in levels
    )
    sql = (
        f"WITH ranked AS ({ranked_sql.format(line=line_table)}) "  # noqa: S608
        f"SELECT {columns}, {node_columns}, "
        f"(SELECT array_agg(rate.treatment_id || E'\\t' || rate.rate_text) "
        f"FROM {rate_table} rate WHERE rate.line_id = line.id) "
        f"FROM ranked JOIN {line_table} line ON line.id = ranked.id "
        f"JOIN {node_table} item ON item.id = line.item_id "
        f"JOIN {node_table} sub ON sub.id = item.parent_id "
        f"JOIN {node_table} head ON head.id = sub.parent_id "
        f"JOIN {node_table} chap ON chap.id = head.parent_id "
        "ORDER BY ranked.rank DESC, line.number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    lines = []
    width = len(LINE_FIELDS)
    for row in rows:
        line = TariffLine.from_db(connection.alias, LINE_FIELDS, row[:width])
        node = None
        values = row[width : width + 12]
        for level, index in (("chapter", 9), ("heading", 6), ("subheading", 3), ("item", 0)):
            node = PathNode(level, *values[index : index + 3], node)
        line.edition = edition
        line.path_item = node
        line.rate_rows = [RateRow(*pair.split("\t", 1)) for pair in (row[width + 12] or []) if pair]
        lines.append(line)
    return lines


def _dotted_prefix(digits: str) -> str:
    parts = [digits[:4], digits[4:6], digits[6:8], digits[8:10]]
    return ".".join(part for part in parts if part)


# --- Browsing the hierarchy -------------------------------------------------------------


def tariff_node_get(*, edition: TariffEdition, code: str) -> TariffNode | None:
    return (
        TariffNode.objects.filter(edition=edition, code=code)
        .select_related("parent__parent__parent")
        .first()
    )


def tariff_chapters(*, edition: TariffEdition) -> list[TariffNode]:
    return list(
        TariffNode.objects.filter(edition=edition, level=TariffNode.Level.CHAPTER)
        .prefetch_related(
            Prefetch("children", queryset=TariffNode.objects.order_by("code"), to_attr="headings")
        )
        .order_by("code")
    )


def tariff_node_children(*, node: TariffNode) -> list[TariffNode]:
    return list(node.children.order_by("code"))


def tariff_item_lines(*, node: TariffNode) -> list[TariffLine]:
    return _with_rates(node.lines.order_by("number"))
