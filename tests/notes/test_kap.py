"""The KAP workflow: the first dosing session of a KAP plan waits for a signed preparation note
(clinic policy, default on); an integration note is due within the window after each dosing session
(default 72 h) and overdue after it; the therapist's Today lists it all."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.core.errors import Conflict
from ketamine_clinic.notes import kap, services
from ketamine_clinic.plans import scheduling
from ketamine_clinic.plans import services as plans
from ketamine_clinic.plans.models import Appointment
from ketamine_clinic.treatments import facts
from ketamine_clinic.treatments import services as treatments
from tests.support.people import ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, clear_checklist, lot

pytestmark = pytest.mark.django_db

PLAN_NOW = dt.datetime(2030, 3, 1, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def kap_session(ready, prescriber, nurse, therapist, clinic_admin, patient, location):
    """A KAP plan (IM, therapist named), and a session checked in from today's dosing appointment."""
    ready("im")
    ctx = ctx_for(clinic_admin)
    scheduling.set_opening_hours(ctx, location, {d: "08:00-18:00" for d in ("monday", "tuesday", "wednesday", "thursday", "friday")})
    room = scheduling.add_resource(ctx, location, {"name": "Room 1", "kind": "room"})
    plan = plans.create_plan(ctx_for(prescriber), patient, {
        "protocol": "ketamine-assisted-psychotherapy", "location": str(location.public_id), "start_date": "2030-03-04",
        "preferred_time": "09:00", "therapist": str(therapist.public_id)}, now=PLAN_NOW)
    plan, _ = plans.activate_plan(ctx_for(prescriber), plan, now=PLAN_NOW)
    start = timezone.now()
    appt = Appointment.objects.create(organization=patient.organization, location=location, patient=patient, plan=plan,
                                      resource=room, start_at=start, end_at=start + dt.timedelta(hours=2), created_by=nurse)
    session = treatments.start_session_from_appointment(ctx_for(nurse), appt.public_id, {
        "product_name": "Ketamine 50 mg/mL", "concentration_mg_per_ml": "50", "checked_in_at": ago(140)})
    return clear_checklist(nurse, session, vitals_at=ago(135))


def _prep_item(session):
    return next(i for i in facts.checklist_for(session).items if i.key == "kap_preparation_note")


def test_the_first_kap_dose_waits_for_a_signed_preparation_note(kap_session, nurse, therapist, patient):
    assert kap.is_kap_plan(kap_session.plan)
    assert _prep_item(kap_session).status == "hard_stop"
    with pytest.raises(Conflict):
        treatments.start_dosing(ctx_for(nurse), kap_session, lot(started_at=ago(130)))
    prep = services.start_note(ctx_for(therapist), patient, "kap_preparation")
    assert _prep_item(kap_session).status == "hard_stop"  # a draft is not enough
    services.sign_note(ctx_for(therapist), prep, {"section_consent_and_intention": "Intention: reconnect with family."})
    assert _prep_item(kap_session).status == "ok"
    assert treatments.start_dosing(ctx_for(nurse), kap_session, lot(started_at=ago(130))).dosing_started_at is not None


def test_the_preparation_gate_is_a_clinic_setting(kap_session, clinic_admin):
    change_setting(ctx_for(clinic_admin), "notes.kap.require_signed_preparation", "false", "Preparation documented on paper")
    assert _prep_item(kap_session).status == "not_applicable"


def test_other_plans_have_no_preparation_item(dosing_ready):
    session = dosing_ready("iv")
    assert all(i.key != "kap_preparation_note" for i in facts.checklist_for(session).items)


@pytest.fixture
def dosed(kap_session, nurse, therapist, patient):
    prep = services.start_note(ctx_for(therapist), patient, "kap_preparation")
    services.sign_note(ctx_for(therapist), prep, {"section_plan": "Dosing Monday."})
    session = treatments.start_dosing(ctx_for(nurse), kap_session, lot(started_at=ago(130)))
    treatments.record_vitals(ctx_for(nurse), session, NORMAL_VITALS)
    session.refresh_from_db()
    return session


def test_an_integration_note_is_due_then_overdue_then_done(dosed, therapist, patient):
    due = kap.integrations_due(therapist)
    assert [(d.session, d.overdue) for d in due] == [(dosed, False)]
    assert due[0].due_at == dosed.dosing_started_at + dt.timedelta(hours=72)
    later = dosed.dosing_started_at + dt.timedelta(hours=73)
    assert [d.overdue for d in kap.integrations_due(therapist, later)] == [True]
    note = services.start_note(ctx_for(therapist), patient, "kap_integration")
    assert kap.integrations_due(therapist, later)  # a draft does not count
    services.sign_note(ctx_for(therapist), note, {"section_experience": "Felt calm."})
    assert kap.integrations_due(therapist, later) == []


def test_integrations_due_reads_the_notes_with_the_sessions_not_one_query_per_session(dosed, therapist, django_assert_num_queries):
    from ketamine_clinic.core import request_memo

    with request_memo.scope(), django_assert_num_queries(2):  # as on Today: the clinic's settings, then the sessions
        assert [d.session for d in kap.integrations_due(therapist)] == [dosed]


def test_the_window_is_a_clinic_setting(dosed, therapist, clinic_admin):
    change_setting(ctx_for(clinic_admin), "protocols.kap.integration_window_h", "24", "Integration next day")
    assert kap.integrations_due(therapist, dosed.dosing_started_at + dt.timedelta(hours=25))[0].overdue


def test_the_therapists_today_shows_dosing_integrations_and_unsigned_notes(rf, dosed, therapist, patient, location, nurse):
    from django.template.loader import render_to_string

    from ketamine_clinic.notes import sections

    start = timezone.now() + dt.timedelta(days=2)
    Appointment.objects.create(organization=patient.organization, location=location, patient=patient, plan=dosed.plan,
                               start_at=start, end_at=start + dt.timedelta(hours=2), created_by=nurse, session_number=2)
    services.start_note(ctx_for(therapist), patient, "therapy_progress")
    request = rf.get("/")
    request.user = therapist
    context = sections.today_context(request)
    assert [d.session for d in context["due"]] == [dosed] and len(context["upcoming"]) == 1 and len(context["unsigned"]) == 1
    page = render_to_string("notes/_today.html", context)
    assert "My KAP patients" in page and "Integration notes due" in page
    assert page.count(patient.display_name) >= 3  # due integration, upcoming dosing, note to sign
    assert "(#2)" in page and "Therapy progress note (DAP)" in page


def test_other_therapists_do_not_see_these_patients(dosed, org, location):
    from ketamine_clinic.accounts.permissions import Role
    from tests.support.people import make_user

    other = make_user(org, "other_therapist", [Role.THERAPIST], location=location)
    today = kap.therapist_today(other)
    assert today["due"] == [] and today["overdue"] == [] and today["upcoming"] == []
