"""Private file storage for evidence and issued papers.

Files here are never reachable by URL: only views that check access stream them.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.PRIVATE_STORAGE_ROOT, base_url=None)


def random_evidence_name(_instance: object, filename: str) -> str:
    """The stored name is random; the person's filename is kept only as display text."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


def random_paper_name(_instance: object, filename: str) -> str:
    return f"papers/{uuid.uuid4().hex}.pdf"
