"""Loads the demo portfolio from fixtures/demo (docs/demo-data.md): organisations, the
cast of users, forums and meetings, reviews with recommendations, actions, progress
updates and evidence.

Built from the facts of the seed papers (the NHS England quality-assurance review of
Mr A and Mr B, the two Birmingham DHRs and their IMRs, a Transforming Care plan),
plus recent reviews whose dates are set relative to today so that the portfolio always
has overdue, due-soon and later actions. Idempotent: every row is found by its natural
key and updated, never duplicated.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from accounts.models import Membership, Organisation, User
from actions.choices import EvidenceReviewState, Status
from actions.models import Action, Evidence, ProgressUpdate
from governance.choices import Cadence, ForumKind
from governance.models import Forum, Meeting
from governance.working_days import next_working_day
from reviews.choices import Lifecycle, ShareAccess
from reviews.models import Recommendation, Review, ReviewShare, ReviewType, Theme
from reviews.services import review_types_ensure_defaults, similarities_recompute
from trackerapp.financial_year import FinancialQuarter

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"
Spec = dict[str, Any]
# "today-30d", "today+3w": a date that far from today; "now-40d": an instant that far
# from now (progress updates are timestamps, not dates).
RELATIVE = re.compile(r"^(today|now)([+-])(\d+)([dw])$")


def fixture(name: str) -> Any:
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))


def review_fixtures() -> list[Spec]:
    """One file a review, read in file-name order so that a review comes after its parent."""
    return [fixture(f"reviews/{path.name}") for path in sorted(FIXTURES.glob("reviews/*.yaml"))]


def upsert(model: type[models.Model], defaults: dict[str, Any], **lookup: Any) -> tuple[Any, bool]:
    """update_or_create that saves only when a value differs, so that running the loader
    again leaves no new history entries behind."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **defaults), True
    changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, defaults[name])
    if changed:
        obj.save()
    return obj, False


def number(spec: Spec) -> str:
    # Unquoted, YAML reads 1.10 as the float 1.1 and 7:7 as the integer 427.
    if not isinstance(spec["number"], str):
        raise ValueError(f"Write the number {spec['number']!r} in quotes: {spec}")
    return spec["number"]


def offset(value: str) -> tuple[str, timedelta]:
    """("today" or "now", how far from it) for "today-30d", "today+3w", "now-40d"."""
    match = RELATIVE.fullmatch(value)
    if match is None:
        raise ValueError(f'"{value}" is not a relative date such as "today-30d" or "now-40d".')
    base, sign, count, unit = match.groups()
    days = int(count) * (7 if unit == "w" else 1)
    return base, timedelta(days=days if sign == "+" else -days)


class DemoLoader:
    def __init__(self) -> None:
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.organisations: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.forums: dict[str, Forum] = {}
        self.themes: dict[str, Theme] = {}
        # Reviews' owners by short name, with who assures their actions (organisations.yaml).
        self.owners: dict[str, Spec] = {}

    def moment(self, value: str) -> datetime:
        """ "now-40d": that long before the moment the loader runs."""
        base, delta = offset(value)
        if base != "now":
            raise ValueError(f'"{value}" is not a moment such as "now-40d".')
        return self.now + delta

    def day(self, value: date | str | None) -> date | None:
        """An ISO date as written, a financial quarter ("Q3 2018/19") for its last day, or
        a date relative to today ("today-30d")."""
        if value is None or isinstance(value, date):
            return value
        if value.startswith("today"):
            return self.today + offset(value)[1]
        return FinancialQuarter.parse(value).end

    @transaction.atomic
    def load(self) -> None:
        review_types_ensure_defaults()
        self.load_organisations()
        self.load_people()
        self.load_forums()
        self.themes = {
            name: Theme.objects.get_or_create(name=name)[0] for name in fixture("themes.yaml")
        }
        for spec in review_fixtures():
            self.load_review(spec)

    def load_organisations(self) -> None:
        specs = fixture("organisations.yaml")
        for spec in specs:
            self.organisations[spec["short_name"]], _ = upsert(
                Organisation,
                short_name=spec["short_name"],
                defaults={"name": spec["name"], "kind": OrganisationKind(spec["kind"])},
            )
        self.owners = {spec["short_name"]: spec for spec in specs if "assured_by" in spec}
        for spec in specs:
            if "commissioned_by" in spec:
                self.organisations[spec["short_name"]].commissioned_by.set(
                    [self.organisations[name] for name in spec["commissioned_by"]]
                )

    def load_people(self) -> None:
        people = fixture("people.yaml")
        for spec in people["people"]:
            administrator = spec.get("administrator", False)
            user, created = upsert(
                User,
                username=spec["username"],
                defaults={
                    "first_name": spec["first_name"],
                    "last_name": spec["last_name"],
                    "job_title": spec["job_title"],
                    "email": spec["email"],
                    "is_active": True,
                    "is_staff": administrator,
                    "is_superuser": administrator,
                },
            )
            if created or not user.check_password(people["password"]):
                user.set_password(people["password"])
                user.save(update_fields=["password"])
            if "role" in spec:
                Membership.objects.get_or_create(
                    user=user,
                    organisation=self.organisations[spec["organisation"]],
                    role=Role(spec["role"]),
                )
            self.users[spec["username"]] = user

    def load_forums(self) -> None:
        forums = fixture("forums.yaml")
        for spec in forums["forums"]:
            # Only what the file gives: a re-run leaves other fields as people set them.
            optional = {
                "terms_of_reference": spec.get("terms_of_reference"),
                "provider": self.organisations.get(spec.get("provider", "")),
            }
            self.forums[spec["short_name"]], _ = upsert(
                Forum,
                short_name=spec["short_name"],
                defaults={
                    "organisation": self.organisations[spec["organisation"]],
                    "secretary": self.users[spec["secretary"]],
                    "name": spec["name"],
                    "kind": ForumKind(spec["kind"]),
                    "cadence": Cadence(spec["cadence"]),
                    "chair": self.users[spec["chair"]],
                    "reports_to": self.forums.get(spec.get("reports_to", "")),
                    **{name: value for name, value in optional.items() if value},
                },
            )
        self.load_meetings(forums)

    def load_meetings(self, forums: Spec) -> None:
        """Meetings on fixed calendar days for six months either side of today, so a
        re-run on another day adds the new months but never a second copy of a meeting."""
        start = date(self.today.year, self.today.month, 1) - timedelta(days=183)
        for offset in range(0, 13):
            month_index = start.month - 1 + offset
            year, month = start.year + month_index // 12, month_index % 12 + 1
            for spec in forums["forums"]:
                meets = spec["meets"]
                if month not in meets.get("months", [month]):
                    continue
                Meeting.objects.get_or_create(
                    forum=self.forums[spec["short_name"]],
                    # Committees meet on working days: the first one on or after the
                    # usual day of the month.
                    held_on=next_working_day(date(year, month, meets["day"])),
                    defaults={"location": forums["meeting_location"]},
                )

    def load_review(self, spec: Spec) -> None:
        review, _ = upsert(
            Review,
            reference=spec["reference"],
            defaults={
                "review_type": ReviewType.objects.get(code=spec["type"]),
                "title": spec["title"],
                "summary": spec["summary"],
                "commissioning_body": self.organisations[spec["commissioning_body"]],
                "owner": self.organisations[spec["owner"]],
                "lifecycle": Lifecycle(spec["lifecycle"]),
                "restricted": spec.get("restricted", False),
                "parent": Review.objects.get(reference=spec["parent"])
                if "parent" in spec
                else None,
                "incident_date": spec.get("incident"),
                "commissioned_date": spec.get("commissioned"),
                "published_date": spec.get("published"),
            },
        )
        review.full_clean()
        for share in spec.get("shares", []):
            upsert(
                ReviewShare,
                review=review,
                organisation=self.organisations[share["organisation"]],
                defaults={
                    "access": ShareAccess(share["access"]),
                    "shared_by": self.users[share["shared_by"]],
                },
            )
        review.monitoring_forums.set([self.forums[name] for name in spec["monitoring_forums"]])
        review.named_people.set([self.users[name] for name in spec.get("named_people", [])])
        for rec_spec in spec["recommendations"]:
            recommendation, _ = upsert(
                Recommendation,
                review=review,
                number=number(rec_spec),
                defaults={
                    "text": rec_spec["text"],
                    "addressed_to": self.organisations.get(rec_spec.get("addressed_to", "")),
                },
            )
            recommendation.themes.set([self.themes[name] for name in rec_spec["themes"]])
            for action_spec in rec_spec["actions"]:
                self.load_action(recommendation, action_spec, self.owners[spec["owner"]])

    def load_action(self, recommendation: Recommendation, spec: Spec, owner: Spec) -> None:
        due = self.day(spec.get("due"))
        status = Status(spec["status"])
        assured = status == Status.ASSURED
        team = self.users[owner["assured_by"]]
        action, created = upsert(
            Action,
            recommendation=recommendation,
            number=number(spec),
            defaults={
                "description": spec["description"],
                "owner_organisation": self.organisations[spec["owner"]],
                "lead_role_title": spec["lead_title"],
                "lead_user": self.users.get(spec.get("lead_user", "")),
                "original_time_frame": spec["time_frame"],
                "due_date": due,
                "revised_due_date": self.day(spec.get("revised")),
                "expected_outcome": spec.get("expected_outcome", ""),
                "evidence_required": spec.get("evidence_required", ""),
                "status": status,
                "closure_rationale": spec.get("closure_rationale", ""),
                "completed_on": (due or self.today)
                if status in (Status.COMPLETED, Status.ASSURED)
                else None,
                "assured_by": team if assured else None,
                "assured_at": timezone.make_aware(datetime.combine(due or self.today, time(12)))
                if assured
                else None,
                "monitoring_forum": self.forums.get(f"CQRG {spec['owner']}")
                or self.forums[owner["assurance_group"]],
            },
        )
        action.full_clean()
        if created:
            self.write_history(action, status)
        for evidence in spec.get("evidence", []):
            self.load_evidence(action, evidence, reviewer=team)
        for update in spec.get("updates", []):
            ProgressUpdate.objects.get_or_create(
                action=action,
                text=update["text"],
                defaults={
                    "author": self.users[update["by"]],
                    "status": status,
                    "created_at": self.moment(update["at"]),
                },
            )
        # "Last updated" as a provider would see it: the latest progress update, or a
        # quarter ago for actions nobody has touched, so stale ones stand out.
        latest = action.updates.order_by("-created_at").values_list("created_at", flat=True).first()
        Action.objects.filter(pk=action.pk).update(
            updated_at=latest or self.now - timedelta(days=95)
        )

    def write_history(self, action: Action, status: Status) -> None:
        """Give a new action a past, so the quarterly report's trend has something to
        show: added some months ago as not started, on track for a while, and reaching
        today's status (after completed, for an assured one) a few weeks ago; the revised
        due date arrives with the last step. Written once, when the action is created,
        so a second run changes nothing."""
        HistoricalAction = Action.history.model
        record = HistoricalAction.objects.filter(id=action.pk).order_by("history_id").first()
        if record is None:
            return
        # Spread by the wording, not at random, so every load writes the same history.
        seed = sum(map(ord, action.description))
        span = 150 + seed % 540  # days since the action was added
        added = self.today - timedelta(days=span)
        last = self.today - timedelta(days=3 + seed % 40)
        steps: list[tuple[date, str]] = [(added, Status.NOT_STARTED)]
        if status not in (Status.NOT_STARTED, Status.ON_TRACK):
            steps.append((added + timedelta(days=span * 35 // 100), Status.ON_TRACK))
        if status == Status.ASSURED:
            steps.append((added + timedelta(days=span * 70 // 100), Status.COMPLETED))
        if status != Status.NOT_STARTED:
            steps.append((max(last, steps[-1][0] + timedelta(days=1)), status))
        fields = {
            f.attname: getattr(record, f.attname)
            for f in HistoricalAction._meta.fields
            if f.attname != "history_id"
        }
        final = len(steps) - 1
        not_yet = {
            "revised_due_date": None,
            "completed_on": None,
            "assured_at": None,
            "assured_by_id": None,
            "closure_rationale": "",
        }
        HistoricalAction.objects.bulk_create(
            HistoricalAction(
                **{
                    **fields,
                    "status": step_status,
                    "history_date": timezone.make_aware(datetime.combine(day, time(10))),
                    "history_type": "+" if index == 0 else "~",
                    "history_change_reason": "Demo history",
                    **({} if index == final else not_yet),
                }
            )
            for index, (day, step_status) in enumerate(steps)
        )
        record.delete()

    def load_evidence(self, action: Action, spec: Spec, reviewer: User) -> None:
        filename = Path(spec["file"]).name
        if Evidence.objects.filter(action=action, original_filename=filename).exists():
            return
        content = (FIXTURES / "evidence" / spec["file"]).read_bytes()
        state = EvidenceReviewState(spec["state"])
        evidence = Evidence(
            action=action,
            description=spec["description"],
            original_filename=filename,
            content_type=mimetypes.guess_type(filename)[0] or "application/octet-stream",
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=self.users[spec["uploaded_by"]],
            review_state=state,
        )
        if state != EvidenceReviewState.PENDING:
            evidence.reviewed_by = reviewer
            evidence.reviewed_at = self.now
        evidence.file.save(filename, ContentFile(content), save=False)
        evidence.save()


def load_demo() -> None:
    DemoLoader().load()
    # The demo shows similar recommendations and learning made before at once, whether
    # or not a worker is running (docs/repeated-learning.md).
    similarities_recompute(force=True)
