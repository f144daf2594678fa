"""The quarterly assurance report: every figure recomputed here from the history tables,
one action at a time, the slow obvious way, and compared with the report's set-based
queries."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from actions.choices import HEADLINE_STATUSES, STATUS_BAND, Status
from actions.models import Action
from governance.choices import ForumKind
from governance.quarterly import (
    age_between,
    forums_reporting_to,
    quarterly_report,
    quarterly_scope,
)
from tests import factories
from trackerapp.financial_year import FinancialQuarter

pytestmark = pytest.mark.django_db

Q1 = FinancialQuarter(2026, 1)  # April to June 2026
Q2 = FinancialQuarter(2026, 2)
Q3 = FinancialQuarter(2026, 3)  # the quarter "now" is in


def at(day: date, hour: int = 12):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=UTC), tick=False)


def set_status(action: Action, status: str, day: date, **fields) -> None:
    with at(day):
        action.refresh_from_db()
        action.status = status
        for name, value in fields.items():
            setattr(action, name, value)
        action.save()


# --- the recount: per action, from the history table --------------------------------


def state_at_end(action_id: int, quarter: FinancialQuarter, now: datetime):
    """The action's last history record before midnight after the quarter's last day."""
    cutoff = timezone.make_aware(datetime.combine(quarter.end + timedelta(days=1), time.min))
    cutoff = min(cutoff, now)
    records = [
        r for r in Action.history.model.objects.filter(id=action_id) if r.history_date < cutoff
    ]
    if not records:
        return None
    last = max(records, key=lambda r: (r.history_date, r.history_id))
    return None if last.history_type == "-" else last


def recount(action_ids, quarter: FinancialQuarter, now: datetime) -> dict:
    counts: dict[str, int] = defaultdict(int)
    by_owner: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_review: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for action_id in action_ids:
        record = state_at_end(action_id, quarter, now)
        if record is None:
            continue
        counts[record.status] += 1
        by_owner[record.owner_organisation.short_name][record.status] += 1
        review = record.recommendation.review
        by_review[f"{review.reference}: {review.title}"][record.status] += 1
        by_type[review.review_type.code][record.status] += 1
    return {"counts": counts, "by_owner": by_owner, "by_review": by_review, "by_type": by_type}


def percent(counts) -> int:
    total = sum(counts.values())
    done = sum(n for s, n in counts.items() if s in HEADLINE_STATUSES)
    return (done * 100) // total if total else 0


def bands(counts) -> dict[str, int]:
    result: dict[str, int] = defaultdict(int)
    for status, n in counts.items():
        result[STATUS_BAND[status]] += n
    return dict(result)


def assert_report_matches_history(report, action_ids, quarters, now):
    for entry, quarter in zip(report["trend"], quarters, strict=True):
        expected = recount(action_ids, quarter, now)
        assert entry["label"] == quarter.label
        assert entry["total"] == sum(expected["counts"].values()), quarter.label
        assert entry["headline"]["percent"] == percent(expected["counts"]), quarter.label
        assert {b["band"]: b["count"] for b in entry["bands"] if b["count"]} == bands(
            expected["counts"]
        ), quarter.label
    expected = recount(action_ids, quarters[-1], now)
    for key, rows in (
        ("by_owner", report["by_provider"]),
        ("by_review", report["by_review"]),
        ("by_type", report["by_type"]),
    ):
        assert {r["name"]: {s: n for s, n in r["counts"].items() if n} for r in rows} == {
            name: dict(c) for name, c in expected[key].items()
        }, key
        for row in rows:
            assert row["headline"]["percent"] == percent(expected[key][row["name"]])


# --- fixtures -----------------------------------------------------------------------


@pytest.fixture
def structure(cast):
    """QSC ← SAG ← CQRG (provider A): the SAG monitors the cast's review, the CQRG a
    second review of its own, of which it covers only provider A's actions."""
    qsc = factories.forum(organisation=cast.icb, kind=ForumKind.QSC)
    sag = factories.forum(organisation=cast.icb)
    sag.reports_to = qsc
    sag.save()
    cqrg = factories.forum(organisation=cast.icb, kind=ForumKind.CQRG, provider=cast.provider_a)
    cqrg.reports_to = sag
    cqrg.save()
    cast.review.monitoring_forums.add(sag)
    # The cast is made at the real time of the run: date its actions into Q1 so that the
    # figures below hold whenever the tests run.
    Action.history.model.objects.filter(
        id__in=[cast.action_a.pk, cast.action_b.pk, cast.restricted_action_a.pk]
    ).update(history_date=datetime(2026, 4, 1, 9, tzinfo=UTC))
    return {"qsc": qsc, "sag": sag, "cqrg": cqrg}


@pytest.fixture
def history(cast, structure):
    """Actions created and moved through the quarters of 2026/27 on known dates."""
    with at(date(2026, 4, 10)):
        sar = factories.review(code="SAR", body=cast.csp)
        sar.monitoring_forums.add(structure["cqrg"])
        rec = factories.recommendation(sar)
        early = factories.action(on=rec, owner=cast.provider_a, status=Status.NOT_STARTED)
        other_provider = factories.action(on=rec, owner=cast.provider_b, status=Status.OFF_TRACK)
    set_status(early, Status.ON_TRACK, date(2026, 6, 30))  # last day of Q1: counts in Q1
    set_status(early, Status.OFF_TRACK, date(2026, 7, 1))  # first day of Q2
    with at(date(2026, 8, 1)):
        late = factories.action(on=rec, owner=cast.provider_a, status=Status.AT_RISK)
    set_status(late, Status.COMPLETED, date(2026, 9, 15))
    set_status(early, Status.ASSURED, date(2026, 11, 1))
    return {"sar": sar, "early": early, "late": late, "other_provider": other_provider}


NOW = datetime(2026, 12, 2, 9, tzinfo=UTC)


def report_for(user, quarter=Q3, **kwargs):
    with time_machine.travel(NOW, tick=False):
        return quarterly_report(user, quarter=quarter, quarters=4, now=NOW, **kwargs)


def scope_ids(user, forum=None):
    forums = forums_reporting_to(user, forum) if forum else None
    return list(quarterly_scope(user, forums).values_list("pk", flat=True))


# --- figures --------------------------------------------------------------------


def test_it_counts_each_quarter_as_the_history_stood_at_its_end(cast, history):
    report = report_for(cast.commissioner)
    quarters = [FinancialQuarter(2025, 4), Q1, Q2, Q3]
    assert_report_matches_history(report, scope_ids(cast.commissioner), quarters, NOW)
    by_label = {t["label"]: t for t in report["trend"]}
    assert by_label["Q4 2025/26"]["total"] == 0
    # At the end of Q1: the cast's two actions on track, `early` on track too (changed on
    # the quarter's last day), `other_provider` off track; `late` did not exist yet.
    assert by_label["Q1 2026/27"]["counts"][Status.ON_TRACK] == 3
    assert by_label["Q1 2026/27"]["total"] == 4
    # Q2: early and other_provider off track, late completed.
    assert by_label["Q2 2026/27"]["counts"][Status.OFF_TRACK] == 2
    assert by_label["Q2 2026/27"]["counts"][Status.COMPLETED] == 1


def test_it_is_not_todays_state_relabelled(cast, history):
    set_status(history["late"], Status.ASSURED, date(2026, 11, 20))
    report = report_for(cast.commissioner)
    q2 = next(t for t in report["trend"] if t["label"] == Q2.label)
    assert q2["counts"][Status.COMPLETED] == 1
    assert q2["counts"][Status.ASSURED] == 0
    assert report["current"]["counts"][Status.ASSURED] == 2


def test_it_counts_an_action_deleted_after_the_quarter_end_only_before_it(cast, history):
    with at(date(2026, 11, 5)):
        history["late"].delete()
    # Deleted actions are out of today's scope: nothing of them is reported any more.
    report = report_for(cast.commissioner)
    assert_report_matches_history(
        report, scope_ids(cast.commissioner), [FinancialQuarter(2025, 4), Q1, Q2, Q3], NOW
    )


def test_it_rounds_the_headline_down(cast, structure):
    with at(date(2026, 5, 1)):
        forum = factories.forum(organisation=cast.icb)
        review = factories.review(body=cast.csp)
        review.monitoring_forums.add(forum)
        rec = factories.recommendation(review)
        for status in (Status.ON_TRACK, Status.ON_TRACK, Status.OFF_TRACK):
            factories.action(on=rec, owner=cast.provider_a, status=status)
    report = report_for(cast.commissioner, forum=forum)
    q1 = next(t for t in report["trend"] if t["label"] == Q1.label)
    assert q1["headline"] == {"percent": 66, "numerator": 2, "denominator": 3}


def test_it_covers_a_forum_and_everything_that_reports_up_to_it(cast, structure, history):
    sag_report = report_for(cast.commissioner, forum=structure["sag"])
    cqrg_report = report_for(cast.commissioner, forum=structure["cqrg"])
    # The CQRG covers provider A's actions on its review: early and late, not B's.
    assert cqrg_report["current"]["total"] == 2
    assert [f["short_name"] for f in sag_report["scope"]["forums"]] == [
        structure["sag"].short_name,
        structure["cqrg"].short_name,
    ]
    # The SAG: its own review's two actions (cast) and the CQRG's two.
    sag_ids = scope_ids(cast.commissioner, structure["sag"])
    assert sorted(sag_ids) == sorted(
        [cast.action_a.pk, cast.action_b.pk, history["early"].pk, history["late"].pk]
    )
    assert_report_matches_history(sag_report, sag_ids, [FinancialQuarter(2025, 4), Q1, Q2, Q3], NOW)
    qsc_report = report_for(cast.commissioner, forum=structure["qsc"])
    assert qsc_report["current"]["total"] == sag_report["current"]["total"]


def test_it_never_includes_a_restricted_review_even_for_someone_named_on_it(cast, history):
    ids = scope_ids(cast.commissioner)
    assert cast.restricted_action_a.pk not in ids
    assert cast.restricted_action_a.pk in Action.objects.visible_to(cast.commissioner).values_list(
        "pk", flat=True
    )


def test_it_shows_a_provider_only_their_own_actions(cast, history):
    ids = scope_ids(cast.provider_a_lead)
    assert history["other_provider"].pk not in ids
    assert history["early"].pk in ids


def test_it_lists_slippage_as_it_stood_at_the_quarter_end(cast, history):
    from actions.choices import ExtensionState
    from actions.models import ExtensionRequest

    early = history["early"]
    with at(date(2026, 5, 1)):
        early.due_date = date(2026, 6, 30)
        early.save()
    with at(date(2026, 8, 20)):
        ExtensionRequest.objects.create(
            action=early,
            requested_by=cast.provider_a_lead,
            proposed_date=date(2027, 3, 31),
            reason="Training dates moved",
            state=ExtensionState.APPROVED,
            decided_by=cast.commissioner,
            decided_at=timezone.now(),
        )
        early.refresh_from_db()
        early.revised_due_date = date(2027, 3, 31)
        early.save()
    q1_report = report_for(cast.commissioner, quarter=Q1)
    assert q1_report["slippage"] == []
    report = report_for(cast.commissioner, quarter=Q2)
    (row,) = report["slippage"]
    assert row["original_due"] == "30 Jun 2026"
    assert row["revised_due"] == "31 Mar 2027"
    assert row["days_slipped"] == 274
    assert row["slipped"] == "9 months 1 day"
    assert row["extensions"] == 1
    assert report["slippage_by_provider"] == [
        {
            "owner": "PROV-A",
            "actions": 1,
            "extensions": 1,
            "total_days": 274,
            "average_days": 274,
            "longest_days": 274,
        }
    ]


def test_it_finds_learning_repeated_across_reviews(cast, history):
    from reviews.models import Theme

    theme = Theme.objects.create(name="Information sharing")
    lonely = Theme.objects.create(name="Bed management")
    cast.recommendation.themes.add(theme, lonely)
    history["late"].recommendation.themes.add(theme)
    report = report_for(cast.commissioner)
    (found,) = report["themes"]
    assert found["name"] == "Information sharing"
    assert found["review_count"] == 2
    assert found["total"] == 5  # the cast's two actions, early, late, other provider
    assert found["assured"] == 1


def test_it_writes_ages_in_years_months_and_days():
    assert age_between(date(2017, 8, 31), date(2026, 11, 5)) == "9 years 2 months 5 days"
    assert age_between(date(2026, 11, 2), date(2026, 11, 5)) == "3 days"
    assert age_between(date(2026, 1, 31), date(2026, 3, 1)) == "1 month 1 day"
    assert age_between(date(2026, 3, 1), date(2026, 3, 1)) == "0 days"


# --- on the demo data and on an imported plan ------------------------------------


def test_it_matches_the_history_on_the_demo_data(cast):
    call_command("load_demo", stdout=io.StringIO())
    from accounts.models import User

    commissioner = User.objects.get(username="commissioner")
    now = timezone.now()
    quarter = FinancialQuarter.containing(timezone.localdate(now))
    report = quarterly_report(commissioner, quarter=quarter, quarters=8, now=now)
    quarters = [quarter]
    while len(quarters) < 8:
        quarters.insert(0, quarters[0].previous())
    assert report["current"]["total"] > 20
    assert_report_matches_history(report, scope_ids(commissioner), quarters, now)


def test_it_matches_the_history_on_an_imported_plan(cast):
    from imports import services as import_services

    plan = factories.plan_import(by=cast.commissioner, review=cast.review)
    import_services.plan_import_commit(plan_import=plan, by=cast.commissioner)
    imported = Action.objects.exclude(pk__in=[cast.action_a.pk, cast.action_b.pk]).filter(
        recommendation__review=cast.review
    )
    assert imported.exists()
    now = timezone.now()
    quarter = FinancialQuarter.containing(timezone.localdate(now))
    report = quarterly_report(cast.commissioner, quarter=quarter, quarters=4, now=now)
    oldest = quarter.previous().previous().previous()
    quarters = [oldest, oldest.next(), oldest.next().next(), quarter]
    assert_report_matches_history(report, scope_ids(cast.commissioner), quarters, now)
    assert report["current"]["total"] == 2 + imported.count()


# --- pages and files --------------------------------------------------------------


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    section = document.sections[0]
    parts.extend(p.text for p in section.header.paragraphs)
    parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def pdf_text(data: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(f"governance:{name}", args=args)


def test_it_shows_the_report_page_to_the_safeguarding_team_secretaries_and_viewers(
    client, cast, history, structure
):
    for person in (cast.commissioner, cast.secretary, cast.viewer):
        client.force_login(person)
        response = client.get(
            url("quarterly_report"),
            {"quarter": Q2.label, "forum": structure["sag"].pk, "quarters": 4},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Quarterly assurance report" in page
        assert 'id="trend-table"' in page
        assert "<svg" in page
        assert "Q2 2026/27" in page


def test_it_refuses_the_report_to_providers_and_outsiders(client, cast):
    for person in (cast.provider_a_lead, cast.outsider):
        client.force_login(person)
        for name, args in (
            ("quarterly_report", ()),
            ("slippage", ()),
            ("quarterly_report_download", ("pdf",)),
        ):
            assert client.get(url(name, *args)).status_code == 403, (person, name)


def test_it_refuses_the_files_to_a_viewer_without_the_export_grant(client, cast):
    client.force_login(cast.viewer)
    assert client.get(url("quarterly_report_download", "docx")).status_code == 403
    page = client.get(url("quarterly_report")).content.decode()
    assert "download-docx" not in page


def test_it_shows_the_slippage_page(client, cast, history):
    early = history["early"]
    early.due_date = date(2026, 6, 30)
    early.revised_due_date = date(2026, 9, 30)
    early.save()
    client.force_login(cast.commissioner)
    response = client.get(url("slippage"), {"quarter": Q3.label, "quarters": 4})
    page = response.content.decode()
    assert response.status_code == 200
    assert "30 Jun 2026" in page and "30 Sep 2026" in page
    assert "3 months" in page


def test_it_gives_the_same_figures_in_the_pdf_and_the_word_file(
    client, cast, history, structure, tmp_path
):
    from audit.models import AuditEntry

    client.force_login(cast.secretary)
    query = {"quarter": Q2.label, "forum": structure["sag"].pk, "quarters": 4}
    pdf = client.get(url("quarterly_report_download", "pdf"), query)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('attachment; filename="OFFICIAL-SENSITIVE-')
    assert pdf["Content-Security-Policy"] == "sandbox"
    assert pdf["Cache-Control"] == "no-store"
    docx = client.get(url("quarterly_report_download", "docx"), query)
    assert docx.status_code == 200
    with time_machine.travel(timezone.now(), tick=False):
        report = quarterly_report(cast.secretary, quarter=Q2, forum=structure["sag"], quarters=4)
    pdf_words = " ".join(pdf_text(pdf.content, tmp_path).split())
    docx_words = " ".join(docx_text(docx.content).split())
    for text in (pdf_words, docx_words):
        assert "OFFICIAL-SENSITIVE" in text
        assert "Quarterly assurance report" in text
        assert f"{report['current']['headline']['percent']}% of actions were completed" in text
        for quarter in report["trend"]:
            assert quarter["label"] in text
        for row in report["by_provider"]:
            assert row["name"] in text
    assert "Page 1 of" in pdf_words
    assert AuditEntry.objects.filter(event="export", user=cast.secretary).count() == 2


def test_it_takes_the_later_of_two_records_with_the_same_time(cast, structure):
    """The trend (one pass with a window) and the quarter's breakdowns (latest record per
    action) must agree when two history records share a timestamp."""
    with at(date(2026, 5, 1)):
        action = factories.action(on=cast.recommendation, owner=cast.provider_a)
        action.status = Status.OFF_TRACK
        action.save()
    report = report_for(cast.commissioner, quarter=Q1)
    q1 = report["trend"][-1]
    assert q1["counts"][Status.OFF_TRACK] == 1
    prov_a = next(r for r in report["by_provider"] if r["name"] == "PROV-A")
    assert prov_a["counts"][Status.OFF_TRACK] == 1


def test_it_answers_an_unknown_file_format_with_not_found(client, cast):
    client.force_login(cast.secretary)
    assert client.get(url("quarterly_report_download", "exe")).status_code == 404
