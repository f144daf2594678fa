"""The reminder run against real mail servers that misbehave: one that hangs, one that
refuses some addresses for good (5xx) or for now (4xx). Each test counts what was
expected against what the server received: nothing lost, nothing sent twice, nothing
left claimed, and nobody's digest held up by somebody else's."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from actions import reminders, services
from actions.choices import ReminderState, Rung, Status
from actions.models import Reminder
from tests import factories
from tests.actions.ladder import DUE, at, run_lock_held_elsewhere, run_on
from tests.mail_servers import HangingServer, RecordingHandler, RecordingServer

pytestmark = pytest.mark.django_db

OVERDUE_DAY = DUE + timedelta(days=1)  # the lead and both commissioners are told


@pytest.fixture
def smtp(settings):
    """Points Django's SMTP backend at a server the test starts."""

    def use(port: int) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 1

    return use


def states() -> dict[str, int]:
    return {
        state: Reminder.objects.filter(state=state).count()
        for state in ReminderState.values
        if Reminder.objects.filter(state=state).exists()
    }


# --- 1. a mail server that accepts the connection and never answers ------------------


@pytest.mark.django_db(transaction=True)  # the run is in a thread, on its own connection
def test_it_gives_up_on_a_mail_server_that_never_answers_and_leaves_nothing_claimed(ladder, smtp):
    outcome: dict = {}

    def run() -> None:
        try:
            with at(OVERDUE_DAY):
                outcome["result"] = reminders.reminders_run()
        finally:
            connection.close()

    with HangingServer() as server:
        smtp(server.port)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(timeout=30)
        finished = not thread.is_alive()
    assert finished, "the run was still waiting on the silent mail server"
    result = outcome["result"]
    assert result["mail_server_down"] == 1 and result["digests"] == 0
    assert result["deferred"] == 3  # every reminder put back, unclaimed
    # Nothing is counted against the people: the server was at fault.
    assert states() == {ReminderState.PENDING: 3}
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {0}


def test_the_reminders_go_out_once_the_mail_server_answers_again(ladder, smtp):
    with HangingServer() as server:
        smtp(server.port)
        with (
            pytest.raises(CommandError, match="mail server could not be reached"),
            at(OVERDUE_DAY),
        ):
            call_command("send_reminders")
    with RecordingServer(RecordingHandler()) as server:
        smtp(server.port)
        run_on(OVERDUE_DAY, timedelta(minutes=1))
        delivered = server.handler.delivered_to()
    assert sorted(delivered.values()) == [1, 1, 1]  # 3 expected, 3 delivered, no duplicate
    assert states() == {ReminderState.SENT: 3}


def test_a_run_stops_starting_digests_at_its_time_limit_and_leaves_the_rest_unclaimed(
    ladder, smtp, settings
):
    settings.REMINDER_RUN_MAX_SECONDS = 0.5
    with RecordingServer(RecordingHandler(delay=0.4)) as server:
        smtp(server.port)
        with at(OVERDUE_DAY):
            result = reminders.reminders_run()
        assert result["cut_short"] == 1
        assert 1 <= result["digests"] < 3 and result["deferred"] == 3 - result["digests"]
        assert ReminderState.CLAIMED not in states()
        run_on(OVERDUE_DAY, timedelta(minutes=1))  # the next run sends the rest
        delivered = server.handler.delivered_to()
    assert len(delivered) == 3 and set(delivered.values()) == {1}


# --- 2. refused for good (5xx) and for now (4xx) ------------------------------------


@pytest.fixture
def refusing_server(ladder, cast, smtp):
    """The lead's address is refused for good, the first commissioner's for now; the
    second commissioner's is fine."""
    cast.provider_a_contributor.email = "refused@example.nhs.uk"
    cast.provider_a_contributor.save()
    cast.commissioner.email = "busy@example.nhs.uk"
    cast.commissioner.save()
    handler = RecordingHandler(
        replies={"refused": "550 5.1.1 No such mailbox", "busy": "451 4.2.1 Mailbox busy"}
    )
    with RecordingServer(handler) as server:
        smtp(server.port)
        yield handler


def test_a_refused_address_is_marked_failed_at_once_and_never_retried(
    refusing_server, cast, settings
):
    run_on(OVERDUE_DAY)
    assert refusing_server.delivered_to() == {"commissioner2@example.nhs.uk": 1}
    lead_row = Reminder.objects.get(recipient=cast.provider_a_contributor)
    assert lead_row.state == ReminderState.FAILED
    assert "550" in lead_row.last_error and lead_row.attempts == 1
    # A day of runs, one a minute: the refused address is never tried again.
    for minute in range(0, 24 * 60, 37):
        run_on(OVERDUE_DAY, timedelta(minutes=minute))
    assert refusing_server.rcpt_attempts["refused@example.nhs.uk"] == 1
    assert Reminder.objects.get(recipient=cast.provider_a_contributor).attempts == 1


def test_a_temporary_refusal_is_retried_with_backoff_up_to_the_cap(refusing_server, cast, settings):
    run_on(OVERDUE_DAY)
    row = Reminder.objects.get(recipient=cast.commissioner)
    assert row.state == ReminderState.PENDING and row.attempts == 1 and "451" in row.last_error
    # Backoff: not again within 5 minutes, then after 5, 10, 20, 40 ... minutes.
    run_on(OVERDUE_DAY, timedelta(minutes=4))
    assert refusing_server.rcpt_attempts["busy@example.nhs.uk"] == 1
    # Attempts 2 to 6 fall at 5, 15, 35, 75 and 155 minutes; then nothing, ever.
    for minute in [*range(5, 200, 5), 6 * 60, 24 * 60, 7 * 24 * 60]:
        run_on(OVERDUE_DAY, timedelta(minutes=minute))
    cap = settings.REMINDER_MAX_ATTEMPTS
    assert refusing_server.rcpt_attempts["busy@example.nhs.uk"] == cap
    row.refresh_from_db()
    assert row.state == ReminderState.FAILED and row.attempts == cap
    # Meanwhile the others were told once each, and nobody else was held up.
    assert refusing_server.delivered_to() == {"commissioner2@example.nhs.uk": 1}


def test_a_failed_address_holds_up_nobody_else_on_later_days(refusing_server, cast):
    run_on(OVERDUE_DAY)
    sent_before = len(refusing_server.messages)
    run_on(DUE + timedelta(days=14))  # the provider's lead is told of the escalation
    assert len(refusing_server.messages) == sent_before + 1
    assert refusing_server.delivered_to()["a.lead@example.nhs.uk"] == 1


def test_send_reminders_exits_non_zero_when_a_digest_failed(refusing_server, capsys):
    with at(OVERDUE_DAY), pytest.raises(CommandError, match="2 digests could not be sent"):
        call_command("send_reminders")
    out = capsys.readouterr().out
    assert "1 digests sent, 2 failed (1 reminders could not be delivered" in out


# --- 3. a reminder that is no longer true by the time it is sent ---------------------


@pytest.fixture
def weekly_lead(ladder, cast):
    from accounts.choices import DigestFrequency

    cast.provider_a_contributor.digest_frequency = DigestFrequency.WEEKLY
    cast.provider_a_contributor.save()
    wednesday = DUE - timedelta(days=28)
    assert wednesday.weekday() == 2
    assert run_on(wednesday) == {}  # written, waiting for Monday
    assert Reminder.objects.get().rung == Rung.DUE_30
    return wednesday + timedelta(days=5)  # the Monday


def test_a_weekly_digest_leaves_out_an_action_finished_since_the_reminder_was_written(
    weekly_lead, ladder, cast
):
    factories.evidence(on=ladder, by=cast.provider_a_lead)
    services.action_set_status(
        action=ladder,
        by=cast.provider_a_lead,
        status=Status.COMPLETED,
        note="Training delivered.",
        expected_version=ladder.version,
    )
    sent = run_on(weekly_lead)
    assert "a.contributor" not in sent  # (the commissioners hear of the evidence)
    assert not Reminder.objects.filter(rung=Rung.DUE_30).exists()  # withdrawn


def test_a_weekly_digest_leaves_out_a_reminder_for_a_due_date_since_extended(
    weekly_lead, ladder, cast
):
    ladder.revised_due_date = DUE + timedelta(days=90)
    ladder.save()
    assert run_on(weekly_lead) == {}


def test_a_weekly_digest_goes_to_the_new_lead_only_after_a_reassignment(weekly_lead, ladder, cast):
    ladder.lead_user = cast.provider_a_lead
    ladder.save()
    sent = run_on(weekly_lead)
    assert set(sent) == {"a.lead"}  # the new lead (daily) is told; the old lead is not


def test_a_still_true_weekly_reminder_is_sent_on_monday(weekly_lead):
    sent = run_on(weekly_lead)
    assert set(sent) == {"a.contributor"} and "1 due soon" in sent["a.contributor"][0]


# --- 4. a named lead who has left --------------------------------------------------


def test_a_named_lead_who_has_left_is_replaced_by_the_providers_leads(ladder, cast):
    cast.provider_a_contributor.is_active = False
    cast.provider_a_contributor.save()
    for days_before in (30, 14, 7):
        sent = run_on(DUE - timedelta(days=days_before))
        assert set(sent) == {"a.lead"}, days_before
    assert not Reminder.objects.filter(recipient=cast.provider_a_contributor).exists()


# --- 6. what the command says ------------------------------------------------------


def test_send_reminders_says_what_it_did(ladder, capsys):
    with at(OVERDUE_DAY):
        call_command("send_reminders")
    out = capsys.readouterr().out
    assert out.startswith("Reminder run: 3 new reminders; 3 digests sent, 0 failed")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="the run lock is PostgreSQL's")
def test_send_reminders_says_when_it_stood_down(ladder, capsys):
    with run_lock_held_elsewhere(), at(OVERDUE_DAY):
        call_command("send_reminders")
    assert "stood down and sent nothing" in capsys.readouterr().out
    assert not Reminder.objects.exists()


# --- 2. shown in the app, and sent again once put right ----------------------------


def test_undelivered_reminders_are_shown_to_the_safeguarding_team_and_sent_again(
    refusing_server, cast, client
):
    from django.urls import reverse

    run_on(OVERDUE_DAY)
    client.force_login(cast.commissioner)
    dashboard = client.get(reverse("home")).content.decode()
    assert 'id="undelivered-warning"' in dashboard
    assert "1 reminder email could not be delivered" in dashboard
    page = client.get(reverse("undelivered_reminders")).content.decode()
    assert "refused@example.nhs.uk" in page and "550 5.1.1 No such mailbox" in page
    assert f"/actions/{cast.action_a.pk}/" in page
    for person in (cast.provider_a_lead, cast.secretary, cast.viewer):
        client.force_login(person)
        assert client.get(reverse("undelivered_reminders")).status_code == 403
        assert client.post(reverse("undelivered_reminders_retry")).status_code == 403
    # The address is corrected; the commissioner sends the reminder again.
    cast.provider_a_contributor.email = "a.contributor@example.nhs.uk"
    cast.provider_a_contributor.save()
    client.force_login(cast.commissioner)
    row = Reminder.objects.get(state=ReminderState.FAILED)
    response = client.post(reverse("undelivered_reminders_retry"), {"reminder": row.pk})
    assert response.status_code == 302
    run_on(OVERDUE_DAY, timedelta(minutes=1))
    assert refusing_server.delivered_to()["a.contributor@example.nhs.uk"] == 1
    assert "undelivered-warning" not in client.get(reverse("home")).content.decode()


def test_undelivered_reminders_of_a_restricted_review_are_shown_only_to_those_named(cast):
    from actions.selectors import undelivered_reminders_for

    Reminder.objects.create(
        recipient=cast.provider_a_lead,
        rung=Rung.OVERDUE,
        subject_key=f"action:{cast.restricted_action_a.pk}",
        key_date=DUE,
        action=cast.restricted_action_a,
        state=ReminderState.FAILED,
    )
    assert undelivered_reminders_for(cast.commissioner).count() == 1  # named on the review
    assert undelivered_reminders_for(cast.other_commissioner).count() == 0
    assert undelivered_reminders_for(cast.admin).count() == 1
