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
    ISSUED = "issued", "Issued"


DEFAULT_CLASSIFICATION = "OFFICIAL-SENSITIVE"
