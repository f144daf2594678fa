"""Every URL of the app against the whole cast, for an object that belongs to provider A.

200 (or the page's normal answer) where the role may use the page, 403 where the object
is visible but the role may not do this, 404 where the object is not visible, and a
redirect to sign-in for anonymous visitors. A route with no row here fails the test, so
a new page cannot ship without deciding who may use it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import EvidenceDownload, ProgressUpdate
from api.models import ApiToken
from audit.choices import AuditEvent
from audit.models import AuditEntry
from reviews.models import Theme
from tests import factories
from tests.url_walk import iter_patterns

pytestmark = pytest.mark.django_db

CAST = [
    "commissioner",
    "secretary",
    "provider_a_lead",
    "provider_a_contributor",
    "provider_b_lead",
    "viewer",
    "outsider",
    "anonymous",
]


def row(commissioner, secretary, a_lead, a_contributor, b_lead, viewer, outsider, anonymous=302):
    return dict(
        zip(
            CAST,
            [commissioner, secretary, a_lead, a_contributor, b_lead, viewer, outsider, anonymous],
            strict=True,
        )
    )


# Shorthands for the usual shapes.
EVERYONE = row(200, 200, 200, 200, 200, 200, 200)
EVERYONE_SENT_ON = row(302, 302, 302, 302, 302, 302, 302)
OPEN_TO_ALL = row(200, 200, 200, 200, 200, 200, 200, anonymous=200)
PORTFOLIO_READ = row(200, 200, 403, 403, 403, 200, 403)
MANAGER_ONLY = row(200, 403, 403, 403, 403, 403, 403)
OBJECT_READ = row(200, 200, 200, 200, 404, 200, 404)
# Raw evidence: a viewer sees it listed, but opens the file only with a grant (below).
EVIDENCE_FILE = row(200, 200, 200, 200, 404, 403, 404)
OBJECT_MANAGE = row(200, 403, 403, 403, 404, 403, 404)
OBJECT_WRITE_POST = row(422, 403, 422, 422, 404, 403, 404)
OBJECT_DECIDE_POST = row(302, 403, 403, 403, 404, 403, 404)
SECRETARY_ONLY = row(403, 200, 403, 403, 403, 403, 403)
# A draft paper: the safeguarding team and secretaries see it; viewers only once issued.
DRAFT_PAPER_READ = row(200, 200, 404, 404, 404, 404, 404)
DRAFT_PAPER_MANAGE = row(403, 200, 404, 404, 404, 404, 404)
DRAFT_PAPER_POST = row(403, 302, 404, 404, 404, 404, 404)
API_EVERYONE = row(200, 200, 200, 200, 200, 200, 200, anonymous=401)
API_OBJECT_READ = row(200, 200, 200, 200, 404, 200, 404, anonymous=401)
API_FORUM_READ = row(200, 200, 404, 404, 404, 200, 404, anonymous=401)
API_WRITE = row(400, 403, 400, 400, 404, 403, 404, anonymous=401)

# route name: (method, how to build the URL's arguments, expected)
MATRIX = {
    "home": ("get", lambda o: [], EVERYONE),
    "login": ("get", lambda o: [], row(302, 302, 302, 302, 302, 302, 302, anonymous=200)),
    "logout": ("post", lambda o: [], row(302, 302, 302, 302, 302, 302, 302, anonymous=302)),
    "notifications": ("get", lambda o: [], EVERYONE),
    "notifications_read": ("post", lambda o: [], row(302, 302, 302, 302, 302, 302, 302)),
    "notification_preferences": ("post", lambda o: [], row(422, 422, 422, 422, 422, 422, 422)),
    "undelivered_reminders": ("get", lambda o: [], MANAGER_ONLY),
    "undelivered_reminders_retry": ("post", lambda o: [], row(302, 403, 403, 403, 403, 403, 403)),
    "reviews:list": ("get", lambda o: [], PORTFOLIO_READ),
    "reviews:create": ("get", lambda o: [], MANAGER_ONLY),
    "reviews:detail": ("get", lambda o: [o.review_a.pk], OBJECT_READ),
    "reviews:edit": ("get", lambda o: [o.review_a.pk], OBJECT_MANAGE),
    # Bulk exports: the safeguarding team and secretaries; viewers only where an
    # administrator grants it (tests/governance/test_plan_workbook.py); providers never.
    "reviews:export": ("get", lambda o: [o.review_a.pk], row(200, 200, 403, 403, 404, 403, 404)),
    "reviews:sharing": ("get", lambda o: [o.review_a.pk], OBJECT_MANAGE),
    # The partner's share of review A, which a recommendation addressed to the partner
    # holds in place: the owner's team is sent back to the sharing page, told why.
    "reviews:share_remove": ("post", lambda o: [o.share.pk], OBJECT_DECIDE_POST),
    "reviews:recommendation_create": ("get", lambda o: [o.review_a.pk], OBJECT_MANAGE),
    "reviews:recommendation_edit": ("get", lambda o: [o.recommendation_a.pk], OBJECT_MANAGE),
    # Providers too: their own organisation's actions only (access.action_list_q).
    "actions:list": ("get", lambda o: [], row(200, 200, 200, 200, 200, 200, 403)),
    "actions:review_suggestions": ("get", lambda o: [], row(200, 200, 200, 200, 200, 200, 403)),
    "actions:export": ("get", lambda o: [], row(200, 200, 200, 200, 200, 403, 403)),
    # An empty post: the list again with the error summary (422), for the team only.
    "actions:bulk": ("post", lambda o: [], row(422, 403, 403, 403, 403, 403, 403)),
    "actions:detail": ("get", lambda o: [o.action_a.pk], OBJECT_READ),
    "actions:edit": ("get", lambda o: [o.action_a.pk], OBJECT_MANAGE),
    "actions:status": ("post", lambda o: [o.action_a.pk], OBJECT_WRITE_POST),
    "actions:update_add": ("post", lambda o: [o.action_a.pk], OBJECT_WRITE_POST),
    "actions:evidence_upload": ("post", lambda o: [o.action_a.pk], OBJECT_WRITE_POST),
    "actions:extension_request": ("post", lambda o: [o.action_a.pk], OBJECT_WRITE_POST),
    "actions:create": ("get", lambda o: [o.recommendation_a.pk], OBJECT_MANAGE),
    "actions:evidence_queue": ("get", lambda o: [], MANAGER_ONLY),
    "actions:evidence_download": ("get", lambda o: [o.evidence_a.pk], EVIDENCE_FILE),
    "actions:evidence_preview": ("get", lambda o: [o.image_evidence_a.pk], EVIDENCE_FILE),
    "actions:evidence_review": ("post", lambda o: [o.evidence_a.pk], OBJECT_DECIDE_POST),
    "actions:extension_decide": ("post", lambda o: [o.extension_a.pk], OBJECT_DECIDE_POST),
    "governance:forum_list": ("get", lambda o: [], PORTFOLIO_READ),
    "governance:forum_detail": ("get", lambda o: [o.forum.pk], PORTFOLIO_READ),
    # Forums are set up and changed by their organisation's secretaries and safeguarding
    # team; viewers read them; providers never reach forums.
    "governance:forum_create": ("get", lambda o: [], row(200, 200, 403, 403, 403, 403, 403)),
    "governance:forum_edit": (
        "get",
        lambda o: [o.forum.pk],
        row(200, 200, 403, 403, 403, 403, 403),
    ),
    "governance:meeting_create": ("get", lambda o: [o.forum.pk], SECRETARY_ONLY),
    "governance:meeting_list": ("get", lambda o: [], PORTFOLIO_READ),
    "governance:meeting_detail": ("get", lambda o: [o.meeting.pk], PORTFOLIO_READ),
    "governance:paper_create": ("get", lambda o: [], SECRETARY_ONLY),
    "governance:paper_detail": ("get", lambda o: [o.paper.pk], DRAFT_PAPER_READ),
    "governance:paper_edit": ("get", lambda o: [o.paper.pk], DRAFT_PAPER_MANAGE),
    "governance:paper_preview": ("get", lambda o: [o.paper.pk], DRAFT_PAPER_READ),
    "governance:paper_progress": ("get", lambda o: [o.paper.pk], DRAFT_PAPER_READ),
    "governance:paper_download": ("get", lambda o: [o.paper.pk], DRAFT_PAPER_READ),
    "governance:paper_download_docx": ("get", lambda o: [o.paper.pk], DRAFT_PAPER_READ),
    "governance:paper_build": ("post", lambda o: [o.paper.pk], DRAFT_PAPER_POST),
    "governance:paper_issue": ("post", lambda o: [o.paper.pk], DRAFT_PAPER_POST),
    "governance:paper_new_version": ("post", lambda o: [o.paper.pk], DRAFT_PAPER_POST),
    # The quarterly report and slippage read like the portfolio; its files are exports.
    "governance:quarterly_report": ("get", lambda o: [], PORTFOLIO_READ),
    "governance:slippage": ("get", lambda o: [], PORTFOLIO_READ),
    "governance:quarterly_report_download": (
        "get",
        lambda o: ["docx"],
        row(200, 200, 403, 403, 403, 403, 403),
    ),
    "reviews:theme_list": ("get", lambda o: [], PORTFOLIO_READ),
    "reviews:theme_detail": ("get", lambda o: [o.theme.pk], PORTFOLIO_READ),
    # A recommendation reads like its review; its similar recommendations are filtered
    # again (tests/reviews/test_similarity.py).
    "reviews:recommendation_detail": ("get", lambda o: [o.recommendation_a.pk], OBJECT_READ),
    "reviews:repeated_learning": ("get", lambda o: [], PORTFOLIO_READ),
    # Sent with no theme name: the safeguarding team is sent back, told why.
    "reviews:theme_suggestion_accept": ("post", lambda o: [], MANAGER_ONLY | {"commissioner": 302}),
    "imports:start": ("get", lambda o: [], MANAGER_ONLY),
    "imports:template": ("get", lambda o: [], MANAGER_ONLY),
    "imports:detail": ("get", lambda o: [o.plan_import.pk], MANAGER_ONLY),
    "imports:columns": ("get", lambda o: [o.plan_import.pk], MANAGER_ONLY),
    "imports:preview": ("get", lambda o: [o.plan_import.pk], MANAGER_ONLY),
    "imports:answers": (
        "post",
        lambda o: [o.plan_import.pk],
        row(302, 403, 403, 403, 403, 403, 403),
    ),
    "imports:commit": (
        "post",
        lambda o: [o.plan_import.pk],
        row(302, 403, 403, 403, 403, 403, 403),
    ),
    "imports:discard": (
        "post",
        lambda o: [o.plan_import.pk],
        row(302, 403, 403, 403, 403, 403, 403),
    ),
    # Password reset by email: open to all, signed in or not.
    "accounts:password_reset": ("get", lambda o: [], OPEN_TO_ALL),
    "accounts:password_reset_done": ("get", lambda o: [], OPEN_TO_ALL),
    "accounts:password_reset_confirm": ("get", lambda o: ["MQ", "no-token"], OPEN_TO_ALL),
    "accounts:password_reset_complete": ("get", lambda o: [], OPEN_TO_ALL),
    # Two-factor sign-in: everyone's own. The cast has passed it already, so enrolment
    # and the code pages send them on; new recovery codes need a code (none sent: 422).
    "mfa:manage": ("get", lambda o: [], EVERYONE),
    "mfa:enrol": ("get", lambda o: [], EVERYONE_SENT_ON),
    "mfa:verify": ("get", lambda o: [], EVERYONE_SENT_ON),
    "mfa:verify_recovery": ("get", lambda o: [], EVERYONE_SENT_ON),
    "mfa:recovery_codes": ("get", lambda o: [], EVERYONE_SENT_ON),
    "mfa:recovery_codes_new": ("post", lambda o: [], row(422, 422, 422, 422, 422, 422, 422)),
    # Search: open to everyone signed in, who finds only what they may read
    # (tests/search); the calendar feed page and API tokens are each person's own.
    "search": ("get", lambda o: [], EVERYONE),
    "feeds:manage": ("get", lambda o: [], EVERYONE),
    "feeds:create": ("post", lambda o: [], EVERYONE),
    "feeds:revoke": ("post", lambda o: [], EVERYONE_SENT_ON),
    # The feed itself needs no sign-in: its secret is the key, and an unknown one is 404.
    "feeds:feed": ("get", lambda o: ["not-a-secret"], row(404, 404, 404, 404, 404, 404, 404, 404)),
    # Sent empty: the form's errors (422); the token page is the account page (mfa:manage).
    "api_tokens:create": ("post", lambda o: [], row(422, 422, 422, 422, 422, 422, 422)),
    "api_tokens:revoke": ("post", lambda o: [o.token.pk], row(404, 404, 302, 404, 404, 404, 404)),
    # The API with a signed-in session (the docs page's "Try it out"); with a token, every
    # role and route is in tests/api/test_api_matrix.py. It answers 401, not a redirect.
    # Posts sent empty: 400 for whoever may write, after the 404 and 403 of the pages.
    "api:docs": ("get", lambda o: [], EVERYONE),
    "api:schema": ("get", lambda o: [], API_EVERYONE),
    "api:v1:review-list": ("get", lambda o: [], API_EVERYONE),
    "api:v1:review-detail": ("get", lambda o: [o.review_a.pk], API_OBJECT_READ),
    "api:v1:recommendation-list": ("get", lambda o: [], API_EVERYONE),
    "api:v1:recommendation-detail": ("get", lambda o: [o.recommendation_a.pk], API_OBJECT_READ),
    "api:v1:action-list": ("get", lambda o: [], API_EVERYONE),
    "api:v1:action-detail": ("get", lambda o: [o.action_a.pk], API_OBJECT_READ),
    "api:v1:action-add-update": ("post", lambda o: [o.action_a.pk], API_WRITE),
    "api:v1:action-set-status": ("post", lambda o: [o.action_a.pk], API_WRITE),
    "api:v1:progress-update-list": ("get", lambda o: [], API_EVERYONE),
    "api:v1:progress-update-detail": ("get", lambda o: [o.update_a.pk], API_OBJECT_READ),
    "api:v1:evidence-list": ("get", lambda o: [], API_EVERYONE),
    "api:v1:evidence-detail": ("get", lambda o: [o.evidence_a.pk], API_OBJECT_READ),
    "api:v1:forum-list": ("get", lambda o: [], API_EVERYONE),
    "api:v1:forum-detail": ("get", lambda o: [o.forum.pk], API_FORUM_READ),
    "api:v1:meeting-list": ("get", lambda o: [], API_EVERYONE),
    "api:v1:meeting-detail": ("get", lambda o: [o.meeting.pk], API_FORUM_READ),
    "api:v1:paper-list": ("get", lambda o: [], API_EVERYONE),
    "api:v1:paper-detail": (
        "get",
        lambda o: [o.paper.pk],
        row(200, 200, 404, 404, 404, 404, 404, 401),
    ),
    # A draft has no PDF here: only issued papers are served by the API.
    "api:v1:paper-pdf": (
        "get",
        lambda o: [o.paper.pk],
        row(404, 404, 404, 404, 404, 404, 404, 401),
    ),
}


class ProviderAObjects:
    """A review whose only actions belong to provider A, so provider B has no way in."""

    def __init__(self, cast):
        self.review_a = factories.review(body=cast.csp)
        self.recommendation_a = factories.recommendation(self.review_a, cast.provider_a)
        self.action_a = factories.action(on=self.recommendation_a, owner=cast.provider_a)
        self.theme = Theme.objects.create(name="Information sharing")
        self.recommendation_a.themes.add(self.theme)
        self.evidence_a = factories.evidence(on=self.action_a, by=cast.provider_a_lead)
        self.image_evidence_a = factories.image_evidence(on=self.action_a, by=cast.provider_a_lead)
        self.extension_a = services.extension_request(
            action=self.action_a,
            by=cast.provider_a_lead,
            proposed_date=timezone.localdate() + timedelta(days=60),
            reason="Staffing.",
        )
        self.forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
        self.meeting = factories.meeting(forum=self.forum)
        self.paper = factories.paper(meeting=self.meeting, by=cast.secretary, built=True)
        self.plan_import = factories.plan_import(by=cast.commissioner, review=self.review_a)
        self.share = factories.share(self.review_a, with_=cast.csp)
        self.update_a = ProgressUpdate.objects.create(
            action=self.action_a, author=cast.provider_a_lead, text="Begun.", status="on_track"
        )
        # Provider A's lead's own token: only they (of the cast) may revoke it.
        self.token = ApiToken.objects.create(
            user=cast.provider_a_lead,
            name="Power BI",
            prefix="lrt_test",
            key_hash="0" * 64,
            expires_at=timezone.now() + timedelta(days=30),
        )
        factories.recommendation(self.review_a, cast.csp)


def app_routes() -> set[str]:
    return {name for _route, name in iter_patterns() if name and not name.startswith("admin:")}


def test_every_route_of_the_app_has_a_row():
    missing = app_routes() - set(MATRIX)
    assert not missing, f"routes with no access decision: {sorted(missing)}"
    unknown = set(MATRIX) - app_routes()
    assert not unknown, f"rows for routes that no longer exist: {sorted(unknown)}"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, cast, name):
    objects = ProviderAObjects(cast)
    method, arguments, expected = MATRIX[name]
    url = reverse(name, args=arguments(objects))
    answers = {}
    for who in CAST:
        client.logout()
        if who != "anonymous":
            client.force_login(getattr(cast, who))
        response = getattr(client, method)(url)
        answers[who] = response.status_code
        if who == "anonymous" and response.status_code == 302 and name != "logout":
            assert response["Location"].startswith(reverse("login")), response["Location"]
    assert answers == expected


def test_it_lets_a_viewer_granted_evidence_downloads_open_the_file_and_logs_it(client, cast):
    objects = ProviderAObjects(cast)
    factories.evidence_download_grant(to=cast.viewer)
    client.force_login(cast.viewer)

    response = client.get(reverse("actions:evidence_download", args=[objects.evidence_a.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"audit"
    assert EvidenceDownload.objects.filter(evidence=objects.evidence_a, user=cast.viewer).exists()
    assert AuditEntry.objects.filter(
        event=AuditEvent.EVIDENCE_DOWNLOAD,
        user=cast.viewer,
        object_id=str(objects.evidence_a.pk),
    ).exists()
