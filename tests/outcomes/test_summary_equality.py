"""Issue 19: the outcomes summary reads day buckets and rows that carry each patient's indication
groups, route and protocol (kept up to date as diagnoses, plans and responses change) and must
return exactly the figures the old per-request ``Exists``/subquery implementation
(tests/outcomes/legacy_report.py) returns, for a varied clinic, several periods, time zones and
instruments, with another clinic's data present."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.assessments import services
from ketamine_clinic.outcomes import report
from ketamine_clinic.patients.models import Diagnosis, RecordStatus
from ketamine_clinic.patients.services import add_subrecord, correct_subrecord, set_subrecord_status

from tests.outcomes.legacy_report import legacy_figures
from tests.support.assessments import answers_for_total
from tests.support.factories import PatientFactory
from tests.support.people import ctx_for

# (name, diagnoses, PHQ-9 totals weekly, days ago of the baseline, GAD-7 totals)
COURSES = [
    ("Ada", ["F33.2"], [20, 12, 9, 4], 30, [15, 9, 4]),          # responder, remitter
    ("Ben", ["F33.1", "F43.10", "G89.4"], [18, 16, 15], 45, []),  # three groups, no response
    ("Cy", ["F43.12"], [24, 12], 20, [18, 17]),                   # response at exactly 50 %
    ("Di", ["F41.1"], [15], 10, [12]),                            # baseline only
    ("Ed", [], [22, 10, 3, 14, 16], 80, []),                       # no diagnosis; remission then relapse
    ("Fay", ["F31.81", "F42.2"], [19, 8, 5], 200, [20, 6]),       # two groups, older baseline
    ("Gus", ["F40.10"], [16, 15, 2], 400, []),                    # a year back
    ("Hal", ["F32.2"], [21, 11, 10, 9], 35, [10, 9]),             # recent
    ("Ivy", ["G89.4", "F33.2"], [14, 7, 7], 60, []),
    ("Jo", ["F33.2"], [17, 8], 90, []),                            # diagnosis withdrawn below
]


def _course(nurse, front_desk, prescriber, name, codes, phq9_totals, days_ago, gad7_totals):
    patient = PatientFactory(registered_by=front_desk, given_name=name, family_name="Equal")
    for code in codes:
        add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": code})
    start = timezone.now() - dt.timedelta(days=days_ago)
    for key, totals in (("phq9", phq9_totals), ("gad7", gad7_totals)):
        for week, total in enumerate(totals):
            services.submit_response(ctx_for(nurse), patient, key, answers_for_total(key, total), mode="staff_paper",
                                     completed_at=start + dt.timedelta(days=7 * week, hours=week))
    return patient


def _plan(patient, prescriber, location, protocol_key, route, status="active", activated_days_ago=30):
    from tests.assessments.test_outcomes import _plan as make_plan

    plan = make_plan(patient, prescriber, location, protocol_key, route, status=status)
    if plan.activated_at is not None:
        plan.activated_at = timezone.now() - dt.timedelta(days=activated_days_ago)
        plan.save()
    return plan


@pytest.fixture
def clinic(nurse, front_desk, prescriber, location, outsider, outsider_patient):
    people = {c[0]: _course(nurse, front_desk, prescriber, *c) for c in COURSES}
    ctx = ctx_for(prescriber)
    # Plans before and after the responses; a draft counts as no plan; the earliest signed plan wins.
    _plan(people["Ada"], prescriber, location, "iv-racemic-induction", "iv")
    _plan(people["Ben"], prescriber, location, "esketamine-trd", "esketamine_nasal", activated_days_ago=40)
    _plan(people["Ben"], prescriber, location, "iv-racemic-induction", "iv", activated_days_ago=10)
    _plan(people["Cy"], prescriber, location, "im-series", "im", status="completed")
    _plan(people["Di"], prescriber, location, "iv-racemic-induction", "iv", status="draft")
    later = _plan(people["Fay"], prescriber, location, "iv-racemic-maintenance", "iv", status="draft")
    later.status, later.activated_at = "active", timezone.now() - dt.timedelta(days=3)
    later.save()  # signed after its responses
    _plan(people["Gus"], prescriber, location, "oral-sublingual-in-clinic", "oral", status="stopped")
    _plan(people["Ivy"], prescriber, location, "iv-chronic-pain", "iv")
    # Diagnoses changed after the responses: one withdrawn, one made inactive, one recoded.
    jo_dx = Diagnosis.objects.get(patient=people["Jo"])
    set_subrecord_status(ctx, people["Jo"], "diagnosis", jo_dx.public_id, RecordStatus.ENTERED_IN_ERROR, "Wrong chart")
    ivy_pain = Diagnosis.objects.get(patient=people["Ivy"], icd10_code="G89.4")
    set_subrecord_status(ctx, people["Ivy"], "diagnosis", ivy_pain.public_id, RecordStatus.INACTIVE, "Resolved")
    di_dx = Diagnosis.objects.get(patient=people["Di"])
    correct_subrecord(ctx, people["Di"], "diagnosis", di_dx.public_id, {"icd10_code": "F31.81"}, "Recoded after review")
    add_subrecord(ctx, people["Hal"], "diagnosis", {"icd10_code": "F43.10"})  # a second group, added late
    # An amended response (the original is superseded) and another clinic's patient with data.
    original = services.submit_response(ctx_for(nurse), people["Hal"], "phq9", answers_for_total("phq9", 4), mode="staff_paper",
                                        completed_at=timezone.now() - dt.timedelta(days=1))
    services.amend_response(ctx_for(nurse), original, answers_for_total("phq9", 12), "Item misread")
    add_subrecord(ctx_for(outsider), outsider_patient, "diagnosis", {"icd10_code": "F33.2"})
    for week, total in enumerate([20, 5]):
        services.submit_response(ctx_for(outsider), outsider_patient, "phq9", answers_for_total("phq9", total), mode="staff_paper",
                                 completed_at=timezone.now() - dt.timedelta(days=30 - 7 * week))
    _plan(outsider_patient, outsider, location, "iv-racemic-induction", "iv")
    return people


PERIODS_DAYS = [(60, 0), (500, 0), (100, 40), (15, 0), (1000, 300)]
# Means of float columns: the database adds the values in the order it happens to scan the rows
# (PostgreSQL's avg(float8) is a running sum), so the old code's own last bit changes as rows are
# updated; they are compared to 1e-12. Counts, rates and means of integer columns are exact.
FLOAT_MEANS = {"mean_percent_change", "mean_days_to_response"}


def _expected(groups):
    def one(group: dict) -> dict:
        return {k: pytest.approx(v, rel=1e-12) if k in FLOAT_MEANS and v is not None else v for k, v in group.items()}

    return one(groups) if isinstance(groups, dict) else [one(g) for g in groups]


# A period is local midnight to midnight; the day buckets are UTC days. The zones cut the period's
# ends at no hour (UTC: buckets only), at whole hours, at half an hour and at 45 minutes past.
ZONES = ["America/New_York", "UTC", "Asia/Kolkata", "Pacific/Chatham"]


@pytest.mark.parametrize("instrument_key", ["phq9", "gad7"])
def test_the_summary_returns_exactly_the_old_figures(nurse, clinic, instrument_key):
    for zone in ZONES:
        with timezone.override(zone):
            today = timezone.localdate()
            for back, until in PERIODS_DAYS:
                date_from, date_to = today - dt.timedelta(days=back), today - dt.timedelta(days=until)
                new = report.outcomes_summary(ctx_for(nurse), date_from, date_to, instrument_key)
                old = legacy_figures(nurse.organization_id, date_from, date_to, instrument_key)
                for part in ("overall", "by_indication", "by_route", "by_protocol"):
                    assert new[part] == _expected(old[part]), (zone, part, back, until)


def test_the_fixture_exercises_every_kind_of_group(nurse, clinic):
    """The comparison above is not vacuous: several groups, routes and protocols are populated."""
    today = timezone.localdate()
    old = legacy_figures(nurse.organization_id, today - dt.timedelta(days=500), today, "phq9")
    groups = {g["key"]: g["patients"] for g in old["by_indication"]}
    assert old["overall"]["patients"] == 10 and old["overall"]["remitters"] >= 2
    assert groups == {"depression": 4, "bipolar": 2, "ptsd": 3, "gad": 0, "social_anxiety": 1, "ocd": 1, "pain": 1}
    assert {r["key"]: r["patients"] for r in old["by_route"]} == {"esketamine_nasal": 1, "im": 1, "iv": 3, "none": 4, "oral": 1}
    assert {r["key"] for r in old["by_protocol"]} >= {"esketamine-trd", "im-series", "iv-racemic-maintenance", "none"}
