from __future__ import annotations

from django.db import models


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write (progress updates and status changes)"


# How long a new token lasts, in days, as offered on the form; the longest is a year so
# that a forgotten token does not live for ever.
EXPIRY_CHOICES = [(30, "30 days"), (90, "90 days"), (180, "6 months"), (365, "1 year")]
