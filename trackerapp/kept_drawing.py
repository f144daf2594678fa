"""Parts of a page drawn once and kept until what they show changes.

A page whose content is a function of who asks, what they asked for and the portfolio's
state (actions.selectors.page_drawing_key says which) need not be drawn again for the
same person until the portfolio changes: drawing the action list's 25 rows, its filters
and its bulk form is most of the request's time. The one part of such a drawing that
belongs to the request and not to the portfolio is the CSRF token of its forms: the
drawing is made with a mark in its place, and each request puts its own token there.
See docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from trackerapp.forms import shows_errors

# Stands for the request's CSRF token in a kept drawing. Letters only, so that escaping
# (the {% csrf_token %} tag escapes its value) leaves it as it is.
CSRF_MARK = "keptdrawingcsrftokenmark"


@dataclass(frozen=True)
class Drawing:
    """The parts of a page as drawn for this request (`{{ drawing.main }}`), and whether
    they show an error summary (base.html's title then starts "Error: ")."""

    parts: Mapping[str, SafeString]
    has_errors: bool

    def __getitem__(self, name: str) -> SafeString:
        return self.parts[name]


def kept_drawing(
    request: HttpRequest,
    key: str | None,
    templates: Mapping[str, str],
    context: Callable[[], dict[str, Any]],
) -> Drawing:
    """Each of `templates` (part name to template) drawn from `context()`, or as kept
    under `key` from an earlier request. `context` is only called when nothing is kept,
    so the page's reads belong in it. With `key` None (a form shown again with what was
    posted, or no generation to key by) the parts are drawn and not kept."""
    # Every request answers with a CSRF cookie its forms can post with, drawn or kept.
    token = get_token(request)
    kept = cache.get(key) if key is not None else None
    if kept is None:
        values = context()
        drawn = {"csrf_token": CSRF_MARK}
        parts = {
            name: render_to_string(template, {**values, **drawn}, request)
            for name, template in templates.items()
        }
        kept = {"parts": parts, "has_errors": shows_errors(values)}
        if key is not None:
            cache.set(key, kept, settings.KEPT_DRAWING_SECONDS)
    return Drawing(
        # The parts are our templates' output, escaped as they were drawn.
        parts={
            name: mark_safe(html.replace(CSRF_MARK, token)) for name, html in kept["parts"].items()
        },
        has_errors=kept["has_errors"],
    )
