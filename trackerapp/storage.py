"""Private file storage for evidence and issued papers.

Files here are never reachable by URL: only views that check access stream them.
"""

from __future__ import annotations

import os
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Reads PRIVATE_STORAGE_ROOT on every use rather than once at start-up, so the
    folder can be changed by configuration (and by tests) without a stale copy."""

    @property
    def base_location(self):
        return settings.PRIVATE_STORAGE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


def random_evidence_name(_instance: object, filename: str) -> str:
    """The stored name is random; the person's filename is kept only as display text."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


def random_paper_name(_instance: object, filename: str) -> str:
    return f"papers/{uuid.uuid4().hex}.pdf"
