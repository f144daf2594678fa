"""The API against its own OpenAPI schema, property-based (schemathesis), in-process
through the WSGI application with a read-write token: no answer is a 5xx, and every
answer's status, content type and body are as the schema says.

Bounded for CI: for each operation, MAX_EXAMPLES cases aimed at a real object (the ids in
the path are ones the token's owner sees), as many with ids generated freely, and as
many with data that breaks the schema (which must never be a 5xx). Run with -s for the
count and time."""

from __future__ import annotations

import time
import typing

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from actions.models import ProgressUpdate
from governance.choices import PaperState
from tests import factories
from tests.api.conftest import token_for

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_process():
    """Requests through the WSGI application inside the test's transaction: as Django's
    test client does, the connection is not closed at the end of each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def bounded(strategy, body):
    """`body` run for MAX_EXAMPLES cases of `strategy`, the same cases every run."""

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        body(case)

    return run


def test_the_api_keeps_to_its_schema(cast, in_process, settings):
    settings.API_THROTTLE_RATE = "1000000/minute"
    from trackerapp.wsgi import application

    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    meeting = factories.meeting(forum=forum)
    paper = factories.paper(meeting=meeting, by=cast.secretary, built=True)
    paper.state = PaperState.ISSUED
    paper.save()
    update = ProgressUpdate.objects.create(
        action=cast.action_a, author=cast.provider_a_lead, text="Begun.", status="on_track"
    )
    real_ids = {
        "/api/v1/reviews/": cast.review.pk,
        "/api/v1/recommendations/": cast.recommendation.pk,
        "/api/v1/actions/": cast.action_a.pk,
        "/api/v1/progress-updates/": update.pk,
        "/api/v1/evidence/": cast.evidence_a.pk,
        "/api/v1/forums/": forum.pk,
        "/api/v1/meetings/": meeting.pk,
        "/api/v1/papers/": paper.pk,
    }
    headers = {"Authorization": f"Bearer {token_for(cast.commissioner)}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=headers
    )
    started = time.monotonic()
    cases, failures, operations = 0, [], 0

    def call(case, checks):
        nonlocal cases
        cases += 1
        case.call_and_validate(headers=headers, checks=checks)

    for result in schema.get_all_operations():
        # Ok for every operation: the schema is validated by `spectacular --validate`;
        # an Err would raise here, failing the test.
        operation = typing.cast(typing.Any, result).ok()
        operations += 1
        real = next(
            (pk for prefix, pk in real_ids.items() if operation.path.startswith(prefix)), None
        )
        runs = [
            (
                "real ids",
                GenerationMode.POSITIVE,
                {"id": str(real)} if real and "{id}" in operation.path else None,
            )
        ]
        runs += [
            ("any ids", GenerationMode.POSITIVE, None),
            ("broken data", GenerationMode.NEGATIVE, None),
        ]
        for label, mode, path_parameters in runs:
            checks = CONFORMANCE if mode is GenerationMode.POSITIVE else [not_a_server_error]
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            run = bounded(strategy, lambda case, checks=checks: call(case, checks))
            try:
                run()
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - all tried, then reported
                failures.append(f"{operation.method.upper()} {operation.path} ({label}): {error}")
    seconds = time.monotonic() - started
    print(
        f"\nschemathesis: {cases} cases over {operations} operations in {seconds:.0f} s, "
        f"{len(failures)} failures"
    )
    assert operations >= 19
    assert not failures, "\n\n".join(failures)
