from __future__ import annotations

from django import template
from django.utils.html import format_html

from actions.choices import STATUS_STYLE, Status

register = template.Library()


@register.simple_tag
def status_tag(status: str) -> str:
    """An NHS.UK tag in the status's colour; the label carries the meaning, so the
    colour is never the only cue."""
    style = STATUS_STYLE[status]
    return format_html(
        '<strong class="nhsuk-tag {}">{}</strong>', style.tag_class, Status(status).label
    )
