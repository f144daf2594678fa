"""Every page, as each role of the demo data meets it, at a phone's width (390 px) and a
desktop's (1280 px): nothing scrolls sideways, neither the page nor a box inside it,
axe-core finds no violation of any impact, and no drop-down offers "---------" for "any"
(issue 21, "Pages people can work in").

Each role signs in once (password and second factor) and walks the tracker by its links
from the home page, visiting one page for each route, and the same route once more with
a query string (a filtered list, a second page), plus the pages no link leads to: search
results, a page it may not open (403) and one that does not exist (404). Every page is
loaded at both widths, in two browser contexts that share the one session. Finally every
route a person opens with GET must have been walked by some role, or be named below with
the reason it is not a page (a download, the API, the admin).

With PAGE_WALK_SCREENSHOTS set to a folder, every page is also saved there as a
full-page screenshot at each width (role_width_path.png), to look at as a person would.
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.e2e.conftest import accessibility_violations, sign_in
from tests.e2e.test_plan_import import plan_workbook
from tests.test_access_matrix import MATRIX

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-tracker-2026"
WIDTHS = (390, 1280)
SCREENSHOTS = os.environ.get("PAGE_WALK_SCREENSHOTS", "")
# A role's 403 page: a route its role may not open (tests/test_access_matrix.py).
ROLES = {
    "commissioner": "/papers/new/",
    "secretary": "/notifications/undelivered/",
    "provider.lead": "/reviews/new/",
    "provider.contributor": "/reviews/new/",
    "viewer": "/reviews/new/",
}
# Routes answered with GET that are not pages to look at, and why.
NOT_PAGES = {
    "reviews:export": "an Excel download",
    "actions:export": "an Excel download",
    "actions:evidence_download": "a file download",
    "actions:evidence_preview": "a thumbnail image of a piece of evidence, shown in the queue",
    "actions:review_suggestions": "an htmx fragment (<option>s for the review box's datalist)",
    "governance:paper_download": "a PDF download",
    "governance:paper_download_docx": "a Word download",
    "governance:quarterly_report_download": "the quarterly report as a PDF or Word download",
    "governance:paper_progress": "an htmx fragment polled by the paper page",
    "imports:template": "an Excel download",
    "feeds:feed": "a calendar file for calendar apps",
    "api:docs": "the API's own Swagger UI, for developers",
    "api:schema": "the API's OpenAPI schema",
    "mfa:enrol": "sends a person who has a second factor (as every walker has) to its page",
    "mfa:recovery_codes": "shown once, straight after setting up the second factor",
    "login": "the sign-in form, met (and checked) by tests/e2e/test_sign_in.py",
    "mfa:verify": "the second factor's form, met during sign-in (tests/e2e/test_two_factor.py)",
    "mfa:verify_recovery": "the recovery-code form of sign-in (tests/e2e/test_two_factor.py)",
    "accounts:password_reset": "signed-out pages of the password reset",
    "accounts:password_reset_done": "signed-out pages of the password reset",
    "accounts:password_reset_confirm": "signed-out pages of the password reset",
    "accounts:password_reset_complete": "signed-out pages of the password reset",
}
# Links that end the session, change state on GET, or leave the tracker's pages.
NOT_FOLLOWED = ("/sign-out/", "/admin/", "/static/", "/api/")

# Where a page is wider than the window: the outermost elements that stick out (their
# parent does not), and any box that scrolls sideways inside the page.
MEASURE = """() => {
  const root = document.documentElement, limit = root.clientWidth + 1;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = [], scrolling = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > limit && el.parentElement.getBoundingClientRect().right <= limit) {
      wide.push(`${name(el)} reaches ${Math.round(box.right)} px`);
    }
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0
        && /auto|scroll/.test(getComputedStyle(el).overflowX)) {
      scrolling.push(`${name(el)} scrolls ${el.scrollWidth} px in ${el.clientWidth} px`);
    }
  }
  const dashes = [...document.querySelectorAll('option')]
    .filter(option => option.textContent.trim() === '---------')
    .map(option => option.parentElement.name || option.parentElement.id);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide, scrolling, dashes};
}"""


@dataclass
class Walk:
    role: str
    visited: list[tuple[str, str]] = field(default_factory=list)  # (path, route name)
    problems: list[str] = field(default_factory=list)


def route_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def check(page, role: str, path: str, width: int) -> list[str]:
    where = f"{role} at {width} px, {path}"
    problems = []
    measured = page.evaluate(MEASURE)
    if measured["scrollWidth"] > measured["clientWidth"]:
        problems.append(
            f"{where}: the page is {measured['scrollWidth']} px wide in "
            f"{measured['clientWidth']} px; widest: {measured['wide'][:3]}"
        )
    problems += [f"{where}: {box}" for box in measured["scrolling"][:3]]
    if width == WIDTHS[1]:
        problems += [
            f"{where}: the {name} box offers “---------” where it means “any” or “none”"
            for name in measured["dashes"]
        ]
    problems += [f"{where}: axe {violation}" for violation in accessibility_violations(page)]
    if SCREENSHOTS:
        named = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
        page.screenshot(
            path=os.path.join(SCREENSHOTS, f"{role}_{width}_{named}.png"), full_page=True
        )
    return problems


def links(page, base: str, path: str) -> list[str]:
    found = []
    origin = urlsplit(base).netloc
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        target = urlsplit(urljoin(base + path, href))
        if target.netloc != origin or target.path.startswith(NOT_FOLLOWED):
            continue
        found.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def walk_role(browser, base: str, role: str, extras: list[str]) -> Walk:
    """One role's walk: signs in once, then each page at both widths."""
    from axe_playwright_python.sync_playwright import Axe

    walk = Walk(role)
    wide = browser.new_context(viewport={"width": WIDTHS[1], "height": 900})
    wide_page = wide.new_page()
    sign_in(wide_page, base, role, PASSWORD)
    narrow = browser.new_context(
        viewport={"width": WIDTHS[0], "height": 844}, storage_state=wide.storage_state()
    )
    pages = {WIDTHS[1]: wide_page, WIDTHS[0]: narrow.new_page()}
    for context in (wide, narrow):
        # axe-core arrives with each page instead of being injected into it every time.
        context.add_init_script(Axe().axe_script)
    for opened in pages.values():
        opened.set_default_timeout(15_000)

    walked: set[tuple[str | None, bool]] = set()
    queue = deque(["/", *extras])
    queued = set(queue)
    while queue:
        path = queue.popleft()
        for width, opened in pages.items():
            response = opened.goto(base + path)
            assert response is not None and response.status < 500, f"{role} {path}"
            walk.problems += check(opened, role, path, width)
        landed = urlsplit(pages[WIDTHS[1]].url).path
        refused = response.status >= 400
        walk.visited.append((path, str(response.status) if refused else route_name(landed) or ""))
        for link in links(pages[WIDTHS[1]], base, path):
            kind = (route_name(link), "?" in link)
            if link in queued or kind in walked or kind[0] in NOT_PAGES or kind[0] is None:
                continue
            walked.add(kind)
            queued.add(link)
            queue.append(link)
    wide.close()
    narrow.close()
    return walk


def draft_import(browser, base: str, tmp_path) -> list[str]:
    """A plan import part way through (the commissioner's), so that its pages exist:
    uploaded, columns chosen, at the preview."""
    workbook = tmp_path / "Ms E action plan.xlsx"
    plan_workbook(workbook)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base, "commissioner", PASSWORD)
    page.goto(f"{base}/imports/")
    page.set_input_files("input[name=file]", str(workbook))
    page.click("#upload-plan")
    page.wait_for_load_state()
    columns = urlsplit(page.url).path
    page.select_option("#id_commissioning_body", label="BSAB")
    page.fill("#id_position_date", "31/12/2018")
    page.click("#to-preview")
    page.wait_for_load_state()
    preview = urlsplit(page.url).path
    context.close()
    return [columns, preview, preview.removesuffix("preview/")]


def draft_paper() -> str:
    """A draft paper for the secretary's next meeting (the demo data has none), so that
    the paper's pages are walked: its path, for the secretary's walk."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from accounts.models import User
    from governance.models import Meeting
    from governance.services import paper_create

    secretary = User.objects.get(username="secretary")
    for meeting in Meeting.objects.order_by("-pk"):
        try:
            paper = paper_create(
                meeting=meeting, by=secretary, title="Safeguarding assurance", author="A. Said"
            )
        except (PermissionDenied, ValidationError):
            continue
        return paper.get_absolute_url()
    raise AssertionError("no meeting takes a new paper")


def test_every_page_fits_a_phone_and_a_desktop_and_passes_axe(
    browser, live_server, demo, tmp_path, capsys
):
    started = time.monotonic()
    base = live_server.url
    imports = draft_import(browser, base, tmp_path)
    paper = draft_paper()
    walks = []
    for role, refused in ROLES.items():
        extras = ["/search/?q=domestic+abuse", refused, "/no-such-page/"]
        if role == "commissioner":
            extras += [*imports, "/notifications/undelivered/"]
        if role == "secretary":
            extras.append(paper)
        walks.append(walk_role(browser, base, role, extras))

    walked_routes = {name for walk in walks for _, name in walk.visited}
    get_routes = {
        name
        for name, (method, _, _) in MATRIX.items()
        if method == "get" and not name.startswith("api:")  # the JSON API: no pages
    }
    unwalked = sorted(get_routes - walked_routes - set(NOT_PAGES))
    with capsys.disabled():
        print(f"\npage walk: {time.monotonic() - started:.0f} s")
        for walk in walks:
            print(
                f"{walk.role} ({len(walk.visited)} pages): " + ", ".join(p for p, _ in walk.visited)
            )
    problems = [problem for walk in walks for problem in walk.problems]
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)
    assert unwalked == [], f"pages no role walked: {unwalked}"
    assert {"403", "404"} <= {name for walk in walks for _, name in walk.visited}
