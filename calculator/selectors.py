"""Reads of the calculator: the tariff in force, treatments, exchange rates, trade
measures and the classification search (SPEC CALC-2 … CALC-6).

The tariff is public reference data: these reads are not scoped to a business.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db.models import F, Prefetch, Q

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
)

SEARCH_LIMIT = 25
WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*", re.UNICODE)
NUMBER_QUERY = re.compile(r"^\d{2,4}(\.?\d{0,2}){0,3}$")


def edition_in_force(*, on: date) -> TariffEdition | None:
    """The edition of the Customs Tariff in force on a date (the latest one that began
    on or before it)."""
    return TariffEdition.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


def tariff_line_get(*, number: str, on: date) -> TariffLine | None:
    """A classification number in the edition in force on ``on``, with its rates."""
    return (
        TariffLine.objects.filter(
            number=number,
            edition_id__in=TariffEdition.objects.filter(effective_from__lte=on)
            .order_by("-effective_from")
            .values("pk")[:1],
        )
        .select_related("edition", "item__parent__parent__parent")
        .prefetch_related("rates")
        .first()
    )


def treatment_list() -> list[TariffTreatment]:
    return list(TariffTreatment.objects.all())


def treatments_open_to(
    *, origin: str, on: date, line: TariffLine | None = None
) -> list[TariffTreatment]:
    """The treatments the goods of ``origin`` may claim on ``on``; with a ``line``, only
    those that have a rate for it. MFN first."""
    dated = (Q(countries__valid_from__isnull=True) | Q(countries__valid_from__lte=on)) & (
        Q(countries__valid_to__isnull=True) | Q(countries__valid_to__gte=on)
    )
    listed = TariffTreatment.objects.filter(
        dated, countries__country=origin, countries__eligible=True
    )
    excluded = TariffTreatment.objects.filter(
        dated, countries__country=origin, countries__eligible=False
    )
    treatments = TariffTreatment.objects.filter(
        (Q(open_to_all=True) & ~Q(pk__in=excluded.values("pk"))) | Q(pk__in=listed.values("pk"))
    )
    if line is not None:
        treatments = treatments.filter(pk__in=line.rates.values("treatment_id"))
    return sorted(treatments.distinct(), key=lambda t: (t.code != "MFN", t.position, t.code))


def exchange_rate_for(*, currency: str, on: date) -> ExchangeRate | None:
    """The Bank of Canada daily rate of ``on`` or, when none was published that day,
    of the last earlier day that has one."""
    return (
        ExchangeRate.objects.filter(currency=currency, kind=ExchangeRate.Kind.DAILY, date__lte=on)
        .order_by("-date")
        .first()
    )


def currencies_available() -> list[str]:
    """CAD and the currencies that have at least one daily rate."""
    codes = ExchangeRate.objects.filter(kind=ExchangeRate.Kind.DAILY).values_list(
        "currency", flat=True
    )
    return ["CAD", *sorted(set(codes) - {"CAD"})]


def trade_measures_for(*, number: str, origin: str, on: date) -> list[TradeMeasure]:
    """Surtaxes, anti-dumping/countervailing duties and excise that apply to a number from
    an origin on a date."""
    measures = TradeMeasure.objects.filter(
        Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    order = list(TradeMeasure.Kind.values)  # surtax, anti-dumping, countervailing, excise
    return sorted(
        (
            measure
            for measure in measures
            if measure.matches(number) and (not measure.origins or origin in measure.origins)
        ),
        key=lambda measure: (order.index(measure.kind), measure.code),
    )


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


def _forms(word: str) -> tuple[str, ...]:
    """A word and its plural or singular, to tell a known word from a misspelling."""
    return (word, f"{word}s", f"{word}es", word.removesuffix("s"), word.removesuffix("es"))


def _word_query(variants: list[str]) -> SearchQuery:
    query = None
    for variant in variants:
        for config in ("english", "french"):
            part = SearchQuery(variant, config=config, search_type="plain")
            query = part if query is None else query | part
    return query


def _with_rates(queryset):
    return queryset.select_related("edition", "item__parent__parent__parent").prefetch_related(
        Prefetch(
            "rates",
            queryset=TariffRate.objects.select_related("treatment").order_by("treatment__position"),
        )
    )


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
    lines = TariffLine.objects.filter(edition=edition)
    if NUMBER_QUERY.match(text):
        digits = text.replace(".", "")
        result.lines = list(
            _with_rates(lines.filter(number__startswith=_dotted_prefix(digits))).order_by("number")[
                :limit
            ]
        )
        return result
    words = list(dict.fromkeys(match.group().lower() for match in WORD.finditer(text)))[:8]
    words = [word for word in words if len(word) >= 2]
    if not words:
        return result
    plain = {word: _plain(word) for word in words}
    synonyms: dict[str, list[str]] = {}
    for synonym in SearchSynonym.objects.filter(word__in=set(plain.values())):
        synonyms.setdefault(synonym.word, []).append(synonym.equivalent)
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
    every = terms[0]
    for term in terms[1:]:
        every = every & term
    found = _ranked(lines, every, limit)
    if not found and len(terms) > 1:
        result.all_words_matched = False
        any_word = terms[0]
        for term in terms[1:]:
            any_word = any_word | term
        found = _ranked(lines, any_word, limit)
    result.lines = found
    return result


def _ranked(lines, query: SearchQuery, limit: int) -> list[TariffLine]:
    return list(
        _with_rates(
            lines.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query, cover_density=False))
            .order_by("-rank", "number")
        )[:limit]
    )


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
    return list(_with_rates(node.lines.order_by("number")))
