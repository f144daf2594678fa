"""No Docker engine runs here, so check what `docker compose up` would run."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def commands(service: dict) -> list[list[str]]:
    raw = service.get("command")
    if raw is None:
        return []
    text = raw if isinstance(raw, str) else shlex.join(raw)
    if text.startswith("sh -c "):
        text = shlex.split(text)[2]
    return [shlex.split(part) for part in text.split("&&")]


def test_it_runs_web_worker_beat_postgresql_and_redis():
    assert {"web", "worker", "beat", "db", "redis"} <= set(SERVICES)


def test_every_app_command_points_at_something_in_the_project():
    from django.core.management import get_commands

    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["build"] == "."
        for argv in commands(SERVICES[name]):
            if argv[0] == "python" and argv[1] == "manage.py":
                assert argv[2] in get_commands(), f"{name}: no management command {argv[2]}"
            elif argv[0] == "gunicorn":
                module, _, attribute = argv[1].partition(":")
                assert hasattr(importlib.import_module(module), attribute), argv[1]
                config = argv[argv.index("--config") + 1]
                assert (ROOT / config).is_file(), config
            elif argv[0] == "celery":
                app_module = argv[argv.index("-A") + 1]
                assert hasattr(importlib.import_module(app_module), "celery_app")
                assert argv[argv.index("-A") + 2] in {"worker", "beat"}
            else:
                raise AssertionError(f"{name}: unexpected command {argv}")


def test_uploaded_evidence_lives_on_a_named_volume():
    assert "evidence" in COMPOSE["volumes"]
    for name in ("web", "worker", "beat"):
        mounts = SERVICES[name]["volumes"]
        assert any(m.startswith("evidence:") for m in mounts), name


def test_the_dockerfile_builds_with_the_script_ci_runs():
    """CI runs scripts/build_app.sh in a clean virtualenv (tests/production); the image
    must build with that same script, not a copy of its commands."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    runs = [line for line in dockerfile.splitlines() if line.startswith("RUN ")]
    assert any("scripts/build_app.sh install" in line for line in runs)
    assert any("scripts/build_app.sh static" in line for line in runs)
    assert "SECRET_KEY=" not in dockerfile, "the build script makes its own throw-away key"
    assert "libpango" in dockerfile
    assert "trackerapp/gunicorn.conf.py" in dockerfile


def settings_variables() -> set[str]:
    """Every variable trackerapp/settings.py reads with os.environ[...] or .get(...)."""
    source = (ROOT / "trackerapp" / "settings.py").read_text()
    names = set(re.findall(r"os\.environ(?:\.get)?[(\[]\"([A-Z0-9_]+)\"", source))
    names |= set(re.findall(r"env_(?:bool|list)\(\"([A-Z0-9_]+)\"", source))
    if "dj_database_url.config(" in source:
        names.add("DATABASE_URL")  # read by dj-database-url itself
    return names


# What a deployment must set (the settings refuse to start, or run unsafely, without).
REQUIRED_IN_COMPOSE = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "PRIVATE_STORAGE_ROOT",
}


def test_every_variable_a_deployment_needs_is_set_for_web_worker_and_beat():
    assert settings_variables() >= REQUIRED_IN_COMPOSE, "settings no longer read one of these"
    for name in ("web", "worker", "beat"):
        environment = SERVICES[name]["environment"]
        missing = REQUIRED_IN_COMPOSE - set(environment)
        assert not missing, f"{name} lacks {sorted(missing)}"
        assert environment["DEBUG"] == "false"
        unknown = set(environment) - settings_variables() - {"CELERY_BEAT_SCHEDULE_FILE"}
        assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_web_worker_and_beat_have_health_checks_that_exist():
    from trackerapp import probes

    for name in ("web", "worker", "beat"):
        check = SERVICES[name]["healthcheck"]["test"]
        assert check[:4] == ["CMD", "python", "-m", "trackerapp.probes"], name
        assert check[4] == name and name in probes.PROBES
    beat_command = shlex.split(SERVICES["beat"]["command"])
    schedule = beat_command[beat_command.index("--schedule") + 1]
    assert schedule == SERVICES["beat"]["environment"]["CELERY_BEAT_SCHEDULE_FILE"]
    assert SERVICES["web"]["depends_on"]["db"]["condition"] == "service_healthy"
