"""/api/: version 1 of the REST API, its OpenAPI 3 schema and the docs page.

The API answers for itself (401 without a token), so its views are exempt from the
sign-in redirect that every page has (LoginRequiredMiddleware; Django REST framework
exempts its views anyway, said here too so that no one relies on that by accident). The
schema needs a token or a session; the docs page, a page for people, sends them to sign
in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views

app_name = "api"

router = SimpleRouter()
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("actions", views.ActionViewSet, basename="action")
router.register("progress-updates", views.ProgressUpdateViewSet, basename="progress-update")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("forums", views.ForumViewSet, basename="forum")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("papers", views.PaperViewSet, basename="paper")

v1 = router.urls
for pattern in v1:
    login_not_required(pattern.callback)  # marks the view itself

# Swagger UI draws its small icons as data: SVGs in its stylesheet; the docs page alone
# allows those (images cannot run script). Everything else of the site's CSP stands.
DOCS_POLICY = settings.CONTENT_SECURITY_POLICY.replace("img-src 'self'", "img-src 'self' data:")


def docs(request: HttpRequest) -> HttpResponse:
    response = SpectacularSwaggerSplitView.as_view(url_name="api:schema")(request)
    response["Content-Security-Policy"] = DOCS_POLICY
    return response


urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_required(docs),
        name="docs",
    ),
]
