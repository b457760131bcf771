"""The CAD pages through parsed HTML, in both languages (SPEC DECL-2, DECL-3, DECL-5,
DECL-6, DELEG-3): a draft that keeps what is typed, the figures before submitting, the
errors next to the fields, the broker acting for its client only, the list's search,
sorting, pages, query count and CSV, the bulk upload of lines."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from business.navigation import CURRENT_ACCOUNT_KEY
from business.tests.factories import BusinessFactory, ProgramAccountFactory
from calculator import declarations_services as services
from calculator.models import Declaration
from calculator.tests.test_declarations import HEADER, THREE_LINES, draft, submitted
from carm_portal import formatting
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from finance.models import Transaction
from tests.html import soup, text


def soup_of(fragment: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(f"<p>{fragment}</p>", "html.parser").p


pytestmark = pytest.mark.django_db

D = Decimal
MANAGEMENT = {
    "lines-INITIAL_FORMS": "0",
    "lines-MIN_NUM_FORMS": "0",
    "lines-MAX_NUM_FORMS": "999",
}


def form_data(header=HEADER, lines=THREE_LINES, **extra):
    data = {**MANAGEMENT, "lines-TOTAL_FORMS": str(len(lines)), **extra}
    for name, value in header.items():
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"lines-{index}-{name}"] = "" if value is None else str(value)
    return data


def acting_on(client, account):
    session = client.session
    session[CURRENT_ACCOUNT_KEY] = account.pk
    session.save()
    return client


@pytest.mark.spec("DECL-2", "DECL-3")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_calculate_shows_each_line_then_submit_posts(
    client_for, importer_account, editor, usd, language
):
    client = client_for(editor)
    new = reverse("declarations:new")
    page = client.post(f"/{language}{new[3:]}", form_data(calculate="1"))
    assert page.status_code == 200
    html = soup(page)
    cad = Declaration.objects.get()  # the draft was saved with its number
    assert cad.status == "draft"
    totals = [text(td) for td in html.select("table.declaration-figures-table tfoot td")]
    expected = text(soup_of(formatting.money(D("521.72"), language)))
    assert totals[-1] == expected
    assert html.select_one("form.declaration-form")["action"].endswith(
        f"/declarations/{cad.pk}/edit/"
    )
    page = client.post(
        f"/{language}/declarations/{cad.pk}/edit/", form_data(submit="1"), follow=True
    )
    cad.refresh_from_db()
    assert cad.status == "submitted"
    assert Transaction.objects.get(number=cad.transaction_number).amount == D("521.72")
    assert text(soup(page).select_one("#declaration-total")) == expected


@pytest.mark.spec("DECL-2", "DECL-6")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_line_the_engine_refuses_gets_a_field_error_and_keeps_what_was_typed(
    client_for, importer_account, editor, usd, language
):
    lines = [THREE_LINES[0], {**THREE_LINES[1], "quantity": None}]
    client = client_for(editor)
    page = client.post(f"/{language}/declarations/new/", form_data(lines=lines, submit="1"))
    assert page.status_code == 200
    html = soup(page)
    error = html.select_one("#id_lines-1-quantity-error")
    assert error is not None
    assert "quantit" in text(error).lower()
    assert html.select_one("#id_lines-1-classification_number")["value"] == "2202.99.33.00"
    assert html.select_one("#id_lines-0-value")["value"] == "1000.00"
    assert html.select_one("#id_release_date")["value"] == "2026-11-20"
    cad = Declaration.objects.get()
    assert cad.status == "draft" and cad.current_version.lines.count() == 2
    assert not Transaction.objects.exists()


@pytest.mark.spec("DECL-2")
def test_badly_typed_values_are_field_errors_never_a_500(client_for, importer_account, editor):
    lines = [{**THREE_LINES[0], "value": "12,34,5x", "origin": "ZZ", "treatment": "NOPE"}]
    header = {**HEADER, "release_date": "2026-02-30", "port_code": "39a"}
    page = client_for(editor).post("/en/declarations/new/", form_data(header, lines, submit="1"))
    assert page.status_code == 200
    html = soup(page)
    for field in ("lines-0-value", "lines-0-origin", "lines-0-treatment"):
        assert html.select_one(f"#id_{field}-error"), field
    assert html.select_one("#id_release_date-error") and html.select_one("#id_port_code-error")
    assert html.select_one("#id_lines-0-origin")["value"] == "ZZ"
    assert not Declaration.objects.exists()


@pytest.mark.spec("DECL-5", "DELEG-3")
def test_the_broker_sees_and_submits_for_its_client_only(
    client_for, importer_account, broker, editor, usd
):
    mine = submitted(importer_account, editor)
    stranger = ProgramAccountFactory(business=BusinessFactory(legal_name="Someone Else Inc."))
    theirs = draft(stranger, editor)
    client = acting_on(client_for(broker), importer_account)
    assert client.get(f"/en/declarations/{mine.pk}/").status_code == 200
    assert client.get(f"/en/declarations/{theirs.pk}/").status_code == 404
    listed = soup(client.get("/en/declarations/"))
    numbers = [text(r.find("td")) for r in listed.select("table.declarations-table tbody tr")]
    assert numbers == [mine.transaction_number]
    # The broker submits a CAD for the client: the importer sees who submitted it.
    page = client.post("/en/declarations/new/", form_data(lines=THREE_LINES[:2], submit="1"))
    assert page.status_code == 302
    cad = Declaration.objects.exclude(pk__in=[mine.pk, theirs.pk]).get()
    assert cad.program_account == importer_account
    assert cad.submitted_by_provider == broker.employments.get().business
    importer_page = soup(client_for(editor).get("/fr/declarations/"))
    row = next(
        r
        for r in importer_page.select("table.declarations-table tbody tr")
        if text(r.find("td")) == cad.transaction_number
    )
    assert "Maple Leaf Customs Brokers" in text(row)


@pytest.mark.spec("DECL-5")
def test_search_sort_pages_and_query_count(
    client_for, importer_account, editor, usd, django_assert_max_num_queries
):
    first = submitted(importer_account, editor)
    other_port = {**HEADER, "port_code": "0809", "release_date": datetime.date(2026, 11, 23)}
    second = submitted(importer_account, editor, header=other_port, lines=THREE_LINES[1:2])
    third = draft(importer_account, editor, header={"port_code": "0395"}, lines=[])
    client = client_for(editor)

    def numbers(query=""):
        html = soup(client.get(f"/en/declarations/?{query}"))
        return [text(r.find("td")) for r in html.select("table.declarations-table tbody tr")]

    assert numbers() == [t.transaction_number for t in (third, second, first)]
    assert numbers("port=0809") == [second.transaction_number]
    assert numbers("status=draft") == [third.transaction_number]
    assert numbers("classification=6109.10") == [first.transaction_number]
    assert numbers("start=2026-11-21&end=2026-11-30") == [second.transaction_number]
    assert numbers(f"number={first.transaction_number}") == [first.transaction_number]
    assert numbers("sort=total") == [t.transaction_number for t in (third, second, first)]
    assert numbers("sort=-total")[0] == first.transaction_number
    page = client.get("/en/declarations/?start=2026-12-01&end=2026-11-01")
    assert soup(page).select_one("#id_end-error")
    for _n in range(30):
        draft(importer_account, editor, header={"port_code": "0395"}, lines=[])
    with django_assert_max_num_queries(12):
        page = client.get("/en/declarations/?per_page=25&page=2")
    assert len(soup(page).select("table.declarations-table tbody tr")) == 8


@pytest.mark.spec("DECL-5", "X-3")
def test_csv_export_is_formula_safe(client_for, importer_account, editor, usd):
    submitted(importer_account, editor, header={**HEADER, "vendor_name": "=HYPERLINK(1)"})
    response = client_for(editor).get("/fr/declarations/export/?port=0395")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "Numéro de transaction"
    assert rows[1][3] == "'=HYPERLINK(1)"
    assert rows[1][7] == "521.72"


@pytest.mark.spec("DECL-6")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_bulk_lines_every_bad_row_reported_nothing_kept(
    client_for, importer_account, editor, usd, language
):
    cad = draft(importer_account, editor, lines=[])
    rows = [
        "classification_number,description,origin,treatment,value,quantity,unit",
        "6109.10.00.12,T-shirts,CN,MFN,1000.00,400,NMB",
        "6109.10.00.99,Unknown,CN,MFN,10.00,1,NMB",
        "2202.99.33.00,Dairy beverage,US,MFN,10.00,,",
        "6109100012,T-shirts,XX,MFN,abc,1,NMB",
    ]
    upload = SimpleUploadedFile("lines.csv", "\n".join(rows).encode(), "text/csv")
    client = client_for(editor)
    page = client.post(f"/{language}/declarations/{cad.pk}/lines/", {"file": upload})
    assert page.status_code == 200
    errors = [text(li) for li in soup(page).select("ul.row-errors li")]
    word = {"en": "Row", "fr": "Ligne"}[language]
    assert [e.split(":")[0].strip() for e in errors] == [f"{word} 3", f"{word} 4", f"{word} 5"]
    assert cad.current_version.lines.count() == 0
    good = SimpleUploadedFile("lines.csv", "\n".join(rows[:2]).encode(), "text/csv")
    page = client.post(f"/{language}/declarations/{cad.pk}/lines/", {"file": good})
    assert page.status_code == 302
    assert cad.current_version.lines.count() == 1
    assert not Transaction.objects.exists()  # nothing posts before the CAD is submitted


@pytest.mark.spec("DECL-6")
def test_bulk_lines_all_engine_errors_are_reported_by_row(
    client_for, importer_account, editor, usd
):
    cad = draft(importer_account, editor, lines=[])
    rows = [
        "classification_number,description,origin,treatment,value,quantity,unit",
        "6109.10.00.12,T-shirts,CN,MFN,1000.00,400,NMB",
        "6109.10.00.99,Unknown,CN,MFN,10.00,1,NMB",
        "2202.99.33.00,Dairy beverage,US,MFN,10.00,,",
    ]
    upload = SimpleUploadedFile("lines.csv", "\n".join(rows).encode(), "text/csv")
    page = client_for(editor).post(f"/en/declarations/{cad.pk}/lines/", {"file": upload})
    errors = [text(li) for li in soup(page).select("ul.row-errors li")]
    assert [e.split(":")[0].strip() for e in errors] == ["Row 3", "Row 4"]
    assert "6109.10.00.99" in errors[0] and "quantity" in errors[1].lower()


@pytest.mark.spec("DECL-6")
def test_more_than_the_maximum_of_lines_is_refused(importer_account, editor, calculator_data):
    from calculator.declarations_forms import csv_lines

    header = "classification_number,description,origin,treatment,value,quantity,unit"
    body = "\n".join(["6109.10.00.12,T,CN,MFN,1,1,NMB"] * (services.MAX_LINES + 1))
    lines, errors = csv_lines(f"{header}\n{body}")
    assert not lines and len(errors) == 1 and str(services.MAX_LINES) in errors[0][1]


@pytest.mark.spec("DECL-1")
def test_a_reader_views_but_cannot_create(client_for, importer_account, editor, usd):
    cad = submitted(importer_account, editor)
    reader = EmploymentFactory(business=importer_account.business, role=Employment.Role.READER)
    client = client_for(reader.user)
    assert client.get(f"/en/declarations/{cad.pk}/").status_code == 200
    assert client.get("/en/declarations/new/").status_code == 403
    html = soup(client.get("/en/declarations/"))
    assert not html.select('a[href$="/declarations/new/"]')


@pytest.mark.spec("DECL-3")
def test_the_transaction_number_leads_to_the_cad(client_for, importer_account, editor, usd):
    cad = submitted(importer_account, editor)
    response = client_for(editor).get(f"/en/declarations/number/{cad.transaction_number}/")
    assert response.status_code == 302 and response["Location"].endswith(f"/{cad.pk}/")
    page = soup(client_for(editor).get("/en/finance/transactions/"))
    link = page.select_one(f'a[href$="/declarations/number/{cad.transaction_number}/"]')
    assert link is not None
