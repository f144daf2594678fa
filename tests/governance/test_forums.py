"""Forums set up and changed in the app (docs/access.md, "Forums, papers, reminders,
exports"): by the committee secretaries and safeguarding team of the organisation that
holds the forum; other organisations' people never reach its page (404); providers,
viewers and people with no role are refused (403)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import OrganisationKind, Role
from governance import services
from governance.choices import Cadence, ForumKind
from governance.models import Forum
from tests import factories
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(cast):
    """A second ICB with its own secretary, commissioner, forum and review."""
    icb = factories.organisation(OrganisationKind.COMMISSIONER, "BC")
    return {
        "icb": icb,
        "secretary": factories.user("bc.sec", organisation=icb, role=Role.COMMITTEE_SECRETARY),
        "commissioner": factories.user("bc.lead", organisation=icb, role=Role.SAFEGUARDING_LEAD),
        "forum": factories.forum(organisation=icb),
        "review": factories.review(body=cast.csp, owner=icb),
    }


def new_forum(cast, **changes) -> dict:
    data = {
        "organisation": cast.icb.pk,
        "name": "Safeguarding Assurance Group",
        "short_name": "SAG",
        "kind": ForumKind.SAG,
        "cadence": Cadence.QUARTERLY,
        "paper_deadline_days": "21",
        "chair": cast.commissioner.pk,
        "secretary": cast.secretary.pk,
        "terms_of_reference": "Receives the assurance papers of the ICB.",
        "monitored_reviews": [cast.review.pk],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["secretary", "commissioner", "admin"])
def test_it_lets_the_secretary_and_safeguarding_team_set_up_a_forum(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("governance:forum_create")).status_code == 200
    response = client.post(reverse("governance:forum_create"), new_forum(cast))
    forum = Forum.objects.get(short_name="SAG")
    assert response["Location"] == forum.get_absolute_url()
    assert forum.organisation == cast.icb and forum.chair == cast.commissioner
    assert list(forum.monitored_reviews.all()) == [cast.review]
    assert forum.history.first().history_change_reason == "Forum set up"
    assert cast.review.history.first().history_change_reason == "Now monitored by SAG"


@pytest.mark.parametrize("who", ["viewer", "provider_a_lead", "provider_b_lead", "outsider"])
def test_it_refuses_everyone_else_the_new_forum_page(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("governance:forum_create")).status_code == 403
    assert client.post(reverse("governance:forum_create"), new_forum(cast)).status_code == 403
    assert not Forum.objects.exists()


def test_the_forum_list_offers_set_up_only_to_those_who_may(client, cast):
    client.force_login(cast.secretary)
    assert 'id="add-forum"' in client.get(reverse("governance:forum_list")).content.decode()
    client.force_login(cast.viewer)
    assert 'id="add-forum"' not in client.get(reverse("governance:forum_list")).content.decode()


def test_it_refuses_a_forum_for_another_organisation(client, cast, other):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("governance:forum_create"), new_forum(cast, organisation=other["icb"].pk)
    )
    assert response.status_code == 422
    with pytest.raises(Exception, match="secretaries and safeguarding team"):
        services.forum_create(
            by=cast.secretary,
            organisation=other["icb"],
            name="X",
            short_name="X",
            kind=ForumKind.SAG,
            cadence=Cadence.QUARTERLY,
        )


@pytest.mark.parametrize("who", ["secretary", "commissioner"])
def test_it_lets_a_secretary_or_commissioner_change_a_forum_and_what_it_monitors(client, cast, who):
    forum = factories.forum(organisation=cast.icb, secretary=cast.secretary)
    client.force_login(getattr(cast, who))
    url = reverse("governance:forum_edit", args=[forum.pk])
    data = form_data(client.get(url).content.decode(), "main-form")
    data.update(name=["CQRG for PROV-A"], monitored_reviews=[str(cast.review.pk)])
    data.update(paper_deadline_days=["14"], kind=[ForumKind.CQRG], provider=[])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    forum.refresh_from_db()
    assert (forum.name, forum.paper_deadline_days) == ("CQRG for PROV-A", 14)
    assert list(forum.monitored_reviews.all()) == [cast.review]
    assert forum.history.first().history_change_reason == "Forum changed"
    assert forum.history.first().history_user == getattr(cast, who)


def test_the_forum_page_links_to_its_edit_page_for_those_who_may(client, cast):
    forum = factories.forum(organisation=cast.icb)
    client.force_login(cast.secretary)
    assert 'id="edit-forum"' in client.get(forum.get_absolute_url()).content.decode()
    client.force_login(cast.viewer)
    assert 'id="edit-forum"' not in client.get(forum.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("viewer", 403),
        ("provider_a_lead", 403),
        ("outsider", 403),
        ("other_secretary", 404),
        ("other_commissioner_bc", 404),
    ],
)
def test_it_refuses_to_change_a_forum_to_others(client, cast, other, who, status):
    forum = factories.forum(organisation=cast.icb)
    people = {
        "other_secretary": other["secretary"],
        "other_commissioner_bc": other["commissioner"],
    }
    client.force_login(people.get(who) or getattr(cast, who))
    url = reverse("governance:forum_edit", args=[forum.pk])
    assert client.get(url).status_code == status
    assert client.post(url, new_forum(cast, name="Taken over")).status_code == status
    forum.refresh_from_db()
    assert forum.name != "Taken over"


def test_it_offers_only_reviews_within_the_forums_circle(client, cast, other):
    forum = factories.forum(organisation=cast.icb)
    client.force_login(cast.secretary)
    url = reverse("governance:forum_edit", args=[forum.pk])
    page = client.get(url).content.decode()
    assert cast.review.reference in page
    assert other["review"].reference not in page
    assert cast.restricted_review.reference not in page  # never put before a forum from here
    data = form_data(page, "main-form")
    data["monitored_reviews"] = [str(other["review"].pk)]
    assert client.post(url, data).status_code == 422
    assert not forum.monitored_reviews.exists()
    with pytest.raises(ValidationError, match="reviews of its organisation"):
        services.forum_update(forum=forum, by=cast.secretary, monitored_reviews=[other["review"]])


def test_a_review_shared_with_the_organisation_may_be_monitored(client, cast, other):
    from reviews.models import ReviewShare

    ReviewShare.objects.create(review=other["review"], organisation=cast.icb, access="read")
    forum = factories.forum(organisation=cast.icb)
    services.forum_update(forum=forum, by=cast.secretary, monitored_reviews=[other["review"]])
    assert list(forum.monitored_reviews.all()) == [other["review"]]


def test_it_keeps_the_monitored_reviews_the_person_was_not_offered(cast):
    forum = factories.forum(organisation=cast.icb)
    cast.restricted_review.monitoring_forums.add(forum)
    services.forum_update(forum=forum, by=cast.secretary, monitored_reviews=[cast.review])
    assert set(forum.monitored_reviews.all()) == {cast.review, cast.restricted_review}
    services.forum_update(forum=forum, by=cast.secretary, monitored_reviews=[])
    assert list(forum.monitored_reviews.all()) == [cast.restricted_review]
    assert cast.review.history.first().history_change_reason.startswith("No longer monitored")


def test_it_refuses_people_forums_and_providers_from_outside_the_organisation(cast, other):
    forum = factories.forum(organisation=cast.icb)
    for field, value in (
        ("chair", other["secretary"]),
        ("secretary", cast.provider_a_lead),
        ("reports_to", other["forum"]),
        ("provider", other["icb"]),
    ):
        with pytest.raises(ValidationError) as refused:
            services.forum_update(forum=forum, by=cast.secretary, **{field: value})
        assert field in refused.value.message_dict


def test_it_refuses_a_forum_reporting_up_to_itself(cast):
    top = factories.forum(organisation=cast.icb)
    middle = factories.forum(organisation=cast.icb)
    services.forum_update(forum=middle, by=cast.secretary, reports_to=top)
    with pytest.raises(ValidationError, match="report to itself"):
        services.forum_update(forum=top, by=cast.secretary, reports_to=middle)


def test_the_action_page_names_the_forums_monitoring_its_review(client, cast):
    forum = factories.forum(organisation=cast.icb)
    forum.name = "Safeguarding Assurance Group"
    forum.save()
    client.force_login(cast.commissioner)
    url = reverse("actions:detail", args=[cast.action_a.pk])
    assert "Not set" in client.get(url).content.decode().split('id="monitoring-forums"')[1][:200]
    cast.review.monitoring_forums.add(forum)
    page = client.get(url).content.decode()
    shown = page.split('id="monitoring-forums"')[1][:300]
    assert "Safeguarding Assurance Group" in shown and "monitoring its review" in shown


def test_it_says_when_a_forums_name_is_taken(client, cast):
    taken = factories.forum(organisation=cast.icb)
    client.force_login(cast.secretary)
    response = client.post(
        reverse("governance:forum_create"),
        new_forum(cast, name=taken.name, short_name=taken.short_name),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "A forum with this name already exists" in page
    assert "A forum already has this short name" in page
