"""Pages drawn once and kept until what they show changes.

A page whose content is a function of who asks, what they asked for and the portfolio's
state (actions.selectors.page_drawing_key says which) need not be drawn again for the
same person until the portfolio changes: drawing the action list's 25 rows, its filters
and its bulk form was most of the request's time. The one part of such a page that
belongs to the request and not to the portfolio is the CSRF token of its forms: the
page is drawn with a mark in its place, and each request puts its own token there.
See docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

# Stands for the request's CSRF token in a kept page. Letters only, so that escaping
# (the {% csrf_token %} tag escapes its value) leaves it as it is.
CSRF_MARK = "keptpagecsrftokenmark"


def kept_page(
    request: HttpRequest,
    key: str | None,
    template: str,
    context: Callable[[], dict[str, Any]],
    *,
    status: int = 200,
) -> HttpResponse:
    """`template` drawn from `context()`, or as kept under `key` by an earlier request.
    `context` is only called when nothing is kept, so the page's reads belong in it.
    With `key` None (a form shown again with what was posted, no generation to key by)
    the page is drawn and not kept; nor is it while a message waits to be shown once
    (after a redirect), as the messages are part of the page."""
    if key is not None and len(get_messages(request)):
        key = None
    # Every request answers with a CSRF cookie its forms can post with, drawn or kept.
    token = get_token(request)
    html = cache.get(key) if key is not None else None
    if html is None:
        html = render_to_string(template, {**context(), "csrf_token": CSRF_MARK}, request)
        if key is not None:
            cache.set(key, html, settings.KEPT_DRAWING_SECONDS)
    return HttpResponse(html.replace(CSRF_MARK, token), status=status)
