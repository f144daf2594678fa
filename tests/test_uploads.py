"""The shared upload mechanics: the zip reader counts what really comes out of each member."""

from __future__ import annotations

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
    ZipLimits,
    ZipMembers,
    check_zip,
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
