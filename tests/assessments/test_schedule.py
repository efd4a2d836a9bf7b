"""Due and overdue measures from the default rule set (weekly PHQ-9, C-SSRS when triggered)."""

import datetime as dt

from django.utils import timezone

from ketamine_clinic.assessments import services
from ketamine_clinic.outcomes import schedule

from tests.support.assessments import CSSRS_ALL_NO, phq9
from tests.support.people import ctx_for


def test_no_baseline_means_no_schedule(patient):
    assert schedule.measures_for_patient(patient, timezone.now()) is None


def test_weekly_phq9_becomes_due_then_overdue(patient, nurse):
    now = timezone.now()
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=18), mode="staff_paper", completed_at=now - dt.timedelta(days=8))
    statuses = {(m.instrument_key, m.status.value) for m in schedule.measures_for_patient(patient, now)}
    assert ("phq9", "done") in statuses and ("phq9", "due") in statuses
    later = now + dt.timedelta(days=3)
    assert ("phq9", "overdue") in {(m.instrument_key, m.status.value) for m in schedule.measures_for_patient(patient, later)}


def test_positive_item9_makes_cssrs_due_the_same_day_until_done(patient, nurse):
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(item9=1, total=12), mode="staff_paper")
    due = [m for m in schedule.measures_for_patient(patient, timezone.now()) if m.instrument_key == "cssrs"]
    assert [m.status.value for m in due] == ["due"]
    services.submit_response(ctx_for(nurse), patient, "cssrs", CSSRS_ALL_NO, mode="clinician")
    due = [m for m in schedule.measures_for_patient(patient, timezone.now()) if m.instrument_key == "cssrs"]
    assert [m.status.value for m in due] == ["done"]


def test_clinic_list_and_page(client_for, patient, nurse, outsider, outsider_patient):
    now = timezone.now()
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=18), mode="staff_paper", completed_at=now - dt.timedelta(days=11))
    services.submit_response(ctx_for(outsider), outsider_patient, "phq9", phq9(total=18), mode="staff_paper", completed_at=now - dt.timedelta(days=11))
    due = schedule.clinic_due(ctx_for(nurse), now)
    assert [d.patient for d in due["overdue"]] == [patient] and due["due"] == []
    body = client_for(nurse).get("/assessments/due/").content.decode()
    assert "Avery, Jordan" in body and "Other, Person" not in body and "active treatment plan" in body and "Email link" in body


def test_patient_page_lists_due_measures_and_the_session_note(client_for, patient, nurse):
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=18), mode="staff_paper", completed_at=timezone.now() - dt.timedelta(days=8))
    body = client_for(nurse).get(f"/assessments/patients/{patient.public_id}/").content.decode()
    assert "every week" in body and "due" in body and "active treatment plan" in body


def _active_iv_plan_with_session(patient, prescriber, location, session_at):
    from ketamine_clinic.clinical.protocols import PROTOCOLS, protocol_to_dict
    from ketamine_clinic.plans.models import Appointment, TreatmentPlan

    protocol = PROTOCOLS["iv-racemic-induction"]
    plan = TreatmentPlan.objects.create(
        organization=patient.organization, patient=patient, protocol_source="library", protocol_key=protocol.key,
        protocol_version=protocol.version, protocol_title=protocol.title, protocol_data=protocol_to_dict(protocol),
        route="iv", phase_name="induction", session_count=6, location=location, start_date=session_at.date(),
        preferred_time=dt.time(9), status="active", created_by=prescriber, activated_at=session_at - dt.timedelta(days=3),
    )
    Appointment.objects.create(
        organization=patient.organization, location=location, patient=patient, plan=plan, session_number=1,
        start_at=session_at, end_at=session_at + dt.timedelta(hours=2),
    )
    return plan


def test_an_active_plan_makes_phq9_due_before_and_after_each_dosing_session(patient, nurse, prescriber, location):
    session_at = timezone.now() + dt.timedelta(hours=3)
    _active_iv_plan_with_session(patient, prescriber, location, session_at)
    before = [m for m in schedule.measures_for_patient(patient, timezone.now()) if m.instrument_key == "phq9"]
    assert [m.status.value for m in before][:1] == ["due"] and before[0].due_at == session_at
    services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=16), mode="staff_paper")
    after_session = session_at + dt.timedelta(hours=25)
    statuses = [(m.reason, m.status.value) for m in schedule.measures_for_patient(patient, after_session) if m.instrument_key == "phq9"]
    assert statuses[0][1] == "done" and any(status == "due" for _, status in statuses[1:]), statuses


def test_clinic_due_list_includes_planned_patients_without_a_baseline(client_for, patient, nurse, prescriber, location):
    _active_iv_plan_with_session(patient, prescriber, location, timezone.now() + dt.timedelta(hours=3))
    due = schedule.clinic_due(ctx_for(nurse), timezone.now())
    assert [d.patient for d in due["due"]] == [patient]
