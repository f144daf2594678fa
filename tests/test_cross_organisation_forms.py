"""Foreign keys swapped across organisations: the ids of a second ICB (Black Country) —
its forum, meetings, reviews, organisations and people — posted into every form of the
first ICB's commissioner and secretary, and passed to the services behind them. Each
must be refused (a form error, 403 or 404; ValidationError or PermissionDenied from a
service) and nothing saved: linking across organisations would show a review, or name
it, where it has not been shared (docs/access.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, User
from actions import services as action_services
from actions.models import Action, ProgressUpdate
from governance import services as governance_services
from governance.models import Forum, Meeting, Paper
from imports import services as import_services
from imports.choices import ReviewSource
from imports.forms import answer_field_name
from imports.models import PlanImport
from reviews import services as review_services
from reviews.models import Recommendation, Review, ReviewShare
from tests import factories
from tests.html_forms import form_data
from tests.imports.workbooks import choose, csv_file, preview, upload
from trackerapp.financial_year import quarter_choices

pytestmark = pytest.mark.django_db


@dataclass
class BlackCountry:
    """The second ICB, with its own team, provider, forum, meeting, paper and review."""

    icb: Organisation
    provider: Organisation
    commissioner: Any
    secretary: Any
    provider_lead: Any
    forum: Forum
    meeting: Meeting
    paper: Paper
    review: Review
    recommendation: Recommendation
    action: Action


@dataclass
class Home:
    """The first ICB's own forum, meeting and draft paper (the cast has none)."""

    forum: Forum
    meeting: Meeting
    paper: Paper


@pytest.fixture
def bc(cast) -> BlackCountry:
    icb = factories.organisation(OrganisationKind.COMMISSIONER, "BC")
    provider = factories.organisation(OrganisationKind.PROVIDER, "BC-PROV", commissioned_by=(icb,))
    commissioner = factories.user("bc.lead", organisation=icb, role=Role.SAFEGUARDING_LEAD)
    secretary = factories.user("bc.secretary", organisation=icb, role=Role.COMMITTEE_SECRETARY)
    provider_lead = factories.user("bc.provider", organisation=provider, role=Role.PROVIDER_LEAD)
    forum = factories.forum(organisation=icb, secretary=secretary)
    meeting = factories.meeting(forum=forum)
    review = factories.review(body=cast.csp, owner=icb)
    recommendation = factories.recommendation(review, provider)
    return BlackCountry(
        icb=icb,
        provider=provider,
        commissioner=commissioner,
        secretary=secretary,
        provider_lead=provider_lead,
        forum=forum,
        meeting=meeting,
        paper=factories.paper(meeting=meeting, by=secretary),
        review=review,
        recommendation=recommendation,
        action=factories.action(on=recommendation, owner=provider, lead_user=provider_lead),
    )


@pytest.fixture
def home(cast) -> Home:
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    meeting = factories.meeting(forum=forum)
    return Home(
        forum=forum, meeting=meeting, paper=factories.paper(meeting=meeting, by=cast.secretary)
    )


WATCHED: list[type[Model]] = [
    Review,
    Review.named_people.through,
    Review.monitoring_forums.through,
    ReviewShare,
    Recommendation,
    Action,
    ProgressUpdate,
    Meeting,
    Paper,
    PlanImport,
    Organisation,
]


def saved() -> str:
    """Every row a swap could write, hashed: equal before and after means nothing saved."""
    digest = hashlib.sha256()
    for model in WATCHED:
        digest.update(repr(list(model._default_manager.order_by("pk").values_list())).encode())
    return digest.hexdigest()


def refused(response) -> bool:
    return response.status_code in (403, 404, 422)


def page_form(client, url: str) -> dict[str, list[str]]:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return form_data(page.content.decode(), "main-form")


def uk(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).strftime("%d/%m/%Y")


# --- Reviews ------------------------------------------------------------------------

REVIEW_SWAPS = {
    "monitoring forum": lambda bc: {"monitoring_forums": [bc.forum.pk]},
    "parent review": lambda bc: {"parent": [bc.review.pk]},
    "named person": lambda bc: {"restricted": ["on"], "named_people": [bc.commissioner.pk]},
}


@pytest.mark.parametrize("swap", sorted(REVIEW_SWAPS))
def test_it_refuses_another_icbs_ids_when_registering_a_review(client, cast, bc, swap):
    client.force_login(cast.commissioner)
    data = {
        "review_type": factories.review_type("IMR").pk,
        "reference": "IMR 2099/01",
        "title": "Swapped",
        "commissioning_body": cast.csp.pk,
        "lifecycle": "in_progress",
        **REVIEW_SWAPS[swap](bc),
    }
    before = saved()

    response = client.post(reverse("reviews:create"), data)

    assert response.status_code == 422
    assert saved() == before


def test_it_registers_a_review_for_the_commissioners_own_organisation_whatever_owner_is_posted(
    client, cast, bc
):
    """Someone on one safeguarding team is not asked for the owner; an owner posted
    anyway is not read."""
    client.force_login(cast.commissioner)

    client.post(
        reverse("reviews:create"),
        {
            "owner": bc.icb.pk,
            "review_type": factories.review_type("DHR").pk,
            "reference": "DHR 2099/02",
            "title": "Owner swapped",
            "commissioning_body": cast.csp.pk,
            "lifecycle": "in_progress",
        },
    )

    assert Review.objects.get(reference="DHR 2099/02").owner == cast.icb


def test_it_refuses_another_icb_as_owner_to_a_commissioner_on_two_teams(client, cast, bc):
    cast.commissioner.memberships.create(organisation=cast.csp, role=Role.SAFEGUARDING_LEAD)
    client.force_login(cast.commissioner)
    before = saved()

    response = client.post(
        reverse("reviews:create"),
        {
            "owner": bc.icb.pk,
            "review_type": factories.review_type("DHR").pk,
            "reference": "DHR 2099/03",
            "title": "Owner swapped",
            "commissioning_body": cast.csp.pk,
            "lifecycle": "in_progress",
        },
    )

    assert response.status_code == 422
    assert saved() == before


@pytest.mark.parametrize("swap", sorted(REVIEW_SWAPS))
def test_it_refuses_another_icbs_ids_when_editing_a_review(client, cast, bc, swap):
    imr = factories.review(code="IMR", body=cast.csp)
    client.force_login(cast.commissioner)
    url = reverse("reviews:edit", args=[imr.pk])
    data = {**page_form(client, url), **REVIEW_SWAPS[swap](bc)}
    before = saved()

    response = client.post(url, data)

    assert response.status_code == 422
    assert saved() == before


@pytest.mark.parametrize("addressee", ["icb", "provider"])
def test_it_refuses_another_icbs_organisations_as_addressee_of_a_recommendation(
    client, cast, bc, addressee
):
    client.force_login(cast.commissioner)
    swapped = getattr(bc, addressee).pk
    before = saved()

    created = client.post(
        reverse("reviews:recommendation_create", args=[cast.review.pk]),
        {"number": "99", "text": "Swapped.", "accepted": "on", "addressed_to": swapped},
    )
    url = reverse("reviews:recommendation_edit", args=[cast.recommendation.pk])
    edited = client.post(url, {**page_form(client, url), "addressed_to": swapped})

    assert (created.status_code, edited.status_code) == (422, 422)
    assert saved() == before


def test_it_refuses_to_share_or_unshare_another_icbs_review(client, cast, bc):
    theirs = factories.share(bc.review, with_=cast.csp)
    client.force_login(cast.commissioner)
    before = saved()

    shared = client.post(
        reverse("reviews:sharing", args=[bc.review.pk]),
        {"organisation": cast.icb.pk, "access": "contribute"},
    )
    unshared = client.post(reverse("reviews:share_remove", args=[theirs.pk]))

    assert (shared.status_code, unshared.status_code) == (404, 404)
    assert saved() == before


def test_it_lets_only_the_owner_share_a_review_a_partner_contributes_to(client, cast, bc):
    ours = factories.share(bc.review, with_=cast.icb, access="contribute")
    client.force_login(cast.commissioner)
    before = saved()

    shared = client.post(
        reverse("reviews:sharing", args=[bc.review.pk]),
        {"organisation": cast.provider_b.pk, "access": "read"},
    )
    unshared = client.post(reverse("reviews:share_remove", args=[ours.pk]))

    assert (shared.status_code, unshared.status_code) == (403, 403)
    assert saved() == before


# --- Actions ------------------------------------------------------------------------

ACTION_SWAPS = {
    "owner organisation": lambda bc: {"owner_organisation": bc.provider.pk},
    "owner organisation (the ICB)": lambda bc: {"owner_organisation": bc.icb.pk},
    "lead from their provider": lambda bc: {"lead_user": bc.provider_lead.pk},
    "lead from their ICB": lambda bc: {"lead_user": bc.commissioner.pk},
    "monitoring forum": lambda bc: {"monitoring_forum": bc.forum.pk},
}


@pytest.mark.parametrize("swap", sorted(ACTION_SWAPS))
def test_it_refuses_another_icbs_ids_when_adding_an_action(client, cast, bc, swap):
    client.force_login(cast.commissioner)
    url = reverse("actions:create", args=[cast.recommendation.pk])
    data = {**page_form(client, url), "number": "9", "description": "Swapped."}
    data.update(ACTION_SWAPS[swap](bc))
    before = saved()

    response = client.post(url, data)

    assert response.status_code == 422
    assert saved() == before


@pytest.mark.parametrize("swap", sorted(ACTION_SWAPS))
def test_it_refuses_another_icbs_ids_when_editing_an_action(client, cast, bc, swap):
    client.force_login(cast.commissioner)
    url = reverse("actions:edit", args=[cast.action_a.pk])
    data = {**page_form(client, url), **ACTION_SWAPS[swap](bc)}
    before = saved()

    response = client.post(url, data)

    assert response.status_code == 422
    assert saved() == before


def bulk(client, **data):
    return client.post(reverse("actions:bulk"), {"next": reverse("actions:list"), **data})


def refusal_shown(response) -> bool:
    """The list again, with the refusal in its error summary."""
    return response.status_code == 422 and "nhsuk-error-summary" in response.content.decode()


BULK_SWAPS = {
    "their action selected": lambda cast, bc: {
        "selected": [bc.action.pk],
        "operation": "add_note",
        "text": "Swapped.",
    },
    "their lead": lambda cast, bc: {
        "selected": [cast.action_a.pk],
        "operation": "set_lead",
        "lead_user": bc.provider_lead.pk,
    },
    "their forum": lambda cast, bc: {
        "selected": [cast.action_a.pk],
        "operation": "set_forum",
        "forum": bc.forum.pk,
    },
}


@pytest.mark.parametrize("swap", sorted(BULK_SWAPS))
def test_it_refuses_another_icbs_ids_in_a_bulk_change(client, cast, bc, swap):
    """The bulk form comes back on the list it was posted from, with the refusal."""
    client.force_login(cast.commissioner)
    before = saved()

    response = bulk(client, **BULK_SWAPS[swap](cast, bc))

    assert refusal_shown(response)
    assert saved() == before


@pytest.mark.parametrize("swap", ["their lead", "their forum"])
def test_it_refuses_a_bulk_lead_or_forum_from_a_partner_for_an_action_outside_its_circle(
    client, cast, bc, home, swap
):
    """Black Country shares a review with the ICB to contribute: its provider and forum
    are then within the ICB commissioner's reach, but not within the circle of the
    ICB's own review, which is not shared with Black Country."""
    factories.share(bc.review, with_=cast.icb, access="contribute")
    client.force_login(cast.commissioner)
    before = saved()

    response = bulk(client, **BULK_SWAPS[swap](cast, bc))

    assert refusal_shown(response)
    assert saved() == before


# --- Meetings and papers ------------------------------------------------------------


def paper_fields(meeting: Meeting) -> dict:
    return {
        "meeting": meeting.pk,
        "title": "Swapped paper",
        "author": "A. Secretary",
        "period": quarter_choices(timezone.localdate())[3][0],
        "asks": "Receive the report for assurance.",
        "classification": "OFFICIAL-SENSITIVE",
    }


def test_it_refuses_a_meeting_for_another_icbs_forum(client, cast, bc):
    client.force_login(cast.secretary)
    before = saved()

    response = client.post(
        reverse("governance:meeting_create", args=[bc.forum.pk]),
        {"held_on": uk(90), "location": "Teams", "forum": bc.forum.pk},
    )

    assert response.status_code == 404
    assert saved() == before


def test_it_refuses_a_paper_for_another_icbs_meeting(client, cast, bc, home):
    client.force_login(cast.secretary)
    before = saved()

    created = client.post(reverse("governance:paper_create"), paper_fields(bc.meeting))
    url = reverse("governance:paper_edit", args=[home.paper.pk])
    edited = client.post(url, {**page_form(client, url), "meeting": bc.meeting.pk})
    asked = client.get(reverse("governance:paper_create") + f"?meeting={bc.meeting.pk}")

    assert (created.status_code, edited.status_code, asked.status_code) == (422, 422, 404)
    assert saved() == before


# --- Imports ------------------------------------------------------------------------

HEADINGS = ["Rec no.", "Recommendation", "Action", "Owner organisation", "Lead", "Time frame"]
ROW = [1, "Share information", "Agree a protocol", "Mystery Trust", "Named Nurse", "Q3 2026/27"]


def plan_upload(by) -> PlanImport:
    return upload(by, csv_file([HEADINGS, ROW]), "plan.csv")


@pytest.mark.parametrize(
    "swap",
    [
        pytest.param(lambda cast, bc: {"review": bc.review.pk}, id="their review"),
        pytest.param(
            lambda cast, bc: {"review": cast.review.pk, "default_owner": bc.icb.pk},
            id="their ICB as default owner",
        ),
        pytest.param(
            lambda cast, bc: {"review": cast.review.pk, "default_owner": bc.provider.pk},
            id="their provider as default owner",
        ),
    ],
)
def test_it_refuses_another_icbs_ids_when_choosing_an_imports_columns(client, cast, bc, swap):
    plan_import = plan_upload(cast.commissioner)
    client.force_login(cast.commissioner)
    url = reverse("imports:columns", args=[plan_import.pk])
    data = {**page_form(client, url), "review_source": ReviewSource.EXISTING}
    data.update(swap(cast, bc))
    before = saved()

    response = client.post(url, data)

    assert response.status_code == 422
    assert saved() == before


def resolve_fields(plan_import: PlanImport, by) -> dict[str, str]:
    plan = preview(plan_import, by)
    (organisation,) = plan.unknown_organisations
    (lead,) = plan.leads_without_account
    return {"organisation": organisation, "lead": lead}


@pytest.mark.parametrize("swap", ["organisation", "lead"])
def test_it_refuses_another_icbs_organisation_or_person_as_an_imports_answer(
    client, cast, bc, swap
):
    plan_import = choose(plan_upload(cast.commissioner), cast.commissioner, review=cast.review)
    keys = resolve_fields(plan_import, cast.commissioner)
    answer = {
        "organisation": (answer_field_name("org", keys["organisation"]), bc.provider.pk),
        "lead": (answer_field_name("lead", keys["lead"]), bc.provider_lead.pk),
    }[swap]
    client.force_login(cast.commissioner)
    before = saved()

    response = client.post(
        reverse("imports:answers", args=[plan_import.pk]),
        {answer[0]: str(answer[1]), "update_in_place": "0"},
    )

    assert response.status_code == 422
    assert saved() == before


def test_it_refuses_another_icbs_import(client, cast, bc):
    theirs = choose(plan_upload(bc.commissioner), bc.commissioner, review=bc.review)
    client.force_login(cast.commissioner)
    before = saved()

    answers = [
        client.post(reverse(f"imports:{step}", args=[theirs.pk]))
        for step in ("answers", "commit", "discard")
    ]
    columns = client.get(reverse("imports:columns", args=[theirs.pk]))

    assert [r.status_code for r in [*answers, columns]] == [404, 404, 404, 404]
    assert saved() == before


# --- The services behind the forms --------------------------------------------------


def refuses(call, *, by_permission: bool = False) -> None:
    """The service raises, and nothing is saved."""
    before = saved()
    with pytest.raises(PermissionDenied if by_permission else (ValidationError,)):
        call()
    assert saved() == before


@pytest.mark.parametrize("swap", sorted(ACTION_SWAPS))
def test_it_refuses_another_icbs_ids_in_the_action_services(cast, bc, swap):
    field, value = next(iter(ACTION_SWAPS[swap](bc).items()))
    model: dict[str, type[Organisation] | type[User]] = {
        "owner_organisation": Organisation,
        "lead_user": type(bc.commissioner),
    }
    chosen = model.get(field, Forum).objects.get(pk=value)
    details = {"number": "9", "description": "Swapped.", "owner_organisation": cast.provider_a}

    refuses(
        lambda: action_services.action_create(
            recommendation=cast.recommendation, by=cast.commissioner, **{**details, field: chosen}
        )
    )
    refuses(
        lambda: action_services.action_update(
            action=cast.action_a,
            by=cast.commissioner,
            expected_version=cast.action_a.version,
            **{field: chosen},
        )
    )


def test_it_refuses_another_icbs_ids_in_the_bulk_services(cast, bc):
    refuses(
        lambda: action_services.action_bulk_set_lead(
            actions=[cast.action_a], by=cast.commissioner, lead_user=bc.provider_lead
        )
    )
    refuses(
        lambda: action_services.action_bulk_set_forum(
            actions=[cast.action_a], by=cast.commissioner, forum=bc.forum
        )
    )
    for service, change in (
        (action_services.action_bulk_add_note, {"text": "Swapped."}),
        (action_services.action_bulk_set_lead, {"lead_user": cast.provider_a_lead}),
        (action_services.action_bulk_set_forum, {"forum": None}),
    ):
        refuses(
            lambda service=service, change=change: service(
                actions=[cast.action_a, bc.action], by=cast.commissioner, **change
            ),
            by_permission=True,
        )


def test_it_refuses_another_icbs_review_in_the_action_services(cast, bc):
    refuses(
        lambda: action_services.action_create(
            recommendation=bc.recommendation,
            by=cast.commissioner,
            number="9",
            description="Swapped.",
            owner_organisation=bc.provider,
        ),
        by_permission=True,
    )
    refuses(
        lambda: action_services.action_update(
            action=bc.action, by=cast.commissioner, expected_version=1, description="Swapped."
        ),
        by_permission=True,
    )


def new_review(cast, **fields) -> dict:
    return {
        "review_type": factories.review_type("IMR"),
        "reference": "IMR 2099/09",
        "title": "Swapped",
        "commissioning_body": cast.csp,
        **fields,
    }


def test_it_refuses_another_icbs_ids_in_the_review_services(cast, bc):
    imr = factories.review(code="IMR", body=cast.csp)
    for links in (
        {"monitoring_forums": [bc.forum]},
        {"named_people": [bc.commissioner], "restricted": True},
        {"parent": bc.review},
    ):
        refuses(
            lambda links=links: review_services.review_create(
                by=cast.commissioner, **new_review(cast, **links)
            )
        )
        refuses(
            lambda links=links: review_services.review_update(
                review=imr, by=cast.commissioner, **links
            )
        )
    refuses(
        lambda: review_services.review_create(
            by=cast.commissioner, **new_review(cast, owner=bc.icb)
        ),
        by_permission=True,
    )
    refuses(
        lambda: review_services.review_update(review=bc.review, by=cast.commissioner, title="X"),
        by_permission=True,
    )


def test_it_refuses_another_icbs_organisations_in_the_recommendation_services(cast, bc):
    for addressee in (bc.icb, bc.provider):
        refuses(
            lambda addressee=addressee: review_services.recommendation_create(
                review=cast.review,
                by=cast.commissioner,
                number="99",
                text="Swapped.",
                addressed_to=addressee,
            )
        )
        refuses(
            lambda addressee=addressee: review_services.recommendation_update(
                recommendation=cast.recommendation, by=cast.commissioner, addressed_to=addressee
            )
        )
    refuses(
        lambda: review_services.recommendation_create(
            review=bc.review, by=cast.commissioner, number="99", text="Swapped."
        ),
        by_permission=True,
    )


def test_it_refuses_to_move_a_recommendation_into_another_icbs_review(cast, bc):
    refuses(
        lambda: review_services.recommendation_update(
            recommendation=cast.recommendation, by=cast.commissioner, review=bc.review
        ),
        by_permission=True,
    )


def test_it_refuses_another_icbs_forum_and_meetings_in_the_governance_services(cast, bc, home):
    refuses(
        lambda: governance_services.meeting_create(
            forum=bc.forum, by=cast.secretary, held_on=timezone.localdate() + timedelta(days=9)
        ),
        by_permission=True,
    )
    cover = paper_fields(bc.meeting)
    del cover["meeting"]
    cover["asks"] = [cover["asks"]]
    refuses(
        lambda: governance_services.paper_create(meeting=bc.meeting, by=cast.secretary, **cover),
        by_permission=True,
    )
    refuses(
        lambda: governance_services.paper_update(
            paper=home.paper, by=cast.secretary, meeting=bc.meeting
        ),
        by_permission=True,
    )
    refuses(
        lambda: governance_services.paper_update(paper=bc.paper, by=cast.secretary, title="X"),
        by_permission=True,
    )


def test_it_refuses_another_icbs_ids_in_the_import_services(cast, bc):
    plan_import = plan_upload(cast.commissioner)
    refuses(lambda: choose(plan_import, cast.commissioner, review=bc.review), by_permission=True)
    refuses(
        lambda: choose(plan_import, cast.commissioner, review=cast.review, default_owner=bc.icb)
    )
    chosen = choose(plan_import, cast.commissioner, review=cast.review)
    keys = resolve_fields(chosen, cast.commissioner)
    refuses(
        lambda: import_services.plan_import_resolve(
            plan_import=chosen,
            by=cast.commissioner,
            organisations={keys["organisation"]: str(bc.provider.pk)},
        )
    )
    refuses(
        lambda: import_services.plan_import_resolve(
            plan_import=chosen,
            by=cast.commissioner,
            leads={keys["lead"]: str(bc.provider_lead.pk)},
        )
    )


@pytest.mark.parametrize("swap", ["organisation answer", "default owner"])
def test_it_refuses_at_import_a_partners_organisation_for_a_review_not_shared_with_it(
    client, cast, bc, swap
):
    """Black Country shares a review with the ICB to contribute, so its provider is
    within the ICB commissioner's reach and may be chosen on the preview; but the plan
    goes into the ICB's own review, not shared with Black Country: the import is refused
    whole."""
    factories.share(bc.review, with_=cast.icb, access="contribute")
    if swap == "default owner":
        rows = [[1, "Share information", "Agree a protocol", "", "", "Q3 2026/27"]]
        plan_import = upload(cast.commissioner, csv_file([HEADINGS, *rows]), "plan.csv")
        plan_import = choose(
            plan_import, cast.commissioner, review=cast.review, default_owner=bc.provider
        )
    else:
        plan_import = choose(plan_upload(cast.commissioner), cast.commissioner, review=cast.review)
        keys = resolve_fields(plan_import, cast.commissioner)
        import_services.plan_import_resolve(
            plan_import=plan_import,
            by=cast.commissioner,
            organisations={keys["organisation"]: str(bc.provider.pk)},
            leads={keys["lead"]: str(bc.provider_lead.pk)},
        )
    client.force_login(cast.commissioner)
    before = saved()

    response = client.post(reverse("imports:commit", args=[plan_import.pk]))

    assert response.status_code == 422
    assert saved() == before
    assert not Action.objects.filter(
        recommendation__review=cast.review, owner_organisation=bc.provider
    ).exists()
