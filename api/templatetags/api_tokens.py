"""The API tokens section of the account page ({% api_tokens %})."""

from __future__ import annotations

from typing import Any

from django import template

from api.forms import TokenForm
from api.models import ApiToken

register = template.Library()


@register.inclusion_tag("api/_tokens.html", takes_context=True)
def api_tokens(context: Any, form: TokenForm | None = None) -> dict[str, Any]:
    user = context["request"].user
    return {
        "tokens": list(ApiToken.objects.of(user).filter(revoked_at__isnull=True)),
        "token_form": form or context.get("token_form") or TokenForm(),
        "csrf_token": context.get("csrf_token"),
    }
