"""Every page of the URLconf, for a stranger, a commissioner and an administrator, carries
the Content-Security-Policy and the other protective headers, and nothing the application
answers may be stored by the browser (security issue, item 5)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.url_walk import concrete_path, iter_patterns

pytestmark = pytest.mark.django_db

# Downloads replace the page policy with `sandbox` (trackerapp/downloads.py).
DOWNLOAD_POLICY = "sandbox"
# The API docs page adds data: images for Swagger UI's icons, nothing else (api/urls.py).
DOCS_POLICY = settings.CONTENT_SECURITY_POLICY.replace("img-src 'self'", "img-src 'self' data:")


def every_get_path() -> list[str]:
    # Admin object pages take any <path:object_id>: use an id, as a real link would.
    return sorted({concrete_path(route).replace("/x/", "/1/") for route, _ in iter_patterns()})


def header_problems(response) -> list[str]:
    problems = []
    policy = response.headers.get("Content-Security-Policy", "")
    if policy not in {settings.CONTENT_SECURITY_POLICY, DOWNLOAD_POLICY, DOCS_POLICY}:
        problems.append(f"Content-Security-Policy {policy!r}")
    if "unsafe-" in policy:
        problems.append(f"an unsafe source in {policy!r}")
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": settings.PERMISSIONS_POLICY,
    }
    for header, value in expected.items():
        if response.headers.get(header) != value:
            problems.append(f"{header} {response.headers.get(header)!r}")
    if "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.headers.get('Cache-Control')!r}")
    return problems


def test_the_page_policy_allows_no_inline_script_or_style():
    directives = {
        part.split()[0]: part.split()[1:] for part in settings.CONTENT_SECURITY_POLICY.split(";")
    }
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("who", ["anonymous", "commissioner", "admin"])
def test_every_page_carries_the_security_headers(client, cast, who):
    if who != "anonymous":
        client.force_login(getattr(cast, who))
    paths = every_get_path()
    assert len(paths) > 50

    problems = {}
    for path in paths:
        response = client.get(path)
        if found := header_problems(response):
            problems[f"{path} ({response.status_code})"] = found

    assert problems == {}


def test_the_sign_in_page_itself_is_not_stored(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert header_problems(response) == []


def test_a_download_keeps_its_sandbox_policy(client, cast):
    client.force_login(cast.provider_a_lead)
    response = client.get(reverse("actions:evidence_download", args=[cast.evidence_a.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == DOWNLOAD_POLICY
    assert response["Cache-Control"] == "no-store"
    assert header_problems(response) == []


def test_the_paper_preview_loads_its_stylesheet_from_our_own_static_files(client, cast):
    from tests import factories

    meeting = factories.meeting(forum=factories.forum(organisation=cast.icb))
    paper = factories.paper(meeting=meeting, by=cast.secretary)
    client.force_login(cast.secretary)
    response = client.get(reverse("governance:paper_preview", args=[paper.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/paper.css">' in html
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert header_problems(response) == []


def test_deployed_pages_also_tell_the_browser_to_insist_on_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
