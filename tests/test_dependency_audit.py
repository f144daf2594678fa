"""scripts/dependency_audit.py, the CI step for known vulnerabilities: it fails on a
vulnerability, on a package it could not look up and on an audit that checked nothing,
and says which packages it could not verify."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import requests

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "dependency_audit.py"


@pytest.fixture
def audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "dependency_audit", module)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "installed_versions", lambda: {"django": "5.2.1", "rich": "15.0"})
    return module


class Feed:
    """PyPI's per-project feed, answering from a dict (None: unreachable)."""

    def __init__(self, projects):
        self.projects = projects

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def get(self, url, timeout):
        name = url.split("/")[-2]
        project = self.projects.get(name)
        if project is None:
            raise requests.ConnectionError("unreachable")
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(project).encode()
        return response


VULN = {"id": "GHSA-aaaa", "aliases": ["CVE-2026-1"], "fixed_in": ["5.2.2"], "summary": "SQLi"}


def run(audit, monkeypatch, capsys, pip_audit, feed=None, argv=()):
    monkeypatch.setattr(audit, "run_pip_audit", lambda ignored: pip_audit)
    monkeypatch.setattr(audit.requests, "Session", lambda: Feed(feed or {}))
    monkeypatch.setattr("sys.argv", ["dependency_audit.py", *argv])
    code = audit.main()
    return code, capsys.readouterr().out


def skipped(*names):
    return {"dependencies": [{"name": n, "skip_reason": "not found"} for n in names]}


def test_it_fails_on_a_vulnerability_pip_audit_found(audit, monkeypatch, capsys):
    found = {
        "dependencies": [
            {
                "name": "Django",
                "version": "5.2.1",
                "vulns": [
                    {
                        "id": "PYSEC-1",
                        "aliases": [],
                        "fix_versions": ["5.2.2"],
                        "description": "XSS",
                    }
                ],
            }
        ]
    }
    code, out = run(audit, monkeypatch, capsys, found)
    assert code == 1
    assert "VULNERABLE: django 5.2.1: PYSEC-1 (fixed in: 5.2.2) XSS" in out


def test_it_passes_a_clean_audit(audit, monkeypatch, capsys):
    clean = {"dependencies": [{"name": "django", "version": "5.2.1", "vulns": []}]}
    code, out = run(audit, monkeypatch, capsys, clean)
    assert code == 0
    assert "No known vulnerabilities found." in out


def test_it_falls_back_to_the_project_feed_for_skipped_packages(audit, monkeypatch, capsys):
    feed = {
        "django": {"info": {"version": "5.2.1"}, "vulnerabilities": [VULN]},
        "rich": {"info": {"version": "15.0"}, "vulnerabilities": []},
    }
    code, out = run(audit, monkeypatch, capsys, skipped("django", "rich"), feed)
    assert code == 1
    assert "VULNERABLE: django 5.2.1: GHSA-aaaa, CVE-2026-1 (fixed in: 5.2.2) SQLi" in out


def test_it_ignores_a_vulnerability_by_any_of_its_ids(audit, monkeypatch, capsys):
    feed = {"django": {"info": {"version": "5.2.1"}, "vulnerabilities": [VULN]}}
    code, out = run(
        audit, monkeypatch, capsys, skipped("django"), feed, ["--ignore-vuln", "CVE-2026-1"]
    )
    assert code == 0


def test_it_reports_an_older_release_it_cannot_verify_and_fails_only_when_strict(
    audit, monkeypatch, capsys
):
    feed = {
        "django": {"info": {"version": "6.1"}, "vulnerabilities": []},
        "rich": {"info": {"version": "15.0"}, "vulnerabilities": []},
    }
    code, out = run(audit, monkeypatch, capsys, skipped("django", "rich"), feed)
    assert code == 0
    assert "UNVERIFIED (older than the newest release, no per-release data): django 5.2.1" in out
    strict, _ = run(audit, monkeypatch, capsys, skipped("django", "rich"), feed, ["--strict"])
    assert strict == 1


def test_it_fails_when_a_package_cannot_be_looked_up(audit, monkeypatch, capsys):
    feed = {"rich": {"info": {"version": "15.0"}, "vulnerabilities": []}}
    code, out = run(audit, monkeypatch, capsys, skipped("django", "rich"), feed)
    assert code == 1
    assert "ERROR: django 5.2.1: PyPI could not be asked" in out


def test_it_fails_when_nothing_could_be_audited(audit, monkeypatch, capsys):
    feed = {"django": {"info": {"version": "6.1"}, "vulnerabilities": []}}
    code, out = run(audit, monkeypatch, capsys, skipped("django", "learning-review-tracker"), feed)
    assert code == 1
    assert "nothing could be audited" in out
