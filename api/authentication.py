"""Who is asking: a personal token in the Authorization header (`Bearer lrt_…`), or a
signed-in session that has passed the second factor (the docs page's "Try it out").

Never a query parameter: request lines are logged (without query strings, but a proxy
may log them whole), headers are not."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.models import ApiToken, token_hash
from api.services import TOKEN_PREFIX, api_token_used


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send one token: Authorization: Bearer <token>.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        if not secret.startswith(TOKEN_PREFIX):
            raise exceptions.AuthenticationFailed("The token is not valid.")
        token = (
            ApiToken.objects.usable()
            .select_related("user")
            .filter(key_hash=token_hash(secret))
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                "The token is not valid, has expired or was revoked."
            )
        api_token_used(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser session, once it has passed the second factor; with CSRF checks on
    writes (Django REST framework's own)."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        found = super().authenticate(request)
        if found is None:
            return None
        user = found[0]
        if settings.MFA_REQUIRED and not user.is_verified():
            return None
        return found
