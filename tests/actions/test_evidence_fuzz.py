"""Fuzzing the evidence checks: mutated PDFs, Office and OpenDocument files, images, text
and email go through the same content checks an upload does, in this process so that a
fault shows as itself. Every one must come back accepted (as an allowed type) or refused
with a message; any other exception is a bug that would have been a server error.

FUZZ_EXAMPLES sets the cases per seed file (default 500); CI runs the default.
"""

from __future__ import annotations

import io
import os
import zipfile
from typing import cast

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.evidence_files import AllowedType, _identify
from tests import evidence_samples as samples

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
cases = {"run": 0, "accepted": 0, "refused": 0}


def real_workbook() -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = cast(Worksheet, book.active)  # a new workbook's one sheet
    sheet.append(["Ref", "Action", "Lead", "Timescale", "RAG"])
    sheet.append(["1.1", "Routine enquiry training", "Named nurse", "Q3 2026/27", "Green"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stored_docx() -> bytes:
    """Uncompressed members: mutations land in headers and names, not only in deflate."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<document>Audit</document>")
    return buffer.getvalue()


SEEDS = {
    "report.pdf": samples.pdf(),
    "scripted.pdf": samples.pdf_with_compressed_javascript(),
    "chart.png": samples.png(),
    "photo.jpg": samples.jpeg(),
    "minutes.docx": samples.office("docx"),
    "stored.docx": stored_docx(),
    "plan.xlsx": real_workbook(),
    "slides.pptx": samples.office("pptx"),
    "notes.odt": samples.opendocument(),
    "message.eml": samples.EML,
    "audit.csv": samples.CSV,
}


@st.composite
def mutations(draw: st.DrawFn, seed: bytes) -> bytes:
    """A few byte-level edits of a seed: flips, insertions, deletions, a truncation, or
    a run copied from elsewhere in the file (which breaks offsets and lengths)."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        where = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        edit = draw(st.sampled_from(["flip", "byte", "insert", "delete", "truncate", "splice"]))
        if edit == "flip" and data:
            data[where] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif edit == "byte" and data:
            data[where] = draw(st.integers(min_value=0, max_value=255))
        elif edit == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=64))
        elif edit == "delete":
            del data[where : where + draw(st.integers(min_value=1, max_value=64))]
        elif edit == "truncate":
            del data[where:]
        elif edit == "splice" and data:
            start = draw(st.integers(min_value=0, max_value=len(data) - 1))
            data[where:where] = data[start : start + draw(st.integers(1, 256))]
    return bytes(data)


@pytest.mark.parametrize("filename", list(SEEDS))
def test_it_accepts_or_refuses_every_mutated_file_and_never_fails(filename):
    extension = "." + filename.rsplit(".", 1)[1]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=mutations(SEEDS[filename]))
    def check(data: bytes) -> None:
        cases["run"] += 1
        try:
            allowed = _identify(data, filename, extension)
        except ValidationError as refusal:
            cases["refused"] += 1
            assert all(message.startswith(f"{filename}: ") for message in refusal.messages)
        else:
            cases["accepted"] += 1
            assert isinstance(allowed, AllowedType)

    check()


def test_the_fuzz_cases_were_counted(capsys):
    """Runs after the fuzzing above (same module, in order) and prints the count, which
    the closing figures quote; a run that fuzzed nothing fails here."""
    with capsys.disabled():
        print(
            f"\nevidence fuzz: {cases['run']} cases, {cases['accepted']} accepted, "
            f"{cases['refused']} refused, 0 unexpected exceptions"
        )
    assert cases["run"] >= EXAMPLES * len(SEEDS) * 0.9
