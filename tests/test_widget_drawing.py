"""The widgets drawn without templates (trackerapp.widget_drawing) are the markup
Django's templates draw, character for character."""

from __future__ import annotations

import pytest
from django.forms.renderers import DjangoTemplates

from actions.forms import ActionFilterForm, BulkActionForm
from tests import factories

pytestmark = pytest.mark.django_db


def drawn_both_ways(form_class, data, user) -> list[tuple[str, str, str]]:
    quick = form_class(data, user=user)
    templated = form_class(data, user=user, renderer=DjangoTemplates())
    quick.is_valid()
    templated.is_valid()
    drawn = []
    for name in quick.fields:
        drawn.append((name, str(quick[name]), str(templated[name])))
        for quick_box, templated_box in zip(quick[name], templated[name], strict=True):
            drawn.append((name, quick_box.tag(), templated_box.tag()))
    return drawn


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"status": ["on_track", "off_track"], "overdue": "on", "q": 'a "quoted" <word>'},
        {"due_from": "31/02/2026", "owner": "999999", "sort": "owner", "review": "x&y"},
    ],
)
def test_it_draws_the_action_filters_as_the_templates_do(cast, data):
    if data is not None:
        data = {**data, "lead": str(cast.provider_a_lead.pk)}
    for name, quick, templated in drawn_both_ways(ActionFilterForm, data, cast.commissioner):
        assert quick == templated, name


def test_it_draws_the_bulk_change_form_as_the_templates_do(cast):
    factories.forum(organisation=cast.icb)
    data = {"operation": "set_lead", "text": "Line one\n<b>two</b>", "lead_role_title": "Dr"}
    for name, quick, templated in drawn_both_ways(BulkActionForm, data, cast.commissioner):
        assert quick == templated, name
