"""Fails when an installed Python package has a known vulnerability (security issue,
item 8). Run by .ci/run with the project's virtualenv: `.venv/bin/python
scripts/dependency_audit.py [--ignore-vuln ID ...] [--strict]`.

1. pip-audit checks every installed distribution against PyPI's per-release
   vulnerability feed (the PyPA advisory database, OSV format).
2. A package pip-audit had to skip (where only PyPI's package index is reachable, the
   per-release feed answers 404) is checked against PyPI's per-project feed, which lists
   the vulnerabilities of the newest release: complete when the installed version is
   the newest; for an older one a vulnerability still open in the newest release counts
   against it too, and anything else is reported as unverified.
3. Exit 1 on any vulnerability not in --ignore-vuln, when a package could not be looked
   up at all, or when nothing could be audited; unverified packages are listed, and fail
   the run only with --strict.

pip-audit has no severity filter, so every known vulnerability fails the run: one that
does not apply here is ignored explicitly, with its reason, in .ci/run.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import subprocess
import sys
from dataclasses import dataclass, field

import requests
from packaging.utils import canonicalize_name

PROJECT_FEED = "https://pypi.org/pypi/{name}/json"
# This project, installed from its own checkout: not on PyPI.
OWN_DISTRIBUTIONS = {"learning-review-tracker"}


@dataclass
class Report:
    findings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    audited: int = 0


def installed_versions() -> dict[str, str]:
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
    }


def run_pip_audit(ignored: list[str]) -> dict:
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--format=json",
        "--progress-spinner=off",
        "--vulnerability-service=pypi",
        *[f"--ignore-vuln={vuln}" for vuln in ignored],
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(result.stderr)
        raise SystemExit(
            f"dependency audit: pip-audit could not run (exit {result.returncode}); see above."
        ) from None


def describe(name: str, version: str, vuln: dict) -> str:
    ids = ", ".join([vuln["id"], *vuln.get("aliases", [])])
    fixed = ", ".join(vuln.get("fix_versions") or vuln.get("fixed_in") or []) or "none yet"
    summary = (vuln.get("description") or vuln.get("summary") or vuln.get("details") or "")[:160]
    return f"{name} {version}: {ids} (fixed in: {fixed}) {summary}".strip()


def is_ignored(vuln: dict, ignored: set[str]) -> bool:
    return bool({vuln["id"], *vuln.get("aliases", [])} & ignored)


def check_against_project_feed(
    name: str, version: str, ignored: set[str], report: Report, session: requests.Session
) -> None:
    try:
        response = session.get(PROJECT_FEED.format(name=name), timeout=60)
        response.raise_for_status()
        project = response.json()
    except (requests.RequestException, ValueError) as error:
        report.errors.append(f"{name} {version}: PyPI could not be asked ({error})")
        return
    newest = project["info"]["version"]
    open_vulns = [
        vuln
        for vuln in project.get("vulnerabilities") or []
        if not vuln.get("withdrawn") and not is_ignored(vuln, ignored)
    ]
    report.findings.extend(describe(name, version, vuln) for vuln in open_vulns)
    if newest == version or open_vulns:
        report.audited += 1
    else:
        report.unverified.append(f"{name} {version} (newest {newest})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ignore-vuln", action="append", default=[], metavar="ID")
    parser.add_argument("--strict", action="store_true", help="fail on unverified packages")
    args = parser.parse_args()
    ignored = set(args.ignore_vuln)
    versions = installed_versions()
    report = Report()

    audit = run_pip_audit(args.ignore_vuln)
    skipped = []
    for dependency in audit.get("dependencies", []):
        name = canonicalize_name(dependency["name"])
        if name in OWN_DISTRIBUTIONS:
            continue
        if "skip_reason" in dependency:
            skipped.append(name)
            continue
        report.audited += 1
        report.findings.extend(
            describe(name, dependency["version"], vuln) for vuln in dependency.get("vulns", [])
        )

    if skipped:
        print(
            f"pip-audit skipped {len(skipped)} of {len(skipped) + report.audited} packages "
            "(PyPI's per-release feed is out of reach); checking them against the "
            "per-project feed."
        )
        with requests.Session() as session:
            for name in skipped:
                version = versions.get(name, "?")
                check_against_project_feed(name, version, ignored, report, session)

    print(f"Audited {report.audited} packages; ignored by rule: {sorted(ignored) or 'none'}.")
    for line in report.unverified:
        print(f"UNVERIFIED (older than the newest release, no per-release data): {line}")
    for line in report.errors:
        print(f"ERROR: {line}")
    for line in report.findings:
        print(f"VULNERABLE: {line}")

    if report.audited == 0:
        print("dependency audit: nothing could be audited; failing rather than passing blind.")
        return 1
    if report.findings or report.errors or (args.strict and report.unverified):
        return 1
    print("No known vulnerabilities found.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
