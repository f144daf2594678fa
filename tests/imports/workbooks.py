"""Builds the files the import tests upload: workbooks and CSV files in memory."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from imports import services
from imports.choices import ReviewSource
from imports.models import PlanImport
from imports.selectors import mapping_view, plan_for
from tests.html_forms import form_data


def xlsx(
    rows: Sequence[Sequence[object]],
    *,
    sheet: str = "Plan",
    merges: Iterable[str] = (),
    before: Sequence[tuple[str, Sequence[Sequence[object]]]] = (),
    trailing_formatted_rows: int = 0,
) -> bytes:
    """A workbook whose sheet `sheet` holds `rows` from A1; `before` adds sheets in front."""
    workbook = Workbook()
    first = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    target = first
    for index, (name, other_rows) in enumerate(before):
        other = first if index == 0 else workbook.create_sheet(name)
        other.title = name
        for row in other_rows:
            other.append(list(row))
    if before:
        target = workbook.create_sheet(sheet)
    target.title = sheet
    for row in rows:
        target.append(list(row))
    for cells in merges:
        target.merge_cells(cells)
    if trailing_formatted_rows:
        # What whole-column formatting leaves behind: rows that exist but hold nothing.
        from openpyxl.styles import Font

        last = len(rows)
        for row_number in range(last + 1, last + trailing_formatted_rows + 1):
            target.cell(row=row_number, column=1).font = Font(bold=True)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """Adds the saved text result Excel would write to formula cells (openpyxl writes an
    empty <v/>, or <v></v> when lxml is installed, as a program that never calculated
    the workbook does)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                for ref, value in values.items():
                    pattern = rf'<c r="{ref}"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v></v>)'.encode()

                    def cached(m: re.Match[bytes], r: str = ref, v: str = value) -> bytes:
                        return (
                            f'<c r="{r}"'.encode()
                            + m.group(1)
                            + b' t="str"><f>'
                            + m.group(2)
                            + b"</f><v>"
                            + v.encode()
                            + b"</v>"
                        )

                    body = re.sub(pattern, cached, body)
            target.writestr(item, body)
    return output.getvalue()


def csv_file(
    rows: Sequence[Sequence[object]], *, encoding: str = "utf-8-sig", delimiter: str = ","
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


def upload(by, data: bytes, filename: str = "plan.xlsx") -> PlanImport:
    return services.plan_import_upload(by=by, upload=io.BytesIO(data), filename=filename)


def choose(plan_import: PlanImport, by, **overrides) -> PlanImport:
    """Accepts the columns the page proposes, with the review choices given."""
    view = mapping_view(plan_import)
    fields: dict[str, Any] = {
        "sheet_name": view.sheet_name,
        "header_row": view.header_row,
        "headings": view.headings,
        "columns": {c.index: c.field for c in view.columns},
        "review_source": ReviewSource.EXISTING,
    }
    fields.update(overrides)
    return services.plan_import_choose(plan_import=plan_import, by=by, **fields)


def preview(plan_import: PlanImport, by, *, update: bool = False):
    plan_import.refresh_from_db()
    return plan_for(plan_import, user=by, update_in_place=update)


def commit(plan_import: PlanImport, by, *, update: bool = False) -> PlanImport:
    plan_import.refresh_from_db()
    return services.plan_import_commit(plan_import=plan_import, by=by, update_in_place=update)


def selected_columns(page: str) -> dict[str, str]:
    """Each column select's chosen option, as the browser would submit it."""
    chosen = {}
    for name in re.findall(r'<select name="(column_\d+)"', page):
        block = page[page.index(f'<select name="{name}"') :]
        block = block[: block.index("</select>")]
        selected = re.search(r'<option value="([a-z_]+)" selected>', block)
        assert selected is not None, f"{name} has no option selected"
        chosen[name] = selected.group(1)
    return chosen


def as_excel_writes_it(data: bytes, rich: dict[str, bytes] | None = None) -> bytes:
    """The workbook as Excel would save it: text in a shared-strings table rather than
    inline. `rich` replaces cells' inline strings with raw <is> XML (runs, phonetic
    guides) before that, so a cell can hold rich text."""
    source = zipfile.ZipFile(io.BytesIO(data))
    strings: list[bytes] = []

    def share(match: re.Match[bytes]) -> bytes:
        strings.append(match.group(2))
        return match.group(1) + b' t="s"><v>' + str(len(strings) - 1).encode() + b"</v></c>"

    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                for ref, xml in (rich or {}).items():

                    def inline(m: re.Match[bytes], x: bytes = xml) -> bytes:
                        return m.group(1) + x

                    body = re.sub(rf'(<c r="{ref}"[^>]*>)<is>.*?</is>'.encode(), inline, body)
                # Plain inline strings become shared; the rich ones stay inline.
                body = re.sub(
                    rb'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is>(<t[^>]*>[^<]*</t>)</is></c>',
                    share,
                    body,
                )
            elif item.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                    b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                    b"</Relationships>",
                )
            target.writestr(item, body)
        table = b"".join(b"<si>" + s + b"</si>" for s in strings)
        target.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="'
            + str(len(strings)).encode()
            + b'">'
            + table
            + b"</sst>",
        )
    return output.getvalue()


def confirm_columns(client, plan_import: PlanImport, **changes: str) -> HttpResponse:
    """Posts the column page as the browser would with every guess left as it is (and
    `changes` made): what "confirming the guessed columns" means."""
    page = client.get(reverse("imports:columns", args=[plan_import.pk])).content.decode()
    data: dict[str, object] = {
        k: v[0] if len(v) == 1 else v for k, v in form_data(page, "main-form").items()
    }
    data.update(changes)
    return client.post(reverse("imports:columns", args=[plan_import.pk]), data)


def upload_through_the_page(client, content: bytes, filename: str) -> PlanImport:
    response = client.post(
        reverse("imports:start"), {"file": SimpleUploadedFile(filename, content)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return PlanImport.objects.latest("pk")
