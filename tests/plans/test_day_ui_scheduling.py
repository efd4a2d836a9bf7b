"""Scheduling rules from the clinic day: closed days, declined routes, esketamine never in a therapy
room, and the chair-by-time grid for a day."""

import datetime as dt

import pytest

from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.plans import scheduling, services
from ketamine_clinic.plans.models import Appointment, AppointmentKind, TreatmentPlan
from ketamine_clinic.screening import services as screening

from tests.support.people import ctx_for
from tests.support.plans import MONDAY, NOW, local, plan_data
from tests.support.screening import complete


@pytest.fixture
def room(clinic, clinic_admin):
    """A therapy room whose name sorts before the chairs, so a scheduler picking the first free
    resource would take it."""
    return scheduling.add_resource(ctx_for(clinic_admin), clinic, {"name": "A therapy room", "kind": "room"})


def _activate(prescriber, plan):
    return services.activate_plan(ctx_for(prescriber), plan, "Start", now=NOW)[0]


def test_esketamine_series_is_booked_in_chairs_never_in_the_therapy_room(prescriber, ready, draft, room):
    ready("esketamine_nasal")
    plan = _activate(prescriber, draft(protocol="esketamine-trd"))
    dosing = list(plan.appointments.filter(kind=AppointmentKind.DOSING))
    assert dosing and all(a.resource.kind == "chair" for a in dosing)


@pytest.mark.parametrize("route, protocol, room_allowed", [
    ("esketamine_nasal", "esketamine-trd", False),
    ("iv", "iv-racemic-induction", True),
    ("im", "im-series", True),
])
def test_dosing_by_hand_in_a_room_follows_the_route(route, protocol, room_allowed, prescriber, front_desk, patient,
                                                    ready, draft, room, clinic):
    ready(route)
    plan = _activate(prescriber, draft(protocol=protocol, start_date="2030-03-11"))
    data = {"location": str(clinic.public_id), "start": "2030-03-05T14:00", "kind": "dosing",
            "resource": str(room.public_id), "plan": str(plan.public_id), "duration_min": "60"}
    before = Appointment.objects.count()
    if room_allowed:
        assert scheduling.book_appointment(ctx_for(front_desk), patient, data, now=NOW).resource == room
        return
    with pytest.raises(ValidationFailed) as exc:
        scheduling.book_appointment(ctx_for(front_desk), patient, data, now=NOW)
    assert "not in A therapy room (room)" in exc.value.errors["resource"][0]
    assert Appointment.objects.count() == before


def test_series_skips_weekends_and_closed_dates(prescriber, clinic_admin, ready, draft, clinic):
    scheduling.add_closed_date(ctx_for(clinic_admin), clinic, {"date": "2030-03-06", "reason": "Staff training"})
    ready("iv")
    plan = _activate(prescriber, draft())
    days = [local(a).date() for a in plan.appointments.filter(kind=AppointmentKind.DOSING)]
    assert days[0] == MONDAY and len(days) == 6
    assert all(d.weekday() < 5 for d in days) and dt.date(2030, 3, 6) not in days


def _decline(prescriber, patient, route):
    evaluation = screening.current_evaluation(patient) or complete(prescriber, patient)
    screening.sign_decision(ctx_for(prescriber), patient, {
        "evaluation": str(evaluation.public_id), "route": route, "decision": "decline",
        "override_reason": "Uncontrolled blood pressure"})


def test_new_plan_page_leaves_out_protocols_for_a_declined_route(client_for, prescriber, nurse, patient, clinic):
    _decline(prescriber, patient, "esketamine_nasal")
    html = client_for(nurse).get(f"/plans/patients/{patient.public_id}/new/").content.decode()
    assert 'value="esketamine-trd"' not in html and 'value="iv-racemic-induction"' in html
    assert "Not offered: Esketamine" in html


def test_a_plan_for_a_declined_route_is_refused_and_nothing_is_written(prescriber, nurse, patient, clinic):
    _decline(prescriber, patient, "iv")
    with pytest.raises(ValidationFailed) as exc:
        services.create_plan(ctx_for(nurse), patient, plan_data(clinic), now=NOW)
    assert "declined" in exc.value.errors["protocol"][0]
    assert not TreatmentPlan.objects.exists()


def test_day_view_shows_a_chair_by_time_grid(client_for, front_desk, prescriber, ready, draft, clinic):
    ready("iv")
    _activate(prescriber, draft())
    html = client_for(front_desk).get(f"/plans/schedule/?location={clinic.public_id}&view=day&date=2030-03-04").content.decode()
    grid = html[html.index('data-testid="chair-grid"'):html.index("</table>", html.index('data-testid="chair-grid"'))]
    assert '<th scope="col">Chair 1</th>' in grid and '<th scope="row">08:00</th>' in grid
    assert "Avery, Jordan" in grid and 'rowspan="' in grid


def test_outsider_cannot_see_the_grid_of_our_location(client_for, outsider, clinic):
    response = client_for(outsider).get(f"/plans/schedule/?location={clinic.public_id}&view=day")
    assert response.status_code == 404
