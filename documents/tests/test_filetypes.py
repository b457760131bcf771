"""Type checks on generated files with the real libmagic (DOC-3, STYLE 13)."""

import io

import pytest

from documents.filetypes import Refusal, check_content, check_name
from documents.tests import samples

pytestmark = pytest.mark.spec("DOC-3")


@pytest.mark.parametrize("extension", sorted(samples.ACCEPTED))
def test_each_accepted_type_passes_by_extension_and_content(extension):
    content = samples.ACCEPTED[extension]()
    assert check_name(f"product-sheet.{extension}") == f"product-sheet.{extension}"
    detected = check_content(io.BytesIO(content), extension=extension)
    assert detected  # what libmagic said, kept on the document


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../x.pdf", "name"),
        ("..\\..\\x.pdf", "name"),
        ("/etc/passwd.pdf", "name"),
        ("..", "name"),
        ("a\x00b.pdf", "name"),
        ("report\u202etxt.pdf", "name"),  # right-to-left override hides the real extension
        ("a.pdf.exe", "extension"),
        ("archive.zip", "extension"),
        ("noextension", "extension"),
        (".pdf", "extension"),
        ("a" * 297 + ".pdf", "name_length"),
    ],
)
def test_names_refused(name, reason):
    with pytest.raises(Refusal) as refused:
        check_name(name)
    assert refused.value.code == reason


def test_a_name_is_kept_as_data_normalised():
    assert check_name("Fiche produit é.PDF") == "Fiche produit é.PDF"


@pytest.mark.parametrize(
    ("content", "extension", "reason"),
    [
        (samples.elf_executable, "pdf", "content"),
        (samples.windows_executable, "pdf", "content"),
        (samples.html, "pdf", "content"),
        (samples.html, "txt", "content"),
        (samples.plain_zip, "docx", "structure"),
        (samples.plain_zip, "xlsx", "structure"),
        (samples.docx, "xlsx", "content"),
        (samples.xlsx, "docx", "content"),
        (samples.docx, "xps", "content"),
        (samples.pdf, "docx", "content"),
        (samples.jpeg, "pdf", "content"),
        (samples.doc, "xls", "content"),
        (samples.polyglot_pdf_zip, "pdf", "polyglot"),
        (samples.polyglot_pdf_html, "pdf", "polyglot"),
        (lambda: samples.jpeg() + samples.plain_zip(), "jpg", "polyglot"),
        (lambda: b"", "pdf", "empty"),
    ],
)
def test_contents_refused(content, extension, reason):
    with pytest.raises(Refusal) as refused:
        check_content(io.BytesIO(content()), extension=extension)
    assert refused.value.code == reason


def test_zip_bomb_refused_from_its_directory_before_anything_is_expanded(settings):
    """200 MB in ~200 KB: refused on the sizes the archive declares; the one member read
    ([Content_Types].xml) is read with a bound."""
    bomb = samples.zip_bomb_docx(200)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(Refusal) as refused:
        check_content(io.BytesIO(bomb), extension="docx")
    assert refused.value.code == "archive"


@pytest.mark.parametrize(
    ("setting", "value"), [("DOCUMENT_ZIP_MAX_ENTRIES", 3), ("DOCUMENT_ZIP_MAX_RATIO", 2)]
)
def test_zip_guard_entries_and_ratio(settings, setting, value):
    setattr(settings, setting, value)
    content = samples.docx(extra={"word/media/a.bin": b"\0" * (2 * 1024 * 1024)})
    with pytest.raises(Refusal) as refused:
        check_content(io.BytesIO(content), extension="docx")
    assert refused.value.code == "archive"


@pytest.mark.parametrize(
    ("content", "extension", "reason"),
    [
        (lambda: samples.ole2("Workbook", samples.EXCEL_CLSID), "doc", "content"),
        (lambda: samples.ole2("WordDocument", samples.WORD_CLSID), "xls", "content"),
        (lambda: samples.ole2("Contents", b"\0" * 16), "doc", "structure"),  # no Word stream
        (lambda: samples.ole2("Contents", b"\0" * 16), "xls", "structure"),
        (lambda: samples.doc()[:1024], "doc", "structure"),  # cut short: no directory
    ],
)
def test_compound_files_need_their_format_s_stream(content, extension, reason):
    with pytest.raises(Refusal) as refused:
        check_content(io.BytesIO(content()), extension=extension)
    assert refused.value.code == reason


def test_macro_enabled_office_file_refused():
    content = samples.docx(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macros"})
    with pytest.raises(Refusal) as refused:
        check_content(io.BytesIO(content), extension="docx")
    assert refused.value.code == "structure"
