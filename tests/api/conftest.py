from __future__ import annotations

import pytest
from django.test import Client

from api.choices import TokenScope
from api.models import ApiToken, token_hash
from tests.conftest import VerifiedClient


def token_for(user, scope: str = TokenScope.READ_WRITE, **fields) -> str:
    """A usable token for `user`, as its owner would have created it."""
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    secret = "lrt_" + secrets.token_urlsafe(32)
    fields.setdefault("expires_at", timezone.now() + timedelta(days=30))
    ApiToken.objects.create(
        user=user,
        name="test",
        prefix=secret[:12],
        key_hash=token_hash(secret),
        scope=scope,
        **fields,
    )
    return secret


def api_client(user=None, scope: str = TokenScope.READ_WRITE) -> Client:
    """A client that sends a token and no session cookie, as a reporting tool does."""
    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {token_for(user, scope)}"})


@pytest.fixture(autouse=True)
def _no_throttle_between_tests(settings):
    from django.core.cache import caches

    settings.API_THROTTLE_RATE = "10000/minute"
    caches["api_throttle"].clear()


__all__ = ["VerifiedClient", "api_client", "token_for"]
