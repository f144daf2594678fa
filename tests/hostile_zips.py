"""Zip files that lie or are broken, written byte by byte so each field can say what an
attacker wants it to. zipfile's writer always tells the truth, so it cannot make them.

Nothing here is a stored binary: every file is built in the test that uses it.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, replace
from typing import Any

LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
END_RECORD = struct.Struct("<4s4H2LH")
DOS_TIME, DOS_DATE = 0, (2026 - 1980) << 9 | 1 << 5 | 1


@dataclass(frozen=True)
class Part:
    """One member as the zip will record it. payload is the bytes stored (already
    compressed for method 8); the other fields are what the headers claim."""

    name: str
    payload: bytes
    method: int
    crc: int
    compress_size: int
    file_size: int
    flags: int = 0
    local_name: str | None = None  # the name in the local header, if it is to differ

    @classmethod
    def of(cls, name: str, body: bytes, method: int = zipfile.ZIP_DEFLATED) -> Part:
        """A truthful part holding body."""
        payload = deflate(body) if method == zipfile.ZIP_DEFLATED else body
        return cls(name, payload, method, zlib.crc32(body), len(payload), len(body))

    def but(self, **changes: Any) -> Part:
        return replace(self, **changes)


def deflate(body: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(body) + compressor.flush()


def deflated_spaces(header: bytes, megabytes: int) -> tuple[bytes, int]:
    """header followed by megabytes MB of spaces, deflated a megabyte at a time so the
    test never holds the expanded text: (the deflate stream, CRC of all of it)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b" " * (1024 * 1024)
    pieces = [compressor.compress(header)]
    crc = zlib.crc32(header)
    for _ in range(megabytes):
        pieces.append(compressor.compress(block))
        crc = zlib.crc32(block, crc)
    pieces.append(compressor.flush())
    return b"".join(pieces), crc


def build(parts: list[Part]) -> bytes:
    output = io.BytesIO()
    directory = io.BytesIO()
    for part in parts:
        offset = output.tell()
        name = part.name.encode()
        local_name = (part.local_name or part.name).encode()
        output.write(
            LOCAL_HEADER.pack(
                b"PK\x03\x04",
                20,
                0,
                part.flags,
                part.method,
                DOS_TIME,
                DOS_DATE,
                part.crc,
                part.compress_size,
                part.file_size,
                len(local_name),
                0,
            )
        )
        output.write(local_name)
        output.write(part.payload)
        directory.write(
            CENTRAL_HEADER.pack(
                b"PK\x01\x02",
                20,
                3,
                20,
                0,
                part.flags,
                part.method,
                DOS_TIME,
                DOS_DATE,
                part.crc,
                part.compress_size,
                part.file_size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        directory.write(name)
    start = output.tell()
    output.write(directory.getvalue())
    output.write(
        END_RECORD.pack(
            b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory.getvalue()), start, 0
        )
    )
    return output.getvalue()


def parts_of(data: bytes) -> list[Part]:
    """The members of a real zip (one zipfile wrote), as truthful parts to tamper with."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [Part.of(info.filename, archive.read(info)) for info in archive.infolist()]


def tampered(data: bytes, member: str, how: str) -> bytes:
    """data with one member broken in one of the ways an attacker (or a bad copy) breaks
    a zip; the other members are left as they were."""
    parts = parts_of(data)
    for index, part in enumerate(parts):
        if part.name == member:
            parts[index] = TAMPERINGS[how](part)
            return build(parts)
    raise KeyError(member)


TAMPERINGS = {
    "wrong CRC": lambda part: part.but(crc=part.crc ^ 0xFFFFFFFF),
    "zero compressed size": lambda part: part.but(compress_size=0),
    "local header name mismatch": lambda part: part.but(local_name="evil/" + part.name),
    # 99 is WinZip's AES; zipfile has no reader for it (or for any method it does not know).
    "compression method 99": lambda part: part.but(method=99),
}


def lying(data: bytes, member: str, megabytes: int) -> bytes:
    """data with member replaced by its own text followed by megabytes MB of spaces,
    while the directory (and the CRC) still describe only the original text: zipfile,
    which stops at the recorded size, returns the original text and no error."""
    parts = parts_of(data)
    for index, part in enumerate(parts):
        if part.name == member:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                body = archive.read(member)
            payload, _ = deflated_spaces(body, megabytes)
            parts[index] = part.but(payload=payload, compress_size=len(payload))
            return build(parts)
    raise KeyError(member)
