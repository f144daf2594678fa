"""The upload mechanics evidence and imported plans share: a bounded, hashed read, text
decoding, display filenames, and the zip reader that counts what really comes out of
each member."""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib

import pytest

from tests import hostile_zips
from tests.hostile_zips import Part
from trackerapp.uploads import (
    Damaged,
    LargerThanDeclared,
    TooLarge,
    TooManyMembers,
    UploadTooLarge,
    ZipLimits,
    ZipMembers,
    check_zip,
    decode_text,
    display_filename,
    megabytes,
    read_bounded,
)

LIMITS = ZipLimits(max_members=10, max_total_bytes=1024 * 1024)


def test_it_refuses_a_stored_member_holding_more_than_its_entry_says():
    body = b"x" * 5000
    part = Part.of("a.txt", body, zipfile.ZIP_STORED).but(file_size=100, crc=zlib.crc32(body[:100]))
    with pytest.raises(LargerThanDeclared):
        check_zip(hostile_zips.build([part]), LIMITS)


def test_it_refuses_a_member_that_ends_short_of_its_entry_even_with_a_matching_crc():
    part = Part.of("a.txt", b"short").but(file_size=500)
    with pytest.raises(Damaged):
        check_zip(hostile_zips.build([part]), LIMITS)


def test_it_refuses_bzip2_unread_because_zipfile_inflates_it_without_bound(monkeypatch):
    part = Part.of("a.txt", b"hello").but(method=zipfile.ZIP_BZIP2)
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("member opened"))
    with pytest.raises(Damaged):
        check_zip(hostile_zips.build([part]), LIMITS)


def test_it_counts_members_before_reading_any(monkeypatch):
    parts = [Part.of(f"{n}.txt", b"hello") for n in range(11)]
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("member opened"))
    with pytest.raises(TooManyMembers):
        check_zip(hostile_zips.build(parts), LIMITS)


def test_it_holds_a_part_read_into_memory_to_its_own_limit():
    with ZipMembers(hostile_zips.build([Part.of("a.txt", b"x" * 2000)]), LIMITS) as archive:
        assert archive.read("a.txt", limit=2000) == b"x" * 2000
        with pytest.raises(TooLarge):
            archive.read("a.txt", limit=1999)


class CountingReader(io.BytesIO):
    """An upload that remembers how much has been read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.given = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.given += len(chunk)
        return chunk


def test_a_bounded_read_gives_the_bytes_and_their_sha256_from_the_start():
    upload = CountingReader(b"plan" * 1000)
    upload.read()  # a form may have read it already
    data, digest = read_bounded(upload, limit=4000)
    assert data == b"plan" * 1000
    assert digest == hashlib.sha256(b"plan" * 1000).hexdigest()


def test_a_bounded_read_stops_soon_after_the_limit_whatever_the_size():
    upload = CountingReader(b"x" * (10 * 1024 * 1024))
    with pytest.raises(UploadTooLarge) as refused:
        read_bounded(upload, limit=1000)
    assert refused.value.limit == 1000
    assert upload.given <= 1000 + 64 * 1024


def test_limits_are_quoted_in_whole_megabytes():
    assert megabytes(25 * 1024 * 1024) == 25
    assert megabytes(10 * 1024 * 1024 + 1) == 10


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xef\xbb\xbfRef,Action\r\n", "Ref,Action\r\n"),  # Excel's CSV UTF-8
        ("Café".encode(), "Café"),
        ("Café – notes".encode("cp1252"), "Café – notes"),  # Excel's plain CSV
        (b"PK\x03\x04\x00\x00", None),  # NUL bytes: a binary file
    ],
)
def test_text_is_decoded_as_excel_and_windows_write_it(data, text):
    assert decode_text(data) == text


def test_a_filename_with_nothing_left_takes_the_callers_name():
    assert display_filename(" ./ ", default="plan") == "plan"
    assert display_filename("C:\\Users\\me\\plan.xlsx", default="plan") == "plan.xlsx"
