"""/healthz and /readyz: no sign-in, no data, and /readyz fails when a dependency does."""

from __future__ import annotations

import json

import pytest
from django.db import connections
from django.test import Client


@pytest.fixture
def anonymous() -> Client:
    return Client()


def test_it_answers_healthz_without_a_sign_in_or_the_database(anonymous, monkeypatch):
    def no_database(*_args, **_kwargs):
        raise AssertionError("/healthz must not touch the database")

    monkeypatch.setattr(connections["default"], "cursor", no_database)
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_it_answers_readyz_with_each_check(anonymous, settings):
    settings.REDIS_URL = ""
    response = anonymous.get("/readyz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "storage": "ok"},
    }
    # The storage probe cleans up after itself.
    assert not any((settings.PRIVATE_STORAGE_ROOT / "health").iterdir())


@pytest.mark.django_db
def test_readyz_fails_with_503_when_storage_cannot_be_written(anonymous, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    settings.PRIVATE_STORAGE_ROOT = blocker
    settings.REDIS_URL = ""
    response = anonymous.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "failed"
    assert body["checks"]["storage"] == "failed"
    assert body["checks"]["database"] == "ok"
    assert str(blocker) not in response.content.decode(), "no detail reaches the response"


@pytest.mark.django_db
def test_readyz_fails_when_redis_is_configured_but_unreachable(anonymous, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = anonymous.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["redis"] == "failed"


@pytest.mark.django_db
def test_readyz_fails_when_a_migration_is_not_applied(anonymous, settings, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    settings.REDIS_URL = ""
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = anonymous.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["migrations"] == "failed"


def test_health_paths_answer_before_host_checks_and_https_redirects(anonymous, settings):
    """A load balancer probes a node by its own address over plain http."""
    settings.ALLOWED_HOSTS = ["tracker.example.nhs.uk"]
    settings.SECURE_SSL_REDIRECT = True
    response = anonymous.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200


def test_health_paths_refuse_writes(anonymous):
    response = anonymous.post("/healthz")
    assert response.status_code == 405
