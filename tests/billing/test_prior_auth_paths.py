"""Every path that books or moves a dosing session runs the prior-authorization checks: plan
activation (a generated series), resuming a plan, accepting boosters and rescheduling. Past them
the booking needs an ``override_reason`` (a 422 listing the problem dates, nothing written); with
one it is booked and the overridden problems are audited."""

import datetime as dt

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.billing import services
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.plans import scheduling
from ketamine_clinic.plans import services as plans
from ketamine_clinic.plans.models import Appointment, BoosterProposal, TreatmentPlan

from tests.support.api import assert_error
from tests.support.concurrency import race
from tests.support.people import ctx_for
from tests.support.plans import NOW, local

AFTER_INDUCTION = dt.datetime(2030, 3, 16, 15, 0, tzinfo=dt.UTC)


def authorize(user, patient, units, start_on="2030-03-01", end_on="2030-03-31", number="PA-9"):
    return services.add_prior_authorization(ctx_for(user), patient, {
        "payer_name": "Aetna", "number": number, "codes": "96365, J3490", "units_approved": str(units),
        "start_on": start_on, "end_on": end_on})


def book(user, patient, clinic, start, chair="Chair 1", **extra):
    data = {"location": str(clinic.public_id), "start": start, "kind": "dosing",
            "resource": str(clinic.resources.get(name=chair).public_id), **extra}
    return scheduling.book_appointment(ctx_for(user), patient, data, now=NOW)


def move(user, appt, start, **extra):
    appt.refresh_from_db()
    data = {"start": start, "reason": "Patient asked", "version": appt.version, **extra}
    return scheduling.reschedule_appointment(ctx_for(user), appt, data, now=NOW)


def overridden_events(patient):
    return [e for e in AuditEvent.objects.filter(action="appointment.book", patient_id=str(patient.public_id)) if "overridden" in e.detail]


# --- a generated series (plan activation) ---------------------------------------------------------

def test_activating_six_sessions_with_four_units_names_sessions_five_and_six(biller, prescriber, patient, draft, ready):
    ready("iv")
    authorize(biller, patient, 4)
    plan = draft()
    with pytest.raises(ValidationFailed) as exc:
        plans.activate_plan(ctx_for(prescriber), plan, now=NOW)
    problems = exc.value.errors["override_reason"]
    # Mon/Wed/Fri from Monday 4 March: sessions 5 and 6 fall on 13 and 15 March.
    assert [p[:10] for p in problems[:-1]] == ["2030-03-13", "2030-03-15"]
    assert all("no unit left" in p for p in problems[:-1])
    assert not Appointment.objects.filter(patient=patient).exists()
    plan.refresh_from_db()
    assert plan.status == "draft"

    plan, _ = plans.activate_plan(ctx_for(prescriber), plan, now=NOW, override_reason="Renewal requested from Aetna")
    booked = list(plan.appointments.filter(kind="dosing").order_by("start_at"))
    assert len(booked) == 6 and plan.status == "active"
    events = overridden_events(patient)
    assert sorted(e.detail["start"] for e in events) == sorted(a.start_at.isoformat() for a in booked[4:])
    assert all(e.detail["overridden"]["reason"] == "Renewal requested from Aetna" for e in events)
    assert [a.changes.get().reason for a in booked[4:]] == ["Renewal requested from Aetna"] * 2
    assert booked[0].changes.get().reason.startswith("Generated from iv-racemic-induction")


def test_a_series_within_the_authorization_needs_no_reason(biller, prescriber, patient, draft, ready):
    ready("iv")
    authorize(biller, patient, 6)
    plan, _ = plans.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    assert plan.appointments.filter(kind="dosing").count() == 6
    assert overridden_events(patient) == []


def test_the_plan_page_form_carries_the_reason_and_flashes_the_dates(biller, prescriber, patient, draft, ready,
                                                                    client_for):
    ready("iv")
    authorize(biller, patient, 4)
    plan = draft()
    client = client_for(prescriber)
    assert 'name="override_reason"' in client.get(f"/plans/{plan.public_id}/").content.decode()
    refused = client.post(f"/plans/{plan.public_id}/activate/", {"reason": ""}, follow=True).content.decode()
    assert "2030-03-13: Authorization PA-9: no unit left" in refused and "2030-03-15: Authorization PA-9" in refused
    assert TreatmentPlan.objects.get(pk=plan.pk).status == "draft"
    client.post(f"/plans/{plan.public_id}/activate/", {"reason": "", "override_reason": "Renewal pending"})
    assert TreatmentPlan.objects.get(pk=plan.pk).status == "active"
    assert len(overridden_events(patient)) == 2


def test_the_api_activation_answers_422_then_books_with_a_reason(api, biller, prescriber, patient, draft, ready):
    ready("iv")
    authorize(biller, patient, 4, start_on="2020-01-01", end_on="2020-01-31")  # long over: nothing covers
    plan = draft()
    refused = api(prescriber, "post", f"/plans/{plan.public_id}/activate", {"reason": "Signed"})
    assert_error(refused, 422, "override_reason")
    assert "No prior authorization covers" in refused.json()["errors"]["override_reason"][0]
    assert not Appointment.objects.filter(patient=patient).exists()
    done = api(prescriber, "post", f"/plans/{plan.public_id}/activate",
               {"reason": "Signed", "override_reason": "Self-pay from now on"})
    assert done.status_code == 200, done.content
    assert len(overridden_events(patient)) == 6


def test_resuming_a_plan_books_the_rest_through_the_checks(biller, prescriber, patient, draft, ready):
    ready("iv")
    plan, _ = plans.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    plan = plans.change_status(ctx_for(prescriber), plan, "paused", "Travel", now=NOW)
    authorize(biller, patient, 2)
    with pytest.raises(ValidationFailed) as exc:
        plans.change_status(ctx_for(prescriber), plan, "active", "Back", now=NOW)
    assert len(exc.value.errors["override_reason"]) == 4 + 1  # sessions 3 to 6, and the request for a reason
    assert TreatmentPlan.objects.get(pk=plan.pk).status == "paused"
    plan = plans.change_status(ctx_for(prescriber), plan, "active", "Back", now=NOW, override_reason="Appeal filed")
    assert plan.status == "active" and len(overridden_events(patient)) == 4


# --- boosters --------------------------------------------------------------------------------------

def test_accepting_boosters_past_the_authorization_needs_a_reason(biller, prescriber, patient, draft, ready):
    ready("iv")
    plan, _ = plans.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    induction = plans.change_status(ctx_for(prescriber), plan, "completed", "Induction finished", now=AFTER_INDUCTION)
    authorize(biller, patient, 4, end_on="2030-04-30")
    proposal = induction.booster_proposals.get()
    with pytest.raises(ValidationFailed) as exc:
        plans.accept_proposal(ctx_for(prescriber), proposal, now=AFTER_INDUCTION)
    problems = exc.value.errors["override_reason"][:-1]
    # Weekly from 22 March: four fit the 4 units; the fifth (26 April) has none; May on is not covered.
    assert problems[0].startswith("2030-04-26") and "no unit left" in problems[0]
    assert all("No prior authorization covers 2030-0" in p for p in problems[1:]) and len(problems) == 7
    proposal.refresh_from_db()
    assert proposal.status == BoosterProposal.Status.PROPOSED and not induction.followed_by.exists()
    accepted = plans.accept_proposal(ctx_for(prescriber), proposal, now=AFTER_INDUCTION, override_reason="Self-pay for May on")
    assert accepted.result_plan.appointments.count() == 11
    assert len(overridden_events(patient)) == 7


# --- rescheduling ----------------------------------------------------------------------------------

def test_moving_a_session_past_the_end_date_needs_a_reason(biller, front_desk, patient, clinic):
    authorize(biller, patient, 4, end_on="2030-03-15")
    appt = book(front_desk, patient, clinic, "2030-03-04T10:00")
    with pytest.raises(ValidationFailed) as exc:
        move(front_desk, appt, "2030-03-18T10:00")
    assert exc.value.errors["override_reason"][0].startswith("No prior authorization covers 2030-03-18")
    appt.refresh_from_db()
    assert local(appt).date() == dt.date(2030, 3, 4) and appt.changes.count() == 1
    moved = move(front_desk, appt, "2030-03-18T10:00", override_reason="Payer extended by phone, ref 12")
    assert local(moved).date() == dt.date(2030, 3, 18)
    event = AuditEvent.objects.get(action="appointment.reschedule")
    assert event.detail["overridden"] == {"checks": [exc.value.errors["override_reason"][0]],
                                          "reason": "Payer extended by phone, ref 12"}


def test_moving_a_session_within_its_units_does_not_count_itself(biller, front_desk, patient, clinic):
    authorize(biller, patient, 2)
    book(front_desk, patient, clinic, "2030-03-04T10:00")
    second = book(front_desk, patient, clinic, "2030-03-06T10:00")
    moved = move(front_desk, second, "2030-03-08T10:00")  # still two sessions for two units
    assert "overridden" not in AuditEvent.objects.get(action="appointment.reschedule").detail
    assert local(moved).date() == dt.date(2030, 3, 8)


def test_the_reschedule_page_and_api_ask_for_the_reason(api, biller, front_desk, patient, clinic, client_for):
    authorize(biller, patient, 4, end_on="2030-03-15")
    appt = book(front_desk, patient, clinic, "2030-03-04T10:00")
    page = client_for(front_desk).get(f"/plans/appointments/{appt.public_id}/")
    assert page.status_code == 200 and 'name="override_reason"' in page.content.decode()
    data = {"start": "2030-03-18T10:00", "reason": "Patient asked", "version": appt.version}
    refused = api(front_desk, "post", f"/appointments/{appt.public_id}/reschedule", data)
    assert_error(refused, 422, "override_reason")
    done = api(front_desk, "post", f"/appointments/{appt.public_id}/reschedule",
               {**data, "override_reason": "Renewal pending"})
    assert done.status_code == 200, done.content


@pytest.mark.django_db(transaction=True)
def test_a_move_and_a_booking_racing_for_the_last_unit_need_a_reason_for_one(biller, front_desk, nurse, patient,
                                                                           clinic):
    """Real concurrent transactions on PostgreSQL (both lock the patient row first); SQLite runs the
    workers one after another."""
    authorize(biller, patient, 2, end_on="2030-03-15")
    book(front_desk, patient, clinic, "2030-03-04T10:00")  # 1 unit left
    later = book(front_desk, patient, clinic, "2030-03-20T10:00", reason="Renewal pending")  # outside the dates
    outcomes = race(lambda: book(front_desk, patient, clinic, "2030-03-06T10:00"),
                    lambda: move(nurse, later, "2030-03-08T10:00", resource=str(clinic.resources.get(name="Chair 2").public_id)),
                    expect=(ValidationFailed,))
    assert sorted("needs reason" if isinstance(o, ValidationFailed) and {"reason", "override_reason"} & set(o.errors)
                  else "done" if not isinstance(o, ValidationFailed) else repr(o) for o in outcomes) == ["done", "needs reason"]
    in_dates = [a for a in Appointment.objects.filter(patient=patient, status="booked") if local(a).date() <= dt.date(2030, 3, 15)]
    assert len(in_dates) == 2


def test_the_api_lists_the_booked_sessions_against_the_units(api, biller, front_desk, patient, clinic):
    authorize(biller, patient, 3, start_on="2030-03-01", end_on="2030-03-31")
    for day in ("2030-03-04", "2030-03-06"):
        book(front_desk, patient, clinic, f"{day}T10:00")
    [pa] = api(biller, "get", f"/patients/{patient.public_id}/prior-authorizations").json()
    assert (pa["units_left"], pa["units_booked"]) == (3, 2)
    assert "Authorization PA-9: 3 of 3 units left, 1 after the 2 booked session(s)." in pa["warnings"]
