"""Benchmark: the quarterly assurance report over 100,000 actions and 8 quarters of
history, on PostgreSQL.

    .venv/bin/python bench/bench_quarterly.py [--actions 100000] [--runs 5]

Generates the portfolio of bench/portfolio.py in the database tracker_bench_quarterly
(or DATABASE_URL), then gives every action a history: one to four records spread over
the last two years (added, then moving through the statuses to today's), about 250,000
history rows, written with one INSERT ... SELECT; and an approved extension request for
each action with a revised due date. Prints the median seconds and the queries of:

- the report's figures (trend over 8 quarters, breakdowns, slippage, themes), all forums;
- the same for one forum and the forums reporting to it;
- the web page (figures and HTML), the Word file and the PDF.

Target: the figures under 10 s. The PDF and Word files are timed too; WeasyPrint's
layout dominates the PDF, as for the committee papers (bench/bench_paper.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import bench_django, without_static_manifest  # noqa: E402

T = TypeVar("T")

BENCH_DATABASE = "postgres://postgres@127.0.0.1:5432/tracker_bench_quarterly"
HISTORY_REASON = "bench history"


def add_history(days_back: int = 720) -> int:
    """Up to four history records per action, dated over the last `days_back` days, the
    last with the action's current status; idempotent (skipped when already there)."""
    from django.db import connection

    from actions.models import Action, ExtensionRequest

    HistoricalAction = Action.history.model
    if HistoricalAction.objects.filter(history_change_reason=HISTORY_REASON).exists():
        return HistoricalAction.objects.count()
    HistoricalAction.objects.all().delete()
    action_columns = {f.column for f in Action._meta.concrete_fields if not f.generated}
    target, source = [], []
    for field in HistoricalAction._meta.concrete_fields:
        column = field.column
        if column == "history_id":
            continue
        target.append(f'"{column}"')
        if column == "history_date":
            # Record j of k: spread from days_back ago to a few days ago.
            source.append(
                f"now() - make_interval(days => ({days_back} - (s.j * {days_back - 10} / s.k)"
                " - (a.id % 37))::int)"
            )
        elif column == "history_type":
            source.append("CASE WHEN s.j = 0 THEN '+' ELSE '~' END")
        elif column == "history_change_reason":
            source.append(f"'{HISTORY_REASON}'")
        elif column == "history_user_id":
            source.append("NULL")
        elif column == "status":
            # Earlier records: not started, then on track, then at risk; the last is today's.
            source.append(
                "CASE WHEN s.j = s.k - 1 THEN a.status "
                "ELSE (ARRAY['not_started', 'on_track', 'at_risk'])[s.j + 1] END"
            )
        elif column == "revised_due_date":
            source.append("CASE WHEN s.j = s.k - 1 THEN a.revised_due_date ELSE NULL END")
        elif column in action_columns:
            source.append(f'a."{column}"')
        else:
            source.append("NULL")
    sql = (
        f'INSERT INTO "{HistoricalAction._meta.db_table}" ({", ".join(target)}) '
        f'SELECT {", ".join(source)} FROM "{Action._meta.db_table}" a '
        "CROSS JOIN LATERAL (SELECT g AS j, 1 + (a.id % 4) AS k "
        "FROM generate_series(0, a.id % 4) g) s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.execute(f'ANALYZE "{HistoricalAction._meta.db_table}"')
    from django.utils import timezone

    commissioner_id = (
        Action.objects.exclude(lead_user=None).values_list("lead_user", flat=True).first()
    )
    assert commissioner_id is not None, "the generated portfolio names leads"
    ExtensionRequest.objects.filter(reason="Bench extension").delete()
    ExtensionRequest.objects.bulk_create(
        (
            ExtensionRequest(
                action_id=action_id,
                requested_by_id=commissioner_id,
                proposed_date=revised,
                reason="Bench extension",
                state="approved",
                decided_by_id=commissioner_id,
                decided_at=timezone.now() - timedelta(days=30),
            )
            for action_id, revised in Action.objects.filter(
                revised_due_date__isnull=False
            ).values_list("pk", "revised_due_date")
        ),
        batch_size=5000,
    )
    return HistoricalAction.objects.count()


def measure(label: str, work: Callable[[], T], runs: int) -> T:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: list[float] = []
    results: list[T] = []
    queries = 0
    for _ in range(max(runs, 1)):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            results.append(work())
            times.append(time.perf_counter() - started)
        queries = len(captured)
    print(f"  {label:<52} {statistics.median(times):6.2f} s  {queries:3d} queries")
    return results[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bench_django(BENCH_DATABASE)
    from django.core.management import call_command
    from django.template.loader import render_to_string
    from django.utils import timezone

    from actions.models import Action
    from bench.portfolio import generate
    from governance.models import Forum
    from governance.quarterly import quarterly_report
    from governance.rendering import render_pdf, render_quarterly_html
    from governance.word import quarterly_report_docx
    from trackerapp.financial_year import FinancialQuarter

    without_static_manifest()
    call_command("migrate", verbosity=0)
    commissioner = generate(args.actions)
    started = time.perf_counter()
    history = add_history()
    print(
        f"portfolio: {Action.objects.count():,} actions, {history:,} history rows "
        f"(history ready in {time.perf_counter() - started:.1f} s)"
    )
    quarter = FinancialQuarter.containing(timezone.localdate()).previous()
    forum = Forum.objects.filter(short_name="BENCH F0").first()
    print(f"report for {quarter.label}, 8 quarters, medians of {args.runs} runs:")
    report = measure(
        "figures, all forums",
        lambda: quarterly_report(commissioner, quarter=quarter, quarters=8),
        args.runs,
    )
    measure(
        "figures, one forum and those reporting to it",
        lambda: quarterly_report(commissioner, quarter=quarter, forum=forum, quarters=8),
        args.runs,
    )
    measure(
        "web page HTML (figures included)",
        lambda: render_to_string(
            "governance/quarterly_report.html",
            {
                "r": quarterly_report(commissioner, quarter=quarter, quarters=8),
                "form": None,
                "query": "",
            },
        ),
        args.runs,
    )
    docx = measure("Word file from the figures", lambda: quarterly_report_docx(report), 1)
    pdf = measure(
        "PDF from the figures (WeasyPrint)",
        lambda: render_pdf(render_quarterly_html(report, for_pdf=True)),
        1,
    )
    print(
        f"  in scope: {report['current']['total']:,} actions; "
        f"{len(report['by_review']):,} reviews, {len(report['slippage']):,} slipped; "
        f"PDF {pdf[1]} pages, Word {len(docx) // 1024} KiB"
    )


if __name__ == "__main__":
    main()
