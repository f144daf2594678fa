"""Small builders for test data. Each takes only what a test cares about."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.models import Membership, Organisation, User
from actions.choices import EvidenceReviewState, Status
from actions.models import Action, Evidence
from governance.choices import BuildState, Cadence, ForumKind
from governance.models import Forum, Meeting, Paper
from reviews.models import Recommendation, Review, ReviewShare, ReviewType
from reviews.services import review_types_ensure_defaults

_seq = itertools.count(1)


def home_commissioner() -> Organisation | None:
    """The first commissioning organisation made: in a test with one ICB, the one that
    owns the reviews and works with the providers, as in a one-ICB installation."""
    return Organisation.objects.filter(kind=OrganisationKind.COMMISSIONER).order_by("pk").first()


def organisation(
    kind: str = OrganisationKind.PROVIDER,
    short_name: str | None = None,
    *,
    commissioned_by: tuple[Organisation, ...] | None = None,
) -> Organisation:
    """A provider works with the given commissioners, by default the home one (if any
    exists yet: a commissioner made later takes the providers that work with nobody)."""
    n = next(_seq)
    short = short_name or f"ORG{n}"
    created = Organisation.objects.create(name=f"{short} organisation", short_name=short, kind=kind)
    if kind == OrganisationKind.PROVIDER:
        home = home_commissioner()
        chosen = commissioned_by if commissioned_by is not None else ((home,) if home else ())
        created.commissioned_by.set(chosen)
    elif kind == OrganisationKind.COMMISSIONER and created == home_commissioner():
        for orphan in Organisation.objects.filter(
            kind=OrganisationKind.PROVIDER, commissioned_by=None
        ):
            orphan.commissioned_by.add(created)
    return created


def user(
    username: str | None = None,
    *,
    organisation: Organisation | None = None,
    role: str | None = None,
    **fields,
) -> User:
    account = User.objects.create_user(
        username=username or f"user{next(_seq)}", password="test-password-123", **fields
    )
    if organisation is not None and role is not None:
        Membership.objects.create(user=account, organisation=organisation, role=role)
    return account


def review_type(code: str) -> ReviewType:
    """Transactional tests flush the rows the data migration added; put them back."""
    found = ReviewType.objects.filter(code=code).first()
    if found is None:
        review_types_ensure_defaults()
        found = ReviewType.objects.get(code=code)
    return found


def review(
    *,
    code: str = "DHR",
    body: Organisation,
    owner: Organisation | None = None,
    restricted: bool = False,
    parent: Review | None = None,
    named: tuple[User, ...] = (),
) -> Review:
    """A review owned by `owner`, by default the home commissioner (or, with none, the
    commissioning body)."""
    n = next(_seq)
    created = Review.objects.create(
        review_type=review_type(code),
        reference=f"{code} 2026/{n:02d}",
        title=f"Person {n}",
        commissioning_body=body,
        owner=owner or home_commissioner() or body,
        restricted=restricted,
        parent=parent,
    )
    created.named_people.set(named)
    return created


def share(of: Review, *, with_: Organisation, access: str = "read") -> ReviewShare:
    return ReviewShare.objects.create(review=of, organisation=with_, access=access)


def recommendation(of: Review, addressed_to: Organisation | None = None) -> Recommendation:
    return Recommendation.objects.create(
        review=of, number=str(next(_seq)), text="Do better.", addressed_to=addressed_to
    )


def action(
    *,
    on: Recommendation,
    owner: Organisation,
    status: str = Status.ON_TRACK,
    due: date | None = None,
    revised: date | None = None,
    **fields,
) -> Action:
    return Action.objects.create(
        recommendation=on,
        owner_organisation=owner,
        description=f"Action {next(_seq)}",
        status=status,
        due_date=due,
        revised_due_date=revised,
        **fields,
    )


def evidence(*, on: Action, by: User, state: str = EvidenceReviewState.PENDING) -> Evidence:
    item = Evidence(
        action=on,
        description="Audit report",
        original_filename="audit.txt",
        uploaded_by=by,
        review_state=state,
    )
    item.file.save("audit.txt", ContentFile(b"audit"), save=False)
    item.save()
    return item


def image_evidence(*, on: Action, by: User) -> Evidence:
    """A photograph of a poster, say: a real one-pixel PNG, which has a preview."""
    from tests.evidence_samples import png

    item = Evidence(
        action=on,
        description="Ward poster",
        original_filename="poster.png",
        content_type="image/png",
        uploaded_by=by,
    )
    item.file.save("poster.png", ContentFile(png()), save=False)
    item.save()
    return item


def evidence_download_grant(to: User) -> None:
    """What an administrator does on the person's admin page: "User permissions", "Can
    download evidence files"."""
    to.user_permissions.add(
        Permission.objects.get(content_type__app_label="actions", codename="download_evidence")
    )


def forum(
    *,
    organisation: Organisation,
    kind: str = ForumKind.SAG,
    secretary: User | None = None,
    provider: Organisation | None = None,
) -> Forum:
    n = next(_seq)
    return Forum.objects.create(
        name=f"Forum {n}",
        short_name=f"F{n}",
        kind=kind,
        organisation=organisation,
        provider=provider,
        secretary=secretary,
        cadence=Cadence.QUARTERLY,
    )


def meeting(*, forum: Forum, in_days: int = 40) -> Meeting:
    return Meeting.objects.create(
        forum=forum, held_on=timezone.localdate() + timedelta(days=in_days), location="Teams"
    )


def paper(*, meeting: Meeting, by: User, built: bool = False, **fields) -> Paper:
    """A draft paper. `built=True` gives it a stand-in PDF file and a ready build, for
    tests about who may reach it; tests about the PDF itself build it for real."""
    fields.setdefault("title", "Learning reviews assurance report")
    fields.setdefault("author", "A. Secretary")
    fields.setdefault("period", "Q2 2026/27")
    fields.setdefault("asks", ["Receive the report for assurance."])
    created = Paper.objects.create(meeting=meeting, created_by=by, **fields)
    if built:
        created.pdf.save("paper.pdf", ContentFile(b"%PDF-1.7 stand-in"), save=False)
        created.pdf_sha256 = "0" * 64
        created.build_state = BuildState.READY
        from governance.selectors import paper_snapshot

        created.snapshot = paper_snapshot(created)
        created.data_as_at = timezone.now()
        created.save()
    return created


def plan_import(*, by: User, review: Review):
    """An uploaded one-row plan (CSV) with its columns chosen, ready to preview."""
    import io

    from imports import services as import_services
    from imports.choices import ReviewSource
    from imports.selectors import mapping_view

    data = (
        "Rec no.,Recommendation,Action,Owner organisation,Time frame,Status\r\n"
        f"1,Share information,Agree a protocol,{review.owner.short_name},Q3 2026/27,On track\r\n"
    ).encode()
    uploaded = import_services.plan_import_upload(
        by=by, upload=io.BytesIO(data), filename="plan.csv"
    )
    view = mapping_view(uploaded)
    return import_services.plan_import_choose(
        plan_import=uploaded,
        by=by,
        sheet_name=view.sheet_name,
        header_row=view.header_row,
        headings=view.headings,
        columns={c.index: c.field for c in view.columns},
        review_source=ReviewSource.EXISTING,
        review=review,
    )


# The RFC 6238 test secret ("12345678901234567890"), hex-encoded: every test user's
# authenticator app, so tests and the browser helper can compute the current code.
TOTP_TEST_KEY = "3132333435363738393031323334353637383930"


def totp_device(user: User, *, key: str = TOTP_TEST_KEY):
    """The user's confirmed authenticator app, created with the known key if missing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", key=key, confirmed=True, tolerance=1
        )
    return device


def totp_code(device, *, step: int | None = None) -> str:
    """The code the user's app shows now, or at time step `step`."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if step is not None:
        totp.time = device.t0 + (step - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def totp_step(device) -> int:
    """The time step the server is at now, as the device counts it."""
    from django_otp.oath import TOTP

    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
