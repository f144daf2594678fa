"""Benchmark: a committee paper covering 1,000 actions, end to end.

    .venv/bin/python bench/bench_paper.py [--actions 1000] [--runs 3]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tracker_bench_paper,
created if missing). Generates one forum monitoring reviews with the given number of
actions, each with a progress update, some with evidence and extension requests, then
times the three stages of a build: the snapshot (queries), the HTML (template) and
WeasyPrint's PDF. Prints pages, seconds per stage, pages per second end to end, the
app's share (snapshot + HTML) of the total, and the process's peak memory.

Target (issue 5): at least 8 pages per second end to end, and the app's share under a
fifth of the total.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import bench_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench_paper"
PREFIX = "PAPERBENCH"

UPDATES = [
    "Audit of the first 40 records completed; findings shared with the ward managers and "
    "a re-audit booked for the next quarter.",
    "Training delivered to 61% of staff in scope; the remaining sessions are booked for "
    "next month, with cover arranged for night staff.",
    "Policy redrafted and out for consultation with the safeguarding leads; sign-off "
    "expected at the next governance meeting.",
    "Business case delayed to the next quarter; interim mitigation in place through weekly "
    "review of out of area placements.",
]


def generate(total_actions: int):
    from django.db import transaction
    from django.utils import timezone

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Membership, Organisation, User
    from actions.choices import ExtensionState, Status
    from actions.models import Action, Evidence, ExtensionRequest, ProgressUpdate
    from governance.choices import Cadence, ForumKind
    from governance.models import Forum, Meeting, Paper
    from reviews.models import Recommendation, Review, ReviewType
    from reviews.services import review_types_ensure_defaults

    rng = random.Random(11)
    today = timezone.localdate()
    with transaction.atomic():
        review_types_ensure_defaults()
        icb, _ = Organisation.objects.get_or_create(
            short_name="PB ICB",
            defaults={"name": "Paper Bench ICB", "kind": OrganisationKind.COMMISSIONER},
        )
        providers = [
            Organisation.objects.get_or_create(
                short_name=f"PB P{n}",
                defaults={"name": f"Paper Bench Provider {n}", "kind": OrganisationKind.PROVIDER},
            )[0]
            for n in range(6)
        ]
        secretary, created = User.objects.get_or_create(
            username="paperbench.secretary", defaults={"first_name": "Paper", "last_name": "Bench"}
        )
        if created:
            Membership.objects.create(
                user=secretary, organisation=icb, role=Role.COMMITTEE_SECRETARY
            )
        forum, _ = Forum.objects.get_or_create(
            short_name="PB SAG",
            defaults={
                "name": "Paper Bench Safeguarding Assurance Group",
                "kind": ForumKind.SAG,
                "organisation": icb,
                "cadence": Cadence.QUARTERLY,
                "secretary": secretary,
            },
        )
        meeting, _ = Meeting.objects.get_or_create(
            forum=forum, held_on=today + timedelta(days=60), defaults={"location": "Teams"}
        )
        have = Action.objects.filter(recommendation__review__reference__startswith=PREFIX).count()
        if have != total_actions:
            Evidence.objects.filter(
                action__recommendation__review__reference__startswith=PREFIX
            ).delete()
            # Children first: the domain models protect reviews and recommendations.
            Action.objects.filter(recommendation__review__reference__startswith=PREFIX).delete()
            Recommendation.objects.filter(review__reference__startswith=PREFIX).delete()
            Review.objects.filter(reference__startswith=PREFIX).delete()
            types = list(ReviewType.objects.filter(code__in=["DHR", "SAR", "CSPR", "MHHR"]))
            statuses = list(Status.values)
            per_review = 50
            for r in range(0, total_actions, per_review):
                review = Review.objects.create(
                    reference=f"{PREFIX} {r // per_review + 1:03d}",
                    title=f"Adult {r // per_review + 1}",
                    review_type=rng.choice(types),
                    commissioning_body=icb,
                    owner=icb,
                )
                review.monitoring_forums.add(forum)
                recs = Recommendation.objects.bulk_create(
                    Recommendation(
                        review=review,
                        number=str(n + 1),
                        text="Ensure that staff recognise and respond to the risks of domestic "
                        "abuse, and that the Care Programme Approach is followed at discharge.",
                        addressed_to=rng.choice(providers),
                    )
                    for n in range(10)
                )
                actions = Action.objects.bulk_create(
                    Action(
                        recommendation=recs[n // 5],
                        number=f"{n // 5 + 1}.{n % 5 + 1}",
                        description="Deliver refreshed training on routine enquiry and record "
                        "the outcome of each enquiry in the patient record; audit quarterly.",
                        owner_organisation=recs[n // 5].addressed_to,
                        lead_role_title="Named Nurse for Safeguarding Adults",
                        original_time_frame=rng.choice(["Quarter 2/3", "Aug 17", "Q3 2026/27"]),
                        due_date=today + timedelta(days=rng.randint(-200, 300)),
                        status=rng.choice(statuses),
                    )
                    for n in range(min(per_review, total_actions - r))
                )
                ProgressUpdate.objects.bulk_create(
                    ProgressUpdate(
                        action=a, author=secretary, text=rng.choice(UPDATES), status=a.status
                    )
                    for a in actions
                )
                Evidence.objects.bulk_create(
                    Evidence(
                        action=a,
                        description="Training register",
                        file="evidence/bench.pdf",
                        original_filename="register.pdf",
                        uploaded_by=secretary,
                    )
                    for a in actions[::7]
                )
                ExtensionRequest.objects.bulk_create(
                    ExtensionRequest(
                        action=a,
                        requested_by=secretary,
                        proposed_date=today + timedelta(days=90),
                        reason="Staffing pressures over winter.",
                        state=ExtensionState.PENDING,
                    )
                    for a in actions[::25]
                )
        paper, _ = Paper.objects.get_or_create(
            meeting=meeting,
            title="Learning reviews assurance report",
            defaults={
                "author": "Paper Bench",
                "period": "Q2 2026/27",
                "purpose": "Assurance on the action plans of the reviews this group monitors.",
                "asks": ["Receive the report.", "Note the exceptions."],
                "created_by": secretary,
            },
        )
    return paper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    bench_django(DEFAULT_URL)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from governance.rendering import render_paper_html, render_pdf
    from governance.selectors import paper_snapshot

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    paper = generate(args.actions)
    print(
        f"data: {args.actions:,} actions ready in {time.perf_counter() - started:.1f} s "
        f"on {connection.vendor}"
    )

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    runs = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            snapshot = paper_snapshot(paper)
        t1 = time.perf_counter()
        html = render_paper_html(snapshot, draft=True, for_pdf=True)
        t2 = time.perf_counter()
        pdf, pages = render_pdf(html)
        t3 = time.perf_counter()
        runs.append((t1 - t0, t2 - t1, t3 - t2, pages, len(pdf), len(queries)))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    snap = statistics.median(r[0] for r in runs)
    html_s = statistics.median(r[1] for r in runs)
    pdf_s = statistics.median(r[2] for r in runs)
    pages, size, query_count = runs[-1][3], runs[-1][4], runs[-1][5]
    total = snap + html_s + pdf_s
    print(f"actions in paper:      {snapshot['total']:,}")
    print(f"pages:                 {pages}  ({size / 1024:.0f} KiB)")
    print(f"snapshot (queries):    {snap:.2f} s  ({query_count} queries)")
    print(f"HTML (template):       {html_s:.2f} s  ({len(html) / 1024:.0f} KiB)")
    print(f"WeasyPrint PDF:        {pdf_s:.2f} s")
    print(f"end to end:            {total:.2f} s  = {pages / total:.1f} pages/s (target >= 8)")
    print(f"app share:             {(snap + html_s) / total:.1%} (target < 20%)")
    print(
        f"peak memory (RSS):     {peak_mib:.0f} MiB (before rendering {rss_before / 1024:.0f} MiB)"
    )
    print(f"medians of {args.runs} runs")


if __name__ == "__main__":
    main()
