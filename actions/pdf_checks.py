"""What makes an uploaded PDF dangerous, found by parsing it (docs/evidence.md).

A PDF viewer acts on dictionaries: an /OpenAction, an annotation's /A, a page's /AA, a
/Names tree of scripts or attachments. So the check reads the file with qpdf (through
pikepdf) as a viewer would, decoding object streams and #xx escapes in names, and looks
at every dictionary and array of every indirect object and of the trailer. It does not
decode page content or images: drawing operators cannot run anything, and decoding them
is what made a PDF of small Flate bombs cost seconds of CPU.

The only streams decoded are the ones a reader must decode to find the objects at all
(cross-reference and object streams). qpdf stops any one of them at `max_decoded_bytes`,
and the object streams together may not expand beyond it either: many small bombs cost
no more than one.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import pikepdf
import pikepdf.settings
from pikepdf import ObjectType

from trackerapp.uploads import megabytes

logger = logging.getLogger(__name__)

PRINT_TO_NEW_PDF = (
    'Print it to a new PDF ("Microsoft Print to PDF" or "Save as PDF") and upload that.'
)
JAVASCRIPT = "JavaScript"
LAUNCH = "a launch action, which can start programs"
EMBEDDED = "embedded files"
OTHER_FILES = "links that open or send to other files"
RICH_MEDIA = "Flash or other rich media"
XFA = "an XML form (XFA), which can carry scripts"

# Every name that, anywhere in a PDF's dictionaries, marks something that runs or
# reaches out when the file is opened or clicked. /GoToR, /ImportData and /SubmitForm
# are refused as well as scripts: each makes the viewer fetch or send to a path the
# file names, and a \\server\share path makes Windows hand over the reader's network
# credentials. Evidence is read, never filled in and submitted.
DANGEROUS_NAMES: dict[str, str] = {
    "/JS": JAVASCRIPT,
    "/JavaScript": JAVASCRIPT,
    "/Launch": LAUNCH,
    "/EmbeddedFiles": EMBEDDED,
    "/EmbeddedFile": EMBEDDED,
    "/EF": EMBEDDED,
    "/FileAttachment": EMBEDDED,
    "/GoToE": EMBEDDED,
    "/GoToR": OTHER_FILES,
    "/ImportData": OTHER_FILES,
    "/SubmitForm": OTHER_FILES,
    "/RichMedia": RICH_MEDIA,
    "/RichMediaContent": RICH_MEDIA,
    "/RichMediaExecute": RICH_MEDIA,
    "/XFA": XFA,
}
# qpdf writes names in a canonical form (escapes decoded, and only delimiters escaped
# again), so none of the names above can hide from this search of an object's text.
# A hit may still be inside a string, so it only decides which objects to walk.
MAY_BE_DANGEROUS = re.compile(
    rb"/(?:" + b"|".join(re.escape(n[1:].encode()) for n in DANGEROUS_NAMES) + rb")"
    rb"(?![^\s()<>\[\]{}/%])"
)
# The filters qpdf can decode within max_decoded_bytes; LZW has no such bound, and no
# current PDF writer puts object streams in it.
BOUNDED_FILTERS = frozenset(
    {"/FlateDecode", "/Fl", "/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"}
    | {"/RunLengthDecode", "/RL"}
)
CHECK_CLOCK_EVERY = 256


@dataclass(frozen=True)
class PdfLimits:
    max_objects: int
    max_decoded_bytes: int
    time_budget_seconds: float


class PdfRefused(Exception):
    """Why a PDF cannot be accepted, in words for the person who uploaded it."""


def dangerous_content(what: str) -> PdfRefused:
    return PdfRefused(f"is a PDF that contains {what}. {PRINT_TO_NEW_PDF}")


def check_pdf(data: bytes, limits: PdfLimits) -> None:
    """Raises PdfRefused if the PDF holds anything dangerous, or cannot be read in full
    within the limits (what cannot be read cannot be shown to be safe).

    1. Open it (qpdf reads the cross-reference data and repairs it if it must, as
       viewers do) and refuse encryption and too many objects.
    2. Decode each object stream once, within what is left of the byte limit, before
       anything is taken from it.
    3. Look at the trailer and every indirect object, watching the clock.
    """
    deadline = time.monotonic() + limits.time_budget_seconds
    with _qpdf_limits(limits), _opened(data) as pdf:
        if pdf.is_encrypted:
            raise PdfRefused(
                "is a password-protected (encrypted) PDF, so it cannot be checked. "
                "Remove the password and upload it again."
            )
        xref = pdf.get_xref_table()
        in_use = [(objgen, e) for objgen, e in xref.items() if e.type in (1, 2)]
        if len(in_use) > limits.max_objects:
            raise PdfRefused(
                f"has too many parts ({len(in_use):,}; the limit is {limits.max_objects:,}) "
                f"to be checked. {PRINT_TO_NEW_PDF}"
            )
        # An entry of type 2 (in an object stream) always names its stream.
        object_streams = {cast(int, e.obj_stream_number) for _, e in in_use if e.type == 2}
        remaining = limits.max_decoded_bytes
        for number in sorted(object_streams):
            _check_clock(deadline, limits)
            remaining -= _decode_object_stream(pdf, number, remaining, limits)
        # qpdf decodes each object stream again as its objects are taken: within the
        # limit for one stream, since the total has been checked.
        _set_decoding_limit(limits.max_decoded_bytes)
        _check_object(pdf.trailer, deadline, limits)
        for count, (objgen, entry) in enumerate(in_use):
            if count % CHECK_CLOCK_EVERY == 0:
                _check_clock(deadline, limits)
            obj = pdf.get_object(objgen)
            if entry.type == 2 and obj is None:
                # qpdf gives null for an object it could not take from its object
                # stream; a viewer that could might find anything there.
                raise _damaged()
            _check_object(obj, deadline, limits)


def _damaged() -> PdfRefused:
    return PdfRefused(f"is a damaged PDF that cannot be read in full. {PRINT_TO_NEW_PDF}")


@contextmanager
def _qpdf_limits(limits: PdfLimits) -> Iterator[None]:
    """qpdf's decoding limits are process-wide, so they are set for the check only."""
    previous = _set_decoding_limit(limits.max_decoded_bytes)
    try:
        yield
    finally:
        pikepdf.settings.set_qpdf_limits(**previous)


def _set_decoding_limit(bound: int) -> dict[str, Any]:
    if bound <= 0:
        raise ValueError("qpdf reads a limit of 0 as no limit at all")
    return pikepdf.settings.set_qpdf_limits(
        flate_max_memory=bound,
        run_length_max_memory=bound,
        png_max_memory=bound,
        tiff_max_memory=bound,
    )


@contextmanager
def _opened(data: bytes) -> Iterator[pikepdf.Pdf]:
    try:
        # inherit_page_attributes=False: nothing here needs the page tree, and building
        # it would change the objects being checked.
        with pikepdf.open(io.BytesIO(data), inherit_page_attributes=False) as pdf:
            yield pdf
    except PdfRefused:
        raise
    except pikepdf.PasswordError:
        raise PdfRefused(
            "is a password-protected PDF. Remove the password and upload it again."
        ) from None
    except Exception:
        # A hostile file can make qpdf fail in many ways; every one is a refusal,
        # never an error page. Logged, because a refused ordinary PDF is a bug.
        logger.warning("PDF could not be parsed", exc_info=True)
        raise _damaged() from None


def _check_clock(deadline: float, limits: PdfLimits) -> None:
    if time.monotonic() > deadline:
        raise PdfRefused(
            f"took longer than {limits.time_budget_seconds:g} seconds to check, so it "
            f"cannot be accepted. {PRINT_TO_NEW_PDF}"
        )


def _too_large(limits: PdfLimits) -> PdfRefused:
    return PdfRefused(
        f"has compressed parts that expand to more than "
        f"{megabytes(limits.max_decoded_bytes)} MB, so it cannot be checked. "
        f"{PRINT_TO_NEW_PDF}"
    )


def _decode_object_stream(pdf: pikepdf.Pdf, number: int, remaining: int, limits: PdfLimits) -> int:
    """Decodes one object stream within `remaining` bytes and returns its size."""
    if remaining <= 0:
        raise _too_large(limits)
    stream = pdf.get_object((number, 0))
    if not isinstance(stream, pikepdf.Stream):
        raise _damaged()
    filters = stream.stream_dict.get("/Filter")
    # Otherwise an array of names (or nothing).
    names: list[pikepdf.Object] = (
        [filters]
        if isinstance(filters, pikepdf.Name)
        else list(cast("Iterable[pikepdf.Object]", filters or []))
    )
    if any(str(name) not in BOUNDED_FILTERS for name in names):
        raise PdfRefused(
            f"uses an old kind of compression that cannot be checked safely. {PRINT_TO_NEW_PDF}"
        )
    _set_decoding_limit(remaining)
    try:
        return len(stream.get_stream_buffer())
    except pikepdf.DataDecodingError as error:
        if "memory limit" in str(error):
            raise _too_large(limits) from None
        raise _damaged() from None


def _check_object(obj: object, deadline: float, limits: PdfLimits) -> None:
    """Refuses if any name in this object's own dictionaries and arrays is dangerous.
    References to other objects are not followed: each is checked in its own turn."""
    if not isinstance(obj, pikepdf.Object):
        return  # numbers, booleans and null come back as Python values
    root = obj.stream_dict if obj._type_code == ObjectType.stream else obj
    if not MAY_BE_DANGEROUS.search(root.unparse(resolved=True)):
        return
    pending = [root]
    visited = 0
    while pending:
        item = pending.pop()
        visited += 1
        if visited % CHECK_CLOCK_EVERY == 0:
            _check_clock(deadline, limits)
        kind = item._type_code
        if kind == ObjectType.name_:
            if what := DANGEROUS_NAMES.get(str(item)):
                raise dangerous_content(what)
        elif kind == ObjectType.dictionary:
            for key, value in item.items():
                if what := DANGEROUS_NAMES.get(key):
                    raise dangerous_content(what)
                if isinstance(value, pikepdf.Object) and not value.is_indirect:
                    pending.append(value)
        elif kind == ObjectType.array:
            pending.extend(
                value
                for value in item
                if isinstance(value, pikepdf.Object) and not value.is_indirect
            )
