from __future__ import annotations

import pytest
from django.urls import reverse

from tests.url_walk import concrete_path, iter_patterns

pytestmark = pytest.mark.django_db

# The only pages a stranger may reach: the sign-in pages themselves, and the password
# reset by email (which signs nobody in).
OPEN_ROUTES = {
    "sign-in/",
    "admin/login/",
    "account/password-reset/",
    "account/password-reset/sent/",
    "account/password-reset/<uidb64>/<token>/",
    "account/password-reset/done/",
}


# Routes that answer for themselves, never with data and never with a redirect to a page
# a program cannot follow: the API (401, docs/api.md) and a calendar feed, whose secret is
# the key (an unknown one is 404, docs/calendar.md).
ANSWERS_ITSELF = {"api/schema/": 401, "calendar/<str:secret>.ics": 404}


def own_answer(route: str) -> int | None:
    return 401 if route.startswith("api/v1/") else ANSWERS_ITSELF.get(route)


def all_routes() -> list[str]:
    return sorted({route for route, _name in iter_patterns()})


def test_the_walk_finds_the_routes_we_know_about():
    routes = all_routes()
    assert "" in routes and "sign-in/" in routes
    assert any(route.startswith("admin/") for route in routes)


@pytest.mark.parametrize("route", [r for r in all_routes() if r not in OPEN_ROUTES])
def test_it_sends_anonymous_visitors_to_sign_in(client, route):
    path = concrete_path(route)
    response = client.get(path)
    if own_answer(route) is not None:
        assert response.status_code == own_answer(route), f"{path} answered {response.status_code}"
        return
    assert response.status_code == 302, f"{path} answered {response.status_code}"
    location = response["Location"]
    assert location.startswith(reverse("login")) or location.startswith(reverse("admin:login")), (
        f"{path} redirected to {location}"
    )


def test_it_serves_the_sign_in_page_to_anonymous_visitors(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content
