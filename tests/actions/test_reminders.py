"""The reminder ladder of docs/reminders.md, walked through time."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.choices import DigestFrequency
from actions import reminders, services
from actions.choices import ReminderState, Rung, Status
from actions.models import Reminder
from tests import factories
from tests.actions.ladder import DUE, at, run_lock_held_elsewhere, run_on

pytestmark = pytest.mark.django_db


def test_it_walks_one_action_through_every_rung(ladder):
    assert run_on(DUE - timedelta(days=31)) == {}
    sent = run_on(DUE - timedelta(days=30))
    assert set(sent) == {"a.contributor"}
    assert "1 due soon" in sent["a.contributor"][0]
    assert run_on(DUE - timedelta(days=20)) == {}

    sent = run_on(DUE - timedelta(days=14))
    assert set(sent) == {"a.contributor"} and "1 due soon" in sent["a.contributor"][0]
    sent = run_on(DUE - timedelta(days=7))
    assert set(sent) == {"a.contributor"} and "1 due this week" in sent["a.contributor"][0]
    assert run_on(DUE) == {}

    sent = run_on(DUE + timedelta(days=1))
    assert set(sent) == {"a.contributor", "commissioner", "commissioner2"}
    assert all("1 overdue" in subject for subject, _ in sent.values())
    assert "Overdue by 1 day" in sent["commissioner"][1]
    assert f"/actions/{ladder.pk}/" in sent["commissioner"][1]

    assert run_on(DUE + timedelta(days=13)) == {}
    sent = run_on(DUE + timedelta(days=14))
    assert set(sent) == {"a.lead"}
    sent = run_on(DUE + timedelta(days=30))
    assert set(sent) == {"commissioner2", "secretary"}
    assert "Overdue by 30 days" in sent["secretary"][1]
    assert run_on(DUE + timedelta(days=31)) == {}


def test_running_twice_sends_nothing_the_second_time(ladder):
    assert run_on(DUE + timedelta(days=40))
    assert run_on(DUE + timedelta(days=40)) == {}
    keys = list(Reminder.objects.values_list("recipient_id", "subject_key", "rung", "key_date"))
    assert len(keys) == len(set(keys))


def test_a_late_first_scan_fires_every_rung_reached_once(ladder):
    sent = run_on(DUE + timedelta(days=45))
    assert set(sent) == {"a.contributor", "commissioner", "a.lead", "commissioner2", "secretary"}
    assert sum(len(m.to) for m in mail.outbox) == 5  # one digest each
    # commissioner2 owns the action and chairs the forum: one line, at the worst rung.
    assert sent["commissioner2"][1].count(f"/actions/{ladder.pk}/") == 1


def test_completing_the_action_stops_the_ladder(ladder, cast):
    run_on(DUE - timedelta(days=30))
    factories.evidence(on=ladder, by=cast.provider_a_lead)
    services.action_set_status(
        action=ladder,
        by=cast.provider_a_lead,
        status=Status.COMPLETED,
        note="Done.",
        expected_version=ladder.version,
    )
    for offset in (-14, -7, 1, 14, 30):
        sent = run_on(DUE + timedelta(days=offset))
        assert "a.contributor" not in sent and "a.lead" not in sent, offset
    ladder_rungs = Reminder.objects.exclude(rung=Rung.EVIDENCE_PENDING)
    assert list(ladder_rungs.values_list("rung", flat=True)) == [Rung.DUE_30]
    # What is left is the commissioner being chased to review the evidence.
    assert set(Reminder.objects.values_list("rung", flat=True)) == {
        Rung.DUE_30,
        Rung.EVIDENCE_PENDING,
    }


def test_an_extension_moves_the_ladder(ladder, cast):
    run_on(DUE + timedelta(days=1))  # overdue, told
    with at(DUE + timedelta(days=2)):
        request = services.extension_request(
            action=ladder,
            by=cast.provider_a_lead,
            proposed_date=DUE + timedelta(days=60),
            reason="Staff.",
        )
        services.extension_decide(request=request, by=cast.commissioner, approve=True)
    assert run_on(DUE + timedelta(days=14)) == {}  # would have escalated to the provider
    sent = run_on(DUE + timedelta(days=30))  # would have escalated to the forum
    assert set(sent) == {"a.contributor"} and "1 due soon" in sent["a.contributor"][0]
    sent = run_on(DUE + timedelta(days=53))
    assert set(sent) == {"a.contributor"} and "due this week" in sent["a.contributor"][0]


def test_people_without_email_or_inactive_are_skipped_and_logged(ladder, cast, caplog):
    cast.provider_a_contributor.email = ""
    cast.provider_a_contributor.save()
    cast.commissioner.is_active = False
    cast.commissioner.save()
    with caplog.at_level("WARNING", logger="actions.reminders"):
        sent = run_on(DUE + timedelta(days=1))
    # The lead cannot be emailed, so the provider's lead is told instead.
    assert set(sent) == {"commissioner2", "a.lead"}
    assert "a.contributor not emailed: no email address" in caplog.text
    skipped = Reminder.objects.filter(recipient=cast.provider_a_contributor).get()
    assert skipped.state == ReminderState.SKIPPED
    assert not Reminder.objects.filter(
        recipient=cast.commissioner
    ).exists()  # inactive: never chosen


def test_an_unreachable_person_is_logged_once_however_many_reminders_they_have(
    ladder, cast, caplog
):
    cast.provider_a_contributor.email = ""
    cast.provider_a_contributor.save()
    for _ in range(3):
        factories.action(
            on=cast.recommendation,
            owner=cast.provider_a,
            lead_user=cast.provider_a_contributor,
            due=DUE,
        )
    with caplog.at_level("WARNING", logger="actions.reminders"):
        run_on(DUE - timedelta(days=7))
    skipped = Reminder.objects.filter(
        recipient=cast.provider_a_contributor, state=ReminderState.SKIPPED
    ).count()
    assert skipped >= 2
    assert caplog.text.count("a.contributor not emailed") == 1


def test_a_weekly_digest_waits_for_monday_but_overdue_does_not(ladder, cast):
    cast.provider_a_contributor.digest_frequency = DigestFrequency.WEEKLY
    cast.provider_a_contributor.save()
    wednesday = date(2027, 3, 3)  # 28 days before the due date
    assert wednesday.weekday() == 2
    assert run_on(wednesday) == {}
    assert Reminder.objects.get(rung=Rung.DUE_30).state == ReminderState.PENDING
    sent = run_on(date(2027, 3, 8))  # Monday
    assert set(sent) == {"a.contributor"}
    sent = run_on(DUE + timedelta(days=1))  # a Thursday: overdue is sent anyway
    assert "a.contributor" in sent


def test_a_crash_between_claim_and_send_is_recovered_by_the_next_run(ladder, settings):
    day = DUE + timedelta(days=1)
    with at(day):
        reminders.reminders_scan()
        Reminder.objects.update(
            state=ReminderState.CLAIMED,
            claim_token="dead-run",
            claimed_at=timezone.now()
            - timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS + 1),
        )
    sent = run_on(day)
    assert set(sent) == {"a.contributor", "commissioner", "commissioner2"}
    assert not Reminder.objects.exclude(state=ReminderState.SENT).exists()


def test_a_claim_within_its_lease_is_left_to_the_run_that_holds_it(ladder, settings):
    """Without the run lock (SQLite) the lease is all there is: a live run renews it."""
    day = DUE + timedelta(days=1)
    with at(day):
        reminders.reminders_scan()
        Reminder.objects.update(
            state=ReminderState.CLAIMED, claim_token="other-run", claimed_at=timezone.now()
        )
    mail.outbox.clear()
    with at(day, timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS - 1)):
        assert reminders.reminders_send(sole_run=False)["digests"] == 0
    with at(day, timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS + 1)):
        assert reminders.reminders_send(sole_run=False)["digests"] == 3
    assert len(mail.outbox) == 3


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the run lock is PostgreSQL's")
def test_the_run_holding_the_lock_recovers_a_dead_runs_claims_at_once(ladder):
    """A run that holds the lock is the only live run: claims it finds, however recent,
    belong to a run that died (its lock went with its connection)."""
    day = DUE + timedelta(days=1)
    with at(day):
        reminders.reminders_scan()
        Reminder.objects.update(
            state=ReminderState.CLAIMED, claim_token="dead-run", claimed_at=timezone.now()
        )
    sent = run_on(day, timedelta(seconds=5))
    assert set(sent) == {"a.contributor", "commissioner", "commissioner2"}


def test_a_failed_send_is_kept_and_retried(ladder, monkeypatch):
    day = DUE + timedelta(days=1)

    def broken(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    assert run_on(day) == {}
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.PENDING}
    reminder = Reminder.objects.first()
    assert reminder is not None
    assert "SMTP server down" in reminder.last_error
    monkeypatch.undo()
    # Not before the backoff has passed; then sent.
    assert run_on(day, timedelta(minutes=4)) == {}
    sent = run_on(day, timedelta(minutes=5))
    assert set(sent) == {"a.contributor", "commissioner", "commissioner2"}


def test_restricted_actions_go_only_to_the_people_named(cast):
    cast.commissioner.email = "c@example.nhs.uk"
    cast.commissioner.save()
    cast.other_commissioner.email = "o@example.nhs.uk"
    cast.other_commissioner.save()
    forum = factories.forum(organisation=cast.icb)
    action = cast.restricted_action_a
    action.due_date, action.monitoring_forum = DUE, forum
    action.save()
    run_on(DUE + timedelta(days=1))
    # commissioner2 hears of the review's open actions, never of the restricted one.
    to_other = [m.body for m in mail.outbox if "o@" in m.to[0]]
    assert not any(cast.restricted_review.reference in body for body in to_other)
    recipients = set(
        Reminder.objects.filter(action=action).values_list("recipient__username", flat=True)
    )
    assert "commissioner" in recipients
    assert "commissioner2" not in recipients


def test_call_for_papers_lists_actions_not_updated_since_the_last_meeting(ladder, cast):
    from governance.models import Meeting

    forum = ladder.monitoring_forum
    Meeting.objects.create(forum=forum, held_on=date(2027, 1, 10))
    upcoming = Meeting.objects.create(forum=forum, held_on=date(2027, 3, 25))
    ladder.due_date = date(2027, 9, 30)
    ladder.save()
    from actions.models import Action

    Action.objects.filter(pk=ladder.pk).update(
        updated_at=timezone.make_aware(datetime(2026, 12, 1))
    )
    deadline = upcoming.paper_deadline  # 21 days before: 4 March
    sent = run_on(deadline - timedelta(days=7))
    assert set(sent) == {"a.lead"}
    subject, body = sent["a.lead"]
    assert "1 call for papers" in subject
    assert forum.name in body and f"/actions/{ladder.pk}/" in body
    assert run_on(deadline - timedelta(days=6)) == {}


def test_the_notifications_page_shows_reminders_and_the_unread_count(ladder, client, cast):
    run_on(DUE + timedelta(days=1))
    client.force_login(cast.provider_a_contributor)
    page = client.get(reverse("home")).content.decode()
    assert 'id="notifications-link"' in page and "1<span" in page
    page = client.get(reverse("notifications")).content.decode()
    assert "Due date passed" in page and f"/actions/{ladder.pk}/" in page
    client.post(reverse("notifications_read"))
    page = client.get(reverse("home")).content.decode()
    assert "unread</span>" not in page
    response = client.post(reverse("notification_preferences"), {"digest_frequency": "weekly"})
    assert response.status_code == 302
    cast.provider_a_contributor.refresh_from_db()
    assert cast.provider_a_contributor.digest_frequency == DigestFrequency.WEEKLY


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="concurrency needs PostgreSQL")
def test_two_runs_at_once_send_each_reminder_once(ladder):
    day = DUE + timedelta(days=45)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            with at(day):
                reminders.reminders_run()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    mail.outbox.clear()
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == 5
    assert Reminder.objects.filter(state=ReminderState.SENT).count() == Reminder.objects.count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="advisory locks are PostgreSQL's")
def test_a_run_that_finds_another_one_going_stands_down(ladder):
    """Otherwise two runs at once could split one person's reminders over two digests."""
    mail.outbox.clear()
    with run_lock_held_elsewhere(), at(DUE + timedelta(days=45)):
        assert reminders.reminders_run() == {"stood_down": 1}
    assert mail.outbox == [] and not Reminder.objects.exists()
    with at(DUE + timedelta(days=45)):
        assert reminders.reminders_run()["digests"] == 5
