from __future__ import annotations

from django.db import models


class ForumKind(models.TextChoices):
    SAG = "SAG", "Safeguarding Assurance Group"
    CQRG = "CQRG", "Contract Quality Review Group"
    QSC = "QSC", "Quality and Safety Committee"
    BOARD = "BOARD", "Governing Body / Board"
    OTHER = "OTHER", "Other"


class Cadence(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    BIMONTHLY = "bimonthly", "Every two months"
    QUARTERLY = "quarterly", "Quarterly"
    OTHER = "other", "Other"


class PaperState(models.TextChoices):
    DRAFT = "draft", "Draft"
    # Issue requested: the PDF is being rendered from the frozen snapshot.
    ISSUING = "issuing", "Being issued"
    ISSUED = "issued", "Issued"


class BuildState(models.TextChoices):
    """Where the paper's PDF is in its (Celery) build."""

    NONE = "none", "Not built"
    QUEUED = "queued", "Waiting to start"
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


# The "Committee is asked to" verbs (docs/papers.md), offered as the start of each ask.
ASK_VERBS = ("receive", "review", "approve", "note")

DEFAULT_ASKS = [
    "Receive this report for assurance on the progress of the action plans it monitors.",
    "Note the actions that are off track or overdue, and the mitigation described.",
    "Approve the extension requests and closures listed for decision.",
    "Review the evidence awaiting assurance and the actions due in the next period.",
]


DEFAULT_CLASSIFICATION = "OFFICIAL-SENSITIVE"
# The marking of every Excel export: the papers' vocabulary, fixed here rather than
# chosen per file, since an export holds the same detail as a paper's annex.
EXPORT_CLASSIFICATION = DEFAULT_CLASSIFICATION


class AssuranceLevel(models.TextChoices):
    """The level of assurance a paper offers the committee, chosen by its author: the
    scale NHS boards and internal audit use."""

    SUBSTANTIAL = "substantial", "Substantial"
    REASONABLE = "reasonable", "Reasonable"
    LIMITED = "limited", "Limited"
    NO = "no", "No assurance"


ASSURANCE_MEANING: dict[str, str] = {
    AssuranceLevel.SUBSTANTIAL: "The action plans are working as intended; any gaps are minor.",
    AssuranceLevel.REASONABLE: "Generally working, with some gaps that are being addressed.",
    AssuranceLevel.LIMITED: "Significant gaps: the committee should expect further reporting.",
    AssuranceLevel.NO: "The plans are not delivering; immediate action is needed.",
}
