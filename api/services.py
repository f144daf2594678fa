"""Personal API tokens: created (shown once, stored hashed) and revoked, each audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from api.choices import EXPIRY_CHOICES, TokenScope
from api.models import ApiToken, token_hash
from audit.choices import AuditEvent
from audit.services import audit_record

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User

TOKEN_PREFIX = "lrt_"
# A person rarely needs more than a few; the cap stops a script from filling the table.
MAX_USABLE_TOKENS = 10


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def api_token_create(
    *, user: User, name: str, scope: str, days: int, request: HttpRequest | None = None
) -> NewToken:
    """A new token for `user`. The second factor must have been passed in this session
    (a stolen password alone must not mint a credential that bypasses it)."""
    if not user.is_active:
        raise PermissionDenied("This account is not active.")
    if settings.MFA_REQUIRED and not user.is_verified():
        raise PermissionDenied("Sign in with your security code before creating an API token.")
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Say what will use the token."
    if scope not in TokenScope.values:
        errors["scope"] = "Choose what the token may do."
    if days not in dict(EXPIRY_CHOICES):
        errors["days"] = "Choose how long the token lasts."
    if ApiToken.objects.of(user).usable().count() >= MAX_USABLE_TOKENS:
        errors["name"] = f"You have {MAX_USABLE_TOKENS} tokens in use: revoke one first."
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=secret[:12],
        key_hash=token_hash(secret),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        event=AuditEvent.API_TOKEN_CREATED,
        request=request,
        user=user,
        target=token,
        scope=scope,
        expires_at=token.expires_at.isoformat(),
    )
    return NewToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken, by: User, request: HttpRequest | None = None) -> ApiToken:
    """Stops a token at once. Its owner may revoke it, and so may an administrator."""
    if token.user_id != by.pk and not (by.is_active and by.is_superuser):
        raise PermissionDenied("Only the token's owner or an administrator can revoke it.")
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by = timezone.now(), by
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        event=AuditEvent.API_TOKEN_REVOKED,
        request=request,
        user=by,
        target=token,
        owner=token.user_id,
    )
    return token


def api_token_used(*, token: ApiToken) -> None:
    """Notes when a token was last used, at most every few minutes (not a write per
    request)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
