"""Creating and revoking one's own API tokens, from the account page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from api.forms import TokenForm
from api.models import ApiToken
from api.services import api_token_create, api_token_revoke
from trackerapp.forms import form_status
from trackerapp.types import AuthenticatedRequest


@require_POST
def token_create(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            new = api_token_create(user=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            # Shown once, here; never stored, never in a message or the session.
            return render(request, "api/token_created.html", {"new": new}, status=201)
    return render(request, "api/tokens.html", {"token_form": form}, status=form_status(form))


@require_POST
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.of(request.user), pk=pk)
    api_token_revoke(token=token, by=request.user, request=request)
    messages.info(request, f"The token “{token.name}” no longer works.")
    return redirect("mfa:manage")
