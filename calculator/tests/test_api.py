"""The open API /api/v1/ (SPEC CALC-2 … CALC-6, SIGN-1): lookups, search, treatments,
exchange rates and calculations; field errors in the request's language; rate limit with
Retry-After; an OpenAPI 3 schema, fuzzed with schemathesis (no 500 for any input)."""

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from calculator.tests.conftest import SAMPLE_DATE
from tests.html import soup, text

pytestmark = pytest.mark.django_db

CALCULATION = {
    "classification_number": "6109.10.00.12",
    "origin": "US",
    "treatment": "MFN",
    "value": "100.00",
    "currency": "USD",
    "shipping_date": SAMPLE_DATE.isoformat(),
}


@pytest.fixture(autouse=True)
def generous_rate(settings):
    settings.API_ANONYMOUS_RATE = "10000/minute"
    cache.clear()


@pytest.mark.spec("CALC-2")
def test_tariff_lookup(client, sample):
    response = client.get("/api/v1/tariff/6109.10.00.12/", {"date": SAMPLE_DATE.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert body["tariff_edition"] == "T2026-2"
    assert [level["code"] for level in body["path"]] == ["61", "61.09", "6109.10", "6109.10.00"]
    rates = {rate["treatment"]: rate for rate in body["rates"]}
    assert rates["MFN"]["rate"] == "18%" and rates["MFN"]["kind"] == "ad_valorem"
    assert body["description_fr"] is None and body["description_language"] == "en"
    french = client.get("/api/v1/tariff/0901110010/", {"date": "2026-10-01", "lang": "fr"}).json()
    assert french["description"].startswith("Café") and french["description_language"] == "fr"
    assert french["rates"][0]["rate_display"] == "En fr."


@pytest.mark.spec("CALC-3")
@pytest.mark.parametrize("query", ["t-shirt coton", "cotton T-shirts"])
def test_tariff_search(client, sample, query):
    body = client.get("/api/v1/tariff/", {"q": query, "date": SAMPLE_DATE.isoformat()}).json()
    assert body["results"][0]["classification_number"].startswith("6109.10")
    body = client.get("/api/v1/tariff/", {"q": "cofee", "date": SAMPLE_DATE.isoformat()}).json()
    assert body["corrections"] == {"cofee": "coffee"}
    assert any(r["classification_number"].startswith("09") for r in body["results"])


@pytest.mark.spec("CALC-2")
def test_treatments_for_an_origin(client, sample):
    body = client.get(
        "/api/v1/treatments/",
        {"origin": "GB", "number": "6109.10.00.12", "date": SAMPLE_DATE.isoformat()},
        HTTP_ACCEPT_LANGUAGE="fr",
    ).json()
    assert [t["code"] for t in body["treatments"]] == ["MFN", "CPTPT", "UKT", "CPUKT"]
    assert body["treatments"][0]["abbreviation"] == "NPF"
    assert body["treatments"][0]["rate_display"] == "18 %"


@pytest.mark.spec("CALC-6")
@pytest.mark.parametrize(
    ("day", "used"), [("2025-12-30", "2025-12-30"), ("2025-12-31", "2025-12-30")]
)
def test_exchange_rate_of_a_date(client, sample, day, used):
    body = client.get("/api/v1/exchange-rates/usd/", {"date": day}).json()
    assert body == {
        "currency": "USD",
        "currency_name": "US dollar",
        "requested_date": day,
        "date": used,
        "cad_per_unit": "1.3693",
        "series": "FXUSDCAD",
        "source": body["source"],
    }
    assert client.get("/api/v1/exchange-rates/USD/", {"date": "2001-01-02"}).status_code == 404


@pytest.mark.spec("CALC-4", "CALC-6")
def test_calculation(client, sample):
    response = client.post("/api/v1/calculations/", CALCULATION, content_type="application/json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["value_for_duty"] == "136.93"
    assert body["lines"][0] == {
        "code": "customs_duty",
        "label": "Customs duty",
        "rate": "18%",
        "rate_display": "18%",
        "amount": "24.65",
        "source": "T2026-2, MFN",
        "source_url": None,
        "figure_verified": True,
    }
    assert (body["value_for_tax"], body["gst"], body["total"]) == ("161.58", "8.08", "32.73")
    assert body["exchange_rate"]["date"] == "2025-12-30"
    assert body["warnings"]


@pytest.mark.spec("CALC-2", "X-1")
@pytest.mark.parametrize(
    ("changes", "field", "english", "french"),
    [
        (
            {"value": "-1"},
            "value",
            "Enter a value greater than zero.",
            "Entrez une valeur supérieure à zéro.",
        ),
        (
            {"value": "1e12"},
            "value",
            "Enter a value of at most 1,000,000,000.",
            "Entrez une valeur d'au plus 1 000 000 000.",
        ),
        (
            {"value": "1.001"},
            "value",
            "Enter a value with at most 2 decimals (cents).",
            "Entrez une valeur d'au plus 2 décimales (cents).",
        ),
        (
            {"classification_number": "9999.99.99.99"},
            "classification_number",
            "Classification number 9999.99.99.99 is not in the Customs Tariff (T2026-2).",
            "Le numéro de classement 9999.99.99.99 ne figure pas dans le Tarif des douanes "
            "(T2026-2).",
        ),
        (
            {"currency": "XYZ"},
            "currency",
            "Unknown currency XYZ.",
            "Devise inconnue : XYZ.",
        ),
        (
            {"classification_number": "2208.40.10.90", "origin": "JM"},
            "quantity",
            "The rate 24.56¢/litre of absolute ethyl alcohol is specific: enter the quantity "
            "in litres of absolute ethyl alcohol (LPA).",
            "Le taux 24,56 ¢/litre d'alcool éthylique absolu est spécifique : entrez la "
            "quantité en litres d'alcool éthylique absolu (LPA).",
        ),
    ],
)
def test_bad_input_is_a_400_with_field_messages_in_the_request_language(
    client, sample, changes, field, english, french
):
    data = {**CALCULATION, **changes}
    for headers, query, message in (
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "", english),
        ({"HTTP_ACCEPT_LANGUAGE": "fr-CA,fr;q=0.9"}, "", french),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "?lang=fr", french),
    ):
        response = client.post(
            f"/api/v1/calculations/{query}", data, content_type="application/json", **headers
        )
        assert response.status_code == 400
        assert response.json() == {field: [message]}
        assert response["Content-Language"] == ("fr" if message == french else "en")


@pytest.mark.spec("X-4")
def test_anonymous_callers_are_rate_limited_with_retry_after(client, sample, settings):
    settings.API_ANONYMOUS_RATE = "3/minute"
    cache.clear()
    statuses = [client.get("/api/v1/treatments/", {"origin": "US"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/treatments/", {"origin": "US"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Requête" in response.json()["detail"] or "requête" in response.json()["detail"]
    cache.clear()


@pytest.mark.spec("SIGN-1")
def test_schema_and_documentation_page(client, sample):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/tariff/{number}/",
        "/api/v1/tariff/",
        "/api/v1/treatments/",
        "/api/v1/exchange-rates/{currency}/",
        "/api/v1/calculations/",
    }
    for language, heading, summary in (
        ("en", "Duties and taxes API", "Estimate the duties and taxes of one good"),
        ("fr", "API des droits et taxes", "Estimer les droits et taxes d'une marchandise"),
    ):
        with translation.override(language):
            page = soup(client.get(reverse("calculator:api_docs")))
            catalogue = soup(client.get(reverse("portal:api_catalogue")))
        assert text(page.h1) == heading
        assert summary in text(page.main)
        link = catalogue.find("a", href=reverse("calculator:api_docs").replace("/en/", "/en/"))
        assert link is not None or catalogue.select_one("main a[href*='/calculator/api/']")
        assert "No API is published" not in text(catalogue.main)


@pytest.fixture
def api_under_test(calculator_data, db):
    # As Django's test client does: keep the test's connection (and transaction) open
    # across the WSGI requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.spec("X-4")
def test_the_api_never_answers_500(api_under_test):
    """schemathesis generates requests from the API's own schema, operation by operation:
    no 5xx, documented status codes and content types, and every answer valid against its
    published schema (which allows no undocumented field), whatever the input. (Driven
    with hypothesis directly: schemathesis' pytest plugin does not support pytest 9 yet.)"""
    operations = [result.ok() for result in api_under_test.get_all_operations()]
    assert len(operations) == 6
    statuses = []
    for operation in operations:

        @settings(
            max_examples=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def fuzz(case):
            response = case.call_and_validate(
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ]
            )
            statuses.append(response.status_code)

        fuzz()
    assert len(statuses) > 100
    assert {200, 400} <= set(statuses) and max(statuses) < 500


# One valid request per operation: (operation id, path parameters, query, body).
VALID_REQUESTS = [
    ("api_root", {}, {}, None),
    ("tariff_lookup", {"number": "6109.10.00.12"}, {"date": SAMPLE_DATE.isoformat()}, None),
    ("tariff_search", {}, {"q": "cotton", "date": SAMPLE_DATE.isoformat()}, None),
    (
        "treatments_for_origin",
        {},
        {"origin": "GB", "number": "6109.10.00.12", "date": SAMPLE_DATE.isoformat()},
        None,
    ),
    ("exchange_rate", {"currency": "USD"}, {"date": "2025-12-30"}, None),
    ("calculation_create", {}, {}, CALCULATION),
]


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema or "allOf" in schema:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = {
                **spec["components"]["schemas"][name],
                **{k: v for k, v in schema.items() if k != "$ref"},
            }
        else:
            parts = schema.pop("allOf")
            merged = dict(schema)
            for part in parts:
                merged = {**_resolve(dict(part), spec), **merged}
            schema = merged
    return schema


def _same_fields(body, schema: dict, spec: dict, where: str = "") -> list[str]:
    """Every field of ``body`` is documented and every documented field is there."""
    schema = _resolve(dict(schema), spec)
    problems = []
    if isinstance(body, dict) and "properties" in schema:
        documented, sent = set(schema["properties"]), set(body)
        problems += [f"{where}.{name}: not documented" for name in sorted(sent - documented)]
        problems += [f"{where}.{name}: documented, absent" for name in sorted(documented - sent)]
        for name in sent & documented:
            if not schema["properties"][name].get("description"):
                problems.append(f"{where}.{name}: no description")
            problems += _same_fields(
                body[name], schema["properties"][name], spec, f"{where}.{name}"
            )
    elif isinstance(body, list) and "items" in schema:
        for index, item in enumerate(body[:3]):
            problems += _same_fields(item, schema["items"], spec, f"{where}[{index}]")
    return problems


@pytest.mark.spec("CALC-2", "CALC-3", "CALC-4", "CALC-6", "SIGN-1")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_answer_is_its_published_schema_field_for_field(api_under_test, sample, language):
    """For every operation, a real answer validates against the published schema
    (schemathesis), and its fields are exactly the documented ones, each described, in
    both languages."""
    operations = {
        op.definition.raw["operationId"]: op
        for op in (result.ok() for result in api_under_test.get_all_operations())
    }
    assert set(operations) == {row[0] for row in VALID_REQUESTS}
    spec = api_under_test.raw_schema
    for operation_id, path, query, body in VALID_REQUESTS:
        operation = operations[operation_id]
        extra = {"body": body, "media_type": "application/json"} if body else {}
        case = operation.Case(
            path_parameters=path or None, query={**query, "lang": language}, **extra
        )
        response = case.call_and_validate(checks=[response_schema_conformance])
        assert response.status_code == 200, (operation_id, response.text)
        documented = operation.definition.raw["responses"]["200"]["content"]["application/json"]
        problems = _same_fields(response.json(), documented["schema"], spec, operation_id)
        assert not problems, problems
