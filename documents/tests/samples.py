"""Files of every accepted type, and hostile ones, generated at run time (DOC-3).

Nothing here is a stored fixture: each function builds the bytes that the real tools
(libmagic, zipfile, clamd) then examine.
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from eicar import eicar_bytes  # noqa: E402

MB = 1024 * 1024


def pdf(text: str = "Product literature", *, size: int = 0) -> bytes:
    """A small, valid PDF; ``size`` pads it (inside a stream) to exactly that many bytes."""
    if size:
        padding = size
        while len(data := _pdf(text, padding)) != size:
            padding += size - len(data)
        return data
    return _pdf(text, 0)


def _pdf(text: str, padding: int) -> bytes:
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    if padding:
        offsets.append(out.tell())
        out.write(b"6 0 obj\n<< /Length %d >>\nstream\n" % padding)
        out.write(b"\0" * padding)
        out.write(b"\nendstream\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    )
    return out.getvalue()


def _ooxml(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="%s"/></Relationships>'
)


def _content_types(override: str, main: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="{override}"/></Types>'
    ).encode()


def docx(text: str = "Drawings", *, extra: dict[str, bytes] | None = None) -> bytes:
    main = "word/document.xml"
    return _ooxml(
        {
            "[Content_Types].xml": _content_types(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                main,
            ),
            "_rels/.rels": RELS % main.encode(),
            main: (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
            ).encode(),
            **(extra or {}),
        }
    )


def xlsx() -> bytes:
    main = "xl/workbook.xml"
    return _ooxml(
        {
            "[Content_Types].xml": _content_types(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", main
            ),
            "_rels/.rels": RELS % main.encode(),
            main: (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>'
            ),
        }
    )


def xps() -> bytes:
    return _ooxml(
        {
            "[Content_Types].xml": (
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b'<Default Extension="fdseq" ContentType="application/vnd.ms-package.xps-fixeddocumentsequence+xml"/>'
                b'<Default Extension="fdoc" ContentType="application/vnd.ms-package.xps-fixeddocument+xml"/>'
                b'<Default Extension="fpage" ContentType="application/vnd.ms-package.xps-fixedpage+xml"/>'
                b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                b"</Types>"
            ),
            "_rels/.rels": (
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                b'<Relationship Id="R1" Type="http://schemas.microsoft.com/xps/2005/06/fixedrepresentation" Target="/FixedDocSeq.fdseq"/>'
                b"</Relationships>"
            ),
            "FixedDocSeq.fdseq": (
                b'<FixedDocumentSequence xmlns="http://schemas.microsoft.com/xps/2005/06">'
                b'<DocumentReference Source="/Documents/1/FixedDoc.fdoc"/></FixedDocumentSequence>'
            ),
            "Documents/1/FixedDoc.fdoc": (
                b'<FixedDocument xmlns="http://schemas.microsoft.com/xps/2005/06">'
                b'<PageContent Source="/Documents/1/Pages/1.fpage"/></FixedDocument>'
            ),
            "Documents/1/Pages/1.fpage": (
                b'<FixedPage xmlns="http://schemas.microsoft.com/xps/2005/06" Width="816" '
                b'Height="1056" xml:lang="en-CA"></FixedPage>'
            ),
        }
    )


_ENDOFCHAIN, _FREESECT, _FATSECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
WORD_CLSID = bytes.fromhex("0609020000000000c000000000000046")
EXCEL_CLSID = bytes.fromhex("2008020000000000c000000000000046")


def _dir_entry(name: str, kind: int, child: int, start: int, size: int, clsid=b"\0" * 16) -> bytes:
    encoded = name.encode("utf-16-le") + b"\0\0"
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NOSTREAM, _NOSTREAM, child)
        + clsid
        + struct.pack("<I", 0)
        + b"\0" * 16
        + struct.pack("<IQ", start, size)
    )


def ole2(stream: str = "WordDocument", clsid: bytes = WORD_CLSID) -> bytes:
    """A minimal Compound File (the container of .doc and .xls) with one 4 KB stream."""
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _ENDOFCHAIN, 0, _ENDOFCHAIN, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", _FREESECT) * 108
    )
    assert len(header) == 512
    fat = [_FATSECT, _ENDOFCHAIN] + [3, 4, 5, 6, 7, 8, 9, _ENDOFCHAIN]
    fat += [_FREESECT] * (128 - len(fat))
    directory = (
        _dir_entry("Root Entry", 5, 1, _ENDOFCHAIN, 0, clsid)
        + _dir_entry(stream, 2, _NOSTREAM, 2, 4096)
        + (
            b"\0" * 64
            + struct.pack("<HBB", 0, 0, 0)
            + struct.pack("<III", *[_NOSTREAM] * 3)
            + b"\0" * 48
        )
        * 2
    )
    assert len(directory) == 512
    body = (b"\xec\xa5\xc1\x00" + b"\0" * 508) + b"\0" * (4096 - 512)
    return header + struct.pack("<128I", *fat) + directory + body


def doc() -> bytes:
    return ole2("WordDocument", WORD_CLSID)


def xls() -> bytes:
    return ole2("Workbook", EXCEL_CLSID)


def rtf() -> bytes:
    return (
        b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times New Roman;}}\\f0\\fs24 Product sheet.\\par}\n"
    )


def txt() -> bytes:
    return b"Invoice notes for case 8000000683.\nMerci.\n"


def jpeg() -> bytes:
    """A 1×1 baseline JPEG (JFIF), byte by byte."""
    return bytes.fromhex(
        "ffd8ffe000104a46494600010100000100010000"
        "ffdb004300" + "01" * 64 + "ffc0000b080001000101011100"
        "ffc4001f0000010501010101010100000000000000000102030405060708090a0b"
        "ffda0008010100003f00d2cf20ffd9"
    )


def tiff() -> bytes:
    """A 1×1 bilevel little-endian TIFF."""
    entries = [
        (256, 3, 1, 1), (257, 3, 1, 1), (258, 3, 1, 1), (259, 3, 1, 1),
        (262, 3, 1, 0), (273, 4, 1, 8 + 2 + 9 * 12 + 4), (277, 3, 1, 1),
        (278, 3, 1, 1), (279, 4, 1, 1),
    ]  # fmt: skip
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHII", tag, kind, count, value)
    return b"II*\0" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\0"


ACCEPTED = {
    "pdf": pdf,
    "doc": doc,
    "docx": docx,
    "xls": xls,
    "xlsx": xlsx,
    "rtf": rtf,
    "txt": txt,
    "jpg": jpeg,
    "jpeg": jpeg,
    "tiff": tiff,
    "tif": tiff,
    "xps": xps,
}


# --- Hostile files --------------------------------------------------------------------


def elf_executable() -> bytes:
    """The first bytes of a 64-bit Linux executable (what libmagic reads)."""
    return (
        bytes.fromhex("7f454c46020101000000000000000000")
        + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
        + b"\0" * 512
    )


def windows_executable() -> bytes:
    return b"MZ" + b"\x90\0" + b"\0" * 56 + struct.pack("<I", 64) + b"PE\0\0" + b"\0" * 400


def html() -> bytes:
    return b"<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n"


def plain_zip() -> bytes:
    return _ooxml({"notes.txt": b"not an office document", "other.txt": b"hello"})


def polyglot_pdf_zip() -> bytes:
    """A PDF with a zip archive after it: a PDF reader and an unzipper both accept it."""
    return pdf() + plain_zip()


def polyglot_pdf_html() -> bytes:
    """A PDF whose body carries an HTML page with script (a browser sniffing it runs it)."""
    data = pdf()
    return (
        data[:15]
        + b"<html><body><script>alert(document.cookie)</script></body></html>\n"
        + data[15:]
    )


def zip_bomb_docx(expanded_mb: int = 200) -> bytes:
    """A .docx whose one extra member expands from a few hundred KB to ``expanded_mb`` MB."""
    buf = io.BytesIO(docx())
    with (
        zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("word/media/filler.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(expanded_mb):
            member.write(b"\0" * MB)
    return buf.getvalue()


def eicar() -> bytes:
    return eicar_bytes()


def eicar_docx() -> bytes:
    """A .docx (structurally fine) carrying the EICAR test file as one of its parts."""
    return docx(extra={"word/embeddings/eicar.bin": eicar_bytes()})
