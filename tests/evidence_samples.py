"""Real (small) files of every kind the evidence checks meet, built in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import lru_cache

from django.core.files.uploadedfile import SimpleUploadedFile

from tests import hostile_pdf_samples


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@lru_cache(maxsize=1)
def pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>Audit of CPA care plans</h1><p>42 of 50 compliant.</p>").write_pdf()


def pdf_with(body: bytes) -> bytes:
    """A one-page PDF whose catalogue also has the entries of the dictionary `body`."""
    entries = body.strip().removeprefix(b"<<").removesuffix(b">>")
    return hostile_pdf_samples.one_page_pdf(catalog_extra=entries)


def pdf_with_compressed_javascript() -> bytes:
    return hostile_pdf_samples.javascript_in_flate_object_stream()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def png() -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\x00" * 64
        + b"\xff\xd9"
    )


def office(
    kind: str = "docx", extra: dict[str, bytes] | None = None, content_types: bytes | None = None
) -> bytes:
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}[
        kind
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            content_types
            or b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr(main, b'<?xml version="1.0"?><document/>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def opendocument(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype)
        archive.writestr("content.xml", b"<office:document-content/>")
    return buffer.getvalue()


def zip_bomb(megabytes: int = 20) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w") as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", b"hello")
    return buffer.getvalue()


EML = b"From: ward3@nhs.net\r\nTo: safeguarding@nhs.net\r\nSubject: Audit done\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nThe audit is attached.\r\n"
CSV = b"ward,compliant,audited\r\nWard 3,42,50\r\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100
