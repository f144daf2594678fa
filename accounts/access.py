"""The access policy: who may read what, and who may do what to it (docs/access.md).

Two kinds of answer, both here so that they cannot disagree:

- the read scopes, as `Q` objects, behind every model's `visible_to(user)` queryset
  method, the one choke point for reads;
- `may(user, verb, obj)`, asked by services before every write, by views before
  showing a form or a link, by templates (`{% may %}`), and by anything else that needs
  to know, with `require(...)` raising PermissionDenied.

The rules, in short: a review is owned by one commissioning organisation and reaches
another organisation only through a share (read, or contribute as commissioner).
Commissioners, secretaries and viewers act only within the reviews their organisation
owns or has been shared; providers reach the actions assigned to their organisation,
whoever owns the review; restricted reviews only the people named on them.

This module imports no models at load time: the models' querysets import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.choices import PROVIDER_ROLES, REVIEW_OWNER_KINDS, Role
from actions.choices import COMMISSIONER_ONLY_STATUSES, PROVIDER_SETTABLE_STATUSES, Status
from governance.choices import PaperState
from reviews.choices import ShareAccess

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from reviews.models import Review

    Person = User | AnonymousUser


class Verb(StrEnum):
    """What a person may want to do. Each is answered by `may` below."""

    # The organisation-wide pages: the review and action lists, the dashboard, forums.
    READ_PORTFOLIO = "read_portfolio"
    # The action list and its filters: the portfolio's people, and a provider for its
    # own organisation's actions (what the list holds: action_list_q).
    READ_ACTION_LIST = "read_action_list"
    # Register a review or import a plan (obj: None, or the organisation to own it).
    CREATE_REVIEW = "create_review"
    # Change a review, its recommendations and actions; accept or reject evidence and
    # extensions; assure and close (obj: a review or anything hanging on one; None asks
    # whether the person is on any organisation's safeguarding team).
    MANAGE = "manage"
    # Share a review with a partner organisation, or stop sharing it (obj: a review).
    SHARE = "share"
    # Post progress, move the status along, upload evidence, ask for more time
    # (obj: an action).
    UPDATE = "update"
    # Open the raw file of evidence (obj: evidence the person already sees).
    DOWNLOAD_EVIDENCE = "download_evidence"
    # Take action plans away in a file (obj: None for the action list, or a review).
    EXPORT = "export"
    # Take the action list away in a file: whoever may export, and a provider its own
    # organisation's actions only (action_list_q, exporting=True).
    EXPORT_ACTION_LIST = "export_action_list"
    # Arrange meetings and build and issue papers (obj: None, a forum, meeting or paper).
    MANAGE_PAPERS = "manage_papers"
    # See papers before they are issued (obj: a forum, meeting or paper).
    SEE_DRAFT_PAPERS = "see_draft_papers"
    # Set up a forum and change its terms and the reviews it monitors (obj: None, the
    # organisation to hold a new forum, or a forum).
    MANAGE_FORUMS = "manage_forums"


# Per-person grants an administrator gives in the admin (User permissions) to someone
# whose role alone does not allow it: a lay viewer, usually.
DOWNLOAD_EVIDENCE_PERMISSION = "actions.download_evidence"
EXPORT_PERMISSION = "governance.export_action_plans"

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Reach:
    """Where a person's roles are held: the organisation ids for each role."""

    active: bool
    admin: bool
    commissioner: frozenset[int]
    secretary: frozenset[int]
    viewer: frozenset[int]
    provider: frozenset[int]

    @property
    def portfolio(self) -> frozenset[int]:
        """Organisations in which the person reads the portfolio."""
        return self.commissioner | self.secretary | self.viewer


def reach(user: Person) -> Reach:
    """The person's roles by organisation, worked out once per request (it is kept on
    the user object, which lives for one request)."""
    cached = getattr(user, "_access_reach", None)
    if cached is not None:
        return cached
    active = bool(user.is_authenticated and user.is_active)
    memberships: list[tuple[str, int, str]] = (
        user._memberships if user.is_authenticated and active else []
    )

    def held(*roles: str) -> frozenset[int]:
        return frozenset(org for role, org, _kind in memberships if role in roles)

    found = Reach(
        active=active,
        admin=active and bool(user.is_superuser),
        commissioner=held(Role.SAFEGUARDING_LEAD),
        secretary=held(Role.COMMITTEE_SECRETARY),
        viewer=held(Role.VIEWER),
        provider=held(*PROVIDER_ROLES),
    )
    if user.is_authenticated:
        user._access_reach = found
    return found


# --- Read scopes (the visible_to choke points) ------------------------------------


def _named_review_ids(user: Person) -> QuerySet:
    Review = apps.get_model("reviews", "Review")
    return Review.named_people.through.objects.filter(user_id=user.pk).values("review_id")


def shared_review_ids(organisation_ids: frozenset[int], *, access: str | None = None) -> QuerySet:
    """Reviews shared with any of these organisations (with this access, if given)."""
    shares = apps.get_model("reviews", "ReviewShare").objects.filter(
        organisation_id__in=organisation_ids
    )
    if access is not None:
        shares = shares.filter(access=access)
    return shares.values("review_id")


def _org_reaches_q(organisation_ids: frozenset[int], p: str) -> Q:
    """Reviews (at path p) that these organisations own or have been shared."""
    return Q(**{f"{p}owner_id__in": organisation_ids}) | Q(
        **{f"{p}pk__in": shared_review_ids(organisation_ids)}
    )


def _portfolio_q(user: Person, r: Reach, p: str) -> Q:
    grant = Q(**{f"{p}pk__in": _named_review_ids(user)})
    if r.portfolio:
        grant |= Q(**{f"{p}restricted": False}) & _org_reaches_q(r.portfolio, p)
    return grant


def review_read_q(user: Person, *, to_review: str) -> Q:
    """The reviews a person reads; `to_review` is the lookup path from the model being
    filtered to its review ("" on Review itself)."""
    r = reach(user)
    if not r.active:
        return NOTHING
    if r.admin:
        return Q()
    p = to_review
    grant = _portfolio_q(user, r, p)
    if r.provider:
        Action = apps.get_model("actions", "Action")
        Recommendation = apps.get_model("reviews", "Recommendation")
        carrying = Action.objects.filter(owner_organisation_id__in=r.provider)
        addressed = Recommendation.objects.filter(addressed_to_id__in=r.provider)
        grant |= Q(**{f"{p}restricted": False}) & (
            Q(**{f"{p}pk__in": carrying.values("recommendation__review_id")})
            | Q(**{f"{p}pk__in": addressed.values("review_id")})
        )
    return grant


def recommendation_read_q(user: Person) -> Q:
    """Recommendations of the reviews a person reads; providers only those addressed to
    them or carrying their actions, never a restricted review's."""
    r = reach(user)
    if not r.active:
        return NOTHING
    if r.admin:
        return Q()
    grant = _portfolio_q(user, r, "review__")
    if r.provider:
        Action = apps.get_model("actions", "Action")
        carrying = Action.objects.filter(owner_organisation_id__in=r.provider)
        grant |= Q(review__restricted=False) & (
            Q(addressed_to_id__in=r.provider) | Q(pk__in=carrying.values("recommendation_id"))
        )
    return grant


def action_read_q(user: Person) -> Q:
    """Actions of the reviews a person reads; a provider every action assigned to its
    organisation, a restricted review's included (it is their work), whoever owns the
    review."""
    r = reach(user)
    if not r.active:
        return NOTHING
    if r.admin:
        return Q()
    # The same rule as _portfolio_q on the review, read from the keys the database
    # copies onto each action (Action.listed_*): no join, so the action list's indexes
    # serve its filters and order.
    grant = Q(listed_review_id__in=_named_review_ids(user))
    if r.portfolio:
        grant |= Q(listed_review_restricted=False) & (
            Q(listed_review_owner_id__in=r.portfolio)
            | Q(listed_review_id__in=shared_review_ids(r.portfolio))
        )
    if r.provider:
        grant |= Q(owner_organisation_id__in=r.provider)
    return grant


def action_managed_q(user: Person) -> Q:
    """Actions of the reviews a person may change (Verb.MANAGE): managed_review_q,
    read from the keys the database copies onto each action (Action.listed_*), as
    action_read_q is. Through the recommendation and review joins, counting the
    evidence waiting for the team's decision read every action of the portfolio
    (108 ms at 100,000 actions)."""
    return _managed_q(
        user,
        owner="listed_review_owner_id",
        review="listed_review_id",
        restricted="listed_review_restricted",
    )


def action_list_q(user: Person, *, exporting: bool = False) -> Q:
    """What the action list holds of the actions a person sees (and, exporting, its
    Excel export): all of them for the portfolio's people (exporting: for those who may
    export); for anyone else only the actions assigned to their provider organisations,
    never another organisation's, not even of a restricted review they are named on."""
    r = reach(user)
    if not r.active:
        return NOTHING
    whole = _exports(user, r, None) if exporting else (r.admin or bool(r.portfolio))
    if whole:
        return Q()
    if not r.provider:
        return NOTHING
    return Q(owner_organisation_id__in=r.provider)


def forum_read_q(user: Person, *, to_forum: str = "") -> Q:
    """Forums (and through them meetings and papers) of the organisations in which the
    person reads the portfolio; providers see their actions, not forums."""
    r = reach(user)
    if not r.active or not (r.admin or r.portfolio):
        return NOTHING
    if r.admin:
        return Q()
    return Q(**{f"{to_forum}organisation_id__in": r.portfolio})


def paper_read_q(user: Person) -> Q:
    """Papers of the forums a person sees: drafts for the secretaries and commissioners
    of the forum's organisation, issued papers for its viewers too."""
    r = reach(user)
    if not r.active:
        return NOTHING
    if r.admin:
        return Q()

    drafting = r.secretary | r.commissioner
    return Q(meeting__forum__organisation_id__in=drafting) | Q(
        meeting__forum__organisation_id__in=r.viewer, state=PaperState.ISSUED
    )


def paper_managing_q(user: Person, *, to_forum: str = "") -> Q:
    """Forums (at path to_forum) whose meetings and papers the person arranges
    (Verb.MANAGE_PAPERS), as a filter."""
    r = reach(user)
    if not r.active:
        return NOTHING
    if r.admin:
        return Q()
    return Q(**{f"{to_forum}organisation_id__in": r.secretary})


def managed_review_q(user: Person, *, to_review: str) -> Q:
    """The reviews a person may change (Verb.MANAGE), as a filter."""
    p = to_review
    return _managed_q(user, owner=f"{p}owner_id", review=f"{p}pk", restricted=f"{p}restricted")


def _managed_q(user: Person, *, owner: str, review: str, restricted: str) -> Q:
    """Verb.MANAGE's rule over the named fields: the review's owner organisation, its id
    and whether it is restricted (on the review itself, or as copied onto an action)."""
    r = reach(user)
    if not r.active:
        return NOTHING
    if r.admin:
        return Q()
    if not r.commissioner:
        return NOTHING
    contributes = shared_review_ids(r.commissioner, access=ShareAccess.CONTRIBUTE)
    org = Q(**{f"{owner}__in": r.commissioner}) | Q(**{f"{review}__in": contributes})
    open_to = Q(**{restricted: False}) | Q(**{f"{review}__in": _named_review_ids(user)})
    return org & open_to


# --- The verbs -----------------------------------------------------------------------


def review_of(obj: Any) -> Review:
    """The review anything in a plan hangs on."""
    Review = apps.get_model("reviews", "Review")
    if isinstance(obj, Review):
        return obj
    for path in ("review", "recommendation", "action"):
        if hasattr(obj, path):
            return review_of(getattr(obj, path))
    raise TypeError(f"{type(obj).__name__} does not hang on a review")


def _forum_organisation_id(obj: Any) -> int:
    Forum = apps.get_model("governance", "Forum")
    Meeting = apps.get_model("governance", "Meeting")
    if isinstance(obj, Forum):
        return obj.organisation_id
    if isinstance(obj, Meeting):
        return obj.forum.organisation_id
    return obj.meeting.forum.organisation_id


def _is_named(user: Person, review: Review) -> bool:
    if not user.is_authenticated:
        return False  # no one anonymous is named on a review
    return review.named_people.filter(pk=user.pk).exists()


def _org_reaches(
    organisation_ids: frozenset[int], review: Review, access: str | None = None
) -> bool:
    if not organisation_ids:
        return False
    if access is None and review.owner_id in organisation_ids:
        return True

    if access == ShareAccess.CONTRIBUTE and review.owner_id in organisation_ids:
        return True
    shares = review.shares.filter(organisation_id__in=organisation_ids)
    if access is not None:
        shares = shares.filter(access=access)
    return shares.exists()


def _reads_review_in_role(user: Person, organisation_ids: frozenset[int], review: Review) -> bool:
    """Whether the person reads this review through a role held in one of these
    organisations (or by being named on it)."""
    if review.restricted:
        return _is_named(user, review)
    return _org_reaches(organisation_ids, review)


def _manages(user: Person, r: Reach, review: Review) -> bool:
    if r.admin:
        return True
    if not r.commissioner:
        return False
    # A page asks this several times of one review (may it update, manage, which
    # statuses): answered once per request, kept on the user object like the reach.
    answers: dict[int, bool] = user.__dict__.setdefault("_access_manages", {})
    if review.pk not in answers:
        answers[review.pk] = not (review.restricted and not _is_named(user, review)) and (
            _org_reaches(r.commissioner, review, ShareAccess.CONTRIBUTE)
        )
    return answers[review.pk]


def may(user: Person, verb: Verb | str, obj: Any = None) -> bool:
    """Whether this person may do this to this object (docs/access.md)."""
    r = reach(user)
    if not r.active:
        return False
    verb = Verb(verb)
    if verb is Verb.READ_PORTFOLIO:
        return r.admin or bool(r.portfolio)
    if verb is Verb.READ_ACTION_LIST:
        return r.admin or bool(r.portfolio or r.provider)
    if verb is Verb.CREATE_REVIEW:
        if obj is None:
            return r.admin or bool(r.commissioner)
        return r.admin or obj.pk in r.commissioner
    if verb is Verb.MANAGE:
        if obj is None:  # on the safeguarding team of some organisation
            return r.admin or bool(r.commissioner)
        return _manages(user, r, review_of(obj))
    if verb is Verb.SHARE:
        review = review_of(obj)
        return r.admin or (review.owner_id in r.commissioner and _manages(user, r, review))
    if verb is Verb.UPDATE:
        return obj.owner_organisation_id in r.provider or _manages(user, r, review_of(obj))
    if verb is Verb.DOWNLOAD_EVIDENCE:
        return _downloads_evidence(user, r, obj)
    if verb is Verb.EXPORT:
        return _exports(user, r, obj)
    if verb is Verb.EXPORT_ACTION_LIST:
        return bool(r.provider) or _exports(user, r, None)
    if verb is Verb.MANAGE_PAPERS:
        if obj is None:
            return r.admin or bool(r.secretary)
        return r.admin or _forum_organisation_id(obj) in r.secretary
    if verb is Verb.SEE_DRAFT_PAPERS:
        return r.admin or _forum_organisation_id(obj) in (r.secretary | r.commissioner)
    if verb is Verb.MANAGE_FORUMS:
        holders = r.secretary | r.commissioner
        if obj is None:
            return r.admin or bool(holders)
        Organisation = apps.get_model("accounts", "Organisation")
        organisation_id = obj.pk if isinstance(obj, Organisation) else obj.organisation_id
        return r.admin or organisation_id in holders
    raise ValueError(verb)  # pragma: no cover - every Verb is answered above


def require(user: Person, verb: Verb | str, obj: Any = None, message: str = "") -> None:
    """`may`, or PermissionDenied with a message a person can act on."""
    if not may(user, verb, obj):
        raise PermissionDenied(message or REFUSALS[Verb(verb)])


REFUSALS: dict[Verb, str] = {
    Verb.READ_PORTFOLIO: "These pages are for the safeguarding team and committees.",
    Verb.READ_ACTION_LIST: "The action list is for the safeguarding team, committees and "
    "the providers the actions are assigned to.",
    Verb.CREATE_REVIEW: "Only the safeguarding team can register reviews and import plans.",
    Verb.MANAGE: "Only the safeguarding team that owns this review, or a partner it is "
    "shared with to contribute, can change it.",
    Verb.SHARE: "Only the safeguarding team of the organisation that owns this review can "
    "share it.",
    Verb.UPDATE: "Only the organisation the action is assigned to, or the safeguarding "
    "team, can update it.",
    Verb.DOWNLOAD_EVIDENCE: "You can see that this evidence exists, but not open it: ask an "
    "administrator if you need to.",
    Verb.EXPORT: "You may not export action plans; ask an administrator if you need to.",
    Verb.EXPORT_ACTION_LIST: "You may not export the action list; ask an administrator if "
    "you need to.",
    Verb.MANAGE_PAPERS: "Only the committee secretaries of the forum's organisation arrange "
    "its meetings and papers.",
    Verb.SEE_DRAFT_PAPERS: "Papers are shown once issued.",
    Verb.MANAGE_FORUMS: "Only the committee secretaries and safeguarding team of the "
    "forum's organisation set up and change its forums.",
}


def _downloads_evidence(user: Person, r: Reach, evidence: Any) -> bool:
    """Raw evidence: administrators; the provider the action is assigned to (they
    uploaded it); commissioners and secretaries whose organisation reaches the review
    (secretaries put it in front of the forums); anyone else who reads the review only
    with the per-person grant."""
    if r.admin or evidence.action.owner_organisation_id in r.provider:
        return True
    review = review_of(evidence)
    if _reads_review_in_role(user, r.commissioner | r.secretary, review):
        return True
    if not user.has_perm(DOWNLOAD_EVIDENCE_PERMISSION):
        return False
    Evidence = apps.get_model("actions", "Evidence")
    return Evidence.objects.visible_to(user).filter(pk=evidence.pk).exists()


def _exports(user: Person, r: Reach, review: Review | None) -> bool:
    """Excel exports: the safeguarding team and secretaries as part of their role, a
    viewer only with the grant, a provider never; a restricted review's plan only to the
    people named on it, administrators included."""
    by_role = r.admin or bool(r.commissioner or r.secretary)
    # has_perm costs two queries: asked only when the role does not settle it.
    if not by_role and not (r.viewer and user.has_perm(EXPORT_PERMISSION)):
        return False
    if review is None:
        return True
    if review.restricted:
        return _is_named(user, review)
    if r.admin:
        return True
    return _org_reaches(r.portfolio, review)


def settable_statuses(user: Person, action: Any) -> list[str]:
    """The statuses this person may set on this action: every one for the safeguarding
    team that manages it; the provider's own set for the provider, and none once the
    action is assured or closed (only commissioners undo that)."""

    r = reach(user)
    if _manages(user, r, review_of(action)) if r.active else False:
        return list(Status.values)
    if (
        action.owner_organisation_id not in r.provider
        or action.status in COMMISSIONER_ONLY_STATUSES
    ):
        return []
    return [s for s in Status.values if s in PROVIDER_SETTABLE_STATUSES]


# --- What may be attached to a review ----------------------------------------------
#
# Every foreign key that joins a review to an organisation, a forum, another review or a
# person is limited to the review's own circle, so that nothing is shown to, or assigned
# across, an organisation the owner has not shared it with.


def review_circle_ids(review: Review) -> frozenset[int]:
    """The owner and every partner the review is shared with."""
    partners = review.shares.values_list("organisation_id", flat=True) if review.pk else []
    return frozenset({review.owner_id, *partners})


def _commissioning_circle_ids(review: Review) -> frozenset[int]:

    if not review.pk:
        return frozenset({review.owner_id})
    contributors = review.shares.filter(access=ShareAccess.CONTRIBUTE).values_list(
        "organisation_id", flat=True
    )
    return frozenset({review.owner_id, *contributors})


def assignable_organisations(review: Review) -> QuerySet:
    """Organisations an action or recommendation of this review may go to: the owner,
    its partners, and the providers that work with the owner or a contributing partner."""
    Organisation = apps.get_model("accounts", "Organisation")
    return Organisation.objects.filter(
        Q(pk__in=review_circle_ids(review))
        | Q(commissioned_by__in=_commissioning_circle_ids(review))
    ).distinct()


def assignable_forums(review: Review) -> QuerySet:
    """Forums that may monitor this review or its actions: the owner's and partners'."""
    Forum = apps.get_model("governance", "Forum")
    return Forum.objects.filter(organisation_id__in=review_circle_ids(review))


def assignable_people(review: Review) -> QuerySet:
    """People who may lead an action of, or be named on, this review: active members of
    the organisations it may be assigned to."""
    User = apps.get_model("accounts", "User")
    return User.objects.filter(
        is_active=True, memberships__organisation__in=assignable_organisations(review)
    ).distinct()


def owner_choices(user: Person) -> QuerySet:
    """Organisations a person may register a review for."""

    Organisation = apps.get_model("accounts", "Organisation")
    r = reach(user)
    owners = Organisation.objects.filter(kind__in=REVIEW_OWNER_KINDS)
    return owners if r.admin else owners.filter(pk__in=r.commissioner)


def forum_choices(user: Person) -> QuerySet:
    """Forums a person may put a review under: those of the organisations in which they
    are a commissioner (or all, for an administrator)."""
    Forum = apps.get_model("governance", "Forum")
    r = reach(user)
    return (
        Forum.objects.all() if r.admin else Forum.objects.filter(organisation_id__in=r.commissioner)
    )


def forum_holder_choices(user: Person) -> QuerySet:
    """Organisations in which a person may set up a forum (Verb.MANAGE_FORUMS)."""
    Organisation = apps.get_model("accounts", "Organisation")
    r = reach(user)
    if r.admin:
        return Organisation.objects.filter(kind__in=REVIEW_OWNER_KINDS)
    return Organisation.objects.filter(pk__in=r.secretary | r.commissioner)


def monitorable_reviews(user: Person, organisation_ids: frozenset[int] | set[int]) -> QuerySet:
    """Reviews a forum of one of these organisations may be set to monitor by this
    person: non-restricted reviews they read whose circle holds the organisation (its
    own, or shared with it). A restricted review is never put in front of a forum from
    here: papers leave restricted reviews out."""
    Review = apps.get_model("reviews", "Review")
    in_circle = Q(owner_id__in=organisation_ids) | Q(
        pk__in=shared_review_ids(frozenset(organisation_ids))
    )
    return Review.objects.filter(review_read_q(user, to_review="")).filter(
        in_circle, restricted=False
    )


def reachable_organisations(user: Person) -> QuerySet:
    """Every organisation in the circles of the reviews this person manages, with the
    organisations in which they are on the safeguarding team and the providers working
    with those: whom they may assign work to or name at all."""
    Organisation = apps.get_model("accounts", "Organisation")
    r = reach(user)
    if r.admin:
        return Organisation.objects.all()
    Review = apps.get_model("reviews", "Review")
    ReviewShare = apps.get_model("reviews", "ReviewShare")
    works_with = Organisation.commissioned_by.through.objects
    managed = Review.objects.filter(managed_review_q(user, to_review=""))
    # Asked organisation by organisation (EXISTS, on the owner and partner indexes):
    # joining every managed review to its owner and partners, then DISTINCT, read the
    # whole portfolio on every page that offers a lead or an organisation.
    return Organisation.objects.filter(
        Q(pk__in=r.commissioner)
        | Q(
            pk__in=works_with.filter(to_organisation_id__in=r.commissioner).values(
                "from_organisation_id"
            )
        )
        | Exists(managed.filter(owner_id=OuterRef("pk")))
        | Exists(
            ReviewShare.objects.filter(
                organisation_id=OuterRef("pk"), review_id__in=managed.values("pk")
            )
        )
        | Q(
            pk__in=works_with.filter(
                Exists(managed.filter(owner_id=OuterRef("to_organisation_id")))
            ).values("from_organisation_id")
        )
    )
