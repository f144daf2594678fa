"""The audit log as CSV for administrators: UTC times in ISO 8601, and no cell that a
spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC

from audit.models import AuditEntry

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
CSV_HEADINGS = (
    "Time (UTC)",
    "Event",
    "Event description",
    "Username",
    "User ID",
    "IP address",
    "User agent",
    "Path",
    "Object type",
    "Object ID",
    "Object",
    "Detail",
)
# Excel, LibreOffice and Google Sheets treat a cell starting with any of these as a
# formula (OWASP "CSV injection"); a leading apostrophe makes it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def audit_csv_row(entry: AuditEntry) -> list[str]:
    return [
        csv_safe(value)
        for value in (
            entry.at.astimezone(UTC).isoformat(),
            entry.event,
            entry.get_event_display(),
            entry.username,
            entry.user_id,
            entry.ip_address,
            entry.user_agent,
            entry.path,
            entry.object_type,
            entry.object_id,
            entry.object_repr,
            json.dumps(entry.detail, sort_keys=True, ensure_ascii=False) if entry.detail else "",
        )
    ]


class _Line:
    """A file-like object whose write() hands back the line csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def audit_csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The CSV one line at a time, so that years of entries stream rather than sit in
    memory."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_HEADINGS)
    for entry in entries:
        yield writer.writerow(audit_csv_row(entry))
