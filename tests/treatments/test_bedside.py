"""The bedside session screen by step, the questionnaire hard stops that link to completing them, a
same-day chart weight reused, and the chair board's row (chair, time since dose start, step, earliest
discharge, a pending BP decision as an open item, overdue vitals)."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.assessments.models import MeasureLink
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.plans import scheduling
from ketamine_clinic.plans.models import Appointment
from ketamine_clinic.treatments import facts, services, steps
from ketamine_clinic.treatments.models import SessionStatus

from tests.support.people import ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, clear_checklist, lot

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2030, 3, 4, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("status, may_dose, discharge_in_min, expected", [
    (SessionStatus.CHECKED_IN, False, None, "checkin"),
    (SessionStatus.CHECKED_IN, True, None, "dose"),
    (SessionStatus.DOSING, None, None, "dose"),
    (SessionStatus.OBSERVING, None, 10, "monitoring"),
    (SessionStatus.OBSERVING, None, 0, "discharge"),
    (SessionStatus.DISCHARGED, None, -30, "done"),
])
def test_the_current_step_follows_the_recorded_session(status, may_dose, discharge_in_min, expected):
    earliest = NOW + dt.timedelta(minutes=discharge_in_min) if discharge_in_min is not None else None
    assert steps.current_step(status, may_dose=may_dose, now=NOW, earliest_discharge=earliest) == expected


def test_finished_steps_collapse_and_monitoring_stays_open_while_dosing():
    views = {v.key: v for v in steps.step_views(SessionStatus.DOSING, "dose")}
    assert (views["checkin"].state, views["checkin"].open) == ("done", False)
    assert (views["dose"].state, views["dose"].open) == ("current", True)
    assert (views["monitoring"].state, views["monitoring"].open) == ("in_progress", True)
    assert (views["discharge"].state, views["discharge"].open) == ("upcoming", False)


def _body(client, session):
    return client.get(f"/sessions/{session.public_id}/").content.decode()


def test_the_screen_is_laid_out_by_step_with_the_current_one_open(client_for, nurse, new_session, ready):
    ready("iv")
    body = _body(client_for(nurse), new_session("iv"))
    order = [body.index(f'id="step-{key}"') for key in steps.ORDER]
    assert order == sorted(order)
    assert 'id="step-checkin" open' in body and 'id="step-dose" open' not in body
    assert 'data-testid="current-step">Check-in and checklist<' in body
    # Pre-dose vitals are entered in the check-in step, above the dose; one vitals form on the page.
    assert body.index('aria-label="Record vitals"') < body.index('id="step-dose"')
    assert body.count('aria-label="Record vitals"') == 1


def test_every_draft_saving_form_comes_from_one_include(client_for, nurse, dosing_ready):
    session = dosing_ready("esketamine_nasal")
    body = _body(client_for(nurse), session)
    for kind in ("checklist", "dose", "vitals", "event"):
        assert f'/sessions/{session.public_id}/drafts/{kind}/' in body
    template = open(steps.__file__.replace("treatments/steps.py", "templates/treatments/session.html")).read()
    assert "hx-post" not in template.split("{% comment %}One include per step")[1]


def test_a_weight_charted_today_is_reused_without_a_second_entry(client_for, nurse, new_session, ready, patient):
    ready("iv")
    session = new_session("iv")
    patient.measurements.update(measured_on=facts.local_date(session, session.checked_in_at), weight_kg="80.0")
    session = clear_checklist(nurse, session, weight=None, vitals_at=ago(1))
    assert session.weight_today_kg is None
    items = {i.key: i for i in facts.checklist_for(session).items}
    assert items["weight_today"].status.value == "ok" and "80.0 kg" in items["weight_today"].message
    assert facts.dose_preview(session).plan.dose_mg == 40  # 0.5 mg/kg x 80 kg
    body = _body(client_for(nurse), session)
    assert 'name="weight_today_kg"' not in body and 'data-testid="chart-weight"' in body
    started = services.start_dosing(ctx_for(nurse), session, lot(started_at=ago(0)))
    assert started.dose_plan["weight_kg"] in ("80.0", 80.0, "80")


def test_an_older_chart_weight_is_not_todays_weight(nurse, new_session, ready, patient):
    ready("iv")
    session = new_session("iv")
    patient.measurements.update(measured_on=facts.local_date(session) - dt.timedelta(days=1))
    assert facts.dose_weight(session) is None
    assert {i.key: i.status.value for i in facts.checklist_for(session).items}["weight_today"] == "hard_stop"


def test_a_due_phq9_links_to_entering_it_here_or_on_the_tablet(client_for, nurse, new_session, ready, patient):
    ready("iv")
    session = new_session("iv")
    body = _body(client_for(nurse), session)
    assert f'href="/assessments/patients/{patient.public_id}/enter/phq9/"' in body
    assert f'action="/sessions/{session.public_id}/tablet-link/"' in body and 'value="phq9"' in body


def test_the_tablet_link_shows_a_qr_code_and_is_audited(client_for, nurse, new_session, ready, patient):
    ready("iv")
    session = new_session("iv")
    page = client_for(nurse).post(f"/sessions/{session.public_id}/tablet-link/", {"instrument": "phq9"})
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and 'id="tablet-link"' in body
    link = MeasureLink.objects.get(patient=patient)
    assert link.instrument_key == "phq9" and link.purpose == "tablet"
    assert AuditEvent.objects.filter(action="measures.link_create", patient_id=patient.public_id).count() == 1


def test_a_bad_tablet_link_request_is_a_4xx_and_creates_nothing(client_for, nurse, new_session, ready):
    ready("iv")
    session = new_session("iv")
    client = client_for(nurse)
    assert client.post(f"/sessions/{session.public_id}/tablet-link/", {"instrument": "nope"}).status_code in (400, 404, 422)
    staff_rated = client.post(f"/sessions/{session.public_id}/tablet-link/", {"instrument": "madrs"})
    assert staff_rated.status_code == 422 and "rated by staff" in staff_rated.content.decode()
    assert not MeasureLink.objects.exists()


def test_only_staff_of_the_clinic_who_may_send_links_create_one(client_for, front_desk, therapist, outsider, new_session, ready):
    ready("iv")
    session = new_session("iv")
    for user in (front_desk, outsider):
        assert client_for(user).post(f"/sessions/{session.public_id}/tablet-link/", {"instrument": "phq9"}).status_code in (403, 404)
    assert not MeasureLink.objects.exists()


@pytest.fixture
def chair_session(ready, nurse, clinic_admin, patient, location, prescriber):
    ready("iv")
    chair = scheduling.add_resource(ctx_for(clinic_admin), location, {"name": "Chair 3", "kind": "chair"})
    start = timezone.now() - dt.timedelta(minutes=40)
    appt = Appointment.objects.create(organization=patient.organization, location=location, patient=patient, resource=chair,
                                      start_at=start, end_at=start + dt.timedelta(hours=2), created_by=nurse)
    return services.start_session_from_appointment(ctx_for(nurse), appt.public_id, {
        "route": "iv", "dose_unit": "mg/kg", "dose_amount": "0.5", "infusion_minutes": 40, "infusion_volume_ml": "100",
        "product_name": "Ketamine 50 mg/mL", "concentration_mg_per_ml": "50", "ordered_by": str(prescriber.public_id),
        "checked_in_at": ago(90)})


def test_the_board_row_shows_chair_time_since_dose_start_step_and_earliest_discharge(chair_session, nurse, location):
    ctx = ctx_for(nurse)
    session = clear_checklist(nurse, chair_session, vitals_at=ago(85))
    session = services.start_dosing(ctx, session, lot(started_at=ago(60)))
    [row] = services.board_rows(ctx, location)
    assert row["chair"] == "Chair 3" and row["dose_elapsed_min"] in (59, 60) and row["elapsed_min"] in (89, 90)
    assert row["step_label"] == "Dose" and row["earliest_discharge"] is None
    assert row["expected_discharge"] is not None  # the 40-minute infusion's end plus the observation
    assert row["overdue"]  # no vitals since the infusion started an hour ago
    session = services.stop_dosing(ctx, session, {"stopped_at": ago(20)})
    [row] = services.board_rows(ctx, location)
    assert row["earliest_discharge"] == facts.observation_end(session, facts.session_policy(location.organization))
    assert row["step_label"] == "Monitoring"


def test_a_patient_waiting_on_the_prescribers_bp_decision_is_an_open_item(client_for, nurse, dosing_ready, location, outsider):
    session = dosing_ready("esketamine_nasal")
    services.record_vitals(ctx_for(nurse), session, dict(NORMAL_VITALS, systolic_mmhg=150, diastolic_mmhg=92))
    session.refresh_from_db()
    checklist = {i.key: i.status.value for i in facts.checklist_for(session).items}
    assert checklist["blood_pressure"] == "needs_decision"  # the board agrees with the checklist
    [row] = services.board_rows(ctx_for(nurse), location)
    assert row["waiting_on_bp_decision"] and row["open_items"] == len(row["alerts"]) + 1
    rows = client_for(nurse).get(f"/sessions/board/{location.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Waiting on the prescriber's blood-pressure decision" in rows
    assert client_for(outsider).get(f"/sessions/board/{location.public_id}/").status_code in (403, 404)


def test_the_board_api_returns_the_same_row(client_for, chair_session, nurse, location):
    session = clear_checklist(nurse, chair_session, vitals_at=ago(85))
    services.start_dosing(ctx_for(nurse), session, lot(started_at=ago(60)))
    [row] = client_for(nurse).get(f"/api/v1/locations/{location.public_id}/board").json()
    assert (row["chair"], row["step"], row["open_items"], row["waiting_on_bp_decision"]) == ("Chair 3", "dose", 0, False)
    assert row["dose_elapsed_min"] in (59, 60) and row["overdue_vitals"] >= 1
