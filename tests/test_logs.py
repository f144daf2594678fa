"""Logs: JSON lines with a request id and user id, and no traceback for 403 or 404."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from django.urls import reverse


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The project's LOGGING, as LOG_FORMAT=json configures it, written to a buffer."""
    config = json.loads(json.dumps(django_settings.LOGGING))
    config["handlers"]["console"]["formatter"] = "json"
    logging.config.dictConfig(config)
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    handler.setStream(buffer)
    yield buffer
    logging.config.dictConfig(django_settings.LOGGING)


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_it_logs_a_404_as_one_json_line_without_a_traceback(client, cast, json_log):
    client.force_login(cast.provider_b_lead)
    response = client.get(reverse("actions:detail", args=[cast.action_a.pk]))
    assert response.status_code == 404
    records = [r for r in lines(json_log) if r["logger"] == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record["level"] == "WARNING" and record["status_code"] == 404
    assert "exception" not in record
    assert record["request_id"] == response["X-Request-ID"]
    assert record["user_id"] == cast.provider_b_lead.pk
    assert set(record) >= {"time", "level", "logger", "message", "request_id", "user_id"}
    assert cast.provider_b_lead.username not in json_log.getvalue()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_it_logs_a_403_without_a_traceback(client, cast, json_log):
    client.force_login(cast.viewer)
    response = client.get(reverse("imports:start"))
    assert response.status_code == 403
    records = [r for r in lines(json_log) if r["logger"] == "django.request"]
    assert [r["status_code"] for r in records] == [403]
    assert "Traceback" not in json_log.getvalue()


def test_a_server_error_keeps_its_traceback(json_log):
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.error("Internal Server Error: /x", exc_info=True, extra={"status_code": 500})
    (record,) = lines(json_log)
    assert "RuntimeError: boom" in record["exception"]
    assert record["request_id"] == "-"


def test_an_incoming_request_id_is_kept_only_if_it_looks_like_one(client):
    kept = client.get("/sign-in/", HTTP_X_REQUEST_ID="lb-0123456789abcdef")
    assert kept["X-Request-ID"] == "lb-0123456789abcdef"
    replaced = client.get("/sign-in/", HTTP_X_REQUEST_ID="<script>\nforged")
    assert replaced["X-Request-ID"] != "<script>\nforged"
    assert len(replaced["X-Request-ID"]) == 32
