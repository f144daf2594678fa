from __future__ import annotations

from django.db import models


class ShareAccess(models.TextChoices):
    """What a partner organisation may do with a review shared with it (docs/access.md)."""

    READ = "read", "Read"
    CONTRIBUTE = "contribute", "Contribute as commissioner"


class PlanGrouping(models.TextChoices):
    """What a review's plan groups its actions under (docs/domain.md). A learning review
    makes recommendations; a strategy or programme plan has workstreams, objectives,
    priorities, themes or areas instead, and is shown and exported under that name. The
    groups are stored as the review's Recommendation rows either way."""

    RECOMMENDATION = "recommendation", "Recommendation"
    WORKSTREAM = "workstream", "Workstream"
    OBJECTIVE = "objective", "Objective"
    PRIORITY = "priority", "Priority"
    THEME = "theme", "Theme"
    AREA = "area", "Area"


# Plural headings for the review page and the paper ("Workstreams and actions").
GROUPING_PLURAL: dict[str, str] = {
    PlanGrouping.RECOMMENDATION: "Recommendations",
    PlanGrouping.WORKSTREAM: "Workstreams",
    PlanGrouping.OBJECTIVE: "Objectives",
    PlanGrouping.PRIORITY: "Priorities",
    PlanGrouping.THEME: "Themes",
    PlanGrouping.AREA: "Areas",
}


class Lifecycle(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    PUBLISHED = "published", "Published"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"


# The default list of review types (docs/domain.md). Administrators may add more.
# (code, name, accepts agency contributions, is an agency contribution)
DEFAULT_REVIEW_TYPES: tuple[tuple[str, str, bool, bool], ...] = (
    ("DHR", "Domestic Homicide Review", True, False),
    ("SAR", "Safeguarding Adults Review", True, False),
    ("SCR", "Serious Case Review", True, False),
    ("CSPR", "Child Safeguarding Practice Review", True, False),
    ("IMR", "Independent Management Review", False, True),
    ("LeDeR", "Learning from Lives and Deaths review", False, False),
    ("MHHR", "Mental health homicide independent investigation", False, False),
    ("CDR", "Child death review", False, False),
    ("QAR", "Independent quality-assurance review", False, False),
    ("PLAN", "Strategy or programme implementation plan", False, False),
)
