"""Benchmark: importing a 5,000-row action plan from Excel, on PostgreSQL.

    .venv/bin/python bench/bench_import.py [--rows 5000] [--reviews 50]

Generates a workbook in the shape of the Excel export (50 reviews named in the rows, 10
recommendations each, owners among 20 providers, every kind of time-frame wording and
status word, 10,000 empty formatted rows after the last), then times, in-process:
the upload (type check, first read), the preview (read, plan every row: no writes), the
preview page (the same plus rendering every row as HTML) and the commit (read and plan
again, write reviews, recommendations, actions, their history and updates in one
transaction). Target: preview and commit under 10 s each. Uses DATABASE_URL (default:
a tracker_bench_import database, created if missing).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import bench_django, signed_in_client, without_static_manifest  # noqa: E402

BENCH_DATABASE = "postgres://postgres@127.0.0.1:5432/tracker_bench_import"
TIME_FRAMES = [
    "Q3 2018/19",
    "Quarter 2/3",
    "Aug 17",
    "Sept 17",
    "June '17",
    "December 2018/January 2019",
    "Ongoing",
    "TBC",
    "31/03/2019",
    "Quarter 3 2018/19 20 September 2018, attendance at SAG; audit Q1 of 2019/20.",
]
STATUS_WORDS = ["Green", "Amber", "Red", "Complete", "On track", "Not started", "Grey", "At risk"]
LEADS = [
    "Deputy Chief Nurse",
    "Named Nurse for Safeguarding",
    "Head of Safeguarding",
    "Ward Manager",
]


def plan_workbook(rows: int, reviews: int, providers: list[str], seed: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    from governance.plan_workbook import EXPORT_COLUMNS

    rng = random.Random(seed)
    workbook = Workbook(write_only=False)
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one sheet
    sheet.title = "Plan"
    sheet.append(list(EXPORT_COLUMNS))
    per_review = -(-rows // reviews)
    for n in range(rows):
        review = n // per_review
        rec = (n % per_review) // max(per_review // 10, 1) + 1
        sheet.append(
            [
                f"IMPORT {seed}/{review:03d}",
                rng.choice(["DHR", "SAR", "CSPR"]),
                f"Person {review}",
                str(rec),
                f"Recommendation {rec} of review {review}: strengthen the oversight of learning reviews.",
                f"Action {n}: confirm the lines of communication and report to the CQRG monthly.",
                rng.choice(providers),
                rng.choice(LEADS),
                rng.choice(TIME_FRAMES),
                None,
                None,
                rng.choice(STATUS_WORDS),
                rng.choice(
                    ["", "Draft terms of reference circulated; awaiting comments from partners."]
                ),
                0,
            ]
        )
    bold = Font(bold=True)
    for row_number in range(rows + 2, rows + 2 + 10_000):
        sheet.cell(row=row_number, column=1).font = bold
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--reviews", type=int, default=50)
    args = parser.parse_args()
    bench_django(BENCH_DATABASE)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Membership, Organisation, User
    from actions.models import Action
    from imports import services
    from imports.choices import ReviewSource
    from imports.models import PlanImport
    from imports.selectors import mapping_view, plan_for
    from reviews.services import review_types_ensure_defaults

    without_static_manifest()
    settings.PRIVATE_STORAGE_ROOT = Path(settings.BASE_DIR) / "var" / "bench-private"
    call_command("migrate", verbosity=0)
    review_types_ensure_defaults()
    icb, _ = Organisation.objects.get_or_create(
        short_name="IMPORT ICB",
        defaults={"name": "Import bench ICB", "kind": OrganisationKind.COMMISSIONER},
    )
    providers = [
        Organisation.objects.get_or_create(
            short_name=f"IMPORT P{i:02d}",
            defaults={"name": f"Import bench provider {i:02d}", "kind": OrganisationKind.PROVIDER},
        )[0].short_name
        for i in range(20)
    ]
    commissioner, created = User.objects.get_or_create(
        username="import.commissioner", defaults={"first_name": "Bench", "last_name": "Importer"}
    )
    if created:
        Membership.objects.create(user=commissioner, organisation=icb, role=Role.SAFEGUARDING_LEAD)
    seed = PlanImport.objects.count() + 1  # a new file (and new reviews) on every run

    started = time.perf_counter()
    data = plan_workbook(args.rows, args.reviews, providers, seed)
    print(
        f"workbook: {args.rows:,} rows + 10,000 empty formatted rows, {len(data) / 1024:,.0f} KB, "
        f"generated in {time.perf_counter() - started:.1f} s; {Action.objects.count():,} actions "
        f"already in the database ({connection.vendor})"
    )

    def timed(label, work):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            result = work()
            seconds = time.perf_counter() - began
        print(f"  {label:<28} {seconds:6.2f} s  {len(queries):5d} queries")
        return result

    plan_import = timed(
        "upload (check, first read)",
        lambda: services.plan_import_upload(
            by=commissioner, upload=io.BytesIO(data), filename="bench plan.xlsx"
        ),
    )
    view = mapping_view(plan_import)
    plan_import = services.plan_import_choose(
        plan_import=plan_import,
        by=commissioner,
        sheet_name=view.sheet_name,
        header_row=view.header_row,
        headings=view.headings,
        columns={c.index: c.field for c in view.columns},
        review_source=ReviewSource.COLUMN,
        commissioning_body=icb,
    )
    plan = timed(
        "preview (plan every row)",
        lambda: plan_for(plan_import, user=commissioner, update_in_place=False),
    )
    print(
        f"    {len(plan.rows):,} rows: {plan.actions_to_create:,} actions, {len(plan.new_recommendations):,} "
        f"recommendations, {len(plan.new_reviews)} reviews to create; {plan.error_count} errors, "
        f"{plan.warning_count:,} warnings"
    )
    client = signed_in_client(commissioner)
    url = reverse("imports:preview", args=[plan_import.pk])
    response = timed("preview page (HTML)", lambda: client.get(url))
    print(f"    {response.status_code}, {len(response.content) / 1024:,.0f} KB of HTML")
    done = timed(
        "commit (all or nothing)",
        lambda: services.plan_import_commit(plan_import=plan_import, by=commissioner),
    )
    print(
        f"    {done.actions_created:,} actions, {done.recommendations_created:,} recommendations, "
        f"{done.reviews_created} reviews created"
    )


if __name__ == "__main__":
    main()
