"""The broker journey in Chromium, both languages, axe-core on each page (DELEG-2 …
DELEG-4, X-2): the importer approves a broker with program management of one account,
the broker assigns an employee, who then sees exactly that account and nothing of the
client's business profile."""

import pytest

from accounts.tests.factories import UserFactory
from business.tests.factories import BrokerAccountFactory, ProgramAccountFactory
from delegation.models import Employment, Relationship
from delegation.tests.factories import EmploymentFactory
from tests.browser.conftest import axe_violations, follow, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"acting": "Acting for Northern Maple Foods", "approved": "approved"},
    "fr": {"acting": "Au nom de Northern Maple Foods", "approved": "approuvée"},
}


def checked(page, name: str) -> None:
    assert axe_violations(page) == [], name
    screenshot(page, name)


def new_page(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in_as(page, live_server, user)
    return page


@pytest.mark.spec("DELEG-2", "DELEG-3", "DELEG-4", "HOME-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_importer_approves_broker_assigns_employee_sees_one_account(
    page, browser, live_server, language
):
    account_a = ProgramAccountFactory(
        business__legal_name="Northern Maple Foods", reference_number="0001"
    )
    client = account_a.business
    account_b = ProgramAccountFactory(business=client, reference_number="0002")
    importer_bam = EmploymentFactory(
        business=client,
        role=Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        user=UserFactory(first_name="Ines", last_name="Roy"),
    ).user
    broker = BrokerAccountFactory(business__legal_name="Maple Leaf Customs Brokers").business
    broker_bam = EmploymentFactory(
        business=broker, role=Employment.Role.BUSINESS_ACCOUNT_MANAGER
    ).user
    employee = EmploymentFactory(
        business=broker,
        role=Employment.Role.EDITOR,
        user=UserFactory(first_name="Alex", last_name="Chen"),
    )
    Relationship.objects.create(provider=broker, client=client, comment="Lacolle crossings")

    # 1. The importer's BAM approves program management of account A only.
    sign_in_as(page, live_server, importer_bam)
    page.goto(f"/{language}/portal/area/configure/")
    checked(page, f"{language}-configure-my-portal")
    follow(page, "a[href$='/configure/relationships/']")
    checked(page, f"{language}-relationships-pending")
    follow(page, "#pending-heading ~ table a.button")
    checked(page, f"{language}-relationship-answer")
    page.check("input[name=decision][value=approve]")
    page.check("input[name=kind][value=program]")
    page.check(f"input[name=program_accounts][value='{account_a.pk}']")
    follow(page, "main form button[type=submit]")
    assert "Maple Leaf Customs Brokers" in page.inner_text("#providers-heading + table")
    checked(page, f"{language}-relationships-active")

    # 2. The broker's BAM assigns Alex Chen to the client.
    broker_page = new_page(browser, live_server, broker_bam)
    broker_page.goto(f"/{language}/portal/configure/clients/")
    broker_page.check(f"input[name=clients][value='{client.pk}']")
    checked(broker_page, f"{language}-assign-clients")
    follow(broker_page, "main form button[type=submit]")
    # The second step: the client chosen, then the employee.
    assert "Northern Maple Foods" in broker_page.inner_text("#chosen-clients")
    broker_page.check(f"input[name=employees][value='{employee.pk}']")
    checked(broker_page, f"{language}-assign-clients-to")
    follow(broker_page, "main form button[type=submit]")
    assert "Alex Chen" in broker_page.inner_text("main table")
    checked(broker_page, f"{language}-assign-clients-done")

    # 3. Alex switches to the client: only account A, no business profile.
    employee_page = new_page(browser, live_server, employee.user)
    employee_page.goto(f"/{language}/portal/home/")
    options = employee_page.locator("#switch-account option").all_inner_texts()
    assert any("RM0001" in o and "Northern Maple Foods" in o for o in options)
    assert not any("RM0002" in o and "Northern Maple Foods" in o for o in options)
    employee_page.select_option("#switch-account", str(account_a.pk))
    follow(employee_page, "form.switcher button[type=submit]")
    assert TEXT[language]["acting"] in employee_page.inner_text(".signed-in")
    checked(employee_page, f"{language}-broker-employee-acting-for-client")
    response = employee_page.goto(f"/{language}/portal/program-accounts/{account_a.pk}/")
    assert response.status == 200
    response = employee_page.goto(f"/{language}/portal/businesses/{client.pk}/")
    assert response.status == 403
    response = employee_page.goto(f"/{language}/portal/program-accounts/{account_b.pk}/")
    assert response.status == 404
    for other in (broker_page, employee_page):
        other.context.close()
