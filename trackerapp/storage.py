"""Private file storage for evidence, issued papers and imported plans.

Files here are never reachable by URL: only views that check access stream them
(trackerapp.downloads). Where they live is the `private` entry of settings.STORAGES: a
local folder by default (PRIVATE_STORAGE_ROOT), or an S3 bucket when STORAGE_S3_BUCKET
is set, which several web nodes and workers can share.
"""

from __future__ import annotations

import os
import uuid
from pathlib import PurePosixPath
from typing import cast

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileSystemStorage(FileSystemStorage):
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


class _ConfiguredPrivateStorage(LazyObject):
    """The `private` storage, looked up when first used. Model fields take it at import
    time, so it must follow a change of STORAGES (tests switch to S3) rather than keep
    the backend that was configured first."""

    _wrapped: Storage | object  # or `empty` until first used

    def _setup(self) -> None:
        self._wrapped = storages["private"]


_private_storage = _ConfiguredPrivateStorage()


@receiver(setting_changed)
def _storages_changed(*, setting: str, **_kwargs: object) -> None:
    if setting == "STORAGES":
        _private_storage._wrapped = empty


def private_storage() -> Storage:
    # The lazy object stands in for the storage it wraps.
    return cast(Storage, _private_storage)


def random_evidence_name(_instance: object, filename: str) -> str:
    """The stored name is random; the person's filename is kept only as display text."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


def random_paper_name(_instance: object, filename: str) -> str:
    return f"papers/{uuid.uuid4().hex}.pdf"
