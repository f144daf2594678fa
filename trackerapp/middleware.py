"""Response headers that Django's SecurityMiddleware does not send itself."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and Permissions-Policy to every response, and
    `Cache-Control: no-store` to every page the application itself answers.

    Sits just after SecurityMiddleware and before WhiteNoise, so static files get the
    policies too but stay cacheable: WhiteNoise answers them before AuthenticationMiddleware
    runs, so a request without `user` is a static file. Everything else (signed-in pages,
    the sign-in page, redirects, errors) may carry or lead to confidential data and must
    not be kept by the browser or a shared proxy.

    A response that sets its own policy keeps it: downloads send `sandbox`
    (trackerapp.downloads). With DEBUG on, Django's technical 404 and 500 pages, which
    style and script themselves inline, are left without one so that they still work."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.content_security_policy = settings.CONTENT_SECURITY_POLICY
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not (settings.DEBUG and response.status_code in {404, 500}):
            response.headers.setdefault("Content-Security-Policy", self.content_security_policy)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if hasattr(request, "user"):
            patch_cache_control(response, no_store=True)
        return response
