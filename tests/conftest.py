"""The shared cast of STYLE.md, used by every access test.

Organisations: the ICB (commissioner), provider A, provider B, the Community Safety
Partnership. Objects: a non-restricted DHR with one action for A and one for B, and a
restricted DHR (naming only `commissioner`) with one action for A.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.choices import OrganisationKind, Role
from tests import factories
from tests.browser import browser, csp_violations  # noqa: F401 - shared by e2e and production


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    # Real hashing costs a third of a second per user; the cast has nine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run as production does, whatever the shell says (`make run` switches it off).
    settings.MFA_REQUIRED = True
    # Builds run inside the request unless a test asks for the background thread (as
    # `make run` has it), so that a test sees the finished paper.
    settings.PAPER_BUILD_IN_BACKGROUND = False


class VerifiedClient(Client):
    """The test client, whose force_login also passes the second factor with the user's
    authenticator app (created with the known test key if missing), as a real sign-in
    would. So view tests run with MFA enforced; tests of the second factor itself use a
    plain django.test.Client for a password-only session."""

    def force_login(self, user, backend=None) -> None:
        from django_otp import DEVICE_ID_SESSION_KEY

        super().force_login(user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = factories.totp_device(user).persistent_id
        session.save()


@pytest.fixture
def client() -> VerifiedClient:
    return VerifiedClient()


@dataclass
class Cast:
    icb: object
    provider_a: object
    provider_b: object
    csp: object
    admin: object
    commissioner: object
    other_commissioner: object
    secretary: object
    provider_a_lead: object
    provider_a_contributor: object
    provider_b_lead: object
    viewer: object
    outsider: object
    review: object
    recommendation: object
    action_a: object
    action_b: object
    restricted_review: object
    restricted_action_a: object
    evidence_a: object
    evidence_b: object
    restricted_evidence: object


@pytest.fixture
def cast(db) -> Cast:
    icb = factories.organisation(OrganisationKind.COMMISSIONER, "ICB")
    provider_a = factories.organisation(OrganisationKind.PROVIDER, "PROV-A")
    provider_b = factories.organisation(OrganisationKind.PROVIDER, "PROV-B")
    csp = factories.organisation(OrganisationKind.PARTNERSHIP_BOARD, "CSP")
    admin = factories.user("admin", is_superuser=True, is_staff=True)
    commissioner = factories.user("commissioner", organisation=icb, role=Role.SAFEGUARDING_LEAD)
    other_commissioner = factories.user(
        "commissioner2", organisation=icb, role=Role.SAFEGUARDING_LEAD
    )
    secretary = factories.user("secretary", organisation=icb, role=Role.COMMITTEE_SECRETARY)
    provider_a_lead = factories.user("a.lead", organisation=provider_a, role=Role.PROVIDER_LEAD)
    provider_a_contributor = factories.user(
        "a.contributor", organisation=provider_a, role=Role.PROVIDER_CONTRIBUTOR
    )
    provider_b_lead = factories.user("b.lead", organisation=provider_b, role=Role.PROVIDER_LEAD)
    viewer = factories.user("viewer", organisation=icb, role=Role.VIEWER)
    outsider = factories.user("outsider")
    # Everyone has an authenticator app with the known test key (tests/factories.py).
    people = [admin, commissioner, other_commissioner, secretary, provider_a_lead]
    people += [provider_a_contributor, provider_b_lead, viewer, outsider]
    for person in people:
        factories.totp_device(person)

    review = factories.review(body=csp)
    recommendation = factories.recommendation(review)
    action_a = factories.action(on=recommendation, owner=provider_a, lead_user=provider_a_lead)
    action_b = factories.action(on=recommendation, owner=provider_b)
    restricted_review = factories.review(body=csp, restricted=True, named=(commissioner,))
    restricted_action_a = factories.action(
        on=factories.recommendation(restricted_review), owner=provider_a
    )
    return Cast(
        icb=icb,
        provider_a=provider_a,
        provider_b=provider_b,
        csp=csp,
        admin=admin,
        commissioner=commissioner,
        other_commissioner=other_commissioner,
        secretary=secretary,
        provider_a_lead=provider_a_lead,
        provider_a_contributor=provider_a_contributor,
        provider_b_lead=provider_b_lead,
        viewer=viewer,
        outsider=outsider,
        review=review,
        recommendation=recommendation,
        action_a=action_a,
        action_b=action_b,
        restricted_review=restricted_review,
        restricted_action_a=restricted_action_a,
        evidence_a=factories.evidence(on=action_a, by=provider_a_lead),
        evidence_b=factories.evidence(on=action_b, by=provider_b_lead),
        restricted_evidence=factories.evidence(on=restricted_action_a, by=provider_a_lead),
    )
