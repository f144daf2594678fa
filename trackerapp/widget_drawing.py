"""Django's own widget markup, drawn in Python for the forms a busy page draws on every
request.

Django draws each widget, and each option of a select or each box of a set of
checkboxes, by rendering a template (an include per option, another per set of
attributes). On the action list that was most of the time spent drawing its two forms.
`QuickWidgets` writes the same markup, character for character, for Django's standard
widget templates, and hands any other template (a project's own, a form's layout) to the
template engine as before. A form opts in with `default_renderer = QuickWidgets`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"

Widget = dict[str, Any]


def _attrs(widget: Widget) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes
    # its name alone.
    drawn = []
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        if value is True:
            drawn.append(f" {conditional_escape(name)}")
        else:
            drawn.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(drawn)


def _input(widget: Widget) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget)}>\n'
    )


def _input_field(widget: Widget) -> str:
    # text.html, checkbox.html and the like: an include of input.html, then a newline.
    return _input(widget) + "\n"


def _input_option(widget: Widget) -> str:
    # checkbox_option.html / radio_option.html, each an include of input_option.html.
    if widget.get("wrap_label"):
        label_for = widget["attrs"].get("id")
        opening = f'<label for="{conditional_escape(label_for)}">' if label_for else "<label>"
        drawn = f"{opening}{_input(widget)} {conditional_escape(widget['label'])}</label>"
    else:
        drawn = _input(widget)
    return drawn + "\n\n"


def _option(widget: Widget) -> str:
    return (
        f'<option value="{conditional_escape(str(widget["value"]))}"{_attrs(widget)}>'
        f"{conditional_escape(widget['label'])}</option>\n"
    )


def _select(widget: Widget) -> str:
    drawn = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget)}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            drawn.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            drawn.append("\n  " + _draw_option(option))
        if group_name:
            drawn.append("\n  </optgroup>")
    drawn.append("\n</select>\n")
    return "".join(drawn)


def _draw_option(option: Widget) -> str:
    if option["template_name"] == WIDGETS + "select_option.html":
        return _option(option)
    raise _NotDrawn


def _textarea(widget: Widget) -> str:
    value = widget["value"]
    shown = conditional_escape(value) if value else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget)}>\n'
        f"{shown}</textarea>\n"
    )


class _NotDrawn(Exception):
    """A part this module does not draw: the template engine draws the whole widget."""


DRAWN: dict[str, Callable[[Widget], str]] = {
    WIDGETS + "select.html": _select,
    WIDGETS + "select_option.html": _option,
    WIDGETS + "checkbox_option.html": _input_option,
    WIDGETS + "radio_option.html": _input_option,
    WIDGETS + "textarea.html": _textarea,
    **{
        f"{WIDGETS}{kind}.html": _input_field
        for kind in ("text", "checkbox", "hidden", "date", "number", "email", "search", "url")
    },
}


class QuickWidgets(DjangoTemplates):
    """A form renderer that draws Django's standard widgets without templates."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        draw = DRAWN.get(template_name)
        if draw is not None:
            try:
                # As BaseRenderer.render, which strips what the template drew.
                return draw(context["widget"]).strip()
            except _NotDrawn:
                pass
        return super().render(template_name, context, request)
