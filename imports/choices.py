"""What a column of an imported plan can hold, and where an import has got to."""

from __future__ import annotations

from django.db import models


class Field(models.TextChoices):
    """The tracker field a spreadsheet column is read into. IGNORE keeps the column
    out of the import (a narrative "Response" column, say)."""

    IGNORE = "ignore", "Do not import"
    REVIEW_REFERENCE = "review_reference", "Review reference"
    REVIEW_TYPE = "review_type", "Review type"
    REVIEW_TITLE = "review_title", "Review title"
    REC_NUMBER = "rec_number", "Recommendation number"
    REC_TEXT = "rec_text", "Recommendation"
    GROUP = "group", "Workstream, objective, priority or theme (instead of recommendations)"
    GROUPED_BY = "grouped_by", "Grouped by (Recommendation, Workstream ...)"
    TRACKER_ID = "tracker_id", "Tracker id (the action as exported)"
    ACTION_NUMBER = "action_number", "Action number"
    ACTION = "action", "Action"
    OWNER = "owner", "Owner organisation"
    LEAD = "lead", "Lead"
    TIME_FRAME = "time_frame", "Time frame (as written)"
    DUE_DATE = "due_date", "Due date"
    REVISED_DUE_DATE = "revised_due_date", "Revised due date"
    STATUS = "status", "Status or RAG"
    UPDATE = "update", "Latest update"
    EVIDENCE = "evidence", "Evidence (as written)"
    EVIDENCE_COUNT = "evidence_count", "Evidence count (checked, not imported)"
    EXPECTED_OUTCOME = "expected_outcome", "Expected outcome"
    EVIDENCE_REQUIRED = "evidence_required", "Evidence required"


# Fields that describe the review or recommendation a row belongs to. A blank cell in
# one of these carries the value of the row above (plans leave them blank, or merge
# them, for every action after the first).
CARRIED_DOWN = (
    Field.REVIEW_REFERENCE,
    Field.REVIEW_TYPE,
    Field.REVIEW_TITLE,
    Field.GROUPED_BY,
)

# What a plan with neither recommendations nor a grouping column calls its one group.
WHOLE_PLAN = "Whole plan"


class ImportState(models.TextChoices):
    DRAFT = "draft", "Not imported yet"
    COMMITTED = "committed", "Imported"


class ReviewSource(models.TextChoices):
    """Which review the rows' recommendations and actions go into."""

    COLUMN = "column", "The review named in each row (Review reference column)"
    EXISTING = "existing", "A review already in the tracker"
    NEW = "new", "A new review"


# What an unknown organisation name may be resolved to, besides an existing one.
CREATE_ORGANISATION = "new"
