"""Stricter browser checks than conftest's assert_accessible, for pages reworked for
issue 21: axe-core violations of any impact (moderate and minor included), and no
sideways scrolling at the width the page is shown at."""

from __future__ import annotations

from tests.browser import AXE_OPTIONS


def assert_no_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert found == [], f"{page.url}: " + "; ".join(found)


def assert_fits(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url}: {widths[0]} px wide in {widths[1]} px"
