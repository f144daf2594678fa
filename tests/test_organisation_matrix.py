"""Every URL of the app, as every role of two ICBs, against objects in every relation to
the person's organisation: its own, a partner's shared with it to read or to contribute,
another organisation's not shared, and restricted reviews where the person is or is not
named. GET and every POST form, with a realistic valid payload.

The expected answer comes from the ORACLE below: an independent statement of the access
rules (docs/access.md), written in the terms of this test (role, organisation, owner, shares,
named people), not by asking accounts.access. A LEAK is

- a successful answer (2xx, or a redirect that is not to the sign-in page) to a GET the
  oracle refuses;
- a POST the oracle refuses that changed the database (or whose form was processed);
- any page, export or file whose text holds a marker of a review, recommendation, action,
  evidence, extension request, progress update, paper or import the person may not see.

The other way round, so that the oracle and the payloads are known to be right: nobody
the oracle allows is refused, every allowed post saves something (unless it is one that
changes nothing by design), every marker is shown to someone, and an object the person
may not see gets the answer of one that does not exist (docs/access.md: 404, never the data).

Every request runs in a savepoint that is rolled back, so each one meets the same world.
Run with -s to read the count: `organisation matrix: N requests, M leaks`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pytest
from django.db import connection, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation
from actions.choices import ReminderState, Rung
from actions.models import Action, Evidence, ExtensionRequest, ProgressUpdate, Reminder
from governance.choices import PaperState
from governance.models import Forum, Meeting, Paper
from governance.selectors import paper_snapshot
from imports.models import PlanImport
from reviews.models import Recommendation, RecommendationSimilarity, Review, ReviewShare, Theme
from tests import evidence_samples as samples
from tests import factories
from tests.conftest import VerifiedClient
from tests.html_forms import form_data
from tests.url_walk import iter_patterns
from trackerapp.financial_year import quarter_choices

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- The oracle: who may see and do what, stated independently ----------------------

PORTFOLIO = frozenset({"commissioner", "secretary", "viewer"})


@dataclass(frozen=True)
class Person:
    """A role as the rules see it: what kind of member, of which organisation."""

    name: str
    kind: str  # commissioner | secretary | viewer | provider | outsider | anonymous
    org: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.kind != "anonymous"


PEOPLE = [
    Person("commissioner", "commissioner", "ICB"),
    Person("secretary", "secretary", "ICB"),
    Person("provider_a_lead", "provider", "PROV-A"),
    Person("provider_a_contributor", "provider", "PROV-A"),
    Person("provider_b_lead", "provider", "PROV-B"),
    Person("viewer", "viewer", "ICB"),
    Person("outsider", "outsider"),
    Person("anonymous", "anonymous"),
    Person("bc_commissioner", "commissioner", "BC"),
    Person("bc_secretary", "secretary", "BC"),
    Person("bc_viewer", "viewer", "BC"),
    Person("bc_provider_lead", "provider", "BC-PROV"),
]
PROVIDER_LEADS = {"PROV-A": "provider_a_lead", "PROV-B": "provider_b_lead"}
PROVIDER_LEADS["BC-PROV"] = "bc_provider_lead"


@dataclass(frozen=True)
class Scenario:
    """A review with one recommendation addressed to `provider`, two actions for it (the
    second with a pending extension request), evidence, a progress update and an
    undelivered reminder; `also_for` gets one more action on the same recommendation."""

    key: str
    owner: str
    shares: tuple[tuple[str, str], ...]
    provider: str
    restricted: bool = False
    named: tuple[str, ...] = ()
    forums: tuple[str, ...] = ()
    also_for: str | None = None

    def share_of(self, org: str | None) -> str | None:
        return dict(self.shares).get(org) if org else None

    @property
    def providers(self) -> set[str]:
        return {self.provider, *([self.also_for] if self.also_for else [])}


SCENARIOS = [
    Scenario("own", "ICB", (("CSP", "read"),), "PROV-A", forums=("ICB",)),
    Scenario("partner_read", "BC", (("ICB", "read"),), "BC-PROV", forums=("BC",)),
    Scenario(
        "partner_contribute",
        "BC",
        (("ICB", "contribute"),),
        "BC-PROV",
        forums=("ICB", "BC"),
        also_for="PROV-A",
    ),
    Scenario("other", "BC", (("CSP", "read"),), "BC-PROV", forums=("BC",)),
    Scenario(
        "restricted_named",
        "ICB",
        (("CSP", "read"),),
        "PROV-A",
        restricted=True,
        named=("commissioner", "secretary"),
        forums=("ICB",),
    ),
    Scenario(
        "restricted_unnamed",
        "ICB",
        (("CSP", "read"),),
        "PROV-A",
        restricted=True,
        named=("other_commissioner",),
        forums=("ICB",),
    ),
]


# Agency contributions (IMRs) of the ICB whose parent review the ICB no longer reads: a
# share since removed, or a restricted review. Their pages say so, never naming it.
IMR_PARENTS = {"imr_of_other": "other", "imr_of_restricted": "restricted_unnamed"}
IMRS = [Scenario(key, "ICB", (), provider="NOBODY") for key in IMR_PARENTS]


@dataclass(frozen=True)
class Sitting:
    """A forum of `org` with one upcoming meeting and a paper, draft or issued."""

    key: str
    org: str
    issued: bool


SITTINGS = [
    Sitting("own_draft", "ICB", False),
    Sitting("own_issued", "ICB", True),
    Sitting("other_draft", "BC", False),
    Sitting("other_issued", "BC", True),
]
FORUM_SITTINGS = [s for s in SITTINGS if not s.issued]
# A review of each organisation that its forum may monitor.
FORUM_REVIEW = {"ICB": "own", "BC": "other"}


@dataclass(frozen=True)
class ImportPlan:
    """A one-row plan uploaded, not yet imported, by `uploader` into a review."""

    key: str
    uploader: str
    scenario: str


IMPORTS = [ImportPlan("own_import", "commissioner", "own")]
IMPORTS.append(ImportPlan("other_import", "bc_commissioner", "other"))


def org_reaches(p: Person, s: Scenario) -> bool:
    """The person's organisation owns the review or has been shared it."""
    return p.org == s.owner or s.share_of(p.org) is not None


def reads_review(p: Person, s: Scenario) -> bool:
    """Restricted: only the people named. Otherwise the portfolio of the owner and of
    partners, and the providers with an action or recommendation on it."""
    if p.name in s.named:
        return True
    if s.restricted:
        return False
    if p.kind in PORTFOLIO:
        return org_reaches(p, s)
    return p.kind == "provider" and p.org in s.providers


def reads_action(p: Person, s: Scenario, provider: str) -> bool:
    """A provider sees every action assigned to it, whoever owns the review and even on
    a restricted one; the portfolio sees the actions of the reviews it reads."""
    if p.kind == "provider" and p.org == provider:
        return True
    if p.name in s.named:
        return True
    if s.restricted:
        return False
    return p.kind in PORTFOLIO and org_reaches(p, s)


def manages(p: Person, s: Scenario) -> bool:
    """The owner's commissioners, and a contribute partner's, named if restricted."""
    if p.kind != "commissioner":
        return False
    if s.restricted and p.name not in s.named:
        return False
    return p.org == s.owner or s.share_of(p.org) == "contribute"


def shares_review(p: Person, s: Scenario) -> bool:
    return manages(p, s) and p.org == s.owner


def updates(p: Person, s: Scenario) -> bool:
    return (p.kind == "provider" and p.org == s.provider) or manages(p, s)


def downloads_evidence(p: Person, s: Scenario) -> bool:
    """The assigned provider, and commissioners and secretaries who read the review
    through their organisation (or, restricted, by being named); viewers need a grant."""
    if p.kind == "provider" and p.org == s.provider:
        return True
    if p.kind not in {"commissioner", "secretary"}:
        return False
    return p.name in s.named if s.restricted else org_reaches(p, s)


def exports_review(p: Person, s: Scenario) -> bool:
    if p.kind not in {"commissioner", "secretary"}:
        return False
    return p.name in s.named if s.restricted else org_reaches(p, s)


def reads_forum(p: Person, g: Sitting) -> bool:
    return p.kind in PORTFOLIO and p.org == g.org


def reads_paper(p: Person, g: Sitting) -> bool:
    if p.org != g.org:
        return False
    return p.kind in {"commissioner", "secretary"} or (p.kind == "viewer" and g.issued)


def arranges(p: Person, g: Sitting) -> bool:
    return p.kind == "secretary" and p.org == g.org


def holds_forums(p: Person, g: Sitting) -> bool:
    """Sets up and changes the forums of its organisation (Verb.MANAGE_FORUMS)."""
    return p.kind in {"commissioner", "secretary"} and p.org == g.org


def marker(*parts: str) -> str:
    return "MK-" + "-".join(parts)


def forbidden_markers(p: Person) -> list[str]:
    """The markers of everything in the world this person may not see."""
    hidden = []
    for s in SCENARIOS:
        if not reads_review(p, s):
            hidden += [marker(s.key, "review"), marker(s.key, "rec")]
        for what in ("act", "act2", "evidence", "extension", "update"):
            if not reads_action(p, s, s.provider):
                hidden.append(marker(s.key, what))
        if s.also_for and not reads_action(p, s, s.also_for):
            hidden.append(marker(s.key, "also"))
    hidden += [marker(g.key, "paper") for g in SITTINGS if not reads_paper(p, g)]
    hidden += [marker(i.key, "file") for i in IMPORTS if p.name != i.uploader]
    return hidden


ALL_MARKERS = forbidden_markers(Person("nobody", "outsider"))


# --- The world ----------------------------------------------------------------------


@dataclass
class World:
    cast: Any
    orgs: dict[str, Organisation]
    users: dict[str, Any]
    reviews: dict[str, Review] = field(default_factory=dict)
    recommendations: dict[str, Recommendation] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    actions2: dict[str, Action] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    images: dict[str, Evidence] = field(default_factory=dict)
    extensions: dict[str, ExtensionRequest] = field(default_factory=dict)
    shares: dict[str, ReviewShare] = field(default_factory=dict)
    forums: dict[str, Forum] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    papers: dict[str, Paper] = field(default_factory=dict)
    imports: dict[str, PlanImport] = field(default_factory=dict)
    theme: Any = None


def second_icb(cast) -> tuple[dict[str, Organisation], dict[str, Any]]:
    """Black Country: a second ICB with its own team and its own provider."""
    bc = factories.organisation(OrganisationKind.COMMISSIONER, "BC")
    bc.name = "Black Country ICB"
    bc.save()
    bc_provider = factories.organisation(
        OrganisationKind.PROVIDER, "BC-PROV", commissioned_by=(bc,)
    )
    orgs = {
        "ICB": cast.icb,
        "BC": bc,
        "PROV-A": cast.provider_a,
        "PROV-B": cast.provider_b,
        "BC-PROV": bc_provider,
        "CSP": cast.csp,
    }
    users = {p.name: getattr(cast, p.name, None) for p in PEOPLE}
    users["other_commissioner"] = cast.other_commissioner
    for name, org, role in [
        ("bc_commissioner", bc, Role.SAFEGUARDING_LEAD),
        ("bc_secretary", bc, Role.COMMITTEE_SECRETARY),
        ("bc_viewer", bc, Role.VIEWER),
        ("bc_provider_lead", bc_provider, Role.PROVIDER_LEAD),
    ]:
        user = factories.user(name.replace("_", "."), organisation=org, role=role)
        users[name] = user
        factories.totp_device(user)
    return orgs, users


def build_world(cast) -> World:
    orgs, users = second_icb(cast)
    world = World(cast=cast, orgs=orgs, users=users)
    # One theme across every scenario: its page lists each recommendation only to those
    # who see it.
    world.theme = Theme.objects.create(name="Matrix theme")
    today = timezone.localdate()
    secretaries = {"ICB": users["secretary"], "BC": users["bc_secretary"]}
    for org in ("ICB", "BC"):
        world.forums[org] = factories.forum(organisation=orgs[org], secretary=secretaries[org])
        world.meetings[org] = factories.meeting(forum=world.forums[org])
    for s in SCENARIOS:
        review = factories.review(
            body=cast.csp,
            owner=orgs[s.owner],
            restricted=s.restricted,
            named=tuple(users[n] for n in s.named),
        )
        review.title = marker(s.key, "review")
        review.save()
        for org, level in s.shares:
            share = factories.share(review, with_=orgs[org], access=level)
        world.shares[s.key] = share
        review.monitoring_forums.set([world.forums[o] for o in s.forums])
        recommendation = factories.recommendation(review, orgs[s.provider])
        recommendation.text = marker(s.key, "rec")
        recommendation.save()
        recommendation.themes.add(world.theme)
        lead = users[PROVIDER_LEADS[s.provider]]
        first = factories.action(on=recommendation, owner=orgs[s.provider])
        second = factories.action(on=recommendation, owner=orgs[s.provider])
        Action.objects.filter(pk=first.pk).update(description=marker(s.key, "act"))
        Action.objects.filter(pk=second.pk).update(description=marker(s.key, "act2"))
        if s.also_for:
            also = factories.action(on=recommendation, owner=orgs[s.also_for])
            Action.objects.filter(pk=also.pk).update(description=marker(s.key, "also"))
        evidence = factories.evidence(on=first, by=lead)
        Evidence.objects.filter(pk=evidence.pk).update(description=marker(s.key, "evidence"))
        world.extensions[s.key] = ExtensionRequest.objects.create(
            action=second,
            requested_by=lead,
            proposed_date=today + timedelta(days=60),
            reason=marker(s.key, "extension"),
        )
        ProgressUpdate.objects.create(
            action=first, author=lead, text=marker(s.key, "update"), status=first.status
        )
        owner_team = users["commissioner" if s.owner == "ICB" else "bc_commissioner"]
        # Also to people who do not see the action (a reminder outlives a change of
        # role or share): their notifications must not show it.
        strangers = [users["provider_b_lead"], users["bc_viewer"], users["viewer"]]
        for recipient in (owner_team, lead, *strangers):
            Reminder.objects.create(
                recipient=recipient,
                rung=Rung.DUE_30,
                subject_key=f"action:{first.pk}",
                key_date=today + timedelta(days=30),
                action=first,
                state=ReminderState.FAILED,
            )
        world.reviews[s.key] = review
        world.recommendations[s.key] = recommendation
        world.actions[s.key] = Action.objects.get(pk=first.pk)
        world.actions2[s.key] = Action.objects.get(pk=second.pk)
        world.evidence[s.key] = Evidence.objects.get(pk=evidence.pk)
        world.images[s.key] = factories.image_evidence(on=first, by=lead)
    similar_to_each_other(world)
    for key, parent in IMR_PARENTS.items():
        world.reviews[key] = factories.review(
            code="IMR", body=cast.csp, owner=orgs["ICB"], parent=world.reviews[parent]
        )
    for g in SITTINGS:
        paper = factories.paper(
            meeting=world.meetings[g.org],
            by=secretaries[g.org],
            built=True,
            title=marker(g.key, "paper"),
        )
        # Built papers carry their snapshot (the Word download is made from it).
        paper.snapshot = paper_snapshot(paper)
        paper.save()
        if g.issued:
            paper.state = PaperState.ISSUED
            paper.issued_at = timezone.now()
            paper.issued_by = secretaries[g.org]
            paper.save()
        world.papers[g.key] = paper
    for i in IMPORTS:
        plan_import = factories.plan_import(by=users[i.uploader], review=world.reviews[i.scenario])
        PlanImport.objects.filter(pk=plan_import.pk).update(
            original_filename=marker(i.key, "file") + ".csv"
        )
        world.imports[i.key] = plan_import
    return world


def similar_to_each_other(world: World) -> None:
    """Every scenario's recommendation is stored as like every other's, and each has
    an action assured a year before its review was published: so each recommendation
    page, action page, paper and repeated-learning page would name every other
    scenario's recommendation, were it not filtered (docs/repeated-learning.md)."""
    a_year_ago = timezone.now() - timedelta(days=365)
    for s in SCENARIOS:
        Review.objects.filter(pk=world.reviews[s.key].pk).update(
            published_date=timezone.localdate()
        )
        assured = factories.action(on=world.recommendations[s.key], owner=world.orgs[s.provider])
        Action.objects.filter(pk=assured.pk).update(status="assured", assured_at=a_year_ago)
    RecommendationSimilarity.objects.bulk_create(
        RecommendationSimilarity(
            recommendation=world.recommendations[a.key],
            similar=world.recommendations[b.key],
            score=0.9,
        )
        for a in SCENARIOS
        for b in SCENARIOS
        if a != b
    )


# --- What a write may change --------------------------------------------------------

WATCHED: list[type[Model]] = [
    Review,
    Review.named_people.through,
    Review.monitoring_forums.through,
    ReviewShare,
    Recommendation,
    Recommendation.themes.through,
    Action,
    Evidence,
    ExtensionRequest,
    ProgressUpdate,
    Reminder,
    Forum,
    Meeting,
    Paper,
    PlanImport,
    Organisation,
]


def fingerprint() -> str:
    """Every row of the tables a form could write, hashed: on PostgreSQL in one query
    (it is asked after every post), elsewhere table by table."""
    if connection.vendor != "postgresql":
        digest = hashlib.sha256()
        for model in WATCHED:
            digest.update(repr(list(model._default_manager.order_by("pk").values_list())).encode())
        return digest.hexdigest()
    tables = " UNION ALL ".join(
        f"SELECT {n} AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t.{pk}), '')) AS h "
        f"FROM {table} t"
        for n, (table, pk) in enumerate(
            (connection.ops.quote_name(m._meta.db_table), m._meta.pk.column) for m in WATCHED
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT string_agg(h, '' ORDER BY n) FROM ({tables}) AS tables")
        return cursor.fetchone()[0]


# --- Payloads -------------------------------------------------------------------------


def uk(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).strftime("%d/%m/%Y")


class Forms:
    """Edit forms as the page fills them, read once as an administrator (who may open
    every one), then changed in one field: what a person who opened the page sends."""

    def __init__(self, world: World):
        self.world = world
        self.client = VerifiedClient()
        self.client.force_login(world.cast.admin)
        self.seen: dict[str, dict[str, list[str]]] = {}

    def read(self, url: str, **changes: str) -> dict[str, list[str] | str]:
        if url not in self.seen:
            page = self.client.get(url)
            assert page.status_code == 200, (url, page.status_code)
            self.seen[url] = form_data(page.content.decode(), "main-form")
        return {**self.seen[url], **changes}


def review_create_payload(w: World, _plan, _who) -> dict:
    return {
        "review_type": factories.review_type("DHR").pk,
        "reference": "DHR 2099/01",
        "title": "Registered here",
        "commissioning_body": w.orgs["CSP"].pk,
        "lifecycle": "in_progress",
    }


def paper_payload(w: World, g: Sitting) -> dict:
    return {
        "meeting": w.meetings[g.org].pk,
        "title": "A new paper",
        "author": "A. Secretary",
        "agenda_item": "7.1",
        "period": quarter_choices(timezone.localdate())[3][0],
        "purpose": "Assurance.",
        "asks": "Receive the report for assurance.",
        "classification": "OFFICIAL-SENSITIVE",
    }


# --- The routes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One request shape: route name, method, what it is about (a list of plans, or
    None for a page about nothing in particular), URL arguments and query, who may, and
    what to post."""

    name: str
    method: str
    plans: list | None
    # Called with the person and the plan, or with the person alone on a row without plans
    # (`anyone`, `signed_in`, ... take the plan as optional).
    allowed: Callable[..., bool]
    args: Callable[[World, Any], list] = lambda w, plan: []
    query: Callable[[World, Any], str] = lambda w, plan: ""
    payload: Callable[[World, Any, str], dict] | None = None
    # Whether the person sees the object the URL names (set in `rows`): if not, the
    # answer must be the one for an object that does not exist.
    sees: Callable[[Person, Any], bool] | None = None
    # Posts whose allowed success changes nothing by design (sign-out, a no-op answer),
    # everywhere or only for these plans.
    may_change_nothing: bool = False
    unchanged_for: tuple[str, ...] = ()


def anyone(p: Person, _plan=None) -> bool:
    return True


def nobody(p: Person, _plan=None) -> bool:
    return False


def signed_in(p: Person, _plan=None) -> bool:
    return p.signed_in


def portfolio(p: Person, _plan=None) -> bool:
    return p.kind in PORTFOLIO


def commissioner(p: Person, _plan=None) -> bool:
    return p.kind == "commissioner"


def secretary(p: Person, _plan=None) -> bool:
    return p.kind == "secretary"


def forum_holder(p: Person, _plan=None) -> bool:
    return p.kind in {"commissioner", "secretary"}


def exporter(p: Person, _plan=None) -> bool:
    return p.kind in {"commissioner", "secretary"}


def lists_actions(p: Person, _plan=None) -> bool:
    """The action list: the portfolio, and providers (their own organisation's actions)."""
    return p.kind in PORTFOLIO or p.kind == "provider"


def exports_action_list(p: Person, _plan=None) -> bool:
    """The action list's export: exporters, and providers (their own actions only)."""
    return exporter(p) or p.kind == "provider"


def uploader(p: Person, i: ImportPlan) -> bool:
    return p.name == i.uploader


def review_pk(w: World, s: Scenario) -> list:
    return [w.reviews[s.key].pk]


def action_pk(w: World, s: Scenario) -> list:
    return [w.actions[s.key].pk]


def action2_pk(w: World, s: Scenario) -> list:
    return [w.actions2[s.key].pk]


def evidence_pk(w: World, s: Scenario) -> list:
    return [w.evidence[s.key].pk]


def image_pk(w: World, s: Scenario) -> list:
    return [w.images[s.key].pk]


def extension_pk(w: World, s: Scenario) -> list:
    return [w.extensions[s.key].pk]


def share_pk(w: World, s: Scenario) -> list:
    return [w.shares[s.key].pk]


def update_pk(w: World, s: Scenario) -> list:
    return [ProgressUpdate.objects.get(text=marker(s.key, "update")).pk]


def recommendation_pk(w: World, s: Scenario) -> list:
    return [w.recommendations[s.key].pk]


def forum_pk(w: World, g: Sitting) -> list:
    return [w.forums[g.org].pk]


def meeting_pk(w: World, g: Sitting) -> list:
    return [w.meetings[g.org].pk]


def paper_pk(w: World, g: Sitting) -> list:
    return [w.papers[g.key].pk]


def import_pk(w: World, i: ImportPlan) -> list:
    return [w.imports[i.key].pk]


def plan_csv() -> Any:
    data = (
        b"Rec no.,Recommendation,Action,Owner organisation,Time frame,Status\r\n"
        b"1,Share information,Agree a protocol,ICB,Q3 2026/27,On track\r\n"
    )
    return samples.upload("plan.csv", data)


def sees_action(p: Person, s: Scenario) -> bool:
    return reads_action(p, s, s.provider)


# The object each kind of URL names, and who sees it (the rules above).
SEEN_BY: dict[Callable[[World, Any], list], Callable[[Person, Any], bool]] = {
    review_pk: reads_review,
    share_pk: reads_review,
    recommendation_pk: reads_review,
    action_pk: sees_action,
    action2_pk: sees_action,
    evidence_pk: sees_action,
    extension_pk: sees_action,
    update_pk: sees_action,
    forum_pk: reads_forum,
    meeting_pk: reads_forum,
    paper_pk: reads_paper,
    import_pk: uploader,
}


def rows(forms: Callable[[], Forms]) -> list[Row]:
    """Built per test: the edit payloads read their forms through `forms()`."""
    return [
        dataclasses.replace(row, sees=SEEN_BY[row.args]) if row.args in SEEN_BY else row
        for row in all_rows(forms)
    ]


def all_rows(forms: Callable[[], Forms]) -> list[Row]:

    def edit(route: str, args, **changes):
        return lambda w, plan, who: forms().read(reverse(route, args=args(w, plan)), **changes)

    def import_columns_payload(w: World, i: ImportPlan, who: str) -> dict:
        # The page proposes the importer's organisation; an administrator, who reads the
        # form here, has no one organisation, so the choices are made as the importer's.
        owner = next(s for s in SCENARIOS if s.key == i.scenario).owner
        organisation = str(w.orgs[owner].pk)
        url = reverse("imports:columns", args=import_pk(w, i))
        return forms().read(
            url,
            plan_year="2026",
            position_date="31/03/2026",
            default_owner=organisation,
            commissioning_body=organisation,
        )

    def forum_create_payload(w: World, g: Sitting, who: str) -> dict:
        """A new forum of the sitting's organisation, monitoring one of its reviews: only
        that organisation's secretary or safeguarding team may set it up."""
        return {
            "organisation": str(w.orgs[g.org].pk),
            "name": f"Matrix forum of {g.org}",
            "short_name": f"MX {g.org}",
            "kind": "SAG",
            "cadence": "quarterly",
            "paper_deadline_days": "21",
            "monitored_reviews": str(w.reviews[FORUM_REVIEW[g.org]].pk),
        }

    def forum_edit_payload(w: World, g: Sitting, who: str) -> dict:
        """The forum's page with its terms changed and one of its organisation's reviews
        attached (what attaching a review to a forum sends)."""
        url = reverse("governance:forum_edit", args=forum_pk(w, g))
        return forms().read(
            url,
            terms_of_reference="Edited terms.",
            monitored_reviews=str(w.reviews[FORUM_REVIEW[g.org]].pk),
        )

    def paper_edit(w: World, g: Sitting, who: str) -> dict:
        draft = next(d for d in SITTINGS if d.org == g.org and not d.issued)
        url = reverse("governance:paper_edit", args=[w.papers[draft.key].pk])
        return forms().read(url, title="An edited paper")

    return [
        Row("home", "get", None, signed_in),
        Row("login", "get", None, anyone),
        Row(
            "login",
            "post",
            None,
            anyone,
            payload=lambda w, plan, who: {"username": "nobody", "password": "wrong"},
            may_change_nothing=True,
        ),
        Row("logout", "post", None, anyone, may_change_nothing=True),
        Row("notifications", "get", None, signed_in),
        Row("notifications_read", "post", None, signed_in, may_change_nothing=True),
        Row(
            "notification_preferences",
            "post",
            None,
            signed_in,
            payload=lambda w, plan, who: {"digest_frequency": "weekly"},
            may_change_nothing=True,
        ),
        Row("undelivered_reminders", "get", None, commissioner),
        Row("undelivered_reminders_retry", "post", None, commissioner),
        Row("reviews:list", "get", None, portfolio),
        Row("reviews:list", "get", None, portfolio, query=lambda w, plan: "q=MK-"),
        Row("reviews:create", "get", None, commissioner),
        Row("reviews:create", "post", None, commissioner, payload=review_create_payload),
        Row("reviews:detail", "get", SCENARIOS, reads_review, review_pk),
        Row("reviews:edit", "get", SCENARIOS, manages, review_pk),
        Row(
            "reviews:edit",
            "post",
            SCENARIOS,
            manages,
            review_pk,
            payload=edit("reviews:edit", review_pk, summary="Edited."),
        ),
        Row("reviews:detail", "get", IMRS, reads_review, review_pk),
        Row("reviews:edit", "get", IMRS, manages, review_pk),
        Row(
            "reviews:edit",
            "post",
            IMRS,
            manages,
            review_pk,
            payload=edit("reviews:edit", review_pk, summary="Edited."),
        ),
        Row("reviews:export", "get", SCENARIOS, exports_review, review_pk),
        Row("reviews:sharing", "get", SCENARIOS, shares_review, review_pk),
        Row(
            "reviews:sharing",
            "post",
            SCENARIOS,
            shares_review,
            review_pk,
            payload=lambda w, plan, who: {"organisation": w.orgs["PROV-B"].pk, "access": "read"},
        ),
        Row(
            "reviews:share_remove",
            "post",
            SCENARIOS,
            shares_review,
            share_pk,
            # Refused while the partner's provider has an action on it (docs/access.md).
            unchanged_for=("partner_contribute",),
        ),
        Row("reviews:recommendation_create", "get", SCENARIOS, manages, review_pk),
        Row(
            "reviews:recommendation_create",
            "post",
            SCENARIOS,
            manages,
            review_pk,
            payload=lambda w, plan, who: {"number": "99", "text": "Added.", "accepted": "on"},
        ),
        Row("reviews:recommendation_edit", "get", SCENARIOS, manages, recommendation_pk),
        Row(
            "reviews:recommendation_edit",
            "post",
            SCENARIOS,
            manages,
            recommendation_pk,
            payload=edit("reviews:recommendation_edit", recommendation_pk, text="Edited."),
        ),
        Row("actions:list", "get", None, lists_actions),
        Row(
            "actions:list",
            "get",
            SCENARIOS,
            lists_actions,
            query=lambda w, s: f"review={w.reviews[s.key].pk}&forum={w.forums[s.owner].pk}",
        ),
        Row(
            "actions:list",
            "get",
            SCENARIOS,
            lists_actions,
            query=lambda w, s: f"owner={w.orgs[s.provider].pk}&sort=review",
        ),
        Row(
            "actions:list",
            "get",
            SCENARIOS,
            lists_actions,
            query=lambda w, s: urlencode({"review": w.reviews[s.key].reference}),
        ),
        # The review box's suggestions, as the person types: part of a reference that
        # every scenario's review holds, then the scenario review's whole reference.
        Row(
            "actions:review_suggestions", "get", None, lists_actions, query=lambda w, p: "review=20"
        ),
        Row(
            "actions:review_suggestions",
            "get",
            SCENARIOS,
            lists_actions,
            query=lambda w, s: urlencode({"review": w.reviews[s.key].reference}),
        ),
        Row(
            "reviews:list",
            "get",
            FORUM_SITTINGS,
            portfolio,
            query=lambda w, g: f"forum={w.forums[g.org].pk}",
        ),
        Row("actions:export", "get", None, exports_action_list),
        Row(
            "actions:export",
            "get",
            SCENARIOS,
            exports_action_list,
            query=lambda w, s: f"review={w.reviews[s.key].pk}",
        ),
        Row(
            "actions:bulk",
            "post",
            SCENARIOS,
            manages,
            payload=lambda w, s, who: {
                "selected": [w.actions[s.key].pk],
                "operation": "add_note",
                "text": "A note for all.",
            },
        ),
        Row(
            "actions:bulk",
            "post",
            SCENARIOS,
            manages,
            payload=lambda w, s, who: {
                "selected": [w.actions[s.key].pk],
                "operation": "set_status",
                "status": "at_risk",
                "text": "Slipping across the plan.",
            },
        ),
        Row(
            "actions:detail",
            "get",
            SCENARIOS,
            sees_action,
            action_pk,
        ),
        Row(
            "actions:detail",
            "get",
            SCENARIOS,
            sees_action,
            action2_pk,
        ),
        Row("actions:edit", "get", SCENARIOS, manages, action_pk),
        Row(
            "actions:edit",
            "post",
            SCENARIOS,
            manages,
            action_pk,
            payload=edit("actions:edit", action_pk, expected_outcome="Edited."),
        ),
        Row(
            "actions:status",
            "post",
            SCENARIOS,
            updates,
            action_pk,
            payload=lambda w, s, who: {
                "status": "at_risk",
                "note": "Staff are away.",
                "version": w.actions[s.key].version,
            },
        ),
        Row(
            "actions:update_add",
            "post",
            SCENARIOS,
            updates,
            action_pk,
            payload=lambda w, s, who: {"text": "Progress."},
        ),
        Row(
            "actions:evidence_upload",
            "post",
            SCENARIOS,
            updates,
            action_pk,
            payload=lambda w, s, who: {
                "files": [samples.upload("f.csv", samples.CSV)],
                "description": "Ward audit",
            },
        ),
        Row(
            "actions:extension_request",
            "post",
            SCENARIOS,
            updates,
            action_pk,
            payload=lambda w, s, who: {"proposed_date": uk(200), "reason": "Staffing."},
        ),
        Row("actions:create", "get", SCENARIOS, manages, recommendation_pk),
        Row(
            "actions:create",
            "post",
            SCENARIOS,
            manages,
            recommendation_pk,
            payload=edit("actions:create", recommendation_pk, number="9", description="Added."),
        ),
        Row("actions:evidence_queue", "get", None, commissioner),
        Row(
            "actions:evidence_download",
            "get",
            SCENARIOS,
            downloads_evidence,
            evidence_pk,
        ),
        Row("actions:evidence_preview", "get", SCENARIOS, downloads_evidence, image_pk),
        Row(
            "actions:evidence_review",
            "post",
            SCENARIOS,
            manages,
            evidence_pk,
            payload=lambda w, s, who: {"decision": "accept"},
        ),
        Row(
            "actions:extension_decide",
            "post",
            SCENARIOS,
            manages,
            extension_pk,
            payload=lambda w, s, who: {"decision": "approve"},
        ),
        Row("governance:forum_list", "get", None, portfolio),
        Row("governance:forum_detail", "get", FORUM_SITTINGS, reads_forum, forum_pk),
        Row("governance:forum_create", "get", None, forum_holder),
        Row("governance:forum_edit", "get", FORUM_SITTINGS, holds_forums, forum_pk),
        # Another organisation's secretary or safeguarding team may neither set up a forum
        # for this organisation nor change its forum or the reviews the forum monitors.
        Row(
            "governance:forum_create",
            "post",
            FORUM_SITTINGS,
            holds_forums,
            payload=forum_create_payload,
        ),
        Row(
            "governance:forum_edit",
            "post",
            FORUM_SITTINGS,
            holds_forums,
            forum_pk,
            payload=forum_edit_payload,
        ),
        Row("governance:meeting_create", "get", FORUM_SITTINGS, arranges, forum_pk),
        Row(
            "governance:meeting_create",
            "post",
            FORUM_SITTINGS,
            arranges,
            forum_pk,
            payload=lambda w, g, who: {"held_on": uk(90), "location": "Teams"},
        ),
        Row("governance:meeting_list", "get", None, portfolio),
        Row("governance:meeting_detail", "get", FORUM_SITTINGS, reads_forum, meeting_pk),
        Row("governance:paper_create", "get", None, secretary),
        Row(
            "governance:paper_create",
            "get",
            FORUM_SITTINGS,
            arranges,
            query=lambda w, g: f"meeting={w.meetings[g.org].pk}",
        ),
        Row(
            "governance:paper_create",
            "post",
            FORUM_SITTINGS,
            arranges,
            payload=lambda w, g, who: paper_payload(w, g),
        ),
        Row("governance:paper_detail", "get", SITTINGS, reads_paper, paper_pk),
        Row("governance:paper_edit", "get", SITTINGS, arranges, paper_pk),
        Row("governance:paper_preview", "get", SITTINGS, reads_paper, paper_pk),
        Row("governance:paper_progress", "get", SITTINGS, reads_paper, paper_pk),
        Row("governance:paper_download", "get", SITTINGS, reads_paper, paper_pk),
        Row("governance:paper_download_docx", "get", SITTINGS, reads_paper, paper_pk),
        Row("governance:quarterly_report", "get", None, portfolio),
        Row(
            "governance:quarterly_report",
            "get",
            FORUM_SITTINGS,
            portfolio,
            query=lambda w, g: f"forum={w.forums[g.org].pk}",
        ),
        Row(
            "governance:quarterly_report_download",
            "get",
            None,
            exporter,
            lambda w, _plan: ["docx"],
        ),
        Row("governance:slippage", "get", None, portfolio),
        Row("reviews:theme_list", "get", None, portfolio),
        Row("reviews:theme_detail", "get", None, portfolio, lambda w, _plan: [w.theme.pk]),
        Row("reviews:recommendation_detail", "get", SCENARIOS, reads_review, recommendation_pk),
        Row("reviews:repeated_learning", "get", None, portfolio),
        # Posted with every scenario's recommendation: only the ones the person may change
        # are tagged; with none of them, nothing is (and the page says so).
        Row(
            "reviews:theme_suggestion_accept",
            "post",
            SCENARIOS,
            manages,
            payload=lambda w, s, who: {
                "name": "Matrix suggestion",
                "recommendations": str(w.recommendations[s.key].pk),
            },
        ),
        # Building and issuing are handed to the paper builder once the request commits
        # (never, in a test): the claim on the row is what the request itself writes.
        Row(
            "governance:paper_build", "post", SITTINGS, arranges, paper_pk, may_change_nothing=True
        ),
        Row(
            "governance:paper_issue", "post", SITTINGS, arranges, paper_pk, may_change_nothing=True
        ),
        Row(
            "governance:paper_new_version",
            "post",
            SITTINGS,
            arranges,
            paper_pk,
            may_change_nothing=True,  # only an issued paper has a next version
        ),
        # Last of the paper rows: saving a draft deletes its built PDF from storage, which
        # the savepoint cannot put back.
        Row(
            "governance:paper_edit",
            "post",
            SITTINGS,
            arranges,
            paper_pk,
            payload=paper_edit,
            may_change_nothing=True,  # an issued paper is not changed: a new version is
        ),
        Row("imports:start", "get", None, commissioner),
        Row(
            "imports:start",
            "post",
            None,
            commissioner,
            payload=lambda w, plan, who: {"file": plan_csv()},
        ),
        Row("imports:template", "get", None, commissioner),
        Row("imports:detail", "get", IMPORTS, uploader, import_pk),
        Row("imports:columns", "get", IMPORTS, uploader, import_pk),
        Row(
            "imports:columns",
            "post",
            IMPORTS,
            uploader,
            import_pk,
            payload=import_columns_payload,
        ),
        Row("imports:preview", "get", IMPORTS, uploader, import_pk),
        Row("imports:answers", "post", IMPORTS, uploader, import_pk, may_change_nothing=True),
        Row("imports:commit", "post", IMPORTS, uploader, import_pk),
        Row("imports:discard", "post", IMPORTS, uploader, import_pk),
        Row("accounts:password_reset", "get", None, anyone),
        Row("accounts:password_reset_done", "get", None, anyone),
        Row(
            "accounts:password_reset_confirm",
            "get",
            None,
            anyone,
            lambda w, plan: ["MQ", "no-token"],
        ),
        Row("accounts:password_reset_complete", "get", None, anyone),
        Row(
            "accounts:password_reset_confirm",
            "post",
            None,
            anyone,
            lambda w, plan: ["MQ", "no-token"],
            payload=lambda w, plan, who: {"new_password1": "x", "new_password2": "x"},
            may_change_nothing=True,
        ),
        Row("mfa:manage", "get", None, signed_in),
        # The second factor is each person's own, and the cast has passed it: the posts
        # send them on and change nothing of the tracker.
        Row("mfa:enrol", "get", None, signed_in),
        Row("mfa:enrol", "post", None, signed_in, may_change_nothing=True),
        Row("mfa:verify", "get", None, signed_in),
        Row(
            "mfa:verify",
            "post",
            None,
            signed_in,
            payload=lambda w, plan, who: {"code": "000000"},
            may_change_nothing=True,
        ),
        Row("mfa:verify_recovery", "get", None, signed_in),
        Row("mfa:verify_recovery", "post", None, signed_in, may_change_nothing=True),
        Row("mfa:recovery_codes", "get", None, signed_in),
        Row("mfa:recovery_codes", "post", None, signed_in, may_change_nothing=True),
        # The admin is for administrators (superusers); none of these roles is staff. Its
        # own routes are Django's; these are the doors to the tracker's data in it.
        Row("admin:index", "get", None, nobody),
        Row("admin:reviews_review_changelist", "get", None, nobody),
        Row("admin:actions_action_changelist", "get", None, nobody),
        Row("admin:audit_auditentry_changelist", "get", None, nobody),
        Row("admin:audit_auditentry_export", "get", None, nobody),
        Row(
            "admin:reviews_review_change",
            "get",
            SCENARIOS,
            nobody,
            review_pk,
        ),
        # Sent with no code: refused for everyone (422), so it changes nothing.
        Row("mfa:recovery_codes_new", "post", None, signed_in, may_change_nothing=True),
        # Search finds every marker for someone, and none for anyone who may not read it.
        Row("search", "get", None, signed_in, query=lambda w, plan: "q=MK"),
        Row("search", "get", None, signed_in, query=lambda w, plan: "q=MK&kind=update"),
        Row("feeds:manage", "get", None, signed_in),
        Row("feeds:create", "post", None, signed_in, may_change_nothing=True),
        Row("feeds:revoke", "post", None, signed_in, may_change_nothing=True),
        Row("feeds:feed", "get", None, nobody, lambda w, plan: ["not-a-secret"]),
        Row(
            "api_tokens:create",
            "post",
            None,
            signed_in,
            payload=lambda w, plan, who: {"name": "Power BI", "scope": "read", "days": "90"},
            may_change_nothing=True,  # tokens are not tracker data
        ),
        Row("api_tokens:revoke", "post", None, nobody, lambda w, plan: [GHOST]),
        # The API with each person's session: the same answers and text as the pages.
        Row("api:docs", "get", None, signed_in),
        Row("api:schema", "get", None, signed_in),
        Row("api:v1:review-list", "get", None, signed_in),
        Row("api:v1:review-detail", "get", SCENARIOS, reads_review, review_pk),
        Row("api:v1:recommendation-list", "get", None, signed_in),
        Row("api:v1:recommendation-detail", "get", SCENARIOS, reads_review, recommendation_pk),
        Row("api:v1:action-list", "get", None, signed_in),
        Row(
            "api:v1:action-list",
            "get",
            SCENARIOS,
            signed_in,
            query=lambda w, s: f"review={w.reviews[s.key].pk}&page_size=500",
        ),
        Row("api:v1:action-detail", "get", SCENARIOS, sees_action, action_pk),
        Row("api:v1:action-detail", "get", SCENARIOS, sees_action, action2_pk),
        Row(
            "api:v1:action-add-update",
            "post",
            SCENARIOS,
            updates,
            action_pk,
            payload=lambda w, s, who: {"text": "Progress."},
        ),
        Row(
            "api:v1:action-set-status",
            "post",
            SCENARIOS,
            updates,
            action_pk,
            payload=lambda w, s, who: {
                "status": "at_risk",
                "note": "Staff are away.",
                "version": w.actions[s.key].version,
            },
        ),
        Row("api:v1:progress-update-list", "get", None, signed_in),
        Row("api:v1:progress-update-detail", "get", SCENARIOS, sees_action, update_pk),
        Row("api:v1:evidence-list", "get", None, signed_in),
        Row("api:v1:evidence-detail", "get", SCENARIOS, sees_action, evidence_pk),
        Row("api:v1:forum-list", "get", None, signed_in),
        Row("api:v1:forum-detail", "get", FORUM_SITTINGS, reads_forum, forum_pk),
        Row("api:v1:meeting-list", "get", None, signed_in),
        Row("api:v1:meeting-detail", "get", FORUM_SITTINGS, reads_forum, meeting_pk),
        Row("api:v1:paper-list", "get", None, signed_in),
        Row("api:v1:paper-detail", "get", SITTINGS, reads_paper, paper_pk),
        Row(
            "api:v1:paper-pdf",
            "get",
            SITTINGS,
            lambda p, g: reads_paper(p, g) and g.issued,
            paper_pk,
        ),
    ]


def app_routes() -> set[str]:
    return {name for _route, name in iter_patterns() if name and not name.startswith("admin:")}


def test_every_route_of_the_app_has_a_row_in_the_organisation_matrix():
    every_row = rows(lambda: None)  # type: ignore[arg-type,return-value]
    covered = {row.name for row in every_row if not row.name.startswith("admin:")}
    missing = app_routes() - covered
    assert not missing, f"routes with no cross-organisation rows: {sorted(missing)}"
    unknown = covered - app_routes()
    assert not unknown, f"rows for routes that no longer exist: {sorted(unknown)}"


# --- Reading an answer ------------------------------------------------------------------


def body_text(response) -> str:
    """What the person received, as text: pages, files, and the cells of a workbook."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(XLSX):
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for line in sheet.iter_rows(values_only=True)
            for value in line
            if value is not None
        ]
        return "\n".join(cells)
    return content.decode("utf-8", errors="replace")


def to_sign_in(response) -> bool:
    sign_in = (reverse("login"), reverse("admin:login"))
    return response.status_code == 302 and response["Location"].startswith(sign_in)


def success(response) -> bool:
    return 200 <= response.status_code < 400 and not to_sign_in(response)


@dataclass
class Tally:
    requests: int = 0
    leaks: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    no_effect: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    baseline: str = ""
    shown: set[str] = field(default_factory=set)
    disclosed: list[str] = field(default_factory=list)


def test_it_leaks_nothing_across_organisations(cast):
    world = build_world(cast)
    payload_forms = Forms(world)  # signed in here, outside the savepoints

    def forms() -> Forms:
        return payload_forms

    clients: dict[str, VerifiedClient] = {}
    for person in PEOPLE:
        client = VerifiedClient(raise_request_exception=False)
        if person.signed_in:
            client.force_login(world.users[person.name])
        clients[person.name] = client
    tally = Tally(baseline=fingerprint())
    for row in rows(forms):
        # The same route for an object that does not exist: what someone who may not
        # see an object must get for it, so that its existence is not told either.
        ghosts: dict[str, int] = {}
        for plan in row.plans if row.plans is not None else [None]:
            url = reverse(row.name, args=row.args(world, plan))
            query = row.query(world, plan)
            url = f"{url}?{query}" if query else url
            for person in PEOPLE:
                client = clients[person.name]
                code = check(row, plan, person, url, world, client, tally)
                if row.sees is None or row.sees(person, plan):
                    continue
                if person.name not in ghosts:
                    ghost = [GHOST if isinstance(a, int) else a for a in row.args(world, plan)]
                    ghosts[person.name] = send(
                        row, reverse(row.name, args=ghost), {}, client, tally.baseline
                    )[0].status_code
                    tally.requests += 1
                if code != ghosts[person.name]:
                    tally.disclosed.append(
                        f"{row.method.upper()} {row.name} [{plan.key}] as {person.name}: "
                        f"{code}, where a missing one is {ghosts[person.name]}"
                    )
    print(f"\norganisation matrix: {tally.requests} requests, {len(tally.leaks)} leaks")
    assert not tally.errors, "server errors:\n" + "\n".join(tally.errors)
    assert not tally.leaks, "leaks:\n" + "\n".join(tally.leaks)
    assert not tally.disclosed, "existence told:\n" + "\n".join(tally.disclosed)
    assert not tally.refused, "refused to someone the rules allow:\n" + "\n".join(tally.refused)
    assert not tally.no_effect, "allowed posts that saved nothing:\n" + "\n".join(tally.no_effect)
    # Each marker is found where someone may read it: else searching for it proves nothing.
    readable = {m for p in PEOPLE for m in ALL_MARKERS if m not in forbidden_markers(p)}
    assert tally.shown == readable, f"markers never shown: {sorted(readable - tally.shown)}"


GHOST = 999_999


def send(row: Row, url: str, data: dict, client, baseline: str) -> tuple[Any, bool, str]:
    """The answer, whether the database changed, and the answer as text. Each request
    meets the same world and the same session: the savepoint undoes its writes (the
    session row included), and the cookies it set (a sign-out, a flashed message) are
    put back. `baseline` is the world's fingerprint, the same before every request."""
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    with transaction.atomic():
        response = client.post(url, data) if row.method == "post" else client.get(url)
        changed = row.method == "post" and fingerprint() != baseline
        text = body_text(response) if response.status_code != 302 else ""
        transaction.set_rollback(True)
    client.cookies = SimpleCookie(cookies)
    return response, changed, text


def check(row: Row, plan, person: Person, url: str, world: World, client, tally: Tally) -> int:
    allowed = row.allowed(person, plan) if row.plans is not None else row.allowed(person)
    where = f"{row.method.upper()} {row.name} [{getattr(plan, 'key', '-')}] as {person.name}"
    data = row.payload(world, plan, person.name) if row.payload and row.method == "post" else {}
    response, changed, text = send(row, url, data, client, tally.baseline)
    tally.requests += 1
    code = response.status_code
    if code >= 500:
        tally.errors.append(f"{where}: {code}")
        return code
    tally.shown.update(m for m in ALL_MARKERS if m in text)
    seen = [m for m in forbidden_markers(person) if m in text]
    if seen:
        tally.leaks.append(f"{where}: {code}, shows {', '.join(seen)}")
    if not allowed:
        if row.method == "post" and changed:
            tally.leaks.append(f"{where}: {code}, and the write was saved")
        elif row.method == "get" and success(response):
            tally.leaks.append(f"{where}: {code} {response.get('Location', '')}".rstrip())
        elif row.method == "post" and 200 <= code < 300:
            tally.leaks.append(f"{where}: {code} (the form was processed)")
        return code
    if code in (403, 404) or (to_sign_in(response) and row.name != "logout"):
        tally.refused.append(f"{where}: {code}")
    elif (
        row.method == "post"
        and not changed
        and not row.may_change_nothing
        and getattr(plan, "key", None) not in row.unchanged_for
    ):
        tally.no_effect.append(f"{where}: {code}")
    return code
