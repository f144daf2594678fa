"""The production configuration really serves the product (tests/production/stack.py
starts it): every demo role signs in with the second factor and every page reachable
from their home page answers without a 5xx, with the security headers, and with static
files under hashed names that browsers may cache; two web nodes share sessions, evidence
and issued papers; the worker and beat are healthy; a browser journey runs on gunicorn.

Run on their own with `make production-check`; `make test` includes them. They need
PostgreSQL and Redis (DATABASE_URL, REDIS_URL), as in CI.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import time
from collections import Counter, deque
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest

from tests.production.people import Person, next_code, parse
from tests.production.stack import (
    DEMO_ROLES,
    ROOT,
    Stack,
    query,
    s3_client,
    start_stack,
    stop_stack,
)

pytestmark = pytest.mark.production

# Bounded crawl: every distinct path, and at most a few query-string variants of each
# (filters, sort orders and page numbers of one list are the same view).
MAX_PAGES_PER_ROLE = 500
MAX_VARIANTS_PER_PATH = 4
# Links that change state or end the session even on GET are not followed.
NOT_FOLLOWED = ("/sign-out/", "/admin/logout/")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "Strict-Transport-Security": "max-age=31536000",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
HASHED_STATIC = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[A-Za-z0-9]+$")


def _needs_real_services() -> None:
    database = os.environ.get("DATABASE_URL", "")
    if database.startswith("postgres") and os.environ.get("REDIS_URL"):
        return
    reason = "the production check needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    _needs_real_services()
    started = start_stack(tmp_path_factory.mktemp("production"))
    yield started
    stop_stack(started)
    # The crawl meets 403s and 404s on purpose: none may print a traceback.
    for name in ("web1", "web2"):
        log = started.log(name)
        assert "Traceback" not in log, f"{name} log:\n{log[-3000:]}"


@pytest.fixture(scope="module")
def people(stack) -> dict[str, Person]:
    signed_in = {}
    for username in DEMO_ROLES:
        person = Person(stack, username, stack.nodes[0])
        person.sign_in()
        signed_in[username] = person
    return signed_in


def other_organisations_references(username: str) -> list[str]:
    """References of demo reviews this person must never meet on any page: for the
    Black Country ICB's people, BSol's reviews not shared with it; for everyone else,
    the Black Country ICB's own (docs/access.md)."""
    from demo.loader import fixture, review_fixtures

    people = fixture("people.yaml")["people"]
    home = {person["username"]: person.get("organisation") for person in people}.get(username)
    if home is None:  # the administrator sees everything
        return []
    forbidden = []
    for review in review_fixtures():
        shared_with = {share["organisation"] for share in review.get("shares", [])}
        if home == "BC ICB":
            if review["owner"] != "BC ICB" and "BC ICB" not in shared_with:
                forbidden.append(review["reference"])
        elif review["owner"] == "BC ICB":
            forbidden.append(review["reference"])
    return forbidden


def crawl(person: Person) -> tuple[list[str], list[str], set[str]]:
    """Every same-origin page reachable by links from the home page. Returns the pages
    visited, the problems found and the static assets referenced. A page naming a
    review of an organisation the person is kept apart from is a problem too."""
    forbidden = other_organisations_references(person.username)
    origin = urlsplit(person.node).netloc
    seen: set[str] = {"/"}
    variants: Counter[str] = Counter()
    queue = deque(["/"])
    visited: list[str] = []
    problems: list[str] = []
    assets: set[str] = set()
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        response = person.get(path, allow_redirects=False)
        visited.append(path)
        if response.status_code >= 500:
            problems.append(f"{person.username} GET {path}: server error {response.status_code}")
            continue
        expected_headers = dict(SECURITY_HEADERS)
        if response.headers.get("Content-Disposition", "").startswith("attachment"):
            # Every file handed over carries the stricter policy of trackerapp.downloads.
            expected_headers["Content-Security-Policy"] = "sandbox"
        for header, expected in expected_headers.items():
            if expected not in response.headers.get(header, ""):
                problems.append(f"{person.username} GET {path}: {header} is not {expected!r}")
        if response.is_redirect:
            targets = [response.headers["Location"]]
        elif response.headers.get("Content-Type", "").startswith("text/html"):
            problems += [
                f"{person.username} GET {path}: names {reference}, another organisation's"
                for reference in forbidden
                if reference in response.text
            ]
            page = parse(response.text)
            targets = page.links
            for asset in page.assets:
                asset_path = urlsplit(urljoin(person.node + path, asset)).path
                if asset_path.startswith("/static/"):  # not the admin's jsi18n view
                    assets.add(asset_path)
        else:
            continue
        for target in targets:
            absolute = urlsplit(urljoin(person.node + path, target))
            if absolute.netloc != origin or absolute.scheme != "https":
                continue
            if absolute.path.startswith(NOT_FOLLOWED) or absolute.path.startswith("/static/"):
                continue
            link = absolute.path + (f"?{absolute.query}" if absolute.query else "")
            if link in seen:
                continue
            seen.add(link)
            variants[absolute.path] += 1
            if variants[absolute.path] <= MAX_VARIANTS_PER_PATH:
                queue.append(link)
    return visited, problems, assets


def test_every_role_reaches_every_page_without_a_server_error(stack, people, capsys):
    problems: list[str] = []
    all_assets: set[str] = set()
    counts: dict[str, int] = {}
    for username, person in people.items():
        visited, found, assets = crawl(person)
        counts[username] = len(visited)
        problems += found
        all_assets |= assets
    for asset in sorted(all_assets):
        response = people["commissioner"].get(asset)
        if response.status_code != 200:
            problems.append(f"static {asset}: {response.status_code}")
        if not HASHED_STATIC.match(asset):
            problems.append(f"static {asset}: not served under a hashed name")
        cache = response.headers.get("Cache-Control", "")
        age = re.search(r"max-age=(\d+)", cache)
        if not age or int(age.group(1)) < 365 * 24 * 3600 or "immutable" not in cache:
            problems.append(f"static {asset}: Cache-Control {cache!r}")
    with capsys.disabled():
        total = sum(counts.values())
        print(
            f"\nproduction crawl: {len(counts)} roles, {total} pages "
            f"({', '.join(f'{k} {v}' for k, v in counts.items())}), "
            f"{len(all_assets)} static files, 5xx = "
            f"{sum('server error' in p for p in problems)}, problems = {len(problems)}"
        )
    assert problems == [], "\n".join(problems[:40])
    assert all(count >= 3 for count in counts.values()), counts


def test_health_endpoints_answer_on_every_node(stack):
    import requests

    for node in stack.nodes:
        alive = requests.get(f"{node}/healthz", verify=stack.certificate, timeout=5)
        assert alive.json() == {"status": "ok"}
        ready = requests.get(f"{node}/readyz", verify=stack.certificate, timeout=10)
        assert ready.json() == {
            "status": "ok",
            "checks": {"database": "ok", "migrations": "ok", "redis": "ok", "storage": "ok"},
        }


def test_worker_and_beat_pass_their_container_health_checks(stack):
    deadline = time.monotonic() + 60
    for probe in ("worker", "beat"):
        while True:
            done = subprocess.run(
                [str(stack.python), "-m", "trackerapp.probes", probe],
                cwd=ROOT,
                env=stack.env,
                capture_output=True,
                text=True,
                timeout=30,
            )
            if done.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(2)
        assert done.returncode == 0, f"{probe}: {done.stderr}"


def test_a_session_from_one_node_carries_on_at_the_other(stack, people):
    person = people["commissioner"]
    second = person.get("/actions/", node=stack.nodes[1], allow_redirects=False)
    assert second.status_code == 200
    assert "/sign-in/" not in second.headers.get("Location", "")


def test_evidence_uploaded_through_one_node_downloads_through_the_other(stack, people):
    lead = people["provider.lead"]
    found = stack.manage(
        "shell",
        "-c",
        "from accounts.models import User; from actions.models import Action;"
        "print(Action.objects.visible_to(User.objects.get(username='provider.lead'))"
        ".open().order_by('pk').first().pk)",
    )
    action_id = int(found.stdout.strip().splitlines()[-1])
    content = b"Training register, Q3: 42 of 45 staff trained.\n" + os.urandom(16).hex().encode()
    form = lead.get(f"/actions/{action_id}/")
    assert form.status_code == 200
    uploaded = lead.post(
        f"/actions/{action_id}/evidence/",
        {"description": "Training register"},
        page=form,
        files={"files": ("training-register.txt", content, "text/plain")},
    )
    assert uploaded.status_code == 200, uploaded.text[:500]
    ((evidence_id, stored_name),) = query(
        stack,
        "SELECT id, file FROM actions_evidence WHERE action_id = %s ORDER BY id DESC LIMIT 1",
        (action_id,),
    )
    # Stored in the S3 bucket, not on either node's disk.
    assert not (stack.work / "no-local-storage").exists()
    assert (
        s3_client(stack)
        .get_object(Bucket=stack.env["STORAGE_S3_BUCKET"], Key=stored_name)["Body"]
        .read()
        == content
    )
    downloaded = lead.get(f"/actions/evidence/{evidence_id}/download/", node=stack.nodes[1])
    assert downloaded.status_code == 200
    assert downloaded.content == content
    assert downloaded.headers["Content-Disposition"].startswith("attachment")
    # Another provider is refused on either node.
    other = people["provider.b"]
    for node in stack.nodes:
        assert other.get(f"/actions/evidence/{evidence_id}/download/", node=node).status_code == 404


def test_a_paper_built_and_issued_on_the_worker_is_identical_from_both_nodes(stack, people):
    created = stack.manage(
        "shell",
        "-c",
        "from accounts.models import User; from governance.models import Meeting;"
        "from governance.services import paper_create, paper_build_request;"
        "from django.utils import timezone;"
        "by = User.objects.get(username='secretary');"
        "meeting = Meeting.objects.filter(held_on__gt=timezone.localdate() + "
        "__import__('datetime').timedelta(days=1)).order_by('held_on').first();"
        "paper = paper_create(meeting=meeting, by=by, title='Production check paper',"
        " author='Committee secretary', period='Q3 2026/27', asks=['Note the report.']);"
        "paper_build_request(paper=paper, by=by); print(paper.pk)",
    )
    paper_id = int(created.stdout.strip().splitlines()[-1])

    def paper_state() -> tuple[str, str]:
        ((state, build_state),) = query(
            stack, "SELECT state, build_state FROM governance_paper WHERE id = %s", (paper_id,)
        )
        return state, build_state

    def wait_for(wanted: tuple[str, str]) -> None:
        deadline = time.monotonic() + 240
        while paper_state() != wanted:
            assert paper_state()[1] != "failed", stack.log("worker")[-3000:]
            assert time.monotonic() < deadline, f"paper stuck at {paper_state()}"
            time.sleep(1)

    wait_for(("draft", "ready"))
    secretary = people["secretary"]
    page = secretary.get(f"/papers/{paper_id}/")
    issued = secretary.post(f"/papers/{paper_id}/issue/", {"confirm": "yes"}, page=page)
    assert issued.status_code == 200
    wait_for(("issued", "ready"))
    ((sha256,),) = query(
        stack, "SELECT pdf_sha256 FROM governance_paper WHERE id = %s", (paper_id,)
    )
    copies = [
        secretary.get(f"/papers/{paper_id}/download/", node=node).content for node in stack.nodes
    ]
    assert copies[0][:5] == b"%PDF-"
    assert copies[0] == copies[1]
    assert hashlib.sha256(copies[0]).hexdigest() == sha256


@pytest.mark.e2e
def test_the_commissioner_changes_a_status_in_a_browser_on_gunicorn(stack, people, browser):
    """Sign-in with the code, the action list, an action page and an htmx status change,
    in Chromium against the second gunicorn node."""
    node = stack.nodes[1]
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{node}/sign-in/")
    page.fill("#id_username", "commissioner")
    page.fill("#id_password", "demo-tracker-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/account/two-factor/check/**")
    page.fill("#id_code", next_code("commissioner", stack.totp_keys["commissioner"]))
    page.click("#main-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Dashboard"
    page.goto(f"{node}/actions/?status=on_track")
    page.locator("#action-table tbody a[href^='/actions/']").first.click()
    page.wait_for_load_state()
    opened = re.search(r"/actions/(\d+)/", page.url)
    assert opened is not None, page.url
    action_id = int(opened.group(1))
    page.check("input[name=status][value=at_risk]")
    page.fill("textarea[name=note]", "Checked on the production stack.")
    page.click("#save-status")
    # The page comes back with the change in its history (a function: the CSP refuses
    # eval'd expressions).
    page.wait_for_function(
        "() => document.querySelector('#history li') && "
        "document.querySelector('#history li').innerText"
        ".includes('Status changed from on track to at risk')"
    )
    assert query(stack, "SELECT status FROM actions_action WHERE id = %s", (action_id,)) == [
        ("at_risk",)
    ]
    context.close()
