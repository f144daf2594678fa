"""Every bad input and attack of the evidence upload is refused with a clear message,
and nothing is stored; the allowed types are accepted."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from actions import services
from actions.evidence_files import display_filename
from actions.models import Evidence
from tests import evidence_samples as samples

pytestmark = pytest.mark.django_db


def attach(cast, *uploads, by=None, action=None):
    return services.evidence_attach(
        action=action or cast.action_a,
        by=by or cast.provider_a_lead,
        files=list(uploads),
        description="Audit of CPA plans",
    )


def stored_files(settings) -> list[Path]:
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("audit.pdf", "pdf"),
        ("photo.png", "png"),
        ("photo.jpeg", "jpeg"),
        ("minutes.docx", "docx"),
        ("figures.xlsx", "xlsx"),
        ("slides.pptx", "pptx"),
        ("notes.odt", "odt"),
        ("figures.csv", samples.CSV),
        ("notes.txt", b"Audit complete.\n"),
        ("email.eml", samples.EML),
    ],
)
def test_it_accepts_the_allowed_types(cast, settings, name, data):
    builders: dict[str, Callable[[], bytes]] = {
        "pdf": samples.pdf,
        "png": samples.png,
        "jpeg": samples.jpeg,
        "docx": lambda: samples.office("docx"),
        "xlsx": lambda: samples.office("xlsx"),
        "pptx": lambda: samples.office("pptx"),
        "odt": samples.opendocument,
    }
    content = builders[data]() if isinstance(data, str) else data
    before = len(stored_files(settings))
    (item,) = attach(cast, samples.upload(name, content))
    assert item.original_filename == name
    assert len(item.sha256) == 64
    assert Path(item.file.path).read_bytes() == content
    assert Path(item.file.name).stem != Path(name).stem  # stored under a random name
    assert str(settings.PRIVATE_STORAGE_ROOT) in item.file.path
    assert len(stored_files(settings)) == before + 1


def test_it_accepts_several_files_in_one_upload(cast):
    items = attach(
        cast, samples.upload("a.pdf", samples.pdf()), samples.upload("b.csv", samples.CSV)
    )
    assert [i.original_filename for i in items] == ["a.pdf", "b.csv"]


BAD = [
    ("oversized", "big.pdf", None, "larger than the"),
    ("empty", "empty.pdf", b"", "is empty"),
    ("html named pdf", "report.pdf", samples.HTML, "web page"),
    ("png then html", "chart.png", samples.png() + samples.HTML, "hidden after the image"),
    ("svg with script", "logo.svg", samples.SVG, "cannot be accepted"),
    ("svg named png", "logo.png", samples.SVG, "SVG image"),
    ("docm", "minutes.docm", samples.office("docx"), "macro-enabled"),
    ("xlsm", "figures.xlsm", samples.office("xlsx"), "macro-enabled"),
    (
        "macros inside docx",
        "minutes.docx",
        samples.office("docx", {"word/vbaProject.bin": b"\x00vba"}),
        "contains macros",
    ),
    ("zip bomb as docx", "minutes.docx", None, "zip bomb"),
    (
        "pdf with javascript",
        "audit.pdf",
        samples.pdf_with(b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"),
        "JavaScript",
    ),
    (
        "pdf with escaped name",
        "audit.pdf",
        samples.pdf_with(b"<< /OpenAction << /S /J#61vaScript >> >>"),
        "JavaScript",
    ),
    (
        "pdf with launch",
        "audit.pdf",
        samples.pdf_with(b"<< /OpenAction << /S /Launch /F (cmd.exe) >> >>"),
        "launch",
    ),
    (
        "pdf with compressed javascript",
        "audit.pdf",
        samples.pdf_with_compressed_javascript(),
        "JavaScript",
    ),
    ("executable", "tool.pdf", samples.EXE, "Windows program"),
    ("executable by name", "tool.exe", samples.EXE, "cannot be accepted"),
    ("archive", "bundle.zip", samples.plain_zip(), "cannot be accepted"),
    ("archive named docx", "minutes.docx", samples.plain_zip(), "not a real Word document"),
    ("script named txt", "notes.txt", b"#!/bin/sh\nrm -rf /\n", "a script"),
    ("markup in csv", "figures.csv", b"a,b\n<script>alert(1)</script>,2\n", "script content"),
    ("pdf named docx", "minutes.docx", None, "is a PDF"),
    (
        "old office file",
        "minutes.doc",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        "cannot be accepted",
    ),
    (
        "wrong opendocument",
        "notes.odt",
        samples.opendocument(b"application/zip"),
        "not a real OpenDocument",
    ),
    ("eml without headers", "mail.eml", b"just some words\n", "not an email"),
]


@pytest.mark.parametrize(("case", "name", "data", "message"), BAD, ids=[b[0] for b in BAD])
def test_it_refuses_bad_files_and_stores_nothing(cast, settings, case, name, data, message):
    if case == "oversized":
        settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024
        data = samples.pdf()
    if case == "zip bomb as docx":
        data = samples.zip_bomb()
    if case == "pdf named docx":
        data = samples.pdf()
    before_rows, before_files = Evidence.objects.count(), stored_files(settings)
    with pytest.raises(ValidationError) as error:
        attach(cast, samples.upload(name, data))
    text = " ".join(error.value.messages)
    assert message.lower() in text.lower(), text
    assert Evidence.objects.count() == before_rows
    assert stored_files(settings) == before_files


def test_one_bad_file_stores_none_of_the_upload(cast, settings):
    before = Evidence.objects.count()
    with pytest.raises(ValidationError):
        attach(
            cast, samples.upload("good.pdf", samples.pdf()), samples.upload("bad.pdf", samples.HTML)
        )
    assert Evidence.objects.count() == before


def test_the_zip_directory_is_checked_before_any_member_is_read(cast, settings, monkeypatch):
    import zipfile

    settings.EVIDENCE_ZIP_MAX_ENTRIES = 1
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda *a, **k: pytest.fail("member read"))
    with pytest.raises(ValidationError, match="too many parts"):
        attach(cast, samples.upload("minutes.docx", samples.office("docx")))


def test_the_expansion_ratio_is_a_setting(cast, settings):
    # A tiny docx expands about 1.5 times; a ratio of 1 refuses it as a zip bomb.
    settings.EVIDENCE_ZIP_MAX_RATIO = 1
    with pytest.raises(ValidationError, match="zip bomb"):
        attach(cast, samples.upload("minutes.docx", samples.office("docx")))


def test_the_size_of_an_office_files_part_list_is_a_setting(cast, settings):
    settings.UPLOAD_ZIP_INDEX_PART_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="zip bomb"):
        attach(cast, samples.upload("minutes.docx", samples.office("docx")))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\evil.pdf", "evil.pdf"),
        ("audit\x00.pdf", "audit.pdf"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
        ("   ", "evidence"),
        ("Ward 3 – audit.pdf", "Ward 3 – audit.pdf"),
    ],
)
def test_it_keeps_the_filename_only_as_safe_display_text(raw, expected):
    assert display_filename(raw) == expected


def test_a_traversal_filename_is_stored_under_a_random_name(cast, settings):
    (item,) = attach(cast, samples.upload("../../../../etc/cron.d/x.pdf", samples.pdf()))
    assert item.original_filename == "x.pdf"
    assert (
        Path(item.file.path).resolve().is_relative_to(Path(settings.PRIVATE_STORAGE_ROOT).resolve())
    )


@pytest.mark.parametrize("who", ["provider_b_lead", "viewer", "secretary", "outsider"])
def test_uploads_to_an_action_of_another_organisation_are_refused(cast, who):
    from django.core.exceptions import PermissionDenied

    before = Evidence.objects.count()
    with pytest.raises(PermissionDenied):
        attach(cast, samples.upload("a.pdf", samples.pdf()), by=getattr(cast, who))
    assert Evidence.objects.count() == before


class FakeClamd:
    """A ClamAV daemon speaking INSTREAM on a loopback port."""

    def __init__(self, answer: bytes):
        self.answer = answer
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.server.accept()
        with conn:
            data = b""
            while not data.endswith(b"\x00\x00\x00\x00"):
                part = conn.recv(65536)
                if not part:
                    break
                data += part
            self.received = data
            conn.sendall(self.answer)
        self.server.close()


def test_it_scans_with_clamav_when_configured(cast, settings):
    clamd = FakeClamd(b"stream: OK\x00")
    settings.CLAMAV_ADDRESS = f"tcp://127.0.0.1:{clamd.port}"
    (item,) = attach(cast, samples.upload("a.csv", samples.CSV))
    clamd.thread.join(5)
    assert clamd.received.startswith(b"zINSTREAM\x00")
    assert samples.CSV in clamd.received
    assert item.virus_scan == "clean (ClamAV)"


def test_it_refuses_what_clamav_finds(cast, settings):
    clamd = FakeClamd(b"stream: Eicar-Test-Signature FOUND\x00")
    settings.CLAMAV_ADDRESS = f"tcp://127.0.0.1:{clamd.port}"
    with pytest.raises(ValidationError, match="virus"):
        attach(cast, samples.upload("a.txt", b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR"))
    assert not Evidence.objects.filter(original_filename="a.txt").exists()


def test_a_configured_but_unreachable_scanner_refuses_rather_than_skips(cast, settings):
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    settings.CLAMAV_ADDRESS = f"tcp://127.0.0.1:{port}"
    with pytest.raises(ValidationError, match="could not be checked for viruses"):
        attach(cast, samples.upload("a.csv", samples.CSV))


def test_a_scanner_that_never_answers_is_given_up_on_after_clamav_timeout(cast, settings):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (the kernel does), never replies
    settings.CLAMAV_ADDRESS = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
    settings.CLAMAV_TIMEOUT = 0.5
    with silent, pytest.raises(ValidationError, match="could not be checked for viruses"):
        attach(cast, samples.upload("a.csv", samples.CSV))


def test_without_a_scanner_it_logs_a_notice(cast, settings, caplog):
    settings.CLAMAV_ADDRESS = ""
    with caplog.at_level("INFO", logger="actions.evidence_files"):
        (item,) = attach(cast, samples.upload("a.csv", samples.CSV))
    assert "not virus-scanned" in caplog.text
    assert item.virus_scan.startswith("not scanned")
