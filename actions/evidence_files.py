"""What an evidence upload must be before it is stored (docs/evidence.md).

The type is decided from the file's bytes, never from its name; the name's extension
must then agree with what the bytes are. Containers (Office zip files, PDFs) are
inspected for what makes them dangerous: macros, zip bombs, JavaScript and launch
actions. Anything not positively recognised as an allowed type is refused.
"""

from __future__ import annotations

import logging
import re
import socket
import struct
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError

from actions.pdf_checks import PdfLimits, PdfRefused, check_pdf
from trackerapp import uploads
from trackerapp.bounded import BoundExceeded, run_bounded
from trackerapp.uploads import (
    CFB_SIGNATURE,
    Encrypted,
    TooLarge,
    TooManyMembers,
    UploadTooLarge,
    ZipLimits,
    ZipMembers,
    ZipRefused,
    check_zip,
    decode_text,
    megabytes,
    read_bounded,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AllowedType:
    label: str
    content_type: str
    extensions: frozenset[str]


PDF = AllowedType("PDF", "application/pdf", frozenset({".pdf"}))
DOCX = AllowedType(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    frozenset({".docx"}),
)
XLSX = AllowedType(
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    frozenset({".xlsx"}),
)
PPTX = AllowedType(
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    frozenset({".pptx"}),
)
ODT = AllowedType(
    "OpenDocument text", "application/vnd.oasis.opendocument.text", frozenset({".odt"})
)
ODS = AllowedType(
    "OpenDocument spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    frozenset({".ods"}),
)
CSV = AllowedType("CSV file", "text/csv", frozenset({".csv"}))
TXT = AllowedType("text file", "text/plain", frozenset({".txt"}))
PNG = AllowedType("PNG image", "image/png", frozenset({".png"}))
JPEG = AllowedType("JPEG image", "image/jpeg", frozenset({".jpg", ".jpeg"}))
EML = AllowedType("email (.eml)", "message/rfc822", frozenset({".eml"}))
MSG = AllowedType("Outlook message (.msg)", "application/vnd.ms-outlook", frozenset({".msg"}))

ALLOWED_TYPES = (PDF, DOCX, XLSX, PPTX, ODT, ODS, CSV, TXT, PNG, JPEG, EML, MSG)
ALLOWED_EXTENSIONS = frozenset().union(*(t.extensions for t in ALLOWED_TYPES))
ALLOWED_LIST = "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument (.odt, .ods), CSV, text, PNG, JPEG or email (.eml, .msg)"

# Markup that makes a file a web page or script whatever it is called. Looked for in
# text files everywhere, and in binary files only where the format leaves room for it.
MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html[\s>]|script[\s>]|svg[\s>]|iframe[\s>]|object[\s>]|embed[\s>]|body[\s>]|meta[\s>]|\?php)"
    rb"|javascript\s*:",
    re.IGNORECASE,
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Recognisable dangerous content, so the refusal can say what the file really is.
KNOWN_BAD = [
    (re.compile(rb"\A\s*<\s*svg", re.I), "an SVG image, which can carry scripts"),
    (
        re.compile(rb"\A\s*<\?xml[^>]*>\s*(?:<!--.*?-->\s*)*<\s*svg", re.I | re.S),
        "an SVG image, which can carry scripts",
    ),
    (re.compile(rb"\A\s*<", re.I), "a web page or other markup (HTML/XML)"),
    (re.compile(rb"\AMZ"), "a Windows program"),
    (re.compile(rb"\A\x7fELF"), "a program"),
    (re.compile(rb"\A(?:\xfe\xed\xfa[\xce\xcf]|\xcf\xfa\xed\xfe|\xca\xfe\xba\xbe)"), "a program"),
    (re.compile(rb"\A#!"), "a script"),
    (re.compile(rb"\ARar!\x1a\x07"), "an archive (RAR)"),
    (re.compile(rb"\A7z\xbc\xaf\x27\x1c"), "an archive (7-Zip)"),
    (re.compile(rb"\A\x1f\x8b"), "a compressed archive (gzip)"),
    (re.compile(rb"\ABZh"), "a compressed archive (bzip2)"),
    (re.compile(rb"\A\xfd7zXZ\x00"), "a compressed archive (xz)"),
    (re.compile(rb"\A.{257}ustar", re.S), "an archive (tar)"),
]


@dataclass(frozen=True)
class InspectedFile:
    display_name: str
    extension: str
    allowed_type: AllowedType
    size: int
    sha256: str
    scan_result: str


def type_label(content_type: str, filename: str) -> str:
    """What kind of file stored evidence is ("PDF", "Excel workbook"), from the type
    found when it was checked, else its name's extension."""
    extension = PurePosixPath(filename.lower()).suffix
    for allowed in ALLOWED_TYPES:
        if content_type == allowed.content_type:
            return allowed.label
    for allowed in ALLOWED_TYPES:
        if extension in allowed.extensions:
            return allowed.label
    return "file"


def refuse(name: str, reason: str) -> ValidationError:
    return ValidationError(f"{name}: {reason}", code="evidence_refused")


def display_filename(raw: str) -> str:
    """The person's filename as safe display text; "evidence" when nothing is left."""
    return uploads.display_filename(raw, default="evidence")


def too_large(name: str, limit: int) -> ValidationError:
    return refuse(name, f"is larger than the {megabytes(limit)} MB limit.")


def _read_all(upload: IO[bytes], name: str, limit: int) -> tuple[bytes, str]:
    """Reads the upload into memory (within the size limit) and hashes it."""
    try:
        return read_bounded(upload, limit)
    except UploadTooLarge:
        raise too_large(name, limit) from None


def _check_png(data: bytes, name: str) -> None:
    """Walks every chunk and its CRC to IEND: nothing may follow the image."""
    position = len(PNG_SIGNATURE)
    seen_end = False
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data):
            break
        body = data[position + 4 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : end])
        if zlib.crc32(body) & 0xFFFFFFFF != crc:
            raise refuse(name, "is not a valid PNG image (it is damaged or has been altered).")
        position = end
        if kind == b"IEND":
            seen_end = True
            break
    if not seen_end:
        raise refuse(name, "is not a complete PNG image.")
    if data[position:].strip(b"\x00\r\n\t "):
        raise refuse(name, "has other content hidden after the image, so it cannot be accepted.")


def _check_jpeg(data: bytes, name: str) -> None:
    end = data.rfind(b"\xff\xd9")
    if end == -1:
        raise refuse(name, "is not a complete JPEG image.")
    if data[end + 2 :].strip(b"\x00\r\n\t "):
        raise refuse(name, "has other content hidden after the image, so it cannot be accepted.")
    if MARKUP.search(data):
        raise refuse(name, "contains web page or script content, so it cannot be accepted.")


def _check_pdf(data: bytes, name: str) -> None:
    """Refuses JavaScript, launch actions and embedded files wherever a PDF keeps them
    (object streams, any filter, #xx escapes), and any PDF that cannot be read in full
    within the limits."""
    if not data.rstrip().endswith(b"%%EOF") and b"%%EOF" not in data[-2048:]:
        raise refuse(name, "is not a complete PDF.")
    limits = PdfLimits(
        max_objects=settings.EVIDENCE_PDF_MAX_OBJECTS,
        max_decoded_bytes=settings.EVIDENCE_PDF_MAX_DECODED_BYTES,
        time_budget_seconds=settings.EVIDENCE_PDF_CHECK_SECONDS,
    )
    try:
        check_pdf(data, limits)
    except PdfRefused as reason:
        raise refuse(name, str(reason)) from None


OFFICE_MAIN_PART = {
    ".docx": ("word/document.xml", DOCX),
    ".xlsx": ("xl/workbook.xml", XLSX),
    ".pptx": ("ppt/presentation.xml", PPTX),
}
OPENDOCUMENT_MIMETYPE = {
    ".odt": (b"application/vnd.oasis.opendocument.text", ODT),
    ".ods": (b"application/vnd.oasis.opendocument.spreadsheet", ODS),
}


def _check_zip_container(data: bytes, name: str, extension: str) -> AllowedType:
    """Office and OpenDocument files are zip files. Every member is read by the bytes it
    really holds, within the limits, before the parts that say what the file is are
    looked at; a zip whose directory under-states a member is a zip bomb."""
    limits = ZipLimits(
        max_members=settings.EVIDENCE_ZIP_MAX_ENTRIES,
        max_total_bytes=settings.EVIDENCE_ZIP_MAX_UNCOMPRESSED_BYTES,
        max_ratio=settings.EVIDENCE_ZIP_MAX_RATIO,
    )
    try:
        with check_zip(data, limits) as archive:
            return _check_office_parts(archive, name, extension)
    except TooManyMembers as error:
        raise refuse(name, f"has too many parts ({error.count}) to be a normal document.") from None
    except TooLarge:
        raise refuse(
            name, 'expands to far more than its size (a "zip bomb"), so it cannot be accepted.'
        ) from None
    except Encrypted:
        raise refuse(
            name, "is password-protected. Remove the password and upload it again."
        ) from None
    except ZipRefused:
        raise refuse(name, "is damaged and cannot be opened.") from None


def _check_office_parts(archive: ZipMembers, name: str, extension: str) -> AllowedType:
    names = archive.names
    lowered = {n.lower() for n in names}
    if any(n.endswith("vbaproject.bin") or n.endswith(".bin") and "vba" in n for n in lowered):
        raise refuse(
            name,
            "contains macros. Save it as a normal document (.docx, .xlsx or .pptx) and upload that.",
        )
    if extension in OFFICE_MAIN_PART:
        part, allowed = OFFICE_MAIN_PART[extension]
        if "[Content_Types].xml" not in names or part not in names:
            raise refuse(name, f"is not a real {allowed.label} (its name says {extension}).")
        content_types = archive.read(
            "[Content_Types].xml", limit=settings.UPLOAD_ZIP_INDEX_PART_MAX_BYTES
        )
        if b"macroEnabled" in content_types or b"vbaProject" in content_types:
            raise refuse(name, "contains macros. Save it as a normal document and upload that.")
        return allowed
    if extension in OPENDOCUMENT_MIMETYPE:
        expected, allowed = OPENDOCUMENT_MIMETYPE[extension]
        if (
            "mimetype" not in names
            or archive.read("mimetype", limit=settings.UPLOAD_ZIP_INDEX_PART_MAX_BYTES).strip()
            != expected
        ):
            raise refuse(name, f"is not a real {allowed.label} (its name says {extension}).")
        if any(n.lower().startswith("basic/") or n.lower().startswith("scripts/") for n in names):
            raise refuse(name, "contains macros. Save it without macros and upload that.")
        return allowed
    raise refuse(name, "is an archive (zip). Upload the documents themselves.")


def _check_text(data: bytes, name: str, extension: str) -> AllowedType:
    text = decode_text(data)
    if text is None:
        raise refuse(name, f"is not a plain text file (its name says {extension}).")
    if MARKUP.search(data):
        raise refuse(name, "contains web page or script content, so it cannot be accepted.")
    if extension == ".eml":
        head = text.split("\n\n", 1)[0]
        if not re.search(r"(?im)^(from|subject|date|to):", head):
            raise refuse(name, "is not an email message (it has no email headers).")
        return EML
    return CSV if extension == ".csv" else TXT


def _identify(data: bytes, name: str, extension: str) -> AllowedType:
    if data.startswith(b"%PDF-"):
        if extension != ".pdf":
            raise refuse(name, f"is a PDF, but its name ends in {extension}. Rename it to .pdf.")
        _check_pdf(data, name)
        return PDF
    if data.startswith(PNG_SIGNATURE):
        if extension != ".png":
            raise refuse(name, f"is a PNG image, but its name ends in {extension}.")
        _check_png(data, name)
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        if extension not in JPEG.extensions:
            raise refuse(name, f"is a JPEG image, but its name ends in {extension}.")
        _check_jpeg(data, name)
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _check_zip_container(data, name, extension)
    if data.startswith(CFB_SIGNATURE):
        if extension == ".msg" and "__substg1.0_".encode("utf-16-le") in data:
            return MSG
        raise refuse(
            name,
            "is an older Office file (.doc, .xls or .ppt), which can carry macros. "
            "Save it as .docx, .xlsx or .pptx and upload that.",
        )
    for pattern, what in KNOWN_BAD:
        if pattern.search(data[:1024]):
            raise refuse(name, f"is {what}, which cannot be accepted. Allowed: {ALLOWED_LIST}.")
    if extension in {".txt", ".csv", ".eml"}:
        return _check_text(data, name, extension)
    raise refuse(name, f"is not a type of file that can be accepted. Allowed: {ALLOWED_LIST}.")


def virus_scan(data: bytes, name: str) -> str:
    """Scans with a ClamAV daemon when CLAMAV_ADDRESS is set (tcp://host:port or
    unix:///path). Without one, the upload goes on and a notice is logged. With one that
    cannot be reached, the upload is refused: a configured scanner is never skipped."""
    address = settings.CLAMAV_ADDRESS
    if not address:
        logger.info("Evidence %s not virus-scanned: CLAMAV_ADDRESS is not set.", name)
        return "not scanned (no virus scanner configured)"
    parsed = urlparse(address)
    try:
        if parsed.scheme == "unix":
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(settings.CLAMAV_TIMEOUT)
            conn.connect(parsed.path)
        else:
            conn = socket.create_connection(
                (parsed.hostname or "127.0.0.1", parsed.port or 3310),
                timeout=settings.CLAMAV_TIMEOUT,
            )
        with conn:
            conn.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), 64 * 1024):
                piece = data[start : start + 64 * 1024]
                conn.sendall(struct.pack(">I", len(piece)) + piece)
            conn.sendall(struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0") and (part := conn.recv(4096)):
                reply += part
    except OSError:
        logger.exception("Virus scanner at %s could not be reached for %s", address, name)
        raise refuse(name, "could not be checked for viruses just now. Try again later.") from None
    answer = reply.rstrip(b"\0").decode("utf-8", "replace")
    if answer.endswith("OK"):
        return "clean (ClamAV)"
    if answer.endswith("FOUND"):
        logger.warning("Virus scanner refused %s: %s", name, answer)
        raise refuse(name, "was found to contain a virus and has not been stored.")
    logger.error("Virus scanner gave an unexpected answer for %s: %s", name, answer)
    raise refuse(name, "could not be checked for viruses just now. Try again later.")


def _identify_within_bounds(data: bytes, name: str, extension: str) -> AllowedType:
    """_identify in a child process with a memory, CPU and time budget (trackerapp.bounded):
    a file built to exhaust the parsers costs the child, never the web worker."""
    try:
        return run_bounded(
            _identify,
            data,
            name,
            extension,
            memory_bytes=settings.EVIDENCE_CHECK_MEMORY_BYTES,
            cpu_seconds=settings.EVIDENCE_CHECK_CPU_SECONDS,
            wall_seconds=settings.EVIDENCE_CHECK_SECONDS,
        )
    except BoundExceeded as exceeded:
        logger.warning("Evidence %s refused: checking it ran out of %s", name, exceeded.reason)
        raise refuse(
            name,
            "could not be checked within the memory and time allowed, so it cannot be "
            "accepted. Save it again as a new file (for a PDF, print it to a new PDF) and "
            "upload that.",
        ) from None
    except RuntimeError as error:
        # A fault in a checker must refuse the file, never fail the request.
        logger.error("Evidence %s could not be checked: %s", name, error)
        raise refuse(name, "could not be read, so it cannot be accepted.") from None


def inspect_upload(upload: IO[bytes], filename: str, size: int) -> tuple[InspectedFile, bytes]:
    """Checks one upload end to end and returns what to store. Raises ValidationError
    with a message meant for the person uploading."""
    name = display_filename(filename)
    extension = PurePosixPath(name.lower()).suffix
    limit = settings.EVIDENCE_MAX_UPLOAD_BYTES
    if size == 0:
        raise refuse(name, "is empty.")
    if size > limit:
        raise too_large(name, limit)
    if extension in {".docm", ".xlsm", ".pptm", ".dotm", ".xltm", ".potm", ".xlam", ".ppam"}:
        raise refuse(
            name, "is a macro-enabled Office file. Save it without macros (.docx, .xlsx, .pptx)."
        )
    if extension not in ALLOWED_EXTENSIONS:
        raise refuse(name, f"has a type that cannot be accepted. Allowed: {ALLOWED_LIST}.")
    data, sha256 = _read_all(upload, name, limit)
    if not data:
        raise refuse(name, "is empty.")
    allowed = _identify_within_bounds(data, name, extension)
    scan = virus_scan(data, name)
    return InspectedFile(name, extension, allowed, len(data), sha256, scan), data
