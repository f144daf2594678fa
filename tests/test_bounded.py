"""The bounded child process that evidence checks run in: whatever the function does,
the caller gets its result, its refusal, or BoundExceeded, and keeps its own memory."""

from __future__ import annotations

import os
import resource
import signal
import time

import pytest
from django.core.exceptions import ValidationError

from trackerapp.bounded import BoundExceeded, run_bounded

BOUNDS = {"memory_bytes": 64 * 1024 * 1024, "cpu_seconds": 2, "wall_seconds": 5}


def add(a: int, b: int) -> int:
    return a + b


def refuse() -> None:
    raise ValidationError("report.pdf: is a PDF that contains JavaScript.", code="refused")


def hog_memory() -> bytes:
    return b"x" * (1024 * 1024 * 1024)


def spin() -> None:
    while True:
        pass


def sleep_long() -> None:
    time.sleep(30)


def crash() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def fail() -> None:
    raise KeyError("a bug in a checker")


def test_it_returns_the_result():
    assert run_bounded(add, 2, 3, **BOUNDS) == 5


def test_it_passes_a_refusal_back_with_its_message_and_code():
    with pytest.raises(ValidationError) as refused:
        run_bounded(refuse, **BOUNDS)
    assert refused.value.messages == ["report.pdf: is a PDF that contains JavaScript."]
    assert refused.value.error_list[0].code == "refused"


def test_it_stops_a_function_that_wants_more_memory_without_growing_the_caller():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(BoundExceeded) as exceeded:
        run_bounded(hog_memory, **BOUNDS)
    assert exceeded.value.reason == "memory"
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 100 * 1024  # the gigabyte was never allocated here


def test_it_stops_a_function_that_spins_past_its_cpu_time():
    with pytest.raises(BoundExceeded) as exceeded:
        run_bounded(spin, memory_bytes=BOUNDS["memory_bytes"], cpu_seconds=1, wall_seconds=20)
    assert exceeded.value.reason == "time"


def test_it_stops_waiting_at_the_wall_clock_bound():
    with pytest.raises(BoundExceeded) as exceeded:
        run_bounded(
            sleep_long, memory_bytes=BOUNDS["memory_bytes"], cpu_seconds=2, wall_seconds=0.5
        )
    assert exceeded.value.reason == "time"


def test_it_reports_a_child_that_died():
    with pytest.raises(BoundExceeded) as exceeded:
        run_bounded(crash, **BOUNDS)
    assert exceeded.value.reason == "crashed"


def test_it_turns_any_other_error_into_a_runtime_error():
    with pytest.raises(RuntimeError, match="KeyError"):
        run_bounded(fail, **BOUNDS)


@pytest.mark.django_db
def test_an_upload_whose_check_runs_out_of_memory_is_refused_and_not_stored(
    client, cast, monkeypatch, settings
):
    from django.urls import reverse

    from actions.models import Evidence

    settings.EVIDENCE_CHECK_MEMORY_BYTES = 64 * 1024 * 1024
    monkeypatch.setattr(
        "actions.evidence_files._check_text", lambda data, name, extension: hog_memory()
    )
    client.force_login(cast.provider_a_lead)
    before = Evidence.objects.count()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("actions:evidence_upload", args=[cast.action_a.pk]),
        {
            "description": "Audit notes",
            "files": SimpleUploadedFile("notes.txt", b"Audit of routine enquiry.\n"),
        },
    )
    assert response.status_code == 422
    assert "could not be checked within the memory and time allowed" in response.content.decode()
    assert Evidence.objects.count() == before
