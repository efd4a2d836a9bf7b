"""Plans: drafting, activation (signed, screened), lifecycle with reasons, dose versions."""

import datetime as dt
from decimal import Decimal

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, ValidationFailed
from ketamine_clinic.plans import services
from ketamine_clinic.plans.models import Appointment, PlanDose, TreatmentPlan

from tests.support.api import assert_error
from tests.support.errors import NotFound
from tests.support.people import ctx_for
from tests.support.plans import NOW, plan_data
from tests.support.screening import approve, complete, consent_in_clinic


def test_a_draft_keeps_the_protocol_version_and_its_default_dose(draft, patient):
    plan = draft()
    assert plan.status == "draft" and plan.protocol_key == "iv-racemic-induction" and plan.protocol_version == 1
    assert plan.protocol_data["dose_rule"]["default"] == "0.5" and plan.session_count == 6
    dose = plan.current_dose
    assert dose.dose == Decimal("0.5") and dose.unit == "mg/kg" and dose.signed_by is None
    assert AuditEvent.objects.filter(action="plan.create", patient_id=str(patient.public_id)).exists()
    assert patient.timeline.filter(kind="plan").exists()


def test_activation_is_refused_without_eligibility_or_consent(prescriber, draft):
    plan = draft()
    with pytest.raises(Conflict) as exc:
        services.activate_plan(ctx_for(prescriber), plan, now=NOW)
    reasons = exc.value.errors["activation"]
    assert any("No completed intake evaluation" in r for r in reasons) and any("No consent" in r for r in reasons)
    plan.refresh_from_db()
    assert plan.status == "draft" and Appointment.objects.count() == 0


def test_activation_is_refused_with_eligibility_but_no_consent(prescriber, patient, draft):
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "iv")
    plan = draft()
    with pytest.raises(Conflict) as exc:
        services.activate_plan(ctx_for(prescriber), plan, now=NOW)
    assert exc.value.errors["activation"] == ["No consent signed for IV infusion (racemic ketamine)."]
    assert Appointment.objects.count() == 0


def test_activation_is_refused_with_consent_for_another_route_only(prescriber, nurse, patient, draft):
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "im")
    consent_in_clinic(nurse, patient, "im")
    with pytest.raises(Conflict):
        services.activate_plan(ctx_for(prescriber), draft(), now=NOW)


def test_esketamine_activation_needs_rems_enrollment(prescriber, nurse, patient, draft):
    ev = complete(prescriber, patient)
    approve(prescriber, patient, ev, "esketamine_nasal")
    consent_in_clinic(nurse, patient, "esketamine_nasal")
    plan = draft(protocol="esketamine-trd")
    with pytest.raises(Conflict) as exc:
        services.activate_plan(ctx_for(prescriber), plan, now=NOW)
    assert any("REMS" in r for r in exc.value.errors["activation"])


def test_activation_signs_books_and_audits(prescriber, patient, draft, ready):
    ready("iv")
    plan, warnings = services.activate_plan(ctx_for(prescriber), draft(), "Consented, eligible", now=NOW)
    assert plan.status == "active" and plan.activated_by == prescriber and warnings == []
    assert plan.appointments.count() == 6
    dose = plan.current_dose
    assert dose.signed_by == prescriber and dose.signed_at == NOW
    change = plan.status_changes.last()
    assert (change.from_status, change.to_status, change.signed, change.reason) == ("draft", "active", True, "Consented, eligible")
    assert AuditEvent.objects.filter(action="plan.activate").count() == 1
    with pytest.raises(Conflict):  # only once
        services.activate_plan(ctx_for(prescriber), plan, now=NOW)


def test_only_a_prescriber_signs(nurse, draft, ready):
    ready("iv")
    with pytest.raises(PermissionDenied):
        services.activate_plan(ctx_for(nurse), draft(), now=NOW)


def test_pause_cancels_future_sessions_and_resume_books_the_rest(prescriber, draft, ready):
    ready("iv")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    later = dt.datetime(2030, 3, 7, 12, 0, tzinfo=dt.UTC)  # after the first two sessions
    with pytest.raises(ValidationFailed):
        services.change_status(ctx_for(prescriber), plan, "paused", "", now=later)
    plan = services.change_status(ctx_for(prescriber), plan, "paused", "Patient travelling", now=later)
    assert plan.status == "paused"
    assert plan.appointments.filter(status="cancelled").count() == 4
    assert plan.appointments.filter(status="booked").count() == 2
    resumed_at = dt.datetime(2030, 3, 20, 12, 0, tzinfo=dt.UTC)
    plan = services.change_status(ctx_for(prescriber), plan, "active", "Back home", now=resumed_at)
    booked = plan.appointments.filter(status="booked").order_by("start_at")
    assert booked.count() == 6 and [a.session_number for a in booked] == [1, 2, 3, 4, 5, 6]
    assert booked[2].start_at > resumed_at
    assert [c.to_status for c in plan.status_changes.all()] == ["draft", "active", "paused", "active"]


def test_stop_needs_a_reason_and_keeps_everything(prescriber, draft, ready):
    ready("iv")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    plan = services.change_status(ctx_for(prescriber), plan, "stopped", "Adverse reaction", now=NOW)
    assert plan.status == "stopped" and Appointment.objects.filter(status="cancelled").count() == 6
    assert Appointment.objects.count() == 6  # nothing deleted
    with pytest.raises(Conflict):
        services.change_status(ctx_for(prescriber), plan, "active", "Try again", now=NOW)


def test_dose_changes_are_versioned_and_signed(prescriber, draft, ready):
    ready("iv")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    dose = services.change_dose(ctx_for(prescriber), plan, {"dose": "0.75", "reason": "Inadequate response after 3"}, now=NOW)
    assert (dose.version, dose.dose, dose.signed_by) == (2, Decimal("0.75"), prescriber)
    assert [d.dose for d in plan.doses.order_by("version")] == [Decimal("0.5"), Decimal("0.75")]
    assert AuditEvent.objects.filter(action="plan.dose_change").count() == 1


def test_a_dose_outside_the_protocol_is_refused_and_nothing_is_written(prescriber, draft):
    plan = draft()
    with pytest.raises(ValidationFailed) as exc:
        services.change_dose(ctx_for(prescriber), plan, {"dose": "1.2", "reason": "More"})
    assert exc.value.errors["dose"] == ["1.2 mg/kg is outside this protocol's allowed range 0.1 mg/kg to 0.75 mg/kg."]
    assert PlanDose.objects.filter(plan=plan).count() == 1


def test_esketamine_doses_are_whole_devices(prescriber, nurse, patient, clinic):
    data = plan_data(clinic, protocol="esketamine-trd", dose="2.5")
    with pytest.raises(ValidationFailed) as exc:
        services.create_plan(ctx_for(nurse), patient, data, now=NOW)
    assert "whole 28 mg devices" in exc.value.errors["dose"][0]
    data["dose"] = "3"  # day 1 is 56 mg in this protocol
    with pytest.raises(ValidationFailed) as exc:
        services.create_plan(ctx_for(nurse), patient, data, now=NOW)
    assert "first session's dose is 2 devices (56 mg)" in exc.value.errors["dose"][0]
    data.pop("dose")
    plan = services.create_plan(ctx_for(nurse), patient, data, now=NOW)
    assert plan.current_dose.dose == 2 and plan.current_dose.unit == "devices"
    services.change_dose(ctx_for(prescriber), plan, {"dose": "3", "reason": "Tolerated 56 mg"})
    assert plan.current_dose.dose == 3


def test_bad_plan_input_gets_field_errors_and_writes_nothing(nurse, patient, clinic):
    cases = [
        ({"protocol": "no-such"}, "protocol"),
        ({"start_date": "2030-02-01"}, "start_date"),  # in the past at NOW
        ({"session_count": "9"}, "session_count"),
        ({"dose": "0.9"}, "dose"),
        ({"phase": "warp"}, "phase"),
        ({"preferred_time": "25:00"}, "preferred_time"),
        ({"protocol": "ketamine-assisted-psychotherapy"}, "therapist"),
        ({"protocol": "oral-sublingual-in-clinic"}, "session_count"),  # open-ended: say how many
    ]
    for change, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.create_plan(ctx_for(nurse), patient, plan_data(clinic, **change), now=NOW)
        assert field in exc.value.errors, (change, exc.value.errors)
    assert TreatmentPlan.objects.count() == 0


def test_who_may_draft(front_desk, therapist, patient, clinic):
    for user in (front_desk, therapist):
        with pytest.raises(PermissionDenied):
            services.create_plan(ctx_for(user), patient, plan_data(clinic), now=NOW)


def test_a_plan_keeps_its_protocol_version_after_the_clinic_edits_it(prescriber, clinic_admin, nurse, patient, clinic):
    from ketamine_clinic.plans.services import protocol_store

    v1 = protocol_store.save_clinic_protocol(ctx_for(clinic_admin), {
        "based_on": "iv-racemic-induction", "key": "iv-ours", "reason": "Our copy"})
    plan = services.create_plan(ctx_for(nurse), patient, plan_data(clinic, protocol="iv-ours"), now=NOW)
    data = dict(v1.data)
    data["dose_rule"] = dict(data["dose_rule"], maximum="1.0")
    protocol_store.save_clinic_protocol(ctx_for(clinic_admin), {
        "based_on": "iv-ours", "key": "iv-ours", "protocol": data, "reason": "Ceiling 1.0 mg/kg (clinic policy)"})
    plan.refresh_from_db()
    assert (plan.protocol_key, plan.protocol_version) == ("iv-ours", 1)
    with pytest.raises(ValidationFailed):  # the plan's version still tops out at 0.75
        services.change_dose(ctx_for(prescriber), plan, {"dose": "1.0", "reason": "Higher"})
    newer = services.create_plan(ctx_for(nurse), patient, plan_data(clinic, protocol="iv-ours"), now=NOW)
    assert newer.protocol_version == 2
    services.change_dose(ctx_for(prescriber), newer, {"dose": "1.0", "reason": "Higher"})


def test_the_outsider_can_neither_draft_read_nor_sign_our_patients_plans(api, outsider, patient, clinic, draft, ready):
    ready("iv")
    plan = draft()
    with pytest.raises(NotFound):
        services.create_plan(ctx_for(outsider), patient, plan_data(clinic), now=NOW)
    with pytest.raises(NotFound):
        services.get_plan_for(ctx_for(outsider), plan.public_id)
    assert_error(api(outsider, "post", f"/plans/{plan.public_id}/activate", {"reason": "Consented, eligible"}), 404)
    plan.refresh_from_db()
    assert plan.status == "draft" and TreatmentPlan.objects.count() == 1
