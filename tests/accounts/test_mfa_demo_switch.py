"""MFA_REQUIRED: on unless switched off for the local demo, which then says so everywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent.parent
PROBE = (
    "import django; from django.conf import settings; django.setup(); print(settings.MFA_REQUIRED)"
)
DEMO_WARNING = (
    b"Two-factor sign-in is switched off. Never run the tracker like this with real data."
)


def settings_with(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "MFA_REQUIRED", "SECRET_KEY"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="trackerapp.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_it_requires_the_second_factor_by_default():
    result = settings_with()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_it_refuses_to_switch_it_off_without_debug():
    result = settings_with(
        DEBUG="false", SECRET_KEY="k" * 30 + "abcdefghijklmnopqrstu", MFA_REQUIRED="false"
    )
    assert result.returncode != 0
    assert "MFA_REQUIRED=false is for the local demo only" in result.stderr


def test_it_lets_the_local_demo_switch_it_off():
    result = settings_with(DEBUG="true", MFA_REQUIRED="false")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_the_makefile_demo_switches_it_off_and_nothing_else_does():
    makefile = (ROOT / "Makefile").read_text()
    run_target = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "MFA_REQUIRED=false" in run_target
    assert makefile.count("MFA_REQUIRED=false") == run_target.count("MFA_REQUIRED=false")
    assert "MFA_REQUIRED" not in (ROOT / ".ci" / "run").read_text()


@pytest.mark.django_db
def test_it_shows_the_demo_warning_on_every_page_only_when_switched_off(cast, settings):
    browser = Client()
    settings.MFA_REQUIRED = True
    assert DEMO_WARNING not in browser.get(reverse("login")).content
    settings.MFA_REQUIRED = False
    assert DEMO_WARNING in browser.get(reverse("login")).content
    browser.force_login(cast.commissioner)
    # A password alone is enough in the demo, and the warning follows the user around.
    home = browser.get(reverse("home"))
    assert home.status_code == 200
    assert DEMO_WARNING in home.content
    assert b"Demo only" in browser.get(reverse("reviews:list")).content
    admin_browser = Client()
    admin_browser.force_login(cast.admin)
    assert (
        b"Demo only: two-factor sign-in is switched off"
        in admin_browser.get(reverse("admin:index")).content
    )
