"""What every uploaded file goes through before an app looks at what it means: evidence
(actions.evidence_files) and imported plans (imports.readers) both use it.

- read_bounded: the upload's bytes and SHA-256, read a chunk at a time and refused as
  soon as they pass the limit, so a file far over it is never held in full;
- display_filename: the person's filename as safe display text;
- decode_text: the text encodings Excel and Windows write, and nothing binary;
- check_zip / ZipMembers: the members of a zip (Office and OpenDocument files are zips)
  read by the bytes that really come out of them, never by what the zip's directory
  says.

A zip's central directory records each member's sizes, and zipfile believes it:
ZipFile.read inflates a member's whole compressed data in one call and only then cuts
it to the recorded size. So a 245 KB .docx whose directory says [Content_Types].xml is
a few hundred bytes, while its data inflates to 240 MB, costs a web worker 240 MB and
more, and passes every check made on the directory.

check_zip reads every member in small chunks, counts what inflates and stops as soon
as a member gives more than its directory entry says or more than the limits allow.
A zip that passes has a directory that tells the truth about every member (sizes and
CRCs), so a library that believes the directory, such as openpyxl, may then be given
the same bytes: what it reads is bounded by the limits.

The limits are the caller's (each app has its own settings), and so is the wording:
every refusal here is an exception (UploadTooLarge, ZipRefused) that each caller turns
into its own message for the person.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

CHUNK = 64 * 1024
MEGABYTE = 1024 * 1024

# An OLE compound file: older Office files (.doc, .xls, .ppt), Outlook messages (.msg)
# and password-protected Office files of any age.
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The longest filename shown or stored, extension included.
DISPLAY_NAME_MAX_CHARS = 120

# All that Office and LibreOffice write. Anything else is refused before it is read:
# zipfile inflates bzip2 and LZMA chunks with no bound on the output, and method 99
# is WinZip's AES encryption.
READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
AES_METHOD = 99
# Bit 0: encrypted. Bit 6: "strong" (PKWARE) encryption.
ENCRYPTED_FLAGS = 0x1 | 0x40

# What zipfile and zlib raise for a damaged or hostile zip: a wrong CRC, a zero
# compressed size, a local header naming another file (BadZipFile, EOFError), an
# unknown compression method (NotImplementedError), a broken deflate stream
# (zlib.error), and impossible offsets or lengths (ValueError, OverflowError,
# struct.error, OSError).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    zlib.error,
    EOFError,
    ValueError,
    OverflowError,
    struct.error,
    OSError,
)


def megabytes(limit: int) -> int:
    """A byte limit as the whole megabytes messages quote it in."""
    return limit // MEGABYTE


class UploadTooLarge(Exception):
    """The upload passed its size limit while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


def read_bounded(upload: IO[bytes], limit: int) -> tuple[bytes, str]:
    """The upload's bytes and SHA-256 hex digest, read from the start a chunk at a time;
    UploadTooLarge as soon as more than limit bytes have come, whatever size the
    request claimed."""
    digest, buffer = hashlib.sha256(), io.BytesIO()
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        buffer.write(chunk)
        digest.update(chunk)
        if buffer.tell() > limit:
            raise UploadTooLarge(limit)
    return buffer.getvalue(), digest.hexdigest()


def display_filename(raw: str, *, default: str) -> str:
    """The person's filename as safe display text: no folders, no control characters,
    at most DISPLAY_NAME_MAX_CHARS characters with the extension kept; default when
    nothing is left."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return default
    suffix = PurePosixPath(name).suffix[:10]
    stem = name[: len(name) - len(suffix)] if suffix else name
    room = DISPLAY_NAME_MAX_CHARS - len(suffix)
    return (stem[:room].rstrip() or default) + suffix


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without the byte-order mark Excel writes) or Windows-1252; None
    when the bytes are neither, or hold NUL bytes (a binary file)."""
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


class ZipRefused(Exception):
    """The zip cannot be accepted. The subclass says why."""


class Damaged(ZipRefused):
    """It cannot be read: broken, truncated, or its headers contradict each other."""


class TooManyMembers(ZipRefused):
    def __init__(self, count: int) -> None:
        super().__init__(f"{count} members")
        self.count = count


class TooLarge(ZipRefused):
    """It unpacks to more than the limits allow, or expands too far for its size."""


class LargerThanDeclared(TooLarge):
    """A member inflates to more than its directory entry says: the zip bomb that
    hides from checks of the directory."""


class Encrypted(ZipRefused):
    """A member is password-protected (zip encryption or AES)."""


@dataclass(frozen=True)
class ZipLimits:
    max_members: int
    max_total_bytes: int
    # None: a member may be as large as the whole allowance.
    max_member_bytes: int | None = None
    # Uncompressed ÷ compressed size above which a member is refused unread.
    max_ratio: int | None = None

    @property
    def member_bytes(self) -> int:
        return min(self.max_member_bytes or self.max_total_bytes, self.max_total_bytes)


class ZipMembers:
    """An uploaded zip whose directory has been checked against the limits (too many
    members, encryption, a method that cannot be read, sizes or ratios over them).
    Members are read a chunk at a time by the bytes they really hold; check_zip reads
    them all."""

    def __init__(self, data: bytes, limits: ZipLimits) -> None:
        try:
            self._archive = zipfile.ZipFile(io.BytesIO(data))
            self.members = self._archive.infolist()
        except ZIP_ERRORS:
            raise Damaged("the directory cannot be read") from None
        self.limits = limits
        self.names = frozenset(m.filename for m in self.members)
        try:
            _check_directory(self.members, limits)
        except ZipRefused:
            self.close()
            raise

    def verify(self) -> None:
        """Reads every member: refused as soon as one gives more than its entry says or
        the total passes the limit, and when one ends short or fails its CRC."""
        total = 0
        for member in self.members:
            for chunk in _chunks(self._archive, member, self.limits.member_bytes):
                total += len(chunk)
                if total > self.limits.max_total_bytes:
                    raise TooLarge(f"more than {self.limits.max_total_bytes} bytes in all")

    def read(self, name: str, *, limit: int) -> bytes:
        """The member's bytes, refused (TooLarge) past limit: for parts small enough to
        hold in memory. KeyError if there is no such member."""
        member = self._archive.getinfo(name)
        if member.file_size > limit:
            raise TooLarge(f"{name} is {member.file_size} bytes")
        return b"".join(_chunks(self._archive, member, limit))

    def close(self) -> None:
        self._archive.close()

    def __enter__(self) -> ZipMembers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_zip(data: bytes, limits: ZipLimits) -> ZipMembers:
    """The zip, every member of which has been read within the limits and found to be
    what its directory says. Refuses with a ZipRefused."""
    members = ZipMembers(data, limits)
    try:
        members.verify()
    except ZipRefused:
        members.close()
        raise
    return members


def _check_directory(members: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(members) > limits.max_members:
        raise TooManyMembers(len(members))
    for member in members:
        if member.flag_bits & ENCRYPTED_FLAGS or member.compress_type == AES_METHOD:
            raise Encrypted(member.filename)
        if member.compress_type not in READABLE_METHODS:
            raise Damaged(f"{member.filename} uses compression method {member.compress_type}")
        if member.file_size > limits.member_bytes:
            raise TooLarge(f"{member.filename} says it is {member.file_size} bytes")
        if (
            limits.max_ratio
            and member.compress_size
            and member.file_size / member.compress_size > limits.max_ratio
        ):
            raise TooLarge(
                f"{member.filename} expands {member.file_size / member.compress_size:.0f} times"
            )
    if sum(m.file_size for m in members) > limits.max_total_bytes:
        raise TooLarge(f"the directory says more than {limits.max_total_bytes} bytes")


def _chunks(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """The member's bytes as they really inflate. zipfile cuts a member off at the size
    its entry records, drops the rest unseen and checks the CRC of what it kept; so the
    member is opened through a copy of its entry with no size to stop at and no CRC,
    and both are checked here, against what really came out."""
    declared = member.file_size
    probe = copy.copy(member)
    # A chunk past the recorded size is room enough: reading stops at the first byte
    # beyond it.
    probe.file_size = declared + CHUNK
    probe.CRC = None  # type: ignore[assignment]  # zipfile skips its check for None
    count, crc = 0, 0
    try:
        with archive.open(probe) as stream:
            while chunk := stream.read(CHUNK):
                count += len(chunk)
                if count > declared:
                    raise LargerThanDeclared(f"{member.filename} gives more than {declared} bytes")
                if count > limit:
                    raise TooLarge(f"{member.filename} gives more than {limit} bytes")
                crc = zlib.crc32(chunk, crc)
                yield chunk
    except ZIP_ERRORS:
        raise Damaged(f"{member.filename} cannot be read") from None
    if count != declared or crc != member.CRC:
        raise Damaged(f"{member.filename} is not the {declared} bytes its entry records")
