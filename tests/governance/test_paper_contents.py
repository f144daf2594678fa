"""What a committee paper carries beyond the figures (issue 18): each exception once with
all its reasons, roll-up by exception from reporting forums, the cover items NHS papers
carry, newly added and assured actions listed, ages in words, the glossary and actions
with no due date."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions.choices import Status
from actions.models import ExtensionRequest
from governance import services
from governance.choices import AssuranceLevel, ForumKind
from governance.models import GlossaryTerm
from governance.rendering import render_paper_html
from governance.selectors import paper_snapshot
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def builds_in_process():
    """Paper builds run in-process here, as in tests/governance/test_papers.py."""
    from trackerapp.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def sag(cast):
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    cast.review.monitoring_forums.add(forum)
    return forum


@pytest.fixture
def cqrg(cast, sag):
    """Provider B's CQRG reports to the SAG and monitors a review of its own."""
    forum = factories.forum(organisation=cast.icb, kind=ForumKind.CQRG, provider=cast.provider_b)
    forum.reports_to = sag
    forum.save()
    review = factories.review(code="SAR", body=cast.csp)
    review.monitoring_forums.add(forum)
    return forum, factories.recommendation(review, cast.provider_b)


def new_paper(cast, forum, **fields):
    return services.paper_create(
        meeting=factories.meeting(forum=forum),
        by=cast.secretary,
        title="Assurance report",
        author="A. Secretary",
        period="Q2 2026/27",
        asks=["Receive the report."],
        **fields,
    )


def test_it_lists_an_exception_once_with_every_reason(cast, sag):
    today = timezone.localdate()
    action = cast.action_a
    action.status = Status.OFF_TRACK
    action.due_date = today - timedelta(days=400)
    action.save()
    ExtensionRequest.objects.create(
        action=action,
        requested_by=cast.provider_a_lead,
        proposed_date=today + timedelta(days=90),
        reason="Training postponed",
    )
    snapshot = paper_snapshot(new_paper(cast, sag))
    items = [i for i in snapshot["exceptions"]["items"] if i["id"] == action.pk]
    assert len(items) == 1
    reasons = items[0]["reasons"]
    assert reasons[0] == "Off track"
    assert reasons[1].startswith("Overdue by 1 year 1 month")
    assert any(r.startswith("Extension for decision") for r in reasons)
    assert any(r.startswith("Evidence awaiting review") for r in reasons)
    html = render_paper_html(snapshot, draft=True, for_pdf=False)
    assert html.count(action.description) == 2  # the exception, and the detail by review
    assert "overdue 1 year 1 month" in html
    assert "3350 days" not in html


def test_it_rolls_up_the_exceptions_of_the_forums_that_report_to_it(cast, sag, cqrg):
    forum, recommendation = cqrg
    off = factories.action(on=recommendation, owner=cast.provider_b, status=Status.OFF_TRACK)
    fine = factories.action(on=recommendation, owner=cast.provider_b, status=Status.ON_TRACK)
    theirs_not_b = factories.action(
        on=recommendation, owner=cast.provider_a, status=Status.OFF_TRACK
    )
    snapshot = paper_snapshot(new_paper(cast, sag))
    by_id = {i["id"]: i for i in snapshot["exceptions"]["items"]}
    assert by_id[off.pk]["from"] == forum.short_name
    assert fine.pk not in by_id
    # A CQRG covers only its provider's actions, so provider A's is not its exception.
    assert theirs_not_b.pk not in by_id
    assert snapshot["exceptions"]["rolled_up_from"] == [forum.short_name]
    html = render_paper_html(snapshot, draft=True, for_pdf=False)
    assert f"Reported by exception from the {forum.short_name}" in html
    # The CQRG's own paper reports it as its own.
    own = paper_snapshot(new_paper(cast, forum))
    assert {i["id"]: i["from"] for i in own["exceptions"]["items"]}[off.pk] == ""


def test_it_prints_the_cover_items_nhs_papers_carry(cast, sag):
    paper = new_paper(
        cast,
        sag,
        executive_lead="Chief Nursing Officer",
        presenter="Designated Nurse, Adult Safeguarding",
        previously_considered_by="CQRG BSMHFT, 10 November 2026",
        assurance_level=AssuranceLevel.LIMITED,
        assurance_rationale="Three actions on bed management are a year overdue.",
        executive_summary="Progress has slowed this quarter.",
        risks="Repeat incidents while training is incomplete.",
        baf_reference="BAF 3.2",
    )
    html = render_paper_html(paper_snapshot(paper), draft=True, for_pdf=False)
    for text in (
        "Chief Nursing Officer",
        "Designated Nurse, Adult Safeguarding",
        "CQRG BSMHFT, 10 November 2026",
        "Level of assurance offered: Limited",
        "Three actions on bed management are a year overdue.",
        "Progress has slowed this quarter.",
        "Repeat incidents while training is incomplete.",
        "BAF 3.2",
    ):
        assert text in html, text


def test_it_asks_why_when_an_assurance_level_is_chosen(cast, sag):
    with pytest.raises(ValidationError) as raised:
        new_paper(cast, sag, assurance_level=AssuranceLevel.SUBSTANTIAL)
    assert "assurance_rationale" in raised.value.message_dict


def test_it_lists_open_actions_with_no_due_date(cast, sag):
    cast.action_b.original_time_frame = "Ongoing"
    cast.action_b.save()
    snapshot = paper_snapshot(new_paper(cast, sag))
    assert [r["id"] for r in snapshot["no_due_date"]] == [cast.action_a.pk, cast.action_b.pk]
    html = render_paper_html(snapshot, draft=True, for_pdf=False)
    assert "Open actions with no due date" in html


def test_its_glossary_names_every_abbreviation_used(cast, sag):
    GlossaryTerm.objects.create(term="MHSPB", meaning="Mental Health Services Programme Board")
    cast.action_a.description = (
        "Report PICU and CMHT bed use to the MHSPB and the LD&A board; agree it with XYZW."
    )
    cast.action_a.save()
    glossary = {g["term"]: g["meaning"] for g in paper_snapshot(new_paper(cast, sag))["glossary"]}
    assert glossary["MHSPB"] == "Mental Health Services Programme Board"
    assert glossary["PICU"] == "Psychiatric Intensive Care Unit"
    assert glossary["CMHT"] == "Community Mental Health Team"
    assert glossary["LD&A"] == "Learning Disability and Autism"
    assert glossary["XYZW"] == ""  # used, not known: listed for an administrator to add
    assert "OFFICIAL" not in glossary


def test_it_lists_new_and_newly_assured_actions_by_name(cast, sag):
    import time_machine

    earlier = timezone.now() - timedelta(days=30)
    first = new_paper(cast, sag)
    with time_machine.travel(earlier, tick=False):
        pass
    from governance.choices import PaperState
    from governance.models import Paper

    Paper.objects.filter(pk=first.pk).update(
        state=PaperState.ISSUED, data_as_at=timezone.now(), issued_at=timezone.now()
    )
    first.meeting.held_on = timezone.localdate() - timedelta(days=1)
    first.meeting.save()
    added = factories.action(on=cast.recommendation, owner=cast.provider_a)
    cast.action_b.status = Status.ASSURED
    cast.action_b.save()
    snapshot = paper_snapshot(new_paper(cast, sag))
    assert [r["id"] for r in snapshot["movement"]["new"]] == [added.pk]
    assert [r["id"] for r in snapshot["movement"]["newly_assured"]] == [cast.action_b.pk]
    html = render_paper_html(snapshot, draft=True, for_pdf=False)
    assert "<h3>New actions</h3>" in html and "<h3>Newly assured</h3>" in html


# --- the paper in Word ---------------------------------------------------------------


def docx_text(data: bytes) -> str:
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    section = document.sections[0]
    parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def test_it_gives_the_paper_in_word_with_the_same_content_and_marking(client, cast, sag, tmp_path):
    import subprocess

    from django.test import TestCase
    from django.urls import reverse

    cast.action_a.status = Status.OFF_TRACK
    cast.action_a.save()
    paper = new_paper(cast, sag, executive_summary="Progress has slowed.")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.paper_build_request(paper=paper, by=cast.secretary)
    paper.refresh_from_db()
    client.force_login(cast.secretary)
    response = client.get(reverse("governance:paper_download_docx", args=[paper.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-v1-draft.docx"')
    assert response["Content-Security-Policy"] == "sandbox"
    words = " ".join(docx_text(response.content).split())
    path = tmp_path / "paper.pdf"
    path.write_bytes(paper.pdf.read())
    pdf_words = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    snapshot = paper.snapshot
    for text in (
        "DRAFT – OFFICIAL-SENSITIVE",
        "Assurance report",
        "Progress has slowed.",
        f"{snapshot['headline']['percent']}% of actions are completed or on track",
        "Off track",
        cast.action_a.description,
        "6. Glossary",
    ):
        assert text in words, text
        assert text in pdf_words, text
    assert paper.downloads.count() == 1


def test_an_issued_papers_word_file_is_the_same_bytes_every_time(client, cast, sag):
    import hashlib

    from django.test import TestCase
    from django.urls import reverse

    paper = new_paper(cast, sag)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.paper_build_request(paper=paper, by=cast.secretary)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.paper_issue_request(paper=paper, by=cast.secretary)
    client.force_login(cast.viewer)
    url = reverse("governance:paper_download_docx", args=[paper.pk])
    first = client.get(url).content
    time.sleep(2.1)  # zip timestamps have a two-second grain
    second = client.get(url).content
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    assert "DRAFT" not in docx_text(first)
