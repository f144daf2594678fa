"""Configuration comes from the environment alone (STYLE: one settings.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'email': settings.EMAIL_BACKEND, 'debug': settings.DEBUG}))"
)
CONFIG_VARS = {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}


def settings_with(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    clean["DJANGO_SETTINGS_MODULE"] = "trackerapp.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def read(**env: str) -> dict:
    result = settings_with(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_runs_on_sqlite_with_eager_tasks_and_console_mail_by_default():
    config = read()
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"].endswith("db.sqlite3")
    assert config["eager"] is True
    assert config["email"] == "django.core.mail.backends.console.EmailBackend"


def test_it_switches_to_postgresql_with_database_url():
    config = read(DATABASE_URL="postgres://postgres@127.0.0.1:5432/tracker")
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["name"] == "tracker"


def test_it_uses_a_real_broker_with_redis_url():
    config = read(REDIS_URL="redis://127.0.0.1:6379/3")
    assert config["eager"] is False
    assert config["broker"] == "redis://127.0.0.1:6379/3"


def test_it_refuses_to_run_without_debug_and_without_a_secret_key():
    result = settings_with(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_runs_without_debug_when_given_a_secret_key():
    assert read(DEBUG="false", SECRET_KEY="x" * 50)["debug"] is False


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="only meaningful when the suite runs on PostgreSQL",
)
def test_the_suite_itself_runs_on_postgresql_in_ci(db):
    from django.db import connection

    assert connection.vendor == "postgresql"
