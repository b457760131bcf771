"""The calculator's pages in both languages (SPEC CALC-1 … CALC-4, X-1, X-3, X-4):
Douanes then Sommaire with the disclaimer, errors next to the fields, nothing lost."""

import pytest
from django.urls import reverse
from django.utils import translation

from calculator.tests.conftest import SAMPLE_DATE
from tests.html import soup, text

pytestmark = pytest.mark.django_db

GOOD = {
    "number": "6109.10.00.12",
    "origin": "US",
    "shipping_date": SAMPLE_DATE.isoformat(),
    "treatment": "MFN",
    "value": "100",
    "currency": "USD",
    "quantity": "",
    "validate": "1",
}


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"calculator:{name}", kwargs=kwargs or None)


def errors_of(response) -> dict[str, str]:
    page = soup(response)
    return {
        node["id"].removeprefix("id_").removesuffix("-error"): text(node)
        for node in page.select(".error-message")
    }


@pytest.mark.spec("CALC-1")
@pytest.mark.parametrize("name", ["customs", "summary", "classification", "browse"])
def test_pages_need_sign_in(anonymous_client, sample, name):
    response = anonymous_client.get(url(name))
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


@pytest.mark.spec("CALC-1", "CALC-2", "X-1")
@pytest.mark.parametrize(
    ("language", "title", "disclaimer", "steps", "help_button", "validate"),
    [
        (
            "en",
            "Duties and taxes calculator",
            "All results are presented as examples only.",
            ["1. Customs", "2. Summary"],
            "Classification assistance",
            "Validate the data entered",
        ),
        (
            "fr",
            "Calculatrice des droits et taxes",
            "Tous les résultats sont présentés à titre d'exemple seulement.",
            ["1. Douanes", "2. Sommaire"],
            "Aide au classement",
            "Valider les données saisies",
        ),
    ],
)
def test_customs_step_in_both_languages(
    employee_client, sample, language, title, disclaimer, steps, help_button, validate
):
    page = soup(employee_client.get(url("customs", language)))
    assert page.html["lang"] == language
    assert text(page.h1) == title
    assert disclaimer in text(page.select_one(".disclaimer"))
    assert [text(li) for li in page.select(".calculator-steps li")] == steps
    assert page.select_one(".calculator-steps li[aria-current=step]")
    buttons = [text(b) for b in page.select("#customs-form button")]
    assert help_button in buttons and validate in buttons
    label = text(page.find("label", attrs={"for": "id_number"}))
    assert label.startswith("Numéro de classement" if language == "fr" else "Classification")
    # MFN by default; every country but Canada; today's date by default.
    assert page.select_one("#id_treatment option[selected]")["value"] == "MFN"
    assert not page.select("#id_origin option[value=CA]")


@pytest.mark.spec("CALC-1", "CALC-4", "CALC-6", "X-1")
@pytest.mark.parametrize(
    ("language", "amounts"),
    [
        ("en", ["$136.93", "$24.65", "$161.58", "$8.08", "$32.73"]),
        ("fr", ["136,93\xa0$", "24,65\xa0$", "161,58\xa0$", "8,08\xa0$", "32,73\xa0$"]),
    ],
)
def test_the_journey_to_the_summary(
    employee_client, sample, language, amounts, django_assert_max_num_queries
):
    response = employee_client.post(url("customs", language), GOOD)
    assert response.status_code == 302 and response["Location"] == url("summary", language)
    # +1: the person's grants (delegation.access), read once per request for the header.
    with django_assert_max_num_queries(13):
        response = employee_client.get(url("summary", language))
    page = soup(response)
    table = page.select_one("table.summary-table")
    cells = [text(row.select(".amount")[-1]) for row in table.select("tbody tr, tfoot tr")]
    # VFD, customs duty, surtax, anti-dumping, excise, VFT, GST, total.
    assert len(cells) == 8
    assert [cells[0], cells[1], cells[5], cells[6], cells[7]] == [
        a.replace("\xa0", " ") for a in amounts
    ]
    body = text(page.main)
    assert "T2026-2" in body and "2025-12-30" in body and "FXUSDCAD" in body
    assert ("18 %" if language == "fr" else "18%") in text(table)
    assert ("NPF" if language == "fr" else "MFN") in text(table)
    # the treatment's name in the page's language (all 27 have a French name).
    name = "Tarif de la nation la plus favorisée" if language == "fr" else "Most-Favoured"
    assert name in body
    assert ("Most-Favoured" in body) == (language == "en")
    # Printable and start over.
    assert page.select_one("[data-print]")
    assert page.find("form", action=url("start_over", language))


@pytest.mark.spec("CALC-2", "X-1", "X-4")
@pytest.mark.parametrize(
    ("changes", "field", "english", "french"),
    [
        (
            {"value": "-5"},
            "value",
            "Enter a value greater than zero.",
            "Entrez une valeur supérieure à zéro.",
        ),
        (
            {"value": "99999999999"},
            "value",
            "Enter a value of at most 1,000,000,000.",
            "Entrez une valeur d'au plus 1 000 000 000.",
        ),
        (
            {"value": "10.999"},
            "value",
            "Enter a value with at most 2 decimals (cents).",
            "Entrez une valeur d'au plus 2 décimales (cents).",
        ),
        (
            {"value": "ten"},
            "value",
            "Enter the value as a number, for example 1250.00.",
            "Entrez la valeur en chiffres, par exemple 1250,00.",
        ),
        (
            {"number": "1234.56.78.90"},
            "number",
            "Classification number 1234.56.78.90 is not in the Customs Tariff (T2026-2).",
            "Le numéro de classement 1234.56.78.90 ne figure pas dans le Tarif des douanes "
            "(T2026-2).",
        ),
        (
            {"number": "6109.10"},
            "number",
            "Enter a classification number of 10 digits, in the form 0000.00.00.00.",
            "Entrez un numéro de classement de 10 chiffres, sous la forme 0000.00.00.00.",
        ),
        (
            {"currency": "XYZ"},
            "currency",
            "Select a currency from the list.",
            "Sélectionnez une devise dans la liste.",
        ),
        (
            {"number": "2208.40.10.90", "origin": "JM"},
            "quantity",
            "The rate 24.56¢/litre of absolute ethyl alcohol is specific: enter the quantity "
            "in litres of absolute ethyl alcohol (LPA).",
            "Le taux 24,56 ¢/litre d'alcool éthylique absolu est spécifique : entrez la "
            "quantité en litres d'alcool éthylique absolu (LPA).",
        ),
        (
            {"quantity": "1.0001"},
            "quantity",
            "Enter a quantity with at most 3 decimals.",
            "Entrez une quantité d'au plus 3 décimales.",
        ),
        (
            {"treatment": "UST", "origin": "CN"},
            "treatment",
            "Select a tariff treatment from the list.",
            "Sélectionnez un traitement tarifaire dans la liste.",
        ),
        (
            {"shipping_date": "2026-02-30"},
            "shipping_date",
            "Enter the date as YYYY-MM-DD.",
            "Entrez la date sous la forme AAAA-MM-JJ.",
        ),
    ],
)
def test_bad_input_gets_a_field_error_in_both_languages(
    employee_client, sample, changes, field, english, french
):
    for language, message in (("en", english), ("fr", french)):
        data = {**GOOD, **changes}
        response = employee_client.post(url("customs", language), data)
        assert response.status_code == 200
        assert errors_of(response).get(field) == message, errors_of(response)
        page = soup(response)
        widget = page.find(id=f"id_{field}")
        assert widget["aria-invalid"] == "true"
        summary = page.select_one("[data-error-summary]")
        assert summary.find("a", href=f"#id_{field}")
        # Nothing entered is lost.
        for name, value in data.items():
            if name in ("validate", "quantity", "treatment", "currency", "origin"):
                continue
            assert page.find(id=f"id_{name}")["value"] == value, name


@pytest.mark.spec("CALC-2", "X-1")
def test_french_numbers_are_read_the_french_way(employee_client, sample):
    data = {**GOOD, "value": "1\xa0234,50"}
    response = employee_client.post(url("customs", "fr"), data)
    assert response.status_code == 302
    body = text(soup(employee_client.get(url("summary", "fr"))).main)
    assert "1 234,5 USD" in body


@pytest.mark.spec("CALC-2", "X-3")
def test_treatments_follow_the_origin_without_javascript(employee_client, sample):
    data = {**GOOD, "origin": "GB", "refresh": "1"}
    data.pop("validate")
    page = soup(employee_client.post(url("customs"), data))
    offered = [option["value"] for option in page.select("#id_treatment option")]
    assert offered == ["MFN", "CPTPT", "UKT", "CPUKT"]
    assert not page.select(".error-message")
    assert page.find(id="id_value")["value"] == "100"
    assert "Number of units (NMB)" in text(page) or "number of units (NMB)" in text(page)


@pytest.mark.spec("CALC-3", "X-4")
def test_classification_assistance_keeps_the_draft_and_fills_the_number(employee_client, sample):
    data = {**GOOD, "number": "", "classification_help": "1"}
    data.pop("validate")
    response = employee_client.post(url("customs"), data)
    assert response["Location"] == url("classification")
    response = employee_client.post(url("choose"), {"number": "6109.10.00.22"})
    assert response["Location"].startswith(url("customs"))
    page = soup(employee_client.get(url("customs")))
    assert page.find(id="id_number")["value"] == "6109.10.00.22"
    assert page.find(id="id_value")["value"] == "100"
    assert page.select_one("#id_origin option[selected]")["value"] == "US"


@pytest.mark.spec("CALC-3", "X-1")
@pytest.mark.parametrize(
    ("language", "query", "note"),
    [
        ("en", "cotton T-shirts", None),
        ("fr", "t-shirt coton", "Texte français non disponible; texte anglais affiché"),
    ],
)
def test_classification_search_page(
    employee_client, sample, language, query, note, django_assert_max_num_queries
):
    # +1: the person's grants (delegation.access), read once per request for the header.
    with django_assert_max_num_queries(13):
        response = employee_client.get(url("classification", language), {"q": query})
    page = soup(response)
    results = page.select(".tariff-result")
    assert results
    first = results[0]
    assert text(first.select_one(".tariff-number")).startswith("6109.10.00")
    path = [text(li) for li in first.select(".tariff-path li")]
    assert path[0] in ("Chapter 61", "Chapitre 61") and path[1].startswith("61.09")
    assert ("18 %" if language == "fr" else "18%") in text(first.select_one(".rates"))
    assert first.find("form", action=url("choose", language))
    if note:
        assert note in text(first)
        assert first.select_one('[lang="en"]')


@pytest.mark.spec("CALC-3")
def test_misspelling_is_said(employee_client, sample):
    page = soup(employee_client.get(url("classification"), {"q": "cofee"}))
    assert "coffee" in text(page.select_one(".search-results"))
    numbers = [text(n) for n in page.select(".tariff-number strong")]
    assert any(number.startswith("09") for number in numbers)


@pytest.mark.spec("CALC-3")
def test_browsing_chapter_heading_item(employee_client, sample):
    page = soup(employee_client.get(url("browse")))
    chapters = [text(a) for a in page.select(".link-list > li > a")]
    assert "Chapter 09" in chapters and len(chapters) == 18
    page = soup(employee_client.get(url("browse_node", code="09")))
    assert "09.01" in text(page.main)
    page = soup(employee_client.get(url("browse_node", code="0901.11.00")))
    assert [text(n) for n in page.select(".tariff-number strong")] == [
        "0901.11.00.10",
        "0901.11.00.20",
    ]
    assert employee_client.get(url("browse_node", code="99.99")).status_code == 404


@pytest.mark.spec("CALC-1")
def test_summary_without_data_goes_back_and_start_over_clears(employee_client, sample):
    assert employee_client.get(url("summary"))["Location"] == url("customs")
    employee_client.post(url("customs"), GOOD)
    assert employee_client.get(url("summary")).status_code == 200
    employee_client.post(url("start_over"))
    assert employee_client.get(url("summary")).status_code == 302
    page = soup(employee_client.get(url("customs")))
    assert not page.find(id="id_number").get("value")


@pytest.mark.spec("CALC-4", "CALC-6")
def test_summary_shows_the_anti_dumping_line_and_its_caveat(employee_client, sample):
    data = {**GOOD, "number": "9401.61.10.10", "origin": "CN", "currency": "CAD"}
    employee_client.post(url("customs"), data)
    page = soup(employee_client.get(url("summary")))
    rows = {text(row.th): row for row in page.select("table.summary-table tbody tr")}
    dumping = next(row for label, row in rows.items() if label.startswith("Anti-dumping duty"))
    assert text(dumping.select_one(".amount")) == "$295.80"
    assert "not verified" in text(dumping)
