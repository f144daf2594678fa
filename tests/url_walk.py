"""Walks the URLconf so that access tests cover every route, including new ones."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def iter_patterns(
    resolver=None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """Yields (route, name) for every pattern, with path converters left in place."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry, route, ns)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}" if entry.name else ""


def concrete_path(route: str) -> str:
    """A visitable path: converters and regex groups filled with a plausible value."""
    # Regex routes (Django REST framework's router) may anchor mid-path: "api/v1/^actions/$".
    path = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    path = re.sub(r"<int:[^>]+>", "1", path)
    path = re.sub(r"<path:[^>]+>", "x", path)
    path = re.sub(r"<[^>]+>", "1", path)
    path = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", path)
    path = path.replace("(?:", "").replace(")?", "").replace("?", "")
    return "/" + path
