"""PDFs built to slip danger past the evidence check, or to wear it out, are refused with
a message the person can act on; ordinary PDFs still go through. Every file is built
here, byte by byte or with pikepdf."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest
from django.core.exceptions import ValidationError

from actions.evidence_files import _check_pdf
from tests import evidence_samples as samples
from tests import hostile_pdf_samples as hostile

JS = b"<< /S /JavaScript /JS (app.alert(1)) >>"


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        _check_pdf(data, "audit.pdf")
    return " ".join(error.value.messages)


def pikepdf_bytes(pdf: pikepdf.Pdf, **save: Any) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **save)
    return out.getvalue()


def ordinary_pdf(pages: int = 2) -> pikepdf.Pdf:
    """Text on pages, an outline and a web link: what evidence usually looks like."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont="/Helvetica"
        )
    )
    for number in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[-1]
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(
            f"BT /F1 12 Tf 72 770 Td (Ward 3 audit, page {number + 1}) Tj ET".encode()
        )
    pdf.pages[0].Annots = pdf.make_indirect(
        pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[72, 700, 300, 720],
                    A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI="https://www.england.nhs.uk/"),
                )
            ]
        )
    )
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("Findings", 0))
    return pdf


def test_it_refuses_javascript_in_an_ascii_hex_object_stream():
    assert "JavaScript" in refusal(hostile.javascript_in_hex_object_stream())


def test_it_refuses_javascript_after_51_mb_of_padding_in_an_object_stream():
    # Compressed, the padding is about 50 KB; qpdf inflates it once, within the limit.
    data = hostile.javascript_in_flate_object_stream(padding=51 * hostile.MB)
    assert "JavaScript" in refusal(data)


def test_it_refuses_an_object_stream_that_expands_beyond_the_limit(settings):
    settings.EVIDENCE_PDF_MAX_DECODED_BYTES = 1024 * 1024
    data = hostile.javascript_in_flate_object_stream(padding=2 * hostile.MB)
    assert "expand to more than 1 MB" in refusal(data)


def test_it_counts_every_object_stream_against_one_limit(settings):
    # Each stream is under the limit on its own; together they are not.
    settings.EVIDENCE_PDF_MAX_DECODED_BYTES = 2 * 1024 * 1024
    data = hostile.object_stream_bombs(streams=3, megabytes=1)
    assert "expand to more than 2 MB" in refusal(data)
    settings.EVIDENCE_PDF_MAX_DECODED_BYTES = 4 * 1024 * 1024
    _check_pdf(data, "audit.pdf")


def test_it_passes_over_flate_bombs_in_page_content_without_inflating_them(settings):
    # Page content cannot run anything, so it is never decoded: with every decode
    # limited to 1 MB, ten pages of 50 MB of zeros each still pass.
    settings.EVIDENCE_PDF_MAX_DECODED_BYTES = 1024 * 1024
    _check_pdf(hostile.flate_bombs(streams=10, megabytes=50), "audit.pdf")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        pytest.param(
            hostile.javascript_in_flate_object_stream(), "JavaScript", id="flate object stream"
        ),
        pytest.param(
            hostile.one_page_pdf(catalog_extra=b"/OpenAction " + JS), "JavaScript", id="open"
        ),
        pytest.param(
            hostile.one_page_pdf(
                page_extra=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] "
                b"/A << /JS (app.alert(1)) >> >>]"
            ),
            "JavaScript",
            id="annotation /A",
        ),
        pytest.param(
            hostile.one_page_pdf(catalog_extra=b"/OpenAction << /S /J#61vaScript /JS 4 0 R >>"),
            "JavaScript",
            id="escaped name",
        ),
        pytest.param(
            hostile.one_page_pdf(
                catalog_extra=b"/OpenAction 4 0 R", action=b"<< /S /J#61vaScript >>"
            ),
            "JavaScript",
            id="escaped name in its own object",
        ),
        pytest.param(
            hostile.one_page_pdf(
                catalog_extra=b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >>", action=JS
            ),
            "JavaScript",
            id="document-level script",
        ),
        pytest.param(
            hostile.one_page_pdf(
                page_extra=b"/AA << /O << /S /Launch /Win << /F (cmd.exe) >> >> >>"
            ),
            "launch action",
            id="launch in page /AA",
        ),
        pytest.param(
            hostile.one_page_pdf(
                catalog_extra=b"/OpenAction << /S /GoToR /F (\\\\\\\\evil\\\\x.pdf) /D [0 /Fit] >>"
            ),
            "other files",
            id="remote go-to",
        ),
        pytest.param(
            hostile.one_page_pdf(
                catalog_extra=b"/OpenAction << /S /SubmitForm /F (https://evil/) >>"
            ),
            "other files",
            id="submit form",
        ),
        pytest.param(
            hostile.one_page_pdf(
                page_extra=b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>]"
            ),
            "rich media",
            id="rich media",
        ),
        pytest.param(
            hostile.one_page_pdf(catalog_extra=b"/AcroForm << /Fields [] /XFA 4 0 R >>", xfa=b"[]"),
            "XFA",
            id="xfa form",
        ),
    ],
)
def test_it_refuses_dangerous_actions_wherever_they_are_kept(data, what):
    message = refusal(data)
    assert what.lower() in message.lower(), message
    assert "Print it to a new PDF" in message


def test_it_refuses_an_embedded_file():
    pdf = ordinary_pdf()
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00")
    assert "embedded files" in refusal(pikepdf_bytes(pdf))


def test_it_refuses_a_file_attachment_annotation():
    pdf = ordinary_pdf()
    spec = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00", filename="payload.exe")
    pdf.pages[0].Annots.append(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.FileAttachment,
            Rect=[0, 0, 20, 20],
            FS=spec.obj,
        )
    )
    assert "embedded files" in refusal(pikepdf_bytes(pdf))


def test_it_refuses_an_object_stream_compressed_without_a_size_bound():
    data = hostile.pdf_with_object_stream({4: b"<< /Title (ok) >>"}, encoding="lzw")
    assert "old kind of compression" in refusal(data)


@pytest.mark.parametrize("user_password", ["secret", ""])
def test_it_refuses_an_encrypted_pdf_and_asks_for_the_password_to_be_removed(user_password):
    encryption = pikepdf.Encryption(owner="owner", user=user_password)
    message = refusal(pikepdf_bytes(ordinary_pdf(), encryption=encryption))
    assert "Remove the password" in message


def test_it_refuses_a_truncated_pdf():
    data = pikepdf_bytes(ordinary_pdf(pages=20), compress_streams=False)
    assert "not a complete PDF" in refusal(data[: len(data) // 2])


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", id="noise"),
        pytest.param(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", id="no trailer"),
        pytest.param(
            # The stream's header says it holds object 9, where the xref expects 4.
            hostile.pdf_with_object_stream({4: b"<< /Title (ok) >>"}, encoding="hex").replace(
                b"3420300a", b"3920300a"
            ),
            id="object stream without its object",
        ),
    ],
)
def test_it_refuses_a_damaged_pdf_with_a_message(data):
    assert "damaged PDF" in refusal(data)


def test_it_refuses_a_pdf_with_more_objects_than_the_limit(settings):
    settings.EVIDENCE_PDF_MAX_OBJECTS = 50
    message = refusal(pikepdf_bytes(ordinary_pdf(pages=30)))
    assert "too many parts" in message
    assert "the limit is 50" in message


def test_it_stops_checking_when_the_time_budget_is_spent(settings):
    settings.EVIDENCE_PDF_CHECK_SECONDS = 0
    assert "took longer than 0 seconds" in refusal(pikepdf_bytes(ordinary_pdf()))


@pytest.mark.parametrize(
    "save",
    [
        pytest.param({}, id="classic"),
        pytest.param(
            {"object_stream_mode": pikepdf.ObjectStreamMode.generate}, id="object streams"
        ),
        pytest.param({"linearize": True}, id="linearized"),
    ],
)
def test_it_accepts_an_ordinary_pdf(save):
    _check_pdf(pikepdf_bytes(ordinary_pdf(), **save), "audit.pdf")


def test_it_accepts_a_pdf_whose_text_only_mentions_javascript():
    # The regex scan this replaced refused this: "/JS" here is in a string, not a name.
    data = hostile.one_page_pdf(
        catalog_extra=b"/Lang (en-GB) ", info=b"<< /Title (Notes on /JS and /Launch) >>"
    )
    _check_pdf(data, "audit.pdf")


def test_it_accepts_pdfs_made_by_weasyprint():
    from governance.rendering import render_pdf

    paper, _pages = render_pdf(
        '<h1>Audit of CPA care plans</h1><p><a href="https://www.england.nhs.uk/">NHS England</a></p>'
    )
    _check_pdf(paper, "paper.pdf")
    _check_pdf(samples.pdf(), "audit.pdf")
