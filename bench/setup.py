"""What every benchmark does before it measures: point Django at the benchmark database
(created if missing), with production-like settings, and set Django up."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "postgres://postgres@127.0.0.1:5432/tracker_bench"


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    connection = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
    )
    connection.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def bench_django(default_database: str = BENCH_DATABASE) -> None:
    """DATABASE_URL wins over the default. DEBUG is off (no query log growth, templates
    cached) but the requests are in-process over plain HTTP, so no TLS redirect."""
    os.environ.setdefault("DATABASE_URL", default_database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackerapp.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ["EMAIL_HOST"] = ""
    if os.environ["DATABASE_URL"].startswith("postgres"):
        ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()


def without_static_manifest() -> None:
    """Static URLs without a collectstatic manifest (production's storage needs one):
    the pages' own work is what is measured."""
    from django.conf import settings
    from django.test.utils import override_settings

    # Through override_settings, whose signal drops storages already opened.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()


def signed_in_client(user):
    """A test client signed in as `user` with the second factor passed, as after a real
    sign-in, so the timed pages include the MFA check every request makes."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Benchmark", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
