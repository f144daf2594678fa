"""Loads the demo portfolio: organisations, the cast of users, forums and meetings,
reviews with recommendations, actions, progress updates and evidence.

Built from the facts of the seed papers (the NHS England quality-assurance review of
Mr A and Mr B, the two Birmingham DHRs and their IMRs, a Transforming Care plan),
plus recent reviews whose dates are set relative to today so that the portfolio always
has overdue, due-soon and later actions. Idempotent: every row is found by its natural
key and updated, never duplicated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
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
from reviews.services import review_types_ensure_defaults
from trackerapp.financial_year import month_end, quarter_end

DEMO_PASSWORD = "demo-tracker-2026"

ORGANISATIONS = [
    (
        "NHS Birmingham and Solihull Integrated Care Board",
        "BSol ICB",
        OrganisationKind.COMMISSIONER,
    ),
    ("NHS England", "NHSE", OrganisationKind.COMMISSIONER),
    (
        "Birmingham and Solihull Mental Health NHS Foundation Trust",
        "BSMHFT",
        OrganisationKind.PROVIDER,
    ),
    ("Birmingham Community Healthcare NHS Foundation Trust", "BCHC", OrganisationKind.PROVIDER),
    ("University Hospitals Birmingham NHS Foundation Trust", "UHB", OrganisationKind.PROVIDER),
    ("Modality GP Federation", "Modality", OrganisationKind.PROVIDER),
    ("Birmingham Community Safety Partnership", "BCSP", OrganisationKind.PARTNERSHIP_BOARD),
    ("Birmingham Safeguarding Adults Board", "BSAB", OrganisationKind.PARTNERSHIP_BOARD),
    (
        "Birmingham Safeguarding Children Partnership",
        "BSCP",
        OrganisationKind.PARTNERSHIP_BOARD,
    ),
    (
        "Barking, Havering and Redbridge Transforming Care Partnership",
        "BHR TCP",
        OrganisationKind.PARTNERSHIP_BOARD,
    ),
    # A second commissioning organisation in the same installation, kept apart from
    # BSol: its own team, forum, reviews and providers (docs/access.md).
    ("NHS Black Country Integrated Care Board", "BC ICB", OrganisationKind.COMMISSIONER),
    ("Black Country Healthcare NHS Foundation Trust", "BCHFT", OrganisationKind.PROVIDER),
    (
        "West Midlands Ambulance Service University NHS Foundation Trust",
        "WMAS",
        OrganisationKind.PROVIDER,
    ),
    ("Safer Walsall Partnership", "SWP", OrganisationKind.PARTNERSHIP_BOARD),
]

# Which commissioners each provider works with: their teams may assign it actions.
# WMAS serves both ICBs.
PROVIDER_COMMISSIONERS = {
    "BSMHFT": ["BSol ICB"],
    "BCHC": ["BSol ICB"],
    "UHB": ["BSol ICB"],
    "Modality": ["BSol ICB"],
    "BCHFT": ["BC ICB"],
    "WMAS": ["BSol ICB", "BC ICB"],
}

# username, first, last, job title, organisation, role (None for the administrator)
CAST = [
    ("admin", "Ada", "Admin", "System administrator", None, None),
    (
        "commissioner",
        "Sarah",
        "Khan",
        "Head of Safeguarding and Lead Designated Nurse",
        "BSol ICB",
        Role.SAFEGUARDING_LEAD,
    ),
    (
        "secretary",
        "James",
        "Wright",
        "Corporate Governance Manager",
        "BSol ICB",
        Role.COMMITTEE_SECRETARY,
    ),
    (
        "provider.lead",
        "Priya",
        "Patel",
        "Named Nurse for Safeguarding",
        "BSMHFT",
        Role.PROVIDER_LEAD,
    ),
    ("provider.contributor", "Tom", "Evans", "Ward Manager", "BSMHFT", Role.PROVIDER_CONTRIBUTOR),
    ("provider.b", "Grace", "Obi", "Head of Safeguarding", "UHB", Role.PROVIDER_LEAD),
    (
        "other.commissioner",
        "Daniel",
        "Hughes",
        "Designated Nurse for Safeguarding Adults",
        "BC ICB",
        Role.SAFEGUARDING_LEAD,
    ),
    (
        "other.secretary",
        "Amira",
        "Said",
        "Committee Secretary",
        "BC ICB",
        Role.COMMITTEE_SECRETARY,
    ),
    (
        "viewer",
        "Helen",
        "Moore",
        "Lay member, Quality and Safety Committee",
        "BSol ICB",
        Role.VIEWER,
    ),
]

THEMES = [
    "Care Programme Approach",
    "bed management",
    "domestic-abuse training",
    "carers",
    "admissions policy",
    "governance and oversight",
    "information sharing",
    "transition to adult services",
    "learning disability and autism",
    "self-neglect",
]


def upsert(model, defaults: dict, **lookup):
    """update_or_create that saves only when a value differs, so that running the loader
    again leaves no new history entries behind."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults), True
    changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, defaults[name])
    if changed:
        obj.save()
    return obj, False


@dataclass
class ActionSpec:
    number: str
    description: str
    owner: str
    lead_title: str
    time_frame: str
    due: date | int | None  # a date, or days from today
    status: str
    lead_user: str | None = None
    revised: date | int | None = None
    expected_outcome: str = ""
    evidence_required: str = ""
    closure_rationale: str = ""
    evidence: list[tuple[str, str, str]] = field(default_factory=list)
    updates: list[tuple[int, str, str]] = field(default_factory=list)  # days ago, user, text


@dataclass
class RecSpec:
    number: str
    text: str
    addressed_to: str | None
    themes: list[str]
    actions: list[ActionSpec]


@dataclass
class ReviewSpec:
    reference: str
    type_code: str
    title: str
    commissioning_body: str
    lifecycle: str
    summary: str
    forums: list[str]
    recommendations: list[RecSpec]
    owner: str = "BSol ICB"
    shares: list[tuple[str, str]] = field(default_factory=list)  # partner, access
    parent: str | None = None
    restricted: bool = False
    named: list[str] = field(default_factory=list)
    incident: date | None = None
    commissioned: date | None = None
    published: date | None = None


def _review_specs() -> list[ReviewSpec]:
    icb_lead = "Deputy Chief Nurse and AD JCT"
    accepted = EvidenceReviewState.ACCEPTED
    pending = EvidenceReviewState.PENDING
    return [
        ReviewSpec(
            reference="NHSE QAR 2018/01",
            type_code="QAR",
            title="Mr A and Mr B",
            commissioning_body="NHSE",
            lifecycle=Lifecycle.MONITORING,
            summary=(
                "Independent external quality-assurance review, carried out by NICHE for NHS "
                "England, of whether the recommendations of the DHRs and IMRs into two "
                "homicides by mental-health service users had been acted on. It found no "
                "document showing how the CCGs had tracked the action plans, and plans "
                "marked complete that no commissioner had tested."
            ),
            forums=["QSC", "SAG"],
            incident=date(2011, 9, 1),
            commissioned=date(2016, 4, 1),
            published=date(2018, 9, 1),
            recommendations=[
                RecSpec(
                    "1",
                    "Set out, in one place, how learning reviews and their action plans are "
                    "commissioned, signed off and tracked by the commissioner.",
                    "BSol ICB",
                    ["governance and oversight"],
                    [
                        ActionSpec(
                            "1.1",
                            "Obtain the names of nominated members for the Safeguarding "
                            "Assurance Group terms of reference.",
                            "BSol ICB",
                            icb_lead,
                            "Quarter 3 2018/19",
                            quarter_end(2018, 3),
                            Status.ASSURED,
                            lead_user="commissioner",
                            evidence=[
                                (
                                    "SAG-terms-of-reference.txt",
                                    "Approved SAG terms of reference",
                                    accepted,
                                )
                            ],
                            updates=[(2900, "commissioner", "Membership confirmed at SAG.")],
                        ),
                        ActionSpec(
                            "1.2",
                            "Draft the Safeguarding and Public Protection Policy and "
                            "Procedures, setting out monitoring and assurance of learning "
                            "reviews and the data flows with the Community Safety Partnerships.",
                            "BSol ICB",
                            icb_lead,
                            "December 2018/January 2019",
                            date(2019, 1, 31),
                            Status.ASSURED,
                            lead_user="commissioner",
                            evidence=[
                                ("policy-v1.0.txt", "Published policy, version 1.0", accepted)
                            ],
                        ),
                        ActionSpec(
                            "1.3",
                            "Audit compliance with the new policy and report to SAG, and by "
                            "exception to QSC.",
                            "BSol ICB",
                            icb_lead,
                            "Q2 2019/2020",
                            quarter_end(2019, 2),
                            Status.COMPLETED,
                            lead_user="commissioner",
                            evidence=[("audit-summary.txt", "Audit summary report", pending)],
                            updates=[(40, "commissioner", "Re-audit finished; report submitted.")],
                        ),
                    ],
                ),
                RecSpec(
                    "2",
                    "Confirm the lines of communication between the Community Safety "
                    "Partnership and commissioning and contracting, and report DHR action "
                    "plans through the contract quality review groups.",
                    "BSol ICB",
                    ["governance and oversight", "information sharing"],
                    [
                        ActionSpec(
                            "2.1",
                            "Review the CQRG terms of reference so that DHR and IMR action "
                            "plans are a standing item.",
                            "BSol ICB",
                            icb_lead,
                            "Review of CQRMs Terms of Reference completed by end of December 2018",
                            date(2018, 12, 31),
                            Status.ASSURED,
                            evidence=[
                                ("cqrg-tor.txt", "Revised CQRG terms of reference", accepted)
                            ],
                        ),
                    ],
                ),
                RecSpec(
                    "3",
                    "Link open DHR recommendations to the contract quality metrics, and test "
                    "actions through quality visits.",
                    "BSol ICB",
                    ["Care Programme Approach"],
                    [
                        ActionSpec(
                            "3.1",
                            "Agree a programme of CQRG quality visits to stress-test the "
                            "actions the trust reports as done, including a deep dive into "
                            "CPA care plans.",
                            "BSMHFT",
                            "Director of Nursing",
                            "Quarter 2 and ongoing business as usual",
                            -75,
                            Status.AT_RISK,
                            lead_user="provider.lead",
                            updates=[
                                (
                                    20,
                                    "provider.lead",
                                    "Two of four visits held; CPA deep dive booked.",
                                ),
                            ],
                        ),
                    ],
                ),
                RecSpec(
                    "4",
                    "Test for itself, with evidence, the status of every action reported as "
                    "complete.",
                    "BSol ICB",
                    ["governance and oversight"],
                    [
                        ActionSpec(
                            "4.1",
                            "Identify every current DHR and review open to BSMHFT and FTB and "
                            "monitor them through CQRG.",
                            "BSol ICB",
                            icb_lead,
                            "Ongoing",
                            None,
                            Status.ON_TRACK,
                            lead_user="commissioner",
                        ),
                    ],
                ),
                RecSpec(
                    "5",
                    "Address the outstanding concerns about bed management.",
                    "BSMHFT",
                    ["bed management"],
                    [
                        ActionSpec(
                            "5.1",
                            "Commissioner attendance at the trust's bed management meetings.",
                            "BSol ICB",
                            icb_lead,
                            "Quarter 2/3",
                            quarter_end(2018, 3),
                            Status.ASSURED,
                            evidence=[("bed-meeting-notes.txt", "Attendance log", accepted)],
                        ),
                        ActionSpec(
                            "5.2",
                            "Redesign the rehabilitation and recovery pathway to reduce out of "
                            "area placements to zero.",
                            "BSMHFT",
                            "Deputy Chief Executive",
                            "Quarter 2/3",
                            quarter_end(2018, 3),
                            Status.OFF_TRACK,
                            lead_user="provider.lead",
                            revised=-20,
                            expected_outcome="No out of area placements for rehabilitation.",
                            evidence_required="Monthly placement figures for six months.",
                            updates=[
                                (
                                    50,
                                    "provider.contributor",
                                    "Eleven people still placed out of area.",
                                ),
                                (12, "provider.lead", "Business case delayed to next quarter."),
                            ],
                        ),
                        ActionSpec(
                            "5.3",
                            "Test the value of higher staffing levels in step-up and "
                            "step-down respite settings.",
                            "BSMHFT",
                            "Clinical Director, Acute and Urgent Care",
                            "Quarter 2/3",
                            quarter_end(2018, 3),
                            Status.CLOSED,
                            closure_rationale="Superseded by the urgent care system case for change.",
                        ),
                    ],
                ),
            ],
        ),
        ReviewSpec(
            reference="BDHR 2011/12-03",
            type_code="DHR",
            title="Mr A",
            commissioning_body="BCSP",
            lifecycle=Lifecycle.MONITORING,
            summary=(
                "Domestic Homicide Review into the death of a mother, who was also her son's "
                "main carer, killed by her son while he was under the care of the mental "
                "health trust."
            ),
            forums=["SAG"],
            incident=date(2011, 9, 1),
            commissioned=date(2011, 11, 1),
            published=date(2013, 6, 1),
            recommendations=[
                RecSpec(
                    "6",
                    "Carers who live with a service user are offered a carer's assessment "
                    "and told who to contact in a crisis.",
                    "BSMHFT",
                    ["carers", "Care Programme Approach"],
                    [
                        ActionSpec(
                            "6.1",
                            "Add the carer's assessment and crisis contacts to the CPA review "
                            "template and audit its use.",
                            "BSMHFT",
                            "Associate Director of Nursing",
                            "Aug 17",
                            date(2017, 8, 31),
                            Status.ASSURED,
                            evidence=[("cpa-audit-2017.txt", "CPA template audit", accepted)],
                        ),
                    ],
                ),
                RecSpec(
                    "7",
                    "The trust's admissions policy covers the views of the family when a "
                    "bed is refused.",
                    "BSMHFT",
                    ["admissions policy", "bed management"],
                    [
                        ActionSpec(
                            "7.1",
                            "Revise the admissions policy and brief all crisis teams.",
                            "BSMHFT",
                            "Clinical Director, Acute and Urgent Care",
                            "Sept 17",
                            date(2017, 9, 30),
                            Status.COMPLETED,
                            lead_user="provider.lead",
                            evidence=[
                                ("admissions-policy.txt", "Revised admissions policy", pending)
                            ],
                        ),
                    ],
                ),
                RecSpec(
                    "10",
                    "GP practices record domestic abuse disclosures and refer through IRIS.",
                    "Modality",
                    ["domestic-abuse training"],
                    [
                        ActionSpec(
                            "10.1",
                            "Deliver IRIS training to every practice in the federation.",
                            "Modality",
                            "Named GP for Safeguarding",
                            "Dec 17",
                            date(2017, 12, 31),
                            Status.ON_TRACK,
                            revised=45,
                            updates=[
                                (30, "commissioner", "Extension to finish the last 6 practices.")
                            ],
                        ),
                    ],
                ),
            ],
        ),
        ReviewSpec(
            reference="IMR BSMHFT 2011/12-03",
            type_code="IMR",
            title="Mr A – mental health trust contribution",
            commissioning_body="BCSP",
            lifecycle=Lifecycle.CLOSED,
            summary="The mental health trust's Independent Management Review for BDHR 2011/12-03.",
            forums=["CQRG BSMHFT"],
            parent="BDHR 2011/12-03",
            commissioned=date(2011, 11, 1),
            published=date(2012, 10, 1),
            recommendations=[
                RecSpec(
                    "1",
                    "Risk of harm to family members is recorded at every CPA review.",
                    "BSMHFT",
                    ["Care Programme Approach"],
                    [
                        ActionSpec(
                            "1.1",
                            "Add a family-risk prompt to the electronic CPA record.",
                            "BSMHFT",
                            "Head of Clinical Systems",
                            "June '17",
                            date(2017, 6, 30),
                            Status.ASSURED,
                            evidence=[
                                ("cpa-prompt-screens.txt", "Screens of the new prompt", accepted)
                            ],
                        ),
                    ],
                ),
            ],
        ),
        ReviewSpec(
            reference="BDHR 2012/13-03",
            type_code="DHR",
            title="Mr B",
            commissioning_body="BCSP",
            lifecycle=Lifecycle.MONITORING,
            summary=(
                "Domestic Homicide Review into the death of a mother and main carer. "
                "Restricted while family liaison continues."
            ),
            forums=["SAG"],
            restricted=True,
            named=["commissioner"],
            incident=date(2012, 5, 1),
            commissioned=date(2012, 7, 1),
            published=date(2014, 3, 1),
            recommendations=[
                RecSpec(
                    "7:7",
                    "The admissions policy sets out how a refused admission is escalated.",
                    "BSMHFT",
                    ["admissions policy"],
                    [
                        ActionSpec(
                            "7:7.1",
                            "Publish an escalation route for refused admissions and audit it.",
                            "BSMHFT",
                            "Associate Director of Nursing",
                            "Quarter 3 2018/19",
                            quarter_end(2018, 3),
                            Status.ON_TRACK,
                            lead_user="provider.lead",
                            revised=20,
                            updates=[(9, "provider.lead", "Audit fieldwork finished.")],
                        ),
                    ],
                ),
            ],
        ),
        ReviewSpec(
            reference="IMR BSMHFT 2012/13-03",
            type_code="IMR",
            title="Mr B – mental health trust contribution",
            commissioning_body="BCSP",
            lifecycle=Lifecycle.CLOSED,
            summary="The mental health trust's Independent Management Review for BDHR 2012/13-03.",
            forums=["CQRG BSMHFT"],
            parent="BDHR 2012/13-03",
            recommendations=[
                RecSpec(
                    "1",
                    "Discharge plans name the carer and are shared with them.",
                    "BSMHFT",
                    ["carers"],
                    [
                        ActionSpec(
                            "1.1",
                            "Update the discharge checklist and train ward staff.",
                            "BSMHFT",
                            "Ward Manager",
                            "Jan 18",
                            date(2018, 1, 31),
                            Status.ASSURED,
                            lead_user="provider.contributor",
                            evidence=[
                                ("discharge-checklist.txt", "Checklist and training log", accepted)
                            ],
                        ),
                    ],
                ),
            ],
        ),
        ReviewSpec(
            reference="DHR 2024/05",
            type_code="DHR",
            title="Mrs E",
            commissioning_body="BCSP",
            # Repeat attendances crossed into the Black Country: its ICB reads the plan.
            shares=[("BC ICB", ShareAccess.READ)],
            lifecycle=Lifecycle.PUBLISHED,
            summary="Domestic Homicide Review after a death following repeat emergency attendances.",
            forums=["SAG"],
            incident=date(2024, 2, 1),
            commissioned=date(2024, 4, 1),
            published=date(2026, 3, 1),
            recommendations=[
                RecSpec(
                    "1",
                    "Emergency department staff ask about domestic abuse at every attendance "
                    "with an injury.",
                    "UHB",
                    ["domestic-abuse training"],
                    [
                        ActionSpec(
                            "1.1",
                            "Add routine enquiry to the ED triage record.",
                            "UHB",
                            "Head of Safeguarding",
                            "Q3 2026/27",
                            quarter_end(2026, 3),
                            Status.ON_TRACK,
                            lead_user="provider.b",
                        ),
                        ActionSpec(
                            "1.2",
                            "Train ED staff in routine enquiry (target 90%).",
                            "UHB",
                            "Lead Nurse, Emergency Department",
                            "Quarter 2 2026/27",
                            quarter_end(2026, 2),
                            Status.OFF_TRACK,
                            updates=[(15, "provider.b", "Training at 61%; staffing pressures.")],
                        ),
                    ],
                ),
                RecSpec(
                    "2",
                    "GP practices flag repeat ED attendances with injuries to the named GP.",
                    "Modality",
                    ["information sharing"],
                    [
                        ActionSpec(
                            "2.1",
                            "Agree an ED-to-GP alert for repeat injury attendances.",
                            "Modality",
                            "Named GP for Safeguarding",
                            "Within 6 months",
                            25,
                            Status.NOT_STARTED,
                        ),
                    ],
                ),
            ],
        ),
        ReviewSpec(
            reference="IMR UHB 2024/05",
            type_code="IMR",
            title="Mrs E – acute trust contribution",
            commissioning_body="BCSP",
            lifecycle=Lifecycle.PUBLISHED,
            summary="The acute trust's Independent Management Review for DHR 2024/05.",
            forums=["CQRG UHB"],
            parent="DHR 2024/05",
            recommendations=[
                RecSpec(
                    "1",
                    "Safeguarding supervision for ED nurses at least quarterly.",
                    "UHB",
                    ["domestic-abuse training"],
                    [
                        ActionSpec(
                            "1.1",
                            "Set up quarterly group supervision for ED nursing staff.",
                            "UHB",
                            "Named Nurse for Safeguarding Adults",
                            "September 2026",
                            date(2026, 9, 30),
                            Status.COMPLETED,
                            lead_user="provider.b",
                            evidence=[
                                ("supervision-log.txt", "Supervision attendance log", pending)
                            ],
                        ),
                    ],
                ),
            ],
        ),
        ReviewSpec(
            reference="SAR 2025/02",
            type_code="SAR",
            title="Ms C",
            commissioning_body="BSAB",
            lifecycle=Lifecycle.MONITORING,
            summary="Safeguarding Adults Review after the death of a woman who self-neglected at home.",
            forums=["SAG"],
            incident=date(2025, 1, 10),
            commissioned=date(2025, 3, 1),
            published=date(2026, 1, 15),
            recommendations=[
                RecSpec(
                    "1",
                    "District nurses escalate repeated refusals of care under the self-neglect "
                    "pathway.",
                    "BCHC",
                    ["self-neglect"],
                    [
                        ActionSpec(
                            "1.1",
                            "Launch the self-neglect escalation pathway in district nursing.",
                            "BCHC",
                            "Head of Adult Safeguarding",
                            "Quarter 2 2026/27",
                            -30,
                            Status.AT_RISK,
                            updates=[
                                (10, "commissioner", "Pathway drafted; sign-off outstanding.")
                            ],
                        ),
                        ActionSpec(
                            "1.2",
                            "Audit 20 cases against the pathway six months after launch.",
                            "BCHC",
                            "Head of Adult Safeguarding",
                            "Q4 2026/27",
                            quarter_end(2026, 4),
                            Status.NOT_STARTED,
                        ),
                    ],
                ),
                RecSpec(
                    "2",
                    "Mental capacity is assessed and recorded when care is refused.",
                    "BSMHFT",
                    ["self-neglect"],
                    [
                        ActionSpec(
                            "2.1",
                            "Deliver mental capacity refresher training to community teams.",
                            "BSMHFT",
                            "Mental Capacity Act Lead",
                            "Within 3 months",
                            12,
                            Status.ON_TRACK,
                            lead_user="provider.contributor",
                        ),
                        ActionSpec(
                            "2.2",
                            "Audit capacity recording in community mental health notes.",
                            "BSMHFT",
                            "Mental Capacity Act Lead",
                            "Within 6 months",
                            -5,
                            Status.ON_TRACK,
                            lead_user="provider.lead",
                        ),
                    ],
                ),
            ],
        ),
        ReviewSpec(
            reference="CSPR 2025/04",
            type_code="CSPR",
            title="Child D",
            commissioning_body="BSCP",
            lifecycle=Lifecycle.IN_PROGRESS,
            summary="Child Safeguarding Practice Review on the move of a looked-after young person to adult services.",
            forums=["SAG"],
            incident=date(2025, 6, 1),
            commissioned=date(2025, 8, 1),
            recommendations=[
                RecSpec(
                    "1",
                    "Transition planning starts at 16 for young people known to CAMHS.",
                    "BSMHFT",
                    ["transition to adult services"],
                    [
                        ActionSpec(
                            "1.1",
                            "Agree a joint transition protocol with children's services.",
                            "BSMHFT",
                            "Clinical Director, Youth Services",
                            "Q4 2026/27",
                            110,
                            Status.NOT_STARTED,
                        ),
                    ],
                ),
                RecSpec(
                    "2",
                    "Health visitors share concerns with the named GP.",
                    "BCHC",
                    ["information sharing"],
                    [
                        ActionSpec(
                            "2.1",
                            "Introduce a shared template for health visitor to GP liaison.",
                            "BCHC",
                            "Named Nurse for Safeguarding Children",
                            "Within 3 months",
                            60,
                            Status.ON_TRACK,
                        ),
                    ],
                ),
            ],
        ),
        ReviewSpec(
            reference="BHR TCP 2017-19",
            type_code="PLAN",
            title="Transforming Care plan 2017–19",
            commissioning_body="BHR TCP",
            lifecycle=Lifecycle.MONITORING,
            summary=(
                "Plan to reduce inpatient beds for people with a learning disability or autism "
                "from 26 (March 2016) to 14 (March 2019), through eight workstreams agreed by "
                "the TCP Board in December 2016."
            ),
            forums=["QSC"],
            commissioned=date(2016, 12, 1),
            published=date(2017, 5, 12),
            recommendations=[
                RecSpec(
                    "WS1",
                    "Community based care and support: everyone in the community at risk of "
                    "admission has a Care and Treatment Review.",
                    "BSol ICB",
                    ["learning disability and autism"],
                    [
                        ActionSpec(
                            "1.1",
                            "Complete the CTR training programme for community learning "
                            "disability teams and children's services.",
                            "BSol ICB",
                            "CCG LD commissioner",
                            "August 17",
                            month_end(2017, 8),
                            Status.ASSURED,
                            evidence=[("ctr-training.txt", "Training completion report", accepted)],
                        ),
                        ActionSpec(
                            "1.2",
                            "Set up monthly CTR assurance meetings, starting with Barking and Dagenham.",
                            "BSol ICB",
                            "CCG LD commissioner",
                            "May 17",
                            month_end(2017, 5),
                            Status.ASSURED,
                            evidence=[
                                ("ctr-meetings.txt", "Meeting schedule and minutes", accepted)
                            ],
                        ),
                        ActionSpec(
                            "1.3",
                            "Report admission-avoidance register numbers monthly to the TCP Board.",
                            "BSol ICB",
                            "TCP programme manager",
                            "June 17",
                            month_end(2017, 6),
                            Status.COMPLETED,
                            lead_user="commissioner",
                            evidence=[("register-report.txt", "Board report extract", pending)],
                        ),
                    ],
                ),
                RecSpec(
                    "WS2",
                    "Inpatient care: effective gatekeeping and collaborative discharge.",
                    "BSol ICB",
                    ["learning disability and autism", "bed management"],
                    [
                        ActionSpec(
                            "2.1",
                            "Develop an assessment and treatment unit specification based on "
                            "the cohort's needs.",
                            "BSol ICB",
                            "CCG LD commissioner",
                            "Jan 18",
                            month_end(2018, 1),
                            Status.CLOSED,
                            closure_rationale="Taken over by the regional specification.",
                        ),
                        ActionSpec(
                            "2.2",
                            "Commission a review and placement support service for people in "
                            "hospital out of area or for five years or more.",
                            "BSol ICB",
                            "TCP SRO",
                            "Dec 17",
                            month_end(2017, 12),
                            Status.OFF_TRACK,
                            updates=[
                                (
                                    60,
                                    "commissioner",
                                    "Three people still in dispute over responsible commissioner.",
                                )
                            ],
                        ),
                    ],
                ),
                RecSpec(
                    "WS4",
                    "The right support: families, carers and workforce.",
                    "BSol ICB",
                    ["learning disability and autism", "carers"],
                    [
                        ActionSpec(
                            "4.1",
                            "Develop and implement a Positive Behaviour Support strategy with "
                            "clinical psychology, family carers and providers.",
                            "BSol ICB",
                            "TCP programme manager",
                            "December 17",
                            month_end(2017, 12),
                            Status.ASSURED,
                            evidence=[("pbs-strategy.txt", "PBS strategy as approved", accepted)],
                        ),
                        ActionSpec(
                            "4.2",
                            "Review the crisis offer for children and young people in the cohort.",
                            "BSol ICB",
                            "CYP TCP lead",
                            "Sept 17",
                            month_end(2017, 9),
                            Status.NOT_STARTED,
                        ),
                    ],
                ),
            ],
        ),
        *_black_country_specs(),
    ]


def _black_country_specs() -> list[ReviewSpec]:
    """The second ICB's own reviews: BSol's people never see them."""
    return [
        ReviewSpec(
            reference="SAR Walsall 2025/02",
            type_code="SAR",
            title="Mrs K",
            commissioning_body="SWP",
            owner="BC ICB",
            lifecycle=Lifecycle.MONITORING,
            summary=(
                "An older woman living alone with advanced dementia died after a fall at "
                "home. Carers' concerns about self-neglect were logged by three agencies "
                "but never brought together."
            ),
            forums=["BC SAG"],
            incident=date(2024, 3, 9),
            commissioned=date(2024, 6, 3),
            published=date(2025, 7, 1),
            recommendations=[
                RecSpec(
                    "1",
                    "Agencies use one self-neglect pathway with a named coordinator.",
                    "BCHFT",
                    ["self-neglect", "information sharing"],
                    [
                        ActionSpec(
                            "1.1",
                            "Adopt the Black Country self-neglect pathway in community teams.",
                            "BCHFT",
                            "Head of Adult Safeguarding",
                            "Quarter 4",
                            45,
                            Status.ON_TRACK,
                        ),
                        ActionSpec(
                            "1.2",
                            "Crews refer repeated falls with self-neglect to adult social care.",
                            "WMAS",
                            "Safeguarding Lead",
                            "Within 6 months",
                            -20,
                            Status.AT_RISK,
                        ),
                    ],
                ),
                RecSpec(
                    "2",
                    "Carers are told who to call when they are worried.",
                    "BC ICB",
                    ["carers"],
                    [
                        ActionSpec(
                            "2.1",
                            "Publish carers' escalation contacts on the ICB website.",
                            "BC ICB",
                            "Designated Nurse for Safeguarding Adults",
                            "June 26",
                            month_end(2026, 6),
                            Status.COMPLETED,
                            evidence=[
                                (
                                    "carers-contacts-page.txt",
                                    "Carers' contacts page as published",
                                    EvidenceReviewState.PENDING,
                                )
                            ],
                        ),
                    ],
                ),
            ],
        ),
    ]


# Each owner's safeguarding assurance group (the default monitoring forum) and the
# commissioner who assures its actions.
OWNER_SAG = {"BSol ICB": "SAG", "BC ICB": "BC SAG"}
OWNER_TEAM = {"BSol ICB": "commissioner", "BC ICB": "other.commissioner"}


class Command(BaseCommand):
    help = "Loads (or refreshes) the demo portfolio. Safe to run again: nothing is duplicated."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="Do not print the demo sign-in details."
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        self.today = timezone.localdate()
        review_types_ensure_defaults()
        organisations = self._organisations()
        users = self._users(organisations)
        forums = self._forums(organisations, users)
        self._meetings(forums)
        themes = {name: Theme.objects.get_or_create(name=name)[0] for name in THEMES}
        for spec in _review_specs():
            self._review(spec, organisations, users, forums, themes)
        counts = {
            "reviews": Review.objects.count(),
            "actions": Action.objects.count(),
            "evidence": Evidence.objects.count(),
            "meetings": Meeting.objects.count(),
        }
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready: "
                + ", ".join(f"{count} {name}" for name, count in counts.items())
                + "."
            )
        )
        if not options["quiet"]:
            self._print_sign_in()

    def _date(self, value: date | int | None) -> date | None:
        if isinstance(value, int):
            return self.today + timedelta(days=value)
        return value

    def _organisations(self) -> dict[str, Organisation]:
        result = {}
        for name, short, kind in ORGANISATIONS:
            org, _ = upsert(Organisation, short_name=short, defaults={"name": name, "kind": kind})
            result[short] = org
        for provider, commissioners in PROVIDER_COMMISSIONERS.items():
            result[provider].commissioned_by.set([result[c] for c in commissioners])
        return result

    def _users(self, organisations: dict[str, Organisation]) -> dict[str, User]:
        result = {}
        for username, first, last, title, org, role in CAST:
            user, created = upsert(
                User,
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "job_title": title,
                    "email": f"{username}@example.nhs.uk",
                    "is_active": True,
                    "is_staff": role is None,
                    "is_superuser": role is None,
                },
            )
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            if role is not None and org is not None:
                Membership.objects.get_or_create(
                    user=user, organisation=organisations[org], role=role
                )
            result[username] = user
        return result

    def _forums(
        self, organisations: dict[str, Organisation], users: dict[str, User]
    ) -> dict[str, Forum]:
        icb = organisations["BSol ICB"]
        defaults_common = {"organisation": icb, "secretary": users["secretary"]}
        qsc, _ = upsert(
            Forum,
            short_name="QSC",
            defaults={
                **defaults_common,
                "name": "Quality and Safety Committee",
                "kind": ForumKind.QSC,
                "cadence": Cadence.BIMONTHLY,
                "chair": users["viewer"],
                "reports_to": None,
                "terms_of_reference": "Oversees quality and safety on behalf of the Board.",
            },
        )
        sag, _ = upsert(
            Forum,
            short_name="SAG",
            defaults={
                **defaults_common,
                "name": "Safeguarding Assurance Group",
                "kind": ForumKind.SAG,
                "cadence": Cadence.QUARTERLY,
                "chair": users["commissioner"],
                "reports_to": qsc,
                "terms_of_reference": (
                    "Maintains an overview of DHRs, SARs, SCRs, CSPRs and other learning "
                    "reviews; reports to QSC by exception."
                ),
            },
        )
        forums = {"QSC": qsc, "SAG": sag}
        for short in ("BSMHFT", "BCHC", "UHB", "Modality"):
            forum, _ = upsert(
                Forum,
                short_name=f"CQRG {short}",
                defaults={
                    **defaults_common,
                    "name": f"Contract Quality Review Group – {organisations[short].name}",
                    "kind": ForumKind.CQRG,
                    "provider": organisations[short],
                    "cadence": Cadence.MONTHLY,
                    "chair": users["commissioner"],
                    "reports_to": sag,
                },
            )
            forums[forum.short_name] = forum
        black_country = organisations["BC ICB"]
        forums["BC SAG"], _ = upsert(
            Forum,
            short_name="BC SAG",
            defaults={
                "organisation": black_country,
                "secretary": users["other.secretary"],
                "name": "Black Country Safeguarding Assurance Group",
                "kind": ForumKind.SAG,
                "cadence": Cadence.QUARTERLY,
                "chair": users["other.commissioner"],
                "reports_to": None,
                "terms_of_reference": (
                    "Assures NHS Black Country ICB's Board that learning from safeguarding "
                    "reviews in the Black Country is acted on."
                ),
            },
        )
        return forums

    def _meetings(self, forums: dict[str, Forum]) -> None:
        """Meetings on fixed calendar days for six months either side of today, so a
        re-run on another day adds the new months but never a second copy of a meeting."""
        months = {
            "QSC": {2, 4, 6, 8, 10, 12},
            "SAG": {3, 6, 9, 12},
            "BC SAG": {1, 4, 7, 10},
        }
        start = date(self.today.year, self.today.month, 1) - timedelta(days=183)
        for offset in range(0, 13):
            month_index = start.month - 1 + offset
            year, month = start.year + month_index // 12, month_index % 12 + 1
            for short, forum in forums.items():
                if forum.kind == ForumKind.CQRG:
                    day = 10
                elif month in months[short]:
                    day = {"SAG": 20, "BC SAG": 14}.get(short, 26)
                else:
                    continue
                Meeting.objects.get_or_create(
                    forum=forum,
                    # Committees meet on working days: the first one on or after the
                    # usual day of the month.
                    held_on=next_working_day(date(year, month, day)),
                    defaults={"location": "Microsoft Teams"},
                )

    def _review(
        self,
        spec: ReviewSpec,
        organisations: dict[str, Organisation],
        users: dict[str, User],
        forums: dict[str, Forum],
        themes: dict[str, Theme],
    ) -> None:
        review, _ = upsert(
            Review,
            reference=spec.reference,
            defaults={
                "review_type": ReviewType.objects.get(code=spec.type_code),
                "title": spec.title,
                "summary": spec.summary,
                "commissioning_body": organisations[spec.commissioning_body],
                "owner": organisations[spec.owner],
                "lifecycle": spec.lifecycle,
                "restricted": spec.restricted,
                "parent": Review.objects.get(reference=spec.parent) if spec.parent else None,
                "incident_date": spec.incident,
                "commissioned_date": spec.commissioned,
                "published_date": spec.published,
            },
        )
        review.full_clean()
        for partner, access_level in spec.shares:
            upsert(
                ReviewShare,
                review=review,
                organisation=organisations[partner],
                defaults={"access": access_level, "shared_by": users["commissioner"]},
            )
        review.monitoring_forums.set([forums[name] for name in spec.forums])
        review.named_people.set([users[name] for name in spec.named])
        for rec_spec in spec.recommendations:
            recommendation, _ = upsert(
                Recommendation,
                review=review,
                number=rec_spec.number,
                defaults={
                    "text": rec_spec.text,
                    "addressed_to": organisations.get(rec_spec.addressed_to or ""),
                },
            )
            recommendation.themes.set([themes[name] for name in rec_spec.themes])
            for action_spec in rec_spec.actions:
                self._action(recommendation, action_spec, organisations, users, forums)

    def _action(
        self,
        recommendation: Recommendation,
        spec: ActionSpec,
        organisations: dict[str, Organisation],
        users: dict[str, User],
        forums: dict[str, Forum],
    ) -> None:
        owner = organisations[spec.owner]
        due = self._date(spec.due)
        finished = spec.status in (Status.COMPLETED, Status.ASSURED)
        action, created = upsert(
            Action,
            recommendation=recommendation,
            number=spec.number,
            defaults={
                "description": spec.description,
                "owner_organisation": owner,
                "lead_role_title": spec.lead_title,
                "lead_user": users.get(spec.lead_user or ""),
                "original_time_frame": spec.time_frame,
                "due_date": due,
                "revised_due_date": self._date(spec.revised),
                "expected_outcome": spec.expected_outcome,
                "evidence_required": spec.evidence_required,
                "status": spec.status,
                "closure_rationale": spec.closure_rationale,
                "completed_on": (due or self.today) if finished else None,
                "assured_by": users[OWNER_TEAM[recommendation.review.owner.short_name]]
                if spec.status == Status.ASSURED
                else None,
                "assured_at": (
                    timezone.make_aware(datetime.combine(due or self.today, time(12)))
                    if spec.status == Status.ASSURED
                    else None
                ),
                "monitoring_forum": forums.get(f"CQRG {spec.owner}")
                or forums[OWNER_SAG[recommendation.review.owner.short_name]],
            },
        )
        action.full_clean()
        if created:
            self._history(action, spec)
        team = OWNER_TEAM[recommendation.review.owner.short_name]
        uploader = users["provider.lead"] if spec.owner == "BSMHFT" else users[team]
        if spec.owner == "UHB":
            uploader = users["provider.b"]
        for filename, description, state in spec.evidence:
            self._evidence(action, filename, description, state, uploader, users[team])
        for days_ago, author, text in spec.updates:
            ProgressUpdate.objects.get_or_create(
                action=action,
                text=text,
                defaults={
                    "author": users[author],
                    "status": spec.status,
                    "created_at": timezone.now() - timedelta(days=days_ago),
                },
            )
        # "Last updated" as a provider would see it: the latest progress update, or a
        # quarter ago for actions nobody has touched, so stale ones stand out.
        latest = action.updates.order_by("-created_at").values_list("created_at", flat=True).first()
        Action.objects.filter(pk=action.pk).update(
            updated_at=latest or timezone.now() - timedelta(days=95)
        )

    def _history(self, action: Action, spec: ActionSpec) -> None:
        """Give a new action a past, so the quarterly report's trend has something to
        show: added some months ago as not started, on track for a while, and reaching
        today's status (after completed, for an assured one) a few weeks ago; the revised
        due date arrives with the last step. Written once, when the action is created,
        so a second run changes nothing."""
        HistoricalAction = Action.history.model
        record = HistoricalAction.objects.filter(id=action.pk).order_by("history_id").first()
        if record is None:
            return
        seed = sum(map(ord, spec.description))
        span = 150 + seed % 540  # days since the action was added
        added = self.today - timedelta(days=span)
        last = self.today - timedelta(days=3 + seed % 40)
        steps: list[tuple[date, str]] = [(added, Status.NOT_STARTED)]
        if spec.status not in (Status.NOT_STARTED, Status.ON_TRACK):
            steps.append((added + timedelta(days=span * 35 // 100), Status.ON_TRACK))
        if spec.status == Status.ASSURED:
            steps.append((added + timedelta(days=span * 70 // 100), Status.COMPLETED))
        if spec.status != Status.NOT_STARTED:
            steps.append((max(last, steps[-1][0] + timedelta(days=1)), spec.status))
        fields = {
            f.attname: getattr(record, f.attname)
            for f in HistoricalAction._meta.fields
            if f.attname != "history_id"
        }
        final = len(steps) - 1
        HistoricalAction.objects.bulk_create(
            HistoricalAction(
                **{
                    **fields,
                    "status": status,
                    "history_date": timezone.make_aware(datetime.combine(day, time(10))),
                    "history_type": "+" if index == 0 else "~",
                    "history_change_reason": "Demo history",
                    **(
                        {}
                        if index == final
                        else {
                            "revised_due_date": None,
                            "completed_on": None,
                            "assured_at": None,
                            "assured_by_id": None,
                            "closure_rationale": "",
                        }
                    ),
                }
            )
            for index, (day, status) in enumerate(steps)
        )
        record.delete()

    def _evidence(
        self,
        action: Action,
        filename: str,
        description: str,
        state: str,
        uploader: User,
        reviewer: User,
    ) -> None:
        if Evidence.objects.filter(action=action, original_filename=filename).exists():
            return
        content = (
            f"{description}\n\nDemo evidence for action {action.number} of "
            f"{action.recommendation.review.reference}.\n"
        ).encode()
        evidence = Evidence(
            action=action,
            description=description,
            original_filename=filename,
            content_type="text/plain",
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=uploader,
            review_state=state,
        )
        if state != EvidenceReviewState.PENDING:
            evidence.reviewed_by = reviewer
            evidence.reviewed_at = timezone.now()
        evidence.file.save(filename, ContentFile(content), save=False)
        evidence.save()

    def _print_sign_in(self) -> None:
        self.stdout.write("")
        self.stdout.write("Demo sign-in (local use only), password for everyone: " + DEMO_PASSWORD)
        for username, first, last, _title, org, role in CAST:
            label = Role(role).label if role else "Administrator"
            where = f", {org}" if org else ""
            self.stdout.write(f"  {username:<22} {first} {last}: {label}{where}")
        self.stdout.write("")
