"""Imports built from the two seed tables: the CCG's response to the NHS England review
of Mr A and Mr B (000: KLOE / Response / Further actions / Time frame / Lead) and the
Barking, Havering and Redbridge Transforming Care plan (004: TCP plan objective /
Learning 16/17 / Action 17-19 / Timeline), as a team would paste them into Excel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from accounts.choices import OrganisationKind
from actions.choices import Status
from actions.models import Action, ProgressUpdate
from imports.choices import Field, ReviewSource
from reviews.choices import PlanGrouping
from reviews.models import Review
from tests import factories
from tests.imports.workbooks import choose, commit, csv_file, preview, upload, xlsx

pytestmark = pytest.mark.django_db

LEAD = "Deputy Chief Nurse and AD JCT"
KLOE_HEADINGS = ["KLOE", "Response", "Further actions", "Time frame", "Lead"]
KLOE_ROWS = [
    [
        "1. What were/are the existing arrangements for the monitoring or DHRs and IMRs?",
        "DHRs are commissioned by the Birmingham Community Safety Partnership (BCSP).",
        "In regards to the terms of reference for BSol CCG Safeguarding and Assurance Group, "
        "we are awaiting names of nominated members across the relevant directorates. The new "
        "BSol CCG Safeguarding and Public Protection Policy and Procedures is under development.",
        "Quarter 3 2018/19 names and contact details to be provided to the Head of "
        "Safeguarding/Lead Designated in readiness for the call for papers due three weeks prior "
        "to the 20 September meeting. BSol CCG Safeguarding and Public Protection Policy and "
        "Procedure to be drafted and ready for the Safeguarding Assurance Group on 20 September "
        "2018. Thereafter, and subject to amends, to be circulated to Birmingham and Solihull "
        "workforce early October 2018. Final amends made during November 2018 and ready for "
        "approval by the next Quality and Safety Committee/ Governing Body - December 2018/January "
        "2019. Final publication anticipated by end of January 2019. The Designated Professionals "
        "Safeguarding Team audit cycle to commence during Q1 2019/2020. Reporting to the "
        "Safeguarding Assurance Group and by exception, Quality and Safety Committee Q2 "
        "2019/2020. A report is expected to be tabled at 29 November 2018 SAG meeting.",
        LEAD,
    ],
    [
        "2. What evidence is there to demonstrate that action plans pertaining to the above "
        "reviews were effectively monitored by CCGs via the existing arrangements?",
        "The CCG was then represented on the Partnership DHR Steering Group.",
        "Confirm lines of communication between BCSP and CCG commissioning and contracting "
        "functions and onward reporting. Identify any current DHRs and other reviews open to "
        "BSMHFT.",
        "Quarter 3 2018/19 20 September 2018, attendance at SAG. Review of CQRMs Terms of "
        "Reference completed by end of December 2018. Audit for compliance as outlined in "
        "section 1, Q1 of 2019/20.",
        LEAD,
    ],
    [
        "3. To what extent did the existing contract quality assurance regime monitor indicators?",
        "The contract between the CCG and its mental health providers contain a range of "
        "quality indicators.",
        "Review recommendations of open DHRs and other reviews to ensure that appropriate "
        "quality metrics are in place. Agree via CQRG a programme of quality visits to stress "
        "test actions taken in response to recommendations.",
        "Quarter 2 and ongoing business as usual.",
        LEAD,
    ],
    [
        "4. To what extent is the CCG currently assured of the status of these and any "
        "subsequent action plans?",
        "The CCG has had sight of the action plan relating to the above DHRs.",
        "Agree via CQRG and Birmingham and Solihull SAG a programme of quality visits. Identify "
        "any current DHRs and other reviews open to BSMHFT and FTB.",
        "Ongoing",
        LEAD,
    ],
    [
        "5. What plans are in place to address any actions/recommendations that are outstanding?",
        "BSMHFT has raised concerns about its level of assurance in respect of bed management.",
        "CCG attendance at bed management meetings. Plan to implement BSMHFT and FTB "
        "Personality Disorder Strategy.",
        "Quarter 2/3",
        LEAD,
    ],
]
KLOE_DUE = [date(2019, 9, 30), date(2019, 6, 30), date(2018, 9, 30), None, date(2018, 12, 31)]

TCP_ROWS: list[list[object]] = [
    ["Workstream 1 Community Based Care and Support Aims"],
    [],
    ["TCP plan objective", "Learning 16/17", "Action 17-19", "Timeline"],
    [
        "All community patients at risk of admission have CTR",
        "79% of TCP cohort recorded as having CTR (01/17)",
        "Complete training programme on CTR for CLDTs and CYP services.",
        "August 17",
    ],
    [
        None,
        None,
        "Establish regular monthly CTR assurance meetings to identify patients requiring community CTR – targeted on B&D",
        "May 17",
    ],
    [
        "Implement robust all age admissions avoidance registers",
        "Most admissions in B&D (B&D 9, Havering 3, Redbridge 4).",
        "CYP/TCP leads in place and contributing monthly to CTR assurance meetings.",
        "August 17",
    ],
    [None, None, "Start monthly reporting on numbers on registers to TCP Board.", "June 17"],
    [
        "Improve management of crisis",
        "Outreach/crisis model developed with NELFT adult services unaffordable.",
        "Develop and implement PBS strategy supported by clinical psychology and working with family carers and providers to prevent crisis.",
        "December 17",
    ],
    [None, None, "Review CYP crisis offer for TCP cohort.", "Sept 17"],
    [
        None,
        None,
        "CTR assurance meetings to review all 52 week residential school placement transition arrangements.",
        "August 17",
    ],
    [
        "Implement effective inpatient gatekeeping function",
        "Lack of effective gatekeeping in children and adult inpatient care.",
        "Develop ATU specification with INEL based on NEL TCP cohort needs",
        "Jan 18",
    ],
    [
        "Develop community respite offer",
        "Limited spot purchased respite largely available as direct payments.",
        "Undertake options appraisal across BHR and draft service specification",
        "August 17",
    ],
    [
        "Implement collaborative discharge process between inpatient care & community",
        "Lack of process between spec comm and BHR community teams.",
        "Establish spec comm surgeries and agree standard discharge planning processes.",
        "Sept 17",
    ],
    [
        None,
        None,
        "Commission OOA and 5+ year patient review and placement support service",
        "Dec 17",
    ],
    [
        "Ensure effective community services to support discharge",
        "Gaps in community provision – autism, personality disorder, community forensic.",
        "Complete TCP cohort needs assessment.",
        "August 17",
    ],
    [None, None, "Develop business case for children autism support", "June 17"],
    [None, None, "Develop proposals to enhance for adult autism post diagnosis pathway", "Nov 17"],
    [
        None,
        None,
        "Develop business cases for use of CCG TCP investment – recurrent/non-recurrent - potentially with INEL for specialist services",
        "July 17",
    ],
]
TCP_DUE = [
    date(2017, 8, 31), date(2017, 5, 31), date(2017, 8, 31), date(2017, 6, 30), date(2017, 12, 31),
    date(2017, 9, 30), date(2017, 8, 31), date(2018, 1, 31), date(2017, 8, 31), date(2017, 9, 30),
    date(2017, 12, 31), date(2017, 8, 31), date(2017, 6, 30), date(2017, 11, 30), date(2017, 7, 31),
]  # fmt: skip


@pytest.fixture
def bsol(cast):
    """The cast's ICB, named as in the papers the plans come from."""
    cast.icb.name = "NHS Birmingham and Solihull Integrated Care Board"
    cast.icb.short_name = "BSol ICB"
    cast.icb.save()
    return cast.icb


def new_review(reference: str, code: str, title: str, body, **more):
    return {
        "review_source": ReviewSource.NEW,
        "new_review_reference": reference,
        "new_review_title": title,
        "new_review_type": factories.review_type(code),
        "commissioning_body": body,
        **more,
    }


def test_the_kloe_table_becomes_five_numbered_recommendations_with_their_actions(cast, bsol):
    nhse = factories.organisation(OrganisationKind.COMMISSIONER, "NHSE")
    data = xlsx([KLOE_HEADINGS, *KLOE_ROWS], sheet="CCG response")
    plan_import = upload(cast.commissioner, data, "CCG response to NICHE.xlsx")
    assert plan_import.sheet_name == "CCG response"
    plan_import = choose(
        plan_import,
        cast.commissioner,
        **new_review(
            "NHSE QAR 2018/01", "QAR", "Mr A and Mr B", nhse, default_owner=bsol, plan_year=2018
        ),
    )
    assert plan_import.columns == {
        "0": Field.REC_TEXT,
        "2": Field.ACTION,
        "3": Field.TIME_FRAME,
        "4": Field.LEAD,
    }

    plan = preview(plan_import, cast.commissioner)
    assert plan.error_count == 0
    assert [r.due for r in plan.rows] == KLOE_DUE
    assert plan.rows[3].warnings == [
        "Needs attention: “Ongoing” gives no date: set a due date after import."
    ]
    assert any("characters long" in w for w in plan.rows[0].warnings)
    assert any("financial year 2018/19" in n for n in plan.rows[4].notes)

    done = commit(plan_import, cast.commissioner)
    assert (done.actions_created, done.recommendations_created, done.reviews_created) == (5, 5, 1)
    review = Review.objects.get(reference="NHSE QAR 2018/01")
    assert review.commissioning_body == nhse and review.review_type.code == "QAR"
    recommendations = list(review.recommendations.order_by("number"))
    assert [r.number for r in recommendations] == ["1", "2", "3", "4", "5"]
    assert (
        recommendations[0].text
        == "What were/are the existing arrangements for the monitoring or DHRs and IMRs?"
    )
    actions = list(
        Action.objects.filter(recommendation__review=review).order_by("recommendation__number")
    )
    assert [a.due_date for a in actions] == KLOE_DUE
    assert {a.lead_role_title for a in actions} == {LEAD}
    assert {a.owner_organisation for a in actions} == {bsol}
    assert {a.status for a in actions} == {Status.NOT_STARTED}
    assert actions[4].original_time_frame == "Quarter 2/3"
    assert actions[3].original_time_frame == "Ongoing"
    # The first time frame is longer than the field: shortened, and kept whole as an update.
    assert len(actions[0].original_time_frame) == 200 and actions[0].original_time_frame.endswith(
        "…"
    )
    assert ProgressUpdate.objects.get(action=actions[0]).text.endswith(
        "29 November 2018 SAG meeting."
    )


def test_quarter_two_three_takes_the_year_of_the_review(cast, bsol):
    review = factories.review(code="QAR", body=cast.icb)
    review.published_date = date(2018, 7, 20)
    review.save()
    data = xlsx([KLOE_HEADINGS, KLOE_ROWS[4]])
    plan_import = choose(
        upload(cast.commissioner, data), cast.commissioner, review=review, default_owner=bsol
    )
    plan = preview(plan_import, cast.commissioner)
    assert plan.rows[0].due == date(2018, 12, 31)
    assert plan.rows[0].rec_number == "5"


def test_a_kloe_split_over_merged_rows_gives_each_row_its_action_and_date(cast, bsol):
    """The Word table split across pages: KLOE and Lead merged over three rows."""
    rows: list[Sequence[object]] = [
        KLOE_HEADINGS,
        [KLOE_ROWS[0][0], "DHRs are commissioned by BCSP.", "Awaiting names of nominated members.", "Quarter 3 2018/19", LEAD],
        [None, "Written documents were not found.", "The new BSol CCG Safeguarding Policy will confirm data flows.", "September 2018. Thereafter circulated early October 2018.", None],
        [None, "The Named Nurse left in June 2018.", "In development is the Safeguarding Assurance Tool.", "Final amends during November 2018; December 2018/January 2019.", None],
    ]  # fmt: skip
    data = xlsx(rows, merges=["A2:A4", "E2:E4"])
    plan_import = choose(
        upload(cast.commissioner, data), cast.commissioner, review=cast.review, default_owner=bsol
    )
    plan = preview(plan_import, cast.commissioner)
    assert plan.error_count == 0
    assert [r.due for r in plan.rows] == [date(2018, 12, 31), date(2018, 10, 31), date(2019, 1, 31)]
    assert [r.lead_role_title for r in plan.rows] == [LEAD, LEAD, LEAD]
    assert "Recommendation taken from the merged cells A2:A4." in plan.rows[2].notes
    done = commit(plan_import, cast.commissioner)
    assert done.actions_created == 3 and done.recommendations_created == 1


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_transforming_care_table_becomes_seven_objectives_and_fifteen_actions(cast, kind):
    partnership = factories.organisation(OrganisationKind.PARTNERSHIP_BOARD, "BHR TCP")
    # The partnership works with the ICB, which tracks the plan: its actions go to it.
    partnership.commissioned_by.add(cast.icb)
    if kind == "xlsx":
        plan_import = upload(
            cast.commissioner, xlsx(TCP_ROWS, sheet="Workstream 1"), "TCP plan.xlsx"
        )
    else:
        plan_import = upload(cast.commissioner, csv_file(TCP_ROWS), "TCP plan.csv")
    plan_import = choose(
        plan_import,
        cast.commissioner,
        **new_review(
            "BHR TCP 2017/19",
            "PLAN",
            "Transforming Care plan 2017–19",
            partnership,
            default_owner=partnership,
        ),
    )
    assert plan_import.header_row == 3
    # "TCP plan objective" is the plan's grouping: objectives stand where
    # recommendations would.
    assert plan_import.columns == {"0": Field.GROUP, "2": Field.ACTION, "3": Field.TIME_FRAME}
    plan = preview(plan_import, cast.commissioner)
    assert plan.error_count == 0
    assert plan.warning_count == 0
    assert plan.grouping == PlanGrouping.OBJECTIVE
    assert [r.due for r in plan.rows] == TCP_DUE
    assert [r.rec_number for r in plan.rows][:4] == ["1", "1", "2", "2"]
    assert "Objective 1 carried down from row 4." in plan.rows[1].notes

    done = commit(plan_import, cast.commissioner)
    assert (done.actions_created, done.recommendations_created) == (15, 7)
    review = Review.objects.get(reference="BHR TCP 2017/19")
    assert review.review_type.code == "PLAN"
    assert review.plan_grouping == PlanGrouping.OBJECTIVE
    crisis = review.recommendations.get(text="Improve management of crisis")
    assert list(crisis.actions.values_list("original_time_frame", flat=True)) == [
        "December 17",
        "Sept 17",
        "August 17",
    ]
    assert crisis.addressed_to == partnership
