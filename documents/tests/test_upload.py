"""The upload journey through the pages, with the real libmagic, storage and clamd
(DOC-1 … DOC-4, X-1, X-4): pages asserted through parsed HTML in both languages."""

import pytest
from django.core.files.storage import default_storage

from documents.models import Document, UploadBatch
from documents.tests import samples
from documents.tests.conftest import CASE, choose, files_under, send
from documents.tests.factories import DocumentCategoryFactory
from notices.models import Notice
from tests.html import soup, text

pytestmark = pytest.mark.django_db

WORDS = {
    "en": {
        "step1": "Upload a document - step 1 of 2",
        "step2": "Upload a document - step 2 of 2",
        "category": "Category (required)",
        "case": "Case/reference number (maximum 14 characters) (required)",
        "next": "Next",
        "upload": "Upload",
        "drop": "Click or drag your file here",
        "limits": "The maximum upload size per file is 15 MB and there is a maximum of 10 attachments per upload.",
        "confirmation": "Upload confirmation",
        "clean": "Clean",
        "more": "Upload more documents",
    },
    "fr": {
        "step1": "Télécharger un document - étape 1 de 2",
        "step2": "Télécharger un document - étape 2 de 2",
        "category": "Catégorie (obligatoire)",
        "case": "Numéro de cas/de référence (maximum de 14 caractères) (obligatoire)",
        "next": "Suivant",
        "upload": "Télécharger",
        "drop": "Cliquez ou glissez votre fichier ici",
        "limits": "La taille maximale de téléchargement par fichier est de 15 Mo et il y a un maximum de 10 pièces jointes par téléchargement.",
        "confirmation": "Confirmation du téléchargement",
        "clean": "Sain",
        "more": "Télécharger d'autres documents",
    },
}


def upload(client, files, django_capture_on_commit_callbacks, language="en"):
    """Step 2, then the scans queued after the commit run (eagerly, as a worker would)."""
    with django_capture_on_commit_callbacks(execute=True):
        return send(client, files, language=language)


@pytest.mark.spec("DOC-1", "DOC-2", "X-1")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_step_1_page(bam_client, category, language):
    words = WORDS[language]
    retired = DocumentCategoryFactory(name_en="Retired", name_fr="Retirée", active=False)
    page = soup(bam_client.get(f"/{language}/documents/upload/?case={CASE}"))
    assert text(page.h1) == words["step1"]
    labels = [text(label) for label in page.select("form label")]
    assert labels == [words["category"], words["case"]]
    options = [text(o) for o in page.select("select[name=category] option")][1:]
    assert (category.name_en if language == "en" else category.name_fr) in options
    assert retired.name_en not in options and retired.name_fr not in options
    assert (
        page.select_one("input[name=case_number]")["value"] == CASE
    )  # DOC-1: from the rulings list
    assert text(page.select_one("main form button[type=submit]")) == words["next"]


@pytest.mark.spec("DOC-1")
@pytest.mark.parametrize("where", ["/en/portal/", "/en/notices/"])
def test_header_and_most_requested_link_to_the_upload(bam_client, employee_client, where):
    page = soup(bam_client.get(where, follow=True))
    assert page.select('a[href="/en/documents/upload/"]')
    # A Reader may not upload (DELEG-0): no link leads them to a refusal.
    page = soup(employee_client.get(where, follow=True))
    assert not page.select('a[href="/en/documents/upload/"]')


@pytest.mark.spec("DOC-2", "X-4")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_step_1_errors_keep_what_was_entered(bam_client, category, language):
    response = bam_client.post(
        f"/{language}/documents/upload/", {"category": "", "case_number": "123456789012345"}
    )
    page = soup(response)
    summary = page.select_one("[data-error-summary]")
    assert summary is not None
    assert len(summary.select("li")) == 2
    assert page.select_one("input[name=case_number]")["value"] == "123456789012345"
    case_input = page.select_one("input[name=case_number]")
    assert "id_case_number-error" in case_input["aria-describedby"]
    if language == "fr":
        assert "Sélectionnez une catégorie." in text(summary)


@pytest.mark.spec("DOC-2")
def test_step_2_needs_step_1(bam_client, category):
    response = bam_client.get("/en/documents/upload/files/")
    assert response.status_code == 302
    assert response["Location"] == "/en/documents/upload/"


@pytest.mark.spec("DOC-2", "X-1")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_step_2_page_and_going_back_loses_nothing(bam_client, category, language):
    words = WORDS[language]
    assert choose(bam_client, category, language=language).status_code == 302
    page = soup(bam_client.get(f"/{language}/documents/upload/files/"))
    assert text(page.h1) == words["step2"]
    assert CASE in text(page.select_one(".upload-facts"))
    assert words["limits"] in text(page.select_one("main"))
    assert text(page.select_one(".dropzone label")) == words["drop"]
    file_input = page.select_one("input[type=file]")
    assert file_input.has_attr("multiple")
    assert page.select_one("form[enctype='multipart/form-data'] button[type=submit]")
    assert text(page.select_one("main form button[type=submit]")) == words["upload"]
    back = soup(bam_client.get(f"/{language}/documents/upload/"))
    assert back.select_one("input[name=case_number]")["value"] == CASE
    assert back.select_one("option[selected]")["value"] == str(category.pk)


@pytest.mark.spec("DOC-3", "DOC-4")
@pytest.mark.parametrize("extension", sorted(samples.ACCEPTED))
def test_each_accepted_type_is_kept_and_scanned_clean(
    bam_client, category, clamd, extension, storage_root, django_capture_on_commit_callbacks
):
    content = samples.ACCEPTED[extension]()
    choose(bam_client, category)
    response = upload(
        bam_client, [(f"sheet.{extension}", content)], django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.original_name == f"sheet.{extension}"
    assert document.scan_state == "clean"
    assert document.size == len(content)
    assert document.storage_name.startswith("documents/")
    assert f"sheet.{extension}" not in document.storage_name  # generated, never the name
    assert files_under(storage_root) == [document.storage_name]
    with default_storage.open(document.storage_name) as stored:
        assert stored.read() == content


HOSTILE = [
    ("program.pdf", samples.elf_executable, "the content of the file does not match its file type"),
    ("page.pdf", samples.html, "the content of the file does not match its file type"),
    (
        "archive.docx",
        samples.plain_zip,
        "the file is damaged or is not a real document of its type",
    ),
    ("both.pdf", samples.polyglot_pdf_zip, "the file hides content of another type"),
    ("script.pdf", samples.polyglot_pdf_html, "the file hides content of another type"),
    ("bomb.docx", samples.zip_bomb_docx, "the file expands to an unreasonable size"),
    ("big.pdf", lambda: samples.pdf(size=15 * 1024 * 1024 + 1), "the file is larger than 15 MB"),
    ("../../x.pdf", samples.pdf, "the file name cannot be accepted"),
    ("a.pdf.exe", samples.pdf, "this type of file is not accepted"),
    ("a" * 296 + ".pdf", samples.pdf, "the file name is too long"),
    ("empty.txt", lambda: b"", "the file is empty"),
]


@pytest.mark.spec("DOC-3", "X-4")
@pytest.mark.parametrize(("name", "content", "message"), HOSTILE, ids=[h[0][:20] for h in HOSTILE])
def test_a_refused_file_is_named_and_the_rest_of_the_batch_kept(
    bam_client, category, clamd, name, content, message, storage_root, tmp_path,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    choose(bam_client, category)
    data = content()
    if name == "big.pdf":
        assert len(data) == 15 * 1024 * 1024 + 1
    response = upload(
        bam_client,
        [("good.pdf", samples.pdf()), (name, data), ("notes.txt", samples.txt())],
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    batch = UploadBatch.objects.get()
    kept = list(batch.documents.order_by("pk").values_list("original_name", "scan_state"))
    assert kept == [("good.pdf", "clean"), ("notes.txt", "clean")]
    page = soup(bam_client.get(response["Location"]))
    refused = text(page.select_one("section.notice-error"))
    assert message in refused
    shown = name if len(name) <= 60 else name[:48]
    assert shown in refused
    # Nothing outside the storage root; nothing left behind in the upload directory.
    assert sorted(files_under(storage_root)) == sorted(
        batch.documents.values_list("storage_name", flat=True)
    )
    assert files_under(tmp_path / "uploads") == []
    assert sorted(files_under(tmp_path)) == sorted(
        f"storage/{n}" for n in batch.documents.values_list("storage_name", flat=True)
    )


@pytest.mark.spec("DOC-3", "X-1")
def test_refusal_messages_in_french(
    bam_client, category, clamd, django_capture_on_commit_callbacks
):
    choose(bam_client, category, language="fr")
    response = upload(
        bam_client,
        [("bon.pdf", samples.pdf()), ("programme.pdf", samples.elf_executable())],
        django_capture_on_commit_callbacks,
        language="fr",
    )
    page = soup(bam_client.get(response["Location"]))
    assert "programme.pdf : le contenu du fichier ne correspond pas à son type de fichier." in text(
        page.select_one("section.notice-error")
    )


@pytest.mark.spec("DOC-3")
def test_an_eleventh_file_is_refused_and_the_first_ten_kept(
    bam_client, category, clamd, django_capture_on_commit_callbacks
):
    choose(bam_client, category)
    files = [(f"page-{n:02d}.pdf", samples.pdf(f"page {n}")) for n in range(1, 12)]
    response = upload(bam_client, files, django_capture_on_commit_callbacks)
    batch = UploadBatch.objects.get()
    assert batch.documents.count() == 10
    assert not batch.documents.filter(original_name="page-11.pdf").exists()
    page = soup(bam_client.get(response["Location"]))
    assert "page-11.pdf: at most 10 files can be uploaded at a time" in text(
        page.select_one("section.notice-error")
    )


@pytest.mark.spec("DOC-3", "X-4")
def test_a_batch_with_nothing_valid_stays_on_step_2_with_the_messages(
    bam_client, category, storage_root
):
    choose(bam_client, category)
    response = send(bam_client, [("a.exe", b"MZ"), ("b.pdf", samples.html())])
    assert response.status_code == 400
    page = soup(response)
    summary = text(page.select_one("[data-error-summary]"))
    assert "a.exe: this type of file is not accepted" in summary
    assert "b.pdf: the content of the file does not match" in summary
    assert page.select_one("#id_files")["aria-invalid"] == "true"
    assert not UploadBatch.objects.exists()
    assert files_under(storage_root) == []


@pytest.mark.spec("DOC-3")
def test_no_file_chosen(bam_client, category):
    choose(bam_client, category)
    response = send(bam_client, [])
    assert "Choose at least one file to upload." in text(soup(response).select_one("main"))


@pytest.mark.spec("DOC-3")
def test_a_request_over_the_limit_is_refused_unread(bam_client, category):
    choose(bam_client, category)
    response = send(bam_client, [("a.pdf", samples.pdf())], CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 413
    assert "The upload is larger than 10 files of 15 MB" in text(soup(response).select_one("main"))
    assert not UploadBatch.objects.exists()


@pytest.mark.spec("DOC-2", "DOC-4", "X-1")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_confirmation_lists_what_was_received_and_upload_more_keeps_nothing(
    bam_client, category, clamd, language, django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):  # fmt: skip
    words = WORDS[language]
    choose(bam_client, category, language=language)
    response = upload(
        bam_client,
        [("sheet.pdf", samples.pdf()), ("photo.jpg", samples.jpeg())],
        django_capture_on_commit_callbacks,
        language=language,
    )
    with django_assert_max_num_queries(13):  # whatever the number of files
        page = soup(bam_client.get(response["Location"]))
    assert text(page.h1) == words["confirmation"]
    rows = [[text(td) for td in tr.select("td")] for tr in page.select("table tbody tr")]
    assert [r[0] for r in rows] == ["sheet.pdf", "photo.jpg"]
    assert all(words["clean"] in r[2] for r in rows)
    link = page.select_one("table a")
    assert (
        link["href"]
        == f"/{language}/documents/{Document.objects.get(original_name='sheet.pdf').pk}/download/"
    )
    more = page.find("a", string=words["more"])
    assert more["href"] == f"/{language}/documents/upload/"
    fresh = soup(bam_client.get(more["href"]))
    assert fresh.select_one("input[name=case_number]").get("value") in (None, "")
    assert bam_client.get(f"/{language}/documents/upload/files/").status_code == 302


@pytest.mark.spec("DOC-4", "NOTE-4")
def test_the_uploader_is_told_what_was_received(
    bam_client, category, clamd, django_capture_on_commit_callbacks
):
    choose(bam_client, category)
    upload(
        bam_client,
        [("a.pdf", samples.pdf()), ("b.pdf", samples.pdf("b"))],
        django_capture_on_commit_callbacks,
    )
    notice = Notice.objects.get(type__code="document_received")
    assert notice.subject_en == f"Documents received for case {CASE}"
    assert notice.recipients.get().user == bam_client.user


@pytest.mark.spec("DOC-2", "X-4")
def test_an_upload_without_the_csrf_token_is_refused_and_nothing_kept(
    bam_client, category, storage_root
):
    choose(bam_client, category)
    bam_client.handler.enforce_csrf_checks = True
    response = send(bam_client, [("sheet.pdf", samples.pdf())])
    assert response.status_code == 403
    assert not UploadBatch.objects.exists()
    assert files_under(storage_root) == []
