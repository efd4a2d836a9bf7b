"""Each patient's outcome group rows follow their outcomes, diagnoses and plans as they are saved,
the rebuild command is idempotent, concurrent writers for one patient lose no update (real
threads on PostgreSQL, bounded), and the dashboard's query count does not grow with the data."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.models import PatientOutcome
from ketamine_clinic.clinical import icd10cm
from ketamine_clinic.outcomes.models import OutcomeGroupRow
from ketamine_clinic.patients.models import Diagnosis, RecordStatus
from ketamine_clinic.patients.services import add_subrecord, register_patient, set_subrecord_status

from tests.assessments.test_outcomes import _plan
from tests.support.api import caller
from tests.support.assessments import answers_for_total, phq9
from tests.support.concurrency import race
from tests.support.factories import PatientFactory
from tests.support.people import PATIENT_DATA, ctx_for


def _groups(patient) -> tuple | None:
    """(indication group keys, route, protocol) of the patient's PHQ-9 rows; None: no rows."""
    rows = {(r.dimension, r.group_key) for r in OutcomeGroupRow.objects.filter(patient=patient, instrument_key="phq9")}
    if not rows:
        return None
    outcome = PatientOutcome.objects.get(patient=patient, instrument_key="phq9")
    assert all(r.baseline_total == outcome.baseline_total and r.follow_up_count == outcome.follow_up_count
               for r in OutcomeGroupRow.objects.filter(patient=patient, instrument_key="phq9"))
    assert ("all", "all") in rows
    keys = "|".join(sorted(g for d, g in rows if d == "indication"))
    route = [g for d, g in rows if d == "route"]
    protocol = [g for d, g in rows if d == "protocol"]
    assert len(route) == len(protocol) == 1
    return (keys, route[0], protocol[0])


def _snapshot() -> set:
    return set(OutcomeGroupRow.objects.values_list("patient_id", "instrument_key", "dimension", "group_key", "organization_id",
                                                   "baseline_total", "follow_up_count", "remitted"))


def test_the_rows_follow_outcomes_diagnoses_and_plans_as_they_are_saved(nurse, prescriber, location, patient):
    ctx = ctx_for(prescriber)
    assert _groups(patient) is None  # no outcome yet: no rows
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=18), mode="staff_paper")
    assert _groups(patient) == ("", None, None)
    add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "F33.2"})
    pain = add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "G89.4"})
    assert _groups(patient) == ("depression|pain", None, None)
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=6), mode="staff_paper")
    assert _groups(patient) == ("depression|pain", None, None)  # figures checked against the outcome
    draft = _plan(patient, prescriber, location, "esketamine-trd", "esketamine_nasal", status="draft")
    assert _groups(patient)[1:] == (None, None)  # a draft is no plan
    draft.status, draft.activated_at = "active", timezone.now() - dt.timedelta(days=5)
    draft.save()
    _plan(patient, prescriber, location, "iv-racemic-induction", "iv")  # signed later: not the first
    assert _groups(patient)[1:] == ("esketamine_nasal", "esketamine-trd")
    set_subrecord_status(ctx, patient, "diagnosis", pain.public_id, RecordStatus.ENTERED_IN_ERROR, "Wrong chart")
    assert _groups(patient)[0] == "depression"
    assert set(OutcomeGroupRow.objects.filter(patient=patient).values_list("organization_id", flat=True)) == {patient.organization_id}


def test_the_rebuild_command_restores_the_rows_and_is_idempotent(nurse, prescriber, location, patient, outsider, outsider_patient):
    add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F43.10"})
    _plan(patient, prescriber, location, "im-series", "im")
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=18), mode="staff_paper")
    services.submit_response(ctx_for(nurse), patient, "gad7", answers_for_total("gad7", 14), mode="staff_paper")
    add_subrecord(ctx_for(outsider), outsider_patient, "diagnosis", {"icd10_code": "F31.81"})
    services.submit_response(ctx_for(outsider), outsider_patient, "phq9", phq9(total=12), mode="staff_paper")
    expected = _snapshot()
    assert len(expected) == 2 * 4 + 4  # ours: all, ptsd, route, protocol on two instruments; theirs: all, bipolar, none, none
    OutcomeGroupRow.objects.filter(patient=patient, dimension="indication").update(group_key="pain")  # stale
    OutcomeGroupRow.objects.filter(patient=outsider_patient).delete()  # missing (e.g. bulk-loaded)
    for _ in range(2):
        out = io.StringIO()
        call_command("rebuild_outcome_groups", stdout=out)
        assert _snapshot() == expected and "2 patient(s)" in out.getvalue()
    call_command("rebuild_outcome_groups", clinic=outsider_patient.organization.slug, stdout=io.StringIO())
    assert _snapshot() == expected
    with pytest.raises(CommandError, match="No clinic"):
        call_command("rebuild_outcome_groups", clinic="no-such-clinic")


@pytest.mark.django_db(transaction=True)
def test_two_responses_and_two_diagnoses_at_once_lose_no_update(nurse, prescriber, front_desk):
    start = timezone.now() - dt.timedelta(days=20)
    icd10cm.exists("F33.2")  # load the ICD-10-CM catalogue first: its lazy first load is not thread-safe
    for n in range(3):
        patient = register_patient(ctx_for(front_desk), dict(PATIENT_DATA, given_name=f"Race{n}"))
        services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=20), mode="staff_paper", completed_at=start)

        def respond(total, days):
            return lambda: services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=total), mode="staff_paper",
                                                    completed_at=start + dt.timedelta(days=days))

        def diagnose(code):
            return lambda: add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": code})

        race(respond(8, 7), respond(4, 14), diagnose("F33.2"), diagnose("F43.10"))
        outcome = PatientOutcome.objects.get(patient=patient, instrument_key="phq9")
        assert (outcome.follow_up_count, outcome.latest_total, outcome.remitted) == (2, 4, True)
        assert _groups(patient) == ("depression|ptsd", None, None)
        assert Diagnosis.objects.filter(patient=patient).count() == 2


def _courses(nurse, front_desk, prescriber, location, count: int, offset: int) -> None:
    start = timezone.now() - dt.timedelta(days=40)
    codes = ["F33.2", "F31.81", "F43.10", "G89.4", "F41.1"]
    for i in range(offset, offset + count):
        patient = PatientFactory(registered_by=front_desk, given_name=f"Q{i}", family_name="Count")
        add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": codes[i % len(codes)]})
        if i % 2:
            _plan(patient, prescriber, location, "iv-racemic-induction", "iv")
        for week, total in enumerate([18, 9, 4]):
            services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=total), mode="staff_paper",
                                     completed_at=start + dt.timedelta(days=7 * week))


def _queries(get) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert get().status_code == 200
    return len(queries)


def test_the_dashboard_and_api_make_the_same_queries_at_every_size(nurse, front_desk, prescriber, location, client_for, django_assert_num_queries):
    today = timezone.localdate()
    page = f"/assessments/outcomes/?date_from={today - dt.timedelta(days=90)}&date_to={today}"
    client, api = client_for(nurse), caller(nurse)
    gets = (lambda: client.get(page), lambda: api("get", f"/outcomes/summary?from={today - dt.timedelta(days=90)}&to={today}"))
    _courses(nurse, front_desk, prescriber, location, 1, 0)
    for get in gets:
        get()  # warm-up: the first request also fills per-process caches (clinic settings)
    small = [_queries(get) for get in gets]
    _courses(nurse, front_desk, prescriber, location, 8, 1)
    for get, expected in zip(gets, small):
        with django_assert_num_queries(expected):
            assert get().status_code == 200
