"""The finance pages through parsed HTML, in both languages (FIN-1 … FIN-5, HOME-3)."""

import base64
import contextlib
import csv
import datetime
import io
import re
import uuid
import zlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carm_portal.models import AuditEntry
from finance import services
from finance.models import CreditApplication, PadAgreement, SecurityChangeRequest, Transaction
from finance.tests.factories import InvoiceFactory, SecurityFactory, TransactionFactory
from tests.html import soup, text

pytestmark = pytest.mark.django_db
D = datetime.date


def rows(page, selector="table.transactions-table tbody tr"):
    return [[text(cell) for cell in row.find_all("td")] for row in page.select(selector)]


@pytest.fixture
def account(importer_account):
    return importer_account


@pytest.fixture
def history(account):
    """Six transactions over three months; balances refreshed."""
    made = [
        TransactionFactory(program_account=account, number="T1", date=D(2026, 9, 15), amount=Decimal("3000.99"), due_date=D(2026, 10, 30)),
        TransactionFactory(program_account=account, number="T2", date=D(2026, 9, 28), amount=Decimal("562.10"), status="paid"),
        TransactionFactory(program_account=account, number="T3", date=D(2026, 10, 9), amount=Decimal("-2000.99")),
        TransactionFactory(program_account=account, number="T4", date=D(2026, 10, 19), amount=Decimal("1284.37"), status="paid"),
        TransactionFactory(program_account=account, number="T5", date=D(2026, 10, 26), amount=Decimal("-10.00")),
        TransactionFactory(program_account=account, number="T6", date=D(2026, 11, 3), amount=Decimal("5.00")),
    ]  # fmt: skip
    services.transaction_balances_refresh(program_account=account)
    return made


# --- FIN-1 ------------------------------------------------------------------------------


@pytest.mark.spec("FIN-1")
def test_history_in_english(employee_client, history):
    page = soup(employee_client.get("/en/finance/transactions/"))
    assert text(page.find("h1")) == "Transaction history"
    assert text(page.select_one("[data-testid=open-balance]")) == "$995.00"
    headers = [text(th) for th in page.select("table.transactions-table thead th")]
    assert headers[1:] == [
        "Transaction date",
        "Transaction number",
        "Description",
        "Amount",
        "Due date",
        "Status",
        "Account balance",
    ]
    got = rows(page)
    assert [r[2] for r in got] == ["T6", "T5", "T4", "T3", "T2", "T1"]  # newest first
    assert got[0][1:] == [
        "2026-11-03",
        "T6",
        "Commercial accounting declaration",
        "$5.00",
        "–",
        "Open",
        "$2,836.47" if False else "$2,841.47",
    ]
    assert got[-1][4:] == ["$3,000.99", "2026-10-30", "Open", "$3,000.99"]
    assert got[1][6] == "Open credit"


@pytest.mark.spec("FIN-1", "X-1")
def test_history_in_french(employee_client, history):
    page = soup(employee_client.get("/fr/finance/transactions/"))
    assert text(page.find("h1")) == "Historique des transactions"
    assert text(page.select_one("[data-testid=open-balance]")) == "995,00 $"
    got = rows(page)
    assert got[-1][4] == "3 000,99 $"
    assert got[1][4] == "-10,00 $"
    assert got[1][6] == "Avoir non soldé"
    assert got[2][6] == "Soldé"


@pytest.mark.spec("FIN-1")
@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ({"start": "2026-10-01", "end": "2026-10-31"}, ["T5", "T4", "T3"]),
        ({"status": "paid"}, ["T4", "T2"]),
        ({"kind": "credit"}, ["T5", "T3"]),
        ({"kind": "debit", "status": "open"}, ["T6", "T1"]),
        ({"sort": "date"}, ["T1", "T2", "T3", "T4", "T5", "T6"]),
        ({"sort": "-amount"}, ["T1", "T4", "T2", "T6", "T5", "T3"]),
    ],
)
def test_history_filters_and_sorting(employee_client, history, query, numbers):
    page = soup(employee_client.get("/en/finance/transactions/", query))
    assert [r[2] for r in rows(page)] == numbers


@pytest.mark.spec("FIN-1")
def test_history_refuses_a_backwards_date_range(employee_client, history):
    page = soup(
        employee_client.get(
            "/fr/finance/transactions/", {"start": "2026-11-01", "end": "2026-10-01"}
        )
    )
    assert "La fin de la plage de dates" in text(page.select_one(".error-summary"))
    assert not rows(page)


@pytest.mark.spec("FIN-1")
def test_history_pages_from_the_database(employee_client, account, django_assert_max_num_queries):
    Transaction.objects.bulk_create(
        Transaction(
            program_account=account,
            number=f"P{n:05d}",
            date=D(2026, 1, 1) + datetime.timedelta(days=n % 300),
            description="Card batch",
            amount=Decimal(n),
            total_duties_taxes=Decimal(0),
            status="paid",
        )
        for n in range(60)
    )
    services.transaction_balances_refresh(program_account=account)
    with CaptureQueriesContext(connection) as few:
        employee_client.get("/en/finance/transactions/")
    with django_assert_max_num_queries(len(few)):
        response = employee_client.get("/en/finance/transactions/", {"page": 3, "status": "paid"})
    page = soup(response)
    assert text(page.select_one(".results-range")) == "51 to 60 of 60"
    assert text(page.select_one(".pagination-status")) == "Page 3 of 3"
    assert "status=paid" in page.select_one("a[rel=prev]")["href"]
    # Session and person, grants, the header's accounts, the count, the page's rows (by
    # their ids in a subquery), the balances (one query), the bell, the session's activity
    # time (3).
    assert len(few) <= 12, [q["sql"][:80] for q in few.captured_queries]


# --- FIN-5: CSV export -------------------------------------------------------------------


def read_csv(response):
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.spec("FIN-5")
def test_export_selected_rows(employee_client, history):
    response = employee_client.get(
        "/fr/finance/transactions/export/", {"export": "selected", "selected": ["T3", "T1", "nope"]}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = read_csv(response)
    # the column headers in the page's language (English: the codes).
    assert table[0] == [
        "date",
        "numéro de transaction",
        "description",
        "type",
        "montant",
        "date d'échéance",
        "état",
        "solde du compte",
    ]
    # The values stay machine-readable whatever the page's language: ISO dates, a
    # point, codes.
    assert table[1:] == [
        ["2026-10-09", "T3", "Commercial accounting declaration", "credit", "-2000.99", "", "open_credit", "1562.10"],
        ["2026-09-15", "T1", "Commercial accounting declaration", "debit", "3000.99", "2026-10-30", "open", "3000.99"],
    ]  # fmt: skip


@pytest.mark.spec("FIN-5")
def test_export_all_matching_rows_and_nothing_of_another_account(employee_client, history):
    TransactionFactory(number="OTHER", amount=Decimal("1.00"))
    table = read_csv(
        employee_client.get("/en/finance/transactions/export/", {"export": "all", "status": "paid"})
    )
    assert [r[1] for r in table[1:]] == ["T4", "T2"]
    table = read_csv(
        employee_client.get(
            "/en/finance/transactions/export/", {"export": "selected", "selected": ["OTHER"]}
        )
    )
    assert table[1:] == []


@pytest.mark.spec("FIN-5")
def test_export_with_nothing_selected_says_so(employee_client, history):
    response = employee_client.get(
        "/en/finance/transactions/export/", {"export": "selected", "status": "open"}, follow=True
    )
    assert "Select at least one transaction" in text(soup(response))
    assert response.redirect_chain[-1][0].endswith("?status=open")


# --- FIN-2: statements and invoices ---------------------------------------------------------


@pytest.mark.spec("FIN-2", "FIN-5")
@pytest.mark.parametrize(
    ("language", "heading", "due"),
    [
        ("en", "Statement of account", "Payment due date"),
        ("fr", "Relevé de compte", "Date d'échéance du paiement"),
    ],
)
def test_statement_pages_pdf_and_csv(employee_client, account, history, language, heading, due):
    statement = services.statement_issue(program_account=account, issue_date=D(2026, 10, 25))
    page = soup(employee_client.get(f"/{language}/finance/statements/"))
    assert text(page.find("h1")) == heading
    assert due in text(page.select_one("table thead"))
    link = page.select_one("table tbody a")
    detail = soup(employee_client.get(link["href"]))
    lines = rows(detail, "table tbody tr")
    assert [line[1] for line in lines] == ["T1", "T2", "T3"]
    assert "2026-10-30" in text(detail.select_one("dl.summary"))  # 10 business days after Oct 17
    pdf = employee_client.get(f"/{language}/finance/statements/{statement.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert len(pdf.content) > 1500
    table = read_csv(employee_client.get(f"/{language}/finance/statements/{statement.pk}/csv/"))
    assert [r[1] for r in table[1:]] == ["T1", "T2", "T3"]
    assert table[3][3] == "-2000.99"


def pdf_text(body: bytes) -> str:
    """The text drawn on a ReportLab PDF's pages (its streams are ASCII85 then Flate)."""
    texts = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", body, re.S):
        data = stream.strip()
        with contextlib.suppress(ValueError):
            data = base64.a85decode(data, adobe=data.startswith(b"<~") or data.endswith(b"~>"))
        try:
            data = zlib.decompress(data)
        except zlib.error:
            continue
        texts += [t.decode("cp1252") for t in re.findall(rb"\((.*?)\) Tj", data)]
    return " ".join(texts)


@pytest.mark.spec("FIN-2", "X-1")
def test_pdf_text_is_in_the_page_language(employee_client, account, history):
    statement = services.statement_issue(program_account=account, issue_date=D(2026, 10, 25))
    french = pdf_text(employee_client.get(f"/fr/finance/statements/{statement.pk}/pdf/").content)
    assert "Relev" in french and "3 000,99 $" in french.replace("\xa0", " ")
    english = pdf_text(employee_client.get(f"/en/finance/statements/{statement.pk}/pdf/").content)
    assert "Statement of account" in english and "$3,000.99" in english
    assert "T3" in english and "2026-10-30" in english


@pytest.mark.spec("FIN-2")
def test_invoices_list_detail_and_pdf(employee_client, account):
    invoice = InvoiceFactory(program_account=account, number="INV0000001")
    InvoiceFactory(number="INV-OTHER")
    page = soup(employee_client.get("/fr/finance/invoices/"))
    assert text(page.find("h1")) == "Factures de l'ASFC"
    assert [r[0] for r in rows(page, "table tbody tr")] == ["INV0000001"]
    assert rows(page, "table tbody tr")[0][3] == "150,00 $"
    detail = soup(employee_client.get(f"/en/finance/invoices/{invoice.pk}/"))
    assert rows(detail, "table tbody tr") == [
        ["1", "Container examination", "2", "$75.00", "$150.00"]
    ]
    pdf = employee_client.get(f"/en/finance/invoices/{invoice.pk}/pdf/")
    assert pdf.content.startswith(b"%PDF-")


@pytest.mark.spec("HOME-3")
def test_home_links_to_all_transactions(employee_client, history):
    page = soup(employee_client.get("/fr/portal/home/"))
    link = page.find("a", string="Visualiser toutes les transactions")
    assert link["href"] == "/fr/finance/transactions/"


# --- FIN-3: apply credits --------------------------------------------------------------------


@pytest.fixture
def editor_client(account, client_for):
    from delegation.models import Employment
    from delegation.tests.factories import EmploymentFactory

    return client_for(
        EmploymentFactory(business=account.business, role=Employment.Role.EDITOR).user
    )


@pytest.mark.spec("FIN-3")
def test_apply_credits_choose_confirm_done(editor_client, account, history):
    t6 = history[5]
    page = soup(editor_client.get("/en/finance/payments/apply-credits/"))
    # FIN-1: a credit the business can use is a positive amount labelled as credit.
    assert text(page.select_one("[data-testid=available-credit]")) == "$2,010.99"
    key = page.select_one("input[name=key]")["value"]
    confirm = soup(
        editor_client.post("/en/finance/payments/apply-credits/", {"debits": [t6.pk], "key": key})
    )
    assert text(confirm.find("h1")) == "Confirm the payment with credits"
    assert not CreditApplication.objects.exists()
    response = editor_client.post(
        "/en/finance/payments/apply-credits/", {"debits": [t6.pk], "key": key, "confirm": "1"}
    )
    application = CreditApplication.objects.get()
    assert response["Location"] == f"/en/finance/payments/apply-credits/{application.pk}/"
    done = soup(editor_client.get(response["Location"]))
    assert "$5.00 of credit was applied" in text(done)
    t6.refresh_from_db()
    assert t6.status == "paid"
    # The same form submitted again (back button, double click) settles nothing more.
    again = editor_client.post(
        "/en/finance/payments/apply-credits/", {"debits": [t6.pk], "key": key, "confirm": "1"}
    )
    assert again["Location"] == f"/en/finance/payments/apply-credits/{application.pk}/"
    assert CreditApplication.objects.count() == 1
    assert AuditEntry.objects.filter(action="finance.credits_applied").count() == 1


@pytest.mark.spec("FIN-3")
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Only 1 open transaction is listed: the one due soonest."),
        (
            "fr",
            "Seule 1 transaction ouverte est énumérée : celle dont l'échéance est la plus proche.",
        ),
    ],
)
def test_apply_credits_says_when_more_debits_wait(
    editor_client, history, monkeypatch, language, words
):
    """FIN-3: a long list is capped, those due soonest first, and the page says so."""
    from finance import views

    url = f"/{language}/finance/payments/apply-credits/"
    monkeypatch.setattr(views, "OPEN_DEBITS_SHOWN", 1)  # of the history's two open debits
    page = soup(editor_client.get(url))
    assert words in text(page.select_one("#more-debits"))
    assert len(page.select("input[name=debits]")) == 1
    monkeypatch.setattr(views, "OPEN_DEBITS_SHOWN", 500)
    assert soup(editor_client.get(url)).select_one("#more-debits") is None


@pytest.mark.spec("FIN-3")
@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "does not cover the full amount"), ("fr", "ne couvre pas le montant total")],
)
def test_partial_amount_refused_with_a_clear_message(editor_client, history, language, message):
    t1 = history[0]  # 3,000.99 > 2,010.99 of credit
    page = soup(
        editor_client.post(
            f"/{language}/finance/payments/apply-credits/",
            {"debits": [t1.pk], "key": str(uuid.uuid4())},
        )
    )
    summary = text(page.select_one(".error-summary"))
    assert message in summary
    assert ("2 010,99 $" if language == "fr" else "$2,010.99") in summary
    assert not CreditApplication.objects.exists()


@pytest.mark.spec("FIN-3")
def test_someone_else_settled_it_first(editor_client, account, history, bam_client):
    t6 = history[5]
    services.credits_apply(
        program_account=account,
        debit_ids=[t6.pk],
        idempotency_key=uuid.uuid4(),
        actor=bam_client.user,
    )
    page = soup(
        editor_client.post(
            "/en/finance/payments/apply-credits/",
            {"debits": [t6.pk], "key": str(uuid.uuid4()), "confirm": "1"},
        )
    )
    # The choice is gone (it is paid): the form says so without applying anything.
    assert "Select a valid choice" in text(page.select_one(".error-summary")) or "settled" in text(
        page
    )
    assert CreditApplication.objects.count() == 1


# --- FIN-4: PAD --------------------------------------------------------------------------------

PAD_FORM = {
    "institution": "001",
    "transit": "12345",
    "account": "987654321",
    "holder_name": "ImporterCompany3084 Inc.",
    "withdrawal_day": "15",
    "terms": "on",
    "certification": "on",
}


@pytest.mark.spec("FIN-4")
def test_pad_create_view_change_cancel(bam_client, account):
    page = soup(bam_client.get("/fr/finance/payments/pad/"))
    assert text(page.find("h1")) == "Débit préautorisé"
    response = bam_client.post("/en/finance/payments/pad/new/", PAD_FORM)
    assert response["Location"] == "/en/finance/payments/pad/"
    html = bam_client.get("/en/finance/payments/pad/").content.decode()
    assert "987654321" not in html
    assert (
        text(
            soup(html and bam_client.get("/en/finance/payments/pad/")).select_one(
                "[data-testid=masked-account]"
            )
        )
        == "••••321"
    )
    change = bam_client.get("/en/finance/payments/pad/change/").content.decode()
    assert "987654321" not in change  # typed again, never sent back
    response = bam_client.post(
        "/en/finance/payments/pad/change/", {**PAD_FORM, "account": "1234567"}
    )
    assert response.status_code == 302
    page = soup(bam_client.get("/en/finance/payments/pad/"))
    assert text(page.select_one("[data-testid=masked-account]")) == "••••567"
    assert bam_client.post("/en/finance/payments/pad/cancel/").status_code == 302
    assert PadAgreement.objects.get().status == "cancelled"
    page = soup(bam_client.get("/en/finance/payments/pad/"))
    assert "has no pre-authorized debit agreement" in text(page)


@pytest.mark.spec("FIN-4")
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("institution", "01", "3 digits of the institution"),
        ("transit", "1234a", "5 digits of the transit"),
        ("account", "123456", "7 to 12 digits"),
        ("account", "1234567890123", "7 to 12 digits"),
        ("terms", "", "Accept the terms"),
        ("certification", "", "Certify"),
    ],
)
def test_pad_form_rules(bam_client, field, value, message):
    page = soup(bam_client.post("/en/finance/payments/pad/new/", {**PAD_FORM, field: value}))
    assert message in text(page.select_one(".error-summary"))
    assert not PadAgreement.objects.exists()


# --- Financial security ---------------------------------------------------------------------


@pytest.mark.spec("DELEG-3")
def test_security_page_and_change_request(bam_client, account):
    SecurityFactory(program_account=account, kind="bond", amount=Decimal("6000.00"))
    page = soup(bam_client.get("/fr/finance/security/"))
    assert text(page.find("h1")) == "Sécurité financière"
    assert text(page.select_one("[data-testid=requirement]")) == "5 000,00 $"
    assert "3 000,00 $" in text(page.select_one("dl.summary"))
    response = bam_client.post(
        "/en/finance/security/change/", {"kind": "cash", "amount": "2000.00", "reason": "Top up"}
    )
    assert response.status_code == 302
    change = SecurityChangeRequest.objects.get()
    assert (change.kind, change.amount, change.status) == ("cash", Decimal("2000.00"), "submitted")
    page = soup(bam_client.get("/en/finance/security/"))
    assert "Submitted" in text(page)


@pytest.mark.spec("HOME-2", "FIN-6", "FIN-7", "FIN-8")
def test_financial_information_and_payments_tiles_list_the_finance_pages(bam_client):
    page = soup(bam_client.get("/fr/portal/area/financial/"))
    assert [text(a) for a in page.select("ul.services a")] == [
        "Historique des transactions",
        "Relevé de compte",
        "Factures de l'ASFC",
        "Sécurité financière",
    ]
    page = soup(bam_client.get("/en/portal/area/payments/"))
    assert [a["href"] for a in page.select("ul.services a")] == [
        "/en/finance/payments/pay/",
        "/en/finance/payments/other-ways/",
        "/en/finance/payments/apply-credits/",
        "/en/finance/payments/pad/",
        "/en/finance/payments/arrangements/",
        "/en/finance/payments/collections/",
    ]


@pytest.mark.spec("FIN-1")
def test_history_counts_at_most_the_cap(employee_client, account, monkeypatch):
    """A million-row account is counted no further than the cap (a COUNT over a LIMIT)."""
    from finance import selectors

    monkeypatch.setattr(selectors, "HISTORY_COUNT_CAP", 30)
    Transaction.objects.bulk_create(
        Transaction(
            program_account=account,
            number=f"C{n:05d}",
            date=D(2026, 1, 1) + datetime.timedelta(days=n),
            description="Card batch",
            amount=Decimal(n),
            total_duties_taxes=Decimal(0),
            status="paid",
        )
        for n in range(60)
    )
    page = soup(employee_client.get("/fr/finance/transactions/"))
    assert text(page.select_one(".results-range")) == "1 à 25 de plus de 30"
    assert "Réduisez la plage de dates" in text(page)
    assert text(page.select_one(".pagination-status")) == "Page 1 de plus de 2"
    page = soup(employee_client.get("/en/finance/transactions/", {"start": "2026-02-01"}))
    assert text(page.select_one(".results-range")) == "1 to 25 of 29"


@pytest.mark.spec("FIN-2")
def test_every_statement_is_listed_a_page_at_a_time(employee_client, account):
    """FIN-2: 30 statements on file: 24 on the first page, the other 6 on the next (the
    list was cut at 60, without paging)."""
    from finance.models import Statement

    Statement.objects.bulk_create(
        Statement(
            program_account=account,
            date=D(2000 + i // 12, i % 12 + 1, 25),
            period_start=D(2000 + i // 12, i % 12 + 1, 1),
            period_end=D(2000 + i // 12, i % 12 + 1, 17),
            balance=Decimal(i),
        )
        for i in range(30)
    )
    first = soup(employee_client.get("/fr/finance/statements/"))
    assert len(first.select("main table tbody tr")) == 24
    assert "Page 1 de 2" in text(first.select_one(".pagination"))
    second = soup(
        employee_client.get("/fr/finance/statements/" + first.select_one("a[rel=next]")["href"])
    )
    rows = second.select("main table tbody tr")
    assert len(rows) == 6 and text(rows[-1]).startswith("2000-01-25")


@pytest.mark.spec("FIN-1")
@pytest.mark.parametrize(
    ("language", "label"), [("en", "Available credit"), ("fr", "Crédit disponible")]
)
def test_available_credit_is_a_positive_amount_on_every_finance_page(
    bam_client, account, history, language, label
):
    """FIN-1: the history's summary showed "Available credit -$2,010.99"; a credit the
    business can use is a positive amount labelled as credit, on every finance page."""
    from finance.selectors import balances

    credits = balances(account=account).open_credits
    assert credits < 0
    for path in ("/finance/transactions/", "/finance/payments/apply-credits/"):
        page = soup(bam_client.get(f"/{language}{path}"))
        terms = [text(dt) for dt in page.select("dl.summary dt")]
        shown = text(page.select("dl.summary dd")[terms.index(label)])
        assert shown == money_text(-credits, language)


def money_text(amount, language):
    from django.utils import translation

    from carm_portal.templatetags.portal import money

    with translation.override(language):
        return money(amount).replace("\xa0", " ")


@pytest.mark.spec("LINK-5", "STAFF-2")
def test_staff_correct_a_transaction_with_a_new_one_audited_and_told(
    staff_client, bam_client, account, history
):
    """LINK-5: a wrong amount on file is corrected by CBSA staff in the admin: a new
    transaction of the difference, audited, the business told; the original and the
    statement already issued stay as they are."""
    from carm_portal.models import AuditEntry
    from finance.models import Statement, StatementLine, Transaction
    from notices.models import NoticeRecipient

    statement = services.statement_issue(program_account=account, issue_date=D(2026, 10, 25))
    original = statement.lines.first().transaction
    lines_before = list(StatementLine.objects.values_list("pk", "amount", "description"))
    url = f"/admin/finance/transaction/{original.pk}/correct/"
    page = staff_client.get(url)
    assert page.status_code == 200
    data = {
        "amount": "0",
        "description": "Correction",
        "description_fr": "Correction",
        "reason": "Duplicate",
    }
    refused = staff_client.post(url, data)
    assert refused.status_code == 200 and "other than zero" in refused.content.decode()
    response = staff_client.post(url, {**data, "amount": "-100.00", "reason": "Amount keyed twice"})
    assert response.status_code == 302
    correction = Transaction.objects.get(number=f"{original.number}-C1")
    assert correction.amount == Decimal("-100.00") and correction.status == "open_credit"
    # the given descriptions are kept; the type says it is a correction.
    assert correction.type.code == "CORRECTION" and correction.description_fr == "Correction"
    assert Transaction.objects.get(pk=original.pk).amount == original.amount
    assert list(StatementLine.objects.values_list("pk", "amount", "description")) == lines_before
    assert Statement.objects.get(pk=statement.pk).balance == statement.balance
    entry = AuditEntry.objects.get(action="finance.transaction_corrected")
    assert entry.changes["correction"] == correction.number and entry.actor.is_staff
    assert NoticeRecipient.objects.filter(
        user=bam_client.user, notice__type__code="ledger_corrected"
    ).exists()
    # The portal shows the correction in both languages.
    listed = text(soup(bam_client.get("/fr/finance/transactions/")).main)
    assert correction.number in listed
    # Staff only: the portal's people never reach it.
    assert bam_client.get(url).status_code in (302, 403, 404)
    # Both descriptions or neither.
    half = staff_client.post(url, {**data, "amount": "1.00", "description_fr": ""})
    assert half.status_code == 200 and "both languages" in half.content.decode()
    staff_client.post(url, {**data, "amount": "1.00", "description": "", "description_fr": ""})
    named = Transaction.objects.get(number=f"{original.number}-C2")
    assert (named.description, named.description_fr) == ("Correction", "Correction")


@pytest.mark.spec("X-1", "FIN-3")
def test_apply_credits_labels_mark_english_only_descriptions(editor_client, account, history):
    """X-1: a debit whose description has no French yet shows it inside lang="en"."""
    page = soup(editor_client.get("/fr/finance/payments/apply-credits/"))
    labels = page.select("fieldset .choice label")
    assert labels
    for label in labels:
        span = label.select_one('span[lang="en"]')
        assert span is not None and text(span) == "Commercial accounting declaration"
        assert "$" in text(label)  # the amount, in French: 3 000,99 $
