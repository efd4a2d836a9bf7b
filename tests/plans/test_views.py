"""The plan, protocol and schedule screens: render, refuse bad input with messages, 403/404."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from ketamine_clinic.plans import scheduling, services
from ketamine_clinic.plans.models import Appointment, TreatmentPlan

from tests.support.people import ctx_for


def next_monday():
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() != 0:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def active_plan(nurse, prescriber, patient, clinic, ready):
    ready("iv")
    plan = services.create_plan(ctx_for(nurse), patient, {
        "protocol": "iv-racemic-induction", "location": str(clinic.public_id),
        "start_date": next_monday().isoformat(), "preferred_time": "09:00"})
    plan, _ = services.activate_plan(ctx_for(prescriber), plan)
    return plan


def test_chart_section_and_today_list(client_for, nurse, patient, active_plan, clinic):
    client = client_for(nurse)
    chart = client.get(f"/patients/{patient.public_id}/")
    assert chart.status_code == 200
    assert b"Treatment plans and appointments" in chart.content and b"IV racemic ketamine" in chart.content
    today = client.get("/")
    assert today.status_code == 200 and b"The day's patients" in today.content


def test_today_lists_the_days_patients_with_status(client_for, front_desk, clinic_admin, patient, clinic):
    # A fixed mid-morning at the location, so the booking never crosses its midnight or closing time.
    morning = dt.datetime.combine(next_monday() + dt.timedelta(days=2), dt.time(10, 0), tzinfo=clinic.tz)
    with time_machine.travel(morning, tick=False):
        scheduling.set_opening_hours(ctx_for(clinic_admin), clinic, {"wednesday": "08:00-18:00"})
        scheduling.book_appointment(ctx_for(front_desk), patient, {
            "location": str(clinic.public_id), "start": "%sT10:30" % morning.date().isoformat(), "kind": "dosing",
            "resource": str(clinic.resources.get(name="Chair 1").public_id)})
        body = client_for(front_desk).get("/").content.decode()
        assert "Avery, Jordan" in body and "Booked: 1" in body
    # The next day's list at the same location does not show that booking.
    with time_machine.travel(morning + dt.timedelta(days=1), tick=False):
        body = client_for(front_desk).get("/").content.decode()
        assert "No appointments today." in body and "Booked: 1" not in body


def test_schedule_day_and_week_views_show_local_times(client_for, front_desk, active_plan, clinic):
    first = active_plan.appointments.order_by("start_at").first()
    client = client_for(front_desk)
    day = client.get(f"/plans/schedule/?location={clinic.public_id}&date={next_monday()}")
    assert day.status_code == 200 and b"09:00" in day.content and b"Avery, Jordan" in day.content
    fortnight = client.get(f"/plans/schedule/?location={clinic.public_id}&date={next_monday()}&view=fortnight")
    assert fortnight.content.count(b'class="appointment"') == 6
    assert client.get(f"/plans/appointments/{first.public_id}/").status_code == 200


def test_plan_pages_render(client_for, nurse, prescriber, patient, active_plan):
    assert client_for(nurse).get(f"/plans/{active_plan.public_id}/").status_code == 200
    assert client_for(nurse).get(f"/plans/patients/{patient.public_id}/").status_code == 200
    assert client_for(nurse).get(f"/plans/patients/{patient.public_id}/new/").status_code == 200
    assert client_for(prescriber).get("/plans/protocols/").status_code == 200
    assert client_for(prescriber).get("/plans/protocols/esketamine-trd/").status_code == 200
    assert client_for(prescriber).get("/plans/protocols/iv-racemic-induction/edit/").status_code == 200


def test_new_plan_form_shows_field_errors_and_writes_nothing(client_for, nurse, patient, clinic):
    response = client_for(nurse).post(f"/plans/patients/{patient.public_id}/new/", {
        "protocol": "iv-racemic-induction", "location": str(clinic.public_id), "start_date": "2001-01-01",
        "preferred_time": "09:00", "dose": "5"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "in the past" in body and "outside this protocol" in body
    assert TreatmentPlan.objects.count() == 0


def test_draft_page_explains_why_activation_is_refused(client_for, nurse, prescriber, patient, clinic):
    plan = services.create_plan(ctx_for(nurse), patient, {
        "protocol": "iv-racemic-induction", "location": str(clinic.public_id),
        "start_date": next_monday().isoformat(), "preferred_time": "09:00"})
    page = client_for(prescriber).get(f"/plans/{plan.public_id}/").content.decode()
    assert "Screening does not yet allow" in page and "Proposed schedule" in page
    response = client_for(prescriber).post(f"/plans/{plan.public_id}/activate/", follow=True)
    assert "No consent signed" in response.content.decode()
    assert Appointment.objects.count() == 0


def test_reschedule_form_refuses_an_overlap(client_for, front_desk, active_plan):
    first, second = active_plan.appointments.order_by("start_at")[:2]
    target = second.local_start().replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M")
    response = client_for(front_desk).post(f"/plans/appointments/{first.public_id}/reschedule/",
                                           {"start": target, "reason": "Asked", "version": first.version})
    assert response.status_code == 409 and "already" in response.content.decode()
    first.refresh_from_db()
    assert first.version == 1


def test_permissions_and_outsider(client_for, therapist, clinic_admin, outsider, patient, active_plan, clinic):
    appt = active_plan.appointments.first()
    assert client_for(therapist).get(f"/plans/patients/{patient.public_id}/new/").status_code == 403
    assert client_for(clinic_admin).get(f"/plans/{active_plan.public_id}/").status_code == 403
    assert client_for(clinic_admin).get(f"/plans/schedule/locations/{clinic.public_id}/").status_code == 200
    assert client_for(therapist).get(f"/plans/schedule/locations/{clinic.public_id}/").status_code == 403
    client = client_for(outsider)
    for path in (f"/plans/{active_plan.public_id}/", f"/plans/appointments/{appt.public_id}/",
                 f"/plans/patients/{patient.public_id}/", f"/plans/schedule/?location={clinic.public_id}"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/plans/appointments/{appt.public_id}/cancel/", {"reason": "x"}).status_code == 404
    appt.refresh_from_db()
    assert appt.status == "booked"


def test_location_setup_adds_chairs_and_hours(client_for, clinic_admin, clinic):
    client = client_for(clinic_admin)
    ok = client.post(f"/plans/schedule/locations/{clinic.public_id}/", {"action": "resource", "name": "Chair 3", "kind": "chair"})
    assert ok.status_code == 302 and clinic.resources.filter(name="Chair 3").exists()
    bad = client.post(f"/plans/schedule/locations/{clinic.public_id}/", {"action": "hours", "monday": "nonsense"})
    assert bad.status_code == 422 and "write spans like" in bad.content.decode()


def test_plan_and_protocol_pages_cite_sources_in_words(client_for, nurse, active_plan):
    import re

    client = client_for(nurse)
    for url in (f"/plans/{active_plan.public_id}/", "/plans/protocols/iv-racemic-induction/"):
        page = client.get(url).content.decode()
        assert not re.search(r"\[(seeds|apa-2017|asra-2018|spravato-pi|clinic-policy)\]", page), url
        assert "CLINICAL.md" not in page
    plan_page = client.get(f"/plans/{active_plan.public_id}/").content.decode()
    assert "(verify)" not in plan_page and "Sanacora et al., JAMA Psychiatry 2017" in plan_page
