"""Configuration comes from the environment alone (STYLE: one settings.py)."""

from __future__ import annotations

import json
import os
import secrets
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
    "'email': settings.EMAIL_BACKEND, 'debug': settings.DEBUG, "
    "'ssl_redirect': settings.SECURE_SSL_REDIRECT, 'hsts': settings.SECURE_HSTS_SECONDS, "
    "'proxy_ssl_header': getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), "
    "'secure_cookies': [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE], "
    "'idle': settings.SESSION_IDLE_TIMEOUT.total_seconds(), "
    "'lifetime': settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()}))"
)
CONFIG_VARS = {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
CONFIG_VARS |= {
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_IDLE_TIMEOUT_MINUTES",
    "SESSION_ABSOLUTE_LIFETIME_HOURS",
    "PASSWORD_MIN_LENGTH",
    "BROKER_CONNECT_TIMEOUT",
    "BROKER_SOCKET_TIMEOUT",
    "BROKER_PUBLISH_RETRIES",
    "MFA_REQUIRED",
    "STORAGE_S3_BUCKET",
    "STORAGE_S3_ENDPOINT_URL",
    "SENTRY_DSN",
    "LOG_FORMAT",
    # Set by the browser tests' conftest for Playwright's event loop; never deployed.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
# What .ci/run gives `check --deploy`: a deployment's settings, with a real random key.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "tracker.example.nhs.uk",
}


def settings_with(*, command: list[str] | None = None, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    clean["DJANGO_SETTINGS_MODULE"] = "trackerapp.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, *(command or ["-c", PROBE])],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


def read(**env: str) -> dict:
    result = settings_with(command=None, **env)
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


BROKER_PROBE = (
    "import json, django; django.setup(); from trackerapp.celery import app; c = app.conf; "
    "print(json.dumps([c.broker_transport_options, c.task_publish_retry_policy['max_retries'], "
    "c.redis_socket_connect_timeout, c.redis_socket_timeout]))"
)


def test_every_call_to_the_broker_and_result_backend_has_a_time_limit():
    def bounds(**env: str) -> list:
        result = settings_with(command=["-c", BROKER_PROBE], REDIS_URL="redis://r:6379/0", **env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    transport, retries, backend_connect, backend_socket = bounds()
    assert (transport["socket_connect_timeout"], transport["socket_timeout"]) == (2, 5)
    assert (retries, backend_connect, backend_socket) == (1, 2, 5)
    transport, retries, backend_connect, backend_socket = bounds(
        BROKER_CONNECT_TIMEOUT="1", BROKER_SOCKET_TIMEOUT="3", BROKER_PUBLISH_RETRIES="0"
    )
    assert (transport["socket_connect_timeout"], transport["socket_timeout"]) == (1, 3)
    assert (retries, backend_connect, backend_socket) == (0, 1, 3)
    assert transport["visibility_timeout"] == 3600


def test_it_refuses_to_run_without_debug_and_without_a_secret_key():
    result = settings_with(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_runs_without_debug_when_given_a_secret_key():
    assert read(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50))["debug"] is False


@pytest.mark.parametrize("weak", ["short-key", "x" * 60, "django-insecure-" + "k3y!" * 12])
def test_it_refuses_to_run_without_debug_on_a_guessable_secret_key(weak):
    result = settings_with(DEBUG="false", SECRET_KEY=weak)
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 random characters" in result.stderr


def test_deployed_it_is_https_only_with_secure_cookies_and_a_year_of_hsts():
    config = read(**PRODUCTION)
    assert config["ssl_redirect"] is True
    assert config["hsts"] == 365 * 24 * 3600
    assert config["secure_cookies"] == [True, True]
    assert config["proxy_ssl_header"] is None


def test_behind_a_tls_proxy_it_trusts_the_header_named_for_it():
    config = read(**PRODUCTION, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert config["proxy_ssl_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_locally_it_serves_plain_http():
    config = read()
    assert config["ssl_redirect"] is False
    assert config["hsts"] == 0
    assert config["secure_cookies"] == [False, False]


def test_sessions_last_30_minutes_idle_and_12_hours_in_all_unless_configured():
    assert (read()["idle"], read()["lifetime"]) == (30 * 60, 12 * 3600)
    config = read(SESSION_IDLE_TIMEOUT_MINUTES="15", SESSION_ABSOLUTE_LIFETIME_HOURS="8")
    assert (config["idle"], config["lifetime"]) == (15 * 60, 8 * 3600)


def test_deployed_settings_pass_check_deploy_with_no_warnings():
    """The same check as .ci/run: any warning from `check --deploy` fails it."""
    result = settings_with(
        command=["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_would_notice_a_deployment_without_https():
    result = settings_with(
        command=["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        SECURE_SSL_REDIRECT="false",
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="only meaningful when the suite runs on PostgreSQL",
)
def test_the_suite_itself_runs_on_postgresql_in_ci(db):
    from django.db import connection

    assert connection.vendor == "postgresql"


STORAGE_PROBE = (
    "import json, django; django.setup(); from trackerapp.storage import private_storage; "
    "s = private_storage(); s._setup(); w = s._wrapped; "
    "print(json.dumps({'backend': type(w).__module__ + '.' + type(w).__name__, "
    "'bucket': getattr(w, 'bucket_name', None), 'endpoint': getattr(w, 'endpoint_url', None), "
    "'overwrite': getattr(w, 'file_overwrite', None), 'acl': getattr(w, 'default_acl', 'x')}))"
)


def test_private_files_stay_in_the_local_folder_by_default():
    result = settings_with(command=["-c", STORAGE_PROBE])
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert config["backend"] == "trackerapp.storage.PrivateFileSystemStorage"


def test_private_files_go_to_s3_when_a_bucket_is_named():
    result = settings_with(
        command=["-c", STORAGE_PROBE],
        STORAGE_S3_BUCKET="tracker-evidence",
        STORAGE_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert config == {
        "backend": "storages.backends.s3.S3Storage",
        "bucket": "tracker-evidence",
        "endpoint": "http://127.0.0.1:9000",
        "overwrite": False,
        "acl": None,
    }


SENTRY_PROBE = (
    "import json, django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client(); "
    "print(json.dumps({'active': c.is_active(), 'pii': c.options.get('send_default_pii')}))"
)


def test_error_reporting_is_off_unless_a_dsn_is_given():
    result = settings_with(command=["-c", SENTRY_PROBE])
    assert json.loads(result.stdout.strip().splitlines()[-1])["active"] is False


def test_error_reporting_with_a_dsn_sends_no_personal_data():
    result = settings_with(command=["-c", SENTRY_PROBE], SENTRY_DSN="http://key@127.0.0.1:9/1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"active": True, "pii": False}


def test_it_refuses_an_unknown_log_format():
    result = settings_with(LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json" in result.stderr
