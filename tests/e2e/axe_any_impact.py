"""axe-core with nothing filtered out: every violation of the WCAG 2.2 AA rules counts,
moderate and minor included (tests/e2e/conftest.py's assert_accessible keeps to serious
and critical; pages that have been brought to zero use this stricter check)."""

from __future__ import annotations

from tests.browser import AXE_OPTIONS


def assert_no_axe_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert found == [], f"{page.url}: " + "; ".join(found)


def assert_no_horizontal_scroll(page) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url}: {scroll} px wide in a {client} px window"
