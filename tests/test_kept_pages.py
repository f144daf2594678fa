"""The action list, the review register and the action page are kept as drawn for each
person until the portfolio changes (trackerapp.kept_pages, docs/performance.md): a
kept page is never another person's, never outlives a write or a change of role, and
carries each request's own CSRF token."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from actions.choices import Status
from actions.models import Action, PortfolioGeneration
from reviews.models import Theme
from tests import factories
from tests.conftest import VerifiedClient
from trackerapp.kept_pages import CSRF_MARK

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def get(client, url: str, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def kept_pages(cast) -> list[str]:
    return [
        reverse("actions:list"),
        reverse("actions:list") + "?status=not_started&sort=owner",
        reverse("reviews:list"),
        cast.action_a.get_absolute_url(),
    ]


def test_a_page_asked_for_again_is_not_drawn_again(client, cast):
    client.force_login(cast.commissioner)
    for url in kept_pages(cast):
        first, drawn_with = get(client, url)
        again, kept_with = get(client, url)
        assert first.status_code == again.status_code == 200
        # The session, the person, the second factor, their roles and the header's
        # counts with the generation: nothing of the page's own.
        assert kept_with == 5, url
        assert drawn_with > kept_with, url
        assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", again.content.decode())


def test_a_write_is_shown_by_the_next_request(client, cast):
    client.force_login(cast.commissioner)
    for url in kept_pages(cast):
        client.get(url)
    Action.objects.filter(pk=cast.action_a.pk).update(status=Status.OFF_TRACK)  # no service
    for url in (reverse("actions:list"), cast.action_a.get_absolute_url()):
        assert "Off track" in client.get(url).content.decode(), url
    register = client.get(reverse("reviews:list")).content.decode()
    assert "Off track" in register


def test_each_request_gets_its_own_csrf_token_in_a_kept_page(cast):
    """Two sessions of the same person: the second is answered from what the first
    drew, with its own token, which its post is accepted with."""
    first = VerifiedClient(enforce_csrf_checks=True)
    second = VerifiedClient(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(cast.commissioner)
    url = cast.action_a.get_absolute_url()
    drawn = first.get(url).content.decode()
    kept, queries = get(second, url)
    page = kept.content.decode()
    assert queries == 5
    assert CSRF_MARK not in drawn and CSRF_MARK not in page
    token = TOKEN.search(page)
    assert token is not None and token.group(1) not in drawn
    posted = second.post(
        reverse("actions:update_add", args=[cast.action_a.pk]),
        {"text": "Audit booked for March.", "csrfmiddlewaretoken": token.group(1)},
    )
    assert posted.status_code == 302
    assert cast.action_a.updates.filter(text="Audit booked for March.").exists()


def test_no_one_is_shown_a_page_kept_for_another(client, cast):
    """The commissioner named on the restricted review sees its action in the list;
    the viewer of the same organisation, asking for the same address just after, does
    not, and never gets the action's page."""
    restricted = cast.restricted_action_a
    client.force_login(cast.commissioner)
    assert restricted.description in client.get(reverse("actions:list")).content.decode()
    assert client.get(restricted.get_absolute_url()).status_code == 200
    client.force_login(cast.viewer)
    assert restricted.description not in client.get(reverse("actions:list")).content.decode()
    assert client.get(restricted.get_absolute_url()).status_code == 404


def test_a_kept_page_does_not_outlive_the_access_behind_it(client, cast):
    restricted = cast.restricted_action_a
    client.force_login(cast.commissioner)
    assert client.get(restricted.get_absolute_url()).status_code == 200
    cast.restricted_review.named_people.remove(cast.commissioner)
    assert client.get(restricted.get_absolute_url()).status_code == 404

    client.force_login(cast.provider_a_lead)
    url = cast.action_a.get_absolute_url()
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=cast.provider_a_lead).delete()  # a change of role
    assert client.get(url).status_code in (403, 404)


def test_names_of_forums_themes_and_people_are_shown_as_they_are_now(client, cast):
    forum = factories.forum(organisation=cast.icb)
    cast.review.monitoring_forums.add(forum)
    theme = Theme.objects.create(name="Professional curiosity")
    client.force_login(cast.commissioner)
    for url in kept_pages(cast):
        client.get(url)
    forum.name, forum.short_name = "Safeguarding Assurance Group (renamed)", "SAG-RENAMED"
    forum.save()
    theme.name = "Think family"
    theme.save()
    cast.provider_a_lead.first_name, cast.provider_a_lead.last_name = "Amina", "Okafor"
    cast.provider_a_lead.save()
    register = client.get(reverse("reviews:list")).content.decode()
    action_list = client.get(reverse("actions:list")).content.decode()
    page = client.get(cast.action_a.get_absolute_url()).content.decode()
    assert "SAG-RENAMED" in register and "SAG-RENAMED" in action_list
    assert "Think family" in register and "Think family" in action_list
    assert "Safeguarding Assurance Group (renamed)" in page
    assert "Amina Okafor" in page and "A. Okafor" in action_list


def test_a_sign_in_does_not_change_the_generation(cast):
    before = PortfolioGeneration.objects.get(pk=1).value
    Client().force_login(cast.viewer)  # writes last_login
    assert PortfolioGeneration.objects.get(pk=1).value == before
    cast.viewer.last_name = "Renamed"
    cast.viewer.save(update_fields=["last_name"])
    assert PortfolioGeneration.objects.get(pk=1).value > before


def test_a_page_with_errors_says_so_in_its_title_when_kept(client, cast):
    client.force_login(cast.commissioner)
    url = reverse("actions:list") + "?due_from=not-a-date"
    for _ in range(2):
        page = client.get(url).content.decode()
        assert "<title>Error: Actions" in page
        assert "nhsuk-error-summary" in page


def test_a_refused_bulk_change_says_error_once_in_the_title(client, cast):
    client.force_login(cast.commissioner)
    response = client.post(reverse("actions:bulk"), {"operation": "set_status"})
    assert response.status_code == 422
    assert "<title>Error: Actions –" in response.content.decode()


def test_a_message_after_a_redirect_is_shown_once_and_never_kept(client, cast):
    client.force_login(cast.commissioner)
    url = cast.action_a.get_absolute_url()
    client.get(url)
    posted = client.post(
        reverse("actions:update_add", args=[cast.action_a.pk]), {"text": "Audit booked."}
    )
    assert posted.status_code == 302
    first = client.get(url).content.decode()
    again, queries = get(client, url)
    assert "nhsuk-notification-banner--success" in first
    assert "nhsuk-notification-banner" not in again.content.decode()
    assert "Audit booked." in again.content.decode()
    # The page with the message was not kept; the next one, without it, is.
    assert queries > 5
    assert get(client, url)[1] == 5


def test_a_new_notification_shows_in_the_header_of_a_kept_page(client, cast):
    from datetime import timedelta

    from django.utils import timezone

    from actions.choices import ReminderState, Rung
    from actions.models import Reminder

    client.force_login(cast.commissioner)
    url = reverse("actions:list")
    assert "unread</span>" not in client.get(url).content.decode()
    Reminder.objects.create(
        recipient=cast.commissioner,
        rung=Rung.DUE_30,
        subject_key=f"action:{cast.action_a.pk}",
        key_date=timezone.localdate() + timedelta(days=30),
        action=cast.action_a,
        state=ReminderState.SENT,
    )
    assert "unread</span>" in client.get(url).content.decode()


def test_an_htmx_request_gets_only_the_live_part_also_when_kept(client, cast):
    client.force_login(cast.commissioner)
    url = cast.action_a.get_absolute_url()
    full = client.get(url).content.decode()
    for _ in range(2):
        live = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert '<div id="action-live">' in live
        assert "<html" not in live
    assert "<html" in full and client.get(url).content.decode().count('id="action-live"') == 1


def test_nothing_is_kept_when_keeping_is_off(client, cast, settings):
    settings.KEEP_PORTFOLIO_FIGURES = False
    client.force_login(cast.commissioner)
    url = reverse("actions:list")
    _, first = get(client, url)
    _, again = get(client, url)
    assert again == first > 5
