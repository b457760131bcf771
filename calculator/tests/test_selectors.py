"""Classification search (SPEC CALC-3): words in English or French over the descriptions
and their parents, full-text with a GIN index, trigram similarity for misspellings."""

import pytest
from django.db import connection

from calculator import selectors
from calculator.tests.conftest import SAMPLE_DATE

pytestmark = [pytest.mark.django_db, pytest.mark.spec("CALC-3")]


def numbers(query: str) -> list[str]:
    return [line.number for line in selectors.tariff_search(query=query, on=SAMPLE_DATE).lines]


@pytest.mark.parametrize("query", ["t-shirt coton", "cotton T-shirts", "T-SHIRTS  Cotton"])
def test_t_shirts_of_cotton_in_both_languages(sample, query):
    found = numbers(query)
    assert found and all(number.startswith("6109.10") for number in found[:6])


def test_a_misspelling_still_finds_coffee(sample):
    result = selectors.tariff_search(query="cofee", on=SAMPLE_DATE)
    assert result.corrections == {"cofee": "coffee"}
    assert any(line.chapter == "09" for line in result.lines)


@pytest.mark.parametrize(
    ("query", "prefix"),
    [
        ("café torréfié", "0901"),  # French text of heading 09.01 and synonyms
        ("chaussures cuir", "64"),
        ("vodka", "2208.60"),
        ("bicycles", "8712"),
        ("6109", "6109"),
        ("0901.21", "0901.21"),
        ("9401611010", "9401.61.10.10"),
    ],
)
def test_words_and_numbers(sample, query, prefix):
    assert numbers(query)[0].startswith(prefix)


def test_when_no_number_has_every_word_any_word_counts(sample):
    result = selectors.tariff_search(query="bicycles xylophone", on=SAMPLE_DATE)
    assert not result.all_words_matched
    assert result.lines[0].number.startswith("8712")


def test_nothing_and_no_edition(sample):
    assert numbers("") == []
    assert numbers("qqqqzzzz") == []
    from datetime import date

    assert selectors.tariff_search(query="coffee", on=date(2001, 1, 1)).lines == []


def test_the_search_uses_the_gin_index(sample):
    """The full-text condition is answered from the GIN index (bitmap scan)."""
    from django.contrib.postgres.search import SearchQuery

    from calculator.models import TariffLine

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        queryset = TariffLine.objects.filter(search_vector=SearchQuery("coffee", config="english"))
        plan = queryset.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "tariff_line_search_gin" in plan
