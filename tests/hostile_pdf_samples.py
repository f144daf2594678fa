"""PDFs built to get past an evidence check, written byte by byte so that each hides its
danger exactly where a real attacker would. Shared by the tests and bench/bench_pdf_check.py.
"""

from __future__ import annotations

import binascii
import io
import zlib
from collections.abc import Iterable

JAVASCRIPT_ACTION = b"<< /S /JavaScript /JS (app.alert(1)) >>"
MB = 1024 * 1024


def _xref_stream(offsets: dict[int, tuple[int, int, int]], number: int, root: int) -> bytes:
    """A cross-reference stream: one row of (type, field 2, field 3) per object, the
    only way a reader can find objects kept in an object stream."""
    rows = b"\x00\xff\xff\xff\xff\x00\x00"  # object 0, the head of the free list
    for obj in range(1, number + 1):
        kind, second, third = offsets.get(obj, (1, 0, 0))
        rows += bytes([kind]) + second.to_bytes(4, "big") + third.to_bytes(2, "big")
    return (
        f"{number} 0 obj\n<< /Type /XRef /Size {number + 1} /Root {root} 0 R /W [1 4 2] "
        f"/Length {len(rows)} >>\nstream\n".encode()
        + rows
        + b"\nendstream\nendobj\n"
    )


def _object_stream_chunks(objects: dict[int, bytes], padding: int) -> tuple[bytes, Iterable[bytes]]:
    """The header (object numbers and offsets) and the body of an object stream. The
    body may start with `padding` NUL bytes, which PDF reads as white space."""
    offsets, position = [], padding
    for number, body in objects.items():
        offsets.append(f"{number} {position}")
        position += len(body) + 1
    header = (" ".join(offsets) + "\n").encode()

    def body_chunks() -> Iterable[bytes]:
        yield header
        remaining = padding
        while remaining:
            piece = min(remaining, MB)
            yield b"\x00" * piece
            remaining -= piece
        for body in objects.values():
            yield body + b"\n"

    return header, body_chunks()


def pdf_with_object_stream(
    compressed: dict[int, bytes],
    *,
    catalog_extra: bytes = b"",
    encoding: str = "flate",
    padding: int = 0,
) -> bytes:
    """A one-page PDF (catalogue 1, pages 2, page 3) whose other objects sit in an
    object stream encoded with /FlateDecode or /ASCIIHexDecode, as PDF 1.5 allows."""
    stream_number = max(compressed) + 1
    header, chunks = _object_stream_chunks(compressed, padding)
    if encoding == "flate":
        # Compressed piece by piece, so 51 MB of padding never sits in memory at once.
        deflate = zlib.compressobj(9)
        encoded = b"".join(deflate.compress(c) for c in chunks) + deflate.flush()
        filter_name = b"/FlateDecode"
    elif encoding == "lzw":
        encoded = lzw_literals(b"".join(chunks))
        filter_name = b"/LZWDecode"
    else:
        encoded = binascii.hexlify(b"".join(chunks)) + b">"
        filter_name = b"/ASCIIHexDecode"
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    }
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, tuple[int, int, int]] = {}
    for number, body in plain.items():
        offsets[number] = (1, out.tell(), 0)
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    offsets[stream_number] = (1, out.tell(), 0)
    out.write(
        f"{stream_number} 0 obj\n<< /Type /ObjStm /N {len(compressed)} /First {len(header)} "
        f"/Filter {filter_name.decode()} /Length {len(encoded)} >>\nstream\n".encode()
        + encoded
        + b"\nendstream\nendobj\n"
    )
    for index, number in enumerate(compressed):
        offsets[number] = (2, stream_number, index)
    xref_number = stream_number + 1
    xref_at = out.tell()
    offsets[xref_number] = (1, xref_at, 0)
    out.write(_xref_stream(offsets, xref_number, root=1))
    out.write(f"startxref\n{xref_at}\n%%EOF\n".encode())
    return out.getvalue()


def lzw_literals(data: bytes) -> bytes:
    """Valid LZW data that spells every byte as a literal code: a clear-table code
    every 250 bytes keeps each code 9 bits wide."""
    codes = []
    for start in range(0, len(data), 250):
        codes.append(256)
        codes.extend(data[start : start + 250])
    codes.append(257)
    bits = "".join(f"{code:09b}" for code in codes)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def javascript_in_hex_object_stream() -> bytes:
    return pdf_with_object_stream(
        {4: JAVASCRIPT_ACTION}, catalog_extra=b"/OpenAction 4 0 R", encoding="hex"
    )


def javascript_in_flate_object_stream(padding: int = 0) -> bytes:
    return pdf_with_object_stream(
        {4: JAVASCRIPT_ACTION}, catalog_extra=b"/OpenAction 4 0 R", padding=padding
    )


def flate_bombs(streams: int = 10, megabytes: int = 50) -> bytes:
    """A PDF with `streams` pages whose content streams each inflate to `megabytes` of
    zeros: about 1 KB of file per MB of zeros, and nothing dangerous in it."""
    deflate = zlib.compressobj(9)
    block = b"\x00" * MB
    bomb = b"".join(deflate.compress(block) for _ in range(megabytes)) + deflate.flush()
    first_page = 3
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(streams))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {streams} >>".encode(),
    }
    for i in range(streams):
        page, content = first_page + 2 * i, first_page + 2 * i + 1
        objects[page] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R >>"
        ).encode()
        objects[content] = (
            f"<< /Length {len(bomb)} /Filter /FlateDecode >>\nstream\n".encode()
            + bomb
            + b"\nendstream"
        )
    return classic_pdf(objects)


def classic_pdf(objects: dict[int, bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF 1.4 file with a plain cross-reference table; object 1 is the catalogue."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    size = max(objects) + 1
    xref_at = out.tell()
    out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    for number in range(1, size):
        if number in offsets:
            out.write(f"{offsets[number]:010d} 00000 n \n".encode())
        else:
            out.write(b"0000000000 65535 f \n")
    out.write(
        f"trailer\n<< /Size {size} /Root 1 0 R ".encode()
        + trailer_extra
        + f">>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    )
    return out.getvalue()


def one_page_pdf(catalog_extra: bytes = b"", page_extra: bytes = b"", **more: bytes) -> bytes:
    """A one-page classic PDF; `more` adds objects 4, 5, ... in order (keyword names
    are only labels)."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page_extra + b" >>",
    }
    for number, body in enumerate(more.values(), start=4):
        objects[number] = body
    return classic_pdf(objects)


def object_stream_bombs(streams: int = 400, megabytes: int = 60) -> bytes:
    """Object streams that each inflate to `megabytes` of NUL padding (white space
    before the stream's header) and one harmless object: streams a reader cannot skip,
    so only the limits bound the work. About 60 KB of file per stream."""
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, tuple[int, int, int]] = {}
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    }
    for number, body in plain.items():
        offsets[number] = (1, out.tell(), 0)
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    # The padding is compressed once; each stream continues from a copy of that state.
    padding = zlib.compressobj(9)
    padded = b"".join(padding.compress(b"\x00" * MB) for _ in range(megabytes))
    for index in range(streams):
        member, stream = 4 + 2 * index, 5 + 2 * index
        header = f"{member} 0\n".encode()
        finish = padding.copy()
        encoded = padded + finish.compress(header + b"<< /Title (ok) >>\n") + finish.flush()
        offsets[stream] = (1, out.tell(), 0)
        out.write(
            f"{stream} 0 obj\n<< /Type /ObjStm /N 1 /First {megabytes * MB + len(header)} "
            f"/Filter /FlateDecode /Length {len(encoded)} >>\nstream\n".encode()
            + encoded
            + b"\nendstream\nendobj\n"
        )
        offsets[member] = (2, stream, 0)
    xref_number = 4 + 2 * streams
    xref_at = out.tell()
    offsets[xref_number] = (1, xref_at, 0)
    out.write(_xref_stream(offsets, xref_number, root=1))
    out.write(f"startxref\n{xref_at}\n%%EOF\n".encode())
    return out.getvalue()
