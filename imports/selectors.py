"""Reads for the import pages: the uploaded file, what its columns look like, what the
database knows about the names in it, and the preview plan. Nothing here writes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from accounts import access
from accounts.models import Organisation, User
from actions.choices import EvidenceReviewState
from actions.models import Action, Evidence, ProgressUpdate
from imports.choices import Field, ReviewSource
from imports.headings import (
    HEADING_SCAN_ROWS,
    find_heading_row,
    grouping_of,
    normalise_heading,
    recognise_columns,
)
from imports.models import PlanImport, SavedMapping
from imports.naming import (
    NewReviewGuess,
    ReviewTypeName,
    guess_new_review,
    reference_base,
    unique_reference,
)
from imports.planning import (
    ExistingAction,
    ImportChoices,
    Lookups,
    Mapping,
    NewReview,
    OrganisationRef,
    Plan,
    RecommendationRef,
    ReviewRef,
    UserRef,
    build_plan,
    organisation_key,
    person_key,
    position_date_in,
    review_fy,
    review_references,
    text_of,
)
from imports.readers import Sheet, SpreadsheetSource, UnreadableFile, cell_name
from reviews.choices import PlanGrouping
from reviews.models import Recommendation, Review, ReviewType

if TYPE_CHECKING:
    from accounts.models import User as UserType

SAMPLES_PER_COLUMN = 3
SAMPLE_CHARS = 60


def import_for_user(user: UserType, pk: int) -> PlanImport:
    """The one way a view loads an import: 404 unless the user may see it."""
    queryset = PlanImport.objects.visible_to(user).select_related(
        "uploaded_by", "review", "new_review_type", "commissioning_body", "default_owner"
    )
    return get_object_or_404(queryset, pk=pk)


def managed_review_titled(user: UserType, title: str) -> int | None:
    """The id of the one review the person may add to whose title is `title` (a later
    version of a plan already imported), else None."""
    if not title:
        return None
    found = list(
        Review.objects.filter(access.managed_review_q(user, to_review=""))
        .filter(title__iexact=title)
        .values_list("pk", flat=True)[:2]
    )
    return found[0] if len(found) == 1 else None


def recent_imports_for(user: UserType, limit: int = 20) -> QuerySet[PlanImport]:
    """The import list; each import's reviews only where this person may see them (an
    import may have added to a restricted review)."""
    visible = Prefetch("reviews", queryset=Review.objects.visible_to(user).order_by("reference"))
    return (
        PlanImport.objects.visible_to(user)
        .select_related("uploaded_by")
        .prefetch_related(visible)
        .order_by("-uploaded_at", "-pk")[:limit]
    )


def reviews_of(plan_import: PlanImport, user: UserType) -> QuerySet[Review]:
    return (
        Review.objects.visible_to(user)
        .filter(plan_imports=plan_import)
        .select_related("review_type")
        .order_by("reference")
    )


def earlier_import_of(plan_import: PlanImport) -> PlanImport | None:
    """A finished import of the same file (same SHA-256), if there is one."""
    return (
        PlanImport.objects.committed()
        .filter(sha256=plan_import.sha256)
        .exclude(pk=plan_import.pk)
        .select_related("uploaded_by")
        .order_by("committed_at")
        .first()
    )


def source_of(plan_import: PlanImport) -> SpreadsheetSource:
    """The stored upload, opened. The bytes must still hash to what was recorded."""
    with plan_import.source_file.open("rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != plan_import.sha256:
        raise UnreadableFile("The stored copy of this file has changed; upload it again.")
    return SpreadsheetSource(data, plan_import.original_filename)


def headings_key(headings: list[object]) -> str:
    normalised = [normalise_heading(h) for h in headings]
    while normalised and not normalised[-1]:
        normalised.pop()
    return hashlib.sha256(json.dumps(normalised).encode()).hexdigest()


@dataclass
class ColumnView:
    index: int
    letter: str
    heading: str
    samples: list[str]
    field: str


@dataclass
class MappingView:
    """What the column page shows: the sheets, the row of headings and each column with
    a few sample values and the field it is read into."""

    sheet_names: list[str] = field(default_factory=list)
    sheet_name: str = ""
    header_row: int = 1
    headings: list[object] = field(default_factory=list)
    header_found: bool = False
    columns: list[ColumnView] = field(default_factory=list)
    saved: SavedMapping | None = None
    data_rows: int = 0
    problem: str = ""
    position_date: date | None = None  # as the file's title block gives it
    # The review the import would create, as the file names it (imports/naming.py).
    new_review: NewReviewGuess = field(default_factory=NewReviewGuess)


def mapping_view(
    plan_import: PlanImport, *, sheet_name: str | None = None, header_row: int | None = None
) -> MappingView:
    """Reads the chosen sheet and proposes the columns: the person's earlier choices for
    this sheet and row, else column choices saved for the same headings, else the
    headings recognised from their wording."""
    view = MappingView()
    try:
        with source_of(plan_import) as source:
            view.sheet_names = source.sheet_names
            wanted = sheet_name or plan_import.sheet_name or None
            sheet = source.read(wanted)
            # The sheets before the plan (a cover, the export's Classification sheet)
            # may say when its position was taken.
            covers = [
                source.read(name)
                for name in view.sheet_names[: view.sheet_names.index(sheet.name)][:3]
            ]
    except UnreadableFile as error:
        view.problem = str(error)
        return view
    view.sheet_name = sheet.name
    same_sheet = sheet.name == plan_import.sheet_name
    if header_row is None and same_sheet and plan_import.header_row:
        header_row = plan_import.header_row
    saved = None
    team_mappings = SavedMapping.objects.for_team_of(plan_import.uploaded_by)
    if header_row is None:
        saved, header_row = _saved_mapping_for(sheet, team_mappings)
    if header_row is None:
        found = find_heading_row(sheet.rows)
        view.header_found = found is not None
        header_row = (found + 1) if found is not None else 1
    else:
        view.header_found = True
    header_row = max(1, min(header_row, max(len(sheet.rows), 1)))
    view.header_row = header_row
    headings = sheet.rows[header_row - 1] if sheet.rows else []
    view.headings = list(headings)
    if saved is None:
        saved = team_mappings.filter(headings_key=headings_key(list(headings))).first()
    if same_sheet and plan_import.columns and plan_import.header_row == header_row:
        chosen = {int(k): v for k, v in plan_import.columns.items()}
    elif saved is not None:
        chosen = {int(k): v for k, v in saved.columns.items()}
        view.saved = saved
    else:
        chosen = recognise_columns(list(headings))
    if not view.header_found or not any(v == Field.ACTION for v in chosen.values()):
        view.problem = (
            f"No column headings were recognised in the first {HEADING_SCAN_ROWS} rows of "
            f"the sheet “{sheet.name}”. Choose the row of headings and what each column "
            "holds below, or download the template to see the headings the import expects."
        )
    view.position_date = position_date_in(sheet, header_row)
    for cover in covers:
        view.position_date = view.position_date or position_date_in(cover, HEADING_SCAN_ROWS)
    view.new_review = _new_review_guess(plan_import, sheet, header_row, chosen, view.position_date)
    body = sheet.rows[header_row:]
    view.data_rows = sum(1 for row in body if row)
    width = max([len(headings)] + [len(row) for row in body[:200]])
    for index in range(width):
        heading = text_of(headings[index]) if index < len(headings) else ""
        samples = []
        for row in body:
            if index < len(row) and row[index] is not None:
                text = " ".join(text_of(row[index]).split())
                samples.append(
                    text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"
                )
                if len(samples) == SAMPLES_PER_COLUMN:
                    break
        if not heading and not samples:
            continue
        view.columns.append(
            ColumnView(
                index=index,
                letter=cell_name(1, index)[:-1],
                heading=heading,
                samples=samples,
                field=chosen.get(index, Field.IGNORE),
            )
        )
    return view


def _grouping_of_columns(headings: list[object], chosen: dict[int, str]) -> str:
    """What the planner will group the rows by (imports/planning.py, rule 7)."""
    fields = set(chosen.values())
    if Field.REC_NUMBER in fields or Field.REC_TEXT in fields:
        return PlanGrouping.RECOMMENDATION
    for index, name in chosen.items():
        if name == Field.GROUP:
            return grouping_of(headings[index] if index < len(headings) else "")
    return PlanGrouping.WORKSTREAM


def _new_review_guess(
    plan_import: PlanImport,
    sheet: Sheet,
    header_row: int,
    chosen: dict[int, str],
    position_date: date | None,
) -> NewReviewGuess:
    """Title, type and a reference no review has yet, guessed from the file. References
    are unique across the tracker (Review.reference), so all are checked."""
    types = [ReviewTypeName(*row) for row in ReviewType.objects.values_list("id", "code", "name")]
    headings = sheet.rows[header_row - 1] if sheet.rows else []
    title, review_type = guess_new_review(
        sheet=sheet,
        header_row=header_row,
        filename=plan_import.original_filename,
        grouping=_grouping_of_columns(list(headings), chosen),
        position_date=position_date,
        types=types,
    )
    base = reference_base(title, review_type.code if review_type else "", position_date)
    taken = (
        Review.objects.filter(reference__istartswith=base).values_list("reference", flat=True)
        if base
        else []
    )
    return NewReviewGuess(
        title=title,
        type_id=review_type.id if review_type else None,
        type_code=review_type.code if review_type else "",
        reference=unique_reference(base, taken),
    )


def _saved_mapping_for(
    sheet: Sheet, team_mappings: QuerySet[SavedMapping]
) -> tuple[SavedMapping | None, int | None]:
    keys = {
        headings_key(list(row)): n for n, row in enumerate(sheet.rows[:HEADING_SCAN_ROWS], 1) if row
    }
    saved = team_mappings.filter(headings_key__in=keys).order_by("-saved_at").first()
    if saved is None:
        return None, None
    return saved, keys[saved.headings_key]


def mapping_of(plan_import: PlanImport) -> Mapping:
    return Mapping(
        header_row=plan_import.header_row or 1,
        columns={int(k): v for k, v in plan_import.columns.items()},
    )


def choices_of(plan_import: PlanImport, *, update_in_place: bool) -> ImportChoices:
    new_type = plan_import.new_review_type
    new_review = None
    if plan_import.review_source == ReviewSource.NEW:
        new_review = NewReview(
            reference=plan_import.new_review_reference.strip(),
            title=plan_import.new_review_title.strip(),
            type_id=new_type.pk if new_type else None,
            type_code=new_type.code if new_type else "",
        )
    return ImportChoices(
        filename=plan_import.original_filename,
        review_source=plan_import.review_source,
        review_reference=plan_import.review.reference if plan_import.review else "",
        new_review=new_review,
        new_review_type=(new_type.pk, new_type.code) if new_type else None,
        commissioning_body_id=plan_import.commissioning_body_id,
        default_owner_id=plan_import.default_owner_id,
        plan_year=plan_import.plan_year,
        organisation_choices={
            k: int(v) if str(v).isdigit() else v
            for k, v in plan_import.organisation_choices.items()
        },
        lead_choices={k: int(v) for k, v in plan_import.lead_choices.items()},
        status_choices=dict(plan_import.status_choices),
        update_in_place=update_in_place,
        position_date=plan_import.position_date,
    )


def _display_name(first: str, last: str, username: str) -> str:
    """As User.display_name, from values rather than a loaded user."""
    if first and last:
        return f"{first[0]}. {last}"
    return " ".join(p for p in (first, last) if p) or username


def lookups_for(
    *, user: UserType, sheet: Sheet, mapping: Mapping, plan_import: PlanImport
) -> Lookups:
    """Everything the planner needs from the database, in a fixed number of queries
    whatever the size of the plan."""
    lookups = Lookups()
    # Names are matched only within the importer's reach (docs/access.md): a plan never
    # assigns an action to, or names, another organisation's people.
    reachable = set(access.reachable_organisations(user).values_list("pk", flat=True))
    for org_id, short_name, name in Organisation.objects.values_list("id", "short_name", "name"):
        lookups.short_names.add(short_name.casefold())
        if org_id not in reachable:
            continue
        ref = OrganisationRef(org_id, short_name, name)
        lookups.organisations_by_id[org_id] = ref
        for key in (organisation_key(short_name), organisation_key(name)):
            lookups.organisations.setdefault(key, ref)
    people = (
        User.objects.filter(is_active=True, memberships__organisation__in=reachable)
        .distinct()
        .values_list("id", "first_name", "last_name", "username", "email")
    )
    for user_id, first, last, username, email in people:
        person = UserRef(user_id, _display_name(first, last, username))
        lookups.users_by_id[user_id] = person
        keys = {
            person_key(f"{first} {last}"),
            person_key(person.display_name),
            person_key(username),
        }
        if email:
            keys.add(person_key(email))
        for key in keys - {""}:
            if key in lookups.users and (
                (known := lookups.users[key]) is None or known.id != user_id
            ):
                lookups.users[key] = None  # two people answer to it: never guess
            else:
                lookups.users[key] = person
    for type_id, code, name in ReviewType.objects.values_list("id", "code", "name"):
        lookups.review_types[code.casefold()] = (type_id, code)
        lookups.review_types.setdefault(name.casefold(), (type_id, code))

    wanted = {r.casefold() for r in review_references(sheet, mapping)}
    if plan_import.review_source == ReviewSource.NEW and plan_import.new_review_reference:
        wanted.add(plan_import.new_review_reference.strip().casefold())
    condition = Q(ref_lower__in=wanted)
    if plan_import.review_id:
        condition |= Q(pk=plan_import.review_id)
    reviews = list(
        Review.objects.annotate(ref_lower=Lower("reference"))
        .filter(condition)
        .values_list(
            "id",
            "reference",
            "title",
            "published_date",
            "commissioned_date",
            "incident_date",
            "plan_grouping",
        )
    )
    ids = [r[0] for r in reviews]
    # "Visible" to the planner means the importer may add to it.
    visible = set(
        Review.objects.filter(access.managed_review_q(user, to_review=""))
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    by_id: dict[int, ReviewRef] = {}
    for review_id, reference, title, published, commissioned, incident, grouping in reviews:
        review_ref = ReviewRef(
            id=review_id,
            reference=reference,
            title=title,
            fy=review_fy(published, commissioned, incident),
            visible=review_id in visible,
            grouping=grouping,
        )
        by_id[review_id] = review_ref
        lookups.reviews[reference.casefold()] = review_ref
    if visible:
        recommendations = Recommendation.objects.filter(review_id__in=visible).values_list(
            "id", "review_id", "number", "text"
        )
        for rec_id, review_id, number, text in recommendations:
            by_id[review_id].recommendations[number] = RecommendationRef(rec_id, number, text)
        latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-created_at", "-pk")
        live_evidence = Evidence.objects.filter(action=OuterRef("pk")).exclude(
            review_state=EvidenceReviewState.REJECTED
        )
        actions = (
            Action.objects.filter(recommendation__review_id__in=visible)
            .annotate(latest=Subquery(latest.values("text")[:1]), evidenced=Exists(live_evidence))
            .order_by("pk")
            .values_list(
                "id",
                "recommendation__review_id",
                "recommendation__number",
                "number",
                "description",
                "status",
                "latest",
                "evidenced",
                "owner_organisation_id",
                "lead_role_title",
                "lead_user_id",
                "original_time_frame",
                "due_date",
                "revised_due_date",
                "expected_outcome",
                "evidence_required",
            )
        )
        for (
            action_id,
            review_id,
            rec_number,
            number,
            description,
            status,
            update,
            evidenced,
            owner_id,
            lead_role_title,
            lead_user_id,
            time_frame,
            due_date,
            revised_due_date,
            expected_outcome,
            evidence_required,
        ) in actions:
            by_id[review_id].actions.append(
                ExistingAction(
                    action_id,
                    rec_number,
                    number,
                    description,
                    status,
                    update or "",
                    evidenced,
                    owner_id=owner_id,
                    lead_role_title=lead_role_title,
                    lead_user_id=lead_user_id,
                    time_frame=time_frame,
                    due_date=due_date,
                    revised_due_date=revised_due_date,
                    expected_outcome=expected_outcome,
                    evidence_required=evidence_required,
                )
            )
    return lookups


def plan_for(plan_import: PlanImport, *, user: UserType, update_in_place: bool) -> Plan:
    """What importing the file would do, row by row. Raises UnreadableFile when the
    stored file cannot be read."""
    mapping = mapping_of(plan_import)
    with source_of(plan_import) as source:
        sheet = source.read(plan_import.sheet_name or None)
    lookups = lookups_for(user=user, sheet=sheet, mapping=mapping, plan_import=plan_import)
    plan = build_plan(
        sheet, mapping, lookups, choices_of(plan_import, update_in_place=update_in_place)
    )
    earlier = earlier_import_of(plan_import)
    # Only adding actions again does harm: a file whose every row is matched (an export
    # carries tracker ids) may come in as often as it likes.
    if earlier is not None and not update_in_place and plan.actions_to_create:
        when = earlier.committed_at or earlier.uploaded_at
        plan.file_errors.insert(
            0,
            f"This file was already imported on {when:%-d %B %Y} by "
            f"{earlier.uploaded_by.display_name} ({earlier.actions_created} actions). Importing "
            "it again would add every action a second time. To bring its changes in, choose "
            "“update existing actions in place”.",
        )
    return plan
