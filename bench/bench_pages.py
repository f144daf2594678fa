"""Benchmark: the action list (25 rows, each single filter) and the dashboard on a
generated portfolio, on PostgreSQL.

    .venv/bin/python bench/bench_pages.py [--actions 100000] [--runs 15]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tracker_bench, created if
missing). Prints, per page, the number of queries and the median server time of the
request handled in-process by Django's test client (no network, no browser).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import bench_django, signed_in_client, without_static_manifest  # noqa: E402

if TYPE_CHECKING:
    from django.db.models import QuerySet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    bench_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from actions.models import Action
    from bench.portfolio import existing_actions, generate
    from governance.models import Forum
    from reviews.models import Review, ReviewType, Theme

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    without_static_manifest()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    commissioner = generate(args.actions)
    print(
        f"portfolio: {existing_actions():,} generated actions ({Action.objects.count():,} in all), "
        f"ready in {time.perf_counter() - started:.1f} s on {connection.vendor}"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None

    client = signed_in_client(commissioner)
    review = Review.objects.filter(reference__startswith="BENCH").order_by("pk")[5]
    pages = [
        ("dashboard", reverse("home"), {}),
        ("action list, no filter", reverse("actions:list"), {}),
        ("action list, status", reverse("actions:list"), {"status": "off_track"}),
        ("action list, overdue", reverse("actions:list"), {"overdue": "on"}),
        (
            "action list, due between",
            reverse("actions:list"),
            {"due_from": "01/01/2027", "due_to": "31/03/2027"},
        ),
        (
            "action list, owner",
            reverse("actions:list"),
            {"owner": review.recommendations.first().addressed_to_id},
        ),
        ("action list, lead", reverse("actions:list"), {"lead": commissioner.pk}),
        (
            "action list, review type",
            reverse("actions:list"),
            {"review_type": ReviewType.objects.get(code="SAR").pk},
        ),
        ("action list, review", reverse("actions:list"), {"review": review.pk}),
        (
            "action list, forum",
            reverse("actions:list"),
            {"forum": _first_pk(Forum.objects.filter(short_name__startswith="BENCH"))},
        ),
        (
            "action list, theme",
            reverse("actions:list"),
            {"theme": _first_pk(Theme.objects.filter(name__startswith="bench"))},
        ),
        (
            "action list, sort by owner, page 40",
            reverse("actions:list"),
            {"sort": "owner", "page": "40"},
        ),
        ("review register", reverse("reviews:list"), {}),
    ]
    print(f"{'page':<40} {'queries':>7} {'median ms':>10} {'p90 ms':>8}")
    for label, url, params in pages:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200, (label, response.status_code)
        queries = len(captured)  # read now: later requests reset the connection's log
        timings = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            client.get(url, params)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        p90 = timings[max(0, int(len(timings) * 0.9) - 1)]
        print(f"{label:<40} {queries:>7} {statistics.median(timings):>10.1f} {p90:>8.1f}")


def _first_pk(queryset: QuerySet) -> int:
    found = queryset.first()
    assert found is not None, "no benchmark data: run bench/setup.py first"
    return found.pk


if __name__ == "__main__":
    main()
