"""Long drop-downs (more than 20 choices: people, organisations) become a text box that
suggests the choices as the person types, with the select still what the form sends
(static/js/app.js); without JavaScript they stay a plain select. Issue 21."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from accounts.models import Membership, User
from tests import factories
from tests.e2e.conftest import assert_fits, assert_fully_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-tracker-2026"


@pytest.fixture
def many_colleagues(demo) -> list[User]:
    """Enough people in the commissioner's organisation that a forum's chair is a long
    choice."""
    home = Membership.objects.filter(user__username="commissioner").first()
    assert home is not None
    return [
        factories.user(
            f"colleague{n}",
            organisation=home.organisation,
            role=Role.VIEWER,
            first_name="Colleague",
            last_name=f"Number {n:02d}",
        )
        for n in range(25)
    ]


@pytest.mark.parametrize("width", [390, 1280])
def test_a_long_choice_is_typed_into_and_sent_as_the_select(
    browser, live_server, many_colleagues, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, "commissioner", PASSWORD)
    page.goto(f"{live_server.url}/forums/new/")
    box = page.locator("#id_chair-search")
    assert box.is_visible()
    assert page.locator("label[for=id_chair-search]").inner_text().startswith("Chair")
    assert page.get_attribute("#id_chair", "aria-hidden") == "true"
    assert page.locator("label[for=id_chair]").count() == 0
    assert_fits(page)
    assert_fully_accessible(page)

    chosen = many_colleagues[7]
    label = page.eval_on_selector(
        "#id_chair",
        "(s, pk) => [...s.options].find(o => o.value === pk).textContent.trim()",
        str(chosen.pk),
    )
    box.fill(label)
    assert page.eval_on_selector("#id_chair", "s => s.value") == str(chosen.pk)

    # Text that names nobody is put back to the choice in force when the box is left.
    box.fill("nobody of this name")
    box.press("Tab")
    assert box.input_value() == label
    assert page.eval_on_selector("#id_chair", "s => s.value") == str(chosen.pk)

    # Sent with the form: the form comes back (the name is missing) with the chair kept.
    page.click("#save-forum")
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert page.eval_on_selector("#id_chair", "s => s.value") == str(chosen.pk)
    assert page.locator("#id_chair-search").input_value() == label
    assert_fully_accessible(page)
    context.close()


def test_without_javascript_the_long_choice_is_a_plain_select(
    browser, live_server, many_colleagues
):
    context = browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "commissioner", PASSWORD)
    page.goto(f"{live_server.url}/forums/new/")
    assert page.locator("#id_chair-search").count() == 0
    assert page.locator("#id_chair").is_visible()
    assert page.locator("label[for=id_chair]").count() == 1
    context.close()
