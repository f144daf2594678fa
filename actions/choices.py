"""Action statuses (docs/domain.md) with their colours, and the evidence review states.

Every place that draws a status (tags, charts, Excel fills, papers) takes its colour
from STATUS_STYLE, so the scale looks the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETED = "completed", "Completed"
    ASSURED = "assured", "Assured"
    CLOSED = "closed", "Closed"


# What each status means, in the words of docs/domain.md: for keys, legends and glossaries.
STATUS_MEANING: dict[str, str] = {
    Status.NOT_STARTED: "Work has not begun.",
    Status.ON_TRACK: "Working towards the action, on track to meet its time scale.",
    Status.AT_RISK: "Further work required, or missed the date with only minor tasks outstanding.",
    Status.OFF_TRACK: "Not completed within the time scale, significant progress still required.",
    Status.COMPLETED: "The owner says it is done; evidence submitted, awaiting assurance.",
    Status.ASSURED: "The commissioner has accepted the evidence and signed it off.",
    Status.CLOSED: "Closed without completion (superseded, withdrawn), with a rationale.",
}

# Providers move their own actions along; only commissioners assure or close
# (docs/access.md).
PROVIDER_SETTABLE_STATUSES = frozenset(
    {Status.NOT_STARTED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.COMPLETED}
)
COMMISSIONER_ONLY_STATUSES = frozenset({Status.ASSURED, Status.CLOSED})

# Finished actions are never overdue and get no reminders.
FINISHED_STATUSES = frozenset({Status.COMPLETED, Status.ASSURED, Status.CLOSED})
# Headline "% completed or on track" counts these over all actions in scope.
HEADLINE_STATUSES = frozenset({Status.COMPLETED, Status.ASSURED, Status.ON_TRACK})


@dataclass(frozen=True)
class StatusStyle:
    colour: str  # the word used in the brief and in legends
    tag_class: str  # NHS.UK frontend tag modifier (plus our own for outline/struck)
    fill: str  # background, for SVG charts and Excel cells
    text: str  # foreground that meets contrast on `fill`
    pattern: str  # SVG pattern id, so charts read without colour
    # The full-strength colour for a thin line or a small block (an action's rule in a
    # paper, a segment of the bands bar), where the pale fill would not show on white.
    accent: str


# static/css/paper.css and app.css repeat these colours: tests/governance/
# test_paper_colours.py holds them to this table.
STATUS_STYLE: dict[str, StatusStyle] = {
    Status.NOT_STARTED: StatusStyle(
        "grey", "nhsuk-tag--grey", "#D8DDE0", "#212B32", "dots", "#AEB7BD"
    ),
    Status.ON_TRACK: StatusStyle(
        "green", "nhsuk-tag--green", "#CCE2D8", "#005A30", "none", "#007F3B"
    ),
    Status.AT_RISK: StatusStyle(
        "amber", "nhsuk-tag--orange", "#FFDC8E", "#4D3B00", "diagonal", "#FFB81C"
    ),
    Status.OFF_TRACK: StatusStyle(
        "red", "nhsuk-tag--red", "#F4CDC6", "#6B140E", "cross", "#D5281B"
    ),
    Status.COMPLETED: StatusStyle(
        "blue outline",
        "nhsuk-tag--white app-tag--outline-blue",
        "#FFFFFF",
        "#005EB8",
        "vertical",
        "#005EB8",
    ),
    Status.ASSURED: StatusStyle("blue", "nhsuk-tag--blue", "#005EB8", "#FFFFFF", "none", "#005EB8"),
    Status.CLOSED: StatusStyle(
        "grey, struck",
        "nhsuk-tag--grey app-tag--struck",
        "#AEB7BD",
        "#212B32",
        "horizontal",
        "#AEB7BD",
    ),
}


class Band(models.TextChoices):
    """The five committee bands that summaries report (docs/domain.md)."""

    COMPLETED = "completed", "Completed"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    CLOSED_OR_NOT_STARTED = "closed_or_not_started", "Closed or not started"


STATUS_BAND: dict[str, str] = {
    Status.COMPLETED: Band.COMPLETED,
    Status.ASSURED: Band.COMPLETED,
    Status.ON_TRACK: Band.ON_TRACK,
    Status.AT_RISK: Band.AT_RISK,
    Status.OFF_TRACK: Band.OFF_TRACK,
    Status.CLOSED: Band.CLOSED_OR_NOT_STARTED,
    Status.NOT_STARTED: Band.CLOSED_OR_NOT_STARTED,
}


class EvidenceReviewState(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ExtensionState(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class Rung(models.TextChoices):
    """The reminder ladder (docs/reminders.md), in the order a digest lists them."""

    OVERDUE_30 = "overdue_30", "Overdue 30 days: escalated to the monitoring forum"
    OVERDUE_14 = "overdue_14", "Overdue 14 days: escalated to the provider's lead"
    OVERDUE = "overdue", "Due date passed"
    DUE_7 = "due_7", "Due within 7 days"
    DUE_14 = "due_14", "Due within 14 days"
    DUE_30 = "due_30", "Due within 30 days"
    EVIDENCE_PENDING = "evidence_pending", "Evidence waiting for review"
    CALL_FOR_PAPERS = "call_for_papers", "Call for papers"
    # Notices: a decision told to the provider in the app, never emailed (NOTICE_RUNGS).
    EVIDENCE_ACCEPTED = "evidence_accepted", "Evidence accepted"
    EVIDENCE_REJECTED = "evidence_rejected", "Evidence rejected"
    EXTENSION_GRANTED = "extension_granted", "Extension granted"
    EXTENSION_REFUSED = "extension_refused", "Extension refused"


# Decisions the provider is told of in the app (actions.services): written with the
# decision, in its transaction, as reminders that are never emailed, so they share the
# inbox, its unread count and "mark as read".
NOTICE_RUNGS = frozenset(
    {Rung.EVIDENCE_ACCEPTED, Rung.EVIDENCE_REJECTED, Rung.EXTENSION_GRANTED, Rung.EXTENSION_REFUSED}
)

# Sent at once whatever the person's digest preference.
URGENT_RUNGS = frozenset({Rung.OVERDUE, Rung.OVERDUE_14, Rung.OVERDUE_30})

# Digest sections, in order: overdue first, then due soon, then evidence, then papers.
DIGEST_SECTIONS = (
    ("Overdue", (Rung.OVERDUE_30, Rung.OVERDUE_14, Rung.OVERDUE)),
    ("Due soon", (Rung.DUE_7, Rung.DUE_14, Rung.DUE_30)),
    ("Evidence to review", (Rung.EVIDENCE_PENDING,)),
    ("Call for papers", (Rung.CALL_FOR_PAPERS,)),
)


class ReminderState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    CLAIMED = "claimed", "Being sent"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not emailed"
    # Refused for good by the mail server (5xx), or still failing after the retry cap:
    # never tried again by itself, shown to administrators and commissioners.
    FAILED = "failed", "Could not be delivered"
