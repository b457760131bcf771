"""A commercial accounting declaration's journey in Chromium, in both languages (DECL-2 …
DECL-5, DELEG-3, X-2): a customs broker's employee creates a two-line CAD for its
client, sees each line's duties and taxes, submits it; the debit appears in the client's
transaction history; the importer corrects the CAD before the payment due date and sees
what changed. axe-core on every page."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from business.tests.factories import BrokerAccountFactory, ProgramAccountFactory
from calculator.models import Declaration
from delegation.models import ClientAssignment, Employment, Relationship
from delegation.tests.factories import EmploymentFactory
from finance.models import Transaction
from tests.browser.conftest import axe_violations, follow, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "title": "Commercial accounting declarations",
        "create": "Create a declaration",
        "calculate": "Calculate",
        "submit": "Submit the declaration",
        "submitted": "Submitted (accepted)",
        "correct": "Correct the declaration",
        "submit_correction": "Submit the correction",
        "corrected": "Correction accepted",
        "total": "$444.02",
        "corrected_total": "$477.00",
        "history": "Transaction history",
    },
    "fr": {
        "title": "Déclarations en détail des marchandises commerciales",
        "create": "Créer une déclaration",
        "calculate": "Calculer",
        "submit": "Soumettre la déclaration",
        "submitted": "Soumise (acceptée)",
        "correct": "Corriger la déclaration",
        "submit_correction": "Soumettre la correction",
        "corrected": "Correction acceptée",
        "total": "444,02",
        "corrected_total": "477,00",
        "history": "Historique des transactions",
    },
}
HEADER = {
    "release_date": "2026-11-20",
    "port_code": "0395",
    "office": "Montréal",
    "carrier_code": "2K4L",
    "cargo_control_number": "2K4L20261120001",
    "vendor_name": "Pacific Apparel Trading Co.",
    "vendor_country": "CN",
    "exchange_rate_date": "2026-11-18",
}
# US$ at 1.38. Line 1: 1,380.00 VFD, 18% = 248.40, GST 81.42, total 329.82. Line 2 (AUT
# 11%): 690.00 VFD, 75.90, GST 38.30, total 114.20. CAD: 444.02.
LINES = [
    ["6109.10.00.12", "Men's cotton T-shirts", "CN", "MFN", "1000.00", "400", "NMB"],
    ["6109.10.00.12", "Men's cotton T-shirts", "AU", "AUT", "500.00", "200", "NMB"],
]
COLUMNS = [
    "classification_number",
    "description",
    "origin",
    "treatment",
    "value",
    "quantity",
    "unit",
]


def check(page, name: str) -> None:
    screenshot(page, name)
    assert axe_violations(page) == [], name


def new_page(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in_as(page, live_server, user)
    return page


def click_and_wait(page, name: str, then: str) -> None:
    follow(page, page.get_by_role("button", name=name, exact=True))
    page.locator(then).first.wait_for()


@pytest.mark.spec("DECL-2", "DECL-3", "DECL-4", "DECL-5", "DELEG-3", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_broker_submits_for_its_client_importer_corrects(page, browser, live_server, language):
    from calculator import loaders, reference
    from calculator.tests.conftest import make_rate

    loaders.calculator_demo_load()
    make_rate("USD", datetime.date(2026, 11, 18), "1.3800")
    reference.forget()
    words = WORDS[language]
    account = ProgramAccountFactory(business__legal_name="Northern Maple Foods")
    importer = EmploymentFactory(
        business=account.business,
        role=Employment.Role.EDITOR,
        user=UserFactory(first_name="Ines", last_name="Roy", preferred_language=language),
    ).user
    broker = BrokerAccountFactory(business__legal_name="Maple Leaf Customs Brokers").business
    relationship = Relationship.objects.create(
        provider=broker,
        client=account.business,
        kind=Relationship.Kind.PROGRAM,
        status=Relationship.Status.ACTIVE,
        answered_at=timezone.now(),
    )
    relationship.program_accounts.add(account)
    agent = EmploymentFactory(
        business=broker,
        role=Employment.Role.EDITOR,
        user=UserFactory(first_name="Alex", last_name="Chen", preferred_language=language),
    )
    ClientAssignment.objects.create(employment=agent, client=account.business)

    # The broker's employee works for the client: the header's switcher.
    page.close()
    agent_page = new_page(browser, live_server, agent.user)
    agent_page.goto(f"/{language}/portal/home/")
    agent_page.select_option("#switch-account", str(account.pk))
    follow(agent_page, "form.switcher button[type=submit]")
    agent_page.goto(f"/{language}/declarations/")
    assert agent_page.locator("h1").inner_text() == words["title"]
    check(agent_page, f"declarations-{language}-list-empty")
    agent_page.get_by_role("link", name=words["create"]).click()
    agent_page.locator("form.declaration-form").wait_for()
    check(agent_page, f"declarations-{language}-new")

    # A two-line CAD: the header, the lines, then Calculate shows each line's figures.
    for name, value in HEADER.items():
        agent_page.fill(f"[name={name}]", value)
    agent_page.select_option("[name=currency]", "USD")
    for index, line in enumerate(LINES):
        for column, value in zip(COLUMNS, line, strict=True):
            agent_page.fill(f"[name=lines-{index}-{column}]", value)
    click_and_wait(agent_page, words["calculate"], "table.declaration-figures-table")
    assert words["total"] in agent_page.locator("#declaration-total").inner_text()
    figures = agent_page.locator("table.declaration-figures-table tbody").inner_text()
    assert "248" in figures and "75" in figures  # each line's duty: 248.40 and 75.90
    check(agent_page, f"declarations-{language}-calculated")
    click_and_wait(agent_page, words["submit"], "#declaration-status")
    assert agent_page.locator("#declaration-status").inner_text() == words["submitted"]
    assert words["total"] in agent_page.locator("#declaration-total").inner_text()
    check(agent_page, f"declarations-{language}-submitted")
    cad = Declaration.objects.get()
    assert cad.submitted_by_provider == broker
    assert Transaction.objects.get(number=cad.transaction_number).amount == Decimal("444.02")

    # The debit is in the client's history; its number leads to the CAD.
    importer_page = new_page(browser, live_server, importer)
    importer_page.goto(f"/{language}/finance/transactions/")
    history = importer_page.locator("table").first
    history.wait_for()
    assert cad.transaction_number in history.inner_text()
    check(importer_page, f"declarations-{language}-history")
    importer_page.locator(f"a[href$='/declarations/number/{cad.transaction_number}/']").click()
    importer_page.locator("#declaration-status").wait_for()
    assert "Maple Leaf Customs Brokers" in importer_page.locator("main").inner_text()

    # The importer corrects it before the payment due date: line 1 was US$1,100.
    importer_page.get_by_role("link", name=words["correct"]).click()
    importer_page.locator("form.declaration-form").wait_for()
    importer_page.fill("[name=lines-0-value]", "1100.00")
    importer_page.fill("[name=reason]", "Vendor's corrected invoice")
    check(importer_page, f"declarations-{language}-correct")
    click_and_wait(importer_page, words["submit_correction"], "#declaration-status")
    assert importer_page.locator("#declaration-status").inner_text() == words["corrected"]
    assert words["corrected_total"] in importer_page.locator("#declaration-total").inner_text()
    changes = importer_page.locator(".declaration-history").inner_text()
    assert "Ines Roy" in changes and "Alex Chen" in changes
    assert "1000→1100" in "".join(changes.replace(",", "").split())  # line 1's value
    check(importer_page, f"declarations-{language}-corrected")
    debit = Transaction.objects.get(number=f"{cad.transaction_number}-V2")
    assert debit.amount == Decimal("32.98")
    importer_page.goto(f"/{language}/declarations/")
    listed = importer_page.locator("table.declarations-table").inner_text()
    assert words["corrected"] in listed and "Maple Leaf Customs Brokers" in listed
    check(importer_page, f"declarations-{language}-list")
