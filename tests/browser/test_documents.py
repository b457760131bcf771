"""Upload a document in Chromium, in both languages (DOC-1 … DOC-4, X-1, X-2, X-3): from
the header link, step 1, step 2 with drag and drop, the confirmation with the scan
states from the real clamd; then *Upload more documents* by keyboard only (the file
chooser opened with the keyboard). axe-core on every page."""

import base64
import os

import pytest

from accounts.tests.factories import UserFactory
from business.tests.factories import ProgramAccountFactory
from delegation.models import Employment
from delegation.tests.factories import EmploymentFactory
from documents import clamav
from documents.models import Document
from documents.tests import samples
from documents.tests.factories import DocumentCategoryFactory
from tests.browser.conftest import axe_violations, follow, screenshot, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "link": "Upload a document",
        "step1": "Upload a document - step 1 of 2",
        "step2": "Upload a document - step 2 of 2",
        "category": "Category",
        "case": "Case/reference number",
        "next": "Next",
        "upload": "Upload",
        "chosen": "2 files chosen",
        "confirmation": "Upload confirmation",
        "clean": "Clean",
        "infected": "Infected",
        "more": "Upload more documents",
        "refused": "a.pdf.exe: this type of file is not accepted.",
    },
    "fr": {
        "link": "Télécharger un document",
        "step1": "Télécharger un document - étape 1 de 2",
        "step2": "Télécharger un document - étape 2 de 2",
        "category": "Catégorie",
        "case": "Numéro de cas/de référence",
        "next": "Suivant",
        "upload": "Télécharger",
        "chosen": "2 fichiers choisis",
        "confirmation": "Confirmation du téléchargement",
        "clean": "Sain",
        "infected": "Infecté",
        "more": "Télécharger d'autres documents",
        "refused": "a.pdf.exe : ce type de fichier n'est pas accepté.",
    },
}

DROP = """([files]) => {
  const transfer = new DataTransfer();
  for (const [name, data] of files) {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name));
  }
  const zone = document.querySelector("[data-dropzone]");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
  }
}"""


def check(page, name: str) -> None:
    screenshot(page, name)
    assert axe_violations(page) == [], name


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element has the focus (the keyboard path, no clicks)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus")


@pytest.fixture
def scanner(settings):
    try:
        up = clamav.ping(timeout=2.0)
    except clamav.ClamdUnavailable:
        up = False
    if not up:
        if os.environ.get("CI") or os.environ.get("CLAMD_REQUIRED"):  # make test started it
            pytest.fail(f"clamd does not answer at {settings.CLAMAV_URL}")
        pytest.skip('no clamd: eval "$(bash scripts/clamd.sh start)"')


@pytest.mark.spec("DOC-1", "DOC-2", "DOC-3", "DOC-4", "X-1", "X-2", "X-3")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_upload_journey_drag_and_drop_then_keyboard(page, live_server, scanner, language):
    words = WORDS[language]
    account = ProgramAccountFactory(business__legal_name="ImporterCompany3084 Inc.")
    user = EmploymentFactory(
        business=account.business,
        role=Employment.Role.BUSINESS_ACCOUNT_MANAGER,
        user=UserFactory(preferred_language=language),
    ).user
    category = DocumentCategoryFactory(
        name_en="Product literature, drawings, photographs or diagrams",
        name_fr="Documentation sur les produits, dessins, photographies ou schémas",
    )
    sign_in_as(page, live_server, user)

    # DOC-1: the header link.
    page.goto(f"/{language}/portal/")
    follow(page, page.locator(".menu-links").get_by_role("link", name=words["link"]))
    assert page.locator("h1").inner_text() == words["step1"]
    check(page, f"documents-{language}-step-1")
    page.get_by_label(words["category"]).select_option(
        label=category.name_en if language == "en" else category.name_fr
    )
    page.get_by_label(words["case"]).fill("8000000683")
    follow(page, page.locator("main form").get_by_role("button", name=words["next"]))

    # Step 2: drop two files (one refused by name) on the zone.
    assert page.locator("h1").inner_text() == words["step2"]
    check(page, f"documents-{language}-step-2")
    files = [
        ["product-sheet.pdf", base64.b64encode(samples.pdf()).decode()],
        ["a.pdf.exe", base64.b64encode(samples.pdf()).decode()],
    ]
    page.evaluate(DROP, [files])
    assert page.locator("#chosen-files p").inner_text() == words["chosen"]
    assert "product-sheet.pdf" in page.locator("#chosen-files").inner_text()
    check(page, f"documents-{language}-step-2-dropped")
    follow(page, page.locator("main form").get_by_role("button", name=words["upload"]))

    # The confirmation: what was received, its scan state (the real clamd), what was refused.
    assert page.locator("h1").inner_text() == words["confirmation"]
    row = page.locator("table tbody tr")
    assert row.count() == 1
    assert "product-sheet.pdf" in row.inner_text() and words["clean"] in row.inner_text()
    assert words["refused"] in page.locator("section.notice-error").inner_text()
    check(page, f"documents-{language}-confirmation")

    # Upload more documents, by keyboard only: nothing is kept from the first batch.
    tab_to(page, f"a[href='/{language}/documents/upload/'].button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#id_case_number").input_value() == ""
    tab_to(page, "#id_category")
    page.keyboard.press("ArrowDown")  # the first category
    page.keyboard.press("Tab")
    page.keyboard.type("8000000683")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == words["step2"]
    # Listen for the chooser before tabbing: Playwright subscribes to the event without
    # waiting, and a chooser opened before the subscription settles is not reported.
    with page.expect_file_chooser() as chooser:
        tab_to(page, "#id_files")
        page.keyboard.press("Space")
    chooser.value.set_files(
        [{"name": "eicar.txt", "mimeType": "text/plain", "buffer": samples.eicar()}]
    )
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == words["confirmation"]
    row = page.locator("table tbody tr")
    assert "eicar.txt" in row.inner_text() and words["infected"] in row.inner_text()
    assert page.locator("table a").count() == 0  # nothing to download
    check(page, f"documents-{language}-confirmation-infected")
    assert list(Document.objects.order_by("pk").values_list("original_name", "scan_state")) == [
        ("product-sheet.pdf", "clean"),
        ("eicar.txt", "infected"),
    ]
