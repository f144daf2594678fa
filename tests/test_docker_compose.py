"""No Docker engine runs here, so check what `docker compose up` would run."""

from __future__ import annotations

import importlib
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


def test_the_dockerfile_builds_from_the_project_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile and "collectstatic" in dockerfile
    assert "trackerapp.wsgi:application" in dockerfile
    assert "libpango" in dockerfile
