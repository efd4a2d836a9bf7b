"""Each patient's outcome groups (OutcomeCohort) follow their diagnoses and plans as they are saved,
the rebuild command is idempotent, concurrent writers for one patient lose no update (real
threads on PostgreSQL, bounded), and the dashboard's query count does not grow with the data."""

import datetime as dt
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketamine_clinic.assessments import services
from ketamine_clinic.assessments.models import PatientOutcome
from ketamine_clinic.clinical import icd10cm
from ketamine_clinic.outcomes.models import OutcomeCohort
from ketamine_clinic.patients.models import Diagnosis, RecordStatus
from ketamine_clinic.patients.services import add_subrecord, register_patient, set_subrecord_status

from tests.assessments.test_outcomes import _plan
from tests.support.api import caller
from tests.support.assessments import phq9
from tests.support.factories import PatientFactory
from tests.support.people import PATIENT_DATA, ctx_for

BOUND_SECONDS = 60


def _groups(patient) -> tuple:
    row = OutcomeCohort.objects.filter(patient=patient).first()
    return (row.indication_keys, row.plan_route, row.plan_protocol) if row else None


def test_the_row_follows_diagnoses_and_plans_as_they_are_saved(prescriber, location, patient):
    ctx = ctx_for(prescriber)
    assert _groups(patient) is None  # nothing recorded: counted under no group, as without a row
    add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "F33.2"})
    pain = add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "G89.4"})
    assert _groups(patient) == ("|depression|pain|", None, None)
    draft = _plan(patient, prescriber, location, "esketamine-trd", "esketamine_nasal", status="draft")
    assert _groups(patient)[1:] == (None, None)  # a draft is no plan
    draft.status, draft.activated_at = "active", timezone.now() - dt.timedelta(days=5)
    draft.save()
    _plan(patient, prescriber, location, "iv-racemic-induction", "iv")  # signed later: not the first
    assert _groups(patient)[1:] == ("esketamine_nasal", "esketamine-trd")
    set_subrecord_status(ctx, patient, "diagnosis", pain.public_id, RecordStatus.ENTERED_IN_ERROR, "Wrong chart")
    assert _groups(patient)[0] == "|depression|"
    assert OutcomeCohort.objects.get(patient=patient).organization_id == patient.organization_id


def test_the_rebuild_command_restores_the_rows_and_is_idempotent(prescriber, location, patient, outsider, outsider_patient):
    add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F43.10"})
    _plan(patient, prescriber, location, "im-series", "im")
    add_subrecord(ctx_for(outsider), outsider_patient, "diagnosis", {"icd10_code": "F31.81"})
    expected = {r.patient_id: (r.indication_keys, r.plan_route, r.plan_protocol, r.organization_id) for r in OutcomeCohort.objects.all()}
    OutcomeCohort.objects.filter(patient=patient).update(indication_keys="|pain|", plan_route=None)  # stale
    OutcomeCohort.objects.filter(patient=outsider_patient).delete()  # missing (e.g. bulk-loaded)
    for _ in range(2):
        out = io.StringIO()
        call_command("rebuild_outcome_cohorts", stdout=out)
        rebuilt = {r.patient_id: (r.indication_keys, r.plan_route, r.plan_protocol, r.organization_id) for r in OutcomeCohort.objects.all()}
        assert rebuilt == expected and "2 patient(s)" in out.getvalue()
    call_command("rebuild_outcome_cohorts", clinic=outsider_patient.organization.slug, stdout=io.StringIO())
    assert OutcomeCohort.objects.count() == 2
    with pytest.raises(CommandError, match="No clinic"):
        call_command("rebuild_outcome_cohorts", clinic="no-such-clinic")


def _race(*jobs) -> None:
    """Run the jobs at once (PostgreSQL: threads released together; SQLite: one after another),
    each on its own connection; fail on a hang or an error."""
    concurrent = connection.vendor == "postgresql"
    barrier, errors = threading.Barrier(len(jobs)), []

    def run(job):
        try:
            if concurrent:
                barrier.wait(timeout=30)
            job()
        except Exception as exc:  # reported below, never swallowed
            errors.append(repr(exc))
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(job,), daemon=True) for job in jobs]
    for w in workers:
        w.start()
        if not concurrent:
            w.join(BOUND_SECONDS)
    for w in workers:
        w.join(BOUND_SECONDS)
    assert not any(w.is_alive() for w in workers), "a writer hung"
    assert errors == []


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

        _race(respond(8, 7), respond(4, 14), diagnose("F33.2"), diagnose("F43.10"))
        outcome = PatientOutcome.objects.get(patient=patient, instrument_key="phq9")
        assert (outcome.follow_up_count, outcome.latest_total, outcome.remitted) == (2, 4, True)
        assert _groups(patient) == ("|depression|ptsd|", None, None)
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
