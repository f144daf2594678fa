from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_the_actions_a_provider_lead_leads(client, cast):
    page = home(client, cast.provider_a_lead)
    assert cast.action_a.description in page
    assert cast.action_b.description not in page


def test_it_shows_provider_b_nothing_of_provider_a(client, cast):
    page = home(client, cast.provider_b_lead)
    assert cast.action_b.description in page
    assert cast.action_a.description not in page
    assert cast.restricted_action_a.description not in page


def test_it_shows_a_provider_its_organisations_restricted_action_by_reference_only(client, cast):
    page = home(client, cast.provider_a_contributor)
    assert cast.restricted_action_a.description in page
    assert cast.restricted_review.reference in page
    assert cast.restricted_review.title not in page


def test_it_tells_an_outsider_there_is_nothing_to_see(client, cast):
    page = home(client, cast.outsider)
    assert "not yet linked to an organisation" in page
    assert cast.action_a.description not in page


def test_it_shows_navigation_by_role(client, cast):
    assert "Administration" in home(client, cast.admin)
    commissioner_home = home(client, cast.commissioner)
    assert "Administration" not in commissioner_home
    assert 'href="/reviews/"' in commissioner_home
    assert 'href="/reviews/"' not in home(client, cast.provider_a_lead)


def test_it_shows_portfolio_readers_the_overdue_actions(client, cast):
    from datetime import date

    cast.action_b.due_date = date(2020, 1, 1)
    cast.action_b.save()
    page = home(client, cast.viewer)
    assert "Overdue across the portfolio" in page
    assert cast.action_b.description in page
    assert cast.action_a.description not in page.split("Overdue across the portfolio")[1]


# --- what is waiting on each person (issue 21) --------------------------------------


def test_it_shows_the_team_the_evidence_and_extensions_waiting_on_them(client, cast):
    from datetime import timedelta

    from django.utils import timezone

    from actions import services

    services.extension_request(
        action=cast.action_a,
        by=cast.provider_a_lead,
        proposed_date=timezone.localdate() + timedelta(days=45),
        reason="Staffing.",
    )
    page = home(client, cast.commissioner)
    waiting = page.split('id="waiting"')[1].split('id="portfolio"')[0]
    # Evidence on the reviews the commissioner manages: A's and B's, and the restricted one.
    assert "3 waiting" in waiting.split('id="waiting-evidence"')[1].split("</li>")[0]
    assert "1 waiting" in waiting.split('id="waiting-extensions"')[1].split("</li>")[0]
    assert 'id="extension-requests"' in waiting
    assert "Staffing" not in waiting  # the reason is on the action page, not here
    # Charts come before the long tables.
    assert page.index("The portfolio by status") < page.index('id="overdue"')


def test_the_header_counts_the_work_waiting_on_the_team(client, cast):
    page = home(client, cast.commissioner)
    nav = page.split('aria-label="Menu"')[1].split("</nav>")[0]
    queue = reverse("actions:evidence_queue")
    evidence_link = nav.split(f'href="{queue}"')[1].split("</a>")[0]
    assert "Evidence to review" in evidence_link
    assert '<span class="nhsuk-u-visually-hidden"> (</span>3<span' in evidence_link
    # No extension requests waiting: no link for them.
    assert "Extension requests" not in nav


def test_the_header_shows_no_team_counts_to_others(client, cast):
    for person in (cast.provider_a_lead, cast.viewer, cast.secretary):
        page = home(client, person)
        assert "app-count--nav" not in page


def test_the_header_counts_are_one_query_once_the_decisions_waiting_are_kept(
    client, cast, django_assert_num_queries
):
    """The unread count is read fresh each request with the portfolio's generation (one
    query); the decisions waiting are counted once (one more) and kept until the next
    write to the portfolio, such as a piece of evidence, counts them again."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from accounts import access
    from accounts.context_processors import navigation
    from actions.models import Evidence

    def header(queries: int) -> None:
        request = RequestFactory().get("/")
        request.user = cast.commissioner
        vars(cast.commissioner).pop("_header_counts", None)  # a new request
        access.reach(cast.commissioner)  # the person's roles, loaded once per request anyway
        with django_assert_num_queries(queries):
            navigation(request)

    cache.clear()
    header(2)
    header(1)
    Evidence.objects.filter(pk=cast.evidence_a.pk).update(description="Signed copy.")
    header(2)
    header(1)


def test_it_shows_a_provider_the_evidence_sent_back(client, cast):
    from actions import services

    # Seen once before the decision: what is kept from that visit must not hide it.
    assert 'id="rejected-evidence"' not in home(client, cast.provider_a_contributor)
    services.evidence_review(
        evidence=cast.evidence_a, by=cast.commissioner, accept=False, reason="Unsigned."
    )
    page = home(client, cast.provider_a_contributor)
    sent_back = page.split('id="rejected-evidence"')[1]
    assert "Unsigned." in sent_back
    assert "1 to send again" in page
    assert 'id="rejected-evidence"' not in home(client, cast.provider_b_lead)


def test_evidence_sent_again_is_no_longer_waiting(client, cast):
    from actions import services
    from tests import factories

    services.evidence_review(
        evidence=cast.evidence_a, by=cast.commissioner, accept=False, reason="Unsigned."
    )
    factories.evidence(on=cast.action_a, by=cast.provider_a_lead)
    assert 'id="rejected-evidence"' not in home(client, cast.provider_a_lead)


def test_it_shows_a_secretary_the_papers_due(client, cast):
    from tests import factories

    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    meeting = factories.meeting(forum=forum, in_days=30)
    factories.paper(meeting=meeting, by=cast.secretary)
    page = home(client, cast.secretary)
    due = page.split('id="papers-due"')[1]
    assert forum.name in due
    assert "1 draft to build and issue, 0 issued" in due


def test_a_viewer_gets_a_read_only_summary(client, cast):
    page = home(client, cast.viewer)
    assert "Your open actions" not in page and "Actions you lead" not in page
    assert "The portfolio at a glance" in page
    assert 'id="portfolio-by-status"' in page
    assert 'id="portfolio-assured"' in page
    assert 'id="waiting"' not in page


def test_the_header_counts_unread_notifications_as_the_inbox_does(cast):
    """The header's one query is written out (actions.selectors._header_sql): it counts
    what Reminder.objects.addressed_to(person).unread() counts, for each person."""
    from datetime import timedelta

    from django.utils import timezone

    from actions.choices import ReminderState, Rung
    from actions.models import Reminder
    from actions.selectors import header_counts_for

    today = timezone.localdate()
    for n, (recipient, read) in enumerate(
        [(cast.commissioner, False), (cast.commissioner, True), (cast.provider_a_lead, False)]
    ):
        Reminder.objects.create(
            recipient=recipient,
            rung=Rung.DUE_30,
            subject_key=f"action:{cast.action_a.pk}:{n}",
            key_date=today + timedelta(days=30),
            action=cast.action_a,
            state=ReminderState.SENT,
            read_at=timezone.now() if read else None,
        )
    for person in (cast.commissioner, cast.provider_a_lead, cast.viewer):
        vars(person).pop("_header_counts", None)
        expected = Reminder.objects.addressed_to(person).unread().count()
        assert header_counts_for(person)["unread"] == expected
    assert [header_counts_for(p)["unread"] for p in (cast.commissioner, cast.viewer)] == [1, 0]
