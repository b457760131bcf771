"""The notices in Chromium, in both languages: list, advanced search, pages, a notice and
back with *Previous*; the bell; axe-core on every page (NOTE-2, NOTE-3, HOME-1, X-2)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.onboarding import DONE_KEY, TERMS_KEY
from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from delegation.tests.factories import EmploymentFactory
from notices.services import notice_send
from notices.tests.helpers import days_ago
from tests.browser.conftest import axe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "bell": "Notices, {n} unread",
        "advanced": "Advanced search",
        "type": "Type",
        "statement": "Statement of account available",
        "search": "Search",
        "range": "{a} to {b} of {c}",
        "page": "Page {a} of {b}",
        "next": "Next page",
        "previous": "Previous",
    },
    "fr": {
        "bell": "Avis, {n} non lus",
        "advanced": "Recherche avancée",
        "type": "Type",
        "statement": "Relevé de compte disponible",
        "search": "Rechercher",
        "range": "{a} à {b} de {c}",
        "page": "Page {a} de {b}",
        "next": "Page suivante",
        "previous": "Précédent",
    },
}


def sign_in(page, live_server, user) -> None:
    """Open a signed-in, onboarded session for ``user`` in the browser."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[TERMS_KEY] = session[DONE_KEY] = True
    session.save()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def check(page, name: str) -> None:
    screenshot(page, name)
    assert axe_violations(page) == [], name


@pytest.mark.spec("NOTE-2", "NOTE-3", "HOME-1", "X-1", "X-2", "X-3")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_search_page_open_and_come_back(page, live_server, language):
    words = WORDS[language]
    account = ProgramAccountFactory(business__legal_name="ImporterCompany3084 Inc.")
    user = EmploymentFactory(
        business=account.business, user=UserFactory(preferred_language=language)
    ).user
    for n in range(11):
        notice_send(
            type_code="statement_available",
            context={
                "period_start": days_ago(n * 15 + 30),
                "period_end": days_ago(n * 15),
                "due_date": days_ago(n * 15 - 14),
            },
            recipient=user,
            program_account=account,
            display_date=days_ago(n * 15),
        )
    for n, name in enumerate(["Jo Tremblay", "Sam Okafor"]):
        notice_send(
            type_code="delegation_pending_access",
            context={"requester": name, "business_name": account.business.legal_name, "bn9": "1"},
            recipient=user,
            business=account.business,
            display_date=days_ago(n * 20 + 3),
        )
    sign_in(page, live_server, user)

    page.goto(f"/{language}/notices/")
    bell = page.get_by_role("link", name=words["bell"].format(n=13))
    assert bell.is_visible()
    assert page.locator(".results-range").inner_text() == words["range"].format(a=1, b=10, c=13)
    check(page, f"notices-{language}-list")

    # Advanced search: by type (the details element opens with the keyboard).
    page.locator("details.advanced-search summary").focus()
    page.keyboard.press("Enter")
    page.get_by_label(words["type"], exact=True).select_option(label=words["statement"])
    check(page, f"notices-{language}-advanced-search")
    follow(page, page.get_by_role("button", name=words["search"]))
    assert page.locator(".results-range").inner_text() == words["range"].format(a=1, b=10, c=11)
    assert page.locator(".pagination-status").inner_text() == words["page"].format(a=1, b=2)

    # The second page.
    follow(page, page.get_by_role("link", name=words["next"]))
    assert page.locator(".pagination-status").inner_text() == words["page"].format(a=2, b=2)
    assert page.locator("table.notices-table tbody tr").count() == 1
    list_url = page.url
    check(page, f"notices-{language}-page-2")

    # A notice, then back to the same page of the same search.
    subject = page.locator("table.notices-table tbody a").first
    title = subject.inner_text()
    follow(page, subject)
    assert page.locator("h1").inner_text() == title
    assert page.get_by_role("link", name=words["bell"].format(n=12)).is_visible()
    check(page, f"notices-{language}-detail")
    follow(page, page.get_by_role("link", name=words["previous"], exact=True))
    assert page.url == list_url
    assert re.search(r"[?&]page=2(&|$)", page.url) and "type=" in page.url
    assert page.locator(".pagination-status").inner_text() == words["page"].format(a=2, b=2)
    assert page.locator("details.advanced-search").get_attribute("open") is not None
    assert page.locator("table.notices-table tbody tr.unread").count() == 0
