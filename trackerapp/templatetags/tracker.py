"""The template tags every app's pages use: `{% load tracker %}`."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.forms import BaseForm, BaseFormSet
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.html import format_html

from accounts import access
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


@register.simple_tag
def field_widget(bound_field) -> str:
    """Renders a widget with the error modifier and aria-describedby for hint/errors."""
    attrs = {}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}-error")
        base = bound_field.field.widget.attrs.get("class", "")
        modifier = base.split()[0] + "--error" if base else "nhsuk-input--error"
        attrs["class"] = f"{base} {modifier}"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def may(user, verb: str, obj=None) -> bool:
    """`{% may user "manage" review as can_manage %}`: the access policy's answer
    (accounts.access.may), so a page offers only what the person would be allowed."""
    return access.may(user, verb, obj)


@register.filter
def waited(since: datetime | None) -> str:
    """How long something has waited, in the one largest unit people count in: "3 days",
    "5 hours", "less than an hour". Queues show it to say what to pick up first."""
    if since is None:
        return ""
    seconds = max(0, int((timezone.now() - since).total_seconds()))
    days, hours = seconds // 86400, seconds // 3600
    if days:
        return f"{days} day{pluralize(days)}"
    if hours:
        return f"{hours} hour{pluralize(hours)}"
    return "less than an hour"


@register.filter
def count_at(counts: dict[str, int] | None, key: str) -> int:
    """`{{ nav_counts|count_at:href }}`: the number waiting behind a link, 0 if none."""
    return (counts or {}).get(key, 0)


def _has_errors(value: object) -> bool:
    # An unbound form has no errors, and asking does not validate it.
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, BaseFormSet):
        return value.is_bound and bool(value.total_error_count())
    return False


@register.simple_tag(takes_context=True)
def error_title_prefix(context: template.Context) -> str:
    """ "Error: " when the page shows an error summary: a bound form with errors anywhere in
    its context, or messages passed to the summary in a context value named *_errors. The
    NHS.UK service manual's rule for the <title> of a page with errors; base.html asks
    it, so every form page follows it without saying so."""
    for name, value in context.flatten().items():
        if _has_errors(value) or (
            isinstance(name, str)
            and name.endswith("_errors")
            and isinstance(value, list | tuple)
            and value
        ):
            return "Error: "
    return ""
