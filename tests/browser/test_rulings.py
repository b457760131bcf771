"""A ruling request's whole journey in Chromium, in both languages (RUL-1 … RUL-3, DOC-1,
X-2): the importer drafts it in two steps, attaches a document, submits; CBSA staff
assign it and ask for information in the admin; the importer answers; staff render the
decision; the importer reads it. axe-core on every portal page."""

import pytest

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from rulings.models import Ruling
from tests.browser.conftest import axe_violations, follow, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WORDS = {
    "en": {
        "title": "Rulings",
        "request": "Request a ruling",
        "next": "Next",
        "submit": "Submit",
        "submitted": "Submitted",
        "information": "Additional information requested",
        "answer": "Answer the request for information",
        "send": "Send",
        "assigned": "Assigned",
        "decided": "Decision rendered",
        "decision": "Cordless drills are classified in 8467.21.00.",
        "upload": "Upload a document",
    },
    "fr": {
        "title": "Décisions",
        "request": "Demander une décision",
        "next": "Suivant",
        "submit": "Soumettre",
        "submitted": "Soumise",
        "information": "Renseignements supplémentaires demandés",
        "answer": "Répondre à la demande de renseignements",
        "send": "Envoyer",
        "assigned": "Assignée",
        "decided": "Décision rendue",
        "decision": "Les perceuses sans fil sont classées dans le numéro 8467.21.00.",
        "upload": "Télécharger un document",
    },
}


def check(page, name: str) -> None:
    screenshot(page, name)
    assert axe_violations(page) == [], name


def status_of(page) -> str:
    return page.locator(".ruling-facts .tag").first.inner_text()


def staff_does(staff, url: str, fields: dict[str, str]) -> None:
    staff.goto(url)
    for name, value in fields.items():
        staff.fill(f"[name={name}]", value)
    follow(staff, staff.locator("input[type=submit].default"))
    assert staff.locator(".messagelist .success").count() == 1, staff.content()


@pytest.mark.spec("RUL-1", "RUL-2", "RUL-3", "DOC-1", "X-1", "X-2")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_request_follow_and_decide(page, browser, live_server, language):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    words = WORDS[language]
    account = ProgramAccountFactory(business__legal_name="ImporterCompany3084 Inc.")
    importer = EmploymentFactory(
        business=account.business,
        role=Employment.Role.EDITOR,
        user=UserFactory(preferred_language=language),
    ).user
    officer = UserFactory(staff=True, preferred_language=language)
    TOTP.activate(officer, generate_totp_secret())
    from documents.tests.factories import DocumentCategoryFactory

    DocumentCategoryFactory(name_en="Product literature", name_fr="Documentation")

    # The importer drafts the request: context, then details.
    sign_in_as(page, live_server, importer)
    page.goto(f"/{language}/rulings/")
    assert page.locator("h1").inner_text() == words["title"]
    check(page, f"rulings-{language}-list-empty")
    follow(page, page.get_by_role("link", name=words["request"]))
    check(page, f"rulings-{language}-context")
    page.check("input[name=kind][value=tariff_classification]")
    page.fill("input[name=port_of_entry]", "Montréal")
    page.check("input[name=prior][value=none]")
    page.check("input[name=imported_before][value=no]")
    page.check("input[name=will_continue][value=yes]")
    page.check("input[name=consent_to_publish][value=yes]")
    follow(page, page.get_by_role("button", name=words["next"], exact=True))

    ruling = Ruling.objects.get()
    # Next without the details: the error summary, focused (one accessible pattern).
    follow(page, page.get_by_role("button", name=words["next"], exact=True))
    assert page.locator("[data-error-summary]").is_visible()
    check(page, f"rulings-{language}-details-errors")
    page.fill("[name=goods_description]", "Cordless drill, 18 V")
    page.fill("[name=composition]", "Steel, ABS plastic, lithium-ion cells")
    page.fill("[name=function_and_use]", "Drilling holes")
    page.fill("[name=proposed_classification]", "8467.21.00")
    page.fill("[name=classification_reasons]", "Tool for working in the hand with a motor")
    page.check("input[name=samples_available][value=yes]")
    follow(page, page.get_by_role("button", name=words["next"], exact=True))
    assert ruling.case_number in page.locator(".case-number").inner_text()
    check(page, f"rulings-{language}-attachments")

    # Attach a document to the case through the upload pages.
    attachments_url = page.url
    follow(page, page.locator("main").get_by_role("link", name=words["upload"]))
    assert page.locator("[name=case_number]").input_value() == ruling.case_number
    page.locator("[name=category]").select_option(index=1)
    follow(page, page.get_by_role("button", name=words["next"], exact=True))
    from documents.tests import samples

    page.set_input_files(
        "input[type=file]",
        files=[{"name": "drill.pdf", "mimeType": "application/pdf", "buffer": samples.pdf()}],
    )
    follow(page, page.locator("main form[enctype] button[type=submit]"))
    page.goto(attachments_url)
    assert "drill.pdf" in page.locator("table.documents-table").inner_text()

    follow(page, page.get_by_role("button", name=words["submit"], exact=True))
    assert status_of(page) == words["submitted"]
    check(page, f"rulings-{language}-submitted")

    # CBSA staff assign it and ask for information, in the admin.
    staff_context = browser.new_context(base_url=live_server.url)
    staff = staff_context.new_page()
    staff.set_default_timeout(15_000)
    sign_in_as(staff, live_server, officer)
    staff.goto("/admin/rulings/ruling/?queue=submitted")
    assert ruling.case_number in staff.locator("#result_list").inner_text()
    staff_does(staff, f"/admin/rulings/ruling/{ruling.pk}/assign/", {})
    staff_does(
        staff,
        f"/admin/rulings/ruling/{ruling.pk}/request-information/",
        {"message": "Send a photograph of the battery label."},
    )

    # The importer answers.
    page.reload()
    assert status_of(page) == words["information"]
    check(page, f"rulings-{language}-information-requested")
    follow(page, page.get_by_role("link", name=words["answer"]))
    assert "battery label" in page.locator(".cbsa-message").inner_text()
    check(page, f"rulings-{language}-answer")
    page.fill("[name=message]", "The photograph is attached to the case.")
    follow(page, page.get_by_role("button", name=words["send"], exact=True))
    assert status_of(page) == words["assigned"]

    # Staff render the decision in both languages.
    staff_does(
        staff,
        f"/admin/rulings/ruling/{ruling.pk}/decide/",
        {
            "decision_en": WORDS["en"]["decision"],
            "decision_fr": WORDS["fr"]["decision"],
        },
    )
    staff_context.close()

    # The importer reads it, in their language, and finds it in the list.
    page.reload()
    assert status_of(page) == words["decided"]
    assert page.locator(".ruling-decision").inner_text().count(words["decision"]) == 1
    history = page.locator(".history-table tbody tr").count()
    assert history == 6  # draft, submitted, assigned, information, assigned, decision
    check(page, f"rulings-{language}-decision")
    page.goto(f"/{language}/rulings/")
    assert words["decided"] in page.locator("table.rulings-table").inner_text()
    check(page, f"rulings-{language}-list")

    # The published decision, for anyone.
    page.context.clear_cookies()
    page.goto(f"/{language}/rulings/published/")
    assert words["decision"] in page.locator("main").inner_text()
    assert "ImporterCompany3084" not in page.content()
    check(page, f"rulings-{language}-published")
