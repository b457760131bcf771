"""Manage my employees in Chromium, in both languages: a Business Account Manager opens a
pending access request, approves it choosing a role and a program account, and sees the
new employee in the list; axe-core on each page (DELEG-1, DELEG-6, X-2)."""

import pytest

from accounts.tests.factories import UserFactory
from business.tests.factories import BusinessFactory, ProgramAccountFactory
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from tests.browser.conftest import axe_violations, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "details": "Details",
        "approve": "Approve",
        "approved": "The access request of Jo Tremblay was approved.",
        "editor": "Editor",
        "banner": "Name a second Business Account Manager",
    },
    "fr": {
        "details": "Détails",
        "approve": "Approuver",
        "approved": "La demande d'accès de Jo Tremblay a été approuvée.",
        "editor": "Éditeur",
        "banner": "Nommez un deuxième gestionnaire du compte d'entreprise",
    },
}


def checked(page, name: str) -> None:
    assert axe_violations(page) == [], name
    screenshot(page, name)


@pytest.mark.spec("DELEG-1", "DELEG-0", "DELEG-6", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_manager_approves_a_pending_request(page, live_server, language):
    words = WORDS[language]
    business = BusinessFactory(legal_name="Northern Maple Foods Ltd.", bn9="123456782")
    imports = ProgramAccountFactory(business=business, reference_number="0001", name="Imports")
    ProgramAccountFactory(business=business, reference_number="0002", name="Exports")
    bam = EmploymentFactory(
        business=business,
        role=Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        user=UserFactory(first_name="Ana", last_name="Bam", preferred_language=language),
    )
    pending = EmploymentFactory(
        business=business,
        status=Employment.Status.PENDING,
        comment="I file our B3 declarations.",
        user=UserFactory(first_name="Jo", last_name="Tremblay"),
    )
    sign_in_as(page, live_server, bam.user)

    page.goto(f"/{language}/portal/configure/employees/")
    assert words["banner"] in page.locator("[data-single-manager]").inner_text()
    assert "I file our B3 declarations." in page.locator("#pending-requests").inner_text()
    checked(page, f"{language}-employees")

    page.locator("#pending-requests a", has_text=words["details"]).click()
    assert "I file our B3 declarations." in page.locator("#request-details").inner_text()
    checked(page, f"{language}-employees-request")
    page.check("input[name='approve-role'][value='editor']")
    page.check(f"input[name='approve-program_accounts'][value='{imports.pk}']")
    page.locator("button[name=approve]").click()

    page.wait_for_url(f"**/{language}/portal/configure/employees/")
    assert words["approved"] in page.locator("main").inner_text()
    row = page.locator("#employees tbody tr", has_text="Jo Tremblay")
    assert words["editor"] in row.inner_text() and "RM0001" in row.inner_text()
    assert page.locator("#pending-requests").count() == 0
    checked(page, f"{language}-employees-approved")
    pending.refresh_from_db()
    assert pending.status == Employment.Status.ACTIVE
    assert list(pending.program_accounts.all()) == [imports]

    # The approval is in the delegation history (DELEG-6).
    page.locator("main a[href$='/portal/configure/history/']").click()
    row = page.locator("#history tbody tr").first
    assert "Jo Tremblay" in row.inner_text() and "Ana Bam" in row.inner_text()
    checked(page, f"{language}-delegation-history")
