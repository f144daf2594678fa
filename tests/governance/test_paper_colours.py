"""The stylesheets repeat the status colours of STATUS_STYLE (a stylesheet cannot ask
Python): the paper's status labels and action rules (static/css/paper.css), and the
outlined tag and the bands bar on screen (static/css/app.css). These tests hold every
one of them to the table, so a colour changed in one place and not the other fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actions.choices import STATUS_STYLE, Band, Status
from governance.quarterly import BAND_STYLE

CSS = Path(__file__).resolve().parents[2] / "static" / "css"
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
COMMENT = re.compile(r"/\*.*?\*/", re.S)
HEX = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b")


def colour(value: str) -> str:
    """#fff and #FFFFFF alike as #ffffff."""
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value


def declarations(path: Path) -> dict[str, dict[str, str]]:
    """Each class selector → its declarations, the later rule winning as in the browser.
    Only rules whose selector is one class (alone or in a list) are kept: those are the
    ones that colour a status."""
    found: dict[str, dict[str, str]] = {}
    for selectors, body in RULE.findall(COMMENT.sub("", path.read_text())):
        properties = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                properties[name.strip()] = value.strip()
        for selector in selectors.split(","):
            selector = selector.strip()
            if re.fullmatch(r"\.[\w-]+", selector):
                found.setdefault(selector[1:], {}).update(properties)
    return found


def by_modifier(rules: dict[str, dict[str, str]], block: str) -> dict[str, dict[str, str]]:
    """block--modifier → {modifier: declarations}."""
    prefix = f"{block}--"
    return {name[len(prefix) :]: props for name, props in rules.items() if name.startswith(prefix)}


def border_colour(props: dict[str, str]) -> str:
    """The colour of a border, from border-color or the border shorthand."""
    if "border-color" in props:
        return colour(props["border-color"])
    (value,) = HEX.findall(props["border"])
    return colour(value)


def outlined(status: str) -> bool:
    """An outlined tag (completed) is white with its border in the text colour; every
    other status's border is its fill."""
    return "app-tag--outline-blue" in STATUS_STYLE[status].tag_class


PAPER = declarations(CSS / "paper.css")
APP = declarations(CSS / "app.css")
PAPER_STATUS = by_modifier(PAPER, "paper-status")
PAPER_ACTION = by_modifier(PAPER, "paper-action")
BANDS = by_modifier(APP, "app-bands__segment")
APP_TAGS = {
    f"app-tag--{modifier}": props for modifier, props in by_modifier(APP, "app-tag").items()
}


def test_the_paper_has_a_status_label_for_every_status_and_no_other():
    assert set(PAPER_STATUS) == set(Status.values)


@pytest.mark.parametrize("status", Status.values)
def test_a_status_label_in_the_paper_has_the_status_colours(status):
    style, props = STATUS_STYLE[status], PAPER_STATUS[status]
    assert colour(props["background"]) == colour(style.fill)
    assert colour(props["color"]) == colour(style.text)
    expected_border = style.text if outlined(status) else style.fill
    assert border_colour(props) == colour(expected_border)


def test_the_paper_has_an_action_rule_for_every_status_and_no_other():
    assert set(PAPER_ACTION) == set(Status.values)


@pytest.mark.parametrize("status", Status.values)
def test_an_action_rule_in_the_paper_is_the_status_accent(status):
    assert colour(PAPER_ACTION[status]["border-left-color"]) == colour(STATUS_STYLE[status].accent)


def test_the_bands_bar_has_a_colour_for_every_band_and_no_other():
    assert set(BANDS) == set(Band.values)


@pytest.mark.parametrize("band", Band.values)
def test_a_band_on_screen_is_the_accent_of_the_status_that_defines_it(band):
    assert colour(BANDS[band]["fill"]) == colour(BAND_STYLE[band].accent)


def test_every_tag_class_of_our_own_is_used_by_a_status_and_every_one_used_is_defined():
    used = {
        name
        for style in STATUS_STYLE.values()
        for name in style.tag_class.split()
        if name.startswith("app-tag--")
    }
    assert used == set(APP_TAGS)


@pytest.mark.parametrize("status", Status.values)
def test_our_own_tag_classes_colour_a_status_as_the_table_does(status):
    style = STATUS_STYLE[status]
    for name in style.tag_class.split():
        props = APP_TAGS.get(name, {})
        if "background-color" in props:
            assert colour(props["background-color"]) == colour(style.fill)
        if "color" in props:
            assert colour(props["color"]) == colour(style.text)
        if "border" in props or "border-color" in props:
            assert border_colour(props) == colour(style.text if outlined(status) else style.fill)


def test_the_outlined_tag_sets_every_colour_it_is_checked_for():
    # Otherwise the test above would pass by checking nothing.
    (outline,) = [s for s in Status.values if outlined(s)]
    props = APP_TAGS["app-tag--outline-blue"]
    assert {"background-color", "color", "border"} <= set(props)
    assert outline == Status.COMPLETED
