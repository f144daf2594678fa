"""Action statuses (DESIGN §3) with their colours, and the evidence review states.

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


STATUS_STYLE: dict[str, StatusStyle] = {
    Status.NOT_STARTED: StatusStyle("grey", "nhsuk-tag--grey", "#D8DDE0", "#212B32", "dots"),
    Status.ON_TRACK: StatusStyle("green", "nhsuk-tag--green", "#CCE2D8", "#005A30", "none"),
    Status.AT_RISK: StatusStyle("amber", "nhsuk-tag--orange", "#FFDC8E", "#4D3B00", "diagonal"),
    Status.OFF_TRACK: StatusStyle("red", "nhsuk-tag--red", "#F4CDC6", "#6B140E", "cross"),
    Status.COMPLETED: StatusStyle(
        "blue outline", "nhsuk-tag--white app-tag--outline-blue", "#FFFFFF", "#005EB8", "vertical"
    ),
    Status.ASSURED: StatusStyle("blue", "nhsuk-tag--blue", "#005EB8", "#FFFFFF", "none"),
    Status.CLOSED: StatusStyle(
        "grey, struck", "nhsuk-tag--grey app-tag--struck", "#AEB7BD", "#212B32", "horizontal"
    ),
}


class Band(models.TextChoices):
    """The five committee bands that summaries report (DESIGN §3)."""

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
